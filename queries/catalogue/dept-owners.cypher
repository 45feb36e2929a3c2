// question: dept-owners
// zh: 各地区哪些部门负责某产业（可选主题：保护/创造/运用/管理/服务）的工作？产业按分类体系向下包含（问“战略性新兴产业”也包括“新材料”）。
// en: Which departments own work on INDUSTRY (and optionally THEME) in each region? Taxonomy-aware: an industry includes the industries below it.
// param: industry str required — 产业名称 industry name, e.g. 新材料
// param: theme str optional — 主题 theme word in the task's title or section path: 保护/创造/运用/管理/服务
// example: industry=新材料
// columns: region, plan, task, department, function, explicit, evidence
MATCH (target:Industry {name: $industry})
MATCH (i:Industry)-[:BROADER*0..]->(target)
MATCH (t:Task)-[:CONCERNS]->(i)
WHERE $theme IS NULL OR t.name CONTAINS $theme OR t.section_path CONTAINS $theme
MATCH (p:Plan)-[:HAS_TASK]->(t)
MATCH (d:Department)-[r:RESPONSIBLE_FOR]->(t)
OPTIONAL MATCH (p)-[:GOVERNS]->(reg:Region)
RETURN DISTINCT reg.name AS region, p.name AS plan, t.name AS task, d.qualified_name AS department,
       d.function_type AS function, r.explicit AS explicit, r.sentence AS evidence
ORDER BY region, plan, task, department
