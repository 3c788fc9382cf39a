-- The filtered sites, one row each (map points, the sites table and its export), by
-- country and name; at most $limit rows, only those with a position when $located_only.
-- Coordinates are exact here: the view coarsens them.
-- params: $site_types VARCHAR[], $status VARCHAR ('all' | 'open' | 'closed'),
--         $countries VARCHAR[] (ISO3), $datasets VARCHAR[], $limit INTEGER,
--         $located_only BOOLEAN
-- returns: site_id VARCHAR, dataset VARCHAR, name VARCHAR, site_type VARCHAR,
--          population_group VARCHAR, is_open BOOLEAN, iso3 VARCHAR, country VARCHAR,
--          admin1 VARCHAR, lat DOUBLE, lon DOUBLE, position_approximate BOOLEAN,
--          population_2025 BIGINT, individuals BIGINT
SELECT
    f.site_id,
    f.dataset,
    f.name,
    f.site_type,
    f.population_group,
    f.is_open,
    f.iso3,
    coalesce(c.name, f.country) AS country,
    f.admin1,
    f.lat,
    f.lon,
    f.position_approximate,
    f.population_2025,
    f.individuals
FROM filtered_sites($site_types::VARCHAR[], $status::VARCHAR, $countries::VARCHAR[], $datasets::VARCHAR[]) AS f
LEFT JOIN countries AS c ON c.iso3 = f.iso3
WHERE NOT $located_only::BOOLEAN OR (f.lat IS NOT NULL AND f.lon IS NOT NULL)
ORDER BY f.list_order
LIMIT $limit::INTEGER
