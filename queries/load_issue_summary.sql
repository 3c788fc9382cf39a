-- Rejected, repaired and unlocated rows grouped by dataset, file and reason.
-- returns: dataset VARCHAR, file VARCHAR, action VARCHAR, reason VARCHAR, rows BIGINT,
--          example_row INTEGER
SELECT dataset, file, action, reason, count(*) AS rows, min(row) AS example_row
FROM load_issues
GROUP BY dataset, file, action, reason
ORDER BY rows DESC, dataset, reason
