"""Reuse detection (kg.reuse): precision and recall on a corpus the test makes, direction, boilerplate,
evidence on both sides, and the hand-checked reuses of the sample corpus.

The made corpus: real sentences of the five sample plans, thinned so that no two of them are alike
(a looser similarity than the detector's, so that any pair found among them is a false positive),
dealt out to eight invented plans; a known set of them copied into other plans with one copying
edit each (scope word, region name, punctuation width, a clause inserted or dropped, list items
reordered, or none); "topic twins" that share only a list of topic words with a copied sentence;
and formulas every plan repeats. The truth is what was planted.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pytest
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from kg.model import CitedPlan, Evidence, PlanData, PlanMeta, SourceInfo, Task
from kg.resolve import region_ref
from kg.reuse import ReuseOptions, SentenceReuse, detect_reuse, direction, match_sentences
from kg.reuse.text import sentence_spans
from ontology.regions import gazetteer

SCOPE = ["全区", "全县", "全市", "我区", "我县", "我市"]
INSERTS = ["进一步强化部门协同联动", "切实提高工作实效", "形成一批可复制可推广的经验做法", "加大督促检查力度"]
FORMULAS = ["以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大和二十届二中全会精神",
            "本方案自印发之日起施行", "各单位要结合实际认真贯彻执行"]
EDITS = ["identical", "scope", "region", "punctuation", "insert", "drop", "reorder"]


# ------------------------------------------------------------------------------------ the made corpus


def _pool(plans: dict[str, PlanData]) -> list[str]:
    """Sentences of the sample plans' tasks (20+ characters, prose), no two of them alike."""
    seen: set[str] = set()
    out: list[str] = []
    for p in plans.values():
        for t in p.tasks:
            for s, e in sentence_spans(t.text):
                sent = t.text[s:e]
                plain = re.sub(r"[\W_]", "", sent)
                if len(plain) < 24 or "\t" in sent or sent.startswith(("（", "(")) or "：" in sent or plain in seen:
                    continue
                seen.add(plain)
                out.append(sent)
    kept: list[str] = []
    for sent in out:
        # looser than the detector (0.8 ratio, 0.9 of the shorter in the longer): a kept pair is unlike by a
        # margin, so that the sample plans' own reuse (001 took from 002 …) is not in the pool twice
        if process.extractOne(sent, kept, scorer=fuzz.ratio, score_cutoff=60) is None and not any(
                LCSseq.similarity(sent, k) >= 0.7 * min(len(sent), len(k)) for k in kept):
            kept.append(sent)
    return kept


def _clauses(s: str) -> list[str]:
    return [c for c in s.split("，") if c]


def _edit(kind: str, s: str, src_region: str, tgt_region: str, rnd: random.Random) -> tuple[str, str]:
    """(source sentence, its copy) for one copying edit."""
    if kind == "identical":
        return s, s
    if kind == "scope":
        word = next((w for w in SCOPE if w in s), None)
        src = s if word else f"推动{rnd.choice(SCOPE[:3])}{s}"
        word = word or next(w for w in SCOPE if w in src)
        return src, src.replace(word, rnd.choice([w for w in SCOPE if w != word]), 1)
    if kind == "region":
        src = f"在{src_region}{s}"
        return src, src.replace(src_region, tgt_region)
    if kind == "punctuation":
        return s, s.translate(str.maketrans("，：；（）“”", ",:;()\"\""))
    cl = _clauses(s)
    if kind == "insert":
        at = rnd.randrange(1, len(cl) + 1)
        return s, "，".join([*cl[:at], rnd.choice(INSERTS), *cl[at:]])
    if kind == "drop":
        at = rnd.randrange(1, len(cl))  # never the first clause: the sentence keeps its lead
        return s, "，".join(cl[:at] + cl[at + 1 :])
    # reorder: two inner items of a list of four or more (the first holds the lead-in, the last the tail)
    lists = [c for c in cl if c.count("、") >= 3]
    if lists:
        c = max(lists, key=len)
        items = c.split("、")
        return s, s.replace(c, "、".join([items[0], items[2], items[1], *items[3:]]), 1)
    return s, "，".join([cl[0], cl[2], cl[1], *cl[3:]])


def _fits(kind: str, s: str) -> bool:
    cl = _clauses(s)
    if kind == "insert":
        return len(cl) >= 2
    if kind == "drop":
        # a dropped clause leaves most of the sentence (a copier who keeps a fragment is not copying)
        return len(cl) >= 3 and max(len(c) for c in cl[1:]) <= len(s) * 0.3
    if kind == "reorder":
        return any(c.count("、") >= 3 for c in cl) or len(cl) >= 4
    return True


