"""Reuse detection at scale: time and memory on a generated corpus, against an all-pairs comparison.

    python -m bench.reuse_speed [--plans 1000] [--subset 100] [--copied 0.05]

The corpus is generated, not the seeds repeated (that would be all duplicates): every sentence is
drawn from clause templates filled with random choices of the lexicon's words (industry labels,
IP types, indicator names) and of the word lists below, so two fresh sentences are rarely alike; a
controlled share of each plan's sentences (``--copied``) is copied from an earlier plan with one
copying edit (scope word, region name, punctuation width, a clause inserted or dropped, list items
reordered); and every plan ends with formulas and a closing charge that all plans repeat.

Prints detection's wall and CPU time and peak memory (resident set, sampled) on a quarter, a half
and all of the corpus (growth near-linear in the corpus, not quadratic), the recall of the planted
copies; and, on the first ``--subset`` plans, detection against an all-pairs rapidfuzz comparison of
every sentence with every sentence of the other plans, both timed in this run, with the share of
the all-pairs matches that detection found.
Target: detection on 1,000 plans under 60 s on this machine, memory bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import psutil
from rapidfuzz import fuzz, process

from kg.model import Evidence, PlanData, PlanMeta, SourceInfo, Task
from kg.resolve import region_ref
from kg.reuse import ReuseOptions, detect_reuse, match_sentences
from kg.reuse.match import confirmed_pairs
from kg.reuse.text import Normaliser, region_names, units_of
from ontology.lexicon import lexicon
from ontology.regions import Region, gazetteer

# word lists the generator draws from, with the lexicon's industry labels and IP types (see Sentences)
VERBS = ["支持", "鼓励", "引导", "推动", "加快", "深化", "完善", "健全", "建立", "探索", "实施", "开展", "强化",
         "加强", "提升", "优化", "培育", "打造", "建设", "落实", "组织", "扩大", "规范", "促进", "推进", "构建",
         "发挥", "统筹", "布局", "谋划", "夯实", "拓展", "畅通", "激活", "用好", "做强", "做优", "壮大", "升级",
         "完善提升"]
ADVERBS = ["", "", "", "积极", "大力", "持续", "进一步", "全面", "着力", "深入", "稳步", "逐步", "切实", "有序",
           "重点", "率先", "加快", "协同", "精准", "系统"]
ACTORS = ["企业", "高校", "科研院所", "行业协会", "服务机构", "龙头企业", "中小企业", "专精特新企业", "产业园区",
          "产业联盟", "律师事务所", "商会", "农民专业合作社", "新型研发机构", "创新联合体", "孵化器", "众创空间",
          "金融机构", "保险机构", "评估机构", "调解组织", "仲裁机构", "公证机构", "职业院校", "检验检测机构",
          "链主企业", "外贸企业", "文创企业", "农业龙头企业", "高新技术企业", "科技型中小企业", "老字号企业",
          "电商平台", "展会主办方"]
ACTIVITIES = ["专利导航", "专利布局", "商标注册", "品牌培育", "质押融资", "转化运用", "侵权纠纷调解", "维权援助",
              "海外预警", "标准制定", "成果转化", "人才培养", "宣传培训", "数据库建设", "信息服务", "价值评估",
              "交易运营", "保险试点", "快速审查", "行政执法", "司法保护", "信用监管", "分析评议", "专利池构建",
              "许可交易", "托管服务", "证券化探索", "产品备案", "导航分析", "风险防控", "合规管理", "贯标认证",
              "申报辅导", "示范创建", "网点建设", "快速维权", "纠纷仲裁", "远程鉴定", "线上监测", "案件协作",
              "跨区域执法协作", "开放许可", "作价入股", "收储运营", "集成创新", "技术攻关", "检索分析", "布局预警"]
HEADS = ["机制", "体系", "平台", "中心", "工程", "行动", "项目", "试点", "示范区", "联盟", "基地", "服务站",
         "工作站", "名录", "指南", "清单", "标准", "数据库", "专家库", "资金池", "服务团", "联络点", "孵化器",
         "研究院"]
PURPOSES = ["提升核心竞争力", "促进产业转型升级", "服务高质量发展", "营造良好创新环境", "增强市场主体活力",
            "提高知识产权创造质量", "形成工作合力", "推动成果落地见效", "助力乡村振兴", "扩大品牌影响力",
            "降低企业维权成本", "提高审查授权效率", "打通转化运用堵点", "夯实工作基础", "激发全社会创新活力",
            "加快建设创新型城市", "筑牢安全防线", "提升公共服务水平", "推动区域协调发展", "培育新的经济增长点"]
SUPPORTS = ["资金支持", "政策扶持", "奖励补助", "贷款贴息", "保费补贴", "绿色通道", "优先推荐", "培训指导",
            "一次性奖励", "用地保障", "人才公寓", "融资担保"]
UNITS = ["件", "家", "个", "项", "人次", "亿元", "场", "名", "户"]
SCOPE = ["全县", "全区", "全市", "我县", "我区", "我市"]
INSERTS = ["进一步强化部门协同联动", "切实提高工作实效", "形成一批可复制可推广的经验做法", "加大督促检查力度",
           "建立健全工作推进机制", "定期通报工作进展"]
# every plan repeats these: two formulas of the lexicon and a closing charge that is in no list
CLOSING = ["以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，深入实施创新驱动发展战略",
           "各镇街道、各有关部门要建立健全工作台账，定期报送知识产权工作进展情况和存在的问题",
           "本方案自印发之日起施行"]


def _topics() -> list[str]:
    lex = lexicon()
    words = [c.label for c in lex.industries.values()] + [a for c in lex.industries.values() for a in c.alt_labels]
    words += [w for spec in lex.ip_types.values() for w in spec["words"]]
    return sorted(set(words))


class Sentences:
    """Random sentences: two to four clauses, each a clause shape filled with random words (several slots
    each, so that two fresh clauses are rarely alike)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.topics = _topics()
        self.indicators = sorted(lexicon().indicators["concepts"])
        c, t, n = rng.choice, self.topic, rng.randint
        act = self.act
        self.shapes: list[Callable[[], str]] = [
            lambda: f"{act()}{c(ACTORS)}开展{t()}{c(ACTIVITIES)}",
            lambda: f"围绕{t()}、{t()}、{t()}等{c(['领域', '产业', '产业链', '产业集群'])}{act()}{c(ACTIVITIES)}",
            lambda: f"每年{act()}{n(2, 60)}个{t()}{c(ACTIVITIES)}{c(HEADS)}",
            lambda: f"到{n(2022, 2030)}年{c(self.indicators)}达到{n(3, 900)}{c(UNITS)}",
            lambda: f"{act()}{t()}{c(ACTIVITIES)}{c(HEADS)}",
            lambda: f"对{c(ACTIVITIES)}成效突出的{c(ACTORS)}给予{c(SUPPORTS)}",
            lambda: f"以{t()}为重点{act()}{c(ACTIVITIES)}{c(HEADS)}",
            lambda: f"{c(ADVERBS)}{c(PURPOSES)}",
            lambda: f"依托{c(ACTORS)}{act()}{t()}{c(ACTIVITIES)}{c(HEADS)}",
            lambda: f"新增{t()}{c(ACTIVITIES)}{c(ACTORS)}{n(2, 90)}{c(UNITS)}",
            lambda: f"推动{t()}与{t()}{c(ACTIVITIES)}深度融合",
            lambda: f"{act()}{c(ACTIVITIES)}与{c(ACTIVITIES)}{c(HEADS)}联动",
            lambda: f"鼓励{c(ACTORS)}与{c(ACTORS)}联合{act()}{t()}{c(ACTIVITIES)}",
            lambda: f"探索{t()}{c(ACTIVITIES)}新模式",
            lambda: f"支持{c(ACTORS)}申报{t()}{c(HEADS)}",
            lambda: f"在{t()}{c(['领域', '行业', '园区'])}布局{n(2, 30)}个{c(ACTIVITIES)}{c(HEADS)}",
        ]

    def topic(self) -> str:
        return self.rng.choice(self.topics)

    def act(self) -> str:
        """An adverb (or none) and a verb."""
        return self.rng.choice(ADVERBS) + self.rng.choice(VERBS)

    def sentence(self) -> str:
        return "，".join(self.rng.choice(self.shapes)() for _ in range(self.rng.randint(2, 4)))


