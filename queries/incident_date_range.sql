-- First and last incident dates, for the date filter's bounds.
-- returns: first_date DATE, last_date DATE
SELECT min(incident_date) AS first_date, max(incident_date) AS last_date FROM incidents
