-- Where the filtered incidents with a position lie: full extent and a robust extent
-- (0.5th-99.5th percentiles, approximate: exact quantiles cost 80-150 ms at 100x) used to
-- fit the map and choose the grid cell.
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[]
-- returns: located BIGINT, min_lat DOUBLE, max_lat DOUBLE, min_lon DOUBLE, max_lon DOUBLE,
--          p_min_lat DOUBLE, p_max_lat DOUBLE, p_min_lon DOUBLE, p_max_lon DOUBLE
SELECT
    count(*) AS located,
    min(lat) AS min_lat,
    max(lat) AS max_lat,
    min(lon) AS min_lon,
    max(lon) AS max_lon,
    approx_quantile(lat, 0.005) AS p_min_lat,
    approx_quantile(lat, 0.995) AS p_max_lat,
    approx_quantile(lon, 0.005) AS p_min_lon,
    approx_quantile(lon, 0.995) AS p_max_lon
FROM filtered_incidents(
    $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
    $causes::VARCHAR[], $types::VARCHAR[]
)
WHERE lat IS NOT NULL AND lon IS NOT NULL