def _copy(s: str, src: Region, tgt: Region, rng: random.Random) -> tuple[str, str, str]:
    """(edit, source sentence, copy) for one random copying edit."""
    edit = rng.choice(["identical", "scope", "region", "punctuation", "insert", "drop", "reorder"])
    clauses = s.split("，")
    if edit == "scope":
        src_s = f"{rng.choice(SCOPE[:3])}{s}"
        return edit, src_s, f"{rng.choice(SCOPE[3:])}{s}"
    if edit == "region":
        return edit, f"在{src.short}{s}", f"在{tgt.short}{s}"
    if edit == "punctuation":
        return edit, s, s.replace("，", ",").replace("、", ",")
    if edit == "insert":
        at = rng.randrange(1, len(clauses) + 1)
        return edit, s, "，".join([*clauses[:at], rng.choice(INSERTS), *clauses[at:]])
    if edit == "drop" and len(clauses) >= 4:
        at = rng.randrange(1, len(clauses))
        return edit, s, "，".join(clauses[:at] + clauses[at + 1 :])
    if edit == "reorder" and len(clauses) >= 3:
        return edit, s, "，".join([clauses[0], clauses[2], clauses[1], *clauses[3:]])
    return "identical", s, s


@dataclass
class Corpus:
    plans: list[PlanData]
    planted: set[tuple[int, str, int, str]]  # (source plan, source sentence, target plan, copy)


