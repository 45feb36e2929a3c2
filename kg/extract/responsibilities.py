"""Responsibilities: the bodies a plan names for a task, each with its role (lead or co).

The forms, each read wherever it stands (patterns in the lexicon, departments.toml [responsibility]):

- a parenthetical in a task's text: ``（责任单位：A、B）``, ``（A牵头，B、C配合）``, ``（A负责）``,
  ``（A、B按职责分工负责）``, ``（牵头单位：A；配合单位：B、C）``, ``（A牵头，各县（市、区）人民政府落实）``;
- lines under a task: ``牵头单位：A`` / ``配合单位：B、C`` / ``责任单位：…`` / ``参与单位：…``;
- cells of a task-division table's body columns (read by :mod:`kg.extract.tasks` with :func:`parse_assignment`);
- prose in a task's own text: ``由A负责…``, ``A要会同B、C…``, ``支持A、B等部门联合开展…``.

A bracketed co-name (``市市场监管局（市知识产权局）``) is one body with an alias, never a second body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.extract.common import Ctx, SpanSet, in_sections
from kg.extract.departments import Mention, department_rx, find_in_span
from ontology.lexicon import alternation, lexicon

OPEN, CLOSE = "（(", "）)"
_CLAUSE_SEPS = "；;，,。"


@dataclass
class Item:
    """One body of an assignment: its name (and co-name) with spans, and its role."""

    mention: Mention
    alias: Mention | None
    style: str  # lead | co | list (before roles are settled)
    role: str = "co"


@dataclass
class Assignment:
    """Bodies named for a task by one piece of text (a parenthetical, a line, a cell, a sentence)."""

    start: int
    end: int
    items: list[Item]
    form: str  # parenthetical | line | table | prose


@cache
def _rx() -> dict[str, re.Pattern[str]]:
    r = lexicon().departments["responsibility"]
    return {
        "marker": re.compile(r"^\s*(" + alternation(list(r["markers"])) + r")\s*[：:]\s*"),
        "closer": re.compile("(" + alternation(list(r["closers"])) + ")(?:" + alternation(r["closer_tails"])
                             + r")?\s*$"),
        "joiner": re.compile(alternation(r["lead_co_joiners"])),
        "item_role": re.compile(r"[（(](" + alternation(list(r["item_roles"])) + r")[）)]$"),
        "noise": re.compile("(" + alternation(lexicon().departments["list_noise"]) + ")+$"),
        "collective": re.compile("^(" + alternation(r["collective_leads"]) + ")"),
        # a collective named as a body (各镇（街道）, 各县（市、区）人民政府), not a clause that opens with 各
        "collective_name": re.compile("^(" + alternation(r["collective_leads"]) + r")[^，。；："
                                      + "".join(r["collective_name_breakers"]) + "]{1,14}$"),
        "institution": re.compile("(" + alternation(r["institution_endings"]) + ")$"),

        "clause_delims": re.compile(r"[，。；：:,;]"),
        "clause_opener": re.compile(r"\s*(" + alternation(r["clause_openers"]) + ")"),
    }


def looks_like_body(name: str) -> bool:
    """True when a name ends like a government or public body (or is a collective such as 各镇（街道）)."""
    rx = _rx()
    bare = re.sub(r"[（(][^（）()]*[）)]$", "", name)
    return bool(department_rx()["suffix_end"].search(bare) or rx["institution"].search(bare)
                or rx["collective_name"].match(name))


def bracket_groups(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Top-level bracket groups ``（…）`` in text[start:end] as (open, close + 1); nested brackets stay inside."""
    out, depth, opened = [], 0, -1
    for i in range(start, end):
        ch = text[i]
        if ch in OPEN:
            if depth == 0:
                opened = i
            depth += 1
        elif ch in CLOSE and depth:
            depth -= 1
            if depth == 0:
                out.append((opened, i + 1))
    return out


