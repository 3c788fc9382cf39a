-- The deadliest filtered incidents (by dead and missing), with their type and source.
-- $cumulative = false ranks the single incidents only, $cumulative = true IOM's
-- cumulative tallies only (the rule: is_cumulative in _macros.sql).
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
WHERE is_cumulative(incident_type) = $cumulative::BOOLEAN
ORDER BY dead_and_missing DESC, incident_date, incident_id
LIMIT $limit::INTEGER
