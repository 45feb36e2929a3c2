// question: gi-brands
// zh: 各地区规划培育的地理标志和品牌，及提到它们的原文句子。
// en: Geographical indications and brands by region, with the plan sentence that names them.
// param: region str optional — 只看这个地区（名称）only this region (its name)
// columns: region, kind, name, plan, evidence
MATCH (p:Plan)-[pr:PROMOTES]->(m)
WHERE m:Brand OR m:GeographicalIndication
MATCH (p)-[:GOVERNS]->(r:Region)
WHERE $region IS NULL OR r.name = $region
RETURN r.name AS region, labels(m)[0] AS kind, m.name AS name, p.name AS plan, pr.sentence AS evidence
ORDER BY region, kind, name
