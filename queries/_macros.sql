-- Macros created in the database at build time (run by geo.build, not by run_query).
-- They hold the filter rules shared by several queries, so that every query applies
-- the same definition of "the filtered incidents".

-- Great-circle distance in kilometres (haversine, mean Earth radius 6371 km).
CREATE MACRO haversine_km(lat1, lon1, lat2, lon2) AS
    2 * 6371.0 * asin(sqrt(
        pow(sin(radians(lat2 - lat1) / 2), 2)
        + cos(radians(lat1)) * cos(radians(lat2)) * pow(sin(radians(lon2 - lon1) / 2), 2)
    ));

-- region_mask(wanted), route_mask(wanted) and cause_mask(wanted) give the bit mask of a
-- list of values. They are written by geo.build after the incidents load, with the
-- codes of incident_codes as constants: a mask of a bound parameter is then a constant
-- the scan filters on (a subquery on incident_codes made DuckDB carry every column to a
-- cross product: 66 ms against 6 ms for the deadliest-incidents query at 100x).

-- Whether an incident's list (as its mask `bits`, and as text `have`) holds any of the
-- `wanted` values, whose mask is `mask`. The text list is only read for values coded on
-- the shared overflow bit 62 (none in the current data).
CREATE MACRO list_passes(bits, have, mask, wanted) AS
    len(wanted) = 0
    OR ((bits & mask) <> 0 AND ((mask & (1::BIGINT << 62)) = 0 OR list_has_any(have, wanted)));

-- The incidents that pass the Deadly routes filters. Empty lists mean "all".
-- Undated incidents (13 in the export) pass when their year lies in the range: their
-- date_lo and date_hi are 1 January and 31 December of that year (see _incident_codes.sql).
CREATE MACRO filtered_incidents(date_from, date_to, regions, routes, causes, types) AS TABLE
    SELECT *
    FROM incidents
    WHERE date_hi >= date_from
        AND date_lo <= date_to
        AND list_passes(region_bits, incidents.regions, region_mask(regions), regions)
        AND list_passes(route_bits, incidents.routes, route_mask(routes), routes)
        AND list_passes(cause_bits, incidents.causes, cause_mask(causes), causes)
        AND (len(types) = 0 OR list_contains(types, incident_type));

-- The sites that pass the Camps and sites filters. Empty lists mean "all";
-- status is 'all', 'open' or 'closed'.
CREATE MACRO filtered_sites(site_types, status, countries, datasets) AS TABLE
    SELECT *
    FROM sites
    WHERE (len(site_types) = 0 OR list_contains(site_types, site_type))
        AND (status = 'all' OR (status = 'open') = is_open)
        AND (len(countries) = 0 OR list_contains(countries, iso3))
        AND (len(datasets) = 0 OR list_contains(datasets, dataset));
