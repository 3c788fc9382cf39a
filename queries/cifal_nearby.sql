-- Every arrival city (WUP, population >= $min_population in $year) and route destination
-- end within $radius_km of a CIFAL centre, one row per (centre, place), nearest first.
-- Distances are great-circle in whole km (rounded half up), as shown: within means
-- distance_km <= $radius_km.
-- params: $radius_km DOUBLE, $year INTEGER (1950, ..., 2035), $min_population BIGINT
-- returns: centre VARCHAR, active BOOLEAN, kind VARCHAR ('arrival city' or 'route destination'),
--          place VARCHAR, country VARCHAR, population BIGINT (NULL for destinations),
--          lat DOUBLE, lon DOUBLE, distance_km DOUBLE (whole km)
WITH arrival AS (
    -- centre-to-city distances from city_distances (computed at build)
    SELECT f.centre, f.active, ci.name AS place, ci.country, p.population, ci.lat, ci.lon,
           round(d.km) AS distance_km
    FROM city_distances d
    JOIN cifal_centres f ON f.centre = d.place
    JOIN cities ci ON ci.city_code = d.city_code
    JOIN city_population p ON p.city_code = d.city_code AND p.year = $year::INTEGER
    WHERE d.kind = 'centre' AND round(d.km) <= $radius_km::DOUBLE
        AND p.population >= $min_population::BIGINT
),
destinations AS (
    SELECT f.centre, f.active, r.destination_label || ' (' || r.route || ')' AS place,
           r.dest_lat AS lat, r.dest_lon AS lon,
           round(haversine_km(f.lat, f.lon, r.dest_lat, r.dest_lon)) AS distance_km
    FROM cifal_centres f
    CROSS JOIN route_corridors r
    WHERE r.dest_lat IS NOT NULL
)
SELECT centre, active, 'arrival city' AS kind, place, country, population, lat, lon, distance_km
FROM arrival
WHERE distance_km <= $radius_km::DOUBLE
UNION ALL
SELECT centre, active, 'route destination', place, NULL, NULL, lat, lon, distance_km
FROM destinations
WHERE distance_km <= $radius_km::DOUBLE
ORDER BY centre, kind, distance_km
