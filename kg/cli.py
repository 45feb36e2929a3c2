"""The ``ipkg`` command line."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.pipeline import SAMPLE_CORPUS, FileResult, discover, extract_paths

app = typer.Typer(
    name="ipkg",
    help="Knowledge graph of Chinese IP (知识产权) policy plans: read plan documents, build the graph, "
         "ask analysts' questions in Cypher and SPARQL, and draw it as HTML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Run the embedded FalkorDB graph database (start | stop | status).", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console(soft_wrap=True)  # one line per message, greppable
err = Console(stderr=True, soft_wrap=True)


# ---------------------------------------------------------------- extract


@app.command()
def extract(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Plan files or folders (.txt .html .htm .docx .pdf). Default: the sample corpus.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for plan-data JSON (one per input).")] = Path(
        "out/plans"),
    eval_dir: Annotated[Path | None, typer.Option(
        "--eval-dir", help="Also write the evaluation projection (../shared/eval/FORMAT.md) here.")] = None,
    workers: Annotated[int, typer.Option("--workers", "-j", min=1, help="Files processed in parallel.")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors and the final line.")] = False,
) -> None:
    """Read plan documents and write structured plan data (with evidence) as JSON."""
    files, missing = discover(paths or [SAMPLE_CORPUS])
    for m in missing:
        err.print(f"[red]error[/red] {m}")
    if not files:
        err.print("[red]error[/red] no plan files to read")
        raise typer.Exit(1)
    t0 = time.perf_counter()
    failed: list[FileResult] = []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=quiet or not err.is_terminal) as progress:
        task = progress.add_task("extracting", total=len(files))

        def report(res: FileResult) -> None:
            progress.advance(task)
            for w in res.warnings:
                err.print(f"[yellow]warning[/yellow] {w}")
            if not res.ok:
                failed.append(res)
                err.print(f"[red]error[/red] {res.message}")
            elif not quiet:
                c = res.counts
                progress.console.print(
                    f"[green]ok[/green] {escape(res.path.name)}: {c['indicators']} indicators, "
                    f"{c['departments']} departments, {c['industries']} industries, {c['brands']} brands, "
                    f"{c['geographical_indications']} GIs, {c['tasks']} tasks, {c['responsibilities']} "
                    f"responsibilities ({c['lead']} lead, {c['co']} co, {c['inferred']} inferred)")
                for d in res.diagnostics:  # what a reviewer should check, with its line number
                    progress.console.print(f"  [yellow]check[/yellow] {escape(res.path.name)} {escape(d)}")

        results = extract_paths(files, out_dir, eval_dir, workers, on_result=report)
    ok = sum(r.ok for r in results)
    secs = time.perf_counter() - t0
    out.print(f"{ok} of {len(results)} file(s) extracted to {out_dir}"
              + (f" (eval projection in {eval_dir})" if eval_dir else "") + f" in {secs:.1f}s"
              + (f"; {len(failed)} failed" if failed else ""))
    if failed or missing:
        raise typer.Exit(1)


# ---------------------------------------------------------------- validate


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Plan-data JSON files to check.")],
) -> None:
    """Check hand-edited plan-data files against the model; report each problem with its JSON path."""
    from kg.validate import validate_file

    bad = 0
    for f in files:
        data, problems = validate_file(f)
        if problems:
            bad += 1
            for p in problems:
                err.print(f"[red]invalid[/red] {p}")
        else:
            assert data is not None
            out.print(f"[green]valid[/green] {f}: {len(data.indicators)} indicators, {len(data.departments)} "
                      f"departments, {len(data.tasks)} tasks")
    if bad:
        raise typer.Exit(1)


@app.command(hidden=True)
def schema(
    path: Annotated[Path | None, typer.Option("--write", help="Write the schema here instead of printing it.")] = None,
) -> None:
    """Print (or write) the JSON Schema of plan-data files."""
    from kg.validate import schema_text

    if path:
        path.write_text(schema_text(), encoding="utf-8")
        out.print(f"wrote {path}")
    else:
        sys.stdout.write(schema_text())


# ---------------------------------------------------------------- demo


@app.command()
def demo(
    out_root: Annotated[Path, typer.Option("--out", "-o", help="Folder for everything the demo writes.")] = Path(
        "out/demo"),
) -> None:
    """Run the main job on the sample corpus and show what was found."""
    files, _ = discover([SAMPLE_CORPUS])
    plans_dir = out_root / "plans"
    results = extract_paths(files, plans_dir, out_root / "eval")
    table = Table(title=f"Sample corpus: {len(files)} plans → {plans_dir}")
    for col in ("file", "region", "plan", "ind.", "depts", "industries", "tasks", "named owners"):
        table.add_column(col, overflow="ellipsis", no_wrap=col == "plan", max_width=30 if col == "plan" else None)
    from kg.validate import validate_file

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
    Console(width=max(out.width, 110)).print(table)
    if not all(r.ok for r in results):
        raise typer.Exit(1)

    # the graph, written as RDF and GraphML, and loaded into the embedded FalkorDB
    from kg.build import load_plans
    from kg.graph import build_graph
    from loaders.cypher import FalkorStore, store_counts
    from loaders.cypher import load as load_graph
    from loaders.export import write_outputs
    from loaders.falkordb_server import ServerError, free_port, port_in_use, start, status, stop

    plans, _ = load_plans([plans_dir])
    graph = build_graph(plans)
    graph_dir = out_root / "graph"
    written = write_outputs(graph, plans, graph_dir)
    out.print(f"graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} relationships → "
              + ", ".join(str(p) for p in written.values()))
    was_running = status().running
    try:
        port = status().port if was_running else None
        if not was_running:
            wanted = int(os.environ.get("IPKG_FALKORDB_PORT", 6379))
            port = start(wanted if not port_in_use(wanted) else free_port()).port
    except ServerError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None
    try:
        store = FalkorStore(port=port or 6379)
        load_graph(graph, store)
        nodes, edges = store_counts(store)
        out.print(f"loaded into the embedded FalkorDB (127.0.0.1:{port}, graph 'ipkg'): {sum(nodes.values())} nodes, "
                  f"{sum(edges.values())} relationships")
        # two of the analysts' questions, answered by the store just loaded
        from queries.catalogue import question
        from queries.engines import ask_cypher

        answers = {}  # question name -> (question, parameters, rows); dept-owners is drawn below
        for name, given in (("dept-owners", {"industry": "新材料"}), ("indicator-compare", {})):
            q = question(name)
            params = q.bind(given)
            rows = ask_cypher(q, store, params)
            answers[name] = (q, params, rows)
            shown = [c for c in q.columns if c != "evidence"]
            keep = [q.columns.index(c) for c in shown]
            _print_rows(shown, [tuple(r[i] for i in keep) for r in rows], "table",
                        title=f"ipkg ask {name} " + " ".join(f"-p {k}={v}" for k, v in given.items()))
        store.close()
    finally:
        if not was_running:
            stop()  # the demo leaves no server behind that it started; `ipkg db start` keeps one running
    # the pictures: the whole graph, and the answer to dept-owners 新材料
    from viz.render import write_page
    from viz.select import answer_subgraph

    viz_dir = out_root / "viz"
    whole_html = write_page(graph, "知识产权规划知识图谱（样例语料）", viz_dir / "whole.html")
    q, params, rows = answers["dept-owners"]
    answer_html = write_page(answer_subgraph(graph, rows, params), f"{q.name} 新材料：{q.zh}",
                             viz_dir / "dept-owners-新材料.html", full=graph)
    out.print(f"pictures: {whole_html} ({whole_html.stat().st_size / 1e6:.1f} MB), {answer_html}")
    out.print(f"next: `ipkg serve --data {graph_dir}` serves this graph at http://127.0.0.1:8000/ (SPARQL, pages)")


# ---------------------------------------------------------------- graph and stores
# The CLI is the composition root: it reaches into loaders/ lazily, inside each command.

DEFAULT_GRAPH_DIR = Path("out/graph")
DEFAULT_ENDPOINT = "http://127.0.0.1:8000/sparql"


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=not err.is_terminal)


@app.command()
def build(
    corpus: Annotated[list[Path] | None, typer.Argument(
        help="Plan files, folders, or plan-data .json files (reviewed or corrected by hand). "
             "Default: the sample corpus.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for kg.ttl, kg.jsonld, kg.nt, kg.graphml "
                                                              "and plans/.")] = DEFAULT_GRAPH_DIR,
    workers: Annotated[int, typer.Option("--workers", "-j", min=1, help="Files extracted in parallel.")] = 1,
) -> None:
    """Build the knowledge graph and write it as RDF (Turtle, JSON-LD, N-Triples) and GraphML."""
    from kg.build import build_from
    from kg.graph import counts
    from loaders.export import write_outputs

    t0 = time.perf_counter()
    graph, plans, errors = build_from(corpus or [SAMPLE_CORPUS], workers)
    for e in errors:
        err.print(f"[red]error[/red] {e}")
    if not plans:
        err.print("[red]error[/red] no plan could be read; nothing built")
        raise typer.Exit(1)
    written = write_outputs(graph, plans, out_dir)
    nodes, edges = counts(graph)
    out.print(f"graph of {len(plans)} plan(s): {graph.number_of_nodes()} nodes, {graph.number_of_edges()} "
              f"relationships ({time.perf_counter() - t0:.1f}s)")
    out.print("  nodes: " + ", ".join(f"{k} {v}" for k, v in nodes.items()))
    out.print("  relationships: " + ", ".join(f"{k} {v}" for k, v in edges.items()))
    out.print("  wrote " + ", ".join(str(p) for p in written.values()) + f", {out_dir / 'plans'}/")
    if errors:
        raise typer.Exit(1)


@db_app.command("start")
def db_start(
    port: Annotated[int | None, typer.Option(help="Port on 127.0.0.1 (default: $IPKG_FALKORDB_PORT or 6379).")] = None,
) -> None:
    """Start the embedded FalkorDB server on 127.0.0.1 (data under $IPKG_HOME, default ./.ipkg)."""
    from loaders.falkordb_server import ServerError, start

    try:
        info = start(port)
    except ServerError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None
    out.print(f"FalkorDB running on 127.0.0.1:{info.port} (pid {info.pid}, data {info.data_dir})")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded FalkorDB server (its data is saved first)."""
    from loaders.falkordb_server import stop

    out.print("FalkorDB stopped" if stop() else "FalkorDB was not running")


