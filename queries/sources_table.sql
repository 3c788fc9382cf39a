-- Provenance of every loaded file, for the Data and sources page.
-- returns: dataset VARCHAR, title VARCHAR, publisher VARCHAR, file VARCHAR, sha256 VARCHAR,
--          bytes BIGINT, vintage VARCHAR, licence VARCHAR, citation VARCHAR, url VARCHAR,
--          tables VARCHAR, rows_loaded INTEGER, rows_rejected INTEGER, caveat VARCHAR
SELECT dataset, title, publisher, file, sha256, bytes, vintage, licence, citation, url,
       tables, rows_loaded, rows_rejected, caveat
FROM sources
ORDER BY dataset, file
