"""Tasks of the outline and the bodies named responsible for them.

Every outline node outside review, glossary and framing sections (指导思想, 基本原则, 发展目标 …) is a
task (nested tasks keep their parent); rows of a task-division table are tasks too. Who is
responsible comes from the forms :mod:`kg.extract.responsibilities` reads: parentheticals and
field-label lines belong to the deepest task holding them, a table row's body columns to that row,
and prose to the task whose own text it is, only when nothing else names the task's bodies.
What could not be placed becomes a diagnostic for a reviewer, with its line number.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from kg.extract.common import Ctx, SpanSet, in_sections
from kg.extract.departments import Mention
from kg.extract.responsibilities import (
    Assignment,
    Item,
    bracket_groups,
    marker_lines,
    parentheticals,
    parse_assignment,
    prose,
    settle_roles,
)
from kg.model import Diagnostic, Evidence
from kg.structure import Cell, Node, TableT
from ontology.lexicon import lexicon

_NUMBER_LEAD = re.compile(r"^\s*\d{1,3}[\.．、]\s*")


@dataclass
class TaskDraft:
    id: str
    title: str
    text: str
    path: list[str]
    parent: str | None
    start: int
    end: int
    evidence: Evidence
    leaf: bool
    own_end: int = -1  # end of the task's own text (before its first sub-task); -1: same as end
    runs: list[tuple[int, int, int]] = field(default_factory=list)  # Task.source_runs
    responsible: list[tuple[Mention, str, Evidence]] = field(default_factory=list)  # (body, role, evidence)
    aliases: list[Mention] = field(default_factory=list)  # co-names named beside the bodies

    def assign(self, ctx: Ctx, a: Assignment, *, sentence: str | None = None, node: Node | None = None) -> None:
        """Add the bodies of an assignment, once each, with the evidence of its text."""
        ev = ctx.evidence(a.start, a.end, sentence=sentence if sentence is not None
                          else ctx.text[a.start:a.end].strip(), node=node)
        named = {m.name for m, _, _ in self.responsible}
        for it in a.items:
            if it.mention.name not in named:
                self.responsible.append((it.mention, it.role, ev))
                named.add(it.mention.name)
            if it.alias is not None:
                self.aliases.append(it.alias)


@dataclass
class TaskReading:
    """Tasks, the spans read as responsibility markup, and what a reviewer should check."""

    drafts: list[TaskDraft]
    markup: SpanSet
    diagnostics: list[Diagnostic]


def _own_span(node: Node) -> tuple[int, int]:
    """The node's own text: up to its first child."""
    end = min((c.start for c in node.children), default=node.end)
    return node.start, max(end, node.start)


def _skipped(node: Node) -> bool:
    lex = lexicon().outline
    return (node.kind == "annex" or in_sections(node, lex["review_sections"])
            or in_sections(node, lex["glossary_sections"]) or in_sections(node, lex["non_task_sections"]))


def diagnostic(ctx: Ctx, kind: str, start: int, end: int, message: str) -> Diagnostic:
    """A reviewer's note on the cleaned span [start, end), with its 1-based line in the source file."""
    s, _ = ctx.doc.clean.source_span(start, max(start, end))
    line = ctx.source_line(s)
    text = ctx.text[start:end].strip()
    return Diagnostic(kind=kind, line=line, text=text[:120] + ("…" if len(text) > 120 else ""), message=message)


class _Owners:
    """The deepest task holding a position, in logarithmic time (outline tasks nest)."""

    def __init__(self, drafts: list[TaskDraft]) -> None:
        self._drafts = sorted(drafts, key=lambda d: d.start)  # outline order: a parent before its children
        self._starts = [d.start for d in self._drafts]
        self._by_id = {d.id: d for d in drafts}

    def at(self, pos: int) -> TaskDraft | None:
        i = bisect_right(self._starts, pos) - 1
        d = self._drafts[i] if i >= 0 else None
        while d is not None and not (d.start <= pos < d.end):  # a finished sibling: its parent holds pos
            d = self._by_id.get(d.parent) if d.parent else None
        return d


