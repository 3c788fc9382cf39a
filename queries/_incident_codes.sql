-- Build step (run by geo.loaders.mmp after the incidents are inserted, not by run_query).
-- Derives the columns the Deadly routes filters test, so that a filter compares integers
-- instead of scanning text lists: at 100x the real size, list_has_any over `routes` took
-- 44 ms per query and the mask test 4.5 ms (benchmarks, EXPLAIN ANALYZE).

-- One code per region, route and cause, the most frequent first, and its bit. A kind
-- with more than 63 values (none in the current data) gets no bits: geo.build then
-- writes that kind's filter on the text list, so it stays exact, only slower.
INSERT INTO incident_codes
SELECT
    kind, value, incidents, code::SMALLINT,
    CASE WHEN count(*) OVER (PARTITION BY kind) <= 63 THEN 1::BIGINT << code::BIGINT END
FROM (
    SELECT kind, value, count(*) AS incidents,
           row_number() OVER (PARTITION BY kind ORDER BY count(*) DESC, value) - 1 AS code
    FROM (
        SELECT 'region' AS kind, unnest(regions) AS value FROM incidents
        UNION ALL
        SELECT 'route', unnest(routes) FROM incidents
        UNION ALL
        SELECT 'cause', unnest(causes) FROM incidents
    )
    WHERE value IS NOT NULL
    GROUP BY kind, value
);

-- Each incident's lists as masks, and the window of days it may lie in: its date, or,
-- when it has only a year, that year within the data's first and last dates (so a
-- date filter from the first to the last date covers every incident).
CREATE TEMP TABLE _incident_masks AS
SELECT
    i.incident_id,
    coalesce(bit_or(c.bit) FILTER (WHERE c.kind = 'region'), 0) AS region_bits,
    coalesce(bit_or(c.bit) FILTER (WHERE c.kind = 'route'), 0) AS route_bits,
    coalesce(bit_or(c.bit) FILTER (WHERE c.kind = 'cause'), 0) AS cause_bits
FROM incidents i
LEFT JOIN incident_codes c
    ON (c.kind = 'region' AND list_contains(i.regions, c.value))
    OR (c.kind = 'route' AND list_contains(i.routes, c.value))
    OR (c.kind = 'cause' AND list_contains(i.causes, c.value))
GROUP BY i.incident_id;

UPDATE incidents AS i
SET
    date_lo = coalesce(
        i.incident_date,
        greatest(make_date(i.year, 1, 1), (SELECT min(incident_date) FROM incidents))
    ),
    date_hi = coalesce(
        i.incident_date,
        least(make_date(i.year, 12, 31), (SELECT max(incident_date) FROM incidents))
    ),
    region_bits = m.region_bits,
    route_bits = m.route_bits,
    cause_bits = m.cause_bits,
    main_route = (
        SELECT c.code FROM incident_codes c WHERE c.kind = 'route' AND c.value = i.routes[1]
    )
FROM _incident_masks m
WHERE m.incident_id = i.incident_id;

DROP TABLE _incident_masks;
