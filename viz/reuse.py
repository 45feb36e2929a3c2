"""The reuse picture (``ipkg viz reuse``): plans as nodes, one line per pair of plans that share text.

A line's width says how much of the reusing plan's text is found in the other (its share, scaled to the
largest in the picture) and its colour what decided the direction: the reusing plan implements the other,
was issued later, or covers a later period. A pair whose direction nothing tells is drawn grey and without an
arrow. An arrow points, like every REUSES relation, from the plan that took the text to the plan it took it
from. The page is the other pictures' page (viz.render): same template, same escaping, same filters.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from viz.render import REUSE_REASONS, REUSE_UNDIRECTED, build_page, page_html

# a line's colour by what decided its direction (ipkg:directionReason); None: no direction
DIRECTION_COLOUR: dict[str | None, str] = {"implements": "#3949ab", "issue_date": "#d81b60", "period": "#fb8c00",
                                           None: "#78909c"}
WIDTH = (1.0, 9.0)  # the narrowest and widest line, for the smallest and largest share drawn
SPRING = 220  # vis-network spring length: the pictures' default (80) crowds a few plans and their lines' labels


def reuse_view(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The plans that share text with another plan and the plan-level REUSES edges between them (a new graph whose
    nodes and edges carry the knowledge graph's properties)."""
    view = nx.MultiDiGraph()
    for a, b, kind, d in graph.edges(keys=True, data=True):
        if kind != "REUSES" or graph.nodes[a]["label"] != "Plan" or graph.nodes[b]["label"] != "Plan":
            continue
        for n in (a, b):
            if n not in view:
                view.add_node(n, **graph.nodes[n])
        view.add_edge(a, b, key=kind, **d)
    return view


def plan_label(graph: nx.MultiDiGraph, plan: str) -> str:
    """A plan as the picture names it: the region it governs and its year (issued, else its period), e.g. 璧山区 2022
    or 万州区 2021-2025; its full name is in the tooltip."""
    d = graph.nodes[plan]
    region = next((graph.nodes[r]["name"] for _, r, k in graph.out_edges(plan, keys=True) if k == "GOVERNS"), "")
    year = (d.get("issue_date") or "")[:4] or (f"{d['period_start']}-{d['period_end']}" if d.get("period_start")
                                               else "")
    return " ".join(x for x in (region, year) if x) or d["name"]


def _category(d: dict[str, Any]) -> str | None:
    return d.get("reason") if d.get("directed") else None


def render_reuse(graph: nx.MultiDiGraph, title: str) -> tuple[str, nx.MultiDiGraph]:
    """The reuse picture's HTML and the view it draws."""
    view = reuse_view(graph)
    net = build_page(view, graph)
    for node, n in zip(net.nodes, view.nodes, strict=True):  # build_page numbers the nodes in the view's order
        node["label"] = plan_label(graph, n)
    net.options["physics"]["forceAtlas2Based"]["springLength"] = SPRING  # a few nodes: room for the lines' labels
    shares = [d.get("share") or 0.0 for *_, d in view.edges(keys=True, data=True)]
    top = max(shares, default=0.0) or 1.0
    drawn: dict[str | None, int] = {}
    # build_page adds one vis-network edge per view edge, in the view's order
    for opts, (*_, d) in zip(net.edges, view.edges(keys=True, data=True), strict=True):
        category = _category(d)
        drawn[category] = drawn.get(category, 0) + 1
        share = d.get("share") or 0.0
        opts.update(width=round(WIDTH[0] + (WIDTH[1] - WIDTH[0]) * share / top, 2), label=f"{share:.1%}",
                    share=share, directed=bool(d.get("directed")), reason=d.get("reason"),
                    color={"color": DIRECTION_COLOUR.get(category, DIRECTION_COLOUR[None]), "inherit": False})
    relations = [{"kind": f"REUSES:{category or 'undirected'}",
                  "zh": (REUSE_REASONS[category] if category else REUSE_UNDIRECTED)[0],
                  "en": (REUSE_REASONS[category] if category else REUSE_UNDIRECTED)[1],
                  "color": DIRECTION_COLOUR[category], "count": n}
                 for category, n in sorted(drawn.items(), key=lambda kv: (-kv[1], kv[0] or ""))]
    key = ["箭头从沿用方指向来源方 an arrow points from the plan that took the text to its source",
           "线宽：沿用比例 line width: the share of the reusing plan's text found in the other",
           "无箭头：方向未知 no arrow: nothing tells which came first"]
    plans = sum(1 for _, d in graph.nodes(data=True) if d["label"] == "Plan" and d.get("in_corpus"))
    alone = plans - sum(1 for _, d in view.nodes(data=True) if d.get("in_corpus"))
    note = f"{alone} 份规划未与其他规划共用文本 plans share no text with another (not drawn)" if alone else ""
    return page_html(net, view, title, graph, note, relations=relations, key=key), view
