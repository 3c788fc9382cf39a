-- Totals of the filtered sites: one row for all of them (all_datasets true, dataset NULL)
-- and one per dataset that has any (these decide which map layers a filter needs).
-- One query for both: the page's headline and its layers agree by construction.
-- params: $site_types VARCHAR[], $status VARCHAR ('all' | 'open' | 'closed'),
--         $countries VARCHAR[] (ISO3), $datasets VARCHAR[]
-- returns: dataset VARCHAR, all_datasets BOOLEAN, sites BIGINT, open_sites BIGINT,
--          located BIGINT, countries BIGINT, with_population_2025 BIGINT, people_2025 BIGINT
SELECT
    dataset,
    grouping(dataset) = 1 AS all_datasets,
    count(*) AS sites,
    count(*) FILTER (WHERE is_open) AS open_sites,
    count(lat) AS located,
    count(DISTINCT iso3) AS countries,
    count(population_2025) AS with_population_2025,
    coalesce(sum(population_2025), 0) AS people_2025
FROM filtered_sites($site_types::VARCHAR[], $status::VARCHAR, $countries::VARCHAR[], $datasets::VARCHAR[])
GROUP BY ROLLUP (dataset)
ORDER BY all_datasets DESC, dataset
