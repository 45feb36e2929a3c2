// question: co-responsibility
// zh: 共同承担任务的部门对及共同任务数（协作网络，只计明确指定的责任）。
// en: Pairs of departments that share tasks, with counts (the collaboration network; explicit responsibilities).
// param: min_shared int default=1 — 至少共同承担几项任务 minimum shared tasks
// columns: department_a, department_b, shared_tasks
MATCH (a:Department)-[r1:RESPONSIBLE_FOR]->(t:Task)<-[r2:RESPONSIBLE_FOR]-(b:Department)
WHERE a.qualified_name < b.qualified_name AND r1.explicit = true AND r2.explicit = true
WITH a, b, count(DISTINCT t) AS shared
WHERE shared >= $min_shared
RETURN a.qualified_name AS department_a, b.qualified_name AS department_b, shared AS shared_tasks
ORDER BY shared_tasks DESC, department_a, department_b
