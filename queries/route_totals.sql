-- Dead and missing per migration route over the filtered incidents, with the route's
-- schematic corridor (NULL geometry when no corridor is drawn for it). An incident on
-- two routes counts on each.
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[]
-- returns: route VARCHAR, incidents BIGINT, dead_and_missing BIGINT, origin_label VARCHAR,
--          destination_label VARCHAR, geometry VARCHAR
SELECT
    r.route,
    count(*) AS incidents,
    sum(f.dead_and_missing) AS dead_and_missing,
    any_value(c.origin_label) AS origin_label,
    any_value(c.destination_label) AS destination_label,
    any_value(c.geometry) AS geometry
FROM filtered_incidents(
    $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
    $causes::VARCHAR[], $types::VARCHAR[]
) f
JOIN incident_routes r USING (incident_id)
LEFT JOIN route_corridors c USING (route)
WHERE len($routes::VARCHAR[]) = 0 OR list_contains($routes::VARCHAR[], r.route)
GROUP BY r.route
ORDER BY dead_and_missing DESC
