"""Attacks on `ipkg serve` (issue 16, points 1-8), each run against a real server, each with its measured figure.

    python -m bench.reliability_endpoint [--data GRAPH_DIR]

``rows(graph_dir)`` gives one (attack, passed, detail) row per attack; ``bench.reliability`` prints them as its
"endpoint attacks" section. The attack functions return what they measured, so tests/test_endpoint_hardening.py
asserts on the same figures. ``root`` runs another checkout's `ipkg serve` (the figures before a fix); options that
checkout does not know are left out, and attacks that need them say so.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
Row = tuple[str, bool, str]
# the shapes that segfaulted pyoxigraph's parser (issue 16, point 5)
CRASHERS: dict[str, str] = {
    "10 KB of !": "SELECT * WHERE { FILTER(" + "!" * 10_000 + "true) }",
    "1+1+… (20,000 terms)": "SELECT (" + "+".join(["1"] * 20_000) + " AS ?x) WHERE {}",
    "|| chain (20,000)": "SELECT * WHERE { FILTER(" + "||".join(["true"] * 20_000) + ") }",
    "10,000 UNIONs": "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 10_000) + " }",
    "/ path (20,000 steps)": "SELECT * WHERE { ?s " + "/".join(["<urn:p>"] * 20_000) + " ?o }",
    "| path (20,000)": "SELECT * WHERE { ?s " + "|".join(["<urn:p>"] * 20_000) + " ?o }",
}
# three scans of the whole store joined: far beyond any time limit
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# a string that grows with a cross product of the store with itself (issue 16, point 6)
CONCAT = "SELECT (GROUP_CONCAT(STR(?o)) AS ?all) WHERE { ?a ?b ?c . ?d ?e ?o }"


def service_queries(url: str) -> dict[str, str]:
    """SERVICE to ``url``, written every way the parser accepts it (case, spacing, comments, nesting, prefixes,
    glued keywords, an escaped IRI)."""
    host, _, path = url.removeprefix("http://").partition("/")
    escaped = f"http://{host}\\u002F{path}"
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "lower case, no spaces": f"select * where {{ service<{url}>{{?s ?p ?o}} }}",
        "comment between": f"SELECT * WHERE {{ SeRvIcE # hidden\n  <{url}> {{ ?s ?p ?o }} }}",
        "SILENT in a sub-query": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }} "
                                 "}",
        "prefixed name": f"PREFIX x: <http://{host}/> SELECT * WHERE {{ SERVICE x:{path} {{ ?s ?p ?o }} }}",
        "glued SERVICESILENT": f"SELECT * WHERE {{ SERVICESILENT<{url}> {{ ?s ?p ?o }} }}",
        "glued prefix services:": f"PREFIX s: <http://{host}/> SELECT * WHERE {{ services:{path} {{ ?s ?p ?o }} }}",
        "escaped IRI": f"SELECT * WHERE {{ SERVICE <{escaped}> {{ ?s ?p ?o }} }}",
        "inside FILTER EXISTS": f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    }


# ---------------------------------------------------------------- a server and a listener


def _help(root: Path) -> str:
    r = subprocess.run([sys.executable, "-m", "cli", "serve", "--help"], capture_output=True, text=True, cwd=root,
                       env={**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}, timeout=120)
    return r.stdout


_HELP: dict[Path, str] = {}


def knows(root: Path, option: str) -> bool:
    """Whether that checkout's `ipkg serve` has ``option``."""
    if root not in _HELP:
        _HELP[root] = _help(root)
    return option in _HELP[root]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`ipkg serve` of checkout ``root`` on a free 127.0.0.1 port; ``options`` it does not know are left out."""

    def __init__(self, graph_dir: Path, options: dict[str, Any] | None = None, root: Path = ROOT,
                 env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args: list[str] = []
        for name, value in (options or {}).items():
            for v in value if isinstance(value, list) else [value]:
                if knows(root, name):
                    args += [name, str(v)]
        self.log = Path(tempfile.mkstemp(prefix="ipkg-serve-", suffix=".log")[1])
        self._log = self.log.open("w")
        self.proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--data", str(graph_dir), "--port",
                                      str(self.port), *args], stdout=self._log, stderr=subprocess.STDOUT, cwd=root,
                                     env={**os.environ, **(env or {})})
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ipkg serve exited {self.proc.returncode}: {self.log.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"ipkg serve did not answer: {self.log.read_text()}")

    def workers(self) -> list[psutil.Process]:
        """The server's query worker processes (not multiprocessing's resource tracker)."""
        out = []
        for p in psutil.Process(self.proc.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if "spawn_main" in " ".join(p.cmdline()):
                    out.append(p)
        return out

    def rss(self) -> int:
        """Resident memory of the server and its query workers, in bytes."""
        total = 0
        for p in [psutil.Process(self.proc.pid), *psutil.Process(self.proc.pid).children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += p.memory_info().rss
        return total

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()
        self.log.unlink(missing_ok=True)


@contextlib.contextmanager
def serving(graph_dir: Path, options: dict[str, Any] | None = None, root: Path = ROOT,
            env: dict[str, str] | None = None) -> Iterator[Server]:
    server = Server(graph_dir, options, root, env)
    try:
        yield server
    finally:
        server.stop()


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections reaching it (and answers nothing)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        time.sleep(0.3)
        self.sock.close()


def client(address: str = "127.0.0.1", timeout: float = 120) -> httpx.Client:
    """An HTTP client whose connections come from ``address`` (any 127.x.y.z is this machine: another client)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=timeout)


