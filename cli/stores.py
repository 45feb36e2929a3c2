"""The graph stores: ``db start | stop | status`` (the embedded FalkorDB), ``neo4j start | stop | status`` (a local
Neo4j Community server) and ``load``.

The two servers are two groups with the same three verbs and the same one-line messages, rather than one group
with an ``--engine`` switch: Neo4j's ``start`` takes a heap and a password FalkorDB has no use for, and a bare
``stop`` or ``status`` never has to guess which server is meant.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DEFAULT_GRAPH_DIR, built_graph, error, fail, out, progress, warn
from loaders.falkordb_server import DEFAULT_PORT
from loaders.neo4j_server import DEFAULT_HEAP as NEO4J_HEAP
from loaders.neo4j_server import DEFAULT_PORT as NEO4J_PORT

db_app = typer.Typer(help="Run the embedded FalkorDB graph database (start | stop | status).", no_args_is_help=True)


@db_app.command("start")
def db_start(
    port: Annotated[int | None, typer.Option(
        help=f"Port on 127.0.0.1 (default: $IPKG_FALKORDB_PORT or {DEFAULT_PORT}).")] = None,
) -> None:
    """Start the embedded FalkorDB server on 127.0.0.1 (data under $IPKG_HOME, default ./.ipkg)."""
    from loaders.falkordb_server import ServerError, start

    try:
        info = start(port)
    except ServerError as exc:
        fail(str(exc))
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
        nodes, edges = store_counts(FalkorStore(port=info.port or DEFAULT_PORT))
        out.print(f"  graph 'ipkg': {sum(nodes.values())} nodes, {sum(edges.values())} relationships")
    except Exception as exc:
        warn(f"could not read the graph: {str(exc).splitlines()[0]}")


neo4j_app = typer.Typer(help="Run a local Neo4j Community server with Bolt on 127.0.0.1 (start | stop | status).",
                        no_args_is_help=True)


@neo4j_app.command("start")
def neo4j_start(
    port: Annotated[int | None, typer.Option(
        help=f"Bolt port on 127.0.0.1 (default: $IPKG_NEO4J_PORT or {NEO4J_PORT}).")] = None,
    heap: Annotated[str, typer.Option(help="The JVM's heap, e.g. 512m or 2g.")] = NEO4J_HEAP,
) -> None:
    """Start Neo4j Community on 127.0.0.1 (data under $IPKG_HOME/neo4j, password of user neo4j from NEO4J_PASSWORD
    or a hidden prompt)."""
    from loaders.neo4j_server import ServerError, start, status

    password = None
    if not status().running and "NEO4J_PASSWORD" not in os.environ and sys.stdin.isatty():
        password = typer.prompt("Password for the Neo4j user 'neo4j' (8 characters or more)", hide_input=True,
                                default="", show_default=False) or None
    try:
        info = start(port, heap=heap, password=password)
    except ServerError as exc:
        fail(str(exc))
    _neo4j_running(info)


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local Neo4j server cleanly (it flushes its data and exits)."""
    from loaders.neo4j_server import stop

    out.print("Neo4j stopped" if stop() else "Neo4j was not running")


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Show whether the local Neo4j server runs: its Bolt address, pid and data folder (exit 3 when it does not)."""
    from loaders.neo4j_server import status

    info = status()
    if not info.running:
        out.print(f"Neo4j is not running (data folder {info.data_dir})")
        raise typer.Exit(3)
    _neo4j_running(info)


def _neo4j_running(info) -> None:
    from loaders.neo4j_server import uri

    out.print(f"Neo4j running on {uri(info.port)} (pid {info.pid}, data {info.data_dir})")


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
    from loaders.cypher import LoadError, store_counts
    from loaders.cypher import load as load_graph

    graph, errors = built_graph(data, report=error)
    store = open_store(to)
    t0 = time.perf_counter()
    try:
        with progress() as bar:
            task = bar.add_task(f"loading into {store.where}", total=None)
            written = load_graph(graph, store, plan, batch_size=batch_size, warn=warn,
                                 on_batch=lambda i, n, _b: bar.update(task, completed=i, total=n))
        nodes, edges = store_counts(store)
    except LoadError as exc:
        fail(str(exc))
    finally:
        store.close()
    out.print(f"loaded {written['nodes']} nodes and {written['relationships']} relationships into {store.where} "
              f"in {time.perf_counter() - t0:.1f}s; the store now holds {sum(nodes.values())} nodes, "
              f"{sum(edges.values())} relationships")
    if errors:
        raise typer.Exit(1)


def open_store(to: str | None):
    """The Cypher store at ``to`` (default: the embedded FalkorDB), opened; a Neo4j password is asked for first
    when there is none (it is never an argument)."""
    from loaders.cypher import LoadError
    from loaders.cypher import open_store as open_cypher_store

    _ask_password(to)
    try:
        return open_cypher_store(to)
    except LoadError as exc:
        fail(str(exc))


def _ask_password(to: str | None) -> None:
    """A Neo4j password is never an argument: it comes from NEO4J_PASSWORD or, on a terminal, a hidden prompt."""
    if to and to.split(":", 1)[0].startswith(("neo4j", "bolt")) and "NEO4J_PASSWORD" not in os.environ \
            and sys.stdin.isatty():
        os.environ["NEO4J_PASSWORD"] = typer.prompt(f"Neo4j password for {to}", hide_input=True, default="",
                                                    show_default=False)