@dataclass
class Made:
    plans: list[PlanData]
    raw: dict[str, str]  # file -> text
    truth: set[tuple[str, str, str, str]]  # (source plan, source sentence, target plan, target sentence)
    truth_tasks: set[tuple[str, str, str, str]]  # (source plan, source task, target plan, target task)
    kinds: dict[tuple[str, str, str, str], str]
    formulas: set[str] = field(default_factory=set)
    twins: set[str] = field(default_factory=set)


# plan name, region, issue date, period, the plan it implements (by name)
PLANS = [
    ("p0", "重庆市", date(2016, 11, 29), (2016, 2020), None),
    ("p1", "万州区", date(2019, 3, 1), (2019, 2021), None),
    ("p2", "璧山区", date(2021, 6, 1), (2021, 2025), None),
    ("p3", "丰都县", date(2022, 4, 1), (2021, 2025), "p6"),  # implements p6, which has no date
    ("p4", "涪陵区", None, (2023, 2025), None),
    ("p5", "江津区", date(2023, 9, 1), (2023, 2025), None),
    ("p6", "綦江区", None, (2021, 2025), None),
    ("p7", "潼南区", None, (2021, 2025), None),
]


def _key(name: str) -> str:
    return f"plan-{name}"


def _metas() -> dict[str, PlanMeta]:
    g = gazetteer()
    out = {}
    for name, region, issued, period, parent in PLANS:
        cites = [] if parent is None else [CitedPlan(title=parent, key=_key(parent), evidence=Evidence(
            source=f"{name}.txt", start=0, end=1, sentence=parent))]
        out[name] = PlanMeta(key=_key(name), title=name, issue_date=issued, period=period,
                             region=region_ref(g.by_alias[region][0]), implements=cites)
    return out


def _short(meta: PlanMeta) -> str:
    assert meta.region is not None
    return gazetteer().by_code[meta.region.code].short


def _plan_data(name: str, meta: PlanMeta, tasks: list[list[str]]) -> tuple[PlanData, str]:
    texts = ["。".join(sents) + "。" for sents in tasks]
    raw, out, pos = "", [], 0
    for i, text in enumerate(texts):
        raw += text + "\n"
        out.append(Task(id=f"t{i + 1}", title=text[:10], text=text, path=[f"任务{i + 1}"],
                        evidence=Evidence(source=f"{name}.txt", start=pos, end=pos + len(text), sentence=text[:20],
                                          path=[f"任务{i + 1}"])))
        pos += len(text) + 1
    source = SourceInfo(file=f"{name}.txt", sha256=hashlib.sha256(raw.encode()).hexdigest(), format="txt",
                        chars=len(raw))
    return PlanData(source=source, plan=meta, tasks=out), raw


