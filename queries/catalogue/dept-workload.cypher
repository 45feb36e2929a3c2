// question: dept-workload
// zh: 各部门承担的任务数排名（默认只计明确指定的责任），分规划和总计。
// en: Departments ranked by number of tasks owned (explicit only by default), per plan and overall (plan empty).
// param: include_inferred bool default=false — 是否计入推断的责任 count inferred owners too
// columns: department, function, plan, tasks
MATCH (p:Plan)-[:HAS_TASK]->(t:Task)<-[r:RESPONSIBLE_FOR]-(d:Department)
WHERE r.explicit = true OR $include_inferred = true
RETURN d.qualified_name AS department, d.function_type AS function, p.name AS plan, count(DISTINCT t) AS tasks
UNION ALL
MATCH (t:Task)<-[r:RESPONSIBLE_FOR]-(d:Department)
WHERE r.explicit = true OR $include_inferred = true
RETURN d.qualified_name AS department, d.function_type AS function, null AS plan, count(DISTINCT t) AS tasks
