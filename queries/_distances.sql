-- Build step (run by geo.build after every dataset has loaded and the macros exist; not
-- by run_query). Distances from the fixed places (CIFAL centres, route-corridor
-- destination ends) to every WUP city, stored once: 34 x 1,860 and 31 x 1,860 pairs;
-- the corridor nearest to each city (city_corridors) and the dead and missing recorded
-- near each city (city_incidents). Computing them in each query cost 5-10 ms per query
-- on the CIFAL page (about 1 s for the incidents).
INSERT INTO city_distances
SELECT 'centre', f.centre, c.city_code, haversine_km(f.lat, f.lon, c.lat, c.lon)
FROM cifal_centres f
CROSS JOIN cities c
WHERE f.lat IS NOT NULL AND f.lon IS NOT NULL AND c.lat IS NOT NULL AND c.lon IS NOT NULL;

INSERT INTO city_distances
SELECT 'destination', r.route, c.city_code, haversine_km(r.dest_lat, r.dest_lon, c.lat, c.lon)
FROM route_corridors r
CROSS JOIN cities c
WHERE r.dest_lat IS NOT NULL AND r.dest_lon IS NOT NULL AND c.lat IS NOT NULL AND c.lon IS NOT NULL;

-- The route corridor nearest to every WUP city (table city_corridors), by the distance
-- to the line itself (its segments taken as great-circle arcs), not to its vertices
-- only: corridors are schematic, with a vertex every few hundred km, so a vertex
-- distance would overstate it. Per segment A-B and city P (angles in radians, bearings
-- b, R = 6371 km): the cross-track distance xt = asin(sin d_AP sin(b_AP - b_AB)), as
-- R |xt|, when P's foot falls on the segment (ahead of A, along-track distance
-- acos(cos d_AP / cos xt) at most d_AB); else the nearer end.
INSERT INTO city_corridors
WITH points AS (
    SELECT route, unnest(generate_series(1, len(coords))) AS i, coords
    FROM (
        SELECT route, json_extract(geometry, '$.coordinates')::DOUBLE[][] AS coords
        FROM route_corridors
        WHERE geometry IS NOT NULL
    )
),
segments AS (
    -- GeoJSON positions are [lon, lat]
    SELECT route, coords[i][2] AS lat1, coords[i][1] AS lon1,
           coords[i + 1][2] AS lat2, coords[i + 1][1] AS lon2
    FROM points
    WHERE i < len(coords)
),
pairs AS (
    SELECT s.route, c.city_code,
           haversine_km(s.lat1, s.lon1, c.lat, c.lon) AS d_a,
           haversine_km(s.lat2, s.lon2, c.lat, c.lon) AS d_b,
           haversine_km(s.lat1, s.lon1, s.lat2, s.lon2) / 6371.0 AS d12,
           atan2(sin(radians(s.lon2 - s.lon1)) * cos(radians(s.lat2)),
                 cos(radians(s.lat1)) * sin(radians(s.lat2))
                 - sin(radians(s.lat1)) * cos(radians(s.lat2)) * cos(radians(s.lon2 - s.lon1)))
               AS b12,
           atan2(sin(radians(c.lon - s.lon1)) * cos(radians(c.lat)),
                 cos(radians(s.lat1)) * sin(radians(c.lat))
                 - sin(radians(s.lat1)) * cos(radians(c.lat)) * cos(radians(c.lon - s.lon1)))
               AS b13
    FROM segments s
    CROSS JOIN cities c
    WHERE c.lat IS NOT NULL AND c.lon IS NOT NULL
),
cross_track AS (
    SELECT *, d_a / 6371.0 AS d13, asin(sin(d_a / 6371.0) * sin(b13 - b12)) AS xt FROM pairs
),
per_route AS (
    SELECT route, city_code,
           min(CASE WHEN cos(b13 - b12) > 0 AND acos(least(1.0, cos(d13) / cos(xt))) <= d12
                    THEN least(abs(xt) * 6371.0, d_a, d_b)
                    ELSE least(d_a, d_b) END) AS km
    FROM cross_track
    GROUP BY route, city_code
)
SELECT city_code, arg_min(route, km), min(km)
FROM per_route
GROUP BY city_code
ORDER BY city_code;

-- Dead and missing near every WUP city: MMP incidents grouped by their exact position
-- (13,826 places for 20,044 incidents), then, per city, summed by whole kilometre of
-- great-circle distance (rounded half up, as the pages show and compare distances) up
-- to 500 km. A query sums the rows with km <= its distance: 65,000 rows instead of
-- 1,860 x 13,826 haversines. Only places within 4.6 degrees of latitude (511 km) and
-- the matching longitude band are measured; 500 km is at most 4.5 degrees of arc.
INSERT INTO city_incidents
WITH places AS (
    SELECT lat, lon, count(*) AS incidents, sum(dead) AS dead, sum(missing) AS missing,
           sum(dead_and_missing) AS dead_and_missing
    FROM incidents
    WHERE lat IS NOT NULL AND lon IS NOT NULL
    GROUP BY lat, lon
),
towns AS (
    SELECT city_code, lat, lon, 4.6 / cos(radians(least(89.0, abs(lat) + 4.6))) AS dlon
    FROM cities
    WHERE lat IS NOT NULL AND lon IS NOT NULL
),
pairs AS (
    SELECT c.city_code, round(haversine_km(c.lat, c.lon, p.lat, p.lon)) AS km,
           p.incidents, p.dead, p.missing, p.dead_and_missing
    FROM towns c
    JOIN places p ON p.lat BETWEEN c.lat - 4.6 AND c.lat + 4.6
    WHERE abs(p.lon - c.lon) <= c.dlon OR abs(p.lon - c.lon) >= 360 - c.dlon
)
SELECT city_code, km::SMALLINT, sum(incidents), sum(dead), sum(missing), sum(dead_and_missing)
FROM pairs
WHERE km <= 500
GROUP BY city_code, km
ORDER BY city_code, km
