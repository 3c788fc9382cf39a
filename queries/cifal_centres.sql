-- CIFAL centres with their facts and sources.
-- returns: centre VARCHAR, city VARCHAR, country VARCHAR, iso3 VARCHAR, region VARCHAR,
--          host VARCHAR, status VARCHAR, active BOOLEAN, source_url VARCHAR,
--          source_date DATE, lat DOUBLE, lon DOUBLE, coord_source VARCHAR, notes VARCHAR
SELECT centre, city, country, iso3, region, host, status, active, source_url, source_date,
       lat, lon, coord_source, notes
FROM cifal_centres
ORDER BY region, country, centre
