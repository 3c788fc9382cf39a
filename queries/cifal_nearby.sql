-- Every arrival city (WUP, population >= $min_population in $year) and route destination
-- end within $radius_km of a CIFAL centre, one row per (centre, place), nearest first.
-- params: $radius_km DOUBLE, $year INTEGER (1950, ..., 2035), $min_population BIGINT
-- returns: centre VARCHAR, active BOOLEAN, kind VARCHAR ('arrival city' or 'route destination'),
--          place VARCHAR, country VARCHAR, population BIGINT (NULL for destinations),
--          lat DOUBLE, lon DOUBLE, distance_km DOUBLE
SELECT f.centre, f.active, 'arrival city' AS kind, ci.name AS place, ci.country,
       p.population, ci.lat, ci.lon,
       haversine_km(f.lat, f.lon, ci.lat, ci.lon) AS distance_km
FROM cifal_centres f
CROSS JOIN cities ci
JOIN city_population p ON p.city_code = ci.city_code AND p.year = $year::INTEGER
WHERE p.population >= $min_population::BIGINT
  AND haversine_km(f.lat, f.lon, ci.lat, ci.lon) <= $radius_km::DOUBLE
UNION ALL
SELECT f.centre, f.active, 'route destination', r.destination_label || ' (' || r.route || ')',
       NULL, NULL, r.dest_lat, r.dest_lon,
       haversine_km(f.lat, f.lon, r.dest_lat, r.dest_lon)
FROM cifal_centres f
CROSS JOIN route_corridors r
WHERE r.dest_lat IS NOT NULL
  AND haversine_km(f.lat, f.lon, r.dest_lat, r.dest_lon) <= $radius_km::DOUBLE
ORDER BY centre, kind, distance_km
