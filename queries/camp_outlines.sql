-- Cox's Bazar Rohingya camp outlines (RRRC/ISCG) with their attributes.
-- params: (none)
-- returns: ssid VARCHAR, name VARCHAR, upazila VARCHAR, union_name VARCHAR,
--          area_km2 DOUBLE, lat DOUBLE, lon DOUBLE, geometry VARCHAR (GeoJSON)
SELECT ssid, name, upazila, union_name, area_km2, lat, lon, geometry
FROM camp_outlines
ORDER BY ssid