def make_corpus(pool: list[str], seed: int = 17, copies: int = 70, twins: int = 20) -> Made:
    rnd = random.Random(seed)
    metas = _metas()
    names = [p[0] for p in PLANS]
    fresh = pool[:]
    rnd.shuffle(fresh)
    picked = []  # (edit, sentence) of the sentences to copy, taken first so that every edit finds its kind
    for i in range(copies):
        kind = EDITS[i % len(EDITS)]
        picked.append((kind, next(x for x in fresh if _fits(kind, x))))
        fresh.remove(picked[-1][1])
    spare = [fresh.pop() for _ in range(twins)]
    body: dict[str, list[list[str]]] = {n: [] for n in names}
    per_plan = len(fresh) // len(names)
    for n in names:  # fresh sentences dealt out: tasks of four to six
        mine = [fresh.pop() for _ in range(per_plan)]
        while mine:
            k = rnd.randint(4, 6)
            body[n].append(mine[:k])
            mine = mine[k:]
    where: dict[str, tuple[str, int]] = {}  # sentence -> (plan, task index)
    truth, truth_tasks, kinds, twin_set = set(), set(), {}, set()
    for kind, s in picked:
        a, b = rnd.sample(names, 2)
        d = direction(metas[a], metas[b])
        src_name, tgt_name = (a, b) if d.first_is_source else (b, a)
        src, copy = _edit(kind, s, _short(metas[src_name]), _short(metas[tgt_name]), rnd)
        ts, tt = rnd.randrange(len(body[src_name])), rnd.randrange(len(body[tgt_name]))
        body[src_name][ts].insert(rnd.randrange(len(body[src_name][ts]) + 1), src)
        body[tgt_name][tt].insert(rnd.randrange(len(body[tgt_name][tt]) + 1), copy)
        fact = (_key(src_name), src, _key(tgt_name), copy)
        truth.add(fact)
        kinds[fact] = kind
        truth_tasks.add((_key(src_name), f"t{ts + 1}", _key(tgt_name), f"t{tt + 1}"))
        where[src] = (src_name, ts)
    # topic twins: a sentence's list of topic words in a fresh sentence of another plan, copied sentences
    # first (the inner items of a list: short words, without the clause's lead-in and tail)
    for n in names:
        for ti, sents in enumerate(body[n]):
            for x in sents:
                where.setdefault(x, (n, ti))
    listed = [(s, inner) for s in where for c in _clauses(s)
              for inner in [c.split("、")[1:-1]] if len(inner) >= 2 and max(map(len, inner)) <= 6]
    assert len(listed) >= twins
    for s, inner in listed[:twins]:
        plan, _ = where[s]
        other = rnd.choice([n for n in names if n != plan])
        twin = f"围绕{'、'.join(inner)}等领域，{spare.pop()}"
        t = rnd.randrange(len(body[other]))
        body[other][t].insert(rnd.randrange(len(body[other][t]) + 1), twin)
        twin_set.add(twin)
    for n in names:  # formulas every plan repeats
        body[n].append(list(FORMULAS))
    plans, raw = [], {}
    for n in names:
        p, text = _plan_data(n, metas[n], body[n])
        plans.append(p)
        raw[p.source.file] = text
    return Made(plans, raw, truth, truth_tasks, kinds, set(FORMULAS), twin_set)


@pytest.fixture(scope="module")
def pool(plans: dict[str, PlanData]) -> list[str]:
    return _pool(plans)


@pytest.fixture(scope="module")
def made(pool: list[str]) -> Made:
    return make_corpus(pool)


def _facts(found: list[SentenceReuse]) -> set[tuple[str, str, str, str]]:
    return {(m.source.plan, m.source.evidence.sentence, m.target.plan, m.target.evidence.sentence) for m in found}


def _pr(found: set, truth: set) -> tuple[float, float]:
    hit = len(found & truth)
    return hit / len(found) if found else 0.0, hit / len(truth)


# ------------------------------------------------------------------------------------------ quality


def test_the_made_corpus_is_what_it_says(pool: list[str], made: Made) -> None:
    assert len(pool) >= 250  # enough distinct real sentences to deal out
    assert len(made.truth) == 70
    assert Counter(made.kinds.values()) == {k: 10 for k in EDITS}
    assert len(made.twins) == 20


def test_precision_and_recall_of_sentence_pairs(made: Made) -> None:
    found = _facts(match_sentences(made.plans))
    precision, recall = _pr(found, made.truth)
    missed = Counter(made.kinds[f] for f in made.truth - found)
    print(f"\nsentence pairs: {len(found)} found, {len(made.truth)} planted; precision {precision:.3f}, "
          f"recall {recall:.3f}; missed by edit: {dict(missed)}")
    assert precision >= 0.95, sorted(found - made.truth)
    assert recall >= 0.95, sorted(made.truth - found)


def test_precision_and_recall_of_task_pairs(made: Made) -> None:
    report = detect_reuse(made.plans)
    found = {(r.source.plan, r.source.task, r.target.plan, r.target.task) for r in report.tasks}
    precision, recall = _pr(found, made.truth_tasks)
    print(f"\ntask pairs: {len(found)} found, {len(made.truth_tasks)} planted; precision {precision:.3f}, "
          f"recall {recall:.3f}")
    assert precision >= 0.95
    assert recall >= 0.95


def test_every_edit_is_tolerated(made: Made) -> None:
    found = _facts(match_sentences(made.plans))
    for kind in EDITS:
        planted = {f for f, k in made.kinds.items() if k == kind}
        assert len(planted & found) >= 9, (kind, sorted(planted - found))  # 10 planted of each


def test_twins_and_formulas_are_not_reuse(made: Made) -> None:
    found = match_sentences(made.plans)
    quoted = {m.source.evidence.sentence for m in found} | {m.target.evidence.sentence for m in found}
    assert not quoted & made.formulas  # the same three formulas stand in every plan
    assert not quoted & made.twins