def build_tasks(ctx: Ctx, region_aliases: set[str]) -> TaskReading:
    """The plan's tasks with their responsible bodies (see the module docstring)."""
    text = ctx.text
    drafts: list[TaskDraft] = []
    by_node: dict[int, TaskDraft] = {}
    for node in ctx.st.nodes:
        if _skipped(node) or node.title.startswith("——"):
            continue
        s, e = _own_span(node)
        first_line_end = text.find("\n", node.start)
        first_line_end = node.end if first_line_end < 0 else min(first_line_end, node.end)
        parent = node.parent
        while parent is not None and id(parent) not in by_node:
            parent = parent.parent
        own = text[s:e]
        lead = len(own) - len(own.lstrip())
        d = TaskDraft(
            id=f"t{node.id}", title=node.title, text=own.strip(), path=node.path(),
            parent=by_node[id(parent)].id if parent is not None else None,
            start=node.start, end=node.end, own_end=e,
            evidence=ctx.evidence(node.start, first_line_end, sentence=text[node.start:first_line_end].strip(),
                                  node=node),
            leaf=not node.children,
            runs=ctx.source_runs([(0, s + lead, s + lead + len(own.strip()))]),
        )
        drafts.append(d)
        by_node[id(node)] = d

    markup = SpanSet()
    owners = _Owners(drafts)
    diags: list[Diagnostic] = []
    # field-label lines (牵头单位：…) and parentheticals belong to the deepest task holding them
    for a, ls, le in marker_lines(ctx):
        markup.add(ls, le)
        if a is None:
            diags.append(diagnostic(ctx, "marker-without-body", ls, le, "a responsibility label names no body"))
            continue
        owner = owners.at(ls)
        if owner is None:
            diags.append(diagnostic(ctx, "marker-outside-task", ls, le,
                                    "responsibility line outside any task: no task to give it to"))
            continue
        owner.assign(ctx, a)
    for para in ctx.st.paragraphs:
        if para.start < ctx.st.body_start or markup.holds(para.start):
            continue
        found = parentheticals(ctx, para.start, para.end)
        for a in found:
            markup.add(a.start, a.end)
            owner = owners.at(a.start)
            if owner is None:
                diags.append(diagnostic(ctx, "marker-outside-task", a.start, a.end,
                                        "responsibility parenthetical outside any task: no task to give it to"))
            else:
                owner.assign(ctx, a)
        diags += _unread_brackets(ctx, para.start, para.end, found)

    # prose names the bodies of a task only when no list, line or parenthetical does
    for d in drafts:
        if not d.responsible:
            for a in prose(ctx, d.start, d.own_end if d.own_end >= 0 else d.end, region_aliases, markup):
                d.assign(ctx, a)

    for ti, table in enumerate(ctx.st.tables):
        drafts += _table_tasks(ctx, ti, table, by_node, markup, diags)
    return TaskReading(drafts, markup, diags)


def _unread_brackets(ctx: Ctx, start: int, end: int, found: list[Assignment]) -> list[Diagnostic]:
    """Brackets that use a responsibility word (牵头, 责任单位 …) but were not read as an assignment."""
    resp = lexicon().departments["responsibility"]
    words = [*resp["markers"], *resp["item_roles"]]
    read = {(a.start, a.end) for a in found}
    out = []
    for s, e in bracket_groups(ctx.text, start, end):
        inner = ctx.text[s + 1 : e - 1]
        if (s, e) in read or len(inner) > 200 or not any(w in inner for w in words):
            continue
        if parse_assignment(ctx.text, s + 1, e - 1) is None or any(a.start <= s < a.end for a in found):
            out.append(diagnostic(ctx, "marker-unread", s, e,
                                  "a responsibility word in brackets, but no body list could be read"))
    return out


def _col(header: list[str], words: list[str], exclude: set[int] = frozenset()) -> int | None:  # type: ignore[assignment]
    return next((i for i, h in enumerate(header) if i not in exclude and any(w in h for w in words)), None)


def _body_columns(header: list[str]) -> dict[int, str]:
    """Columns naming bodies and the role their header gives (牵头单位 lead, 配合单位 co, 责任部门 list)."""
    resp = lexicon().departments["responsibility"]
    out: dict[int, str] = {}
    for i, h in enumerate(header):
        for word, style in sorted({**resp["column_words"], **resp["markers"]}.items(), key=lambda kv: -len(kv[0])):
            if word in h:
                out[i] = style
                break
    return out


def _task_columns(header: list[str], bodies: dict[int, str], rows: list[list[Cell]]
                  ) -> tuple[int | None, int, int | None, bool]:
    """(task column, measure column, group column, whether the task column names every row).

    A task column filled in every row names each row's task; one left blank below its first row (a
    merged cell) groups the rows under it. Without a measure header the column before the first body
    column holds the measures.
    """
    taken = set(bodies)
    task_col = _col(header, lexicon().departments["responsibility"]["task_columns"], taken)
    measures = (_col(header, [w], taken | ({task_col} if task_col is not None else set()))
                for w in lexicon().outline["measure_headers"])
    measure_col = next((c for c in measures if c is not None), None)
    full = task_col is not None and all(len(r) == len(header) and r[task_col].text for r in rows)
    if measure_col is None:
        measure_col = task_col if full and task_col is not None else max(0, min(bodies) - 1)
    group_col = None if full else (task_col if task_col is not None else (0 if measure_col > 0 else None))
    return task_col, measure_col, (None if group_col == measure_col else group_col), full


