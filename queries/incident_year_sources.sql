-- Which MMP publication each year's incidents come from (the later publication of the
-- year wins), with the ids only the earlier publication holds, for the Data page and
-- the build report.
-- returns: year INTEGER, origin VARCHAR, files VARCHAR, published_to DATE,
--          other_published_to DATE, incidents INTEGER, dead_and_missing BIGINT,
--          superseded_ids INTEGER, superseded_dead_and_missing BIGINT
SELECT
    year,
    origin,
    array_to_string(files, ', ') AS files,
    published_to,
    other_published_to,
    incidents,
    dead_and_missing,
    superseded_ids,
    superseded_dead_and_missing
FROM incident_year_sources
ORDER BY year