def _plan(i: int, region: Region, rng: random.Random, tasks: list[list[str]]) -> PlanData:
    texts = ["。".join(t) + "。" for t in tasks]
    out, pos = [], 0
    for k, text in enumerate(texts):
        out.append(Task(id=f"t{k + 1}", title=text[:12], text=text, path=[f"第{k + 1}项"],
                        evidence=Evidence(source=f"gen{i:05d}.txt", start=pos, end=pos + len(text),
                                          sentence=text[:20], path=[f"第{k + 1}项"])))
        pos += len(text) + 1
    year = 2016 + rng.randrange(9)
    meta = PlanMeta(key=f"gen-{i:05d}-{region.code}", title=f"{region.name}知识产权工作方案{i}",
                    issue_date=date(year, rng.randint(1, 12), rng.randint(1, 28)), period=(year, year + 4),
                    region=region_ref(region))
    return PlanData(source=SourceInfo(file=f"gen{i:05d}.txt", sha256="0" * 64, format="txt", chars=pos),
                    plan=meta, tasks=out)


def generate(n: int, copied: float = 0.05, seed: int = 17) -> Corpus:
    """``n`` plans of 20-30 tasks of 3-6 sentences; ``copied`` of the sentences taken from earlier plans."""
    rng = random.Random(seed)
    gen = Sentences(rng)
    counties = sorted((r for r in gazetteer().by_code.values() if r.level == "county" and r.current),
                      key=lambda r: r.code)
    regions = rng.sample(counties, n)
    written: list[list[list[str]]] = []
    planted: set[tuple[int, str, int, str]] = set()
    fresh: list[list[tuple[int, int]]] = []  # per plan, (task, sentence) of its sentences not yet copied or a copy
    plans = []
    for i in range(n):
        tasks = [[gen.sentence() for _ in range(rng.randint(3, 6))] for _ in range(rng.randint(20, 30))]
        total = sum(map(len, tasks))
        fresh.append([(t, k) for t, sents in enumerate(tasks) for k in range(len(sents))])
        for _ in range(round(total * copied) if i else 0):
            j = rng.randrange(i)  # an earlier plan: its issue date may be later, direction is not the point here
            t, k = fresh[j].pop(rng.randrange(len(fresh[j])))  # each source copied once, so the truth stays exact
            _, src_s, copy = _copy(written[j][t][k], regions[j], regions[i], rng)
            written[j][t][k] = src_s
            plans[j] = _plan(j, regions[j], random.Random(j), written[j])
            rng.choice(tasks).append(copy)
            planted.add((j, src_s, i, copy))
        tasks.append(list(CLOSING))
        written.append(tasks)
        plans.append(_plan(i, regions[i], random.Random(i), tasks))
    return Corpus(plans, planted)