def timed(send: Callable[[], httpx.Response]) -> tuple[int, float, str]:
    """Status, seconds and body of one request (status 0: no answer, the body says why)."""
    t0 = time.perf_counter()
    try:
        r = send()
        return r.status_code, time.perf_counter() - t0, r.text
    except httpx.HTTPError as exc:
        return 0, time.perf_counter() - t0, f"{type(exc).__name__}: {exc}"


def sparql_post(http: httpx.Client, url: str, query: str, **headers: str) -> httpx.Response:
    return http.post(f"{url}/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query",
                                                                        "Accept": "application/sparql-results+json",
                                                                        **headers})


def entity_path(graph_dir: Path, kind: str = "Department") -> str:
    """The path under /id/ of one entity of ``kind`` in the built graph (read off kg.nt)."""
    import pyoxigraph as ox

    from kg.folder import base_iri_of

    base = base_iri_of(graph_dir) or ""
    wanted = f"https://w3id.org/ipkg/ontology#{kind}"
    for t in ox.parse(path=str(graph_dir / "kg.nt"), format=ox.RdfFormat.N_TRIPLES):
        if t.predicate.value.endswith("#type") and t.object.value == wanted:
            return quote(t.subject.value[len(base):])
    raise LookupError(kind)


# ---------------------------------------------------------------- 1. SERVICE


@dataclass
class ServiceResult:
    statuses: dict[str, int] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)
    connections: int = 0


def service_refused(server: Server) -> ServiceResult:
    """Every spelling of SERVICE to a live listener: what the endpoint answered, and how many connections reached
    the listener."""
    listener = Listener()
    out = ServiceResult()
    try:
        with client(timeout=30) as http:
            for name, query in service_queries(listener.url).items():
                status, _, body = timed(lambda q=query: sparql_post(http, server.url, q))
                out.statuses[name], out.bodies[name] = status, body
        time.sleep(0.5)
    finally:
        listener.close()
    out.connections = listener.connections
    return out


def service_local(graph_dir: Path, root: Path = ROOT) -> tuple[dict[str, int], list[str], int]:
    """`ipkg sparql` with SERVICE to a live listener: exit codes, the last stderr line of each, connections made."""
    listener = Listener()
    codes, lines = {}, []
    try:
        for name, query in list(service_queries(listener.url).items())[:4]:
            r = subprocess.run([sys.executable, "-m", "cli", "sparql", "--data", str(graph_dir), query],
                               capture_output=True, text=True, cwd=root, timeout=120)
            codes[name] = r.returncode
            lines.append(r.stderr.strip())
        time.sleep(0.5)
    finally:
        listener.close()
    return codes, lines, listener.connections


def service_allowed(graph_dir: Path, root: Path = ROOT) -> tuple[int, int, int, int] | None:
    """With `--allow-service A`: status and connections for SERVICE to A, then to B (None: no such option)."""
    if not knows(root, "--allow-service"):
        return None
    allowed, other = Listener(), Listener()
    try:
        with serving(graph_dir, {"--allow-service": allowed.url, "--time-limit": 5}, root) as server, \
                client(timeout=30) as http:
            a = sparql_post(http, server.url, f"SELECT * WHERE {{ SERVICE <{allowed.url}> {{ ?s ?p ?o }} }}")
            b = sparql_post(http, server.url, f"SELECT * WHERE {{ SERVICE <{other.url}> {{ ?s ?p ?o }} }}")
            time.sleep(0.5)
    finally:
        allowed.close()
        other.close()
    return a.status_code, allowed.connections, b.status_code, other.connections


