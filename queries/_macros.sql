-- Macros created in the database at build time (run by geo.build, not by run_query).
-- They hold the filter rules shared by several queries, so that every query applies
-- the same definition of "the filtered incidents".

-- Great-circle distance in kilometres (haversine, mean Earth radius 6371 km).
CREATE MACRO haversine_km(lat1, lon1, lat2, lon2) AS
    2 * 6371.0 * asin(sqrt(
        pow(sin(radians(lat2 - lat1) / 2), 2)
        + cos(radians(lat1)) * cos(radians(lat2)) * pow(sin(radians(lon2 - lon1) / 2), 2)
    ));

-- The incidents that pass the Deadly routes filters. Empty lists mean "all".
-- Undated incidents (13 in the export) pass when their year lies in the range.
CREATE MACRO filtered_incidents(date_from, date_to, regions, routes, causes, types) AS TABLE
    SELECT *
    FROM incidents
    WHERE (
            incident_date BETWEEN date_from AND date_to
            OR (incident_date IS NULL AND year BETWEEN year(date_from) AND year(date_to))
        )
        AND (len(regions) = 0 OR list_has_any(incidents.regions, regions))
        AND (len(routes) = 0 OR list_has_any(incidents.routes, routes))
        AND (len(causes) = 0 OR list_has_any(incidents.causes, causes))
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
