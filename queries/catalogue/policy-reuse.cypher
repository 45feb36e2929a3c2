// question: policy-reuse
// zh: 某规划（或某地区及其下辖地区的规划）的哪些任务沿用了其他规划的文本：来源规划与任务、相似度、沿用比例，两边的原句。
// en: Which tasks of a plan (or of the plans of a region and the regions within it) took their text from other plans: the source plan and task, similarity, share, and the two sentences side by side.
// param: plan str optional — 只看这个规划（名称）only this plan (its name)
// param: region str optional — 只看这个地区及其下辖地区的规划 only plans of this region or one within it (name or GB/T 2260 code), e.g. 万州区 or 500101
// example: region=万州区
// columns: plan, task, source_plan, source_task, directed, similarity, share, sentence, source_sentence
// A pair whose direction nothing tells (directed false) is listed from both sides: either plan may have taken it.
// The edge goes from the task that took the text to its source; target_plan says which end that is.
MATCH (p:Plan)-[:HAS_TASK]->(t:Task)-[r:REUSES]-(s:Task)<-[:HAS_TASK]-(sp:Plan)
WHERE (r.target_plan = p.id OR r.directed = false) AND ($plan IS NULL OR p.name = $plan)
OPTIONAL MATCH (p)-[:GOVERNS]->(:Region)-[:PART_OF*0..]->(g:Region)
WHERE g.name = $region OR g.code = $region
WITH p, t, r, s, sp, g
WHERE $region IS NULL OR g IS NOT NULL
RETURN DISTINCT p.name AS plan, t.name AS task, sp.name AS source_plan, s.name AS source_task,
       r.directed AS directed, r.similarity AS similarity, r.share AS share,
       CASE WHEN r.target_plan = p.id THEN r.target_sentence ELSE r.source_sentence END AS sentence,
       CASE WHEN r.target_plan = p.id THEN r.source_sentence ELSE r.target_sentence END AS source_sentence
ORDER BY plan, task, source_plan, source_task, sentence, source_sentence
