-- Fast-growing arrival cities with no CIFAL centre within $radius_km: growth between two
-- WUP years of at least $min_growth_pct percent, the nearest centre with its distance, the
-- MMP dead and missing recorded within $near_km of the city and the nearest route corridor
-- with its distance. Distances are great-circle, rounded to whole km (half up), and
-- "within d km" means a rounded distance <= d, as the page shows them: a city 300.47 km
-- from its nearest centre (Aleppo) is within 300 km. Centre, corridor and incident
-- distances are computed at build (city_distances, city_corridors, city_incidents); all
-- three are joined to the fast-growing cities before the filters (one pass, no CTE read
-- three times).
-- params: $year_from INTEGER, $year_to INTEGER (1950, ..., 2035), $min_growth_pct DOUBLE,
--         $radius_km DOUBLE, $min_population BIGINT (population in $year_to),
--         $include_closed BOOLEAN (closed centres count as coverage),
--         $near_km INTEGER (0-500: the distance for the dead and missing),
--         $min_dead INTEGER (keep cities with at least this many dead and missing within
--         $near_km; 0 keeps all), $corridor_km INTEGER (keep cities within this distance of
--         a corridor's line; 0 keeps all)
-- returns: name VARCHAR, country VARCHAR, iso3 VARCHAR, lat DOUBLE, lon DOUBLE, pop_from BIGINT,
--          pop_to BIGINT, growth BIGINT, growth_pct DOUBLE, nearest_centre VARCHAR,
--          nearest_km DOUBLE (whole km), incidents BIGINT, dead BIGINT, missing BIGINT,
--          dead_and_missing BIGINT (MMP, within $near_km; minimum estimates),
--          nearest_corridor VARCHAR, corridor_km DOUBLE (whole km, to the corridor's line)
WITH grow AS (
    SELECT c.city_code, c.name, c.country, c.iso3, c.lat, c.lon,
           a.population AS pop_from, b.population AS pop_to,
           b.population - a.population AS growth,
           100.0 * (b.population - a.population) / a.population AS growth_pct
    FROM cities c
    JOIN city_population a ON a.city_code = c.city_code AND a.year = $year_from::INTEGER
    JOIN city_population b ON b.city_code = c.city_code AND b.year = $year_to::INTEGER
    WHERE a.population > 0
      AND b.population >= $min_population::BIGINT
      AND 100.0 * (b.population - a.population) / a.population >= $min_growth_pct::DOUBLE
),
near AS (
    SELECT d.city_code, arg_min(d.place, d.km) AS nearest_centre, round(min(d.km)) AS nearest_km
    FROM city_distances d
    JOIN cifal_centres f ON f.centre = d.place AND (f.active OR $include_closed::BOOLEAN)
    WHERE d.kind = 'centre' AND d.city_code IN (SELECT city_code FROM grow)
    GROUP BY d.city_code
),
deaths AS (
    SELECT city_code, sum(incidents) AS incidents, sum(dead) AS dead, sum(missing) AS missing,
           sum(dead_and_missing) AS dead_and_missing
    FROM city_incidents
    WHERE km <= $near_km::INTEGER AND city_code IN (SELECT city_code FROM grow)
    GROUP BY city_code
)
SELECT g.name, g.country, g.iso3, g.lat, g.lon, g.pop_from, g.pop_to, g.growth, g.growth_pct,
       n.nearest_centre, n.nearest_km,
       coalesce(x.incidents, 0)::BIGINT AS incidents,
       coalesce(x.dead, 0)::BIGINT AS dead,
       coalesce(x.missing, 0)::BIGINT AS missing,
       coalesce(x.dead_and_missing, 0)::BIGINT AS dead_and_missing,
       r.route AS nearest_corridor, round(r.km) AS corridor_km
FROM grow g
LEFT JOIN near n USING (city_code)
LEFT JOIN deaths x USING (city_code)
LEFT JOIN city_corridors r USING (city_code)
WHERE (n.nearest_km IS NULL OR n.nearest_km > $radius_km::DOUBLE)
  AND coalesce(x.dead_and_missing, 0) >= $min_dead::INTEGER
  AND ($corridor_km::INTEGER = 0 OR round(r.km) <= $corridor_km::INTEGER)
ORDER BY g.growth_pct DESC, g.name
