"""Extraction: one plan document in, structured plan data (with evidence on every fact) out.

One recogniser per kind lives in this package (metadata, indicators, departments, industries,
marks, tasks); this module runs them over a document and resolves what they found.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import OrderedDict
from pathlib import Path

from kg.extract.common import Ctx, SpanSet
from kg.extract.departments import Mention, find_departments, find_in_span, find_organizations
from kg.extract.indicators import extract_indicators
from kg.extract.industries import IndustryHit, find_industries
from kg.extract.marks import find_marks
from kg.extract.metadata import extract_metadata, not_a_plan
from kg.extract.tasks import TaskDraft, TaskReading, build_tasks
from kg.ingest import Document, IngestError, read_document
from kg.model import (
    Department,
    Evidence,
    IndustryMention,
    IPTypeMention,
    NamedMention,
    Organization,
    OutlineNode,
    PlanData,
    Responsibility,
    Table,
    TableCell,
    Task,
)
from kg.resolve import department_key, finalise, region_ref, resolve_departments
from kg.structure import Structure, parse
from ontology.lexicon import lexicon
from ontology.regions import Region, gazetteer

MAX_EVIDENCE = 5  # evidence items kept per entity mention list (the first ones in the text)

LONG_LINE = 20_000  # characters: a plan's longest real line (a long table row) is a few thousand


class NotAPlanError(IngestError):
    """The document reads fine but is not an IP plan (no outline and no IP vocabulary)."""


def extract_file(path: Path) -> PlanData:
    """Read and extract one plan file. Raises :class:`IngestError` (one-line reason) on bad input."""
    return extract_document(read_document(path))


def extract_document(doc: Document) -> PlanData:
    """One document in, its plan data out: every recogniser in turn, then resolution (kg.resolve)."""
    st = parse(doc.clean.text)
    ctx = Ctx(doc, st)
    _refuse_non_plans(doc, st)
    meta = extract_metadata(ctx)
    region = gazetteer().by_code.get(meta.region.code) if meta.region else None
    region_aliases = _region_aliases(region)
    indicators = extract_indicators(ctx, meta.period[1] if meta.period else None)
    reading = build_tasks(ctx, region_aliases)
    mentions = _department_mentions(ctx, reading, region_aliases, meta.issuer)
    departments, key_of = resolve_departments(mentions, region, ctx.evidence, MAX_EVIDENCE)
    # no industry is read out of a body's name (市文化旅游广电体育局) or a responsibility list
    named = SpanSet(sorted([(m.start, m.end) for m in mentions] + list(reading.markup)))
    industry_hits = [h for h in find_industries(ctx) if not named.covers(h.start, h.end)]
    tasks, responsibilities = _tasks(reading.drafts, industry_hits, key_of)
    _infer_owners(ctx, reading.drafts, departments, responsibilities, region)
    brands, gis = _marks(ctx)
    # a name the plan lists as a brand or GI (世界大河歌会, 万州青脆李) is not also an industry
    marked = {m.name for m in (*brands, *gis)}
    industries = [i for i in _industry_mentions(ctx, industry_hits) if i.name not in marked]
    listed = {i.name for i in industries}
    for t in tasks:  # a task names only industries the plan data lists (with their concepts)
        t.industries = [n for n in t.industries if n in listed]
    return finalise(PlanData(
        source=doc.source, plan=meta, outline=_outline(ctx), tables=_tables(ctx), indicators=indicators,
        departments=list(departments.values()), organizations=_organizations(ctx), industries=industries,
        brands=brands, geographical_indications=gis, ip_types=_ip_types(ctx), tasks=tasks,
        responsibilities=responsibilities, warnings=_warnings(doc), diagnostics=reading.diagnostics,
    ))


def _refuse_non_plans(doc: Document, st: Structure) -> None:
    """Raise :class:`NotAPlanError` for text with no outline, no IP vocabulary, or the shape of a README."""
    ip_words = re.compile("|".join(re.escape(w) for w in lexicon().metadata["not_a_plan"]["ip_words"]))
    ip_hits = len(ip_words.findall(doc.clean.text[st.body_start:]))
    if (len(st.nodes) < 2 and not st.tables) or ip_hits < 3:
        what = "no outline" if len(st.nodes) < 2 and not st.tables else "no IP vocabulary"
        raise NotAPlanError(f"{doc.source.file}: not a plan ({what}; {ip_hits} IP term(s))")
    why = not_a_plan(doc.raw, st)  # a README, a news item or a table of figures that has IP words
    if why:
        raise NotAPlanError(f"{doc.source.file}: not a plan ({why}; {ip_hits} IP term(s))")


def _region_aliases(region: Region | None) -> set[str]:
    """Names that anchor a body to the plan: its region, the regions above it and those below it
    (南昌海关 in a province plan)."""
    if region is None:
        return set()
    g = gazetteer()
    out: set[str] = set()
    for r in (region, *g.ancestors(region), *g.descendants(region)):
        out |= r.aliases()
    return out


def _department_mentions(ctx: Ctx, reading: TaskReading, region_aliases: set[str],
                         issuer: str | None) -> list[Mention]:
    """Prose mentions, table text outside body columns, and every body a responsibility list names."""
    mentions: list[Mention] = find_departments(ctx, region_aliases, reading.markup)
    for t in ctx.st.tables:
        for row in t.rows:
            for cell in row:
                if not reading.markup.holds(cell.start):
                    mentions += find_in_span(ctx, cell.start, cell.end, region_aliases)
    # the issuing office signs the plan; named outside a responsibility list it is not an actor
    mentions = [m for m in mentions if not (issuer and m.name == issuer)]
    for d in reading.drafts:
        mentions += [m for m, _, _ in d.responsible] + d.aliases
    return mentions


def _tasks(drafts: list[TaskDraft], industry_hits: list[IndustryHit], key_of: dict[str, str]
           ) -> tuple[list[Task], list[Responsibility]]:
    """Tasks with the industries and IP types their own text names, and their explicit responsibilities."""
    ip_spec = lexicon().ip_types
    by_start = sorted(industry_hits, key=lambda h: h.start)
    hit_starts = [h.start for h in by_start]
    tasks: list[Task] = []
    responsibilities: list[Responsibility] = []
    for d in drafts:
        # a task's industries are named as printed (茶产业, 文化旅游), in the order they occur
        inside = by_start[bisect_left(hit_starts, d.start):bisect_left(hit_starts, d.end)]
        inds = list(OrderedDict.fromkeys(h.name for h in inside))
        ips = [k for k, spec in ip_spec.items() if any(w in d.text for w in spec["words"])]
        tasks.append(Task(id=d.id, title=d.title, text=d.text, path=d.path, parent=d.parent, industries=inds,
                          ip_types=ips, evidence=d.evidence, source_runs=d.runs))
        seen: set[str] = set()
        for m, role, ev in d.responsible:
            key = key_of.get(m.name)
            if key is None or key in seen:
                continue
            seen.add(key)
            responsibilities.append(Responsibility(task=d.id, department=key, role=role, explicit=True, evidence=ev))
    return tasks, responsibilities


def _organizations(ctx: Ctx) -> list[Organization]:
    """Companies, universities, institutes and associations named in the body, once each."""
    orgs: OrderedDict[str, Organization] = OrderedDict()
    for o in find_organizations(ctx):
        if o.name in orgs:
            if len(orgs[o.name].evidence) < MAX_EVIDENCE:
                orgs[o.name].evidence.append(ctx.evidence(o.start, o.end))
        else:
            orgs[o.name] = Organization(name=o.name, kind=o.kind, evidence=[ctx.evidence(o.start, o.end)])
    return list(orgs.values())


def _ip_types(ctx: Ctx) -> list[IPTypeMention]:
    """The IP types the body names, each with the evidence of its first mention."""
    out = []
    for key, spec in lexicon().ip_types.items():
        for w in spec["words"]:
            pos = ctx.text.find(w, ctx.st.body_start)
            if pos >= 0:
                out.append(IPTypeMention(concept=key, name=spec["label"], evidence=[ctx.evidence(pos, pos + len(w))]))
                break
    return out


def _warnings(doc: Document) -> list[str]:
    warnings = list(doc.warnings)
    longest = max((len(line) for line in doc.clean.text.split("\n")), default=0)
    if longest > LONG_LINE:
        # outlines, tables and 责任单位 lines are recognised line by line: say why so little came out
        warnings.append(f"{doc.source.file}: a line of {longest:,} characters: chapters, tasks and tables need "
                        "line breaks, so few facts were found; convert the file with its line breaks kept")
    return warnings


def _infer_owners(ctx: Ctx, drafts, departments: OrderedDict[str, Department],
                  responsibilities: list[Responsibility], region: Region | None) -> None:
    """Leaf tasks with no named body get the plan's IP administration, marked inferred."""
    owned = {r.task for r in responsibilities}
    orphans = [d for d in drafts if d.leaf and d.id not in owned]
    if not orphans:
        return
    admin = next((d for d in departments.values() if d.function_type == "ip_market_regulation"
                  and d.region is not None and region is not None and d.region.code == region.code), None)
    reason = "no responsible body named in the task; assigned to the plan region's IP administration"
    if admin is None:
        if region is None:
            return
        qualified = region.name + lexicon().departments["placeholder_ip_office"]
        key = department_key(qualified, region)
        admin = Department(key=key, name=qualified, qualified_name=qualified, function_type="ip_market_regulation",
                           region=region_ref(region), inferred=True, evidence=[orphans[0].evidence])
        departments[key] = admin
        reason += " (the plan names none; a placeholder for that office)"
    for d in orphans:
        responsibilities.append(Responsibility(task=d.id, department=admin.key, role="lead", explicit=False,
                                               reason=reason, evidence=d.evidence))


