-- Individual filtered incidents with a position, deadliest first (for the map once the
-- filtered set is small). Texts are as published: escape them before display.
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[], $limit INTEGER
-- returns: incident_id VARCHAR, incident_date DATE, year INTEGER, lat DOUBLE, lon DOUBLE,
--          dead INTEGER, missing INTEGER, dead_and_missing INTEGER, survivors INTEGER,
--          causes VARCHAR, routes VARCHAR, location VARCHAR, country VARCHAR,
--          information_source VARCHAR, url VARCHAR, incident_type VARCHAR (IOM's type; a
--          cumulative one is a tally over a period, not one event)
SELECT
    incident_id,
    incident_date,
    year,
    lat,
    lon,
    dead,
    missing,
    dead_and_missing,
    survivors,
    array_to_string(causes, ', ') AS causes,
    array_to_string(routes, ', ') AS routes,
    location,
    country,
    information_source,
    url,
    incident_type
FROM filtered_incidents(
    $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
    $causes::VARCHAR[], $types::VARCHAR[]
)
WHERE lat IS NOT NULL AND lon IS NOT NULL
ORDER BY dead_and_missing DESC, incident_date, incident_id
LIMIT $limit::INTEGER