@db_app.command("status")
def db_status() -> None:
    """Show whether the embedded FalkorDB server runs, and what it holds."""
    from loaders.cypher import FalkorStore, store_counts
    from loaders.falkordb_server import status

    info = status()
    if not info.running:
        out.print(f"FalkorDB is not running (data folder {info.data_dir})")
        raise typer.Exit(3)
    out.print(f"FalkorDB running on 127.0.0.1:{info.port} (pid {info.pid}, data {info.data_dir})")
    try:
        nodes, edges = store_counts(FalkorStore(port=info.port or 6379))
        out.print(f"  graph 'ipkg': {sum(nodes.values())} nodes, {sum(edges.values())} relationships")
    except Exception as exc:
        err.print(f"[yellow]warning[/yellow] could not read the graph: {str(exc).splitlines()[0]}")


@app.command()
def load(
    data: Annotated[Path, typer.Option("--data", "-d", help="A folder written by `ipkg build` (its plans/ are "
                                                            "loaded).")] = DEFAULT_GRAPH_DIR,
    to: Annotated[str | None, typer.Option("--to", help="falkordb://HOST:PORT\\[/GRAPH] (default: the embedded "
                                                        "server), neo4j://HOST:PORT or bolt://HOST:PORT. "
                                                        "Neo4j credentials come from NEO4J_USER / NEO4J_PASSWORD.")
                   ] = None,
    plan: Annotated[list[str] | None, typer.Option("--plan", help="Reload only this plan (its key); repeatable.")
                    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Rows per UNWIND statement.")] = 1000,
) -> None:
    """Load the graph into FalkorDB (default) or Neo4j; loading again replaces, never duplicates."""
    from kg.build import load_plans
    from kg.graph import build_graph
    from loaders.cypher import LoadError, open_store, store_counts
    from loaders.cypher import load as load_graph

    plans_dir = data / "plans"
    if not plans_dir.is_dir():
        err.print(f"[red]error[/red] {plans_dir} not found: run `ipkg build --out {data}` first")
        raise typer.Exit(1)
    plans, errors = load_plans([plans_dir])
    for e in errors:
        err.print(f"[red]error[/red] {e}")
    graph = build_graph(plans)
    _ask_password(to)
    try:
        store = open_store(to)
    except LoadError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None
    t0 = time.perf_counter()
    try:
        with _progress() as progress:
            task = progress.add_task(f"loading into {store.where}", total=None)

            def tick(i: int, n: int, _b) -> None:
                progress.update(task, completed=i, total=n)

            written = load_graph(graph, store, plan, batch_size=batch_size, on_batch=tick,
                                 warn=lambda w: err.print(f"[yellow]warning[/yellow] {w}"))
        nodes, edges = store_counts(store)
    except LoadError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None
    finally:
        store.close()
    secs = time.perf_counter() - t0
    out.print(f"loaded {written['nodes']} nodes and {written['relationships']} relationships into {store.where} "
              f"in {secs:.1f}s; the store now holds {sum(nodes.values())} nodes, {sum(edges.values())} "
              "relationships")
    if errors:
        raise typer.Exit(1)


# ---------------------------------------------------------------- questions

ENGINES = ("falkordb", "neo4j", "sparql", "memory")


def _print_rows(columns: list[str], rows: list[tuple], fmt: str, title: str | None = None) -> None:
    """Rows as a rich table, CSV or JSON on standard output."""
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps([dict(zip(columns, r, strict=False)) for r in rows], ensure_ascii=False,
                                    indent=1) + "\n")
    elif fmt == "csv":
        import csv

        w = csv.writer(sys.stdout)
        w.writerow(columns)
        w.writerows(["" if v is None else v for v in r] for r in rows)
    else:
        table = Table(title=title, show_lines=False)
        for c in columns:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*("" if v is None else str(v) for v in r))
        Console(width=max(out.width, 140)).print(table)
        err.print(f"{len(rows)} row(s)")


