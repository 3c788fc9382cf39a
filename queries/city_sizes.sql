-- Cities with their population in a chosen year, largest first.
-- params: $year INTEGER (1950, 1955, ..., 2035), $min_population BIGINT
-- returns: city_code INTEGER, name VARCHAR, country VARCHAR, iso3 VARCHAR, lat DOUBLE,
--          lon DOUBLE, population BIGINT, projected BOOLEAN
SELECT c.city_code, c.name, c.country, c.iso3, c.lat, c.lon, p.population, p.projected
FROM cities c
JOIN city_population p USING (city_code)
WHERE p.year = $year::INTEGER AND p.population >= $min_population::BIGINT
ORDER BY p.population DESC
