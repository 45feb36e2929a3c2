"""Reliability: a folder of broken and hostile files, unreachable stores, hostile requests, racing builds.

The hostile corpus itself is tests/hostile.py; bench/reliability.py runs the same cases (and the
50 MB plan) and prints the summary table.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from kg.model import PlanData
from loaders.falkordb_server import free_port
from tests.conftest import ROOT, Endpoint
from tests.hostile import catalogue_traffic, hostile_requests, write_corpus

IPKG = "https://w3id.org/ipkg/ontology#"


def ipkg(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, env={**os.environ, **(env or {})})


# ---------------------------------------------------------------- input


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    expected = write_corpus(folder / "in", big_mb=0)  # the 50 MB plan is bench/reliability.py's
    out = folder / "out"
    result = ipkg("extract", str(folder / "in"), "--out", str(out))
    return expected, result, out


def test_batch_exits_non_zero_and_writes_every_good_file(hostile_run):
    expected, result, out = hostile_run
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    written = {p.stem for p in out.glob("*.json")}
    assert written == {Path(n).stem for n, c in expected.items() if c.expect != "error"}
    for name in written:  # every written file is valid plan data
        PlanData.model_validate_json((out / f"{name}.json").read_text(encoding="utf-8"))


def test_each_case_gets_its_one_line(hostile_run):
    expected, result, _ = hostile_run
    lines = (result.stdout + result.stderr).splitlines()
    for name, case in expected.items():
        mine = [ln for ln in lines if f" {name}:" in ln or ln.startswith(f"{name}:")]
        if case.expect == "error":
            errors = [ln for ln in mine if ln.startswith("error")]
            assert len(errors) == 1 and case.reason in errors[0], (name, mine)
        else:
            assert any(ln.startswith("ok") for ln in mine), (name, mine)
        if case.expect == "warning":
            assert any(ln.startswith("warning") and case.reason in ln for ln in mine), (name, mine)


def test_other_encodings_read_as_the_utf8_original(hostile_run, plans):
    _, _, out = hostile_run
    original = plans["004"]
    for name in ("gb18030", "utf16"):
        got = PlanData.model_validate_json((out / f"{name}.json").read_text(encoding="utf-8"))
        assert got.plan.title == original.plan.title
        assert [d.name for d in got.departments] == [d.name for d in original.departments]
        assert [(i.name, i.target) for i in got.indicators] == [(i.name, i.target) for i in original.indicators]


def test_ragged_table_keeps_the_cells_it_has(hostile_run):
    _, _, out = hostile_run
    data = json.loads((out / "ragged.json").read_text(encoding="utf-8"))
    rows = {i["name"]: (i["baseline"], i["target"]) for i in data["indicators"]}
    assert rows == {"每万人口发明专利拥有量": (1.2, 3.0), "有效注册商标总量": (5600.0, None),
                    "地理标志商标数量": (None, 6.0), "专利质押融资金额": (0.5, None)}


def test_responsibility_list_cut_off_mid_name_keeps_the_whole_names(hostile_run):
    _, _, out = hostile_run
    data = json.loads((out / "cutoff.json").read_text(encoding="utf-8"))
    names = {d["name"] for d in data["departments"]}
    assert {"县农业农村局", "县市场监督管理局", "县商务局"} <= names
    assert "县" not in names and all(len(n) > 2 for n in names)
    last = [r for r in data["responsibilities"] if r["task"] == data["tasks"][-1]["id"]]
    assert len(last) == 3


def test_one_megabyte_line_finishes_with_a_warning(hostile_run):
    _, result, out = hostile_run
    assert (out / "oneline.json").exists()
    assert any(ln.startswith("warning oneline.txt: a line of") for ln in result.stdout.splitlines()
               + result.stderr.splitlines())


def test_hostile_plans_still_build_a_valid_graph(hostile_run, tmp_path):
    _, _, out = hostile_run
    result = ipkg("build", str(out), "--out", str(tmp_path / "graph"))
    # the same plan in three encodings: built once, the copies reported (and the exit says so)
    dupes = [ln for ln in result.stderr.splitlines() if "same plan as" in ln]
    assert result.returncode == 1 and len(dupes) == 2 and "Traceback" not in result.stderr, result.stderr
    from pyshacl import validate
    from rdflib import Graph

    from ontology import ONTOLOGY_TTL, SHAPES_TTL

    data = Graph().parse(tmp_path / "graph" / "kg.nt", format="nt")
    conforms, _, text = validate(data, shacl_graph=Graph().parse(SHAPES_TTL), ont_graph=Graph().parse(ONTOLOGY_TTL))
    assert conforms, text[:2000]


# ---------------------------------------------------------------- unreachable stores, secrets


def test_unreachable_falkordb_is_a_clear_bounded_failure(graph_dir):
    port = free_port()
    t0 = time.monotonic()
    r = ipkg("load", "--data", str(graph_dir), "--to", f"falkordb://127.0.0.1:{port}")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"127.0.0.1:{port}" in r.stderr and "attempts" in r.stderr
    assert time.monotonic() - t0 < 60


def test_unreachable_neo4j_never_prints_the_password(graph_dir):
    secret = "s3cret-never-print-me"
    port = free_port()
    t0 = time.monotonic()
    r = ipkg("load", "--data", str(graph_dir), "--to", f"neo4j://127.0.0.1:{port}",
             env={"NEO4J_USER": "analyst", "NEO4J_PASSWORD": secret})
    assert time.monotonic() - t0 < 60  # bounded: three attempts, the driver's own retries kept short
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"127.0.0.1:{port}" in r.stderr
    assert secret not in r.stdout + r.stderr


def test_a_password_in_the_url_is_refused_and_not_echoed(graph_dir):
    r = ipkg("load", "--data", str(graph_dir), "--to", "neo4j://analyst:hunter2@127.0.0.1:7687")
    assert r.returncode == 1 and "NEO4J_PASSWORD" in r.stderr and "hunter2" not in r.stdout + r.stderr


# ---------------------------------------------------------------- hostile requests under load


@pytest.fixture(scope="module")
def loaded_endpoint(graph_dir):
    ep = Endpoint(graph_dir, "--time-limit", "5")
    try:
        yield ep
    finally:
        ep.stop()


def _tree_rss(pid: int) -> int:
    proc = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])


def test_malformed_and_oversized_requests_while_good_ones_succeed(loaded_endpoint):
    url = loaded_endpoint.url
    rss_before = _tree_rss(loaded_endpoint.proc.pid)
    answers = {}
    with catalogue_traffic(url) as statuses, httpx.Client(timeout=60) as http:
        for name, send in hostile_requests(url).items():
            t0 = time.monotonic()
            r = send(http)
            answers[name] = (r.status_code, time.monotonic() - t0)
        time.sleep(1)
    rss_after = _tree_rss(loaded_endpoint.proc.pid)
    assert all(400 <= status < 600 and seconds < 5 + 2 for status, seconds in answers.values()), answers
    expected = {"10 MB query body": 413, "10,000 nested braces": 400, "10 million rows": 422, "expensive join": 503,
                "syntax error": 400, "update as query": 403, "update form": 403, "update body": 403,
                "not UTF-8": 400, "wrong content type": 415, "two queries": 400, "unknown entity": 404}
    assert {name: status for name, (status, _) in answers.items()} == expected
    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    assert rss_after < rss_before + 300_000_000, (rss_before, rss_after)


# ---------------------------------------------------------------- racing builds


def test_two_builds_into_one_folder_leave_a_whole_graph(tmp_path):
    out = tmp_path / "graph"
    corpus = [str(p) for p in sorted((ROOT / "data" / "corpus").glob("*.txt"))]
    procs = [subprocess.Popen([sys.executable, "-m", "cli", "build", *corpus, "--out", str(out)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT) for _ in range(2)]
    for p in procs:
        _, stderr = p.communicate(timeout=600)
        assert p.returncode == 0, stderr
    import pyoxigraph as ox

    counts = {name: len(list(ox.parse(path=str(out / name), format=fmt))) for name, fmt in (
        ("kg.nt", ox.RdfFormat.N_TRIPLES), ("kg.ttl", ox.RdfFormat.TURTLE), ("kg.jsonld", ox.RdfFormat.JSON_LD))}
    assert len(set(counts.values())) == 1 and counts["kg.nt"] > 10_000
    assert not [p.name for p in out.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]
    assert len(list((out / "plans").glob("*.json"))) == len(corpus)


def test_fifty_megabyte_plan_finishes_with_bounded_memory(tmp_path):
    """The five seeds concatenated to 50 MB: one document, extracted in one process, memory sampled."""
    expected = write_corpus(tmp_path / "in", big_mb=50)
    for name in list(expected):
        if name != "big.txt":
            (tmp_path / "in" / name).unlink()
    big = tmp_path / "in" / "big.txt"
    command = [sys.executable, "-m", "cli", "extract", str(big), "--out", str(tmp_path / "out")]
    # output goes to files: a pipe the test read only at the end could fill and stall the child
    out_file, err_file = (tmp_path / "stdout.txt").open("w+"), (tmp_path / "stderr.txt").open("w+")
    proc = subprocess.Popen(command, stdout=out_file, stderr=err_file, text=True, cwd=ROOT)
    peak = 0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            peak = max(peak, ps.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.2)
    proc.wait()
    stdout, stderr = ((tmp_path / n).read_text() for n in ("stdout.txt", "stderr.txt"))
    out_file.close()
    err_file.close()
    print(f"50 MB plan: peak RSS {peak / 1e6:.0f} MB")
    assert proc.returncode == 0, stderr
    assert "ok big.txt" in stdout + stderr
    assert PlanData.model_validate_json((tmp_path / "out" / "big.json").read_text(encoding="utf-8")).tasks
    assert peak < 2_500_000_000  # about 24x the input at 50 MB; it grows with the facts found, not faster
