-- The windows of days the incidents with only a year may lie in (their year within the
-- data's dates: date_lo to date_hi), for knowing whether a date range cuts one of them.
-- params: (none)
-- returns: date_lo DATE, date_hi DATE, incidents BIGINT
SELECT date_lo, date_hi, count(*) AS incidents
FROM incidents
WHERE incident_date IS NULL
GROUP BY date_lo, date_hi
ORDER BY date_lo
