-- Filtered incidents aggregated on a square grid of $cell degrees; each bin sits at the
-- mean position of its incidents. Incidents without a position are not binned.
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[], $cell DOUBLE
-- returns: lat DOUBLE, lon DOUBLE, incidents BIGINT, dead_and_missing BIGINT, dead BIGINT,
--          missing BIGINT, first_date DATE, last_date DATE, top_route VARCHAR
SELECT
    avg(lat) AS lat,
    avg(lon) AS lon,
    count(*) AS incidents,
    sum(dead_and_missing) AS dead_and_missing,
    sum(dead) AS dead,
    sum(missing) AS missing,
    min(incident_date) AS first_date,
    max(incident_date) AS last_date,
    mode(routes[1]) AS top_route
FROM filtered_incidents(
    $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
    $causes::VARCHAR[], $types::VARCHAR[]
)
WHERE lat IS NOT NULL
GROUP BY floor(lat / $cell::DOUBLE), floor(lon / $cell::DOUBLE)
ORDER BY dead_and_missing DESC
