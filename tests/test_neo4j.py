"""The Neo4j path against a real Neo4j Community server (tests/conftest.py's ``neo4j_server``: the embedded DBMS
from Maven Central, started by loaders/neo4j_server.py on 127.0.0.1 with Bolt and auth on).

The same checks as tests/test_falkordb.py, through the official driver and the same statements; the
catalogue's ten questions answering as on FalkorDB and the SPARQL twin; hostile parameter values;
the driver's error lines (wrong or missing password, a database in the URL); the server's control.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.graph import LABELS, counts
from kg.model import PlanData
from loaders import falkordb_server as fs
from loaders import neo4j_server as ns
from loaders.cypher import FalkorStore, LoadError, Neo4jStore, graph_plans, load, store_counts
from loaders.export import write_rdf
from queries.catalogue import question
from queries.engines import ask_cypher, ask_sparql, memory_store, normalise
from tests.conftest import ROOT, Neo4jServer
from tests.test_falkordb import _snapshot, reload_a_changed_plan
from tests.test_questions import ASKED, HOSTILE


def _connect(server: Neo4jServer, database: str | None = None) -> Neo4jStore:
    uri, user, password = server
    return Neo4jStore(uri, user=user, password=password, database=database)


@pytest.fixture()
def neo4j(neo4j_server: Neo4jServer) -> Iterator[Neo4jStore]:
    """A connection to the server's default database, emptied first (the server lives for the session)."""
    store = _connect(neo4j_server)
    store.run("MATCH (n) DETACH DELETE n")
    try:
        yield store
    finally:
        store.close()


def _everything(store: Neo4jStore, graph) -> dict[str, list]:
    return {p: _snapshot(store, p) for p in sorted(graph_plans(graph))}


# ---------------------------------------------------------------- loading (as tests/test_falkordb.py)


def test_load_counts_match_and_loading_twice_changes_nothing(neo4j, sample_graph) -> None:
    load(sample_graph, neo4j)
    assert store_counts(neo4j) == counts(sample_graph)
    before = _everything(neo4j, sample_graph)
    load(sample_graph, neo4j)
    assert store_counts(neo4j) == counts(sample_graph)
    assert _everything(neo4j, sample_graph) == before
    # the dialect's statements made a uniqueness constraint on id for every label, and only those
    constraints = neo4j.run("SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties "
                            "RETURN name, type, labelsOrTypes AS labels, properties")
    assert sorted((c["labels"], c["type"], c["properties"]) for c in constraints) == [
        ([label], "UNIQUENESS", ["id"]) for label in sorted(LABELS)]


def test_reloading_a_changed_plan_replaces_only_its_facts(neo4j, plans: dict[str, PlanData]) -> None:
    reload_a_changed_plan(neo4j, plans)


def test_server_killed_mid_load_then_rerun_completes(neo4j, neo4j_server: Neo4jServer, sample_graph) -> None:
    clean = counts(sample_graph)

    def kill_after_third(i: int, n: int, _batch) -> None:
        if i == 3:
            ns.kill(home=neo4j_server.home)

    with pytest.raises(LoadError) as exc:
        load(sample_graph, neo4j, batch_size=50, on_batch=kill_after_third)
    message = str(exc.value)
    # the driver's store has one connection: the batch after the third meets the dead server
    failed = re.search(r"batch (\d+) of (\d+) \(", message)
    assert failed and int(failed.group(1)) == 4, message
    assert "plan " in message and "run the same load again" in message and neo4j_server.uri in message

    # Neo4j recovers the committed batches from its transaction log; the same password still logs in
    ns.start(port=neo4j_server.port, home=neo4j_server.home, password=neo4j_server.password)
    store = _connect(neo4j_server)
    try:
        assert sum(store_counts(store)[0].values()) > 0, "the batches committed before the kill are gone"
        load(sample_graph, store, batch_size=50)
        assert store_counts(store) == clean
    finally:
        store.close()


# ---------------------------------------------------------------- the catalogue's questions


@pytest.fixture(scope="module")
def answers(neo4j_server: Neo4jServer, sample_graph, tmp_path_factory) -> dict[tuple, dict[str, list]]:
    """Every asked question's rows on Neo4j, on FalkorDB and from the SPARQL twin (asked once, compared below)."""
    graph_dir = tmp_path_factory.mktemp("neo4j-q-graph")
    write_rdf(sample_graph, graph_dir)
    mem = memory_store(graph_dir)
    home = tmp_path_factory.mktemp("neo4j-q-falkordb")
    port = fs.free_port()
    fs.start(port=port, home=home)
    neo, falkor = _connect(neo4j_server), None
    try:
        falkor = FalkorStore(port=port)
        neo.run("MATCH (n) DETACH DELETE n")
        load(sample_graph, neo)
        load(sample_graph, falkor)
        out = {}
        for name, given in ((n, g) for n, gs in ASKED.items() for g in gs):
            q = question(name)
            params = q.bind(given)
            out[(name, tuple(sorted(given.items())))] = {
                "neo4j": ask_cypher(q, neo, params), "falkordb": ask_cypher(q, falkor, params),
                "sparql": ask_sparql(q, mem, params)}
        return out
    finally:
        neo.close()
        if falkor is not None:
            falkor.close()
        fs.stop(home=home)


