-- Filtered sites per dataset (decides which map layers a filter needs).
-- params: $site_types VARCHAR[], $status VARCHAR ('all' | 'open' | 'closed'),
--         $countries VARCHAR[] (ISO3), $datasets VARCHAR[]
-- returns: dataset VARCHAR, sites BIGINT, located BIGINT
SELECT dataset, count(*) AS sites, count(lat) AS located
FROM filtered_sites($site_types::VARCHAR[], $status::VARCHAR, $countries::VARCHAR[], $datasets::VARCHAR[])
GROUP BY dataset
ORDER BY dataset
