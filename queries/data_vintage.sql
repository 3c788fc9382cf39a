-- One line per dataset: its vintage and when the database was built.
-- returns: dataset VARCHAR, title VARCHAR, vintage VARCHAR, files BIGINT, built_at VARCHAR
SELECT
    dataset,
    any_value(title) AS title,
    any_value(vintage) AS vintage,
    count(*) AS files,
    (SELECT value FROM build_info WHERE key = 'built_at') AS built_at
FROM sources
GROUP BY dataset
ORDER BY dataset
