-- How many UNHCR end-2025 camp populations (acc_type P/S) joined a register site by name,
-- and how many people cannot be placed at any site because UNHCR reports them for a
-- whole state or province (Admin 1), a district (Admin 2) or as dispersed. Only rows
-- naming a site (location_level 'site') are joined.
-- params: $countries VARCHAR[] (ISO3 of the country of asylum; empty = all)
-- A register site can take several UNHCR rows (Kiryandongo, Uganda: its POC and PRP
-- parts), so sites_joined (register sites) can be fewer than camps_joined (UNHCR rows).
-- returns: camps BIGINT, camps_joined BIGINT, sites_joined BIGINT, people BIGINT,
--          people_joined BIGINT,
--          site_rows BIGINT, people_at_sites BIGINT, people_admin1 BIGINT,
--          people_admin2 BIGINT, people_dispersed BIGINT, people_not_at_site BIGINT
SELECT
    count(*) AS camps,
    count(matched_site_id) AS camps_joined,
    count(DISTINCT matched_site_id) AS sites_joined,
    coalesce(sum(total), 0)::BIGINT AS people,
    coalesce(sum(total) FILTER (WHERE matched_site_id IS NOT NULL), 0)::BIGINT AS people_joined,
    count(*) FILTER (WHERE location_level = 'site') AS site_rows,
    coalesce(sum(total) FILTER (WHERE location_level = 'site'), 0)::BIGINT AS people_at_sites,
    coalesce(sum(total) FILTER (WHERE location_level = 'admin1'), 0)::BIGINT AS people_admin1,
    coalesce(sum(total) FILTER (WHERE location_level = 'admin2'), 0)::BIGINT AS people_admin2,
    coalesce(sum(total) FILTER (WHERE location_level = 'dispersed'), 0)::BIGINT AS people_dispersed,
    coalesce(sum(total) FILTER (WHERE location_level <> 'site'), 0)::BIGINT AS people_not_at_site
FROM site_populations_2025
WHERE len($countries::VARCHAR[]) = 0 OR list_contains($countries::VARCHAR[], asylum_iso3)
