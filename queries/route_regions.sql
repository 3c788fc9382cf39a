-- Which migration routes occur in which regions: every (region, route) pair that at
-- least one incident carries, for narrowing the route filter to the chosen regions.
-- An incident with two regions or two routes pairs each of them with each.
-- params: (none)
-- returns: region VARCHAR, route VARCHAR, incidents BIGINT
WITH by_region AS (
    SELECT unnest(regions) AS region, routes FROM incidents
),
pairs AS (
    SELECT region, unnest(routes) AS route FROM by_region
)
SELECT region, route, count(*) AS incidents
FROM pairs
WHERE region IS NOT NULL AND region <> '' AND route IS NOT NULL AND route <> ''
GROUP BY region, route
ORDER BY region, incidents DESC, route
