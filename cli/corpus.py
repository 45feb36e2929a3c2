"""Reading plans and building the graph: ``extract``, ``validate``, ``schema``, ``build`` and ``demo``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import (
    DEFAULT_GRAPH_DIR,
    HOME,
    err,
    error,
    fail,
    out,
    print_rows,
    printable,
    progress,
    warn,
    wide_table,
    writable_folder,
)
from kg.ingest import DEFAULT_MAX_MB, MAX_MB_ENV, Limits
from kg.pipeline import SAMPLE_CORPUS, FileResult, discover, extract_paths

MaxMbOpt = Annotated[float, typer.Option(
    "--max-mb", envvar=MAX_MB_ENV, min=0.001,
    help="Refuse an input larger than this many MB: on disk, and once decompressed for .docx and .pdf (their "
         "parts, page content and text).")]


def env_limits() -> Limits:
    """The input limits ``IPKG_MAX_MB`` sets, for the commands without ``--max-mb``."""
    try:
        return Limits.from_env()
    except ValueError as exc:
        fail(str(exc), 2)


def extract(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Plan files or folders (.txt .html .htm .docx .pdf). Default: the sample corpus.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for plan-data JSON (one per input).")
                       ] = HOME / "plans",
    eval_dir: Annotated[Path | None, typer.Option(
        "--eval-dir", help="Also write the evaluation projection (../shared/eval/FORMAT.md) here.")] = None,
    workers: Annotated[int, typer.Option("--workers", "-j", min=1, help="Files processed in parallel.")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors and the final line.")] = False,
    max_mb: MaxMbOpt = DEFAULT_MAX_MB,
) -> None:
    """Read plan documents and write structured plan data (with evidence) as JSON."""
    writable_folder(out_dir)
    if eval_dir is not None:
        writable_folder(eval_dir, "--eval-dir")
    files, missing = discover(paths or [SAMPLE_CORPUS])
    for m in missing:
        error(m, one_line=True)
    if not files:
        fail("no plan files to read")
    t0 = time.perf_counter()
    failed: list[FileResult] = []
    with progress(disable=quiet) as bar:
        task = bar.add_task("extracting", total=len(files))

        def report(res: FileResult) -> None:
            bar.advance(task)
            for w in res.warnings:
                warn(w, one_line=True)
            if not res.ok:
                failed.append(res)
                error(res.message, one_line=True)
            elif not quiet:
                _report_ok(bar.console, res)

        results = extract_paths(files, out_dir, eval_dir, workers, on_result=report, limits=Limits(max_mb=max_mb))
    ok = sum(r.ok for r in results)
    secs = time.perf_counter() - t0
    out.print(f"{ok} of {len(results)} file(s) extracted to {printable(out_dir)}"
              + (f" (eval projection in {printable(eval_dir)})" if eval_dir else "") + f" in {secs:.1f}s"
              + (f"; {len(failed)} failed" if failed else ""))
    if failed or missing:
        raise typer.Exit(1)


SHOWN_DIAGNOSTICS = 20  # per file in the terminal; every one is in the plan data


def _report_ok(console, res: FileResult) -> None:
    """One file extracted: what it holds, and what a reviewer should check (with its line number)."""
    c = res.counts
    name = printable(res.path.name)
    console.print(
        f"[green]ok[/green] {name}: {c['indicators']} indicators, "
        f"{c['departments']} departments, {c['industries']} industries, {c['brands']} brands, "
        f"{c['geographical_indications']} GIs, {c['tasks']} tasks, {c['responsibilities']} "
        f"responsibilities ({c['lead']} lead, {c['co']} co, {c['inferred']} inferred)")
    for d in res.diagnostics[:SHOWN_DIAGNOSTICS]:
        console.print(f"  [yellow]check[/yellow] {name} {printable(d)}")
    if len(res.diagnostics) > SHOWN_DIAGNOSTICS:  # the rest are in the plan data, not lost
        console.print(f"  [yellow]check[/yellow] {name}: {len(res.diagnostics) - SHOWN_DIAGNOSTICS} "
                      "more, listed under \"diagnostics\" in its plan-data JSON")


def validate(
    files: Annotated[list[Path], typer.Argument(help="Plan-data JSON files to check.")],
) -> None:
    """Check hand-edited plan-data files against the model; report each problem with its JSON path."""
    from kg.validate import validate_file

    limits = env_limits()
    bad = 0
    for f in files:
        data, problems = validate_file(f, limits)
        if problems:
            bad += 1
            for p in problems:
                err.print(f"[red]invalid[/red] {printable(p)}")
        else:
            assert data is not None
            out.print(f"[green]valid[/green] {printable(f)}: {len(data.indicators)} indicators, "
                      f"{len(data.departments)} departments, {len(data.tasks)} tasks")
    if bad:
        raise typer.Exit(1)


def schema(
    path: Annotated[Path | None, typer.Option("--write", help="Write the schema here instead of printing it.")] = None,
) -> None:
    """Print (or write) the JSON Schema of plan-data files."""
    from kg.pipeline import write_atomic
    from kg.validate import schema_text

    if path:
        try:
            write_atomic(path, schema_text())
        except OSError as exc:
            fail(f"cannot write {path}: {exc.strerror or exc}")
        out.print(f"wrote {printable(path)}")
    else:
        sys.stdout.write(schema_text())


def build(
    corpus: Annotated[list[Path] | None, typer.Argument(
        help="Plan files, folders, or plan-data .json files (reviewed or corrected by hand). "
             "Default: the sample corpus.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for kg.ttl, kg.jsonld, kg.nt, kg.graphml "
                                                              "and plans/.")] = DEFAULT_GRAPH_DIR,
    workers: Annotated[int, typer.Option("--workers", "-j", min=1, help="Files extracted in parallel.")] = 1,
    max_mb: MaxMbOpt = DEFAULT_MAX_MB,
) -> None:
    """Build the knowledge graph and write it as RDF (Turtle, JSON-LD, N-Triples) and GraphML."""
    from kg.build import build_from
    from kg.graph import counts
    from loaders.export import write_outputs

    writable_folder(out_dir)
    t0 = time.perf_counter()
    graph, plans, errors = build_from(corpus or [SAMPLE_CORPUS], workers, limits=Limits(max_mb=max_mb))
    for e in errors:
        error(e, one_line=True)
    if not plans:
        fail("no plan could be read; nothing built")
    try:
        written = write_outputs(graph, plans, out_dir)
    except OSError as exc:
        fail(f"cannot write the graph to {out_dir}: {exc.strerror or exc}")
    nodes, edges = counts(graph)
    out.print(f"graph of {len(plans)} plan(s): {graph.number_of_nodes()} nodes, {graph.number_of_edges()} "
              f"relationships ({time.perf_counter() - t0:.1f}s)")
    out.print("  nodes: " + ", ".join(f"{k} {v}" for k, v in nodes.items()))
    out.print("  relationships: " + ", ".join(f"{k} {v}" for k, v in edges.items()))
    out.print("  wrote " + ", ".join(printable(p) for p in written.values()) + f", {printable(out_dir / 'plans')}/")
    if errors:
        raise typer.Exit(1)


# ---------------------------------------------------------------- demo: the main job, step by step

DEMO_QUESTIONS = (("dept-owners", {"industry": "新材料"}), ("indicator-compare", {}))  # the first is drawn


def demo(
    out_root: Annotated[Path, typer.Option("--out", "-o", help="Folder for everything the demo writes (default: "
                                                               "the workspace, $IPKG_HOME or ./.ipkg).")] = HOME,
) -> None:
    """Run the main job on the sample corpus and show what was found; its graph is the one every command reads."""
    writable_folder(out_root)
    plans_dir = _demo_extract(out_root)
    graph = _demo_build(plans_dir, out_root / "graph")
    answer = _demo_load_and_ask(graph)
    _demo_draw(graph, answer, out_root / "viz")
    data = "" if out_root == HOME else f" --data {out_root / 'graph'}"
    out.print(f"next: `ipkg ask dept-owners -p industry=新能源{data}` asks this graph; `ipkg serve{data}` serves it "
              "at http://127.0.0.1:8000/ (SPARQL, pages)")


def _demo_extract(out_root: Path) -> Path:
    """The sample corpus extracted to plan data, shown as one table row per plan; returns the plan-data folder."""
    from kg.validate import validate_file

    files, _ = discover([SAMPLE_CORPUS])
    plans_dir = out_root / "plans"
    results = extract_paths(files, plans_dir, out_root / "eval")
    table = Table(title=f"Sample corpus: {len(files)} plans → {plans_dir}")
    for col in ("file", "region", "plan", "ind.", "depts", "industries", "tasks", "named owners"):
        table.add_column(col, overflow="ellipsis", no_wrap=col == "plan", max_width=30 if col == "plan" else None)
    for r in results:
        if not r.ok:
            table.add_row(r.path.stem[:3], "", f"[red]{r.message}[/red]", "", "", "", "", "")
            continue
        data, _ = validate_file(plans_dir / f"{r.path.stem}.json")
        assert data is not None
        explicit = sum(1 for x in data.responsibilities if x.explicit)
        table.add_row(r.path.stem[:3], data.plan.region.name if data.plan.region else "",
                      data.plan.title or "(untitled)", str(len(data.indicators)), str(len(data.departments)),
                      str(len(data.industries)), str(len(data.tasks)), str(explicit))
    wide_table(table, 110)
    if not all(r.ok for r in results):
        raise typer.Exit(1)
    return plans_dir


def _demo_build(plans_dir: Path, graph_dir: Path):
    """The graph of the plan data, written as RDF and GraphML."""
    from kg.build import build_from
    from loaders.export import write_outputs

    graph, plans, _ = build_from([plans_dir])
    written = write_outputs(graph, plans, graph_dir)
    out.print(f"graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} relationships → "
              + ", ".join(str(p) for p in written.values()))
    return graph


def _demo_load_and_ask(graph) -> tuple:
    """The graph loaded into the embedded FalkorDB (the one running, else one started and stopped for the demo),
    and the analysts' questions answered by it; returns (question, parameters, rows) of the first."""
    from loaders.cypher import FalkorStore, load, store_counts
    from loaders.falkordb_server import ServerError, running

    try:
        with running() as port:
            store = FalkorStore(port=port)
            try:
                load(graph, store)
                nodes, edges = store_counts(store)
                out.print(f"loaded into the embedded FalkorDB (127.0.0.1:{port}, graph 'ipkg'): "
                          f"{sum(nodes.values())} nodes, {sum(edges.values())} relationships")
                return _demo_ask(store)
            finally:
                store.close()
    except ServerError as exc:
        fail(str(exc))


