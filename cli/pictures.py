"""``viz whole | plan | ego | ask | reuse``: interactive graph pictures, each one self-contained HTML file."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DEFAULT_GRAPH_DIR, DEFAULT_VIZ_DIR, DataOpt, ParamOpt, built_graph, err, fail, given, memory, out

viz_app = typer.Typer(help="Write an interactive graph picture as one self-contained HTML file (opens offline).",
                      no_args_is_help=True)
OutOpt = Annotated[Path | None, typer.Option("--out", "-o",
                                             help="The HTML file to write (default: $IPKG_HOME/viz/….html).")]


def _write_picture(view, title: str, out_file: Path, full, note: str = "") -> None:
    from viz.render import write_page

    if view.number_of_nodes() == 0:
        fail("nothing to draw: the selection is empty")
    t0 = time.perf_counter()
    write_page(view, title, out_file, full=full, note=note)
    out.print(f"wrote {out_file}: {view.number_of_nodes():,} nodes, {view.number_of_edges():,} relationships, "
              f"{out_file.stat().st_size / 1e6:.1f} MB ({time.perf_counter() - t0:.1f}s)")


def _slug(text: str) -> str:
    """A file-name-safe form of a name (Chinese kept; anything else but letters, digits and - folded)."""
    return re.sub(r"[^\w-]+", "_", text).strip("_")[:60] or "picture"


@viz_app.command("whole")
def viz_whole(
    data: DataOpt = DEFAULT_GRAPH_DIR,
    out_file: OutOpt = None,
    max_nodes: Annotated[int, typer.Option(help="Above this many nodes, leave out the most detailed classes "
                                                "(tasks first) and say so on the page.", min=1)] = 20_000,
) -> None:
    """The whole graph."""
    from viz.select import whole

    graph, _ = built_graph(data)
    view, dropped = whole(graph, max_nodes)
    note = ""
    if dropped:
        left = ", ".join(f"{label} {n:,}" for label, n in dropped)
        note = (f"为保持可用，省略了 left out to stay usable: {left}"
                "（用 ipkg viz plan / ego 查看 see them per plan or entity）")
        err.print(f"[yellow]note[/yellow] {graph.number_of_nodes():,} nodes is over --max-nodes {max_nodes:,}: "
                  f"left out {left}")
    _write_picture(view, "知识产权规划知识图谱 whole graph", out_file or DEFAULT_VIZ_DIR / "whole.html", graph, note)


@viz_app.command("plan")
def viz_plan(
    plan: Annotated[str, typer.Argument(help="The plan: its key, file name (e.g. 003_f0d8dd29874e3147 or 003), "
                                             "the region it governs (璧山区) or a unique part of its title "
                                             "(璧山区知识产权, quotes optional).")],
    data: DataOpt = DEFAULT_GRAPH_DIR,
    out_file: OutOpt = None,
) -> None:
    """One plan: everything it asserts."""
    from viz.select import SelectError, find_plan, plan_subgraph

    graph, _ = built_graph(data)
    try:
        view = plan_subgraph(graph, plan)
        name = graph.nodes[find_plan(graph, plan)]["name"]
    except SelectError as exc:
        fail(str(exc))
    _write_picture(view, name, out_file or DEFAULT_VIZ_DIR / f"plan-{_slug(name)}.html", graph)


@viz_app.command("ego")
def viz_ego(
    entity: Annotated[str, typer.Argument(help="The entity's name, key or IRI (e.g. 新材料, 璧山区市场监督管理局).")],
    depth: Annotated[int, typer.Option(help="Relationships away from the entity.", min=1, max=4)] = 1,
    data: DataOpt = DEFAULT_GRAPH_DIR,
    out_file: OutOpt = None,
) -> None:
    """One entity's neighbourhood."""
    from viz.select import SelectError, ego

    graph, _ = built_graph(data)
    try:
        view = ego(graph, entity, depth)
    except SelectError as exc:
        fail(str(exc))
    _write_picture(view, f"{entity}（{depth} 度邻域 neighbourhood）",
                   out_file or DEFAULT_VIZ_DIR / f"ego-{_slug(entity)}.html", graph)


@viz_app.command("ask")
def viz_ask(
    name: Annotated[str, typer.Argument(help="The question's name (see `ipkg ask --list`).")],
    param: ParamOpt = None,
    data: DataOpt = DEFAULT_GRAPH_DIR,
    out_file: OutOpt = None,
) -> None:
    """One question's answer: the entities it names and the relationships between them."""
    from queries.catalogue import CatalogueError, question
    from queries.engines import QueryError, ask_sparql
    from viz.select import SelectError, answer_subgraph

    graph, _ = built_graph(data)
    try:
        q = question(name)
        params = q.bind(given(param))
        rows = ask_sparql(q, memory(data), params)
        view = answer_subgraph(graph, rows, params)
    except (CatalogueError, QueryError, SelectError) as exc:
        fail(str(exc))
    shown = " ".join(str(v) for v in params.values() if v not in (None, ""))
    _write_picture(view, f"{q.name} {shown}：{q.zh}", out_file or DEFAULT_VIZ_DIR / f"{name}-{_slug(shown)}.html",
                   graph, note=f"{len(rows)} 行答案 rows in the answer")


@viz_app.command("reuse")
def viz_reuse(
    data: DataOpt = DEFAULT_GRAPH_DIR,
    out_file: OutOpt = None,
) -> None:
    """Reuse between plans: plans as nodes, lines as wide as the share of text taken, coloured by what decided the
    direction (no arrow where nothing does)."""
    from kg.pipeline import write_atomic
    from viz.reuse import render_reuse

    graph, _ = built_graph(data)
    t0 = time.perf_counter()
    html, view = render_reuse(graph, "规划间文本沿用 policy reuse")
    if view.number_of_nodes() == 0:
        fail("nothing to draw: no two plans of this graph share text")
    target = out_file or DEFAULT_VIZ_DIR / "reuse.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, html)
    out.print(f"wrote {target}: {view.number_of_nodes():,} plans, {view.number_of_edges():,} pairs sharing text, "
              f"{target.stat().st_size / 1e6:.1f} MB ({time.perf_counter() - t0:.1f}s)")
