"""Resolution: canonical ids for regions, departments, indicators and industries.

A department is qualified by the region whose government it belongs to: 「县市场监督管理局」 in
the 民和 plan is 民和回族土族自治县市场监督管理局, and 「市知识产权局」 in a district plan of 重庆
is 重庆市知识产权局. Indicator names map to concepts comparable across plans.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache

import ahocorasick

from kg.model import RegionRef
from ontology.lexicon import lexicon
from ontology.regions import Gazetteer, Region, gazetteer


def region_ref(region: Region) -> RegionRef:
    g = gazetteer()
    parents = [RegionRef(code=p.code, name=p.name, level=p.level) for p in reversed(g.ancestors(region))]
    return RegionRef(code=region.code, name=region.name, level=region.level, parents=parents)


@cache
def _region_automaton() -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for alias in gazetteer().by_alias:
        auto.add_word(alias, alias)
    auto.make_automaton()
    return auto


def region_mentions(text: str) -> list[tuple[str, int]]:
    """Region alias mentions in text, longest match at each position (alias, start)."""
    hits: dict[int, str] = {}
    for end, alias in _region_automaton().iter(text):
        start = end - len(alias) + 1
        if len(alias) > len(hits.get(start, "")):
            hits[start] = alias
    out, covered_to = [], -1
    for start in sorted(hits):
        if start > covered_to:
            out.append((hits[start], start))
            covered_to = start + len(hits[start]) - 1
    return out


_LEVEL_ORDER = {"county": 3, "city": 2, "province": 1}


def resolve_plan_region(sources: list[str], body: str) -> Region | None:
    """The region a plan governs: from the issuer, then the title, then the body.

    Within the first source that names a region, the most specific one wins; ambiguous short
    names are settled by how often their ancestors are named in the document.
    """
    g: Gazetteer = gazetteer()
    body_counts = Counter(a for a, _ in region_mentions(body))

    def support(r: Region) -> int:
        return sum(body_counts[a] for anc in g.ancestors(r) for a in anc.aliases())

    for src in sources:
        if not src:
            continue
        cands = [r for a, _ in region_mentions(src) for r in g.by_alias.get(a, [])]
        if cands:
            return max(cands, key=lambda r: (_LEVEL_ORDER[r.level], support(r), r.name in src))
    # no issuer or title: the most named region of the body, preferring supported specific ones
    scored = Counter()
    for alias, n in body_counts.items():
        for r in g.by_alias.get(alias, []):
            scored[r.code] += n
    if not scored:
        return None
    best = max(scored, key=lambda c: (scored[c] + support(g.by_code[c]), _LEVEL_ORDER[g.by_code[c].level]))
    return g.by_code[best]


# ---------------------------------------------------------------- departments


def function_type(name: str) -> str:
    for spec in lexicon().departments["function"]:
        if any(k in name for k in spec["keywords"]):
            return spec["type"]
    return "other"


def _expand(name: str) -> str:
    """Full forms of common abbreviations, so 市场监管局 and 市场监督管理局 are one body."""
    for short, full in lexicon().departments.get("expansions", {}).items():
        if short in name and full not in name:
            name = name.replace(short, full)
    return name


def qualify_department(name: str, plan_region: Region | None) -> tuple[str, Region | None, bool]:
    """(region-qualified name, region it belongs to, national?) for a department name."""
    lex = lexicon().departments
    g = gazetteer()
    n = unicodedata.normalize("NFKC", name)
    for prefix in ("中华人民共和国", "国家", "全国", "中央", "国务院"):
        if n.startswith(prefix):
            return _expand(n), None, True
    # a leading region name: 重庆银监局, 人行重庆营管部 keep their own region. A short form (重庆,
    # 民和) counts only for the plan's own region or a region above or below it, so that 公安局
    # does not become a bureau of 公安县.
    for lead in ("", "人行", "中共"):
        mentions = region_mentions(n[len(lead):]) if n.startswith(lead) else []
        if not mentions or mentions[0][1] != 0:
            continue
        alias = mentions[0][0]
        cands = [c for c in g.by_alias.get(alias, []) if c.name == alias or _related(g, c, plan_region)]
        if cands:
            region = cands[0]
            full = n if alias == region.name else n.replace(alias, region.name, 1)
            return _expand(full), region, False
    prefixes = sorted(lex["level_prefixes"].items(), key=lambda kv: len(kv[0]), reverse=True)
    for prefix, level in prefixes:
        if n.startswith(prefix) and len(n) > len(prefix) and plan_region is not None:
            region = g.at_level(plan_region, level)
            if region is None:
                break
            rest = n[len(prefix):]
            if rest in ("政府", "委", "府"):
                rest = {"政府": "人民政府", "府": "人民政府"}.get(rest, rest)
            return _expand(region.name + rest), region, False
    if plan_region is not None:
        return _expand(plan_region.name + n), plan_region, False
    return _expand(n), None, False


def _related(g: Gazetteer, region: Region, plan_region: Region | None) -> bool:
    if plan_region is None:
        return False
    return (region.code == plan_region.code or region in g.ancestors(plan_region)
            or plan_region in g.ancestors(region))


def department_key(qualified: str, region: Region | None) -> str:
    return f"{region.code if region else 'CN'}:{qualified}"


# ---------------------------------------------------------------- indicators


@cache
def _concept_index() -> dict[str, str]:
    out: dict[str, str] = {}
    for concept, variants in lexicon().indicators["concepts"].items():
        out[_indicator_norm(concept)] = concept
        for v in variants:
            out[_indicator_norm(v)] = concept
    return out


def _indicator_norm(name: str) -> str:
    n = unicodedata.normalize("NFKC", name)
    n = re.sub(r"[\s“”‘’\"'《》（）()]", "", n)
    return re.sub(r"^(全县|全区|全市|全省|我县|我区|我市)", "", n)


def indicator_concept(name: str, target: float | None = None) -> str:
    """The concept an indicator name measures; unknown names are their own concept.

    A fractional target of a plain count (有效发明专利拥有量 0.76件) is the per-capita measure.
    """
    n = _indicator_norm(name)
    concept = _concept_index().get(n, n)
    if target is not None and not float(target).is_integer():
        concept = lexicon().indicators["fractional_means_per_capita"].get(concept, concept)
    return concept
