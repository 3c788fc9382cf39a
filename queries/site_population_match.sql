-- How many UNHCR end-2025 camp populations (acc_type P/S) joined a register site by name.
-- params: (none)
-- returns: camps BIGINT, camps_joined BIGINT, people BIGINT, people_joined BIGINT
SELECT
    count(*) AS camps,
    count(matched_site_id) AS camps_joined,
    coalesce(sum(total), 0)::BIGINT AS people,
    coalesce(sum(total) FILTER (WHERE matched_site_id IS NOT NULL), 0)::BIGINT AS people_joined
FROM site_populations_2025
