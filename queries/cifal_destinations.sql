-- Route corridors' destination ends with the distance to the nearest CIFAL centre
-- (great-circle, whole km rounded half up: the page compares it with its radius as shown).
-- params: $include_closed BOOLEAN (count closed centres too)
-- returns: route VARCHAR, destination_label VARCHAR, dest_lat DOUBLE, dest_lon DOUBLE,
--          nearest_centre VARCHAR, nearest_km DOUBLE (whole km)
SELECT r.route, r.destination_label, r.dest_lat, r.dest_lon,
       arg_min(f.centre, haversine_km(r.dest_lat, r.dest_lon, f.lat, f.lon)) AS nearest_centre,
       round(min(haversine_km(r.dest_lat, r.dest_lon, f.lat, f.lon))) AS nearest_km
FROM route_corridors r
JOIN cifal_centres f ON (f.active OR $include_closed::BOOLEAN) AND f.lat IS NOT NULL
WHERE r.dest_lat IS NOT NULL
GROUP BY ALL
ORDER BY r.route
