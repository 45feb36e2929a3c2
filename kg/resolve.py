"""Resolution: the one place identity is decided (regions, departments, cited plans, indicators).

A department is qualified by the region whose government it belongs to: 「县市场监督管理局」 in
the 民和 plan is 民和回族土族自治县市场监督管理局, and 「市知识产权局」 in a district plan of 重庆
is 重庆市知识产权局. Indicator names map to concepts comparable across plans. A cited plan's key
folds its wordings. Everything here runs before plan data is written (and again, by
:func:`finalise`, on reviewed plan data read back), so graph assembly only assembles.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Callable
from functools import cache
from typing import Protocol

import ahocorasick

from kg.model import CitedPlan, Department, Evidence, PlanData, RegionRef
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


def _leading_region(src: str, g: Gazetteer, support: Callable[[Region], int]) -> Region | None:
    """The region a name opens with, down its chain of contained units: 成都市郫都区… -> 郫都区.

    A name such as 某县贯彻落实某市…方案 or 某市人民政府办公室 is the body or plan of the region it
    begins with; the regions it names further on are the ones it cites.
    """
    for prefix in lexicon().metadata["body_prefixes"]:
        if src.startswith(prefix):
            src = src[len(prefix):]
            break
    mentions = region_mentions(src)
    if not mentions or mentions[0][1] != 0:
        return None
    chain: list[list[Region]] = [list(g.by_alias.get(mentions[0][0], []))]
    pos = len(mentions[0][0])
    for alias, start in mentions[1:]:
        if start != pos:
            break
        parents = chain[-1]
        inside = [r for r in g.by_alias.get(alias, []) if any(p in g.ancestors(r) for p in parents)]
        if not inside:
            break
        # the contained unit settles which of several same-named parents was meant
        chain[-1] = [p for p in parents if any(p in g.ancestors(r) for r in inside)]
        chain.append(inside)
        pos += len(alias)
    cands = chain[-1]
    if not cands:
        return None
    return max(cands, key=lambda r: (support(r), r.current))


def resolve_plan_region(sources: list[str], body: str) -> Region | None:
    """The region a plan governs: from the issuer, then the title, then the body.

    A source that opens with a region names it (成都市郫都区人民政府办公室 -> 郫都区); otherwise,
    within the first source that names a region, the most specific one wins. Ambiguous short
    names are settled by how often their ancestors are named in the document, then by which
    unit is current (a district that replaced a county of the same name).
    """
    g: Gazetteer = gazetteer()
    body_counts = Counter(a for a, _ in region_mentions(body))

    def support(r: Region) -> int:
        return sum(body_counts[a] for anc in g.ancestors(r) for a in anc.aliases())

    for src in sources:
        if not src:
            continue
        lead = _leading_region(src, g, support)
        if lead is not None:
            return lead
        cands = [r for a, _ in region_mentions(src) for r in g.by_alias.get(a, [])]
        if cands:
            return max(cands, key=lambda r: (_LEVEL_ORDER[r.level], support(r), r.current, r.name in src))
    # no issuer or title: the most named region of the body, preferring supported specific ones
    scored = Counter()
    for alias, n in body_counts.items():
        for r in g.by_alias.get(alias, []):
            scored[r.code] += n
    if not scored:
        return None
    best = max(scored, key=lambda c: (scored[c] + support(g.by_code[c]), _LEVEL_ORDER[g.by_code[c].level],
                                      g.by_code[c].current))
    return g.by_code[best]


# ---------------------------------------------------------------- cited plans

_MARKS = re.compile(r"[\s“”‘’\"'《》「」『』〈〉]")


@cache
def _cited_rx() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str], re.Pattern[str]]:
    """(year range, year in Chinese numerals, Chinese digit -> digit, issuing notice) from the lexicon."""
    meta = lexicon().metadata
    dates, cited = meta["dates"], meta["cited"]
    digits = {c: str(d) for c, d in dates["chinese_digits"].items()}
    return (re.compile(cited["year_range"]), re.compile(dates["chinese_year"]), digits,
            re.compile(cited["notice"]))


def cited_plan_key(title: str) -> str:
    """The identity of a cited document, the same however a plan words the citation.

    Quotes, book-title marks, spaces and a bracketed year range are left out (重庆市知识产权保护和运用
    “十四五”规划（2021-2025年） and 重庆市知识产权保护和运用十四五规划 are one document), years in
    Chinese numerals become digits (二〇三五年 = 2035年), a leading short region name becomes its full
    name (湘西自治州 = 湘西土家族苗族自治州), and a notice that issues a document stands for that
    document, named with its issuer's region when it does not name one (某市人民政府办公厅关于印发
    知识产权…规划的通知 = 某市知识产权…规划).
    """
    years, zh_year, zh_digit, notice = _cited_rx()
    key = _MARKS.sub("", unicodedata.normalize("NFKC", title))
    key = zh_year.sub(lambda m: "".join(zh_digit[c] for c in m.group()), key)
    m = notice.match(key)
    if m and m.group("inner"):
        key = m.group("inner")
        lead = _full_leading_region(key)
        issuer_region = _full_leading_region(m.group("issuer"))
        if lead is None and issuer_region is not None:
            key = issuer_region[1] + key
    key = years.sub("", key)
    lead = _full_leading_region(key)
    if lead is not None:
        key = lead[1] + key[lead[0]:]
    return key


def _full_leading_region(text: str) -> tuple[int, str] | None:
    """(length of the region name a text opens with, that region's full name), when unambiguous."""
    mentions = region_mentions(text)
    if not mentions or mentions[0][1] != 0:
        return None
    alias = mentions[0][0]
    names = {r.name for r in gazetteer().by_alias.get(alias, [])}
    return (len(alias), names.pop()) if len(names) == 1 else None


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
    if n.startswith(tuple(lex["national_prefixes"])):
        return _expand(n), None, True
    # a leading region name: 重庆银监局, 人行重庆营管部 keep their own region. A short form (重庆,
    # 民和) counts only for the plan's own region or a region above or below it, so that 公安局
    # does not become a bureau of 公安县.
    for lead in ("", *lex["region_leads"]):
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
            rest = lex["bare_bodies"].get(rest, rest)  # 县政府, 县府 -> 县人民政府
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
    return _name_region_lead().sub("", n)


@cache
def _name_region_lead() -> re.Pattern[str]:
    """Region words opening an indicator's name (全县…, 我市…), from the lexicon."""
    leads = lexicon().indicators["name_region_leads"]
    return re.compile("^(" + "|".join(re.escape(w) for w in leads) + ")")


def indicator_concept(name: str, target: float | None = None) -> str:
    """The concept an indicator name measures; unknown names are their own concept.

    A fractional target of a plain count (有效发明专利拥有量 0.76件) is the per-capita measure.
    """
    n = _indicator_norm(name)
    concept = _concept_index().get(n, n)
    if target is not None and not float(target).is_integer():
        concept = lexicon().indicators["fractional_means_per_capita"].get(concept, concept)
    return concept


# ---------------------------------------------------------------- departments of one plan


class NameMention(Protocol):
    """A department name found in the text (kg.extract.departments.Mention has this shape)."""

    name: str
    start: int
    end: int
    alias_of: str | None


def resolve_departments(mentions: list[NameMention], region: Region | None,
                        evidence: Callable[[int, int], Evidence], max_evidence: int
                        ) -> tuple[OrderedDict[str, Department], dict[str, str]]:
    """Group mentions by region-qualified identity; a bracketed co-name joins the body it names.

    Returns the departments by key and the key of every printed name.
    """
    key_of: dict[str, str] = {}
    groups: OrderedDict[str, dict] = OrderedDict()
    for m in sorted(mentions, key=lambda x: x.alias_of is not None):
        if m.name in key_of and m.alias_of is None:
            key = key_of[m.name]
        elif m.alias_of is not None and m.alias_of in key_of:
            key = key_of[m.alias_of]
        else:
            qualified, reg, _national = qualify_department(m.name, region)
            key = department_key(qualified, reg)
            groups.setdefault(key, {"names": [], "qualified": qualified, "region": reg, "ev": []})
        key_of.setdefault(m.name, key)
        grp = groups[key]
        if m.name not in grp["names"]:
            grp["names"].append(m.name)
        if len(grp["ev"]) < max_evidence:
            grp["ev"].append(evidence(m.start, m.end))
    out: OrderedDict[str, Department] = OrderedDict()
    for key, grp in groups.items():
        names = grp["names"]
        name = max(names, key=len)
        out[key] = Department(key=key, name=name, aliases=[n for n in names if n != name],
                              qualified_name=grp["qualified"], function_type=function_type(grp["qualified"]),
                              region=region_ref(grp["region"]) if grp["region"] else None, evidence=grp["ev"])
    return out, key_of


# ---------------------------------------------------------------- a plan's identities, once


def finalise(plan: PlanData) -> PlanData:
    """Decide the identities graph assembly relies on: cited plans' keys and the issuer as a body.

    Runs on freshly extracted plan data and on reviewed plan data read back, so a corrected title or
    issuer gets its identity from the same rules. Returns a new object; the input is left as it is.
    """
    m = plan.plan
    g = gazetteer()
    region = g.by_code.get(m.region.code) if m.region else None
    cited = [CitedPlan(title=c.title, key=cited_plan_key(c.title), doc_number=c.doc_number, evidence=c.evidence)
             for c in m.implements]
    issuer = None
    ev = m.evidence.get("issuer") or m.evidence.get("title")
    if m.issuer and ev is not None:  # a body needs evidence; an issuer typed in by hand without any gets none
        qualified, reg, _ = qualify_department(m.issuer, region)
        issuer = Department(key=department_key(qualified, reg), name=m.issuer, qualified_name=qualified,
                            function_type=function_type(qualified), region=region_ref(reg) if reg else None,
                            evidence=[ev])
    meta = m.model_copy(update={"implements": cited, "issuer_body": issuer})
    return plan.model_copy(update={"plan": meta})
