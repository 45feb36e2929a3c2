"""Choosing what a picture shows: the whole graph, one plan, one entity's neighbourhood, one answer.

Every function takes the knowledge graph (kg.graph's MultiDiGraph) and returns a subgraph view
of it; none of them changes the graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import networkx as nx

from kg.graph import counts

# Classes left out first when a whole-graph picture would exceed its node budget: the most
# numerous, most detailed ones (each plan has hundreds of tasks and dozens of targets).
DETAIL_ORDER = ("Task", "Target", "Organization", "Indicator", "Brand", "GeographicalIndication")


class SelectError(ValueError):
    """The plan, entity or answer to draw cannot be found (the message says what was asked)."""


def _names(d: dict[str, Any]) -> set[str]:
    return {v for k in ("name", "qualified_name", "id", "iri", "source_file") if (v := d.get(k))}


def whole(graph: nx.MultiDiGraph, max_nodes: int | None = None) -> tuple[nx.MultiDiGraph, list[tuple[str, int]]]:
    """The whole graph, or, above ``max_nodes``, an overview without the most detailed classes.

    Returns the view and the (class, count) pairs that were left out.
    """
    if max_nodes is None or graph.number_of_nodes() <= max_nodes:
        return graph, []
    per_label, _ = counts(graph)
    dropped: list[tuple[str, int]] = []
    total = graph.number_of_nodes()
    for label in DETAIL_ORDER:
        if total <= max_nodes:
            break
        if per_label.get(label):
            dropped.append((label, per_label[label]))
            total -= per_label[label]
    gone = {label for label, _ in dropped}
    keep = [n for n, d in graph.nodes(data=True) if d["label"] not in gone]
    return graph.subgraph(keep), dropped


# quotes and brackets a title is typed with or without: “十四五” and 十四五 name the same plan
_TITLE_NOISE = re.compile(r"[\s“”‘’\"'《》〈〉「」『』()（）]+")


def _bare(text: str) -> str:
    """A title (or a part of one) without quotes, brackets and spaces, for comparing what a person types."""
    return _TITLE_NOISE.sub("", text)


def _plan_forms(graph: nx.MultiDiGraph, node: str) -> tuple[set[str], set[str]]:
    """A plan's exact names (key, title, IRI, file name with and without extension) and the regions it governs."""
    d = graph.nodes[node]
    exact = _names(d) | {str(d.get("source_file", "")).rsplit(".", 1)[0]}
    regions = {graph.nodes[r]["name"] for _, r, k in graph.out_edges(node, keys=True) if k == "GOVERNS"}
    return exact - {""}, regions


def _plan_line(graph: nx.MultiDiGraph, node: str) -> str:
    d = graph.nodes[node]
    regions = "、".join(sorted(_plan_forms(graph, node)[1])) or "?"
    return f"{d['id']}  {d['name']}  ({regions}; {d.get('source_file', '')})"


def find_plan(graph: nx.MultiDiGraph, plan: str) -> str:
    """The node of a plan given as a person would name it, tried in this order: its key, title, IRI or source
    file name (with or without its extension); the region it governs; a unique part of its title or key (quotes,
    brackets and spaces ignored, so 十四五 finds “十四五”). A name that fits no plan, or several, raises
    SelectError listing the candidates."""
    plans = sorted(n for n, d in graph.nodes(data=True) if d["label"] == "Plan" and d.get("in_corpus"))
    forms = {n: _plan_forms(graph, n) for n in plans}
    wanted = plan.strip()
    bare = _bare(wanted)
    tiers = (
        [n for n in plans if wanted in forms[n][0]],
        [n for n in plans if wanted in forms[n][1]],
        [n for n in plans if bare and any(bare in _bare(f) for f in (*forms[n][0], *forms[n][1]))],
    )
    for hits in tiers:
        if len(hits) == 1:
            return hits[0]
        if hits:
            listing = "\n  ".join(_plan_line(graph, n) for n in hits)
            raise SelectError(f"{plan!r} names {len(hits)} plans; give more of the title, or a key or file name:"
                              f"\n  {listing}")
    listing = "\n  ".join(_plan_line(graph, n) for n in plans[:20])
    raise SelectError(f"no plan {plan!r} in the graph (give a key, file name, region or part of the title); "
                      f"plans:\n  {listing}")


def plan_subgraph(graph: nx.MultiDiGraph, plan: str) -> nx.MultiDiGraph:
    """Everything one plan asserts: its tasks, targets, departments, industries, marks and regions."""
    key = graph.nodes[find_plan(graph, plan)]["id"]
    keep = [n for n, d in graph.nodes(data=True) if key in d.get("plans", ())]
    view = graph.subgraph(keep)
    # only the relationships this plan asserts (shared nodes keep other plans' edges out)
    edges = [(a, b, k) for a, b, k, d in view.edges(keys=True, data=True) if key in d.get("plans", ())]
    return view.edge_subgraph(edges) if edges else view


def find_entity(graph: nx.MultiDiGraph, entity: str) -> list[str]:
    """Nodes matching an IRI, a key or a name; several only if the name is shared."""
    if entity in graph:
        return [entity]
    hits = [n for n, d in graph.nodes(data=True) if entity in _names(d)]
    if not hits:
        raise SelectError(f"no entity {entity!r} in the graph (give its name, key or IRI)")
    return hits


def ego(graph: nx.MultiDiGraph, entity: str, depth: int = 1) -> nx.MultiDiGraph:
    """The entity and everything within ``depth`` relationships of it, in either direction."""
    hits = find_entity(graph, entity)
    if len(hits) > 1:
        labels = {graph.nodes[n]["label"] for n in hits}
        if len(labels) > 1:
            listing = "; ".join(f"{graph.nodes[n]['label']} {n}" for n in hits[:10])
            raise SelectError(f"{entity!r} names {len(hits)} entities of different classes: give one IRI ({listing})")
    undirected = graph.to_undirected(as_view=True)
    keep: set[str] = set()
    for h in hits:
        keep |= set(nx.single_source_shortest_path_length(undirected, h, cutoff=depth))
    return graph.subgraph(keep)


def answer_subgraph(graph: nx.MultiDiGraph, rows: Iterable[tuple[Any, ...]], params: dict[str, Any]
                    ) -> nx.MultiDiGraph:
    """The entities an answer names (cells and parameter values matched to node names) and the
    relationships between them. Entities the answer names but nothing in it connects are kept too."""
    wanted = {str(v) for row in rows for v in row if isinstance(v, str) and v}
    wanted |= {str(v) for v in params.values() if isinstance(v, str) and v}
    by_name: dict[str, list[str]] = {}
    for n, d in graph.nodes(data=True):
        for name in _names(d):
            by_name.setdefault(name, []).append(n)
    keep = {n for w in wanted for n in by_name.get(w, ())}
    if not keep:
        raise SelectError("the answer names no entity of the graph: nothing to draw")
    # a name shared by several entities (the same task title in two plans) keeps only those the
    # rest of the answer connects to
    undirected = graph.to_undirected(as_view=True)
    for w in wanted:
        hits = by_name.get(w, [])
        if len(hits) > 1:
            for n in hits:
                if not any(m in keep for m in undirected.neighbors(n)):
                    keep.discard(n)
    return graph.subgraph(keep)
