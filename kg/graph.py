"""The knowledge graph: one networkx MultiDiGraph assembled from plan data by the ontology's rules.

Nodes are keyed by their IRI and carry ``label`` (the ontology class), ``id`` (canonical key),
``iri``, ``name`` and their properties. Edges are keyed by their relationship type (the
ontology relation in UPPER_SNAKE_CASE), so one pair of nodes has at most one edge of a type.
Every node and edge records the ``plans`` (plan keys) that assert it: that is what lets a
store replace one plan's facts without touching the others'. Entities shared by plans (regions,
industries, indicator concepts, departments) appear once, however many plans name them.

Reuse between plans (``REUSES``, decided by kg.reuse over the whole corpus) is assembled from a
:class:`~kg.model.ReuseReport`: an edge from the task (or plan) that took the text to the one it
took it from, asserted jointly by the two plans (:data:`JOINT_RELATIONS`). The report itself is
kept as the graph attribute ``reuse``, so whoever writes the graph can write ``reuse.json`` too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from kg.model import Department, Evidence, PlanData, PlanReuse, RegionRef, ReuseReport, TaskReuse
from ontology import vocabulary
from ontology.iri import mint, slug
from ontology.lexicon import lexicon

# node labels (ontology class names, each also the IRI kind it is minted under) and relationship types
# (ontology relations, UPPER_SNAKE_CASE) of the property graph: ipkg:cypherLabel and ipkg:cypherType in ipkg.ttl
LABELS: tuple[str, ...] = vocabulary.NODE_LABELS
REL_TYPES: tuple[str, ...] = vocabulary.REL_TYPES
# relationships that are a fact about two plans together (a reuse holds only while both plans say what they say):
# their ``plans`` are both plans, and a store drops one as soon as either plan is taken out or replaced
JOINT_RELATIONS: tuple[str, ...] = ("REUSES",)


def evidence_props(ev: Evidence | None) -> dict[str, Any]:
    """Evidence as flat properties (a property graph holds no nested maps)."""
    if ev is None:
        return {}
    return {"source": ev.source, "start": ev.start, "end": ev.end, "sentence": ev.sentence,
            "section_path": " > ".join(ev.path)}


def side_props(side: str, ev: Evidence) -> dict[str, Any]:
    """One side's evidence of a reuse as flat edge properties: ``source_file``, ``source_start`` … (``side`` is
    source or target)."""
    return {f"{side}_file": ev.source, f"{side}_start": ev.start, f"{side}_end": ev.end,
            f"{side}_sentence": ev.sentence, f"{side}_section_path": " > ".join(ev.path)}


class GraphBuilder:
    """Accumulates plans into one MultiDiGraph; call :meth:`add_plan` per plan, then use ``.graph``."""

    def __init__(self) -> None:
        self.graph = nx.MultiDiGraph()
        self._lex = lexicon()

    # ---------------------------------------------------------------- primitives

    def node(self, label: str, key: str | tuple[str, ...], by: str, *, canonical: str | None = None,
             **props: Any) -> str:
        """Add (or merge into) the node of ``label`` with canonical key ``key``; returns its IRI."""
        parts = key if isinstance(key, tuple) else (key,)
        iri = mint(label, *parts)
        g = self.graph
        clean = {k: v for k, v in props.items() if v is not None}
        if iri in g:
            data = g.nodes[iri]
            data["plans"].add(by)
            for k, v in clean.items():
                data.setdefault(k, v)  # the first plan that names an entity gives its properties
        else:
            g.add_node(iri, label=label, id=canonical or "/".join(parts), iri=iri, plans={by}, **clean)
        return iri

    def edge(self, rel: str, a: str, b: str, by: str, **props: Any) -> None:
        """Add (or merge into) the ``rel`` edge from ``a`` to ``b``, asserted by plan ``by``."""
        g = self.graph
        clean = {k: v for k, v in props.items() if v is not None}
        if g.has_edge(a, b, key=rel):
            data = g.edges[a, b, rel]
            data["plans"].add(by)
            for k, v in clean.items():
                data.setdefault(k, v)
        else:
            g.add_edge(a, b, key=rel, type=rel, plans={by}, **clean)

    # ---------------------------------------------------------------- entities

    def region(self, ref: RegionRef, plan: str) -> str:
        """A region and its ancestors, linked by PART_OF."""
        chain = [*ref.parents, RegionRef(code=ref.code, name=ref.name, level=ref.level)]
        iris = [self.node("Region", r.code, plan, name=r.name, code=r.code, level=r.level) for r in chain]
        for child, parent in zip(iris[1:], iris[:-1], strict=False):
            self.edge("PART_OF", child, parent, plan)
        return iris[-1]

    def industry(self, name: str, concept: str | None, plan: str) -> str:
        lex = self._lex
        if concept and concept in lex.industries:
            c = lex.industries[concept]
            iri = self.node("Industry", concept, plan, name=c.label, concept=concept,
                            alt_labels=list(c.alt_labels) or None)
            child = iri
            for parent_id in c.broader:
                parent = self.industry(lex.industries[parent_id].label, parent_id, plan)
                self.edge("BROADER", child, parent, plan)
            return iri
        return self.node("Industry", slug(name), plan, name=name)

    # ---------------------------------------------------------------- one plan

    def add_plan(self, data: PlanData) -> str:
        """Add one plan's facts; returns the plan's IRI."""
        p = data.plan.key
        plan_iri = self._plan(data)
        depts = {d.key: self._department(d, p) for d in data.departments}
        tasks: dict[str, str] = {}
        for t in data.tasks:
            tasks[t.id] = self.node("Task", (p, t.id), p, name=t.title, text=t.text, plan=p,
                                    **evidence_props(t.evidence))
            self.edge("HAS_TASK", plan_iri, tasks[t.id], p)
        for t in data.tasks:
            if t.parent:
                self.edge("SUBTASK_OF", tasks[t.id], tasks[t.parent], p)
        for r in data.responsibilities:
            self.edge("RESPONSIBLE_FOR", depts[r.department], tasks[r.task], p, role=r.role, explicit=r.explicit,
                      reason=r.reason, plan=p, **evidence_props(r.evidence))
        self._industries(data, plan_iri, tasks)
        self._targets(data, plan_iri)
        self._marks_and_organisations(data, plan_iri)
        return plan_iri

    def _plan(self, data: PlanData) -> str:
        """The plan node, its region, its issuer and the plans it implements."""
        m = data.plan
        p = m.key
        # a plan whose text prints no title is named by its region and file, never given an invented title
        name = m.title or f"{m.region.name if m.region else ''}（无标题：{data.source.file}）"
        own = {"name": name, "title": m.title, "doc_number": m.doc_number, "issuer": m.issuer,
               "issue_date": m.issue_date.isoformat() if m.issue_date else None,
               "period_start": m.period[0] if m.period else None, "period_end": m.period[1] if m.period else None,
               "source_file": data.source.file, "in_corpus": True}
        plan_iri = self.node("Plan", p, p, **own)
        # a plan another plan cited before it was read is now in the corpus: its own text names it
        self.graph.nodes[plan_iri].update({k: v for k, v in own.items() if v is not None})
        if m.region:
            self.edge("GOVERNS", plan_iri, self.region(m.region, p), p)
        if m.issuer_body is not None:
            b = m.issuer_body
            issuer = self.node("Department", tuple(b.key.split(":", 1)), p, canonical=b.key, name=b.name,
                               qualified_name=b.qualified_name, function_type=b.function_type)
            self.edge("ISSUED_BY", plan_iri, issuer, p, **evidence_props(m.evidence.get("issuer")))
            if b.region is not None:
                self.edge("PART_OF", issuer, self.region(b.region, p), p)
        for cited in m.implements:
            if cited.key is None:
                raise ValueError(f"{data.source.file}: cited plan {cited.title!r} has no key: resolve the plan data "
                                 "(kg.resolve.finalise) before assembling the graph")
            # one node per cited document however plans word it (kg.resolve decided its key)
            parent = self.node("Plan", slug(cited.key), p, name=cited.title, title=cited.title,
                               doc_number=cited.doc_number, in_corpus=False)
            self.edge("IMPLEMENTS", plan_iri, parent, p, **evidence_props(cited.evidence))
        return plan_iri

    def _department(self, d: Department, p: str) -> str:
        iri = self.node("Department", tuple(d.key.split(":", 1)), p, canonical=d.key, name=d.name,
                        qualified_name=d.qualified_name, function_type=d.function_type,
                        aliases=list(d.aliases) or None, inferred=d.inferred, **evidence_props(d.evidence[0]))
        if d.region is not None:
            self.edge("PART_OF", iri, self.region(d.region, p), p)
        return iri

    def _industries(self, data: PlanData, plan_iri: str, tasks: dict[str, str]) -> None:
        """Industries the plan prioritises and those (and the IP types) each task concerns."""
        p = data.plan.key
        industry_iri: dict[str, str] = {}
        for ind in data.industries:
            industry_iri[ind.name] = iri = self.industry(ind.name, ind.concept, p)
            self.edge("PRIORITIZES", plan_iri, iri, p, **evidence_props(ind.evidence[0]))
        for t in data.tasks:
            for name in t.industries:  # the model checks every task industry is one of the plan's
                self.edge("CONCERNS", tasks[t.id], industry_iri[name], p)
            for ip in t.ip_types:
                spec = self._lex.ip_types[ip]
                self.edge("CONCERNS", tasks[t.id], self.node("IPType", ip, p, name=spec["label"], en=spec["en"]), p)

    def _targets(self, data: PlanData, plan_iri: str) -> None:
        """Each target, and the indicator concept it measures (comparable across plans)."""
        p = data.plan.key
        seen_targets: dict[str, int] = {}
        for ind in data.indicators:
            n = seen_targets[ind.concept] = seen_targets.get(ind.concept, 0) + 1
            key = (p, ind.concept if n == 1 else f"{ind.concept}-{n}")
            concept = self.node("Indicator", ind.concept, p, name=ind.concept)
            target = self.node("Target", key, p, name=ind.name, unit=ind.unit, baseline=ind.baseline,
                               baseline_year=ind.baseline_year, target=ind.target, target_year=ind.target_year,
                               nature=ind.nature, plan=p, **evidence_props(ind.evidence))
            self.edge("SETS_TARGET", plan_iri, target, p)
            self.edge("MEASURES", target, concept, p)

    def _marks_and_organisations(self, data: PlanData, plan_iri: str) -> None:
        """Brands and GIs the plan promotes, and organisations it names, located in the plan's region."""
        p = data.plan.key
        region_iri = self.region(data.plan.region, p) if data.plan.region else None
        for label, items in (("Brand", data.brands), ("GeographicalIndication", data.geographical_indications)):
            for item in items:
                iri = self.node(label, item.name, p, name=item.name, **evidence_props(item.evidence[0]))
                self.edge("PROMOTES", plan_iri, iri, p, **evidence_props(item.evidence[0]))
                if region_iri:
                    self.edge("LOCATED_IN", iri, region_iri, p)
        for org in data.organizations:
            iri = self.node("Organization", org.name, p, name=org.name, kind=org.kind,
                            **evidence_props(org.evidence[0]))
            if region_iri:
                self.edge("LOCATED_IN", iri, region_iri, p)

    # ---------------------------------------------------------------- reuse between plans (corpus-level)

    def add_reuse(self, report: ReuseReport) -> None:
        """The REUSES edges of a reuse report, between nodes the plans already added; each edge goes from what took
        the text to what it was taken from and carries both evidence spans (``source_*``, ``target_*``)."""
        for r in report.tasks:
            self._task_reuse(r)
        for pr in report.plans:
            self._plan_reuse(pr)
        self.graph.graph["reuse"] = report

    def _existing(self, label: str, *key: str) -> str:
        iri = mint(label, *key)
        if iri not in self.graph:
            raise ValueError(f"the reuse report names {label.lower()} {'/'.join(key)!r}, which no plan of this graph "
                             "holds: detect reuse again over these plans (kg.reuse.detect_reuse)")
        return iri

    def _task_reuse(self, r: TaskReuse) -> None:
        ends = []
        for side in (r.target, r.source):
            # a matched sentence outside any task (a preamble) stands for its plan
            ends.append(self._existing("Task", side.plan, side.task) if side.task
                        else self._existing("Plan", side.plan))
        self.edge("REUSES", *ends, r.target.plan, directed=r.directed, reason=r.reason, similarity=r.similarity,
                  share=r.share, sentences=r.sentences, source_plan=r.source.plan, target_plan=r.target.plan,
                  **side_props("source", r.source.evidence), **side_props("target", r.target.evidence))
        self.graph.edges[ends[0], ends[1], "REUSES"]["plans"].add(r.source.plan)

    def _plan_reuse(self, r: PlanReuse) -> None:
        target, source = self._existing("Plan", r.target), self._existing("Plan", r.source)
        self.edge("REUSES", target, source, r.target, directed=r.directed, reason=r.reason, share=r.share,
                  sentences=r.sentences, tasks=r.tasks, source_plan=r.source, target_plan=r.target,
                  **side_props("source", r.source_evidence), **side_props("target", r.target_evidence))
        self.graph.edges[target, source, "REUSES"]["plans"].add(r.source)


def build_graph(plans: Iterable[PlanData], reuse: ReuseReport | None = None) -> nx.MultiDiGraph:
    """One graph from many plans; entities shared by plans are merged by their canonical keys.

    Plans are added in key order, so the plan that gives a shared entity its properties (the first
    to name it) does not depend on the order the inputs came in. ``reuse`` (kg.reuse's report over
    these plans) adds the REUSES edges between them.
    """
    b = GraphBuilder()
    for plan in sorted(plans, key=lambda p: p.plan.key):
        b.add_plan(plan)
    if reuse is not None:
        b.add_reuse(reuse)
    return b.graph


def counts(graph: nx.MultiDiGraph) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per label and edges per relationship type."""
    nodes: dict[str, int] = {}
    for _, d in graph.nodes(data=True):
        nodes[d["label"]] = nodes.get(d["label"], 0) + 1
    edges: dict[str, int] = {}
    for _, _, k in graph.edges(keys=True):
        edges[k] = edges.get(k, 0) + 1
    return dict(sorted(nodes.items())), dict(sorted(edges.items()))
