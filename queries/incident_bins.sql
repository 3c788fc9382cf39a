-- Filtered incidents aggregated on a square grid of $cell degrees; each bin sits at the
-- mean position of its incidents and top_route is its commonest first route (a tie:
-- the route with more incidents overall).
-- Incidents without a position are not binned.
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[], $cell DOUBLE
-- returns: lat DOUBLE, lon DOUBLE, incidents BIGINT, dead_and_missing BIGINT, dead BIGINT,
--          missing BIGINT, first_date DATE, last_date DATE, top_route VARCHAR
WITH f AS (
    SELECT
        lat, lon, dead_and_missing, dead, missing, incident_date, main_route,
        floor(lat / $cell::DOUBLE) AS gy, floor(lon / $cell::DOUBLE) AS gx
    FROM filtered_incidents(
        $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
        $causes::VARCHAR[], $types::VARCHAR[]
    )
    WHERE lat IS NOT NULL
),
bins AS (
    SELECT
        gy, gx,
        avg(lat) AS lat,
        avg(lon) AS lon,
        count(*) AS incidents,
        sum(dead_and_missing) AS dead_and_missing,
        sum(dead) AS dead,
        sum(missing) AS missing,
        min(incident_date) AS first_date,
        max(incident_date) AS last_date
    FROM f
    GROUP BY gy, gx
),
-- the commonest first route of each cell, by its integer code (mode over the text
-- list's first element cost 60 of the query's 80 ms at 100x); a tie goes to the route
-- with more incidents overall (the lower code), so a cell says the same on every run
-- (mode() picked either, run to run)
route_counts AS (
    SELECT gy, gx, main_route, count(*) AS n
    FROM f
    WHERE main_route IS NOT NULL
    GROUP BY gy, gx, main_route
),
tops AS (
    SELECT gy, gx, first(main_route ORDER BY n DESC, main_route) AS top_code
    FROM route_counts
    GROUP BY gy, gx
)
SELECT b.lat, b.lon, b.incidents, b.dead_and_missing, b.dead, b.missing,
       b.first_date, b.last_date, c.value AS top_route
FROM bins b
LEFT JOIN tops t USING (gy, gx)
LEFT JOIN incident_codes c ON c.kind = 'route' AND c.code = t.top_code
ORDER BY b.dead_and_missing DESC, b.lat, b.lon