def _demo_ask(store) -> tuple:
    """The demo's questions asked in Cypher, each answer shown as a table (without its evidence column)."""
    from queries.catalogue import question
    from queries.engines import ask_cypher

    answers = []
    for name, given in DEMO_QUESTIONS:
        q = question(name)
        params = q.bind(given)
        rows = ask_cypher(q, store, params)
        answers.append((q, params, rows))
        shown = [c for c in q.columns if c != "evidence"]
        keep = [q.columns.index(c) for c in shown]
        print_rows(shown, [tuple(r[i] for i in keep) for r in rows], "table",
                   title=f"ipkg ask {name} " + " ".join(f"-p {k}={v}" for k, v in given.items()))
    return answers[0]


def _demo_draw(graph, answer: tuple, viz_dir: Path) -> None:
    """The pictures: the whole graph, and the answer to the first question."""
    from viz.render import write_page
    from viz.select import answer_subgraph

    q, params, rows = answer
    whole_html = write_page(graph, "知识产权规划知识图谱（样例语料）", viz_dir / "whole.html")
    answer_html = write_page(answer_subgraph(graph, rows, params), f"{q.name} 新材料：{q.zh}",
                             viz_dir / "dept-owners-新材料.html", full=graph)
    out.print(f"pictures: {whole_html} ({whole_html.stat().st_size / 1e6:.1f} MB), {answer_html}")
