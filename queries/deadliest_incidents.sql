-- The deadliest filtered incidents (by dead and missing), with their type and source.
-- IOM's "Cumulative Incident" rows are tallies of many deaths over a period (e.g.
-- 2014.MMP00259: 750 people over all of 2014), not single events: $cumulative = false
-- ranks the other incidents only, $cumulative = true ranks the tallies only, so that a
-- yearly tally is never read as a shipwreck.
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[], $limit INTEGER, $cumulative BOOLEAN
-- returns: incident_id VARCHAR, incident_type VARCHAR, incident_date DATE, location VARCHAR,
--          country VARCHAR, routes VARCHAR, causes VARCHAR, dead INTEGER, missing INTEGER,
--          dead_and_missing INTEGER, survivors INTEGER, information_source VARCHAR,
--          url VARCHAR
SELECT
    incident_id,
    incident_type,
    incident_date,
    location,
    country,
    array_to_string(routes, ', ') AS routes,
    array_to_string(causes, ', ') AS causes,
    dead,
    missing,
    dead_and_missing,
    survivors,
    information_source,
    url
FROM filtered_incidents(
    $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
    $causes::VARCHAR[], $types::VARCHAR[]
)
-- The type can be a comma-joined list ("Incident,Split Incident"): match the word.
WHERE coalesce(incident_type ILIKE '%cumulative%', false) = $cumulative::BOOLEAN
ORDER BY dead_and_missing DESC, incident_date, incident_id
LIMIT $limit::INTEGER
