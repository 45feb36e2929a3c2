"""Pictures drawn on demand from a built folder (the endpoint's /viz/… pages)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from kg.folder import base_iri_of, graph_base_iri, graph_of, has_plans
from viz.render import render
from viz.select import ego


def neighbourhood_pictures(folder: Path) -> Callable[[str], str] | None:
    """An entity IRI -> the HTML of its neighbourhood picture, drawn from the graph of the built ``folder``; the
    graph is assembled on the first picture asked for and kept. None when the folder has no plan data."""
    if not has_plans(folder):
        return None
    lock = threading.Lock()
    kept: list[nx.MultiDiGraph] = []

    def picture(iri: str) -> str:
        with lock:
            if not kept:
                kept.append(_as_built(graph_of(folder)[0], folder))
        graph = kept[0]
        if iri not in graph:
            return render(graph.subgraph([]), iri)
        return render(ego(graph, iri, 1), f"{graph.nodes[iri]['name']}（邻域 neighbourhood）", full=graph)

    return picture


def _as_built(graph: nx.MultiDiGraph, folder: Path) -> nx.MultiDiGraph:
    """The graph with the IRIs the folder was built with: assembled again from the plan data, its IRIs take the
    base configured now (IPKG_BASE_IRI), which need not be the build's, the one the endpoint serves."""
    built, now = base_iri_of(folder), graph_base_iri(graph)
    if not built or not now or built == now:
        return graph
    return nx.relabel_nodes(graph, {n: built + n[len(now):] for n in graph if isinstance(n, str) and n.startswith(now)})