@pytest.mark.parametrize("name,given", [(n, g) for n, gs in ASKED.items() for g in gs])
def test_questions_answer_on_neo4j_as_on_falkordb_and_sparql(answers, name: str, given: dict) -> None:
    got = answers[(name, tuple(sorted(given.items())))]
    assert got["neo4j"], f"{name} {given} answered nothing on Neo4j"
    # the same rows, value for value (ties in the ORDER BY may come in either order)
    assert sorted(map(repr, got["neo4j"])) == sorted(map(repr, got["falkordb"]))
    assert normalise(got["neo4j"]) == normalise(got["sparql"])


def test_every_question_was_asked_on_neo4j(answers) -> None:
    assert {name for name, _ in answers} == set(ASKED) and len(ASKED) == 10


def test_hostile_parameters_leave_the_graph_unchanged(neo4j, sample_graph) -> None:
    load(sample_graph, neo4j)
    before = _everything(neo4j, sample_graph)
    for value in HOSTILE:
        for name, key in (("dept-owners", "industry"), ("region-profile", "region"), ("gi-brands", "region"),
                          ("plan-lineage", "plan"), ("indicator-compare", "indicator")):
            q = question(name)
            assert ask_cypher(q, neo4j, q.bind({key: value})) == [], (name, value)
    assert store_counts(neo4j) == counts(sample_graph)
    assert _everything(neo4j, sample_graph) == before


# ---------------------------------------------------------------- the driver's error lines


