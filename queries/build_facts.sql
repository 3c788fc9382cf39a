-- Facts about the build (time, sources folder, versions, join rates).
-- returns: key VARCHAR, value VARCHAR
SELECT key, value FROM build_info ORDER BY key
