"""Reliability report: hostile input, injected faults and malformed requests, one table.

    python -m bench.reliability [--big-mb 50]

Runs, on this machine and in one go:
  - input: the hostile corpus of tests/hostile.py (with the 50 MB plan) through `ipkg extract`;
    a case is handled when its file gets exactly what it should (plan written / one warning line /
    one error line with the reason), nothing prints a traceback, and the batch exits non-zero;
  - faults: FalkorDB SIGKILLed mid-load, then restarted from its files and the load re-run (counts
    must equal a clean load); FalkorDB and Neo4j unreachable (one line naming the URI, never the
    password, bounded time); two builds racing into one folder (every file whole); a query worker
    SIGKILLed mid-query (the request gets an answer, the next ones succeed);
  - requests: malformed and oversized requests sent to `ipkg serve` while four clients ask the
    catalogue questions; each must get a 4xx/5xx within the time limit, every good request a 200.
  - CLI attacks (bench/reliability_cli.py): a link to /dev/zero, a FIFO, .docx and .pdf bombs, the size
    cap, a non-UTF-8 file name, 100,000-deep JSON, --out naming a file, a control character in a key,
    markup and escape codes in file names; each one line, the batch goes on, bounded time and memory.
  - endpoint attacks (bench/reliability_endpoint.py): SERVICE to a live listener, parser crashers, a flood of
    large distinct queries, an answer larger than the cache, a worker's memory, slow queries and slowloris
    against pages, malformed updates, bad paths, a forged Host header; each with its measured figure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

from bench import reliability_cli, reliability_endpoint

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT = 5.0


def ipkg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=900, env={**os.environ, **(env or {})})


def input_cases(tmp: Path, big_mb: float) -> list[tuple[str, bool, str]]:
    from tests.hostile import write_corpus

    expected = write_corpus(tmp / "in", big_mb=big_mb)
    t0 = time.perf_counter()
    r = ipkg("extract", str(tmp / "in"), "--out", str(tmp / "out"))
    print(f"  extract of {len(expected)} files: {time.perf_counter() - t0:.1f} s, exit {r.returncode}")
    lines = (r.stdout + r.stderr).splitlines()
    clean = "Traceback" not in r.stdout + r.stderr and r.returncode == 1
    out = []
    for name, case in expected.items():
        mine = [ln for ln in lines if f" {name}:" in ln]
        written = (tmp / "out" / f"{Path(name).stem}.json").exists()
        if case.expect == "error":
            ok = len([ln for ln in mine if ln.startswith("error") and case.reason in ln]) == 1 and not written
        else:
            ok = written and any(ln.startswith("ok") for ln in mine)
            if case.expect == "warning":
                ok = ok and any(ln.startswith("warning") and case.reason in ln for ln in mine)
        out.append((name, ok and clean, (mine[-1] if mine else "(no line)")[:90]))
    return out


def fault_falkordb_killed(tmp: Path) -> tuple[bool, str]:
    from bench.corpus import seeds
    from kg.graph import build_graph, counts
    from loaders import falkordb_server as fs
    from loaders.cypher import FalkorStore, LoadError, load, store_counts

    graph = build_graph(seeds())
    home, port = tmp / "fdb", fs.free_port()
    fs.start(port=port, home=home)
    try:
        def kill_after_third(i: int, _n: int, _b: object) -> None:
            if i == 3:
                fs.kill(home=home)

        try:
            load(graph, FalkorStore(port=port, timeout=5), batch_size=50, on_batch=kill_after_third)
            return False, "the load did not notice the server was gone"
        except LoadError as exc:
            reported = str(exc).splitlines()[0][:80]
        fs.start(port=port, home=home)
        store = FalkorStore(port=port)
        load(graph, store, batch_size=50)
        ok = store_counts(store) == counts(graph)
        store.close()
        return ok, f"reported '{reported}…'; after restart and re-run, counts equal a clean load: {ok}"
    finally:
        fs.stop(home=home)


def fault_unreachable(graph_dir: Path, scheme: str) -> tuple[bool, str]:
    from loaders.falkordb_server import free_port

    port, secret = free_port(), "s3cret-not-for-logs"
    t0 = time.perf_counter()
    r = ipkg("load", "--data", str(graph_dir), "--to", f"{scheme}://127.0.0.1:{port}",
             env={"NEO4J_PASSWORD": secret, "NEO4J_USER": "analyst"})
    secs = time.perf_counter() - t0
    text = r.stdout + r.stderr
    ok = r.returncode == 1 and f"127.0.0.1:{port}" in text and secret not in text and "Traceback" not in text
    return ok, f"exit {r.returncode} in {secs:.1f} s: {r.stderr.strip().splitlines()[-1][:90]}"


def fault_racing_builds(tmp: Path) -> tuple[bool, str]:
    import pyoxigraph as ox

    out = tmp / "race"
    corpus = [str(p) for p in sorted((ROOT / "data" / "corpus").glob("*.txt"))]
    procs = [subprocess.Popen([sys.executable, "-m", "cli", "build", *corpus, "--out", str(out)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    codes = [p.wait(600) for p in procs]
    sizes = {n: len(list(ox.parse(path=str(out / n), format=f))) for n, f in (
        ("kg.nt", ox.RdfFormat.N_TRIPLES), ("kg.ttl", ox.RdfFormat.TURTLE), ("kg.jsonld", ox.RdfFormat.JSON_LD))}
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    ok = codes == [0, 0] and len(set(sizes.values())) == 1 and not leftovers
    return ok, f"exits {codes}; triples per file {sorted(set(sizes.values()))}; temporary files left: {len(leftovers)}"


def fault_worker_killed(url: str, server_pid: int) -> tuple[bool, str]:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    result: dict[str, int] = {}
    t = threading.Thread(target=lambda: result.update(status=httpx.get(f"{url}/sparql", params={"query": slow},
                                                                        timeout=60).status_code))
    t.start()
    time.sleep(1.0)
    busy = [c for c in psutil.Process(server_pid).children() if c.cpu_percent(interval=0.3) > 20]
    for c in busy:
        c.kill()
    t.join()
    after = [httpx.get(f"{url}/sparql", params={"query": f"# {i}\nASK {{ ?s ?p ?o }}"}, timeout=60).status_code
             for i in range(5)]
    ok = bool(busy) and result.get("status") in (500, 503) and after == [200] * 5
    return ok, f"killed {len(busy)} busy worker(s); that request got {result.get('status')}, the next five {after}"


def malformed_requests(url: str) -> tuple[list[tuple[str, int, float]], list[int]]:
    from tests.hostile import catalogue_traffic, hostile_requests

    answers = []
    with catalogue_traffic(url) as statuses, httpx.Client(timeout=120) as http:
        for _round in range(3):
            for name, send in hostile_requests(url).items():
                t0 = time.perf_counter()
                status = send(http).status_code
                answers.append((name, status, time.perf_counter() - t0))
    return answers, statuses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--big-mb", type=float, default=50)
    args = ap.parse_args()

    from tests.conftest import Endpoint

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        print("input: the hostile corpus", flush=True)
        inputs = input_cases(tmp, args.big_mb)
        graph_dir = tmp / "graph"
        r = ipkg("build", "--out", str(graph_dir))
        assert r.returncode == 0, r.stderr
        print("faults", flush=True)
        faults = [("FalkorDB SIGKILL mid-load", *fault_falkordb_killed(tmp)),
                  ("FalkorDB unreachable", *fault_unreachable(graph_dir, "falkordb")),
                  ("Neo4j unreachable (password set)", *fault_unreachable(graph_dir, "neo4j")),
                  ("two builds, one folder", *fault_racing_builds(tmp))]
        ep = Endpoint(graph_dir, "--time-limit", str(TIME_LIMIT))
        try:
            rss_before = sum(p.memory_info().rss for p in [psutil.Process(ep.proc.pid),
                                                            *psutil.Process(ep.proc.pid).children()])
            print("requests", flush=True)
            answers, statuses = malformed_requests(ep.url)
            rss_after = sum(p.memory_info().rss for p in [psutil.Process(ep.proc.pid),
                                                           *psutil.Process(ep.proc.pid).children()])
            faults.append(("query worker SIGKILL mid-query", *fault_worker_killed(ep.url, ep.proc.pid)))
        finally:
            ep.stop()
        print("CLI attacks", flush=True)
        cli_attacks = reliability_cli.rows(tmp / "cli")
        print("endpoint attacks", flush=True)
        endpoint_attacks = reliability_endpoint.rows(graph_dir, echo=False)

    print("\ninput cases")
    for name, ok, line in inputs:
        print(f"  {'ok  ' if ok else 'FAIL'} {name:16} {line}")
    print("faults")
    for name, ok, detail in faults:
        print(f"  {'ok  ' if ok else 'FAIL'} {name:34} {detail}")
    print("malformed requests (3 rounds, 4 clients asking the catalogue meanwhile)")
    kinds: dict[str, list[tuple[int, float]]] = {}
    for name, status, secs in answers:
        kinds.setdefault(name, []).append((status, secs))
    within = 0
    for name, got in kinds.items():
        good = [400 <= s < 600 and secs <= TIME_LIMIT + 2 for s, secs in got]
        within += sum(good)
        print(f"  {'ok  ' if all(good) else 'FAIL'} {name:22} statuses {sorted({s for s, _ in got})}, "
              f"slowest {max(secs for _, secs in got):.2f} s")
    well_formed_ok = sum(1 for s in statuses if s == 200)
    print(f"  well-formed requests meanwhile: {well_formed_ok} of {len(statuses)} answered 200; server memory "
          f"{rss_before / 1e6:.0f} MB -> {rss_after / 1e6:.0f} MB")

    rows = [("input cases", len(inputs), sum(ok for _, ok, _ in inputs), "handled as specified"),
            ("faults injected", len(faults), sum(ok for _, ok, _ in faults), "survived, nothing lost"),
            ("malformed requests", len(answers), within, f"answered 4xx/5xx within {TIME_LIMIT + 2:.0f} s"),
            ("well-formed requests alongside", len(statuses), well_formed_ok, "answered 200")]
    print(f"CLI attacks (each ipkg run under a {reliability_cli.MEMORY_CAP / 1e9:.0f} GB address-space cap)")
    for row in cli_attacks:
        reliability_cli.show_row(row)
    rows.append(("CLI attacks", len(cli_attacks), sum(ok for _, ok, _ in cli_attacks), "one line, the batch goes on, "
                 "bounded"))
    print("endpoint attacks (issue 16: each performed against a real `ipkg serve`)")
    for row in endpoint_attacks:
        reliability_endpoint.show_row(row)
    rows.append(("endpoint attacks", len(endpoint_attacks), sum(ok for _, ok, _ in endpoint_attacks),
                 "refused or bounded as specified"))
    print(f"\n{'':32} {'tried':>6} {'passed':>7}")
    for name, n, ok, what in rows:
        print(f"{name:32} {n:6} {ok:7}  {what}")
    sys.exit(0 if all(n == ok for _, n, ok, _ in rows) else 1)


if __name__ == "__main__":
    main()
