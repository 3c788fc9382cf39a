-- Rows of each table a page needs, so a page can say which dataset is missing instead
-- of failing on an empty table.
-- returns: incidents BIGINT, sites BIGINT, cities BIGINT, cifal_centres BIGINT,
--          countries BIGINT, refugee_population BIGINT
SELECT
    (SELECT count(*) FROM incidents) AS incidents,
    (SELECT count(*) FROM sites) AS sites,
    (SELECT count(*) FROM cities) AS cities,
    (SELECT count(*) FROM cifal_centres) AS cifal_centres,
    (SELECT count(*) FROM countries) AS countries,
    (SELECT count(*) FROM refugee_population) AS refugee_population
