"""What the command groups share: the consoles, one way to fail, the shared options and output."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

out = Console(soft_wrap=True)  # one line per message, greppable
err = Console(stderr=True, soft_wrap=True)

DEFAULT_GRAPH_DIR = Path("out/graph")
DEFAULT_ENDPOINT = "http://127.0.0.1:8000/sparql"
FORMATS = ("table", "csv", "json")

DataOpt = Annotated[Path, typer.Option("--data", "-d", help="Graph folder written by `ipkg build`.")]
ParamOpt = Annotated[list[str] | None, typer.Option("--param", "-p", help="A parameter as key=value; repeatable.")]
FormatOpt = Annotated[str, typer.Option("--format", help="table, csv or json.")]
QueryFileOpt = Annotated[Path | None, typer.Option("--file", "-f", help="Read the query from a file.")]


def error(message: str) -> None:
    """``error MESSAGE`` on standard error (the command goes on: other inputs may still be done)."""
    err.print(f"[red]error[/red] {message}")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error MESSAGE`` on standard error and leave with ``code`` (1: it failed; 2: wrong usage)."""
    error(message)
    raise typer.Exit(code)


def warn(message: str) -> None:
    err.print(f"[yellow]warning[/yellow] {message}")


def progress(disable: bool = False) -> Progress:
    """A progress bar on standard error, shown only on a terminal."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=disable or not err.is_terminal)


def wide_table(table: Table, width: int) -> None:
    """Print a table at least ``width`` columns wide (tables are read, not grepped)."""
    Console(width=max(out.width, width)).print(table)


def print_rows(columns: list[str], rows: list[tuple], fmt: str, title: str | None = None) -> None:
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
        wide_table(table, 140)
        err.print(f"{len(rows)} row(s)")


def given(param: list[str] | None) -> dict[str, str]:
    """``--param key=value`` options as a dict (``ask`` and ``viz ask``)."""
    from queries.catalogue import CatalogueError

    pairs = {}
    for kv in param or []:
        key, sep, value = kv.partition("=")
        if not sep:
            raise CatalogueError(f"--param takes key=value, not {kv!r}")
        pairs[key.strip()] = value
    return pairs


def memory(data: Path):
    """The graph of a built folder in an in-memory SPARQL store (``ask``, ``sparql``, ``viz ask``)."""
    from queries.engines import QueryError, memory_store

    try:
        return memory_store(data)
    except QueryError as exc:
        fail(str(exc))


def built_graph(data: Path, report: Callable[[str], None] = warn):
    """The graph of a folder `ipkg build` wrote, with the lines of plan files that could not be read (each also
    given to ``report``); no plan data there fails with what to run."""
    from kg.folder import FolderError, graph_of

    try:
        graph, errors = graph_of(data)
    except FolderError as exc:
        fail(str(exc))
    for e in errors:
        report(e)
    return graph, errors
