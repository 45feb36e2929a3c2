"""The question catalogue: Cypher and SPARQL twins give the same rows; hand-checked answers; injection."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.graph import counts
from loaders.cypher import FalkorStore, load, store_counts
from loaders.export import write_rdf
from queries.catalogue import CATALOGUE_DIR, CatalogueError, _load, catalogue, question
from queries.engines import ask_cypher, ask_sparql, memory_store, normalise

runner = CliRunner()

# parameters each question is asked with (the catalogue's defaults fill the rest), plus a variant
ASKED = {
    "dept-owners": [{"industry": "新材料"}, {"industry": "战略性新兴产业", "theme": "保护"}],
    "indicator-compare": [{}, {"indicator": "每万人口高价值发明专利拥有量"}],
    "plan-lineage": [{}, {"plan": "重庆市建设支撑型知识产权强市实施方案"}],
    "region-profile": [{"region": "璧山区"}, {"region": "630222"}],
    "shared-industries": [{}, {"min_plans": "3"}],
    "dept-workload": [{}, {"include_inferred": "true"}],
    "co-responsibility": [{}, {"min_shared": "3"}],
    "gi-brands": [{}, {"region": "万州区"}],
}


@pytest.fixture(scope="module")
def engines(sample_graph, tmp_path_factory):
    """The sample graph in a real FalkorDB server and in an in-memory SPARQL store."""
    from loaders import falkordb_server as fs

    home = tmp_path_factory.mktemp("q-home")
    port = fs.free_port()
    fs.start(port=port, home=home)
    graph_dir = tmp_path_factory.mktemp("q-graph")
    write_rdf(sample_graph, graph_dir)
    store = FalkorStore(port=port)
    load(sample_graph, store)
    try:
        yield store, memory_store(graph_dir), graph_dir
    finally:
        fs.stop(home=home)


def test_every_question_has_both_twins() -> None:
    cy = {f.stem for f in CATALOGUE_DIR.glob("*.cypher")}
    sp = {f.stem for f in CATALOGUE_DIR.glob("*.sparql")}
    assert cy == sp == set(ASKED), (cy ^ sp) or (cy ^ set(ASKED))
    assert len(catalogue()) == 8


def test_a_missing_twin_is_an_error(tmp_path, monkeypatch) -> None:
    (tmp_path / "lonely.cypher").write_text("// question: lonely\nMATCH (n) RETURN n\n", encoding="utf-8")
    monkeypatch.setattr("queries.catalogue.CATALOGUE_DIR", tmp_path)
    with pytest.raises(CatalogueError, match="no sparql twin"):
        _load("lonely")


@pytest.mark.parametrize("name,given", [(n, g) for n, gs in ASKED.items() for g in gs])
def test_twins_give_the_same_rows(engines, name: str, given: dict) -> None:
    store, mem, _ = engines
    q = question(name)
    params = q.bind(given)
    cypher_rows, sparql_rows = ask_cypher(q, store, params), ask_sparql(q, mem, params)
    assert cypher_rows, f"{name} {given} answered nothing"
    assert normalise(cypher_rows) == normalise(sparql_rows)


def _rows(engines, name: str, given: dict) -> list[dict]:
    store, _, _ = engines
    q = question(name)
    return [dict(zip(q.columns, r, strict=True)) for r in ask_cypher(q, store, q.bind(given))]


def test_dept_owners_new_materials_by_hand(engines) -> None:
    """Written from reading 004 and 001, not from the program's output."""
    rows = _rows(engines, "dept-owners", {"industry": "新材料"})
    minhe = {(r["department"], r["explicit"]) for r in rows if r["task"] == "强化知识产权行政保护"}
    county = "民和回族土族自治县"
    assert minhe == {(county + d, True) for d in (
        "发展和改革局", "农业农村和科学技术局", "工业和信息化局", "财政局", "商务局", "文体旅游局", "广播电视局",
        "市场监督管理局")}
    wanzhou = [r for r in rows if r["task"] == "新材料知识产权保护"]
    assert [(r["region"], r["department"], r["explicit"]) for r in wanzhou] == [
        ("万州区", "万州区市场监督管理局", False)]
    # taxonomy-aware: asking for the broader concept finds the same tasks
    broader = _rows(engines, "dept-owners", {"industry": "战略性新兴产业"})
    assert {(r["task"], r["department"]) for r in rows} <= {(r["task"], r["department"]) for r in broader}


