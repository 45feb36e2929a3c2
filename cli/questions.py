"""Asking the graph: ``ask`` (the catalogue's questions), ``cypher`` and ``sparql`` (ad-hoc queries)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import (
    DEFAULT_ENDPOINT,
    DEFAULT_GRAPH_DIR,
    ColumnsOpt,
    DataOpt,
    EvidenceOpt,
    FormatOpt,
    OutOpt,
    ParamOpt,
    QueryFileOpt,
    err,
    error,
    fail,
    given,
    memory,
    out,
    print_rows,
    show_answer,
    wide_table,
)
from cli.stores import open_store

ENGINES = ("falkordb", "neo4j", "sparql", "memory")


def ask(
    name: Annotated[str | None, typer.Argument(help="The question's name (see --list).")] = None,
    param: ParamOpt = None,
    engine: Annotated[str, typer.Option(help="memory: the SPARQL twin in process over the built graph, no server; "
                                             "sparql: the SPARQL twin over HTTP at --endpoint (`ipkg serve`); "
                                             "falkordb: the Cypher twin on the embedded server or --to; neo4j: on "
                                             "--to or $NEO4J_URI.")] = "memory",
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="table, csv, json, jsonl, markdown, or xlsx "
                                                                   "(with --out). Default: table, or --out's "
                                                                   "extension.")] = None,
    out_file: OutOpt = None,
    columns: ColumnsOpt = None,
    evidence: EvidenceOpt = False,
    to: Annotated[str | None, typer.Option("--to", help="Cypher store URL (as for `ipkg load`).")] = None,
    data: Annotated[Path, typer.Option("--data", "-d", help="Graph folder written by `ipkg build` (memory "
                                                            "engine).")] = DEFAULT_GRAPH_DIR,
    endpoint: Annotated[str, typer.Option(help="SPARQL endpoint URL (sparql engine).")] = DEFAULT_ENDPOINT,
    list_: Annotated[bool, typer.Option("--list", help="List the questions and their parameters.")] = False,
) -> None:
    """Answer a named analyst question, in Cypher (FalkorDB, Neo4j) or SPARQL (in memory)."""
    from queries.catalogue import CatalogueError, question
    from queries.engines import QueryError

    if list_ or not name:
        _list_questions()
        return
    if engine not in ENGINES:
        fail(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}", 2)
    try:
        q = question(name)
        params = q.bind(given(param))
        rows = _answer(q, params, engine, to, data, endpoint)
    except (CatalogueError, QueryError) as exc:
        fail(str(exc))
    show_answer(list(q.columns), rows, fmt, out_file, columns, evidence, title=f"{q.name}: {q.zh}")


def _answer(q, params: dict, engine: str, to: str | None, data: Path, endpoint: str) -> list[tuple]:
    """The question's rows from the engine asked for."""
    from functools import partial

    from queries.engines import ask_cypher, ask_remote, ask_sparql, run_cypher, run_remote_sparql, run_sparql
    from queries.values import Checker

    if engine == "memory":
        graph = memory(data)
        Checker(partial(run_sparql, graph), "sparql").check(q, params)
        return ask_sparql(q, graph, params)
    if engine == "sparql":
        Checker(partial(run_remote_sparql, endpoint), "sparql").check(q, params)
        return ask_remote(q, endpoint, params)
    store = open_store(to if engine == "falkordb" else _neo4j_url(to))
    try:
        Checker(partial(run_cypher, store), "cypher").check(q, params)
        return ask_cypher(q, store, params)
    finally:
        store.close()


def _neo4j_url(to: str | None) -> str:
    """The Neo4j server ``--engine neo4j`` asks: ``--to``, else $NEO4J_URI; never the embedded FalkorDB."""
    from loaders.cypher import NEO4J_SCHEMES

    url = to or os.environ.get("NEO4J_URI") or ""
    if not url:
        fail("--engine neo4j needs a Neo4j server: give --to neo4j://HOST:PORT or set NEO4J_URI "
             "(`ipkg neo4j start` runs one on bolt://127.0.0.1:7687)", 2)
    if url.split("://", 1)[0] not in NEO4J_SCHEMES:
        fail(f"--engine neo4j needs a neo4j:// or bolt:// URL, not {url!r}", 2)
    return url


def _list_questions() -> None:
    from queries.catalogue import catalogue

    table = Table(title="ipkg questions")
    for c in ("question", "zh", "en", "parameters"):
        table.add_column(c, overflow="fold")
    for q in catalogue().values():
        table.add_row(q.name, q.zh, q.en, "; ".join(_describe(p) for p in q.params))
    wide_table(table, 160)


