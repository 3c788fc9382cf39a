-- Totals of the filtered incidents (the headline figures of the Deadly routes page), and
-- over the same incidents:
-- - what the per-route rows of route_totals leave out or count twice: incidents with no
--   route recorded (in no route row), and incidents tagged with several routes (in each
--   of their route rows, so route rows do not sum to the total). With a route filter,
--   no-route incidents do not pass it and count 0;
-- - IOM's cumulative tallies (is_cumulative in _macros.sql: many deaths recorded
--   together over a period, not one event), for the caption of the deadliest incidents.
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[]
-- returns: incidents BIGINT, dead_and_missing BIGINT, dead BIGINT, missing BIGINT,
--          survivors BIGINT, located BIGINT, first_date DATE, last_date DATE,
--          no_route_incidents BIGINT, no_route_dead_and_missing BIGINT,
--          multi_route_incidents BIGINT, multi_route_dead_and_missing BIGINT,
--          cumulative_incidents BIGINT, cumulative_dead_and_missing BIGINT
SELECT
    count(*) AS incidents,
    coalesce(sum(dead_and_missing), 0) AS dead_and_missing,
    coalesce(sum(dead), 0) AS dead,
    coalesce(sum(missing), 0) AS missing,
    coalesce(sum(survivors), 0) AS survivors,
    count(lat) AS located,
    min(incident_date) AS first_date,
    max(incident_date) AS last_date,
    count(*) FILTER (WHERE len(routes) = 0) AS no_route_incidents,
    coalesce(sum(dead_and_missing) FILTER (WHERE len(routes) = 0), 0)::BIGINT
        AS no_route_dead_and_missing,
    count(*) FILTER (WHERE len(routes) > 1) AS multi_route_incidents,
    coalesce(sum(dead_and_missing) FILTER (WHERE len(routes) > 1), 0)::BIGINT
        AS multi_route_dead_and_missing,
    count(*) FILTER (WHERE is_cumulative(incident_type)) AS cumulative_incidents,
    coalesce(sum(dead_and_missing) FILTER (WHERE is_cumulative(incident_type)), 0)::BIGINT
        AS cumulative_dead_and_missing
FROM filtered_incidents(
    $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
    $causes::VARCHAR[], $types::VARCHAR[]
)
