-- Headline figures for the Overview page.
-- params: $year (INTEGER) the "this year" of the headline
-- returns: dead_and_missing BIGINT, incidents BIGINT, first_date DATE, last_date DATE,
--          dead_and_missing_year BIGINT,
--          unlocated_incidents BIGINT, unlocated_dead_and_missing BIGINT (incidents with no
--          usable position: in the totals, not on the map),
--          sites BIGINT, sites_open BIGINT, cities BIGINT, cifal_centres BIGINT,
--          cifal_active BIGINT
-- One aggregate per table (ten scalar subqueries spent ~20 ms in the optimiser).
WITH i AS (
    SELECT
        coalesce(sum(dead_and_missing), 0) AS dead_and_missing,
        count(*) AS incidents,
        min(incident_date) AS first_date,
        max(incident_date) AS last_date,
        coalesce(sum(dead_and_missing) FILTER (WHERE year = $year), 0) AS dead_and_missing_year,
        count(*) FILTER (WHERE lat IS NULL OR lon IS NULL) AS unlocated_incidents,
        coalesce(sum(dead_and_missing) FILTER (WHERE lat IS NULL OR lon IS NULL), 0)::BIGINT
            AS unlocated_dead_and_missing
    FROM incidents
),
s AS (SELECT count(*) AS sites, count(*) FILTER (WHERE is_open) AS sites_open FROM sites),
c AS (SELECT count(*) AS cities FROM cities),
f AS (SELECT count(*) AS cifal_centres, count(*) FILTER (WHERE active) AS cifal_active FROM cifal_centres)
SELECT
    i.dead_and_missing, i.incidents, i.first_date, i.last_date, i.dead_and_missing_year,
    i.unlocated_incidents, i.unlocated_dead_and_missing,
    s.sites, s.sites_open, c.cities, f.cifal_centres, f.cifal_active
FROM i, s, c, f
