-- Totals of the filtered incidents (the headline figures of the Deadly routes page).
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[]
-- returns: incidents BIGINT, dead_and_missing BIGINT, dead BIGINT, missing BIGINT,
--          survivors BIGINT, located BIGINT, first_date DATE, last_date DATE
SELECT
    count(*) AS incidents,
    coalesce(sum(dead_and_missing), 0) AS dead_and_missing,
    coalesce(sum(dead), 0) AS dead,
    coalesce(sum(missing), 0) AS missing,
    coalesce(sum(survivors), 0) AS survivors,
    count(lat) AS located,
    min(incident_date) AS first_date,
    max(incident_date) AS last_date
FROM filtered_incidents(
    $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
    $causes::VARCHAR[], $types::VARCHAR[]
)
