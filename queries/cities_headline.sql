-- Headline figures of the Arrival cities page for a chosen year.
-- params: $year INTEGER (1950, 1955, ..., 2035), $min_population BIGINT
-- returns: cities BIGINT (cities with population >= $min_population in $year),
--          population BIGINT (their total), megacities BIGINT (10 million+), projected BOOLEAN
SELECT count(*) AS cities,
       coalesce(sum(p.population), 0)::BIGINT AS population,
       count(*) FILTER (WHERE p.population >= 10000000) AS megacities,
       coalesce(bool_or(p.projected), $year::INTEGER >= 2020) AS projected
FROM city_population p
WHERE p.year = $year::INTEGER AND p.population >= $min_population::BIGINT
