// question: plan-lineage
// zh: 各规划贯彻落实哪些上级文件（逐级向上，含语料之外、仅被引用的文件）？
// en: Which plans implement which, up to national documents, including cited parents not in the corpus.
// param: plan str optional — 只看这个规划（名称）only this plan (its name)
// columns: plan, implements, parent_in_corpus
MATCH (p:Plan)-[:IMPLEMENTS*1..]->(q:Plan)
WHERE ($plan IS NULL OR p.name = $plan) AND p.in_corpus = true
RETURN DISTINCT p.name AS plan, q.name AS implements, q.in_corpus AS parent_in_corpus
ORDER BY plan, implements
