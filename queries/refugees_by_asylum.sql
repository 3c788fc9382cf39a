-- Refugees and asylum-seekers hosted by each country of asylum at the end of a year
-- (UNHCR population statistics), largest first; in_basemap says whether the country
-- has a shape in the Natural Earth countries table (small states do not).
-- params: $year INTEGER (UNHCR years, up to 2025)
-- returns: asylum_iso3 VARCHAR, asylum_name VARCHAR, refugees BIGINT, asylum_seekers BIGINT,
--          total BIGINT (refugees + asylum_seekers), in_basemap BOOLEAN
SELECT r.asylum_iso3, any_value(r.asylum_name) AS asylum_name,
       coalesce(sum(r.refugees), 0)::BIGINT AS refugees,
       coalesce(sum(r.asylum_seekers), 0)::BIGINT AS asylum_seekers,
       (coalesce(sum(r.refugees), 0) + coalesce(sum(r.asylum_seekers), 0))::BIGINT AS total,
       r.asylum_iso3 IN (SELECT iso3 FROM countries) AS in_basemap
FROM refugee_population r
WHERE r.year = $year::INTEGER
GROUP BY r.asylum_iso3
HAVING total > 0
ORDER BY total DESC