def _describe(p) -> str:
    """A parameter as `ask --list` shows it: name, whether it is needed, and the values it takes if only some."""
    allowed = f": {'|'.join(p.choices)}" if p.choices else ""
    if p.required:
        return f"{p.name} (required{allowed})"
    return f"{p.name} (default {p.default}{allowed})" if p.default is not None else f"{p.name} (optional{allowed})"


def _query_text(query: str | None, file: Path | None) -> str | None:
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except OSError as exc:
            fail(f"cannot read {file}: {exc.strerror}")
    return query


def cypher(
    query: Annotated[str | None, typer.Argument(help="A Cypher query. Without one: an interactive shell.")] = None,
    file: QueryFileOpt = None,
    to: Annotated[str | None, typer.Option("--to", help="Store URL (default: the embedded FalkorDB).")] = None,
    write: Annotated[bool, typer.Option("--write", help="Allow the query to change the store (read-only "
                                                        "otherwise); prints what it changed.")] = False,
    fmt: FormatOpt = None,
    out_file: OutOpt = None,
    columns: ColumnsOpt = None,
    evidence: EvidenceOpt = False,
) -> None:
    """Run ad-hoc Cypher against the store, read-only unless --write; with no query, an interactive shell."""
    from queries.engines import QueryError, WriteRefused, counters_line, run_adhoc_cypher

    text = _query_text(query, file)
    store = open_store(to)
    try:
        if text is None:
            shell(store, fmt or "table", write)
            return
        try:
            cols, rows, counters = run_adhoc_cypher(store, text, write=write)
        except WriteRefused as exc:
            fail(str(exc))
        except QueryError as exc:
            fail(f"the store refused the query: {exc}")
        if cols or not write:
            show_answer(cols, rows, fmt, out_file, columns, evidence)
        changed = counters_line(counters)
        if write:
            err.print(changed or "no changes")
    finally:
        store.close()


def shell(store, fmt: str, write: bool = False) -> None:
    """An interactive Cypher shell: history kept in $IPKG_HOME/cypher_history; ';' ends a query; ``:write``
    toggles whether queries may change the store (read-only at the start unless ``write``)."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    from loaders.servers import workspace
    from queries.engines import QueryError, counters_line, run_adhoc_cypher

    workspace().mkdir(parents=True, exist_ok=True)
    session: PromptSession = PromptSession(history=FileHistory(str(workspace() / "cypher_history")))
    out.print(f"Cypher on {store.where} ({'read-write' if write else 'read-only'}). End a query with ';'; "
              "':write' switches writing on or off. Ctrl-D leaves.")
    buffer: list[str] = []
    while True:
        try:
            line = session.prompt(("cypher! " if write else "cypher> ") if not buffer else "   ...> ")
        except KeyboardInterrupt:
            buffer = []
            continue
        except EOFError:
            return
        if not buffer and line.strip().rstrip(";") == ":write":
            write = not write
            out.print("writing on: queries may change the store" if write else "read-only: writes are refused")
            continue
        buffer.append(line)
        joined = "\n".join(buffer).strip()
        if not joined.endswith(";"):
            continue
        buffer = []
        try:
            columns, rows, counters = run_adhoc_cypher(store, joined.rstrip(";"), write=write)
        except QueryError as exc:
            error(str(exc).replace("run it again with --write", "switch writing on with :write"))
            continue
        if columns or not write:
            print_rows(columns, rows, fmt)
        if write:
            err.print(counters_line(counters) or "no changes")


def sparql(
    query: Annotated[str | None, typer.Argument(help="A SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE).")] = None,
    file: QueryFileOpt = None,
    data: DataOpt = DEFAULT_GRAPH_DIR,
    fmt: FormatOpt = None,
    out_file: OutOpt = None,
    columns: ColumnsOpt = None,
    evidence: EvidenceOpt = False,
    endpoint: Annotated[str | None, typer.Option(help="Ask this SPARQL endpoint over HTTP instead (e.g. "
                                                      f"{DEFAULT_ENDPOINT}).")] = None,
) -> None:
    """Run ad-hoc SPARQL over the built graph, in process (read-only), or at a SPARQL endpoint."""
    from queries.engines import QueryError, run_remote_sparql, run_sparql

    text = _query_text(query, file)
    if not text:
        fail("give a query, or --file FILE", 2)
    try:
        cols, rows = run_remote_sparql(endpoint, text) if endpoint else run_sparql(memory(data), text)
    except QueryError as exc:
        fail(str(exc))
    show_answer(cols, rows, fmt, out_file, columns, evidence)
