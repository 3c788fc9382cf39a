-- For each CIFAL centre: how many WUP arrival cities (population >= $min_population in
-- $year) and route-corridor destination ends lie within $radius_km (great-circle
-- distance; centre-to-city distances from city_distances, computed at build). Distances
-- are compared in whole km, as shown (rounded half up): within means round(km) <= radius.
-- params: $radius_km DOUBLE, $year INTEGER (1950, ..., 2035), $min_population BIGINT
-- returns: centre VARCHAR, city VARCHAR, country VARCHAR, active BOOLEAN, lat DOUBLE, lon DOUBLE,
--          cities_within BIGINT, cities_population BIGINT, destinations_within BIGINT
WITH centres AS (
    SELECT * FROM cifal_centres WHERE lat IS NOT NULL AND lon IS NOT NULL
),
cities_near AS (
    SELECT d.place AS centre, count(*) AS cities_within, sum(p.population) AS cities_population
    FROM city_distances d
    JOIN city_population p ON p.city_code = d.city_code AND p.year = $year::INTEGER
    WHERE d.kind = 'centre' AND round(d.km) <= $radius_km::DOUBLE
        AND p.population >= $min_population::BIGINT
    GROUP BY d.place
),
destinations_near AS (
    SELECT f.centre, count(*) AS destinations_within
    FROM centres f
    JOIN route_corridors r
        ON r.dest_lat IS NOT NULL
        AND round(haversine_km(f.lat, f.lon, r.dest_lat, r.dest_lon)) <= $radius_km::DOUBLE
    GROUP BY f.centre
)
SELECT f.centre, f.city, f.country, f.active, f.lat, f.lon,
       coalesce(c.cities_within, 0) AS cities_within,
       coalesce(c.cities_population, 0)::BIGINT AS cities_population,
       coalesce(d.destinations_within, 0) AS destinations_within
FROM centres f
LEFT JOIN cities_near c USING (centre)
LEFT JOIN destinations_near d USING (centre)
ORDER BY cities_within DESC, destinations_within DESC, f.centre
