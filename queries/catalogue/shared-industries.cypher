// question: shared-industries
// zh: 被至少 N 个规划列为重点的产业，及这些规划。
// en: Industries prioritised by at least N plans, with the plans.
// param: min_plans int default=2 — 至少几个规划 minimum number of plans
// columns: industry, plans, plan
MATCH (p:Plan)-[:PRIORITIZES]->(i:Industry)
WITH i, collect(DISTINCT p.name) AS names
WHERE size(names) >= $min_plans
UNWIND names AS plan
RETURN i.name AS industry, size(names) AS plans, plan
ORDER BY plans DESC, industry, plan