def test_indicator_compare_by_hand(engines) -> None:
    """每万人口发明专利拥有量 as the five plans state it (民和's 0.76件 can only be per 10,000 people)."""
    rows = _rows(engines, "indicator-compare", {})
    got = {(r["region"], r["baseline"], r["baseline_year"], r["target"], r["target_year"], r["unit"], r["growth"])
           for r in rows}
    assert got == {
        ("万州区", 1.85, 2020, 4, 2025, "件", 2.162),
        ("璧山区", 12.01, 2020, 25, 2025, "件", 2.082),
        ("丰都县", None, None, 1.5, 2025, "件", None),
        ("民和回族土族自治县", None, None, 0.76, 2025, "件", None),
        ("重庆市", None, None, 8, 2020, "件", None),
    }


HOSTILE = ['新材料"}) DETACH DELETE (n) //', "x' OR 1=1 --", '"} . ?s ?p ?o } #', "{{$industry}}",
           "}) MATCH (n) DETACH DELETE n"]


@pytest.mark.parametrize("value", HOSTILE)
def test_parameters_reach_the_stores_only_as_parameters(engines, sample_graph, value: str) -> None:
    store, mem, _ = engines
    triples = len(mem)
    for name, key in (("dept-owners", "industry"), ("region-profile", "region"), ("gi-brands", "region"),
                      ("plan-lineage", "plan"), ("indicator-compare", "indicator")):
        q = question(name)
        params = q.bind({key: value})
        assert ask_cypher(q, store, params) == []
        assert ask_sparql(q, mem, params) == []
    assert store_counts(store) == counts(sample_graph)
    assert len(mem) == triples


def test_cli_ask_list_and_errors(engines, monkeypatch) -> None:
    _, _, graph_dir = engines
    listing = runner.invoke(app, ["ask", "--list"])
    assert listing.exit_code == 0 and "dept-owners" in listing.output and "co-responsibility" in listing.output
    missing = runner.invoke(app, ["ask", "dept-owners", "-d", str(graph_dir)])
    assert missing.exit_code == 1 and "needs --param industry" in missing.output
    unknown = runner.invoke(app, ["ask", "nonsense", "-d", str(graph_dir)])
    assert unknown.exit_code == 1 and "no question 'nonsense'" in unknown.output
    as_json = runner.invoke(app, ["ask", "indicator-compare", "-d", str(graph_dir), "--format", "json"])
    assert as_json.exit_code == 0 and '"growth": 2.162' in as_json.output


def test_cli_cypher_and_sparql(engines) -> None:
    store, _, graph_dir = engines
    url = store.where
    ok = runner.invoke(app, ["cypher", "MATCH (p:Plan) RETURN count(p) AS plans", "--to", url, "--format", "csv"])
    assert ok.exit_code == 0 and "plans\n15" in ok.output
    bad = runner.invoke(app, ["cypher", "MATCH (n RETURN n", "--to", url])
    assert bad.exit_code == 1 and "the store refused the query" in bad.output and "column" in bad.output
    assert "Traceback" not in bad.output
    sp = runner.invoke(app, ["sparql", "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/ipkg/ontology#Plan> }",
                             "-d", str(graph_dir), "--format", "csv"])
    assert sp.exit_code == 0 and "n\n15" in sp.output
    sbad = runner.invoke(app, ["sparql", "SELECT ?x WHERE { ?x ?y }", "-d", str(graph_dir)])
    assert sbad.exit_code == 1 and "SPARQL syntax error" in sbad.output and "1:" in sbad.output


def test_query_file_option(engines, tmp_path: Path) -> None:
    store, _, _ = engines
    f = tmp_path / "q.cypher"
    f.write_text("MATCH (r:Region {code: '630222'}) RETURN r.name AS name", encoding="utf-8")
    result = runner.invoke(app, ["cypher", "-f", str(f), "--to", store.where, "--format", "csv"])
    assert result.exit_code == 0 and "民和回族土族自治县" in result.output


def test_interactive_cypher_shell(engines, tmp_path, monkeypatch, capsys) -> None:
    """The shell reads queries ended by ';' (over several lines), keeps history, and survives errors."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from kg.cli import _shell

    store, _, _ = engines
    monkeypatch.setenv("IPKG_HOME", str(tmp_path))
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text("MATCH (r:Region {code: '630222'})\n RETURN r.name AS name;\nMATCH (n RETURN n;\n")
        pipe.close()
        _shell(store, "csv")
    captured = capsys.readouterr()
    assert "民和回族土族自治县" in captured.out
    assert "Invalid input" in captured.err or "Invalid input" in captured.out
    assert "RETURN r.name AS name;" in (tmp_path / "cypher_history").read_text(encoding="utf-8")
