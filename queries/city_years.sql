-- The WUP years available, with whether each is a projection (2020 onward).
-- returns: year INTEGER, projected BOOLEAN
SELECT year, bool_or(projected) AS projected
FROM city_population
GROUP BY year
ORDER BY year