def split_top(text: str, start: int, end: int, seps: str) -> list[tuple[int, int]]:
    """Split text[start:end] on separator characters outside brackets; (start, end) of each non-empty part."""
    out, depth, pos = [], 0, start
    for i in range(start, end):
        ch = text[i]
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE and depth:
            depth -= 1
        elif depth == 0 and (ch in seps or ch.isspace()):
            out.append((pos, i))
            pos = i + 1
    out.append((pos, end))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _parts(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """A list's parts: split on 、 outside brackets, and on 和 / 及 / 与 where every side ends like a body
    (县金融服务中心和县市场监督管理局), not inside a name (县人力资源和社会保障局)."""
    out = []
    for a, b in split_top(text, s, e, "、/"):
        sub = split_top(text, a, b, "".join(lexicon().departments["responsibility"]["list_joiners"]))
        if len(sub) > 1 and all(looks_like_body(text[x:y].strip()) for x, y in sub):
            out += sub
        else:
            out.append((a, b))
    return out


def _items(text: str, s: int, e: int, style: str) -> list[Item]:
    """Bodies of a list text[s:e] (split on 、 outside brackets), stripped of 等, 按职责分工负责 and the like."""
    rx = _rx()
    out = []
    for a, b in _parts(text, s, e):
        a, b = _strip(text, a, b)
        name = text[a:b]
        role = style
        rm = rx["item_role"].search(name)
        if rm:  # 县市场监管局（牵头）
            role = lexicon().departments["responsibility"]["item_roles"][rm.group(1)]
            name = name[: rm.start()]
        name = rx["noise"].sub("", name).rstrip("。 ")
        b = a + len(name)
        if len(name) < 2 or not re.search(r"[\u4e00-\u9fff]", name):
            continue
        alias = None
        co = re.search(r"[（(]([^（）()]{2,30})[）)]$", name)
        if co and looks_like_body(co.group(1)) and not rx["collective"].match(co.group(1)) \
                and looks_like_body(name[: co.start()]):
            # a co-name: 市市场监管局（市知识产权局） is one body with an alias
            alias = Mention(co.group(1), a + co.start(1), a + co.end(1), listed=True)
            name = name[: co.start()]
            b = a + len(name)
            alias.alias_of = name
        if out and name in resp_words()["collective_continuations"] and rx["collective"].match(out[-1].mention.name):
            # 各乡镇人民政府、街道办事处: 各 governs both nouns, so they name one collective
            prev = out[-1].mention
            prev.name, prev.end = text[prev.start : b], b
            continue
        out.append(Item(Mention(name, a, b, listed=True), alias, role))
    return out


def resp_words() -> dict:
    """The [responsibility] table of the department lexicon."""
    return lexicon().departments["responsibility"]


def _joined_items(text: str, a: int, b: int, style: str) -> list[Item]:
    """Items of a list, where 会同 splits a lead (before it) from the bodies that cooperate (after it)."""
    j = _rx()["joiner"].search(text, a, b)
    if j is None or any(o < j.start() < c for o, c in bracket_groups(text, a, b)):
        return _items(text, a, b, style)
    return _items(text, a, j.start(), "lead") + _items(text, j.end(), b, "co")


def parse_assignment(text: str, start: int, end: int, default: str | None = None,
                     require_body: bool = False) -> list[Item] | None:
    """Bodies and roles named by text[start:end], or None when it assigns nothing.

    Clauses (split on ，；。 outside brackets) open with a field label (``牵头单位：``) or close with a
    role word (``牵头``, ``配合``, ``负责``, ``按职责分工负责``, ``落实``); a clause with neither continues the
    label before it or takes the role word after it. Without any label or role word the text is an
    assignment only when ``default`` gives the role (a table's body column). ``require_body``: every
    item must end like a body (a parenthetical without a field label).
    """
    rx = _rx()
    resp = lexicon().departments["responsibility"]
    items: list[Item] = []
    pending: list[Item] = []
    current: str | None = None
    marked = False
    for a, b in split_top(text, start, end, _CLAUSE_SEPS):
        clause = text[a:b]
        style: str | None = None
        m = rx["marker"].match(clause)
        if m:
            current = style = resp["markers"][m.group(1)]
            a += m.end()
            marked = True
        c = rx["closer"].search(text[a:b])
        if c and a + c.start() > a:
            if style is None:
                style = resp["closers"][c.group(1)]
            b = a + c.start()
            marked = True
        found = _joined_items(text, a, b, style or current or "list")
        if style is None and current is None:
            pending += found
            continue
        for it in pending:
            it.style = style or current or "list"
        items += pending + found
        pending = []
    if pending:
        if default is None and not marked:
            return None
        for it in pending:
            it.style = default or "list"
        items += pending
    if not items or (not marked and default is None):
        return None
    if require_body and not marked:
        return None
    if require_body and not all(looks_like_body(it.mention.name) for it in items):
        return None
    settle_roles(items)
    return items


def settle_roles(items: list[Item]) -> None:
    """lead and co as stated; a list without role words makes its first body the lead."""
    has_lead = any(it.style == "lead" for it in items)
    for it in items:
        if it.style == "list":
            it.role = "co" if has_lead else "lead"
            has_lead = True
        else:
            it.role = it.style


def parentheticals(ctx: Ctx, start: int, end: int) -> list[Assignment]:
    """Responsibility parentheticals in text[start:end]: （责任单位：A、B）, （A牵头，B配合）, （A负责）."""
    out = []
    for s, e in bracket_groups(ctx.text, start, end):
        items = parse_assignment(ctx.text, s + 1, e - 1, require_body=True)
        if items:
            out.append(Assignment(s, e, items, "parenthetical"))
    return out


def marker_lines(ctx: Ctx) -> list[tuple[Assignment | None, int, int]]:
    """Every line opening with a field label (牵头单位：…); the assignment is None when it names no body."""
    rx = _rx()
    out = []
    for ln in ctx.st.lines:
        if ln.start < ctx.st.body_start or not rx["marker"].match(ln.text):
            continue
        items = parse_assignment(ctx.text, ln.start, ln.end)
        out.append((Assignment(ln.start, ln.end, items, "line") if items else None, ln.start, ln.end))
    return out


def _groups(text: str, mentions: list[Mention]) -> list[list[Mention]]:
    """Runs of body names joined by 、 和 及 与 (市中级人民法院、市司法局)."""
    out: list[list[Mention]] = []
    for m in sorted(mentions, key=lambda x: x.start):
        if m.alias_of is not None:
            continue
        gap = re.sub(r"^[（(][^（）()]*[）)]", "", text[out[-1][-1].end : m.start]) if out else ""
        # a co-name in brackets may stand before the joiner
        if out and gap in ("、", *lexicon().departments["responsibility"]["list_joiners"], "，"):
            out[-1].append(m)
        else:
            out.append([m])
    return out


def prose(ctx: Ctx, start: int, end: int, region_aliases: set[str], skip: SpanSet) -> list[Assignment]:
    """Bodies a task's own text makes the actors of the task.

    Three readings of each sentence, in this order: list patterns whose list is bodies whatever their
    names' form (由县茶产业发展中心负责…, 支持A、B等单位联合…); clauses closing with a role word
    (A、B按职责分工负责。 / …，各县（市、区）人民政府配合); runs of recognised names with the words around
    them (A要会同B、C…).
    """
    resp = resp_words()
    text = ctx.text
    out: list[Assignment] = []
    for sent in ctx.sentences_in(start, end):
        if skip.holds(sent.start):
            continue
        if in_sections(sent.node, resp["prose_excluded_sections"]):
            continue
        s0, s1 = max(sent.start, start), min(sent.end, end)
        items: list[Item] = []
        for rule in resp["prose_lists"]:
            for m in _list_rx(rule["pattern"]).finditer(text, s0, s1):
                lead = department_rx()["stops_lead"].match(m.group("list"))
                if lead and not _rx()["collective"].match(lead.group()):
                    continue  # the list opens with a verb (支持A、B…): another pattern reads it
                found = _items(text, m.start("list"), m.end("list"), rule["role"])
                if found and all(looks_like_body(i.mention.name) for i in found):
                    _merge(items, found)
        for a, b in split_top(text, s0, s1, "，；。,;"):
            if _rx()["clause_opener"].search(text, a, b):
                continue  # 由…负责 is read by the list patterns
            if not _rx()["closer"].search(text, a, b):
                continue  # cheap test first: most clauses close with no role word
            found = parse_assignment(text, a, b, require_body=True)
            if found:
                _merge(items, found)
        _merge(items, _around_names(ctx, s0, s1, region_aliases, skip))
        if items:
            settle_roles(items)
            out.append(Assignment(s0, s1, items, "prose"))
    return out


def _merge(items: list[Item], found: list[Item]) -> None:
    """Add the bodies not named yet, in order."""
    names = {i.mention.name for i in items}
    items.extend(i for i in found if i.mention.name not in names)


@cache
def _list_rx(pattern: str) -> re.Pattern[str]:
    # LIST: names joined by 、和及, each may carry a co-name in brackets
    joiners = "".join(lexicon().departments["responsibility"]["prose_list_joiners"])
    body = r"(?:[^，。；：、（）()" + joiners + r"]|[（(][^（）()]{1,30}[）)])"
    return re.compile(pattern.replace("LIST", rf"(?P<list>{body}{{2,40}}?(?:[、{joiners}]{body}{{2,40}}?)*)"))


def _around_names(ctx: Ctx, s0: int, s1: int, region_aliases: set[str], skip: SpanSet) -> list[Item]:
    """Runs of recognised body names whose surrounding words make them actors ([[responsibility.prose]])."""
    rx = _rx()
    text = ctx.text
    mentions = [m for m in find_in_span(ctx, s0, s1, region_aliases) if not skip.holds(m.start)]
    items: list[Item] = []
    for group in _groups(text, mentions):
        g0, g1 = group[0].start, group[-1].end
        co = re.match(r"[（(][^（）()]{1,30}[）)]", text[g1 : g1 + 32])  # a co-name after the last name
        if co:
            g1 += co.end()
        clause0 = s0
        for d in rx["clause_delims"].finditer(text, s0, g0):
            clause0 = d.end()
        before, after = text[clause0:g0], text[g1 : g1 + 10]
        for rule in resp_words()["prose"]:
            if rule.get("subject") and re.sub(r"[\s—]", "", before):
                continue
            if "before" in rule and not re.search(rule["before"], before):
                continue
            if "after" in rule and not re.search(rule["after"], after):
                continue
            items += [Item(m, None, rule["role"]) for m in group if m.name not in {i.mention.name for i in items}]
            break
    return items
