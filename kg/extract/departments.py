"""Departments and organisations named as actors.

A name is found from its ending (局, 委员会, 联席会议, 领导小组, 法院 …, from the lexicon) and grown
to the left up to a delimiter or a verb that precedes actors (发挥, 由, 成立 …). A co-name in
brackets right after a name (区市场监管局（区知识产权局）) is an alias of the same body. Items of a
责任单位 list are bodies whatever their form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.extract.common import Ctx, SpanSet, clause_start, in_sections
from ontology.lexicon import alternation, lexicon

_DELIM = "，。；：、（）()“”《》〔〕【】\n\t,;:!?！？ "


@dataclass
class Mention:
    name: str
    start: int
    end: int
    alias_of: str | None = None  # a bracketed co-name: the name it stands beside
    listed: bool = False  # named in a 责任单位 list


@dataclass
class OrgMention:
    name: str
    kind: str
    start: int
    end: int


@cache
def _rx() -> dict[str, re.Pattern[str]]:
    lex = lexicon().departments
    return {
        "suffix": re.compile(alternation(lex["suffixes"])),
        "suffix_end": re.compile("(" + alternation(lex["suffixes"]) + ")$"),
        "stops": re.compile(alternation(lex["left_stops"])),
        "stops_lead": re.compile("^(" + alternation(lex["left_stops"]) + ")"),
        "coord_stops": re.compile(alternation(lex["coordination_left_stops"])),
        "coord": re.compile("(" + alternation(lex["coordination_suffixes"]) + ")$"),
        "generic": re.compile("|".join(lex["generic"])),
        "not_actor": re.compile("|".join(lex["not_actors"])),
        "org": re.compile("(" + alternation(list(lex["organization_suffixes"])) + ")$"),
        "levels": re.compile("^(" + alternation([*lex["level_prefixes"], *lex["anchor_prefixes"]]) + ")"),
        "bad_follow": re.compile("^(" + alternation(lex["false_endings"]) + ")"),
        "collective_follow": re.compile(lex["collective_followers"]),
        "decision_follow": re.compile("^(" + alternation(lex["decision_followers"]) + ")"),
        "platform_follow": re.compile(r"^[^，。；、]{0,14}?(" + alternation(lex["platform_endings"]) + ")"),
        "platform_verb": re.compile("^(" + alternation(lex["platform_verbs"]) + ")"),
        "reject_contains": re.compile(alternation(lex["descriptive_markers"])),
        "recipient_before": re.compile("(" + alternation(lex["recipient_before"]) + ")$"),
        "collective_before": re.compile("(" + alternation(lex["responsibility"]["collective_leads"]) + ")$"),
        "cited_author": re.compile(r"^(、[^，。；、《]{2,25}?(" + alternation(lex["author_endings"]) + "))*《"),
    }


def _special(name: str) -> bool:
    return bool(_rx()["coord"].search(name)) or name.endswith(tuple(lexicon().departments["self_anchored_endings"]))


def _has_anchor(name: str, region_aliases: set[str]) -> bool:
    """A department name needs a level prefix, a region name, or a self-identifying ending."""
    if _rx()["levels"].match(name) or _special(name):
        return True
    leads = lexicon().departments["region_leads"]
    return any(name.startswith((a, *(lead + a for lead in leads))) for a in region_aliases)


def _valid(name: str, region_aliases: set[str]) -> bool:
    rx = _rx()
    if not (3 <= len(name) <= 40) or rx["generic"].search(name) or rx["not_actor"].search(name):
        return False
    if rx["suffix_end"].fullmatch(name) or re.search(r"\d", name):
        return False  # an ending alone (领导小组) or a phrase with a number is no body's name
    if rx["reject_contains"].search(name) or rx["org"].search(name):
        return False
    return _has_anchor(name, region_aliases)


def _starts(text: str, suffix_start: int, coord: bool) -> list[int]:
    """Candidate starts of the name whose ending begins at ``suffix_start``, nearest first.

    Back to a delimiter, then after the last stop word. A stop word that can stand inside a name
    (和 in 省工业和信息化厅) offers the start before it as a second candidate, taken only when the
    nearer name is not a valid body.
    """
    i = clause_start(text, suffix_start, 0, _DELIM)
    stops = [(m.start(), m.end(), m.group()) for m in _rx()["coord_stops" if coord else "stops"].finditer(
        text, i, suffix_start)]
    if not stops:
        return [i]
    inner = set(lexicon().departments["in_name_stops"])
    out = [stops[-1][1]]
    for k in range(len(stops) - 1, -1, -1):
        if stops[k][2] not in inner or stops[k][0] <= i:
            break
        out.append(stops[k - 1][1] if k > 0 else i)
    if len(out) > 1:
        out.append(i)  # a stop word may also sit inside a word of the name (经 in 县经济和信息化局)
    return out


def find_in_span(ctx: Ctx, start: int, end: int, region_aliases: set[str]) -> list[Mention]:
    """Department mentions in the cleaned span [start, end) of running text."""
    rx = _rx()
    text = ctx.text
    seg = text[start:end]
    # names inside 《…》 are parts of cited titles, not actors
    masked = [(start + q.start(), start + q.end()) for q in re.finditer(r"《[^《》]*》", seg)]
    cands: list[Mention] = []
    blockers: list[Mention] = []  # real names that are not actors here; what nests in them is no actor either
    for m in rx["suffix"].finditer(seg):
        e = start + m.end()
        if any(a <= start + m.start() < b for a, b in masked):
            continue
        follow = text[e : e + 12]
        bad = rx["bad_follow"].match(m.group()[-1:] + follow[:5]) or rx["bad_follow"].match(m.group() + follow[:4])
        if bad and bad.end() > len(m.group()):  # the "ending" is really the start of another word (局面, 办法)
            continue
        if rx["collective_follow"].match(follow):
            continue
        starts = _starts(text, start + m.start(), bool(rx["coord"].search(m.group())))
        name_start = next((s for s in starts if _valid(text[s:e], region_aliases)), starts[0])
        name = text[name_start:e]
        not_actor = (rx["cited_author"].match(text[e : e + 60]) or rx["decision_follow"].match(follow)
                     or (rx["platform_follow"].match(text[e : e + 30]) and not rx["platform_verb"].match(follow))
                     or rx["recipient_before"].search(text[max(start, name_start - 4) : name_start]))
        if not_actor:
            blockers.append(Mention(name, name_start, e))
            continue
        if not _valid(name, region_aliases) or rx["collective_before"].search(text[max(0, name_start - 3):name_start]):
            continue  # 各县市人民政府 cut at 各 is a collective: bodies of that kind come from responsibility lists
        cands.append(Mention(name, name_start, e))
    # drop a name nested in a longer one that does not end where it ends (县委 in 县委宣传部)
    longer = cands + blockers
    out = [c for c in cands if not any(o is not c and o.start <= c.start and c.end < o.end for o in longer)]
    # a bracketed co-name right after a name is its alias: 区市场监管局（区知识产权局）
    for a in out:
        for b in out:
            if b.start == a.end + 1 and text[a.end : a.end + 1] in "（(" and text[b.end : b.end + 1] in "）)":
                b.alias_of = a.name
    return out


def department_rx() -> dict[str, re.Pattern[str]]:
    """The compiled department patterns of the lexicon (shared with the responsibility reader)."""
    return _rx()


def find_departments(ctx: Ctx, region_aliases: set[str], skip: SpanSet) -> list[Mention]:
    """Department mentions of the plan body's running text (glossary excluded).

    ``skip``: spans read as responsibility lists (their bodies are taken from the lists, whatever their form).
    """
    glossary = lexicon().outline["glossary_sections"]
    out: list[Mention] = []
    for para in ctx.st.paragraphs:
        if para.start < ctx.st.body_start or in_sections(para.node, glossary):
            continue
        out += [m for m in find_in_span(ctx, para.start, para.end, region_aliases)
                if not skip.holds(m.start)]
    return out


def find_organizations(ctx: Ctx) -> list[OrgMention]:
    """Companies, universities, research institutes, service firms and associations named in the body."""
    rx = _rx()
    lex = lexicon().departments
    kinds = lex["organization_suffixes"]
    org_suffix = re.compile(alternation(list(kinds)))
    breakers = re.compile(lex["organization_breakers"])
    generic_heads = ("", *lex["organization_generic_heads"])
    generic_leads = tuple(lex["organization_generic_leads"])
    out: list[OrgMention] = []
    text = ctx.text
    for m in org_suffix.finditer(text, ctx.st.body_start):
        s = _starts(text, m.start(), False)[0]
        name = text[s : m.end()]
        if len(name) < 4 or len(name) > 30 or rx["reject_contains"].search(name) or rx["generic"].search(name) \
                or breakers.search(name):
            continue
        if name[: -len(m.group())] in generic_heads:
            continue
        if name.startswith(generic_leads):
            continue
        out.append(OrgMention(name, kinds[m.group()], s, m.end()))
    return out
