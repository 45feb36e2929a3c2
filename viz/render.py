"""Drawing a graph as one self-contained interactive HTML page (pyvis / vis-network).

pyvis builds the node and edge records and the vis-network options; the page is our own
Jinja template (autoescaping on) that inlines pyvis's bundled vis-network, so the file opens
offline and nothing is written beside it. Document strings reach the page only as JSON inside a
``<script type="application/json">`` block (Jinja's ``tojson`` escapes ``<``, ``>``, ``&`` and
quotes) and are shown by vis-network as text: canvas labels and ``innerText`` tooltips.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pyvis
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from pyvis.network import Network

from kg.graph import counts
from ontology.labels import class_label, relation_labels, role_label
from ontology.vocabulary import CLASSES, DATATYPE_PROPERTIES

# One color and one shape per ontology class, ipkg:pictureColour and ipkg:pictureShape in ipkg.ttl (shapes that
# keep the label below the node, so long Chinese names do not blow nodes up), in ipkg.ttl's order (the legend's).
CLASS_STYLE: dict[str, tuple[str, str]] = {c.name: (c.colour, c.shape) for c in CLASSES.values()
                                           if c.colour and c.shape}
LARGE = 1500  # nodes: above this, fewer stabilisation steps, straight edges, edges hidden while dragging
# stabilisation steps by size: each step costs time in proportion to the nodes and edges drawn
STEPS = ((LARGE, 250), (5000, 100), (float("inf"), 30))
IMPROVED_LAYOUT_UP_TO = 150  # vis-network's Kamada-Kawai seeding costs seconds above a few hundred nodes
EDGE_LABELS_UP_TO = 1500  # edges drawn with their relation's name up to this many
# a responsibility's line width by its role: the lead department's line thick, a co-operating one's thin
# (an inferred responsibility keeps its width and is drawn dashed grey)
ROLE_WIDTH = {"lead": 3, "co": 1}
# One colour per relation, so a 隶属 PART_OF edge never looks like a 负责 responsibility (the page's legend shows them;
# an inferred responsibility stays dashed grey, INFERRED_COLOUR)
RELATION_COLOUR = {
    "RESPONSIBLE_FOR": "#e53935", "PART_OF": "#43a047", "LOCATED_IN": "#00897b", "GOVERNS": "#2e7d32",
    "ISSUED_BY": "#1e88e5", "IMPLEMENTS": "#3949ab", "HAS_TASK": "#78909c", "SUBTASK_OF": "#455a64",
    "CONCERNS": "#fb8c00", "PRIORITIZES": "#fdd835", "PROMOTES": "#6d4c41", "SETS_TARGET": "#8e24aa",
    "MEASURES": "#ce93d8", "BROADER": "#a1887f", "REUSES": "#d81b60",
}
# what decided a reuse's direction (ipkg:directionReason), as the pictures say it
REUSE_REASONS: dict[str, tuple[str, str]] = {"implements": ("贯彻落实该规划", "implements it"),
                                             "issue_date": ("发布日期较晚", "issued later"),
                                             "period": ("规划期较晚", "later period")}
REUSE_UNDIRECTED = ("方向未知", "undirected")
INFERRED_COLOUR = "#b0bec5"
# a picture (other than the whole graph) with more tasks than this opens with them collapsed, one node per plan,
# each opening on a click (vis-network clustering)
CLUSTER_TASKS_OVER = 40
LABEL_CHARS = 12  # a node's label is cut to this many characters (the full name is in its tooltip)
# node properties shown in tooltips, with their Chinese names
# node properties a tooltip lists, in this order, each under its ontology label (ipkg.ttl, via the vocabulary)
SHOWN_KEYS = ("qualified_name", "function_type", "code", "level", "doc_number", "issue_date", "period_start",
              "period_end", "unit", "baseline", "baseline_year", "target", "target_year", "nature", "kind")
SHOWN = {p.cypher_property: p.zh for p in DATATYPE_PROPERTIES if p.cypher_property in SHOWN_KEYS}
_TEMPLATES = Path(__file__).resolve().parent / "templates"
_PYVIS_TEMPLATES = Path(pyvis.__file__).resolve().parent / "templates"


def short_label(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def _plan_info(full: nx.MultiDiGraph) -> dict[str, dict[str, str]]:
    """plan key -> its name and the name of the region it governs (for the page's filters)."""
    info: dict[str, dict[str, str]] = {}
    for n, d in full.nodes(data=True):
        if d["label"] == "Plan" and d.get("in_corpus"):
            regions = [full.nodes[r]["name"] for _, r, k in full.out_edges(n, keys=True) if k == "GOVERNS"]
            info[d["id"]] = {"name": d["name"], "region": regions[0] if regions else "（未知地区）"}
    return info


def _labels(view: nx.MultiDiGraph, full: nx.MultiDiGraph) -> dict[str, str]:
    """node -> the label drawn under it: its name, or for departments whose names would read the same in this
    picture (two 区市场监管局), the region-qualified name (璧山区市场监督管理局, else 璧山区·区市场监管局)."""
    labels = {n: short_label(d["name"]) for n, d in view.nodes(data=True)}
    seen: dict[str, list[str]] = {}
    for n, d in view.nodes(data=True):
        if d["label"] == "Department":
            seen.setdefault(labels[n], []).append(n)
    for same in (nodes for nodes in seen.values() if len(nodes) > 1):
        for n in same:
            d = full.nodes[n]
            region = next((full.nodes[r]["name"] for _, r, k in full.out_edges(n, keys=True)
                           if k in ("PART_OF", "LOCATED_IN")), "")
            qualified = d.get("qualified_name") or ""
            label = qualified if qualified and qualified != d["name"] else f"{region}·{d['name']}" if region else ""
            if label:
                labels[n] = label if len(label) <= 2 * LABEL_CHARS else short_label(label)
    return labels


def _tooltip(d: dict[str, Any], plans: dict[str, dict[str, str]]) -> str:
    zh, en = class_label(d["label"])
    lines = [d["name"], f"类：{zh} {en}"]
    lines += [f"{SHOWN[k]}：{d[k]}" for k in SHOWN_KEYS if d.get(k) not in (None, "")]
    if d.get("sentence"):
        lines.append(f"证据：「{d['sentence']}」")
        where = [plans.get(d.get("plan", ""), {}).get("name", "") or d.get("source", ""), d.get("section_path", "")]
        lines.append("出处：" + " · ".join(w for w in where if w))
    names = sorted(plans[k]["name"] for k in d.get("plans", ()) if k in plans)
    if names:
        lines.append("规划：" + "；".join(names[:5]) + (f" 等 {len(names)} 个" if len(names) > 5 else ""))
    return "\n".join(lines)


def _edge_tooltip(kind: str, d: dict[str, Any]) -> str:
    zh, en = relation_labels().get(kind, (kind, kind))
    lines = [f"{zh} {en} ({kind})"]
    if kind == "RESPONSIBLE_FOR":
        lines.append(f"角色 role：{role_label(d.get('role'))}")
        lines.append("明确指定 explicit" if d.get("explicit", True) else f"推断 inferred：{d.get('reason', '')}")
    if kind == "REUSES":
        lines += _reuse_lines(d)
    if d.get("sentence"):
        lines.append(f"证据：「{d['sentence']}」")
        if d.get("section_path"):
            lines.append(f"出处：{d['section_path']}")
    return "\n".join(lines)


def _reuse_lines(d: dict[str, Any]) -> list[str]:
    """A reuse's tooltip lines: its direction and why, its numbers, and the two sentences."""
    reason = d.get("reason") or ""
    direction = (f"方向 direction：{' '.join(REUSE_REASONS.get(reason, (reason, '')))}".strip() if d.get("directed")
                 else f"{' '.join(REUSE_UNDIRECTED)}：无从判断谁先谁后 nothing tells which came first")
    numbers = [f"沿用比例 share {d['share']:.1%}" if d.get("share") is not None else "",
               f"相似度 similarity {d['similarity']:.2f}" if d.get("similarity") is not None else "",
               f"相同语句 sentences {d['sentences']}" if d.get("sentences") else "",
               f"任务 tasks {d['tasks']}" if d.get("tasks") is not None else ""]
    return [direction, " · ".join(n for n in numbers if n),
            f"沿用处 reused in：「{d.get('target_sentence', '')}」", f"来源 source：「{d.get('source_sentence', '')}」"]


class GraphPage(Network):
    """A pyvis network whose node and edge bookkeeping is by dict (pyvis's own add_node/add_edge
    scan lists on every call, quadratic at tens of thousands of elements), rendered with our page."""

    def add_node_fast(self, n_id: int, **options: Any) -> None:
        from pyvis.node import Node

        n = Node(n_id, options.pop("shape", "dot"), options.pop("label", n_id), font_color=self.font_color, **options)
        self.nodes.append(n.options)
        self.node_map[n_id] = n.options

    def add_edge_fast(self, source: int, to: int, **options: Any) -> None:
        from pyvis.edge import Edge

        if source not in self.node_map or to not in self.node_map:
            raise KeyError(f"edge {source} -> {to} between nodes not in the picture")
        # arrows come from the page's options, not repeated on each of tens of thousands of edges
        self.edges.append(Edge(source, to, False, **options).options)


def build_page(view: nx.MultiDiGraph, full: nx.MultiDiGraph | None = None) -> GraphPage:
    """The pyvis network of a (sub)graph; ``full`` is the whole graph, for plan names and regions."""
    full = view if full is None else full
    shown = {k for _, d in view.nodes(data=True) for k in d.get("plans", ())}
    plans = {k: v for k, v in _plan_info(full).items() if k in shown}  # the filters offer the plans drawn
    plan_index = {key: i for i, key in enumerate(plans)}
    net = GraphPage(directed=True, cdn_resources="in_line", height="100%", width="100%")
    # Nodes are numbered in the page (their IRI is a field): long Chinese IRIs repeated as every
    # edge's ends would be most of a large page's bytes. Plans are numbered the same way.
    number = {n: i for i, n in enumerate(view.nodes)}
    labels = _labels(view, full)
    for n, d in view.nodes(data=True):
        net.add_node_fast(number[n], label=labels[n], title=_tooltip(d, plans), group=d["label"],
                          shape=CLASS_STYLE.get(d["label"], ("#777", "dot"))[1], iri=n, fullName=d["name"],
                          plans=sorted(plan_index[k] for k in d.get("plans", ()) if k in plan_index))
    labelled = view.number_of_edges() <= EDGE_LABELS_UP_TO
    for a, b, kind, d in view.edges(keys=True, data=True):
        opts: dict[str, Any] = {"title": _edge_tooltip(kind, d), "kind": kind,
                                "color": {"color": RELATION_COLOUR.get(kind, "#90a4ae"), "inherit": False}}
        if labelled:
            opts["label"] = relation_labels().get(kind, (kind, kind))[0]
        if kind == "REUSES" and not d.get("directed", True):
            opts["arrows"] = {"to": {"enabled": False}}  # nothing tells which plan took from which
        if kind == "RESPONSIBLE_FOR":
            opts.update(role=d.get("role"), width=ROLE_WIDTH.get(d.get("role"), 1))
            if not d.get("explicit", True):
                opts.update(dashes=True, color={"color": INFERRED_COLOUR, "inherit": False}, inferred=True)
        net.add_edge_fast(number[a], number[b], **opts)
    net.options = _options(view.number_of_nodes())  # pyvis takes a plain dict of vis-network options
    net.ipkg_plans = [{"key": k, **v} for k, v in plans.items()]  # type: ignore[attr-defined]
    return net


def _options(n_nodes: int) -> dict[str, Any]:
    large = n_nodes > LARGE
    return {
        "groups": {c: {"color": {"background": col, "border": col}, "shape": shape}
                   for c, (col, shape) in CLASS_STYLE.items()},
        "nodes": {"size": 10 if large else 14, "font": {"size": 12, "face": "Noto Sans CJK SC, sans-serif"}},
        # static curves: vis-network's default "dynamic" smoothing adds a physics node per edge
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                  "smooth": {"enabled": not large, "type": "continuous"},
                  "font": {"size": 9, "align": "middle", "color": "#607d8b"}, "color": {"inherit": "from"}},
        "layout": {"improvedLayout": n_nodes <= IMPROVED_LAYOUT_UP_TO, "randomSeed": 7},
        "physics": {"solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -40, "springLength": 80},
                    "stabilization": {"enabled": True, "updateInterval": 20,
                                      "iterations": next(s for limit, s in STEPS if n_nodes <= limit)}},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": large, "navigationButtons": False},
    }


