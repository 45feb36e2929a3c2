"""Load on `ipkg serve`: concurrent clients asking the catalogue questions, against rdflib in process.

    python -m bench.sparql_load [--plans 1000] [--clients 8] [--requests 200] [--data DIR]

Generates the scale corpus (bench/corpus.py) and writes its RDF (or reuses ``--data``), starts a
real `ipkg serve` on a free 127.0.0.1 port and, in the same run:
  - times each question once uncached (a unique comment defeats the answer cache): the engine's
    own speed, serialisation and HTTP included;
  - has ``--clients`` client processes each send ``--requests`` requests cycling through the
    questions (the ones about one industry or region with several values from the data), and
    prints latency p50/p95/p99, requests per second and errors: what analysts get when serving;
  - loads the same kg.nt into an rdflib Graph in a child process and times each question there
    (stopped after ``--rdflib-timeout`` s; the ratio is then a lower bound).
Targets: zero errors, p95 <= 100 ms for every question, the endpoint >= 10x faster than rdflib.
Both ratios are printed: rdflib against the served p50, and rdflib against the uncached time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from queries.catalogue import catalogue
from queries.engines import bind_sparql


def build_data(plans: int, out: Path) -> Path:
    from bench.corpus import generate
    from kg.graph import build_graph
    from loaders.export import write_rdf

    t0 = time.perf_counter()
    graph = build_graph(generate(plans))
    write_rdf(graph, out)
    print(f"corpus: {plans} plans -> {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} relationships; "
          f"RDF written in {time.perf_counter() - t0:.1f} s")
    return out


def _values(url: str, query: str, n: int) -> list[str]:
    r = httpx.post(f"{url}/sparql", timeout=120, headers={"Accept": "application/sparql-results+json"},
                   data={"query": query + f" LIMIT {n}"})
    return [b["v"]["value"] for b in r.json()["results"]["bindings"]]


IPKG = "PREFIX ipkg: <https://w3id.org/ipkg/ontology#>\n"


def bound_questions(url: str, variants: int) -> dict[str, list[str]]:
    """Each question bound to its example; the ones asked about one industry or one region are asked
    about several, taken from the data (the generated corpus moves plans to other regions)."""
    pools = {
        "industry": _values(url, IPKG + "SELECT DISTINCT ?v WHERE { ?p ipkg:prioritizes ?i . ?i ipkg:name ?v } "
                                        "ORDER BY ?v", variants),
        "region": _values(url, IPKG + "SELECT DISTINCT ?v WHERE { ?p ipkg:governs ?r . ?r ipkg:name ?v } "
                                      "ORDER BY ?v", variants),
    }
    out: dict[str, list[str]] = {}
    for q in catalogue().values():
        params = q.example_params()
        varied = [p.name for p in q.params if p.required and p.name in pools]
        if not varied:
            out[q.name] = [bind_sparql(q.sparql, params)]
            continue
        key = varied[0]
        values = ([params[key]] if key != "region" else []) + pools[key]
        out[q.name] = [bind_sparql(q.sparql, {**params, key: v}) for v in values[:variants]]
    return out


def cold_ms(url: str, queries: dict[str, list[str]], runs: int = 3) -> dict[str, float]:
    """Median time of each question's first variant with the answer cache defeated (a unique comment)."""
    out = {}
    with httpx.Client(timeout=300, headers={"Accept": "application/sparql-results+json"}) as http:
        for name, texts in queries.items():
            times = []
            for i in range(runs):
                t0 = time.perf_counter()
                r = http.post(f"{url}/sparql", data={"query": f"# cold run {i} {time.time_ns()}\n{texts[0]}"})
                times.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    raise SystemExit(f"{name}: {r.status_code} {r.text[:300]}")
            out[name] = statistics.median(times) * 1000
    return out


