-- Build step (run by geo.build after every dataset has loaded and the macros exist; not
-- by run_query). Distances from the fixed places (CIFAL centres, route-corridor
-- destination ends) to every WUP city, stored once: 34 x 1,860 and 31 x 1,860 pairs.
-- Computing them in each query cost 5-10 ms per query on the CIFAL page.
INSERT INTO city_distances
SELECT 'centre', f.centre, c.city_code, haversine_km(f.lat, f.lon, c.lat, c.lon)
FROM cifal_centres f
CROSS JOIN cities c
WHERE f.lat IS NOT NULL AND f.lon IS NOT NULL AND c.lat IS NOT NULL AND c.lon IS NOT NULL;

INSERT INTO city_distances
SELECT 'destination', r.route, c.city_code, haversine_km(r.dest_lat, r.dest_lon, c.lat, c.lon)
FROM route_corridors r
CROSS JOIN cities c
WHERE r.dest_lat IS NOT NULL AND r.dest_lon IS NOT NULL AND c.lat IS NOT NULL AND c.lon IS NOT NULL;
