-- What the per-route rows of route_totals leave out or count twice, over the filtered
-- incidents: incidents with no route recorded (in no route row), and incidents tagged
-- with several routes (in each of their route rows, so route rows do not sum to the
-- total). With a route filter, no-route incidents do not pass it and count 0.
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[]
-- returns: no_route_incidents BIGINT, no_route_dead_and_missing BIGINT,
--          multi_route_incidents BIGINT, multi_route_dead_and_missing BIGINT
SELECT
    count(*) FILTER (WHERE len(f.routes) = 0) AS no_route_incidents,
    coalesce(sum(f.dead_and_missing) FILTER (WHERE len(f.routes) = 0), 0)::BIGINT
        AS no_route_dead_and_missing,
    count(*) FILTER (WHERE len(f.routes) > 1) AS multi_route_incidents,
    coalesce(sum(f.dead_and_missing) FILTER (WHERE len(f.routes) > 1), 0)::BIGINT
        AS multi_route_dead_and_missing
FROM filtered_incidents(
    $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
    $causes::VARCHAR[], $types::VARCHAR[]
) f
