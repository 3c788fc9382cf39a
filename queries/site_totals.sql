-- Totals of the filtered sites.
-- params: $site_types VARCHAR[], $status VARCHAR, $countries VARCHAR[], $datasets VARCHAR[]
-- returns: sites BIGINT, open_sites BIGINT, located BIGINT, countries BIGINT,
--          with_population_2025 BIGINT, people_2025 BIGINT
SELECT
    count(*) AS sites,
    count(*) FILTER (WHERE is_open) AS open_sites,
    count(lat) AS located,
    count(DISTINCT iso3) AS countries,
    count(population_2025) AS with_population_2025,
    coalesce(sum(population_2025), 0) AS people_2025
FROM filtered_sites($site_types::VARCHAR[], $status::VARCHAR, $countries::VARCHAR[], $datasets::VARCHAR[])