# ---------------------------------------------------------------- 2. text checks off the event loop


def landing_while(server: Server, queries: list[str], settle: float = 0.3, samples: int = 5
                  ) -> tuple[float, list[int]]:
    """The slowest of up to ``samples`` landing-page requests sent while ``queries`` are in flight (sent at once,
    each from its own client; the first sample ``settle`` s after), and the queries' statuses."""
    statuses: list[int] = []

    def send(q: str) -> None:
        with client(timeout=300) as http:
            statuses.append(timed(lambda: sparql_post(http, server.url, q))[0])

    threads = [threading.Thread(target=send, args=(q,)) for q in queries]
    for t in threads:
        t.start()
    time.sleep(settle)
    slowest = 0.0
    with client("127.0.0.2", timeout=300) as http:
        for i in range(samples):
            if i and not any(t.is_alive() for t in threads):
                break
            slowest = max(slowest, timed(lambda: http.get(f"{server.url}/"))[1])
            time.sleep(0.2)
    for t in threads:
        t.join()
    return slowest, statuses


# ---------------------------------------------------------------- 3. and 4. the answer cache


def cache_flood(graph_dir: Path, root: Path = ROOT, queries: int = 600, kb: int = 900, cache_mb: int = 32
                ) -> tuple[int, int, list[int]]:
    """RSS before and after ``queries`` distinct ``kb`` KB queries (each answered and cached), and their statuses."""
    pad = "x" * (kb * 1000)
    with serving(graph_dir, {"--cache-mb": cache_mb}, root) as server:
        before = server.rss()

        def send(i: int) -> int:
            with client(timeout=120) as http:
                return sparql_post(http, server.url, f"ASK {{ }} # {i} {pad}").status_code

        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(send, range(queries)))
        time.sleep(1)
        after = server.rss()
    return before, after, statuses


def larger_than_cache(graph_dir: Path, root: Path = ROOT) -> list[tuple[int, float, str]]:
    """A query whose answer (about 4 MB) is larger than a 1 MB cache, asked twice (each given 20 s)."""
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 20000"
    out = []
    with serving(graph_dir, {"--cache-mb": 1}, root) as server:
        for which in ("first", "again"):
            with client(timeout=20) as http:  # a connection each: the second must not depend on the first's
                out.append((*timed(lambda h=http: sparql_post(h, server.url, query))[:2], which))
    return out


# ---------------------------------------------------------------- 5. parser crashes


def parser_crashes(server: Server) -> tuple[dict[str, tuple[int, float]], int]:
    """Status and seconds of each crashing shape, and how many query workers were replaced meanwhile."""
    before = {p.pid for p in server.workers()}
    out = {}
    with client(timeout=120) as http:
        for name, query in CRASHERS.items():
            out[name] = timed(lambda q=query: sparql_post(http, server.url, q))[:2]
    time.sleep(1)
    after = {p.pid for p in server.workers()}
    return out, len(before - after)


