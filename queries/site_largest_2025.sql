-- The filtered sites with the most people at end-2025 (UNHCR camp populations joined by
-- name and country); only joined sites. Coordinates are exact here: the view coarsens them.
-- params: $site_types VARCHAR[], $status VARCHAR ('all' | 'open' | 'closed'),
--         $countries VARCHAR[] (ISO3), $datasets VARCHAR[], $limit INTEGER
-- returns: site_id VARCHAR, name VARCHAR, site_type VARCHAR, is_open BOOLEAN,
--          country VARCHAR, lat DOUBLE, lon DOUBLE, population_2025 BIGINT,
--          unhcr_location VARCHAR, acc_type VARCHAR, origins INTEGER
SELECT
    f.site_id,
    f.name,
    f.site_type,
    f.is_open,
    coalesce(c.name, f.country) AS country,
    f.lat,
    f.lon,
    f.population_2025,
    string_agg(p.location, '; ' ORDER BY p.total DESC) AS unhcr_location,
    string_agg(DISTINCT p.acc_type, ', ') AS acc_type,
    max(p.origins) AS origins
FROM filtered_sites($site_types::VARCHAR[], $status::VARCHAR, $countries::VARCHAR[], $datasets::VARCHAR[]) AS f
LEFT JOIN countries AS c ON c.iso3 = f.iso3
LEFT JOIN site_populations_2025 AS p ON p.matched_site_id = f.site_id
WHERE f.population_2025 IS NOT NULL
GROUP BY ALL
ORDER BY f.population_2025 DESC, f.name
LIMIT $limit::INTEGER
