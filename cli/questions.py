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
    FORMATS,
    DataOpt,
    FormatOpt,
    ParamOpt,
    QueryFileOpt,
    error,
    fail,
    given,
    memory,
    out,
    print_rows,
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
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
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
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}: choose table, csv or json", 2)
    try:
        q = question(name)
        params = q.bind(given(param))
        rows = _answer(q, params, engine, to, data, endpoint)
    except (CatalogueError, QueryError) as exc:
        fail(str(exc))
    print_rows(list(q.columns), rows, fmt, title=f"{q.name}: {q.zh}")


def _answer(q, params: dict, engine: str, to: str | None, data: Path, endpoint: str) -> list[tuple]:
    """The question's rows from the engine asked for."""
    from queries.engines import ask_cypher, ask_remote, ask_sparql

    if engine == "memory":
        return ask_sparql(q, memory(data), params)
    if engine == "sparql":
        return ask_remote(q, endpoint, params)
    store = open_store(to if engine == "falkordb" else (to or os.environ.get("NEO4J_URI")))
    try:
        return ask_cypher(q, store, params)
    finally:
        store.close()


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
    fmt: FormatOpt = "table",
) -> None:
    """Run ad-hoc Cypher against the store; with no query, an interactive shell with history."""
    from queries.engines import QueryError, run_cypher

    text = _query_text(query, file)
    store = open_store(to)
    try:
        if text is None:
            shell(store, fmt)
            return
        try:
            columns, rows = run_cypher(store, text)
        except QueryError as exc:
            fail(f"the store refused the query: {exc}")
        print_rows(columns, rows, fmt)
    finally:
        store.close()


def shell(store, fmt: str) -> None:
    """An interactive Cypher shell: history kept in $IPKG_HOME/cypher_history; ';' ends a query."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    from loaders.servers import workspace
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
            error(str(exc))
            continue
        print_rows(columns, rows, fmt)


def sparql(
    query: Annotated[str | None, typer.Argument(help="A SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE).")] = None,
    file: QueryFileOpt = None,
    data: DataOpt = DEFAULT_GRAPH_DIR,
    fmt: FormatOpt = "table",
    endpoint: Annotated[str | None, typer.Option(help="Ask this SPARQL endpoint over HTTP instead (e.g. "
                                                      f"{DEFAULT_ENDPOINT}).")] = None,
) -> None:
    """Run ad-hoc SPARQL over the built graph, in process (read-only), or at a SPARQL endpoint."""
    from queries.engines import QueryError, run_remote_sparql, run_sparql

    text = _query_text(query, file)
    if not text:
        fail("give a query, or --file FILE", 2)
    try:
        columns, rows = run_remote_sparql(endpoint, text) if endpoint else run_sparql(memory(data), text)
    except QueryError as exc:
        fail(str(exc))
    print_rows(columns, rows, fmt)