def test_direction_of_the_planted_pairs(made: Made) -> None:
    found = {(m.source.evidence.sentence, m.target.evidence.sentence): m for m in match_sentences(made.plans)}
    reasons: Counter[str | None] = Counter()
    for src_plan, src, tgt_plan, tgt in made.truth:
        m = found.get((src, tgt))
        if m is None:
            continue  # a miss is counted by the recall test; a pair found reversed is not in `found` this way
        assert (m.source.plan, m.target.plan) == (src_plan, tgt_plan)
        reasons[m.reason] += 1
        assert m.directed == (m.reason is not None)
    assert set(reasons) <= {"implements", "issue_date", "period", None}
    assert reasons["issue_date"] > 0 and reasons[None] > 0


def test_direction_rules() -> None:
    m = _metas()
    d = direction(m["p3"], m["p6"])  # p3 implements p6: p6 is the source though p3 is the one dated
    assert (d.first_is_source, d.directed, d.reason) == (False, True, "implements")
    d = direction(m["p2"], m["p1"])
    assert (d.first_is_source, d.directed, d.reason) == (False, True, "issue_date")
    d = direction(m["p4"], m["p2"])  # p4 has no date: its period starts 2023, p2's 2021
    assert (d.first_is_source, d.directed, d.reason) == (False, True, "period")
    d = direction(m["p7"], m["p6"])  # neither dated, same period: undirected, ordered by key
    assert (d.first_is_source, d.directed, d.reason) == (False, False, None)


def test_evidence_on_both_sides_quotes_the_source_text(made: Made) -> None:
    report = detect_reuse(made.plans)
    assert report.tasks and report.plans
    sides = [e for r in report.tasks for e in (r.source.evidence, r.target.evidence)]
    sides += [e for r in report.plans for e in (r.source_evidence, r.target_evidence)]
    for ev in sides:
        assert made.raw[ev.source][ev.start : ev.end] == ev.sentence
        assert ev.path and ev.path[0].startswith("任务")


def test_task_and_plan_aggregates(made: Made) -> None:
    report = detect_reuse(made.plans)
    by_plan = Counter((f[0], f[2]) for f in made.truth)
    found = {(r.source, r.target): r for r in report.plans}
    assert set(found) == set(by_plan)
    for pair, n in by_plan.items():
        r = found[pair]
        assert r.sentences == n
        assert 1 <= r.tasks <= n
        assert 0 < r.share < 0.5  # a few copied sentences among dozens
    for r in report.tasks:
        assert 0.8 <= r.similarity <= 1
        assert 0 < r.share <= 1
        assert r.sentences >= 1


def test_a_wholly_copied_task_has_share_one(pool: list[str]) -> None:
    metas = _metas()
    a, _ = _plan_data("p0", metas["p0"], [pool[:3], pool[3:6]])
    b, _ = _plan_data("p2", metas["p2"], [pool[:3], pool[10:14]])
    report = detect_reuse([a, b])
    assert [(r.source.task, r.target.task, r.share, r.sentences, r.similarity) for r in report.tasks] == [
        ("t1", "t1", 1.0, 3, 1.0)]
    (plan,) = report.plans
    assert (plan.source, plan.target, plan.directed, plan.reason, plan.tasks) == (
        "plan-p0", "plan-p2", True, "issue_date", 1)
    total = sum(len(re.sub(r"[\W_]", "", s)) for s in pool[:3] + pool[10:14])
    copied = sum(len(re.sub(r"[\W_]", "", s)) for s in pool[:3])
    assert plan.share == pytest.approx(copied / total, abs=0.02)


def test_short_sentences_are_no_evidence(pool: list[str]) -> None:
    metas = _metas()
    short = "加强知识产权保护工作"  # ten characters, in both plans
    a, _ = _plan_data("p0", metas["p0"], [[short, pool[0]]])
    b, _ = _plan_data("p2", metas["p2"], [[short, pool[1]]])
    assert match_sentences([a, b]) == []
    assert match_sentences([a, b], ReuseOptions(min_chars=8))[0].target.evidence.sentence == short


def test_common_phrasing_by_document_frequency(pool: list[str]) -> None:
    """In twelve plans, a sentence found in all of them is common phrasing; one in two of them is reuse."""
    metas = _metas()
    common = "各镇街道要建立健全工作台账，定期报送知识产权工作进展情况和存在的问题"
    shared = pool[0]
    plans = []
    for i in range(12):
        meta = metas["p2"].model_copy(update={"key": f"plan-x{i:02d}", "issue_date": date(2020, 1, 1 + i)})
        own = [pool[1 + i], common] + ([shared] if i < 2 else [])
        plans.append(_plan_data(f"x{i:02d}", meta, [own])[0])
    found = match_sentences(plans)
    assert [(m.source.plan, m.target.plan, m.source.evidence.sentence) for m in found] == [
        ("plan-x00", "plan-x01", shared)]
    # in a small corpus frequency cannot tell: the same sentence in 3 of 4 plans is reported
    few = match_sentences(plans[:4])
    assert sum(m.source.evidence.sentence == common for m in few) == 6  # every pair of the 4 plans