def _given(param: list[str] | None) -> dict[str, str]:
    """``--param key=value`` options as a dict (``ask`` and ``viz ask``)."""
    from queries.catalogue import CatalogueError

    given = {}
    for kv in param or []:
        key, sep, value = kv.partition("=")
        if not sep:
            raise CatalogueError(f"--param takes key=value, not {kv!r}")
        given[key.strip()] = value
    return given


def _describe(p) -> str:
    """A parameter as `ask --list` shows it: name, whether it is needed, and the values it takes if only some."""
    allowed = f": {'|'.join(p.choices)}" if p.choices else ""
    if p.required:
        return f"{p.name} (required{allowed})"
    return f"{p.name} (default {p.default}{allowed})" if p.default is not None else f"{p.name} (optional{allowed})"


def _ask_password(to: str | None) -> None:
    """A Neo4j password is never an argument: it comes from NEO4J_PASSWORD or, on a terminal, a hidden prompt."""
    if to and to.split(":", 1)[0].startswith(("neo4j", "bolt")) and "NEO4J_PASSWORD" not in os.environ \
            and sys.stdin.isatty():
        os.environ["NEO4J_PASSWORD"] = typer.prompt(f"Neo4j password for {to}", hide_input=True, default="",
                                                    show_default=False)


def _cypher_store(to: str | None):
    from loaders.cypher import LoadError, open_store

    _ask_password(to)
    try:
        return open_store(to)
    except LoadError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None


