-- The choices of the Deadly routes filters: every region, route, cause of death and
-- incident type that occurs in the incidents, with how many incidents carry it.
-- params: (none)
-- returns: kind VARCHAR ('region' | 'route' | 'cause' | 'type'), value VARCHAR,
--          incidents BIGINT
SELECT kind, value, count(*) AS incidents
FROM (
    SELECT 'region' AS kind, unnest(regions) AS value FROM incidents
    UNION ALL
    SELECT 'route', route FROM incident_routes
    UNION ALL
    SELECT 'cause', unnest(causes) FROM incidents
    UNION ALL
    SELECT 'type', incident_type FROM incidents
)
WHERE value IS NOT NULL AND value <> ''
GROUP BY kind, value
ORDER BY kind, incidents DESC, value
