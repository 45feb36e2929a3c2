"""``serve``: the read-only SPARQL endpoint and linked-data pages over a built graph."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import DEFAULT_GRAPH_DIR, DataOpt, err, error, fail, warn

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(
    data: DataOpt = DEFAULT_GRAPH_DIR,
    host: Annotated[str, typer.Option(help="Address to listen on. Anything but loopback needs --public.")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    base_iri: Annotated[str | None, typer.Option("--base-iri", help="The IRI prefix of the entities served under "
                                                                    "/id/ (default: the one the graph was built "
                                                                    "with).")] = None,
    time_limit: Annotated[float, typer.Option(
        help="Seconds a query may take, waiting for a worker included, before it is stopped.", min=0.1)] = 30.0,
    max_rows: Annotated[int, typer.Option(help="Largest result (rows or triples) a query may return.", min=1)
                        ] = 100_000,
    workers: Annotated[int, typer.Option(help="Query worker processes (queries answered at once).", min=1)] = 2,
    cache_mb: Annotated[int, typer.Option(help="Memory for answers to repeated queries, in MB (0: none).", min=0)
                        ] = 256,
    store: Annotated[str, typer.Option(help="memory: each query worker holds the graph in memory (2-4x faster "
                                            "queries, RAM per worker); disk: workers share the on-disk store.")
                     ] = "memory",
    public: Annotated[bool, typer.Option("--public", help="Allow listening on a non-loopback address.")] = False,
    public_url: Annotated[str | None, typer.Option("--public-url", help="The address clients reach the server at "
                                                                        "(behind a proxy), used in VoID and the "
                                                                        "Service Description (default: "
                                                                        "http://HOST:PORT/).")] = None,
    allow_service: Annotated[list[str] | None, typer.Option("--allow-service", help="A SPARQL endpoint that "
                                                                                    "federated queries (SERVICE) may "
                                                                                    "reach; repeatable. Without "
                                                                                    "one, SERVICE is refused and "
                                                                                    "the query workers have no "
                                                                                    "network.")] = None,
    worker_mb: Annotated[int | None, typer.Option("--worker-mb", help="Memory (heap, RLIMIT_DATA) of a query worker, "
                                                                      "in MB; a query needing more gets 503 "
                                                                      "(default: 1024 + 4 x kg.nt with --store "
                                                                      "memory; 0: no cap).", min=0)] = None,
    quick_limit: Annotated[float, typer.Option("--quick-limit", help="Seconds a query may take on the worker "
                                                                     "reserved for quick queries, used when all "
                                                                     "others are busy (0: no reserved worker).",
                                               min=0)] = 2.0,
    per_client: Annotated[int, typer.Option("--per-client", help="Queries one client address may have in hand at "
                                                                 "once; more get 429.", min=1)] = 8,
    read_timeout: Annotated[float, typer.Option("--read-timeout", help="Seconds a client has to send a whole "
                                                                       "request (headers and body) before its "
                                                                       "connection is closed.", min=0.1)] = 10.0,
) -> None:
    """Serve the SPARQL endpoint, linked-data pages and VoID over the built graph (read-only)."""
    import logging

    from queries.endpoint.app import Settings, create_app
    from queries.endpoint.server import run
    from viz.pictures import neighbourhood_pictures

    _check_address(host, public, store)
    store_dir, base = _prepare(data, base_iri)
    shown = f"[{host}]" if ":" in host else host
    settings = Settings(data_dir=data, store_dir=store_dir, base_iri=base, time_limit=time_limit,
                        row_limit=max_rows, workers=workers, cache_mb=cache_mb, in_memory=store == "memory",
                        picture=neighbourhood_pictures(data), root_url=public_url or f"http://{shown}:{port}/",
                        allowed_services=frozenset(allow_service or ()), worker_mb=worker_mb,
                        quick_limit=quick_limit, per_client=per_client)
    if store == "memory":
        err.print(f"starting {workers} query worker(s), each loading the graph into memory "
                  f"({(data / 'kg.nt').stat().st_size / 1e6:.0f} MB of N-Triples; --store disk shares the disk store)"
                  f", each within {settings.worker_limit() or 'unlimited'} MB")
    err.print(f"serving {data} at http://{shown}:{port}/  (SPARQL: /sparql, entities: {base}…); Ctrl-C stops")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        run(create_app(settings), host, port, read_timeout, log_level="warning", access_log=False)
    except SystemExit as exc:  # uvicorn exits when it cannot bind
        error(f"could not serve on {host}:{port} (is the port taken? try --port)")
        raise typer.Exit(1) from exc


def _check_address(host: str, public: bool, store: str) -> None:
    if store not in ("memory", "disk"):
        fail(f"--store is memory or disk, not {store!r}", 2)
    if host not in LOOPBACK and not public:
        fail(f"--host {host} would expose the endpoint beyond this machine; add --public if that is what you want", 2)
    if host not in LOOPBACK:
        warn(f"listening on {host}: anyone who can reach this machine can query the endpoint (it is read-only); "
             "--public-url gives the address they use, for VoID and the Service Description")


def _prepare(data: Path, base_iri: str | None) -> tuple[Path, str]:
    """The endpoint's store of the built graph (made once), and the base IRI its entities are served under: the
    one asked for, else the one the graph was built with, else the configured one."""
    from kg.folder import FolderError, base_iri_of
    from ontology.iri import base_iri as configured
    from queries.endpoint.store import DataError, prepare_store

    try:
        store_dir = prepare_store(data, say=lambda m: err.print(m))
        found = base_iri_of(data)
    except (DataError, FolderError) as exc:
        fail(str(exc))
    if base_iri and found and base_iri != found:
        warn(f"the graph's IRIs start with {found}, not {base_iri}: their pages will not be found under /id/")
    return store_dir, base_iri or found or configured()
