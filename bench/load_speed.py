"""Loading speed into the embedded FalkorDB and a real Neo4j: batched UNWIND…MERGE against one statement per element.

    python -m bench.load_speed [--plans 1000] [--one-by-one-plans N] [--neo4j-one-by-one-plans N] [--no-neo4j]

Generates the scale corpus (bench/corpus.py), builds its graph, starts a FalkorDB server and a
Neo4j Community server (loaders/neo4j_server.py) of its own on free 127.0.0.1 ports, and in the
same run loads
  - the whole graph with the batched loader (1000 rows per statement) into each store,
  - one plan again into each full store (what ``ipkg load --plan KEY`` does: the retraction
    pass, then that plan's elements),
  - the same elements with one statement per node and per relationship, into a separate FalkorDB
    graph (``--one-by-one-plans N`` restricts that to the first N plans, for a quicker run) and
    into Neo4j (a sample: the first ``--neo4j-one-by-one-plans`` plans, default 20),
then prints elements (nodes + relationships) per second side by side with the batched/one-by-one
ratios, and the time to export the whole corpus as RDF (Turtle). Targets: batched >= 20,000
elements/s into each store and >= 20x one-by-one; the RDF export under a minute.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from bench.corpus import generate
from kg.graph import build_graph
from loaders import falkordb_server as fs
from loaders import neo4j_server as ns
from loaders.cypher import FalkorStore, Neo4jStore, Store, batches, ensure_indexes, load, store_counts
from loaders.export import write_rdf


@dataclass
class Figures:
    """One store's timings: the whole graph batched, one plan reloaded, and a one-by-one sample."""

    batched_s: float
    reload_s: float
    one_elements: int
    one_s: float
    one_plans: int

    def batched_rate(self, elements: int) -> float:
        return elements / self.batched_s

    def one_rate(self) -> float:
        return self.one_elements / self.one_s


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _check(store: Store, elements: int, what: str) -> None:
    nodes, edges = store_counts(store)
    assert sum(nodes.values()) + sum(edges.values()) == elements, f"{what}: the load lost or added elements"


def _one_by_one(graph: nx.MultiDiGraph, sample: set[str], store: Store) -> tuple[int, float]:
    """One statement per node and per relationship of the sample's plans: (elements, seconds)."""
    ensure_indexes(store)
    todo = batches(graph, sample, size=1)
    t0 = time.perf_counter()
    for b in todo:
        store.run(b.query, {"rows": b.rows})
    return len(todo), time.perf_counter() - t0


def _falkordb(graph: nx.MultiDiGraph, keys: list[str], elements: int, args: argparse.Namespace,
              home: Path) -> Figures:
    port = fs.free_port()
    fs.start(port=port, home=home)
    try:
        store = FalkorStore(port=port, graph="bench_batched", timeout=600)
        batched = _timed(lambda: load(graph, store, batch_size=args.batch_size))
        _check(store, elements, "FalkorDB")
        reload = _timed(lambda: load(graph, store, plans=[keys[0]], batch_size=args.batch_size))
        _check(store, elements, "FalkorDB reload")
        sample = set(keys[: args.one_by_one_plans or len(keys)])
        n, secs = _one_by_one(graph, sample, FalkorStore(port=port, graph="bench_one_by_one", timeout=600))
        return Figures(batched, reload, n, secs, len(sample))
    finally:
        fs.stop(home=home)


def _neo4j(graph: nx.MultiDiGraph, keys: list[str], elements: int, args: argparse.Namespace,
           home: Path) -> Figures:
    """Neo4j Community has one user database: the one-by-one sample goes first into the empty database and is
    deleted again, then the whole graph is loaded batched into the empty database, then one plan reloaded."""
    port = ns.free_port()
    password = secrets.token_urlsafe(18)
    ns.start(port=port, home=home, heap=args.neo4j_heap, password=password)
    try:
        store = Neo4jStore(ns.uri(port), user=ns.USER, password=password)
        try:
            sample = set(keys[: args.neo4j_one_by_one_plans])
            n, secs = _one_by_one(graph, sample, store)
            store.run("MATCH (n) DETACH DELETE n")
            batched = _timed(lambda: load(graph, store, batch_size=args.batch_size))
            _check(store, elements, "Neo4j")
            reload = _timed(lambda: load(graph, store, plans=[keys[0]], batch_size=args.batch_size))
            _check(store, elements, "Neo4j reload")
        finally:
            store.close()
        return Figures(batched, reload, n, secs, len(sample))
    finally:
        ns.stop(home=home)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plans", type=int, default=1000)
    ap.add_argument("--one-by-one-plans", type=int, default=None, help="FalkorDB's sample; default: every plan")
    ap.add_argument("--neo4j-one-by-one-plans", type=int, default=20, help="Neo4j's one-by-one sample (plans)")
    ap.add_argument("--neo4j-heap", default="1g", help="the Neo4j server's JVM heap (default 1g)")
    ap.add_argument("--no-neo4j", action="store_true", help="FalkorDB only")
    ap.add_argument("--batch-size", type=int, default=1000)
    args = ap.parse_args()

    t0 = time.perf_counter()
    plans = generate(args.plans)
    graph = build_graph(plans)
    elements = graph.number_of_nodes() + graph.number_of_edges()
    keys = [p.plan.key for p in plans]
    print(f"corpus: {len(plans)} plans -> {graph.number_of_nodes():,} nodes + {graph.number_of_edges():,} "
          f"relationships = {elements:,} elements (generated and built in {time.perf_counter() - t0:.1f} s)")

    stores: dict[str, Figures] = {}
    with tempfile.TemporaryDirectory() as home:
        stores["FalkorDB"] = _falkordb(graph, keys, elements, args, Path(home))
        if not args.no_neo4j:
            stores["Neo4j"] = _neo4j(graph, keys, elements, args, Path(home))

    def row(label: str, cell: Callable[[Figures], str]) -> None:
        print(f"{label:<44}" + "".join(f"{cell(f):>26}" for f in stores.values()))

    row("", lambda f: "")
    print(f"{'':<44}" + "".join(f"{name:>26}" for name in stores))
    row(f"batched (UNWIND, {args.batch_size} rows), {elements:,} elements",
        lambda f: f"{f.batched_rate(elements):,.0f} el/s ({f.batched_s:.1f} s)")
    row("one statement per element", lambda f: f"{f.one_rate():,.0f} el/s ({f.one_plans} plans)")
    row("ratio batched / one-by-one", lambda f: f"{f.batched_rate(elements) / f.one_rate():.1f}x")
    row(f"reload one plan of {len(plans)} (--plan)", lambda f: f"{f.reload_s:.2f} s")
    print("targets: batched >= 20,000 elements/s, >= 20x one-by-one")

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_rdf(graph, Path(tmp))
        sizes = {name: f.stat().st_size for name, f in files.items()}
        triples = sum(1 for _ in open(files["kg.nt"], encoding="utf-8"))
    t_rdf = time.perf_counter() - t0
    print(f"RDF export of the whole corpus (kg.nt, kg.ttl, kg.jsonld): {triples:,} triples in {t_rdf:.1f} s "
          f"(target < 60 s); " + ", ".join(f"{k} {v / 1e6:.0f} MB" for k, v in sizes.items()))


if __name__ == "__main__":
    main()
