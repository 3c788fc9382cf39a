-- Time playback of Deadly routes: the filtered incidents per period (month, quarter or
-- year), located or not: the running total the playback shows. Undated incidents form
-- one row with a NULL period (left out of the playback, said in its note).
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[], $grain VARCHAR ('month', 'quarter', 'year')
-- returns: period DATE (first day; NULL for the undated), incidents BIGINT,
--          dead_and_missing BIGINT
SELECT
    date_trunc($grain::VARCHAR, incident_date)::DATE AS period,
    count(*) AS incidents,
    coalesce(sum(dead_and_missing), 0)::BIGINT AS dead_and_missing
FROM filtered_incidents(
    $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
    $causes::VARCHAR[], $types::VARCHAR[]
)
GROUP BY ALL
ORDER BY period NULLS LAST
