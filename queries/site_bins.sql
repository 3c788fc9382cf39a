-- Filtered sites with a position, aggregated on a square grid of $cell degrees, the NW
-- Syria ISIMM sites (approximate positions, their own map layer) apart from the others;
-- each bin sits at the mean position of its sites.
-- params: $site_types VARCHAR[], $status VARCHAR ('all' | 'open' | 'closed'),
--         $countries VARCHAR[] (ISO3), $datasets VARCHAR[], $cell DOUBLE
-- returns: isimm BOOLEAN, lat DOUBLE, lon DOUBLE, sites BIGINT, open_sites BIGINT,
--          people_2025 BIGINT, people_isimm BIGINT, top_type VARCHAR, countries BIGINT
SELECT
    dataset = 'isimm' AS isimm,
    avg(lat) AS lat,
    avg(lon) AS lon,
    count(*) AS sites,
    count(*) FILTER (WHERE is_open) AS open_sites,
    sum(population_2025) AS people_2025,
    sum(individuals) AS people_isimm,
    mode(site_type) AS top_type,
    count(DISTINCT iso3) AS countries
FROM filtered_sites($site_types::VARCHAR[], $status::VARCHAR, $countries::VARCHAR[], $datasets::VARCHAR[])
WHERE lat IS NOT NULL
GROUP BY dataset = 'isimm', floor(lat / $cell::DOUBLE), floor(lon / $cell::DOUBLE)
ORDER BY isimm, sites DESC
