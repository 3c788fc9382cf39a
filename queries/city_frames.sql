-- Time playback of Arrival cities: every WUP year's population of the cities of at least
-- $min_population that year (a city joins the map in the year it reaches the size).
-- params: $min_population BIGINT
-- returns: year INTEGER, projected BOOLEAN, city_code INTEGER, name VARCHAR,
--          country VARCHAR, lat DOUBLE, lon DOUBLE, population BIGINT
SELECT p.year, p.projected, c.city_code, c.name, c.country, c.lat, c.lon, p.population
FROM cities c
JOIN city_population p USING (city_code)
WHERE p.population >= $min_population::BIGINT
ORDER BY p.year, p.population DESC, c.city_code
