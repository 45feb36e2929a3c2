"""Tasks of the outline and the bodies named responsible for them.

Every outline node outside review and glossary sections is a task (nested tasks keep their
parent); rows of a table with a 责任部门 column are tasks too. Responsibilities come from
``责任单位：…`` lines (for the task they follow) and from that column; both are explicit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.extract.common import Ctx, in_sections
from kg.extract.departments import Mention, list_mentions, responsibility_lines
from kg.model import Evidence
from kg.structure import Node, TableT
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
    responsible: list[tuple[Mention, Evidence]] = field(default_factory=list)


def _own_span(node: Node) -> tuple[int, int]:
    """The node's own text: up to its first child."""
    end = min((c.start for c in node.children), default=node.end)
    return node.start, max(end, node.start)


def _skipped(node: Node) -> bool:
    lex = lexicon().outline
    return (node.kind == "annex" or in_sections(node, lex["review_sections"])
            or in_sections(node, lex["glossary_sections"]))


def _col(header: list[str], words: list[str]) -> int | None:
    return next((i for i, h in enumerate(header) if any(w in h for w in words)), None)


def build_tasks(ctx: Ctx) -> list[TaskDraft]:
    text = ctx.text
    drafts: list[TaskDraft] = []
    by_node: dict[int, TaskDraft] = {}
    for node in ctx.st.nodes:
        if _skipped(node):
            continue
        s, e = _own_span(node)
        first_line_end = text.find("\n", node.start)
        first_line_end = node.end if first_line_end < 0 else min(first_line_end, node.end)
        parent = node.parent
        while parent is not None and id(parent) not in by_node:
            parent = parent.parent
        d = TaskDraft(
            id=f"t{node.id}", title=node.title, text=text[s:e].strip(), path=node.path(),
            parent=by_node[id(parent)].id if parent is not None else None,
            start=node.start, end=node.end,
            evidence=ctx.evidence(node.start, first_line_end, sentence=text[node.start:first_line_end].strip(),
                                  node=node),
            leaf=not node.children,
        )
        drafts.append(d)
        by_node[id(node)] = d

    # 责任单位 lines belong to the deepest task whose span holds them
    for line_start, s, e in responsibility_lines(ctx):
        owner = None
        for d in drafts:
            if d.start <= line_start < d.end and (owner is None or d.start >= owner.start):
                owner = d
        if owner is None:
            continue
        ev = ctx.evidence(line_start, e, sentence=text[line_start:e].strip())
        owner.responsible += [(m, ev) for m in list_mentions(ctx, s, e)]

    for ti, table in enumerate(ctx.st.tables):
        drafts += _table_tasks(ctx, ti, table, by_node)
    return drafts


def _table_tasks(ctx: Ctx, ti: int, table: TableT, by_node: dict[int, TaskDraft]) -> list[TaskDraft]:
    lex = lexicon().departments
    header = [re.sub(r"\s", "", c.text) for c in table.header]
    dept_col = _col(header, lex["responsibility_markers"])
    if dept_col is None:
        return []
    lead_col = _col(header, lex["lead_markers"])
    # the measure column: the first header naming measures, in order of how specific the word is
    measures = (_col(header, [w]) for w in lexicon().outline["measure_headers"])
    measure_col = next((c for c in measures if c is not None), None)
    if measure_col == dept_col or measure_col is None:
        measure_col = max(0, dept_col - 1)
    group_col = 0 if measure_col > 0 else None
    parent_node = table.node
    while parent_node is not None and id(parent_node) not in by_node:
        parent_node = parent_node.parent
    parent_id = by_node[id(parent_node)].id if parent_node is not None else None
    out: list[TaskDraft] = []
    group: TaskDraft | None = None
    for ri, row in enumerate(table.rows):
        cells = list(row)
        if len(cells) < len(header):  # ragged: cells are missing on the left (a merged group cell)
            cells = [None] * (len(header) - len(cells)) + cells  # type: ignore[list-item]
        gcell = cells[group_col] if group_col is not None else None
        if gcell is not None and gcell.text:
            title = _NUMBER_LEAD.sub("", gcell.text)
            title = re.sub(r"^[一二三四五六七八九十]+、", "", title)
            group = TaskDraft(id=f"t{ti + 1}-g{ri + 1}", title=title, text=gcell.text, path=[*table_path(table), title],
                              parent=parent_id, start=gcell.start, end=gcell.end,
                              evidence=ctx.evidence(gcell.start, gcell.end, sentence=gcell.text, node=table.node),
                              leaf=False)
            out.append(group)
        mcell = cells[measure_col] if measure_col < len(cells) else None
        if mcell is None or not mcell.text:
            continue
        measure = _NUMBER_LEAD.sub("", mcell.text)
        title = measure.split("。")[0]
        present = [c for c in cells if c is not None]
        sentence = " | ".join(c.text for c in present)
        d = TaskDraft(id=f"t{ti + 1}-r{ri + 1}", title=title, text=measure,
                      path=[*table_path(table), *([group.title] if group else []), title],
                      parent=group.id if group else parent_id, start=mcell.start, end=mcell.end,
                      evidence=ctx.evidence(mcell.start, present[-1].end, sentence=sentence, node=table.node),
                      leaf=True)
        for col in {dept_col, lead_col} - {None}:
            cell = cells[col] if col is not None and col < len(cells) else None
            if cell is not None and cell.text:
                ev = ctx.evidence(cell.start, cell.end, sentence=sentence, node=table.node)
                d.responsible += [(m, ev) for m in list_mentions(ctx, cell.start, cell.end)]
        out.append(d)
    return out


def table_path(table: TableT) -> list[str]:
    return table.node.path() if table.node else []
