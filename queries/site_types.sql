-- Site types present in the sites table (filter options), most common first.
-- params: (none)
-- returns: site_type VARCHAR, sites BIGINT
SELECT site_type, count(*) AS sites
FROM sites
WHERE site_type IS NOT NULL
GROUP BY site_type
ORDER BY sites DESC, site_type
