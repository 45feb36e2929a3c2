// question: dept-workload
// zh: 各部门承担的任务数排名，按责任角色（牵头/配合）分行（默认只计明确指定的责任），分规划和总计。
// en: Departments ranked by number of tasks owned, one row per role (lead/co; explicit only by default), per plan and overall (plan empty).
// param: include_inferred bool default=false — 是否计入推断的责任 count inferred owners too
// param: role lead|co optional — 责任角色 role: lead 牵头 or co 配合 (default: both)
// columns: department, function, plan, role, tasks
// One row per department, plan and role rather than lead and co count columns: the role parameter then
// just keeps rows, each figure counts one kind of responsibility, and as a department holds one role per
// task its lead and co rows add up to all its tasks. Ranked by tasks, ties by every other column.
MATCH (t:Task)<-[r:RESPONSIBLE_FOR]-(d:Department)
WHERE (r.explicit = true OR $include_inferred = true) AND ($role IS NULL OR r.role = $role)
OPTIONAL MATCH (p:Plan)-[:HAS_TASK]->(t)
// each responsibility counted twice, once in its plan and once overall (plan null)
UNWIND [p.name, null] AS plan
RETURN d.qualified_name AS department, d.function_type AS function, plan, r.role AS role, count(DISTINCT t) AS tasks
ORDER BY tasks DESC, department, function, plan IS NOT NULL, plan, role  // overall first, as in SPARQL
