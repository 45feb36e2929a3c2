// question: plan-similarity
// zh: 哪些规划之间有相同的文本：沿用方与来源方、方向是否已知及其依据、沿用比例、相同语句数和涉及任务数。
// en: Pairs of plans by shared text: the plan that took text and the one it came from, whether the direction is known and why, the share of the taking plan's text, matched sentences and tasks.
// param: plan str optional — 只看涉及这个规划的规划对 only pairs with this plan on either side (its name)
// param: min_sentences int default=1 — 至少几句相同 minimum matched sentences
// columns: target_plan, source_plan, directed, reason, share, sentences, tasks
// Without a direction (directed false) the pair is one row, target and source in plan-key order.
MATCH (p:Plan)-[r:REUSES]->(s:Plan)
WHERE r.sentences >= $min_sentences AND ($plan IS NULL OR p.name = $plan OR s.name = $plan)
RETURN p.name AS target_plan, s.name AS source_plan, r.directed AS directed, r.reason AS reason, r.share AS share,
       r.sentences AS sentences, r.tasks AS tasks
ORDER BY share DESC, target_plan, source_plan
