-- For each CIFAL centre: how many WUP arrival cities (population >= $min_population in
-- $year) and route-corridor destination ends lie within $radius_km (haversine_km).
-- params: $radius_km DOUBLE, $year INTEGER (1950, ..., 2035), $min_population BIGINT
-- returns: centre VARCHAR, city VARCHAR, country VARCHAR, active BOOLEAN, lat DOUBLE, lon DOUBLE,
--          cities_within BIGINT, cities_population BIGINT, destinations_within BIGINT
WITH c AS (
    SELECT ci.name, ci.lat, ci.lon, p.population
    FROM cities ci
    JOIN city_population p ON p.city_code = ci.city_code AND p.year = $year::INTEGER
    WHERE p.population >= $min_population::BIGINT
)
SELECT f.centre, f.city, f.country, f.active, f.lat, f.lon,
       (SELECT count(*) FROM c
        WHERE haversine_km(f.lat, f.lon, c.lat, c.lon) <= $radius_km::DOUBLE) AS cities_within,
       (SELECT coalesce(sum(c.population), 0) FROM c
        WHERE haversine_km(f.lat, f.lon, c.lat, c.lon) <= $radius_km::DOUBLE)::BIGINT AS cities_population,
       (SELECT count(*) FROM route_corridors r
        WHERE r.dest_lat IS NOT NULL
          AND haversine_km(f.lat, f.lon, r.dest_lat, r.dest_lon) <= $radius_km::DOUBLE) AS destinations_within
FROM cifal_centres f
WHERE f.lat IS NOT NULL AND f.lon IS NOT NULL
ORDER BY cities_within DESC, destinations_within DESC, f.centre