class PeakRSS:
    """The process's peak resident set while the block runs, sampled every 5 ms."""

    def __enter__(self) -> PeakRSS:
        self._proc = psutil.Process()
        self.start = self.peak = self._proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._proc.memory_info().rss)

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)

    @property
    def grew_mb(self) -> float:
        return (self.peak - self.start) / 2**20


def all_pairs(plans: list[PlanData], opts: ReuseOptions) -> tuple[float, set[tuple[int, int]], int]:
    """(seconds, unit pairs of different plans with ratio >= the threshold, pairs compared): every sentence
    against every sentence, with rapidfuzz's C++ ``cdist``, a block of rows at a time."""
    norm = Normaliser(region_names(p.plan.region for p in plans if p.plan.region is not None))
    units, _ = units_of(plans, norm)
    # the formulas every plan repeats are left out on both sides, as detection leaves them out
    spread: dict[str, set[int]] = {}
    for u in units:
        spread.setdefault(u.flat, set()).add(u.plan)
    limit = opts.boilerplate_share * len(plans) if len(plans) >= opts.boilerplate_min_plans else float("inf")
    keep = [i for i, u in enumerate(units) if u.size >= opts.min_chars and len(spread[u.flat]) <= limit]
    flats = [units[i].flat for i in keep]
    owner = np.array([units[i].plan for i in keep])
    t0 = time.perf_counter()
    found: set[tuple[int, int]] = set()
    block = 512
    for lo in range(0, len(flats), block):
        scores = process.cdist(flats[lo : lo + block], flats, scorer=fuzz.ratio, dtype=np.uint8,
                               score_cutoff=int(opts.threshold * 100), workers=1)
        rows, cols = np.nonzero(scores)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            a, b = lo + r, c
            if a < b and owner[a] != owner[b]:
                found.add((keep[a], keep[b]))
    n = len(flats)
    compared = n * (n - 1) // 2
    return time.perf_counter() - t0, found, compared


def _detected_pairs(plans: list[PlanData], opts: ReuseOptions) -> set[tuple[int, int]]:
    norm = Normaliser(region_names(p.plan.region for p in plans if p.plan.region is not None))
    units, _ = units_of(plans, norm)
    return {(p.a, p.b) for p in confirmed_pairs(units, len(plans), opts)}


def _measure(n: int, copied: float) -> dict[str, float]:
    """Detection on a generated corpus of ``n`` plans in this process: wall and CPU seconds, peak memory growth."""
    corpus = generate(n, copied)
    detect_reuse(corpus.plans[:5])  # warm up: lexicon, gazetteer, imports
    with PeakRSS() as mem:
        t0, c0 = time.perf_counter(), time.process_time()
        report = detect_reuse(corpus.plans)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    sentences = sum(len(t.text.split("。")) - 1 for p in corpus.plans for t in p.tasks)
    return {"plans": n, "sentences": sentences, "wall": wall, "cpu": cpu, "peak": mem.grew_mb,
            "tasks": len(report.tasks)}


