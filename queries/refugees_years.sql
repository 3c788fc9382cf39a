-- The years covered by the UNHCR population statistics.
-- returns: first_year INTEGER, last_year INTEGER
SELECT min(year) AS first_year, max(year) AS last_year FROM refugee_population
