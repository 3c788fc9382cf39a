-- Fast-growing arrival cities with no CIFAL centre within $radius_km: growth between two
-- WUP years of at least $min_growth_pct percent, and the nearest centre with its distance.
-- params: $year_from INTEGER, $year_to INTEGER (1950, ..., 2035), $min_growth_pct DOUBLE,
--         $radius_km DOUBLE, $min_population BIGINT (population in $year_to),
--         $include_closed BOOLEAN (closed centres count as coverage)
-- returns: name VARCHAR, country VARCHAR, iso3 VARCHAR, lat DOUBLE, lon DOUBLE, pop_from BIGINT,
--          pop_to BIGINT, growth BIGINT, growth_pct DOUBLE, nearest_centre VARCHAR, nearest_km DOUBLE
WITH grow AS (
    SELECT c.city_code, c.name, c.country, c.iso3, c.lat, c.lon,
           a.population AS pop_from, b.population AS pop_to,
           b.population - a.population AS growth,
           100.0 * (b.population - a.population) / a.population AS growth_pct
    FROM cities c
    JOIN city_population a ON a.city_code = c.city_code AND a.year = $year_from::INTEGER
    JOIN city_population b ON b.city_code = c.city_code AND b.year = $year_to::INTEGER
    WHERE a.population > 0
      AND b.population >= $min_population::BIGINT
      AND 100.0 * (b.population - a.population) / a.population >= $min_growth_pct::DOUBLE
),
near AS (
    -- centre-to-city distances from city_distances (computed at build)
    SELECT d.city_code, arg_min(d.place, d.km) AS nearest_centre, min(d.km) AS nearest_km
    FROM city_distances d
    JOIN cifal_centres f ON f.centre = d.place AND (f.active OR $include_closed::BOOLEAN)
    WHERE d.kind = 'centre' AND d.city_code IN (SELECT city_code FROM grow)
    GROUP BY d.city_code
)
SELECT g.name, g.country, g.iso3, g.lat, g.lon, g.pop_from, g.pop_to, g.growth, g.growth_pct,
       n.nearest_centre, n.nearest_km
FROM grow g
LEFT JOIN near n USING (city_code)
WHERE n.nearest_km IS NULL OR n.nearest_km > $radius_km::DOUBLE
ORDER BY g.growth_pct DESC, g.name
