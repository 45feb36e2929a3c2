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

from kg.extract.common import Ctx, after_last, clause_start, in_sections
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
        "stops": re.compile(alternation(lex["left_stops"])),
        "coord_stops": re.compile(alternation(lex["coordination_left_stops"])),
        "coord": re.compile("(" + alternation(lex["coordination_suffixes"]) + ")$"),
        "generic": re.compile("|".join(lex["generic"])),
        "not_actor": re.compile("|".join(lex["not_actors"])),
        "org": re.compile("(" + alternation(list(lex["organization_suffixes"])) + ")$"),
        "levels": re.compile("^(" + alternation([*lex["level_prefixes"], "国家", "全国", "中央", "中共"]) + ")"),
        "list_noise": re.compile("(" + alternation(lex["list_noise"]) + ")+$"),
        "marker": re.compile("^(?:" + alternation(lex["responsibility_markers"]) + r")[：:]\s*"),
        "bad_follow": re.compile("^(" + alternation(lex["false_endings"]) + ")"),
        "collective_follow": re.compile(lex["collective_followers"]),
        "decision_follow": re.compile("^(" + alternation(lex["decision_followers"]) + ")"),
        "platform_follow": re.compile(r"^[^，。；、]{0,14}?(" + alternation(lex["platform_endings"]) + ")"),
        "platform_verb": re.compile("^(" + alternation(lex["platform_verbs"]) + ")"),
        "reject_contains": re.compile(alternation(lex["descriptive_markers"])),
        "cited_author": re.compile(r"^(、[^，。；、《]{2,25}?(" + alternation(lex["author_endings"]) + "))*《"),
    }


def _special(name: str) -> bool:
    return bool(_rx()["coord"].search(name)) or name.endswith(tuple(lexicon().departments["self_anchored_endings"]))


def _has_anchor(name: str, region_aliases: set[str]) -> bool:
    """A department name needs a level prefix, a region name, or a self-identifying ending."""
    if _rx()["levels"].match(name) or _special(name):
        return True
    return any(name.startswith((a, "人行" + a, "中共" + a)) for a in region_aliases)


def _valid(name: str, region_aliases: set[str]) -> bool:
    rx = _rx()
    if not (3 <= len(name) <= 40) or rx["generic"].search(name) or rx["not_actor"].search(name):
        return False
    if rx["reject_contains"].search(name) or rx["org"].search(name):
        return False
    return _has_anchor(name, region_aliases)


def _grow_left(text: str, end_of_suffix: int, suffix_start: int, coord: bool) -> int:
    """Start of the name ending at ``end_of_suffix``: back to a delimiter, then after the last stop word."""
    i = clause_start(text, suffix_start, 0, _DELIM)
    return after_last(_rx()["coord_stops" if coord else "stops"], text, i, suffix_start)


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
        name_start = _grow_left(text, e, start + m.start(), bool(rx["coord"].search(m.group())))
        name = text[name_start:e]
        not_actor = (rx["cited_author"].match(text[e : e + 60]) or rx["decision_follow"].match(follow)
                     or (rx["platform_follow"].match(text[e : e + 30]) and not rx["platform_verb"].match(follow)))
        if not_actor:
            blockers.append(Mention(name, name_start, e))
            continue
        if not _valid(name, region_aliases):
            continue
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


def _split_list(ctx: Ctx, start: int, end: int) -> list[Mention]:
    """Items of a 责任单位 list: split on 、，; strip 等按职责分工负责 and similar."""
    rx = _rx()
    text = ctx.text
    out: list[Mention] = []
    pos = start
    for part in re.split(r"([、，,；;/])", text[start:end]):
        if part and part not in "、，,；;/":
            name = part.strip()
            lead = part.find(name)
            name = rx["list_noise"].sub("", name).strip("。 ")
            name = re.sub(r"[（(](牵头|配合|参与)[）)]$", "", name)
            if len(name) >= 2 and not rx["not_actor"].search(name):
                out.append(Mention(name, pos + lead, pos + lead + len(name), listed=True))
        pos += len(part)
    return out


def responsibility_lines(ctx: Ctx) -> list[tuple[int, int, int]]:
    """(line start, list start, list end) of every 责任单位：… line."""
    rx = _rx()
    out = []
    for ln in ctx.st.lines:
        m = rx["marker"].match(ln.text.strip())
        if m:
            lead = ln.text.find(ln.text.strip())
            out.append((ln.start, ln.start + lead + m.end(), ln.end))
    return out


def list_mentions(ctx: Ctx, start: int, end: int) -> list[Mention]:
    return _split_list(ctx, start, end)


def find_departments(ctx: Ctx, region_aliases: set[str]) -> list[Mention]:
    """All department mentions of the plan body (glossary excluded), prose and lists."""
    glossary = lexicon().outline["glossary_sections"]
    out: list[Mention] = []
    resp = responsibility_lines(ctx)
    resp_starts = {r[0] for r in resp}
    for para in ctx.st.paragraphs:
        if para.start < ctx.st.body_start or para.start in resp_starts or in_sections(para.node, glossary):
            continue
        out += find_in_span(ctx, para.start, para.end, region_aliases)
    for _line, s, e in resp:
        out += _split_list(ctx, s, e)
    return out


def find_organizations(ctx: Ctx) -> list[OrgMention]:
    """Companies, universities, research institutes, service firms and associations named in the body."""
    rx = _rx()
    kinds = lexicon().departments["organization_suffixes"]
    org_suffix = re.compile(alternation(list(kinds)))
    out: list[OrgMention] = []
    text = ctx.text
    for m in org_suffix.finditer(text, ctx.st.body_start):
        s = _grow_left(text, m.end(), m.start(), False)
        name = text[s : m.end()]
        if len(name) < 4 or len(name) > 30 or rx["reject_contains"].search(name) or rx["generic"].search(name) \
                or re.search(r"[\d等的+—]", name):
            continue
        if name[: -len(m.group())] in ("", "高等", "科研", "行业", "产业", "服务"):
            continue
        if re.match(r"^(各|有关|相关|高校|企业|龙头|骨干|重点|中小|知名|优秀|本地|全国|国内外|市场化)", name):
            continue
        out.append(OrgMention(name, kinds[m.group()], s, m.end()))
    return out