def parser_crashes_local(graph_dir: Path, root: Path = ROOT) -> dict[str, tuple[int, list[str]]]:
    """`ipkg sparql` on each crashing shape: exit code and its stderr lines."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, query) in enumerate(CRASHERS.items()):
            file = Path(tmp) / f"q{i}.rq"
            file.write_text(query)
            r = subprocess.run([sys.executable, "-m", "cli", "sparql", "--data", str(graph_dir), "--file", str(file)],
                               capture_output=True, text=True, cwd=root, timeout=300)
            out[name] = (r.returncode, r.stderr.strip().splitlines())
    return out


# ---------------------------------------------------------------- 6. worker memory


def worker_memory(graph_dir: Path, root: Path = ROOT, worker_mb: int = 512, time_limit: float = 10
                  ) -> tuple[int, str, int, float, int]:
    """GROUP_CONCAT over a cross product: its status and body, the peak RSS of the largest worker meanwhile, the
    seconds it took, and the status of a cheap query right after."""
    with serving(graph_dir, {"--worker-mb": worker_mb, "--time-limit": time_limit}, root) as server:
        peak, done = 0, threading.Event()
        result: dict[str, Any] = {}

        def ask() -> None:
            with client(timeout=120) as http:
                result["r"] = timed(lambda: sparql_post(http, server.url, CONCAT))
            done.set()

        threading.Thread(target=ask).start()
        while not done.wait(0.05):
            for p in server.workers():
                with contextlib.suppress(psutil.NoSuchProcess):
                    peak = max(peak, p.memory_info().rss)
        status, seconds, body = result["r"]
        with client(timeout=120) as http:
            after = timed(lambda: sparql_post(http, server.url, "ASK { ?s ?p ?o }"))[0]
    return status, body, peak, seconds, after


# ---------------------------------------------------------------- 7. fairness


def pages_under_load(graph_dir: Path, root: Path = ROOT, slow: int = 45, time_limit: float = 10
                     ) -> tuple[dict[str, tuple[int, float]], list[int]]:
    """With ``slow`` slow queries in flight (from five addresses), the status and seconds of an entity page, its
    data, /void, the landing page and a cheap query from another address; and the slow queries' statuses."""
    path = entity_path(graph_dir)
    with serving(graph_dir, {"--time-limit": time_limit}, root) as server:
        statuses: list[int] = []

        def attack(i: int) -> None:
            with client(f"127.0.0.{10 + i % 5}", timeout=180) as http:
                statuses.append(timed(lambda: sparql_post(http, server.url, f"# {i}\n{SLOW}"))[0])

        threads = [threading.Thread(target=attack, args=(i,)) for i in range(slow)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        out = {}
        with client("127.0.0.2", timeout=180) as http:
            for name, url in (("entity page", f"/page/{path}"), ("entity data", f"/data/{path}?format=ttl"),
                              ("/void", "/void"), ("landing page", "/")):
                status, seconds, _ = timed(lambda u=url: http.get(server.url + u))
                out[name] = (status, seconds)
            status, seconds, _ = timed(lambda: sparql_post(http, server.url, "ASK { ?s a ?c }"))
            out["cheap query"] = (status, seconds)
        for t in threads:
            t.join()
    return out, statuses


def slowloris(graph_dir: Path, root: Path = ROOT, connections: int = 200, read_timeout: float = 3,
              watch: float = 15) -> tuple[float | None, int, int]:
    """``connections`` clients that send a header byte every second and never finish: seconds until the server
    had closed them all (None: some still open after ``watch`` s), how many it closed, and the status of a normal
    request sent meanwhile."""
    with serving(graph_dir, {"--read-timeout": read_timeout}, root) as server:
        socks = []
        for _ in range(connections):
            s = socket.create_connection(("127.0.0.1", server.port))
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            s.setblocking(False)
            socks.append(s)
        t0, open_ = time.monotonic(), set(range(connections))
        normal = 0
        while open_ and time.monotonic() - t0 < watch:
            for i in list(open_):
                try:
                    socks[i].send(b"X")
                    if socks[i].recv(1024) == b"":
                        open_.discard(i)
                except BlockingIOError:
                    pass
                except OSError:
                    open_.discard(i)
            if not normal:
                with client(timeout=10) as http:
                    normal = timed(lambda: http.get(f"{server.url}/void"))[0]
            time.sleep(1)
        seconds = time.monotonic() - t0 if not open_ else None
        for s in socks:
            s.close()
    return seconds, connections - len(open_), normal


# ---------------------------------------------------------------- 8. smaller


def malformed_update(server: Server) -> tuple[int, float, float]:
    """A 96 KB malformed update sent as a query: its status and seconds, and the landing page's seconds meanwhile."""
    update = "DELETE WHERE { " + "?s ?p ?o . " * 8_700 + "("
    result: dict[str, Any] = {}

    def send() -> None:
        with client(timeout=120) as http:
            result["r"] = timed(lambda: sparql_post(http, server.url, update))

    t = threading.Thread(target=send)
    t.start()
    time.sleep(0.3)
    with client("127.0.0.2", timeout=120) as http:
        landing = timed(lambda: http.get(f"{server.url}/"))[1]
    t.join()
    status, seconds, _ = result["r"]
    return status, seconds, landing


BAD_PATHS = ["/page/%ff", "/page/%00", "/id/%E4%B8", "/data/x%00y?format=ttl", "/viz/%zz", "/page/a%c0%afb",
             "/id/plan/%0a%0d", "/page/plan/%7f", "/viz/%00"]


def bad_requests(server: Server) -> dict[str, tuple[int, bool]]:
    """Invalid percent-encodings and NUL in entity paths, and bad default-graph-uri values: status, and whether
    the body shows a traceback."""
    out = {}
    with client(timeout=30) as http:
        for path in BAD_PATHS:
            status, _, body = timed(lambda p=path: http.get(server.url + p))
            out[path] = (status, "Traceback" in body)
        for graph in ("\x00", "not an iri", "http://x/\x01", "%zz"):
            status, _, body = timed(lambda g=graph: http.get(f"{server.url}/sparql", params={
                "query": "ASK { ?s ?p ?o }", "default-graph-uri": g}))
            out[f"default-graph-uri={graph!r}"] = (status, "Traceback" in body)
    return out


def host_header(server: Server) -> dict[str, bool]:
    """Whether a forged Host header shows up in /void and in the Service Description."""
    forged = {"Host": "evil.example:666", "Accept": "text/turtle"}
    with client(timeout=30) as http:
        return {"/void": "evil.example" in http.get(f"{server.url}/void", headers=forged).text,
                "/sparql (description)": "evil.example" in http.get(f"{server.url}/sparql", headers=forged).text}


def viz_other_base(graph_dir: Path, root: Path = ROOT) -> tuple[int, int]:
    """`ipkg serve` run with another IPKG_BASE_IRI than the build's: the status of an entity's /viz/ picture and
    how many nodes it draws."""
    path = entity_path(graph_dir)
    with serving(graph_dir, {}, root, env={"IPKG_BASE_IRI": "http://other.example/id/"}) as server, \
            client(timeout=60) as http:
        r = http.get(f"{server.url}/viz/{path}")
    found = re.search(r"([\d,]+) 个节点", r.text)
    return r.status_code, int(found[1].replace(",", "")) if found else 0


# ---------------------------------------------------------------- the table


Attack = Callable[[], tuple[bool, str]]


def _on_one_server(server: Server) -> list[tuple[str, Attack]]:
    """The attacks that share one server (started with a 10 s time limit)."""
    def service() -> tuple[bool, str]:
        r = service_refused(server)
        return (set(r.statuses.values()) == {400} and r.connections == 0,
                f"statuses {sorted(set(r.statuses.values()))}; connections reaching the listener: {r.connections}")

    def scan() -> tuple[bool, str]:
        seconds, statuses = landing_while(server, ["<" * 10_000] * 8)
        return seconds < 0.5, f"landing page {seconds:.2f} s meanwhile; their statuses {sorted(set(statuses))}"

    def crashes() -> tuple[bool, str]:
        found, replaced = parser_crashes(server)
        statuses = {s for s, _ in found.values()}
        return (statuses == {400} and replaced == 0, f"statuses {sorted(statuses)}, slowest "
                f"{max(t for _, t in found.values()):.2f} s; workers replaced: {replaced}")

    def update() -> tuple[bool, str]:
        status, secs, landing = malformed_update(server)
        return (status in (400, 403) and secs < 2 and landing < 0.5,
                f"{status} in {secs:.2f} s; landing page {landing:.2f} s meanwhile")

    def bad() -> tuple[bool, str]:
        found = bad_requests(server)
        statuses = sorted({s for s, _ in found.values()})
        return (all(s in (400, 404) and not tb for s, tb in found.values()),
                f"{len(found)} requests: statuses {statuses}; tracebacks: {sum(tb for _, tb in found.values())}")

    def host() -> tuple[bool, str]:
        forged = host_header(server)
        return not any(forged.values()), "copied into " + (", ".join(k for k, v in forged.items() if v) or "nothing")

    return [("1 SERVICE, 9 spellings", service), ("2 eight 10 KB '<' queries", scan),
            ("5 parser crashes (endpoint)", crashes), ("8 96 KB malformed update", update),
            ("8 bad paths, default-graph-uri", bad), ("8 forged Host header", host)]


def _on_own_servers(graph_dir: Path, root: Path) -> list[tuple[str, Attack]]:
    """The attacks that start a server of their own (with options of their own)."""
    def local_service() -> tuple[bool, str]:
        codes, lines, connections = service_local(graph_dir, root)
        one_line = all(len(line.splitlines()) == 1 for line in lines)
        return (set(codes.values()) == {1} and connections == 0 and one_line,
                f"exit codes {sorted(set(codes.values()))}; one line each: {one_line}; connections: {connections}")

    def allowed() -> tuple[bool, str]:
        r = service_allowed(graph_dir, root)
        if r is None:
            return False, "no such option"
        return r[1] > 0 and r[2] == 400 and r[3] == 0, f"A: {r[0]}, {r[1]} connection(s); B: {r[2]}, {r[3]}"

    def local_crashes() -> tuple[bool, str]:
        found = parser_crashes_local(graph_dir, root)
        return (all(c == 1 and len(lines) == 1 for c, lines in found.values()),
                f"exit codes {sorted({c for c, _ in found.values()})}")

    def flood() -> tuple[bool, str]:
        before, after, statuses = cache_flood(graph_dir, root)
        return (after - before < (32 + 100) * 1_000_000,
                f"--cache-mb 32: RSS {before / 1e6:.0f} -> {after / 1e6:.0f} MB; statuses {sorted(set(statuses))}")

    def larger() -> tuple[bool, str]:
        answers = larger_than_cache(graph_dir, root)
        return ([s for s, _, _ in answers] == [200, 200],
                "; ".join(f"{which}: {s or 'no answer'} in {t:.1f} s" for s, t, which in answers))

    def memory() -> tuple[bool, str]:
        status, body, peak, secs, after = worker_memory(graph_dir, root)
        return (status == 503 and "memory" in body and after == 200,
                f"{status} in {secs:.1f} s, worker peak {peak / 1e6:,.0f} MB; next query {after}")

    def pages() -> tuple[bool, str]:
        found, slow = pages_under_load(graph_dir, root)
        return (all(s == 200 and t < 1.0 for s, t in found.values()),
                ", ".join(f"{k} {s} {t:.2f} s" for k, (s, t) in found.items()) + f"; slow ones {sorted(set(slow))}")

    def loris() -> tuple[bool, str]:
        closed, n, normal = slowloris(graph_dir, root)
        shown = f"all closed after {closed:.1f} s" if closed is not None else f"{200 - n} still open after 15 s"
        return closed is not None and closed < 3 + 5 and normal == 200, f"{shown}; a normal request meanwhile {normal}"

    def viz() -> tuple[bool, str]:
        status, nodes = viz_other_base(graph_dir, root)
        return status == 200 and nodes > 1, f"{status}, {nodes} nodes drawn"

    return [("1 SERVICE via ipkg sparql", local_service), ("1 --allow-service A, not B", allowed),
            ("5 parser crashes (ipkg sparql)", local_crashes), ("3 600 distinct 900 KB queries", flood),
            ("4 answer larger than the cache", larger), ("6 GROUP_CONCAT cross product", memory),
            ("7 pages under 45 slow queries", pages), ("7 200 slowloris connections", loris),
            ("8 /viz/ under another base IRI", viz)]


def show_row(row: Row) -> None:
    name, ok, detail = row
    print(f"  {'ok  ' if ok else 'FAIL'} {name:32} {detail}", flush=True)


def rows(graph_dir: Path, root: Path = ROOT, echo: bool = True) -> list[Row]:
    """Every attack against `ipkg serve` of checkout ``root`` over ``graph_dir``: (attack, passed, detail); each
    printed as it is done with ``echo``."""
    out: list[Row] = []

    def attempt(name: str, attack: Attack) -> None:
        try:
            ok, detail = attack()
        except Exception as exc:  # an attack that breaks the bench is a failed row, not a stop
            ok, detail = False, f"{type(exc).__name__}: {str(exc)[:100]}"
        out.append((name, ok, detail))
        if echo:
            show_row(out[-1])

    with serving(graph_dir, {"--time-limit": 10}, root) as server:
        for name, attack in _on_one_server(server):
            attempt(name, attack)
    for name, attack in _on_own_servers(graph_dir, root):
        attempt(name, attack)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, help="a graph folder (default: build the sample corpus)")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose `ipkg serve` is attacked")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data
        if data is None:
            data = Path(tmp) / "graph"
            subprocess.run([sys.executable, "-m", "cli", "build", "--out", str(data)], check=True, cwd=ROOT,
                           capture_output=True)
        results = rows(data, args.root.resolve())
    sys.exit(0 if all(ok for _, ok, _ in results) else 1)


if __name__ == "__main__":
    main()
