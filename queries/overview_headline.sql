-- Headline figures for the Overview page.
-- params: $year (INTEGER) the "this year" of the headline
-- returns: dead_and_missing BIGINT, incidents BIGINT, first_date DATE, last_date DATE,
--          dead_and_missing_year BIGINT, sites BIGINT, sites_open BIGINT,
--          cities BIGINT, cifal_centres BIGINT, cifal_active BIGINT
SELECT
    (SELECT coalesce(sum(dead_and_missing), 0) FROM incidents) AS dead_and_missing,
    (SELECT count(*) FROM incidents) AS incidents,
    (SELECT min(incident_date) FROM incidents) AS first_date,
    (SELECT max(incident_date) FROM incidents) AS last_date,
    (SELECT coalesce(sum(dead_and_missing), 0) FROM incidents WHERE year = $year) AS dead_and_missing_year,
    (SELECT count(*) FROM sites) AS sites,
    (SELECT count(*) FROM sites WHERE is_open) AS sites_open,
    (SELECT count(*) FROM cities) AS cities,
    (SELECT count(*) FROM cifal_centres) AS cifal_centres,
    (SELECT count(*) FROM cifal_centres WHERE active) AS cifal_active
