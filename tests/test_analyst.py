"""The analyst's everyday path (issue 15): read-only Cypher unless --write, answers written to files, parameter
values checked against the graph, and one workspace that the demo and every reader share."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from loaders.cypher import FalkorStore, Neo4jStore, load, store_counts
from tests.conftest import Neo4jServer

runner = CliRunner()
WIPE = "MATCH (n) DETACH DELETE n"


def ipkg(*args: str):
    return runner.invoke(app, list(args), terminal_width=200)


# ---------------------------------------------------------------- 2. Cypher is read-only unless asked


@pytest.fixture()
def loaded_falkordb(falkordb, sample_graph, monkeypatch) -> FalkorStore:
    """The embedded FalkorDB (this test's workspace) holding the sample graph."""
    home, port = falkordb
    monkeypatch.setenv("IPKG_HOME", str(home))
    store = FalkorStore(port=port)
    load(sample_graph, store)
    yield store
    store.close()


def test_a_write_is_refused_on_falkordb_without_write(loaded_falkordb: FalkorStore) -> None:
    before = store_counts(loaded_falkordb)
    result = ipkg("cypher", WIPE)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "--write" in lines[0] and "read-only" in lines[0], result.output
    assert store_counts(loaded_falkordb) == before  # nothing deleted
    read = ipkg("cypher", "MATCH (r:Region) RETURN count(r) AS regions", "--format", "csv")
    assert read.exit_code == 0 and read.output.splitlines()[:2] == ["regions", str(before[0]["Region"])]


def test_with_write_the_store_s_counters_are_printed_on_falkordb(loaded_falkordb: FalkorStore) -> None:
    made = ipkg("cypher", "--write", "CREATE (:Probe {name: 'a', n: 1})-[:NEAR]->(:Probe {name: 'b'})")
    assert made.exit_code == 0, made.output
    assert "Added 2 nodes, Created 1 relationships, Set 3 properties" in made.output
    gone = ipkg("cypher", "--write", "MATCH (p:Probe) DETACH DELETE p")
    assert gone.exit_code == 0 and "Deleted 2 nodes, Deleted 1 relationships" in gone.output


def test_the_interactive_shell_is_read_only_until_write(loaded_falkordb: FalkorStore, monkeypatch, capsys) -> None:
    from cli import questions

    typed = iter(["CREATE (:Probe {name: 'x'});", ":write", "CREATE (:Probe {name: 'x'});", ":write",
                  "MATCH (p:Probe) DELETE p;"])

    class Session:
        def __init__(self, **_kw) -> None: ...

        def prompt(self, _text: str) -> str:
            try:
                return next(typed)
            except StopIteration:
                raise EOFError from None

    monkeypatch.setattr("prompt_toolkit.PromptSession", Session)
    questions.shell(loaded_falkordb, "table")
    said = capsys.readouterr()
    assert said.err.count("read-only") == 2 and ":write" in said.err  # both writes without :write refused
    assert "Added 1 nodes" in said.err
    assert loaded_falkordb.run("MATCH (p:Probe) RETURN count(p) AS n") == [{"n": 1}]


def test_a_write_is_refused_on_neo4j_without_write(neo4j_server: Neo4jServer, monkeypatch) -> None:
    uri, user, password = neo4j_server
    monkeypatch.setenv("NEO4J_USER", user)
    monkeypatch.setenv("NEO4J_PASSWORD", password)
    store = Neo4jStore(uri, user=user, password=password)
    try:
        store.run(WIPE)
        store.run("CREATE (:Region {id: 'r1', name: '璧山区'})")
        refused = ipkg("cypher", WIPE, "--to", uri)
        assert refused.exit_code == 1
        lines = refused.output.strip().splitlines()
        assert len(lines) == 1 and "--write" in lines[0] and "read-only" in lines[0], refused.output
        assert store.run("MATCH (n) RETURN count(n) AS n") == [{"n": 1}]
        made = ipkg("cypher", "--write", "--to", uri, "CREATE (:Probe {name: 'a'})")
        assert made.exit_code == 0 and "Added 1 nodes, Set 1 properties, Added 1 labels" in made.output
        gone = ipkg("cypher", "--write", "--to", uri, WIPE)
        assert gone.exit_code == 0 and "Deleted 2 nodes" in gone.output
    finally:
        store.close()


# ---------------------------------------------------------------- 4. answers to take away


def test_each_export_format_reads_back(graph_dir: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    args = ["ask", "gi-brands", "-p", "region=璧山区", "--data", str(graph_dir)]
    shown = ipkg(*args, "--format", "json")
    assert shown.exit_code == 0, shown.output
    expected = json.loads(shown.output)
    assert expected and "evidence" in expected[0]
    columns = list(expected[0])

    for name in ("a.csv", "a.json", "a.jsonl", "a.xlsx", "a.md"):
        result = ipkg(*args, "--out", str(tmp_path / name))
        assert result.exit_code == 0 and f"wrote {len(expected)} row(s)" in result.output, result.output

    raw = (tmp_path / "a.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    with (tmp_path / "a.csv").open(encoding="utf-8-sig", newline="") as f:
        assert [dict(r) for r in csv.DictReader(f)] == [{k: str(v) for k, v in r.items()} for r in expected]
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8")) == expected
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == expected

    ws = load_workbook(tmp_path / "a.xlsx").active
    sheet = [tuple(c.value for c in row) for row in ws.iter_rows()]
    assert list(sheet[0]) == columns and all(c.font.bold for c in ws[1])
    assert [dict(zip(columns, r, strict=True)) for r in sheet[1:]] == expected
    ev = ws.cell(row=2, column=columns.index("evidence") + 1)
    assert ev.alignment.wrap_text
    assert ws.column_dimensions["A"].width >= 8 and ws.column_dimensions[ev.column_letter].width <= 60

    md = (tmp_path / "a.md").read_text(encoding="utf-8").splitlines()
    assert md[0] == "| " + " | ".join(columns) + " |" and len(md) == len(expected) + 2


def test_columns_format_and_evidence_folding(graph_dir: Path, tmp_path: Path) -> None:
    args = ["ask", "gi-brands", "-p", "region=璧山区", "--data", str(graph_dir)]
    chosen = ipkg(*args, "--columns", "name,kind", "--format", "csv")
    assert chosen.exit_code == 0 and chosen.output.splitlines()[0] == "name,kind"
    named = ipkg(*args, "--format", "jsonl", "--out", str(tmp_path / "answer.txt"))
    assert named.exit_code == 0 and json.loads((tmp_path / "answer.txt").read_text(encoding="utf-8").splitlines()[0])
    unknown = ipkg(*args, "--out", str(tmp_path / "answer.txt"))
    assert unknown.exit_code == 2 and "--format" in unknown.output
    bad_column = ipkg(*args, "--columns", "name,nope")
    assert bad_column.exit_code == 2 and "no column nope" in bad_column.output
    folded, full = ipkg(*args), ipkg(*args, "--evidence")
    assert folded.exit_code == 0 and full.exit_code == 0
    assert len(folded.output.splitlines()) < len(full.output.splitlines())  # one line per row, unless --evidence


def test_sparql_and_cypher_write_files_too(graph_dir: Path, loaded_falkordb: FalkorStore, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    q = "PREFIX ipkg: <https://w3id.org/ipkg/ontology#> SELECT ?name WHERE { ?r a ipkg:Region ; ipkg:name ?name }"
    assert ipkg("sparql", q, "--data", str(graph_dir), "--out", str(tmp_path / "r.csv")).exit_code == 0
    regions = (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()
    assert regions[0] == "name" and "璧山区" in regions
    done = ipkg("cypher", "MATCH (r:Region) RETURN r.name AS name ORDER BY name", "--out", str(tmp_path / "r.xlsx"))
    assert done.exit_code == 0, done.output
    names = [c.value for c in load_workbook(tmp_path / "r.xlsx").active["A"]]
    assert names[0] == "name" and sorted(names[1:]) == sorted(regions[1:])


# ---------------------------------------------------------------- 3. parameter values that match nothing


def test_an_unknown_industry_is_named_with_its_closest_siblings(graph_dir: Path) -> None:
    result = ipkg("ask", "dept-owners", "-p", "industry=新能源车", "--data", str(graph_dir))
    assert result.exit_code == 1
    line = result.output.strip()
    assert "no industry (产业) named '新能源车'" in line
    assert "新能源汽车 (under 战略性新兴产业)" in line and "新能源 (under 战略性新兴产业)" in line


def test_an_unknown_theme_region_or_indicator_says_so(graph_dir: Path) -> None:
    theme = ipkg("ask", "dept-owners", "-p", "industry=新材料", "-p", "theme=foo", "--data", str(graph_dir))
    assert theme.exit_code == 1 and "theme 'foo'" in theme.output and "保护" in theme.output
    region = ipkg("ask", "region-profile", "-p", "region=碧山区", "--data", str(graph_dir))
    assert region.exit_code == 1 and "closest: 璧山区" in region.output
    indicator = ipkg("ask", "indicator-compare", "-p", "indicator=万人专利", "--data", str(graph_dir))
    assert indicator.exit_code == 1 and "每万人口发明专利拥有量" in indicator.output
    by_code = ipkg("ask", "region-profile", "-p", "region=500120", "--data", str(graph_dir), "--format", "csv")
    assert by_code.exit_code == 0 and len(by_code.output.splitlines()) > 1  # a region's code is a name too


def test_parameter_names_are_case_insensitive(graph_dir: Path) -> None:
    lower = ipkg("ask", "dept-owners", "-p", "industry=新材料", "--data", str(graph_dir), "--format", "json")
    upper = ipkg("ask", "dept-owners", "-p", "INDUSTRY=新材料", "-p", "Role=lead", "--data", str(graph_dir),
                 "--format", "json")
    assert lower.exit_code == 0 and upper.exit_code == 0, upper.output
    lead = [r for r in json.loads(lower.output) if r["role"] == "lead"]
    assert lead and json.loads(upper.output) == lead


def test_values_are_checked_on_the_cypher_store_too(loaded_falkordb: FalkorStore) -> None:
    wrong = ipkg("ask", "dept-owners", "-p", "industry=新能源车", "--engine", "falkordb")
    assert wrong.exit_code == 1 and "新能源汽车 (under 战略性新兴产业)" in wrong.output
    right = ipkg("ask", "dept-owners", "-p", "industry=新材料", "--engine", "falkordb", "--format", "csv")
    assert right.exit_code == 0 and len(right.output.splitlines()) > 1


# ---------------------------------------------------------------- 1. one workspace: the README's path after the demo


def _normal(text: str) -> str:
    """Output with what changes from run to run masked: pids, ports, durations, the workspace's absolute path."""
    import re

    text = re.sub(r"pid \d+", "pid N", text)
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    text = re.sub(r"\b\d+\.\d+s\b", "Ts", text)
    return re.sub(r"data \S+/\.ipkg/", "data WS/.ipkg/", text)


def test_the_readme_s_next_commands_work_as_printed_after_the_demo(tmp_path: Path) -> None:
    import os
    import re
    import shlex
    import subprocess
    import sys

    from loaders.servers import free_port
    from tests.conftest import ROOT

    assert re.search(r"^demo: setup\n\t\$\(BIN\)/ipkg demo$", (ROOT / "Makefile").read_text(), re.M)  # make demo
    block = re.search(r"<!-- after-demo -->\n```\n(.*?)```\n<!-- /after-demo -->", (ROOT / "README.md").read_text(
        encoding="utf-8"), re.S)
    assert block, "README.md has no after-demo block"
    steps: list[tuple[str, list[str]]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    assert steps and all(cmd.startswith("ipkg ") for cmd, _ in steps)

    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if k not in ("IPKG_HOME", "NEO4J_URI")}
    env["IPKG_FALKORDB_PORT"] = str(free_port())  # a fresh workspace; the port the README shows may be taken here

    def run(command: str) -> subprocess.CompletedProcess[str]:
        args = shlex.split(command)
        return subprocess.run([str(bin_dir / args[0]), *args[1:]], capture_output=True, text=True, cwd=tmp_path,
                              env=env, timeout=600, stdin=subprocess.DEVNULL)

    demo = run("ipkg demo")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    try:
        for command, printed in steps:
            result = run(command)
            assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
            said = _normal(result.stdout + result.stderr)
            for line in printed:
                assert _normal(line) in said, f"{command}: {line!r} not in\n{said}"
    finally:
        run("ipkg db stop")
    assert (tmp_path / ".ipkg" / "graph" / "kg.nt").exists() and (tmp_path / "gi-brands.xlsx").exists()