def rdflib_times(nt: Path, queries: dict[str, list[str]], timeout: float) -> dict[str, float | None]:
    """rdflib's time per question (first variant), in a child process that is stopped after ``timeout``
    seconds on one question (None: did not finish)."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    pending = list(queries)
    out: dict[str, float | None] = {}
    while pending:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_rdflib_child, args=(str(nt), [queries[n][0] for n in pending], child))
        proc.start()
        if not parent.poll(3600):
            raise SystemExit("rdflib did not parse the data within an hour")
        print(f"rdflib: parsed {nt.name} in {parent.recv():.1f} s", flush=True)
        while pending:
            if parent.poll(timeout):
                out[pending.pop(0)] = parent.recv()
                print(f"  rdflib {list(out)[-1]}: {out[list(out)[-1]]:.2f} s", flush=True)
            else:
                out[pending.pop(0)] = None
                print(f"  rdflib {list(out)[-1]}: stopped after {timeout:.0f} s", flush=True)
                proc.kill()
                break
        proc.join()
    return out


def _rdflib_child(nt: str, texts: list[str], conn) -> None:
    import rdflib

    t0 = time.perf_counter()
    g = rdflib.Graph()
    g.parse(nt, format="nt")
    conn.send(time.perf_counter() - t0)
    for text in texts:
        t0 = time.perf_counter()
        list(g.query(text))
        conn.send(time.perf_counter() - t0)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _client(url: str, queries: dict[str, list[str]], k: int, requests: int) -> list[tuple[str, float, bool]]:
    """One client (its own process, so clients do not share a GIL): ``requests`` requests in turn."""
    names = list(queries)
    out = []
    with httpx.Client(timeout=120, headers={"Accept": "application/sparql-results+json"}) as http:
        for i in range(requests):
            name = names[(k + i) % len(names)]
            text = queries[name][(k * requests + i) // len(names) % len(queries[name])]
            t0 = time.perf_counter()
            try:
                r = http.post(f"{url}/sparql", data={"query": text})
                dt = time.perf_counter() - t0  # the whole body has arrived; parsing it is the client's business
                ok = r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+json")
            except httpx.HTTPError:
                dt, ok = time.perf_counter() - t0, False
            out.append((name, dt, ok))
    return out


def run_load(url: str, queries: dict[str, list[str]], clients: int, requests: int
             ) -> tuple[dict[str, list[float]], dict[str, int], float]:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    latencies: dict[str, list[float]] = {n: [] for n in queries}
    errors: dict[str, int] = dict.fromkeys(queries, 0)
    with ProcessPoolExecutor(clients, mp_context=get_context("spawn")) as pool:
        pool.submit(time.sleep, 0).result()  # processes up before the clock starts
        t0 = time.perf_counter()
        for result in [pool.submit(_client, url, queries, k, requests) for k in range(clients)]:
            for name, dt, ok in result.result():
                latencies[name].append(dt)
                errors[name] += not ok
        wall = time.perf_counter() - t0
    return latencies, errors, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plans", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=200, help="per client")
    ap.add_argument("--workers", type=int, default=2, help="the endpoint's query workers")
    ap.add_argument("--data", type=Path, default=None, help="a folder `ipkg build` wrote (skips generation)")
    ap.add_argument("--variants", type=int, default=5, help="parameter values per question asked about one "
                                                            "industry or region")
    ap.add_argument("--rdflib-timeout", type=float, default=900, help="seconds rdflib may take on one question")
    args = ap.parse_args()

    from tests.conftest import Endpoint  # the same start/stop the tests use

    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or build_data(args.plans, Path(tmp))
        nt = data / "kg.nt"
        print(f"data: {nt} ({nt.stat().st_size / 1e6:.0f} MB)")
        t0 = time.perf_counter()
        ep = Endpoint(data, "--workers", str(args.workers), ready_timeout=1800)
        print(f"endpoint up in {time.perf_counter() - t0:.1f} s at {ep.url} ({args.workers} query workers)")
        try:
            queries = bound_questions(ep.url, args.variants)
            cold = cold_ms(ep.url, queries)
            print("cold (answer cache defeated), ms: " + ", ".join(f"{k} {v:.0f}" for k, v in cold.items()),
                  flush=True)
            latencies, errors, wall = run_load(ep.url, queries, args.clients, args.requests)
        finally:
            ep.stop()
        total = sum(len(v) for v in latencies.values())
        print(f"\n{args.clients} clients x {args.requests} requests = {total} requests in {wall:.1f} s: "
              f"{total / wall:.1f} requests/s, {sum(errors.values())} errors "
              f"({sum(len(v) for v in queries.values())} distinct query texts)", flush=True)
        rdflib_s = rdflib_times(nt, queries, args.rdflib_timeout)

    head = (f"{'question':20} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6} {'uncached ms':>11} "
            f"{'rdflib s':>9} {'rdflib/served':>13} {'rdflib/uncached':>15}")
    print("\n" + head + "\n" + "-" * len(head))
    worst_p95, min_served, min_engine = 0.0, float("inf"), float("inf")
    for name, lat in latencies.items():
        p50, p95, p99 = (percentile(lat, p) * 1000 for p in (50, 95, 99))
        r = rdflib_s[name]
        bound = "" if r is not None else ">="  # rdflib was stopped: its time, and so the ratio, is a lower bound
        r_s = r if r is not None else args.rdflib_timeout
        served, engine = r_s / (p50 / 1000), r_s / (cold[name] / 1000)
        worst_p95 = max(worst_p95, p95)
        min_served, min_engine = min(min_served, served), min(min_engine, engine)
        shown = f"{r:9.2f}" if r is not None else f"{'>' + format(args.rdflib_timeout, '.0f'):>9}"
        print(f"{name:20} {p50:8.1f} {p95:8.1f} {p99:8.1f} {errors[name]:6} {cold[name]:11.0f} {shown} "
              f"{bound + format(served, ',.0f') + 'x':>13} {bound + format(engine, ',.1f') + 'x':>15}")
    ok = sum(errors.values()) == 0 and worst_p95 <= 100 and min_served >= 10
    print(f"\nunder load: worst p95 {worst_p95:.1f} ms (target <= 100); errors {sum(errors.values())} (target 0); "
          f"smallest rdflib/served ratio {min_served:,.0f}x (target >= 10): {'met' if ok else 'NOT met'}.")
    print(f"engine against engine (the endpoint's answer cache defeated): smallest ratio {min_engine:.1f}x"
          f"{'' if min_engine >= 10 else ' -- below 10x on the lightest questions'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
