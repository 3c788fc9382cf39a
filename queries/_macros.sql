-- Macros created in the database at build time (run by geo.build, not by run_query).
-- They hold the filter rules shared by several queries, so that every query applies
-- the same definition of "the filtered incidents".

-- Great-circle distance in kilometres (haversine, mean Earth radius 6371 km).
-- Squares are written as products: pow() made 57,660 distances take 6.8 ms, not 4.3 ms.
CREATE MACRO haversine_km(lat1, lon1, lat2, lon2) AS
    2 * 6371.0 * asin(sqrt(
        sin(radians(lat2 - lat1) / 2) * sin(radians(lat2 - lat1) / 2)
        + cos(radians(lat1)) * cos(radians(lat2))
            * sin(radians(lon2 - lon1) / 2) * sin(radians(lon2 - lon1) / 2)
    ));

-- Whether an incident is one of IOM's "Cumulative Incident" rows: a tally of many deaths
-- over a period (e.g. 2014.MMP00259: 750 people over all of 2014), not a single event,
-- so that a yearly tally is never ranked or read as a shipwreck. The type can be a
-- comma-joined list ("Incident,Split Incident"): match the word; no type is no tally.
CREATE MACRO is_cumulative(incident_type) AS coalesce(incident_type ILIKE '%cumulative%', false);

-- region_passes, route_passes and cause_passes(bits, have, wanted): whether an
-- incident's list (as its mask `bits`, and as text `have`) holds any of the `wanted`
-- values. They are written by geo.build after the incidents load, with the values of
-- incident_codes as constants, so the mask of a bound parameter is a constant the scan
-- filters on. (A subquery on incident_codes made DuckDB carry every column to a cross
-- product: 66 ms against 6 ms for the deadliest-incidents query at 100x.)

-- The incidents that pass the Deadly routes filters. Empty lists mean "all".
-- An incident passes the dates when every day it may lie in is in the range: its date,
-- or, when it has only a year, its whole year within the data's dates
-- (date_lo to date_hi, see _incident_codes.sql). So June 2020 leaves out the incidents
-- known only to be of 2020, and all of 2020 counts them (undated_cut says how many).
CREATE MACRO filtered_incidents(date_from, date_to, regions, routes, causes, types) AS TABLE
    SELECT *
    FROM incidents
    WHERE date_lo >= date_from
        AND date_hi <= date_to
        AND region_passes(region_bits, incidents.regions, regions)
        AND route_passes(route_bits, incidents.routes, routes)
        AND cause_passes(cause_bits, incidents.causes, causes)
        AND (len(types) = 0 OR list_contains(types, incident_type));

-- The incidents with only a year that the date range cuts: their year overlaps it but
-- is not wholly in it, so filtered_incidents leaves them out. The other filters as there.
CREATE MACRO undated_cut(date_from, date_to, regions, routes, causes, types) AS TABLE
    SELECT *
    FROM incidents
    WHERE incident_date IS NULL
        AND date_hi >= date_from
        AND date_lo <= date_to
        AND NOT (date_lo >= date_from AND date_hi <= date_to)
        AND region_passes(region_bits, incidents.regions, regions)
        AND route_passes(route_bits, incidents.routes, routes)
        AND cause_passes(cause_bits, incidents.causes, causes)
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