def _memory(data: Path):
    from queries.engines import QueryError, memory_store

    try:
        return memory_store(data)
    except QueryError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None


@app.command()
def ask(
    name: Annotated[str | None, typer.Argument(help="The question's name (see --list).")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="A parameter as key=value; repeatable.")
                     ] = None,
    engine: Annotated[str, typer.Option(help="memory: the SPARQL twin in process over the built graph, no server; "
                                             "sparql: the SPARQL twin over HTTP at --endpoint (`ipkg serve`); "
                                             "falkordb: the Cypher twin on the embedded server or --to; neo4j: on "
                                             "--to or $NEO4J_URI.")] = "memory",
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    to: Annotated[str | None, typer.Option("--to", help="Cypher store URL (as for `ipkg load`).")] = None,
    data: Annotated[Path, typer.Option("--data", "-d", help="Graph folder written by `ipkg build` (memory "
                                                            "engine).")] = DEFAULT_GRAPH_DIR,
    endpoint: Annotated[str, typer.Option(help="SPARQL endpoint URL (sparql engine).")] = DEFAULT_ENDPOINT,
    list_: Annotated[bool, typer.Option("--list", help="List the questions and their parameters.")] = False,
) -> None:
    """Answer a named analyst question, in Cypher (FalkorDB, Neo4j) or SPARQL (in memory)."""
    from queries.catalogue import CatalogueError, catalogue, question
    from queries.engines import QueryError, ask_cypher, ask_remote, ask_sparql

    if list_ or not name:
        table = Table(title="ipkg questions")
        for c in ("question", "zh", "en", "parameters"):
            table.add_column(c, overflow="fold")
        for q in catalogue().values():
            params = "; ".join(_describe(p) for p in q.params)
            table.add_row(q.name, q.zh, q.en, params)
        Console(width=max(out.width, 160)).print(table)
        return
    if engine not in ENGINES:
        err.print(f"[red]error[/red] unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
        raise typer.Exit(2)
    if fmt not in ("table", "csv", "json"):
        err.print(f"[red]error[/red] unknown format {fmt!r}: choose table, csv or json")
        raise typer.Exit(2)
    try:
        q = question(name)
        params = q.bind(_given(param))
        if engine == "memory":
            rows = ask_sparql(q, _memory(data), params)
        elif engine == "sparql":
            rows = ask_remote(q, endpoint, params)
        else:
            store = _cypher_store(to if engine == "falkordb" else (to or os.environ.get("NEO4J_URI")))
            try:
                rows = ask_cypher(q, store, params)
            finally:
                store.close()
    except (CatalogueError, QueryError) as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None
    _print_rows(list(q.columns), rows, fmt, title=f"{q.name}: {q.zh}")


def _query_text(query: str | None, file: Path | None) -> str | None:
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except OSError as exc:
            err.print(f"[red]error[/red] cannot read {file}: {exc.strerror}")
            raise typer.Exit(1) from None
    return query


@app.command()
def cypher(
    query: Annotated[str | None, typer.Argument(help="A Cypher query. Without one: an interactive shell.")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the query from a file.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Store URL (default: the embedded FalkorDB).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Run ad-hoc Cypher against the store; with no query, an interactive shell with history."""
    from queries.engines import QueryError, run_cypher

    text = _query_text(query, file)
    store = _cypher_store(to)
    try:
        if text is not None:
            try:
                columns, rows = run_cypher(store, text)
            except QueryError as exc:
                err.print(f"[red]error[/red] the store refused the query: {exc}")
                raise typer.Exit(1) from None
            _print_rows(columns, rows, fmt)
            return
        _shell(store, fmt)
    finally:
        store.close()


def _shell(store, fmt: str) -> None:
    """An interactive Cypher shell: history kept in $IPKG_HOME/cypher_history; ';' ends a query."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    from loaders.falkordb_server import workspace
    from queries.engines import QueryError, run_cypher

    workspace().mkdir(parents=True, exist_ok=True)
    session: PromptSession = PromptSession(history=FileHistory(str(workspace() / "cypher_history")))
    out.print(f"Cypher on {store.where}. End a query with ';'. Ctrl-D leaves.")
    buffer: list[str] = []
    while True:
        try:
            line = session.prompt("cypher> " if not buffer else "   ...> ")
        except KeyboardInterrupt:
            buffer = []
            continue
        except EOFError:
            return
        buffer.append(line)
        joined = "\n".join(buffer).strip()
        if not joined.endswith(";"):
            continue
        buffer = []
        try:
            columns, rows = run_cypher(store, joined.rstrip(";"))
        except QueryError as exc:
            err.print(f"[red]error[/red] {exc}")
            continue
        _print_rows(columns, rows, fmt)


@app.command()
def sparql(
    query: Annotated[str | None, typer.Argument(help="A SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE).")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the query from a file.")] = None,
    data: Annotated[Path, typer.Option("--data", "-d", help="Graph folder written by `ipkg build`.")
                    ] = DEFAULT_GRAPH_DIR,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    endpoint: Annotated[str | None, typer.Option(help="Ask this SPARQL endpoint over HTTP instead (e.g. "
                                                      f"{DEFAULT_ENDPOINT}).")] = None,
) -> None:
    """Run ad-hoc SPARQL over the built graph, in process (read-only), or at a SPARQL endpoint."""
    from queries.engines import QueryError, run_remote_sparql, run_sparql

    text = _query_text(query, file)
    if not text:
        err.print("[red]error[/red] give a query, or --file FILE")
        raise typer.Exit(2)
    try:
        if endpoint:
            columns, rows = run_remote_sparql(endpoint, text)
        else:
            columns, rows = run_sparql(_memory(data), text)
    except QueryError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None
    _print_rows(columns, rows, fmt)


# ---------------------------------------------------------------- serve

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _data_base_iri(store_dir: Path) -> str | None:
    """The base IRI the graph was built with, read off one of its plans' IRIs."""
    from ontology.iri import KINDS
    from queries.endpoint.store import open_read_only

    store = open_read_only(store_dir)
    for sol in store.query("SELECT ?p WHERE { ?p a <https://w3id.org/ipkg/ontology#Plan> } LIMIT 1"):
        iri = sol["p"].value
        marker = f"/{KINDS['Plan']}/"
        if marker in iri:
            return iri[: iri.index(marker) + 1]
    return None


@app.command()
def serve(
    data: Annotated[Path, typer.Option("--data", "-d", help="Graph folder written by `ipkg build`.")
                    ] = DEFAULT_GRAPH_DIR,
    host: Annotated[str, typer.Option(help="Address to listen on. Anything but loopback needs --public.")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    base_iri: Annotated[str | None, typer.Option("--base-iri", help="The IRI prefix of the entities served under "
                                                                    "/id/ (default: the one the graph was built "
                                                                    "with).")] = None,
    time_limit: Annotated[float, typer.Option(help="Seconds a query may run before it is stopped.", min=0.1)] = 30.0,
    max_rows: Annotated[int, typer.Option(help="Largest result (rows or triples) a query may return.", min=1)
                        ] = 100_000,
    workers: Annotated[int, typer.Option(help="Query worker processes (queries answered at once).", min=1)] = 2,
    cache_mb: Annotated[int, typer.Option(help="Memory for answers to repeated queries, in MB (0: none).", min=0)
                        ] = 256,
    store: Annotated[str, typer.Option(help="memory: each query worker holds the graph in memory (2-4x faster "
                                            "queries, RAM per worker); disk: workers share the on-disk store.")
                     ] = "memory",
    public: Annotated[bool, typer.Option("--public", help="Allow listening on a non-loopback address.")] = False,
) -> None:
    """Serve the SPARQL endpoint, linked-data pages and VoID over the built graph (read-only)."""
    import logging

    import uvicorn

    from queries.endpoint.app import Settings, create_app
    from queries.endpoint.store import DataError, prepare_store

    if store not in ("memory", "disk"):
        err.print(f"[red]error[/red] --store is memory or disk, not {store!r}")
        raise typer.Exit(2)
    if host not in LOOPBACK and not public:
        err.print(f"[red]error[/red] --host {host} would expose the endpoint beyond this machine; "
                  "add --public if that is what you want")
        raise typer.Exit(2)
    if host not in LOOPBACK:
        err.print(f"[yellow]warning[/yellow] listening on {host}: anyone who can reach this machine can query "
                  "the endpoint (it is read-only)")
    try:
        store_dir = prepare_store(data, say=lambda m: err.print(m))
        found = _data_base_iri(store_dir)
    except DataError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None
    base = base_iri or found
    if base is None:
        from ontology.iri import base_iri as configured
        base = configured()
    elif found and base != found:
        err.print(f"[yellow]warning[/yellow] the graph's IRIs start with {found}, not {base}: "
                  "their pages will not be found under /id/")
    picture = _picture_maker(data)
    settings = Settings(data_dir=data, store_dir=store_dir, base_iri=base, time_limit=time_limit,
                        row_limit=max_rows, workers=workers, cache_mb=cache_mb, in_memory=store == "memory",
                        picture=picture)
    shown = f"[{host}]" if ":" in host else host
    if store == "memory":
        err.print(f"starting {workers} query worker(s), each loading the graph into memory "
                  f"({(data / 'kg.nt').stat().st_size / 1e6:.0f} MB of N-Triples; --store disk shares the disk store)")
    err.print(f"serving {data} at http://{shown}:{port}/  (SPARQL: /sparql, entities: {base}…); Ctrl-C stops")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", access_log=False)
    except SystemExit as exc:  # uvicorn exits when it cannot bind
        err.print(f"[red]error[/red] could not serve on {host}:{port} (is the port taken? try --port)")
        raise typer.Exit(1) from exc


def _picture_maker(data: Path):
    """The endpoint's entity-neighbourhood pictures (viz/), drawn from the built graph on first use."""
    import threading

    lock, cache = threading.Lock(), {}

    def picture(iri: str) -> str:
        from viz.render import render
        from viz.select import ego

        with lock:
            if "graph" not in cache:
                from kg.build import build_from

                cache["graph"] = build_from([data / "plans"])[0]
        graph = cache["graph"]
        if iri not in graph:
            return render(graph.subgraph([]), iri)
        return render(ego(graph, iri, 1), f"{graph.nodes[iri]['name']}（邻域 neighbourhood）", full=graph)

    return picture if (data / "plans").is_dir() else None


# ---------------------------------------------------------------- viz

viz_app = typer.Typer(help="Write an interactive graph picture as one self-contained HTML file (opens offline).",
                      no_args_is_help=True)
app.add_typer(viz_app, name="viz")
DataOpt = Annotated[Path, typer.Option("--data", "-d", help="Graph folder written by `ipkg build`.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="The HTML file to write (default: out/viz/….html).")]


def _graph_of(data: Path):
    """The knowledge graph of a built folder (rebuilt from its plans/*.json, which is quick)."""
    from kg.build import build_from

    plans_dir = data / "plans"
    if not plans_dir.is_dir() or not any(plans_dir.glob("*.json")):
        err.print(f"[red]error[/red] {plans_dir} has no plan data: run `ipkg build --out {data}` first")
        raise typer.Exit(1)
    graph, _, errors = build_from([plans_dir])
    for e in errors:
        err.print(f"[yellow]warning[/yellow] {e}")
    return graph


def _write_picture(view, title: str, out_file: Path, full, note: str = "") -> None:
    from viz.render import write_page

    if view.number_of_nodes() == 0:
        err.print("[red]error[/red] nothing to draw: the selection is empty")
        raise typer.Exit(1)
    t0 = time.perf_counter()
    write_page(view, title, out_file, full=full, note=note)
    out.print(f"wrote {out_file}: {view.number_of_nodes():,} nodes, {view.number_of_edges():,} relationships, "
              f"{out_file.stat().st_size / 1e6:.1f} MB ({time.perf_counter() - t0:.1f}s)")


def _slug(text: str) -> str:
    """A file-name-safe form of a name (Chinese kept; anything else but letters, digits and - folded)."""
    import re

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

    graph = _graph_of(data)
    view, dropped = whole(graph, max_nodes)
    note = ""
    if dropped:
        left = ", ".join(f"{label} {n:,}" for label, n in dropped)
        note = (f"为保持可用，省略了 left out to stay usable: {left}"
                "（用 ipkg viz plan / ego 查看 see them per plan or entity）")
        err.print(f"[yellow]note[/yellow] {graph.number_of_nodes():,} nodes is over --max-nodes {max_nodes:,}: "
                  f"left out {left}")
    _write_picture(view, "知识产权规划知识图谱 whole graph", out_file or Path("out/viz/whole.html"), graph, note)


@viz_app.command("plan")
def viz_plan(
    plan: Annotated[str, typer.Argument(help="The plan's name, key, IRI or file name.")],
    data: DataOpt = DEFAULT_GRAPH_DIR,
    out_file: OutOpt = None,
) -> None:
    """One plan: everything it asserts."""
    from viz.select import SelectError, find_plan, plan_subgraph

    graph = _graph_of(data)
    try:
        view = plan_subgraph(graph, plan)
        name = graph.nodes[find_plan(graph, plan)]["name"]
    except SelectError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None
    _write_picture(view, name, out_file or Path(f"out/viz/plan-{_slug(name)}.html"), graph)


@viz_app.command("ego")
def viz_ego(
    entity: Annotated[str, typer.Argument(help="The entity's name, key or IRI (e.g. 新材料, 璧山区市场监督管理局).")],
    depth: Annotated[int, typer.Option(help="Relationships away from the entity.", min=1, max=4)] = 1,
    data: DataOpt = DEFAULT_GRAPH_DIR,
    out_file: OutOpt = None,
) -> None:
    """One entity's neighbourhood."""
    from viz.select import SelectError, ego

    graph = _graph_of(data)
    try:
        view = ego(graph, entity, depth)
    except SelectError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None
    _write_picture(view, f"{entity}（{depth} 度邻域 neighbourhood）",
                   out_file or Path(f"out/viz/ego-{_slug(entity)}.html"), graph)


@viz_app.command("ask")
def viz_ask(
    name: Annotated[str, typer.Argument(help="The question's name (see `ipkg ask --list`).")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="A parameter as key=value; repeatable.")
                     ] = None,
    data: DataOpt = DEFAULT_GRAPH_DIR,
    out_file: OutOpt = None,
) -> None:
    """One question's answer: the entities it names and the relationships between them."""
    from queries.catalogue import CatalogueError, question
    from queries.engines import QueryError, ask_sparql
    from viz.select import SelectError, answer_subgraph

    graph = _graph_of(data)
    try:
        q = question(name)
        params = q.bind(_given(param))
        rows = ask_sparql(q, _memory(data), params)
        view = answer_subgraph(graph, rows, params)
    except (CatalogueError, QueryError, SelectError) as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None
    shown = " ".join(str(v) for v in params.values() if v not in (None, ""))
    _write_picture(view, f"{q.name} {shown}：{q.zh}", out_file or Path(f"out/viz/{name}-{_slug(shown)}.html"),
                   graph, note=f"{len(rows)} 行答案 rows in the answer")


def main() -> None:  # pragma: no cover - console script entry
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
