"""What the command groups share: the consoles, one way to fail, the shared options and output."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

out = Console(soft_wrap=True)  # one line per message, greppable
err = Console(stderr=True, soft_wrap=True)

# the one workspace: what `ipkg demo` and `ipkg build` write and every reader reads by default, beside the servers'
# data (falkordb/, neo4j/) and the Cypher shell's history; `$IPKG_HOME`, else ./.ipkg
HOME = Path(os.environ.get("IPKG_HOME") or ".ipkg")
DEFAULT_GRAPH_DIR = HOME / "graph"
DEFAULT_VIZ_DIR = HOME / "viz"
DEFAULT_ENDPOINT = "http://127.0.0.1:8000/sparql"
FORMATS = ("table", "csv", "json", "jsonl", "markdown", "xlsx")  # xlsx only with --out

DataOpt = Annotated[Path, typer.Option("--data", "-d", help="Graph folder written by `ipkg build`.")]
ParamOpt = Annotated[list[str] | None, typer.Option("--param", "-p", help="A parameter as key=value; repeatable.")]
FormatOpt = Annotated[str | None, typer.Option("--format", help="table, csv, json, jsonl, markdown, or xlsx (with "
                                                               "--out). Default: table, or --out's extension.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write the answer to this file (.csv with a BOM "
                                                                 "for Excel, .json, .jsonl, .xlsx, .md).")]
ColumnsOpt = Annotated[str | None, typer.Option("--columns", help="Only these columns, in this order: a,b,c.")]
EvidenceOpt = Annotated[bool, typer.Option("--evidence", help="Show the evidence column in full in the table "
                                                              "(folded to one line by default).")]
QueryFileOpt = Annotated[Path | None, typer.Option("--file", "-f", help="Read the query from a file.")]


# what a terminal acts on instead of showing: C0 and C1 controls and DEL (ESC starts a command: clear the screen,
# set the title), line and paragraph separators, bidirectional overrides (they reorder the text after them), and
# lone surrogates (Python's stand-ins for the bytes of a file name that is not UTF-8, which no console can encode)
_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")  # \t, \n kept


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte the file name held
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: object, one_line: bool = True) -> str:
    """``text`` as rich prints it literally: control characters escaped as ``\\x1b`` (also tabs and newlines when
    ``one_line``), a non-UTF-8 byte of a file name as ``\\xff``, and markup such as ``[red]`` kept as written."""
    return escape((_ONE_LINE if one_line else _LINES).sub(lambda m: _escaped(m.group()), str(text)))


def error(message: str, one_line: bool = False) -> None:
    """``error MESSAGE`` on standard error (the command goes on: other inputs may still be done). The message is
    printed as written (see :func:`printable`), on one line when ``one_line`` (a line per file)."""
    err.print(f"[red]error[/red] {printable(message, one_line)}")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error MESSAGE`` on standard error and leave with ``code`` (1: it failed; 2: wrong usage)."""
    error(message)
    raise typer.Exit(code)


def warn(message: str, one_line: bool = False) -> None:
    """``warning MESSAGE`` on standard error, printed as written (see :func:`error`)."""
    err.print(f"[yellow]warning[/yellow] {printable(message, one_line)}")


def writable_folder(folder: Path, option: str = "--out") -> None:
    """Fail with one line, before any work is done, when ``folder`` cannot be created or written into."""
    if folder.exists() and not folder.is_dir():
        fail(f"{option} {folder}: exists and is not a folder", 2)
    nearest = folder
    while not nearest.exists() and nearest != nearest.parent:
        nearest = nearest.parent
    if not nearest.is_dir():
        fail(f"{option} {folder}: {nearest} is a file, not a folder", 2)
    if not os.access(nearest, os.W_OK | os.X_OK):
        fail(f"{option} {folder}: {nearest} is not writable", 2)


def progress(disable: bool = False) -> Progress:
    """A progress bar on standard error, shown only on a terminal."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=disable or not err.is_terminal)


def wide_table(table: Table, width: int) -> None:
    """Print a table at least ``width`` columns wide (tables are read, not grepped)."""
    Console(width=max(out.width, width)).print(table)


def print_rows(columns: list[str], rows: list[tuple], fmt: str, title: str | None = None,
               evidence: bool = True) -> None:
    """Rows as a rich table, CSV, JSON, JSON Lines or Markdown on standard output; in the table the evidence
    column is folded to one line unless ``evidence``."""
    from queries.export import WRAPPED, render

    if fmt != "table":
        sys.stdout.write(render(columns, rows, fmt))
        return
    table = Table(title=title, show_lines=False)
    for c in columns:
        if c in WRAPPED and not evidence:
            table.add_column(c, overflow="ellipsis", no_wrap=True, max_width=40)
        else:
            table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    wide_table(table, 140)
    err.print(f"{len(rows)} row(s)")


def show_answer(columns: list[str], rows: list[tuple], fmt: str | None, out_file: Path | None = None,
                chosen: str | None = None, evidence: bool = False, title: str | None = None) -> None:
    """An answer as the analyst asked for it: ``--columns`` chosen, then written to ``--out`` (format from
    ``--format`` or the extension) or shown on standard output (``--format``, default the table)."""
    from queries.export import ExportError, format_for, select_columns, write_rows

    try:
        columns, rows = select_columns(columns, rows, [c.strip() for c in chosen.split(",") if c.strip()]
                                       if chosen else None)
        if out_file is not None:
            kind = format_for(out_file, fmt if fmt and fmt != "table" else None)
            write_rows(out_file, columns, rows, kind)
            out.print(f"wrote {len(rows)} row(s) to {out_file} ({kind})")
            return
    except ExportError as exc:
        fail(str(exc), 2)
    except OSError as exc:
        fail(f"cannot write {out_file}: {exc.strerror}")
    fmt = fmt or "table"
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}", 2)
    if fmt == "xlsx":
        fail("xlsx is a file format: give --out FILE.xlsx", 2)
    print_rows(columns, rows, fmt, title=title, evidence=evidence)


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
