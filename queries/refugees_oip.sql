-- "Other people in need of international protection" (UNHCR's oip: people outside their
-- country who need protection but are not counted as refugees or asylum-seekers, mostly
-- Venezuelans since 2018) at the end of a year: the people that refugees_by_asylum leaves
-- out, and the country of asylum hosting most of them.
-- params: $year INTEGER (UNHCR years, up to 2025)
-- returns: oip BIGINT, countries BIGINT (countries of asylum with oip > 0),
--          top_asylum_name VARCHAR, top_oip BIGINT
WITH per AS (
    SELECT asylum_iso3, any_value(asylum_name) AS asylum_name,
           coalesce(sum(oip), 0)::BIGINT AS oip
    FROM refugee_population
    WHERE year = $year::INTEGER
    GROUP BY asylum_iso3
)
SELECT coalesce(sum(oip), 0)::BIGINT AS oip,
       count(*) FILTER (WHERE oip > 0) AS countries,
       arg_max(asylum_name, oip) FILTER (WHERE oip > 0) AS top_asylum_name,
       coalesce(max(oip), 0)::BIGINT AS top_oip
FROM per
