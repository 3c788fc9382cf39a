-- IOM "Cumulative Incident" tallies among the filtered incidents (many deaths recorded
-- together over a period, not one event), for the caption of the deadliest incidents.
-- The test for a tally is the one of deadliest_incidents.sql.
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[]
-- returns: incidents BIGINT (cumulative tallies), dead_and_missing BIGINT (their total)
SELECT
    count(*) AS incidents,
    coalesce(sum(dead_and_missing), 0)::BIGINT AS dead_and_missing
FROM filtered_incidents(
    $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
    $causes::VARCHAR[], $types::VARCHAR[]
)
WHERE coalesce(incident_type ILIKE '%cumulative%', false)
