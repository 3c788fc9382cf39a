-- Countries that have sites (filter options), with a display name: Natural Earth's
-- short name, else the publisher's country name.
-- params: (none)
-- returns: iso3 VARCHAR, name VARCHAR, sites BIGINT
SELECT
    s.iso3,
    coalesce(any_value(c.name), mode(s.country), s.iso3) AS name,
    count(*) AS sites
FROM sites AS s
LEFT JOIN countries AS c ON c.iso3 = s.iso3
WHERE s.iso3 IS NOT NULL
GROUP BY s.iso3
ORDER BY name
