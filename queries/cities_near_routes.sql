-- For each route corridor's destination end, the k nearest WUP cities (great-circle
-- distance from city_distances, computed at build) with their population in a year.
-- arg_min(..., k) keeps the k nearest per destination from (destination, city, km) rows
-- alone; names and populations are joined to those (a window carrying every pair's texts
-- took 23 ms, this 9 ms). No two WUP cities share a position, so there are no ties.
-- params: $k INTEGER (cities per destination), $year INTEGER (1950, ..., 2035)
-- returns: route VARCHAR, destination_label VARCHAR, dest_lat DOUBLE, dest_lon DOUBLE,
--          rank BIGINT (1 = nearest), name VARCHAR, country VARCHAR, lat DOUBLE, lon DOUBLE,
--          population BIGINT, distance_km DOUBLE
WITH nearest AS (
    SELECT place AS route,
           arg_min({'city_code': city_code, 'distance_km': km}, km, $k::INTEGER) AS top
    FROM city_distances
    WHERE kind = 'destination'
    GROUP BY place
),
ranked AS (
    SELECT route,
           unnest(top).city_code AS city_code,
           unnest(top).distance_km AS distance_km,
           unnest(range(1, len(top) + 1)) AS rank
    FROM nearest
)
SELECT x.route, r.destination_label, r.dest_lat, r.dest_lon, x.rank,
       c.name, c.country, c.lat, c.lon, p.population, x.distance_km
FROM ranked x
JOIN route_corridors r USING (route)
JOIN cities c USING (city_code)
JOIN city_population p ON p.city_code = x.city_code AND p.year = $year::INTEGER
ORDER BY x.route, x.rank
