-- The filtered sites, one row each (map points and the sites table), by country and
-- name; at most $limit rows. Coordinates are exact here: the view coarsens them.
-- params: $site_types VARCHAR[], $status VARCHAR ('all' | 'open' | 'closed'),
--         $countries VARCHAR[] (ISO3), $datasets VARCHAR[], $limit INTEGER
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
ORDER BY country NULLS LAST, f.name, f.site_id
LIMIT $limit::INTEGER
