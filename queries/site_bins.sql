-- Filtered sites with a position, aggregated on a square grid of $cell degrees, the NW
-- Syria ISIMM sites (approximate positions, their own map layer) apart from the others;
-- each bin sits at the mean position of its sites; top_type is its commonest site type
-- (a tie: the first alphabetically).
-- params: $site_types VARCHAR[], $status VARCHAR ('all' | 'open' | 'closed'),
--         $countries VARCHAR[] (ISO3), $datasets VARCHAR[], $cell DOUBLE
-- returns: isimm BOOLEAN, lat DOUBLE, lon DOUBLE, sites BIGINT, open_sites BIGINT,
--          people_2025 BIGINT, people_isimm BIGINT, top_type VARCHAR, countries BIGINT
WITH f AS (
    SELECT *, dataset = 'isimm' AS isimm, floor(lat / $cell::DOUBLE) AS gy,
           floor(lon / $cell::DOUBLE) AS gx
    FROM filtered_sites($site_types::VARCHAR[], $status::VARCHAR, $countries::VARCHAR[], $datasets::VARCHAR[])
    WHERE lat IS NOT NULL
),
bins AS (
    SELECT
        isimm, gy, gx,
        avg(lat) AS lat,
        avg(lon) AS lon,
        count(*) AS sites,
        count(*) FILTER (WHERE is_open) AS open_sites,
        sum(population_2025) AS people_2025,
        sum(individuals) AS people_isimm,
        count(DISTINCT iso3) AS countries
    FROM f
    GROUP BY isimm, gy, gx
),
-- the commonest site type of each cell; a tie goes to the first in alphabetical order,
-- so a cell says the same on every run (mode() picked either, run to run)
type_counts AS (
    SELECT isimm, gy, gx, site_type, count(*) AS n
    FROM f
    WHERE site_type IS NOT NULL
    GROUP BY isimm, gy, gx, site_type
),
tops AS (
    SELECT isimm, gy, gx, first(site_type ORDER BY n DESC, site_type) AS top_type
    FROM type_counts
    GROUP BY isimm, gy, gx
)
SELECT b.isimm, b.lat, b.lon, b.sites, b.open_sites, b.people_2025, b.people_isimm,
       t.top_type, b.countries
FROM bins b
LEFT JOIN tops t USING (isimm, gy, gx)
ORDER BY b.isimm, b.sites DESC, b.lat, b.lon