def _industry_mentions(ctx: Ctx, hits: list[IndustryHit]) -> list[IndustryMention]:
    """One mention per printed name (茶产业, 工业制造业), with its taxonomy concept if any and its evidence."""
    lex = lexicon()
    out: OrderedDict[str, IndustryMention] = OrderedDict()
    for h in sorted(hits, key=lambda h: h.start):
        # a table cell is no sentence: quote the cell the name was read from
        cell = ctx.text[h.context[0]:h.context[1]].strip() if h.context and ctx.sentence_at(h.start) is None else None
        ev = ctx.evidence(h.start, h.end, sentence=cell)
        if h.name in out:
            if len(out[h.name].evidence) < MAX_EVIDENCE:
                out[h.name].evidence.append(ev)
            continue
        out[h.name] = IndustryMention(name=h.name, concept=h.concept,
                                      broader=lex.broader_chain(h.concept) if h.concept else [], evidence=[ev])
    return list(out.values())


def _marks(ctx: Ctx) -> tuple[list[NamedMention], list[NamedMention]]:
    brands: OrderedDict[str, list[Evidence]] = OrderedDict()
    gis: OrderedDict[str, list[Evidence]] = OrderedDict()
    hits = find_marks(ctx)
    gi_names = {h.name for h in hits if h.kind == "gi"}
    for h in hits:
        target = gis if h.kind == "gi" else brands
        if h.kind == "brand" and h.name in gi_names:
            continue  # a GI product named again in a brand list stays a GI
        evs = target.setdefault(h.name, [])
        if len(evs) < MAX_EVIDENCE:
            evs.append(ctx.evidence(h.start, h.end))
    return ([NamedMention(name=n, evidence=e) for n, e in brands.items()],
            [NamedMention(name=n, evidence=e) for n, e in gis.items()])


def _outline(ctx: Ctx) -> list[OutlineNode]:
    out = []
    for n in ctx.st.nodes:
        s, e = ctx.doc.clean.source_span(n.start, n.end)
        out.append(OutlineNode(id=n.id, kind=n.kind, label=n.label, title=n.title, start=s, end=e, path=n.path()))
    return out


def _tables(ctx: Ctx) -> list[Table]:
    def cell(c) -> TableCell:
        s, e = ctx.doc.clean.source_span(c.start, c.end)
        return TableCell(text=c.text, start=s, end=e)

    out = []
    for i, t in enumerate(ctx.st.tables):
        s, e = ctx.doc.clean.source_span(t.start, t.end)
        out.append(Table(id=f"table{i + 1}", layout=t.layout, header=[cell(c) for c in t.header],
                         rows=[[cell(c) for c in row] for row in t.rows], start=s, end=e,
                         path=t.node.path() if t.node else []))
    return out