def _row_bodies(ctx: Ctx, cells: list[Cell | None], bodies: dict[int, str], markup: SpanSet) -> list[Item]:
    """The bodies a row's body columns name, once each; a 责任 column's first body leads unless a 牵头
    column names the lead."""
    items: list[Item] = []
    for col, style in sorted(bodies.items()):
        cell = cells[col] if col < len(cells) else None
        if cell is None or not cell.text:
            continue
        markup.add(cell.start, cell.end)
        got = parse_assignment(ctx.text, cell.start, cell.end, default=style) or []
        items += [it for it in got if it.mention.name not in {i.mention.name for i in items}]
    settle_roles(items)
    return items


def _table_tasks(ctx: Ctx, ti: int, table: TableT, by_node: dict[int, TaskDraft],
                 markup: SpanSet, diags: list[Diagnostic]) -> list[TaskDraft]:
    """Rows of a task-division table: the task (its task cell, else its measure up to 。) and its bodies."""
    header = [re.sub(r"\s", "", c.text) for c in table.header]
    bodies = _body_columns(header)
    if not bodies:
        return []
    rows = [list(r) for r in table.rows]
    task_col, measure_col, group_col, full = _task_columns(header, bodies, rows)
    parent_node = table.node
    while parent_node is not None and id(parent_node) not in by_node:
        parent_node = parent_node.parent
    parent_id = by_node[id(parent_node)].id if parent_node is not None else None
    out: list[TaskDraft] = []
    group: TaskDraft | None = None
    for ri, row in enumerate(rows):
        cells: list[Cell | None] = list(row)
        if len(cells) < len(header):  # ragged: cells are missing on the left (a merged group cell)
            cells = [None] * (len(header) - len(cells)) + cells
        present = [c for c in cells if c is not None]
        sentence = " | ".join(c.text for c in present)
        if any(c is not None and c.text and re.sub(r"\s", "", c.text) == h
               for c, h in zip(cells, header, strict=False)):
            continue  # the header printed again (a table running over a page break)
        gcell = cells[group_col] if group_col is not None and group_col < len(cells) else None
        if gcell is not None and gcell.text:
            title = re.sub(lexicon().outline["zh_number_lead"], "", _NUMBER_LEAD.sub("", gcell.text))
            group = TaskDraft(id=f"t{ti + 1}-g{ri + 1}", title=title, text=gcell.text,
                              path=[*table_path(table), title], parent=parent_id, start=gcell.start, end=gcell.end,
                              evidence=ctx.evidence(gcell.start, gcell.end, sentence=gcell.text, node=table.node),
                              leaf=False, runs=ctx.source_runs([(0, gcell.start, gcell.end)]))
            out.append(group)
        tcell = cells[task_col] if full and task_col is not None else None
        mcell = cells[measure_col] if measure_col < len(cells) else None
        if (mcell is None or not mcell.text) and tcell is None:
            if present:
                diags.append(diagnostic(ctx, "table-row-skipped", present[0].start, present[-1].end,
                                        "table row without task or measure text"))
            continue
        lead = tcell or mcell
        assert lead is not None
        measure = _NUMBER_LEAD.sub("", mcell.text) if mcell is not None and mcell.text else ""
        title = _NUMBER_LEAD.sub("", tcell.text) if tcell is not None else measure.split("。")[0]
        # the task's own text: its task and measure cells (body cells are markup, not task text)
        own = [c for c in (tcell, mcell) if c is not None and c.text]
        start, end = min(c.start for c in own), max(c.end for c in own)
        d = TaskDraft(id=f"t{ti + 1}-r{ri + 1}", title=title, text="。".join(c.text for c in own),
                      path=[*table_path(table), *([group.title] if group else []), title],
                      parent=group.id if group else parent_id, start=start, end=end,
                      evidence=ctx.evidence(present[0].start, present[-1].end, sentence=sentence, node=table.node),
                      leaf=True, runs=_cell_runs(ctx, own))
        items = _row_bodies(ctx, cells, bodies, markup)
        if not items:
            diags.append(diagnostic(ctx, "table-row-skipped", lead.start, present[-1].end,
                                    "table row names no responsible body"))
        else:
            d.assign(ctx, Assignment(present[0].start, present[-1].end, items, "table"), sentence=sentence,
                     node=table.node)
        out.append(d)
    return out


def table_path(table: TableT) -> list[str]:
    return table.node.path() if table.node else []


def _cell_runs(ctx: Ctx, cells: list[Cell]) -> list[tuple[int, int, int]]:
    """Source runs of a text made of cells joined by 。 (the joiner has no place in the source)."""
    pieces, at = [], 0
    for c in cells:
        pieces.append((at, c.start, c.start + len(c.text)))
        at += len(c.text) + 1
    return ctx.source_runs(pieces)
