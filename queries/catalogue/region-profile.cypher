// question: region-profile
// zh: 某地区的概况：规划、重点产业、品牌、地理标志、指标目标（含目标年份）、承担任务最多的部门；按类别、名称排序。
// en: A region's profile: its plans, focus industries, brands, geographical indications, indicator targets (with their year), and departments by tasks owned; ordered by kind and name.
// param: region str required — 地区名称或代码 region name or GB/T 2260 code, e.g. 璧山区 or 500120
// example: region=璧山区
// columns: kind, item, value, unit, year
// the branches inside one CALL, so the union is ordered as a whole
CALL {
  MATCH (r:Region) WHERE r.name = $region OR r.code = $region
  MATCH (p:Plan)-[:GOVERNS]->(r)
  RETURN 'plan' AS kind, p.name AS item, null AS value, null AS unit, null AS year
  UNION
  MATCH (r:Region) WHERE r.name = $region OR r.code = $region
  MATCH (p:Plan)-[:GOVERNS]->(r) MATCH (p)-[:PRIORITIZES]->(i:Industry)
  RETURN 'industry' AS kind, i.name AS item, null AS value, null AS unit, null AS year
  UNION
  MATCH (r:Region) WHERE r.name = $region OR r.code = $region
  MATCH (p:Plan)-[:GOVERNS]->(r) MATCH (p)-[:PROMOTES]->(m:Brand)
  RETURN 'brand' AS kind, m.name AS item, null AS value, null AS unit, null AS year
  UNION
  MATCH (r:Region) WHERE r.name = $region OR r.code = $region
  MATCH (p:Plan)-[:GOVERNS]->(r) MATCH (p)-[:PROMOTES]->(m:GeographicalIndication)
  RETURN 'geographical_indication' AS kind, m.name AS item, null AS value, null AS unit, null AS year
  UNION
  MATCH (r:Region) WHERE r.name = $region OR r.code = $region
  MATCH (p:Plan)-[:GOVERNS]->(r) MATCH (p)-[:SETS_TARGET]->(t:Target)-[:MEASURES]->(ind:Indicator)
  RETURN 'target' AS kind, ind.name AS item, t.target AS value, t.unit AS unit, t.target_year AS year
  UNION
  MATCH (r:Region) WHERE r.name = $region OR r.code = $region
  MATCH (p:Plan)-[:GOVERNS]->(r) MATCH (p)-[:HAS_TASK]->(t:Task)<-[:RESPONSIBLE_FOR]-(d:Department)
  RETURN 'department' AS kind, d.qualified_name AS item, count(DISTINCT t) AS value, 'tasks' AS unit, null AS year
}
RETURN kind, item, value, unit, year
ORDER BY kind, item, coalesce(year, 0), coalesce(value, -1), coalesce(unit, '')
