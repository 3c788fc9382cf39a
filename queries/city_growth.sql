-- Growth of each city between two WUP years: absolute and percent, fastest first.
-- params: $year_from INTEGER, $year_to INTEGER (1950, 1955, ..., 2035), $min_population BIGINT
--         (population in $year_to at least this)
-- returns: city_code INTEGER, name VARCHAR, country VARCHAR, iso3 VARCHAR, lat DOUBLE, lon DOUBLE,
--          pop_from BIGINT, pop_to BIGINT, growth BIGINT, growth_pct DOUBLE (NULL when pop_from = 0),
--          projected BOOLEAN (either year is a projection)
SELECT c.city_code, c.name, c.country, c.iso3, c.lat, c.lon,
       a.population AS pop_from, b.population AS pop_to,
       b.population - a.population AS growth,
       CASE WHEN a.population > 0 THEN 100.0 * (b.population - a.population) / a.population END AS growth_pct,
       a.projected OR b.projected AS projected
FROM cities c
JOIN city_population a ON a.city_code = c.city_code AND a.year = $year_from::INTEGER
JOIN city_population b ON b.city_code = c.city_code AND b.year = $year_to::INTEGER
WHERE b.population >= $min_population::BIGINT
ORDER BY growth_pct DESC NULLS LAST, growth DESC