_env = Environment(loader=ChoiceLoader([FileSystemLoader(_TEMPLATES), FileSystemLoader(_PYVIS_TEMPLATES)]),
                   autoescape=select_autoescape(default=True, default_for_string=True))
# tojson writes Chinese as itself (not \\uXXXX, which doubles the page); it still escapes < > & '
_env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}


def render(view: nx.MultiDiGraph, title: str, full: nx.MultiDiGraph | None = None, note: str = "") -> str:
    """The HTML page of a (sub)graph."""
    return page_html(build_page(view, full), view, title, full, note)


def page_html(net: GraphPage, view: nx.MultiDiGraph, title: str, full: nx.MultiDiGraph | None = None,
              note: str = "", relations: list[dict[str, Any]] | None = None, key: list[str] | None = None) -> str:
    """The HTML page of a network built by :func:`build_page` from ``view``; ``relations`` (the edges' legend: kind,
    zh, en, color, count) defaults to one entry per relationship type, ``key`` (lines saying how lines are drawn)
    to the responsibilities' line widths."""
    per_label, _ = counts(view)
    legend = [{"cls": c, "zh": class_label(c)[0], "en": class_label(c)[1], "color": CLASS_STYLE[c][0],
               "shape": CLASS_STYLE[c][1], "count": per_label[c]} for c in CLASS_STYLE if c in per_label]
    per_kind: dict[str, int] = {}
    for *_, kind in view.edges(keys=True):
        per_kind[kind] = per_kind.get(kind, 0) + 1
    names = relation_labels()
    if relations is None:
        relations = [{"kind": k, "zh": names.get(k, (k, k))[0], "en": names.get(k, (k, k))[1],
                      "color": RELATION_COLOUR.get(k, "#90a4ae"), "count": n}
                     for k, n in sorted(per_kind.items(), key=lambda kv: -kv[1])]
    whole_graph = full is None or view.number_of_nodes() == full.number_of_nodes()
    data = {"nodes": net.nodes, "edges": net.edges, "options": net.options, "legend": legend,
            "relations": relations, "plans": net.ipkg_plans,  # type: ignore[attr-defined]
            "large": view.number_of_nodes() > LARGE,
            "clusterTasks": not whole_graph and per_label.get("Task", 0) > CLUSTER_TASKS_OVER}
    return _env.get_template("graph.html").render(title=title, note=note, data=data, key=key,
                                                  n_nodes=len(net.nodes), n_edges=len(net.edges))


def write_page(view: nx.MultiDiGraph, title: str, out: Path, full: nx.MultiDiGraph | None = None,
               note: str = "") -> Path:
    """Write the page to ``out`` (under a temporary name first, then moved into place)."""
    from kg.pipeline import write_atomic

    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, render(view, title, full, note))
    return out
