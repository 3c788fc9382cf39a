-- Time playback of Deadly routes: the filtered incidents per period (month, quarter or
-- year) on the still map's square grid of $cell degrees, one row per cell and period.
-- lat/lon are the cell's mean position over the whole selection, where the still map
-- draws it (incident_bins), so a circle stays put while it grows. Incidents without a
-- position are not binned; undated incidents have no period and are left out (their
-- count is in incident_periods).
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[], $cell DOUBLE, $grain VARCHAR
--         ('month', 'quarter' or 'year')
-- returns: period DATE (first day), cell_y BIGINT, cell_x BIGINT, lat DOUBLE, lon DOUBLE,
--          incidents BIGINT, dead_and_missing BIGINT
WITH located AS (
    SELECT
        date_trunc($grain::VARCHAR, incident_date)::DATE AS period,
        floor(lat / $cell::DOUBLE)::BIGINT AS cell_y,
        floor(lon / $cell::DOUBLE)::BIGINT AS cell_x,
        lat,
        lon,
        dead_and_missing
    FROM filtered_incidents(
        $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
        $causes::VARCHAR[], $types::VARCHAR[]
    )
    WHERE lat IS NOT NULL
),
cells AS (
    SELECT cell_y, cell_x, avg(lat) AS lat, avg(lon) AS lon FROM located GROUP BY ALL
)
SELECT
    l.period,
    l.cell_y,
    l.cell_x,
    any_value(c.lat) AS lat,
    any_value(c.lon) AS lon,
    count(*) AS incidents,
    coalesce(sum(l.dead_and_missing), 0)::BIGINT AS dead_and_missing
FROM located l
JOIN cells c USING (cell_y, cell_x)
WHERE l.period IS NOT NULL
GROUP BY l.period, l.cell_y, l.cell_x
ORDER BY l.period, l.cell_y, l.cell_x
