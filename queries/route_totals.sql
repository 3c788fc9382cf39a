-- Dead and missing per migration route over the filtered incidents, with the route's
-- schematic corridor (NULL geometry when no corridor is drawn for it). An incident on
-- two routes counts on each.
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[]
-- returns: route VARCHAR, incidents BIGINT, dead_and_missing BIGINT, origin_label VARCHAR,
--          destination_label VARCHAR, geometry VARCHAR
-- The incident's own route list is unnested (3x faster at 100x scale than joining
-- incident_routes on the text id).
WITH per_route AS (
    SELECT unnest(f.routes) AS route, f.dead_and_missing
    FROM filtered_incidents(
        $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
        $causes::VARCHAR[], $types::VARCHAR[]
    ) f
)
SELECT
    p.route,
    count(*) AS incidents,
    sum(p.dead_and_missing) AS dead_and_missing,
    any_value(c.origin_label) AS origin_label,
    any_value(c.destination_label) AS destination_label,
    any_value(c.geometry) AS geometry
FROM per_route p
LEFT JOIN route_corridors c USING (route)
WHERE len($routes::VARCHAR[]) = 0 OR list_contains($routes::VARCHAR[], p.route)
GROUP BY p.route
ORDER BY dead_and_missing DESC, p.route
