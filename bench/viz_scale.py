"""How `ipkg viz` pages scale: size, time to write, time until interactive in headless Chromium.

    python -m bench.viz_scale [--plans 1000] [--sizes 500,2000,10000]

Generates the scale corpus (bench/corpus.py) and builds its graph; for each size takes that many
nodes (breadth-first from one plan, so the picture is connected) and writes the page; then the
whole-corpus picture (`ipkg viz whole`, which leaves out the most detailed classes above its node
budget). Each page is opened from file:// in Debian's headless Chromium with the network off, and
the time from navigation until the page reports ready (layout stabilised and frozen) is printed.
Targets: the 10,000-node page interactive within 15 s; no page above 50 MB.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plans", type=int, default=1000)
    ap.add_argument("--sizes", default="500,2000,10000")
    ap.add_argument("--max-nodes", type=int, default=20_000, help="the whole picture's node budget (as ipkg viz)")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    from bench.corpus import generate
    from kg.graph import build_graph
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS
    from viz.render import write_page
    from viz.select import whole

    t0 = time.perf_counter()
    graph = build_graph(generate(args.plans))
    print(f"corpus: {args.plans} plans -> {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} "
          f"relationships ({time.perf_counter() - t0:.1f} s)")
    start = next(n for n, d in graph.nodes(data=True) if d["label"] == "Plan" and d.get("in_corpus"))
    order = list(nx.bfs_tree(graph.to_undirected(as_view=True), start))

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        cases = [(f"{int(s):,} nodes", graph.subgraph(order[: int(s)]), "") for s in args.sizes.split(",")]
        view, dropped = whole(graph, args.max_nodes)
        cases.append(("whole corpus", view, ", ".join(f"{c} {n:,}" for c, n in dropped)))
        for name, sub, note in cases:
            out = Path(tmp) / (re.sub(r"\W+", "-", name) + ".html")
            t0 = time.perf_counter()
            write_page(sub, name, out, full=graph, note=note)
            gen_s = time.perf_counter() - t0
            size = out.stat().st_size
            context = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})
            page = context.new_page()
            t0 = time.perf_counter()
            page.goto(out.as_uri(), timeout=300_000)
            page.wait_for_function("window.ipkgReady !== null", timeout=600_000, polling=100)
            ready_s = time.perf_counter() - t0
            shown = page.evaluate("[nodes.length, edges.length]")
            context.close()
            rows.append((name, sub.number_of_nodes(), sub.number_of_edges(), size, gen_s, ready_s, shown, note))
            print(f"  {name}: done", flush=True)
        browser.close()

    head = f"{'page':16} {'nodes':>8} {'edges':>8} {'MB':>6} {'write s':>8} {'ready s':>8}  left out"
    print("\n" + head + "\n" + "-" * len(head))
    ok = True
    for name, n, e, size, gen_s, ready_s, shown, note in rows:
        assert shown == [n, e], f"{name}: the page holds {shown}, the graph {n, e}"
        print(f"{name:16} {n:8,} {e:8,} {size / 1e6:6.1f} {gen_s:8.1f} {ready_s:8.1f}  {note}")
        ok &= size <= 50e6
        if n >= 10_000 and name != "whole corpus":
            ok &= ready_s <= 15
    print(f"\ntargets (10,000-node page ready <= 15 s, every page <= 50 MB): {'met' if ok else 'NOT met'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
