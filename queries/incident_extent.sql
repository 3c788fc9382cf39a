-- Where the filtered incidents with a position lie: full extent and a robust extent
-- (0.5th-99.5th percentiles of a 20,000-row sample: exact below that size, and 4x
-- cheaper than approx_quantile at 100x scale) used to fit the map and choose the grid cell.
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[]
-- returns: located BIGINT, min_lat DOUBLE, max_lat DOUBLE, min_lon DOUBLE, max_lon DOUBLE,
--          p_min_lat DOUBLE, p_max_lat DOUBLE, p_min_lon DOUBLE, p_max_lon DOUBLE
WITH located AS (
    SELECT lat, lon
    FROM filtered_incidents(
        $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
        $causes::VARCHAR[], $types::VARCHAR[]
    )
    WHERE lat IS NOT NULL AND lon IS NOT NULL
),
extent AS (
    SELECT count(*) AS located, min(lat) AS min_lat, max(lat) AS max_lat,
           min(lon) AS min_lon, max(lon) AS max_lon
    FROM located
),
robust AS (
    SELECT
        quantile_cont(lat, 0.005) AS p_min_lat,
        quantile_cont(lat, 0.995) AS p_max_lat,
        quantile_cont(lon, 0.005) AS p_min_lon,
        quantile_cont(lon, 0.995) AS p_max_lon
    FROM (SELECT lat, lon FROM located USING SAMPLE reservoir(20000 ROWS) REPEATABLE (7))
)
SELECT e.located, e.min_lat, e.max_lat, e.min_lon, e.max_lon,
       r.p_min_lat, r.p_max_lat, r.p_min_lon, r.p_max_lon
FROM extent e, robust r
