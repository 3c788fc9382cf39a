-- Countries of incident holding the most dead and missing among the filtered incidents,
-- with two label positions: Natural Earth's label point of the country (matched on its
-- name, long name or the name without a bracketed part, e.g. "Iran (Islamic Republic
-- of)"), and the centre of its located incidents weighted by dead and missing (at sea
-- for a crossing). For the place labels of PNG exports.
-- params: $date_from DATE, $date_to DATE, $regions VARCHAR[], $routes VARCHAR[],
--         $causes VARCHAR[], $types VARCHAR[], $limit INTEGER
-- returns: country VARCHAR (the short name of the matched country), dead_and_missing
--          BIGINT, label_lat DOUBLE, label_lon DOUBLE (null if unmatched), lat DOUBLE,
--          lon DOUBLE (null if none located)
WITH f AS (
    SELECT
        country,
        coalesce(sum(dead_and_missing), 0)::BIGINT AS dead_and_missing,
        sum(lat * greatest(dead_and_missing, 1)) FILTER (WHERE lat IS NOT NULL)
            / sum(greatest(dead_and_missing, 1)) FILTER (WHERE lat IS NOT NULL) AS lat,
        sum(lon * greatest(dead_and_missing, 1)) FILTER (WHERE lat IS NOT NULL)
            / sum(greatest(dead_and_missing, 1)) FILTER (WHERE lat IS NOT NULL) AS lon
    FROM filtered_incidents(
        $date_from::DATE, $date_to::DATE, $regions::VARCHAR[], $routes::VARCHAR[],
        $causes::VARCHAR[], $types::VARCHAR[]
    )
    WHERE country IS NOT NULL AND country <> ''
    GROUP BY country
)
SELECT
    coalesce(any_value(c.name), f.country) AS country,
    f.dead_and_missing,
    any_value(c.label_lat) AS label_lat,
    any_value(c.label_lon) AS label_lon,
    f.lat,
    f.lon
FROM f
LEFT JOIN countries AS c
    ON lower(f.country) IN (
        lower(c.name), lower(c.name_long), lower(trim(regexp_replace(c.name_long, '\s*\(.*\)', '')))
    )
    OR lower(trim(regexp_replace(f.country, '\s*\(.*\)', ''))) = lower(c.name)
GROUP BY f.country, f.dead_and_missing, f.lat, f.lon
ORDER BY f.dead_and_missing DESC, country
LIMIT $limit::INTEGER