# ------------------------------------------------------------------------------ the sample corpus


def test_sample_corpus_001_reused_002(plans: dict[str, PlanData]) -> None:
    found = match_sentences(list(plans.values()))
    quote = "支持龙头（重点）企业开展以产品链、创新链为纽带的国内外专利布局，占领产业发展制高点"
    (m,) = [m for m in found if m.target.evidence.sentence == quote]
    assert (m.source.plan, m.target.plan) == (plans["002"].plan.key, plans["001"].plan.key)
    assert (m.directed, m.reason, m.similarity) == (True, "period", 1.0)  # 2016-2020 plan -> 2021-2025 plan
    assert m.source.evidence.sentence == quote
    assert m.source.evidence.source.startswith("002_") and m.target.evidence.source.startswith("001_")
    report = detect_reuse(list(plans.values()))
    (pr,) = [r for r in report.plans if {r.source, r.target} == {plans["001"].plan.key, plans["002"].plan.key}]
    assert (pr.source, pr.target, pr.directed, pr.reason) == (plans["002"].plan.key, plans["001"].plan.key,
                                                              True, "period")
    assert pr.sentences >= 5 and pr.tasks >= 4


def test_sample_corpus_001_and_003_share_a_brand_sentence(plans: dict[str, PlanData]) -> None:
    found = match_sentences(list(plans.values()))
    quote = "加快培育新型农业、先进制造业、现代服务业商标品牌"
    (m,) = [m for m in found if m.target.evidence.sentence == quote]
    assert {m.source.plan, m.target.plan} == {plans["001"].plan.key, plans["003"].plan.key}
    # 001 states no issue date and both plans run 2021-2025: nothing tells which came first
    assert plans["001"].plan.issue_date is None and plans["001"].plan.period == plans["003"].plan.period
    assert (m.directed, m.reason, m.similarity) == (False, None, 1.0)
    assert m.source.plan == min(plans["001"].plan.key, plans["003"].plan.key)


def test_sample_corpus_evidence_is_exact_with_or_without_the_sources(plans: dict[str, PlanData]) -> None:
    from kg.ingest import read_source
    from kg.pipeline import SAMPLE_CORPUS

    sources = {p.name: read_source(p)[0] for p in SAMPLE_CORPUS.glob("*.txt")}
    found = match_sentences(list(plans.values()), sources=sources)
    assert len(found) >= 30

    def squeeze(s: str) -> str:  # what cleaning changes: spaces, line breaks, punctuation width
        return re.sub(r"\s", "", s).translate(str.maketrans(",:;()", "，：；（）"))

    for m in found:
        for side in (m.source, m.target):
            ev = side.evidence
            assert squeeze(sources[ev.source][ev.start : ev.end]) == squeeze(ev.sentence)
    # without the sources (a build from plan data), the tasks' source runs place every span exactly the same
    from_runs = match_sentences(list(plans.values()))
    assert [(m.source.evidence, m.target.evidence) for m in from_runs] == [
        (m.source.evidence, m.target.evidence) for m in found]


def test_banded_signatures_are_datasketchs_lsh_buckets(made: Made) -> None:
    """The default banding (numpy over datasketch's MinHash signatures) gives exactly the buckets of datasketch's
    MinHashLSH index over the same signatures, and so the same reuse."""
    from kg.reuse.match import buckets
    from kg.reuse.text import Normaliser, region_names, units_of

    units, _ = units_of(made.plans, Normaliser(region_names(p.plan.region for p in made.plans if p.plan.region)))
    indexed = [i for i, u in enumerate(units) if u.size >= 14]
    banded = sorted(map(tuple, buckets(units, indexed, ReuseOptions())))
    indexed_by_lsh = sorted(map(tuple, buckets(units, indexed, ReuseOptions(index="datasketch"))))
    assert len(banded) > 100 and banded == indexed_by_lsh
    assert detect_reuse(made.plans) == detect_reuse(made.plans, ReuseOptions(index="datasketch"))


def test_detection_is_deterministic(made: Made) -> None:
    assert detect_reuse(made.plans) == detect_reuse(list(reversed(made.plans)))
