-- Totals of the filtered incidents (the headline figures of the Deadly routes page), and
-- over the same incidents:
-- - what the per-route rows of route_totals leave out or count twice: incidents with no
--   route recorded (in no route row), and incidents tagged with several routes (in each
--   of their route rows, so route rows do not sum to the total). With a route filter,
--   no-route incidents do not pass it and count 0;
-- - IOM's cumulative tallies (is_cumulative in _macros.sql: many deaths recorded
--   together over a period, not one event), for the caption of the deadliest incidents;
-- - where the incidents with a position lie, to fit the map and choose its grid cell:
--   the full extent, and a robust extent (0.5th-99.5th percentiles of a 20,000-row
--   sample: exact below that size, and 4x cheaper than approx_quantile at 100x scale).
--   In this query, not one of its own: a query's planning costs as much as its run at
--   this size, and the filtered incidents are read once (issue 19).
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[]
-- returns: incidents BIGINT, dead_and_missing BIGINT, dead BIGINT, missing BIGINT,
--          survivors BIGINT (0 when none is reported), survivors_reported BIGINT (incidents
--          with a survivor count: the source leaves most blank, and blank is not zero),
--          located BIGINT, first_date DATE, last_date DATE,
--          no_route_incidents BIGINT, no_route_dead_and_missing BIGINT,
--          multi_route_incidents BIGINT, multi_route_dead_and_missing BIGINT,
--          cumulative_incidents BIGINT, cumulative_dead_and_missing BIGINT,
--          undated_incidents BIGINT, undated_dead_and_missing BIGINT (incidents with only
--          a year, counted because the range covers it),
--          mapped BIGINT, min_lat DOUBLE, max_lat DOUBLE, min_lon DOUBLE, max_lon DOUBLE,
--          p_min_lat DOUBLE, p_max_lat DOUBLE, p_min_lon DOUBLE, p_max_lon DOUBLE
WITH f AS MATERIALIZED (
    SELECT dead_and_missing, dead, missing, survivors, lat, lon, incident_date, routes,
           incident_type
    FROM filtered_incidents(
        $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
        $causes::VARCHAR[], $types::VARCHAR[]
    )
),
totals AS (
    SELECT
        count(*) AS incidents,
        coalesce(sum(dead_and_missing), 0) AS dead_and_missing,
        coalesce(sum(dead), 0) AS dead,
        coalesce(sum(missing), 0) AS missing,
        coalesce(sum(survivors), 0) AS survivors,
        count(survivors) AS survivors_reported,
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
            AS cumulative_dead_and_missing,
        count(*) FILTER (WHERE incident_date IS NULL) AS undated_incidents,
        coalesce(sum(dead_and_missing) FILTER (WHERE incident_date IS NULL), 0)::BIGINT
            AS undated_dead_and_missing
    FROM f
),
placed AS (
    SELECT lat, lon FROM f WHERE lat IS NOT NULL AND lon IS NOT NULL
),
extent AS (
    SELECT count(*) AS mapped, min(lat) AS min_lat, max(lat) AS max_lat,
           min(lon) AS min_lon, max(lon) AS max_lon
    FROM placed
),
robust AS (
    SELECT
        quantile_cont(lat, 0.005) AS p_min_lat,
        quantile_cont(lat, 0.995) AS p_max_lat,
        quantile_cont(lon, 0.005) AS p_min_lon,
        quantile_cont(lon, 0.995) AS p_max_lon
    FROM (SELECT lat, lon FROM placed USING SAMPLE reservoir(20000 ROWS) REPEATABLE (7))
)
SELECT t.*, e.mapped, e.min_lat, e.max_lat, e.min_lon, e.max_lon,
       r.p_min_lat, r.p_max_lat, r.p_min_lon, r.p_max_lon
FROM totals t, extent e, robust r
