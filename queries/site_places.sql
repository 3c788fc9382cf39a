-- Countries holding the most filtered sites, with two label positions: Natural Earth's
-- label point of the country, and the mean position of its located sites (rounded to
-- $step degrees, as the map shows them). For the place labels of PNG exports.
-- params: $site_types VARCHAR[], $status VARCHAR ('all' | 'open' | 'closed'),
--         $countries VARCHAR[] (ISO3), $datasets VARCHAR[], $step DOUBLE, $limit INTEGER
-- returns: iso3 VARCHAR, country VARCHAR, sites BIGINT, label_lat DOUBLE, label_lon DOUBLE
--          (null without a country shape), lat DOUBLE, lon DOUBLE (null if none located)
SELECT
    s.iso3,
    coalesce(any_value(c.name), mode(s.country), s.iso3) AS country,
    count(*) AS sites,
    any_value(c.label_lat) AS label_lat,
    any_value(c.label_lon) AS label_lon,
    round(avg(s.lat) / $step::DOUBLE) * $step::DOUBLE AS lat,
    round(avg(s.lon) / $step::DOUBLE) * $step::DOUBLE AS lon
FROM filtered_sites($site_types::VARCHAR[], $status::VARCHAR, $countries::VARCHAR[], $datasets::VARCHAR[]) AS s
LEFT JOIN countries AS c ON c.iso3 = s.iso3
WHERE s.iso3 IS NOT NULL
GROUP BY s.iso3
ORDER BY sites DESC, country
LIMIT $limit::INTEGER
