-- The incidents with only a year (no date) that the date range leaves out because it
-- covers only part of their year (undated_cut in _macros.sql), by year: what the
-- Deadly routes page says it left out. The other filters apply as to every figure.
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[]
-- returns: year INTEGER, incidents BIGINT, dead_and_missing BIGINT
SELECT year, count(*) AS incidents, coalesce(sum(dead_and_missing), 0)::BIGINT AS dead_and_missing
FROM undated_cut(
    $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
    $causes::VARCHAR[], $types::VARCHAR[]
)
GROUP BY year
ORDER BY year
