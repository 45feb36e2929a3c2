"""Loading speed into the embedded FalkorDB: batched UNWIND…MERGE against one statement per element.

    python -m bench.load_speed [--plans 1000] [--one-by-one-plans N]

Generates the scale corpus (bench/corpus.py), builds its graph, starts a FalkorDB server of
its own on a free 127.0.0.1 port, and in the same run loads
  - the whole graph with the batched loader (two connections, 1000 rows per statement), and
  - the same elements with one statement per node and per relationship, into a separate graph
    (``--one-by-one-plans N`` restricts that to the first N plans, for a quicker run),
then prints elements (nodes + relationships) per second for both and their ratio, and the time
to export the whole corpus as RDF (Turtle). Targets: batched >= 20,000 elements/s and >= 20x
one-by-one; the RDF export under a minute.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.corpus import generate
from kg.graph import build_graph
from loaders import falkordb_server as fs
from loaders.cypher import FalkorStore, batches, ensure_indexes, load, store_counts
from loaders.export import write_rdf


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plans", type=int, default=1000)
    ap.add_argument("--one-by-one-plans", type=int, default=None, help="default: every plan")
    ap.add_argument("--batch-size", type=int, default=1000)
    args = ap.parse_args()

    t0 = time.perf_counter()
    plans = generate(args.plans)
    graph = build_graph(plans)
    elements = graph.number_of_nodes() + graph.number_of_edges()
    print(f"corpus: {len(plans)} plans -> {graph.number_of_nodes():,} nodes + {graph.number_of_edges():,} "
          f"relationships = {elements:,} elements (generated and built in {time.perf_counter() - t0:.1f} s)")

    with tempfile.TemporaryDirectory() as home:
        port = fs.free_port()
        fs.start(port=port, home=Path(home))
        try:
            store = FalkorStore(port=port, graph="bench_batched", timeout=600)
            t0 = time.perf_counter()
            load(graph, store, batch_size=args.batch_size)
            t_batched = time.perf_counter() - t0
            nodes, edges = store_counts(store)
            assert sum(nodes.values()) + sum(edges.values()) == elements, "batched load lost elements"
            batched_rate = elements / t_batched

            sample = {p.plan.key for p in plans[: args.one_by_one_plans or len(plans)]}
            one = FalkorStore(port=port, graph="bench_one_by_one", timeout=600)
            ensure_indexes(one)
            todo = batches(graph, sample, size=1)  # one row per statement: one node or one relationship
            t0 = time.perf_counter()
            for b in todo:
                one.run(b.query, {"rows": b.rows})
            t_one = time.perf_counter() - t0
            one_rate = len(todo) / t_one
        finally:
            fs.stop(home=Path(home))

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_rdf(graph, Path(tmp))
        sizes = {name: f.stat().st_size for name, f in files.items()}
        triples = sum(1 for _ in open(files["kg.nt"], encoding="utf-8"))
    t_rdf = time.perf_counter() - t0

    print(f"batched (UNWIND, {args.batch_size} rows): {elements:,} elements in {t_batched:.1f} s = "
          f"{batched_rate:,.0f} elements/s  (target >= 20,000)")
    print(f"one statement per element: {len(todo):,} elements ({len(sample)} plans) in {t_one:.1f} s = "
          f"{one_rate:,.0f} elements/s")
    print(f"ratio batched / one-by-one: {batched_rate / one_rate:.1f}x  (target >= 20x)")
    print(f"RDF export of the whole corpus (kg.nt, kg.ttl, kg.jsonld): {triples:,} triples in {t_rdf:.1f} s "
          f"(target < 60 s); " + ", ".join(f"{k} {v / 1e6:.0f} MB" for k, v in sizes.items()))


if __name__ == "__main__":
    main()
