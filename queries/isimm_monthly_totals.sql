-- NW Syria IDP sites (CCCM Cluster ISIMM) month by month: sites reported and people on
-- them. Every month from the first to the last is listed; months with no file in the
-- source repository have NULL sites and individuals (gaps, not zeros).
-- params: (none)
-- returns: month DATE, sites BIGINT, individuals BIGINT, reported BOOLEAN
WITH m AS (
    SELECT month, count(*) AS sites, sum(individuals)::BIGINT AS individuals
    FROM isimm_site_months
    GROUP BY month
),
span AS (
    SELECT unnest(generate_series(min(month), max(month), INTERVAL 1 MONTH))::DATE AS month
    FROM m
)
SELECT span.month, m.sites, m.individuals, m.month IS NOT NULL AS reported
FROM span
LEFT JOIN m ON m.month = span.month
ORDER BY span.month
