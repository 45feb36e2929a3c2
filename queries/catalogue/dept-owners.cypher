// question: dept-owners
// zh: 各地区哪些部门负责某产业（可选主题：保护/创造/运用/管理/服务）的工作，各自是牵头还是配合？产业按分类体系向下包含（问“战略性新兴产业”也包括“新材料”）。
// en: Which departments own work on INDUSTRY (and optionally THEME) in each region, and do they lead it or cooperate (optionally ROLE only)? Taxonomy-aware: an industry includes the industries below it.
// param: industry str required — 产业名称 industry name, e.g. 新材料
// param: theme str optional — 主题 theme word in the task's title or section path: 保护/创造/运用/管理/服务
// param: role lead|co optional — 责任角色 role: lead 牵头 or co 配合 (default: both)
// example: industry=新材料
// columns: region, plan, task, department, function, role, explicit, evidence
// Rows are ordered by region, plan and task, the lead department of a task before those that cooperate
// ("lead" sorts after "co", hence DESC), then by every other column, so the order is total.
MATCH (target:Industry {name: $industry})
MATCH (i:Industry)-[:BROADER*0..]->(target)
MATCH (t:Task)-[:CONCERNS]->(i)
WHERE $theme IS NULL OR t.name CONTAINS $theme OR t.section_path CONTAINS $theme
MATCH (p:Plan)-[:HAS_TASK]->(t)
MATCH (d:Department)-[r:RESPONSIBLE_FOR]->(t)
WHERE $role IS NULL OR r.role = $role
OPTIONAL MATCH (p)-[:GOVERNS]->(reg:Region)
RETURN DISTINCT reg.name AS region, p.name AS plan, t.name AS task, d.qualified_name AS department,
       d.function_type AS function, r.role AS role, r.explicit AS explicit, r.sentence AS evidence
ORDER BY region, plan, task, role DESC, department, function, explicit, evidence
