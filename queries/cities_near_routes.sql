-- For each route corridor's destination end, the k nearest WUP cities (great-circle
-- distance, haversine_km macro) with their population in a chosen year.
-- params: $k INTEGER (cities per destination), $year INTEGER (1950, ..., 2035)
-- returns: route VARCHAR, destination_label VARCHAR, dest_lat DOUBLE, dest_lon DOUBLE,
--          rank BIGINT (1 = nearest), name VARCHAR, country VARCHAR, lat DOUBLE, lon DOUBLE,
--          population BIGINT, distance_km DOUBLE
WITH pairs AS (
    SELECT r.route, r.destination_label, r.dest_lat, r.dest_lon,
           c.name, c.country, c.lat, c.lon, p.population,
           haversine_km(r.dest_lat, r.dest_lon, c.lat, c.lon) AS distance_km
    FROM route_corridors r
    CROSS JOIN cities c
    JOIN city_population p ON p.city_code = c.city_code AND p.year = $year::INTEGER
    WHERE r.dest_lat IS NOT NULL AND r.dest_lon IS NOT NULL
)
SELECT route, destination_label, dest_lat, dest_lon,
       row_number() OVER (PARTITION BY route ORDER BY distance_km, name) AS rank,
       name, country, lat, lon, population, distance_km
FROM pairs
QUALIFY rank <= $k::INTEGER
ORDER BY route, rank