def _scale(sizes: list[int], copied: float) -> float:
    """Detection at each size, each in a fresh process (so that one run's memory does not hide the next one's
    growth). Returns the wall time of the last size."""
    print(f"{'plans':>6} {'sentences':>10} {'wall s':>8} {'cpu s':>7} {'peak +MB':>9} {'task reuses':>12}")
    wall = 0.0
    for n in sizes:
        out = subprocess.run([sys.executable, "-m", "bench.reuse_speed", "--measure", str(n), "--copied", str(copied)],
                             capture_output=True, text=True, check=True).stdout
        m = json.loads(out.strip().splitlines()[-1])
        wall = m["wall"]
        print(f"{n:>6} {m['sentences']:>10,} {m['wall']:>8.1f} {m['cpu']:>7.1f} {m['peak']:>9.0f} {m['tasks']:>12,}")
    return wall


def _recall(corpus: Corpus) -> None:
    found = match_sentences(corpus.plans)
    keys = {p.plan.key: i for i, p in enumerate(corpus.plans)}
    facts = {(keys[m.source.plan], m.source.evidence.sentence, keys[m.target.plan], m.target.evidence.sentence)
             for m in found}
    both = facts | {(c, d, a, b) for a, b, c, d in facts}  # planted direction is by plan order, not by date
    hit = len(corpus.planted & both)
    print(f"planted copies found: {hit:,} of {len(corpus.planted):,} (recall {hit / len(corpus.planted):.3f}); "
          f"sentence pairs reported: {len(found):,}, of which not planted: {len(found) - hit:,} (fresh sentences "
          f"that the random generator made alike)")


def _against_all_pairs(corpus: Corpus, subset: int, wall_all: float, opts: ReuseOptions) -> None:
    sub = corpus.plans[:subset]
    t0 = time.perf_counter()
    detected = _detected_pairs(sub, opts)
    t_sub = time.perf_counter() - t0
    t_pairs, exhaustive, compared = all_pairs(sub, opts)
    caught = len(exhaustive & detected)
    print(f"on {len(sub)} plans: detection {t_sub:.2f} s | all-pairs rapidfuzz "
          f"{t_pairs:.2f} s for {compared:,} sentence pairs (normalising not counted) | "
          f"all-pairs / detection = {t_pairs / t_sub:.1f}x")
    print(f"  all-pairs matches (ratio >= {opts.threshold}): {len(exhaustive):,}; found by detection: {caught:,} "
          f"({caught / max(1, len(exhaustive)):.3f}); all-pairs on {len(corpus.plans)} plans would take about "
          f"{t_pairs * (len(corpus.plans) / len(sub)) ** 2:.0f} s against detection's {wall_all:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plans", type=int, default=1000, help="plans in the generated corpus (default 1000)")
    ap.add_argument("--subset", type=int, default=100, help="plans compared all-pairs (default 100)")
    ap.add_argument("--copied", type=float, default=0.05, help="share of copied sentences (default 0.05)")
    ap.add_argument("--measure", type=int, default=0, help=argparse.SUPPRESS)  # one size, in a child process
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(_measure(args.measure, args.copied)))
        return
    t0 = time.perf_counter()
    corpus = generate(args.plans, args.copied)
    sentences = sum(len(t.text.split("。")) - 1 for p in corpus.plans for t in p.tasks)
    chars = sum(len(t.text) for p in corpus.plans for t in p.tasks)
    print(f"corpus: {len(corpus.plans)} plans, {sentences:,} sentences, {chars / 1e6:.1f} M characters, "
          f"{len(corpus.planted):,} copies planted (generated in {time.perf_counter() - t0:.1f} s); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    wall = _scale(sorted({max(1, args.plans // 4), max(1, args.plans // 2), args.plans}), args.copied)
    _recall(corpus)
    _against_all_pairs(corpus, args.subset, wall, ReuseOptions())
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (wall-clock figures grow with other work on the "
          f"machine; CPU seconds much less)")


if __name__ == "__main__":
    main()