def ipkg(*args: str, env: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    """The installed `ipkg` command (no terminal, so it never prompts for a password)."""
    full = {**os.environ, **{k: v for k, v in env.items() if v is not None}}
    for k in [k for k, v in env.items() if v is None]:
        full.pop(k, None)
    return subprocess.run([str(Path(sys.executable).with_name("ipkg")), *args], capture_output=True, text=True,
                          cwd=ROOT, env=full, timeout=300, stdin=subprocess.DEVNULL)


def test_wrong_or_missing_password_is_one_line_and_one_login(neo4j_server: Neo4jServer, graph_dir) -> None:
    uri, user, password = neo4j_server
    _connect(neo4j_server).close()  # a good login first: Neo4j counts refused ones in a row from here
    wrong = ipkg("load", "--data", str(graph_dir), "--to", uri, env={"NEO4J_PASSWORD": "not-the-password-42"})
    missing = ipkg("cypher", "RETURN 1", "--to", uri, env={"NEO4J_PASSWORD": None, "NEO4J_USER": None})
    for result, why in ((wrong, "wrong password"), (missing, "no password given")):
        lines = (result.stdout + result.stderr).strip().splitlines()
        assert result.returncode == 1 and len(lines) == 1, result.stdout + result.stderr
        assert lines[0].startswith(f"error {uri} refused user '{user}': {why}"), lines[0]
        assert password not in lines[0] and "not-the-password-42" not in lines[0]
    # Neo4j locks a user out after three refused logins in a row: the two commands above made one each
    store = _connect(neo4j_server)
    try:
        assert store.run("RETURN 1 AS one") == [{"one": 1}]
    finally:
        store.close()


def test_a_database_in_the_url_is_used_or_refused(neo4j_server: Neo4jServer, graph_dir) -> None:
    uri, _, password = neo4j_server
    env = {"NEO4J_PASSWORD": password}
    named = ipkg("load", "--data", str(graph_dir), "--to", f"{uri}/neo4j", env=env)
    assert named.returncode == 0, named.stdout + named.stderr
    assert f"into {uri}/neo4j" in named.stdout
    unknown = ipkg("load", "--data", str(graph_dir), "--to", f"{uri}/mydb", env=env)
    lines = (unknown.stdout + unknown.stderr).strip().splitlines()
    assert unknown.returncode == 1 and lines == [f"error {uri} has no database 'mydb' (the path of the URL names the "
                                                 "database; leave it out for the server's default one)"], lines
    nested = ipkg("cypher", "RETURN 1", "--to", f"{uri}/a/b", env=env)
    assert nested.returncode == 1 and "one database name" in nested.stderr and "Traceback" not in nested.stderr


# ---------------------------------------------------------------- the server's control


def test_stop_is_clean_and_status_follows(neo4j_server: Neo4jServer) -> None:
    home = neo4j_server.home
    info = ns.status(home)
    assert info.running and info.port == neo4j_server.port and info.data_dir == (home / "neo4j").resolve()
    assert ns.stop(home) is True
    assert not ns.status(home).running and not fs.port_in_use(neo4j_server.port)
    assert ns.stop(home) is False
    log = (home / "neo4j" / "neo4j.log").read_text(errors="replace")
    assert log.rstrip().endswith("stopped"), log[-500:]  # the shutdown hook ran: a clean SIGTERM stop
    ns.start(port=neo4j_server.port, home=home, password=neo4j_server.password)
    assert ns.status(home).running


def test_start_refusals_are_one_line(neo4j_server: Neo4jServer, tmp_path, monkeypatch) -> None:
    with pytest.raises(ns.ServerError) as taken:
        ns.start(port=neo4j_server.port, home=tmp_path / "a", password="long-enough-1")
    assert str(taken.value) == (f"port {neo4j_server.port} on 127.0.0.1 is taken by another program; "
                                "choose another port")
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    with pytest.raises(ns.ServerError, match=r"^NEO4J_PASSWORD is not set"):
        ns.start(port=fs.free_port(), home=tmp_path / "b")
    with pytest.raises(ns.ServerError, match=r"^NEO4J_PASSWORD is too short"):
        ns.start(port=fs.free_port(), home=tmp_path / "c", password="short")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(ns.ServerError, match=r"^no Java runtime found"):
        ns.start(port=fs.free_port(), home=tmp_path / "d", password="long-enough-1")


def test_a_failed_start_names_the_reason(neo4j_server: Neo4jServer, tmp_path) -> None:
    """(``neo4j_server`` for its check that Java is there: a start that fails for want of it is tested above.)"""
    (tmp_path / "neo4j").mkdir()
    (tmp_path / "neo4j" / "data").write_text("a file where Neo4j wants its data folder")
    with pytest.raises(ns.ServerError) as failed:
        ns.start(port=fs.free_port(), home=tmp_path, password="long-enough-1")
    message = str(failed.value)
    assert message.startswith("Neo4j exited with status 1 before it was ready: ") and "\n" not in message
    assert str(tmp_path / "neo4j" / "data") in message
    assert not ns.status(tmp_path).running


# ---------------------------------------------------------------- the commands: ipkg neo4j, load, cypher, ask


def _lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return (result.stdout + result.stderr).strip().splitlines()


def test_neo4j_status_stop_and_start_commands(neo4j_server: Neo4jServer) -> None:
    home, port = neo4j_server.home, neo4j_server.port
    env: dict[str, str | None] = {"IPKG_HOME": str(home), "NEO4J_PASSWORD": None}
    ddir = (home / "neo4j").resolve()
    pid = ns.status(home).pid
    running = f"Neo4j running on bolt://127.0.0.1:{port} (pid {pid}, data {ddir})"
    status = ipkg("neo4j", "status", env=env)
    assert (status.returncode, _lines(status)) == (0, [running])
    again = ipkg("neo4j", "start", env=env)  # already running: said so, no password needed
    assert (again.returncode, _lines(again)) == (0, [running])

    stopped = ipkg("neo4j", "stop", env=env)
    assert (stopped.returncode, _lines(stopped)) == (0, ["Neo4j stopped"])
    assert not fs.port_in_use(port)
    assert (home / "neo4j" / "neo4j.log").read_text(errors="replace").rstrip().endswith("stopped")
    down = ipkg("neo4j", "status", env=env)
    assert (down.returncode, _lines(down)) == (3, [f"Neo4j is not running (data folder {ddir})"])
    twice = ipkg("neo4j", "stop", env=env)
    assert (twice.returncode, _lines(twice)) == (0, ["Neo4j was not running"])

    started = ipkg("neo4j", "start", "--port", str(port), "--heap", "384m",
                   env={**env, "NEO4J_PASSWORD": neo4j_server.password})
    info = ns.status(home)
    assert info.running and info.pid != pid
    assert (started.returncode, _lines(started)) == (
        0, [f"Neo4j running on bolt://127.0.0.1:{port} (pid {info.pid}, data {ddir})"])
    store = _connect(neo4j_server)  # the same data and password after a stop and a start from the command line
    try:
        assert store.run("RETURN 1 AS one") == [{"one": 1}]
    finally:
        store.close()


def test_neo4j_start_refusals_are_one_line(neo4j_server: Neo4jServer, tmp_path) -> None:
    def start(home: str, *args: str, **env: str | None) -> tuple[int, list[str]]:
        result = ipkg("neo4j", "start", "--port", str(fs.free_port()), *args,
                      env={"IPKG_HOME": str(tmp_path / home), "NEO4J_PASSWORD": "long-enough-1", **env})
        assert "Traceback" not in result.stderr and not result.stdout, result.stdout + result.stderr
        return result.returncode, _lines(result)

    taken = ipkg("neo4j", "start", "--port", str(neo4j_server.port),
                 env={"IPKG_HOME": str(tmp_path / "a"), "NEO4J_PASSWORD": "long-enough-1"})
    assert (taken.returncode, _lines(taken)) == (
        1, [f"error port {neo4j_server.port} on 127.0.0.1 is taken by another program; choose another port"])
    assert start("b", NEO4J_PASSWORD=None) == (1, [
        "error NEO4J_PASSWORD is not set: it gives the initial password of the Neo4j user 'neo4j' (8 characters or "
        "more)"])
    assert start("c", "--heap", "2x") == (1, ["error heap '2x' is not a JVM size such as 512m or 2g"])
    assert start("d", PATH=str(tmp_path / "nothing"), JAVA_HOME=None) == (1, [
        "error no Java runtime found (java is not on PATH): install a JDK 17, e.g. apt-get install "
        "openjdk-17-jdk-headless, or set JAVA_HOME"])
    (tmp_path / "e" / "neo4j").mkdir(parents=True)
    (tmp_path / "e" / "neo4j" / "data").write_text("a file where Neo4j wants its data folder")
    code, lines = start("e")
    assert code == 1 and len(lines) == 1, lines
    assert lines[0].startswith("error Neo4j exited with status 1 before it was ready: ")
    assert str(tmp_path / "e" / "neo4j" / "data") in lines[0]
    assert not ns.status(tmp_path / "e").running


def test_load_cypher_and_ask_from_the_command_line(neo4j_server: Neo4jServer, graph_dir, sample_graph) -> None:
    uri, _, password = neo4j_server
    store = _connect(neo4j_server)
    try:
        store.run("MATCH (n) DETACH DELETE n")
    finally:
        store.close()
    env: dict[str, str | None] = {"NEO4J_PASSWORD": password, "NEO4J_URI": None}
    nodes, edges = (sum(c.values()) for c in counts(sample_graph))

    loaded = ipkg("load", "--data", str(graph_dir), "--to", uri, env=env)
    assert loaded.returncode == 0 and not loaded.stderr, loaded.stderr
    assert re.fullmatch(rf"loaded {nodes} nodes and {edges} relationships into {re.escape(uri)} in \d+\.\ds; "
                        rf"the store now holds {nodes} nodes, {edges} relationships\n", loaded.stdout), loaded.stdout

    plans = ipkg("cypher", "MATCH (p:Plan) RETURN count(p) AS plans", "--to", uri, "--format", "csv", env=env)
    assert (plans.returncode, plans.stdout, plans.stderr) == (0, f"plans\n{counts(sample_graph)[0]['Plan']}\n", "")

    on_memory = ipkg("ask", "indicator-compare", "--data", str(graph_dir), "--format", "json", env=env)
    on_neo4j = ipkg("ask", "indicator-compare", "--engine", "neo4j", "--to", uri, "--format", "json", env=env)
    from_env = ipkg("ask", "indicator-compare", "--engine", "neo4j", "--format", "json",
                    env={**env, "NEO4J_URI": uri})
    assert on_neo4j.returncode == 0 and from_env.returncode == 0, on_neo4j.stderr + from_env.stderr
    import json

    rows = json.loads(on_neo4j.stdout)
    assert len(rows) == 5 and json.loads(from_env.stdout) == rows
    assert normalise([tuple(r.values()) for r in rows]) == normalise(
        [tuple(r.values()) for r in json.loads(on_memory.stdout)])

    nowhere = ipkg("ask", "indicator-compare", "--engine", "neo4j", env=env)
    assert (nowhere.returncode, _lines(nowhere)) == (2, [
        "error --engine neo4j needs a Neo4j server: give --to neo4j://HOST:PORT or set NEO4J_URI (`ipkg neo4j "
        "start` runs one on bolt://127.0.0.1:7687)"])
    wrong = ipkg("ask", "indicator-compare", "--engine", "neo4j", "--to", "falkordb://127.0.0.1:6379", env=env)
    assert (wrong.returncode, _lines(wrong)) == (
        2, ["error --engine neo4j needs a neo4j:// or bolt:// URL, not 'falkordb://127.0.0.1:6379'"])
