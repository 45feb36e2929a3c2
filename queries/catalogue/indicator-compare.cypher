// question: indicator-compare
// zh: 同一指标在各规划中的基期值、目标值和增长倍数（如 每万人口发明专利拥有量）。
// en: One indicator concept across plans: region, plan, baseline (year), target (year), unit and growth ratio.
// param: indicator str default=每万人口发明专利拥有量 — 指标概念 indicator concept (每万人/万人 forms are one concept)
// columns: region, plan, printed_as, baseline, baseline_year, target, target_year, unit, growth
MATCH (p:Plan)-[:SETS_TARGET]->(t:Target)-[:MEASURES]->(:Indicator {id: $indicator})
OPTIONAL MATCH (p)-[:GOVERNS]->(r:Region)
RETURN r.name AS region, p.name AS plan, t.name AS printed_as, t.baseline AS baseline,
       t.baseline_year AS baseline_year, t.target AS target, t.target_year AS target_year, t.unit AS unit,
       CASE WHEN t.baseline IS NULL OR t.baseline = 0 OR t.target IS NULL THEN NULL
            ELSE round(1000.0 * t.target / t.baseline) / 1000.0 END AS growth
ORDER BY region, plan
