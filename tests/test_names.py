"""Names a person types (issue 15, point 6): plans by key, file, region or part of a title; SPARQL with the
ontology's prefixes, updates refused as read-only, syntax errors with a caret; /sparql in a browser; and the
landing page opening at its top."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from queries.engines import QueryError, memory_store, run_sparql
from tests.conftest import ARTIFACTS, ROOT, Endpoint
from viz.select import SelectError, find_plan


def ipkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def _plan(graph, region: str) -> str:
    return next(p for p, r, k in graph.edges(keys=True) if k == "GOVERNS" and graph.nodes[r]["name"] == region
                and graph.nodes[p].get("in_corpus"))


@pytest.mark.parametrize("form", ["key", "file", "stem", "number", "region", "part", "quoted part", "title"])
def test_a_plan_by_each_name_a_person_types(sample_graph, form):
    plan = _plan(sample_graph, "璧山区")
    d = sample_graph.nodes[plan]
    given = {"key": d["id"], "file": d["source_file"], "stem": d["source_file"].removesuffix(".txt"),
             "number": d["source_file"][:3], "region": "璧山区", "part": "璧山区知识产权",
             "quoted part": "璧山区 知识产权保护和运用“十四五”", "title": d["name"]}[form]  # quotes, spaces ignored
    assert find_plan(sample_graph, given) == plan


def test_an_ambiguous_or_unknown_plan_lists_the_candidates(sample_graph):
    with pytest.raises(SelectError) as ambiguous:
        find_plan(sample_graph, "十四五")
    message = str(ambiguous.value)
    assert "names" in message and "plans" in message
    plans_with = [d for _, d in sample_graph.nodes(data=True) if d["label"] == "Plan" and d.get("in_corpus")
                  and "十四五" in d["id"]]
    assert len(plans_with) > 1 and all(d["id"] in message for d in plans_with)
    with pytest.raises(SelectError, match="no plan") as unknown:
        find_plan(sample_graph, "没有这个规划")
    assert "璧山区" in str(unknown.value)  # every plan listed, with its region


def test_viz_plan_on_the_command_line(graph_dir, tmp_path):
    r = ipkg("viz", "plan", "璧山区", "--data", str(graph_dir), "--out", str(tmp_path / "p.html"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "p.html").is_file()
    r = ipkg("viz", "plan", "十四五", "--data", str(graph_dir), "--out", str(tmp_path / "q.html"))
    assert r.returncode == 1 and "names" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "q.html").exists()


# ---------------------------------------------------------------- SPARQL as typed


@pytest.fixture(scope="module")
def memory(graph_dir):
    return memory_store(graph_dir)


def test_the_ontology_prefixes_are_declared_by_default(memory):
    query = "SELECT ?name WHERE { ?p a ipkg:Plan ; rdfs:label ?name } ORDER BY ?name"
    _, rows = run_sparql(memory, query)
    assert len(rows) >= 5
    for prefix in ("skos", "org", "prov", "dcterms"):
        run_sparql(memory, f"SELECT * WHERE {{ ?s {prefix}:nothing ?o }}")  # parses: the prefix is known
    # a query's own declaration wins
    _, none = run_sparql(memory, "PREFIX ipkg: <http://example.org/other#>\n" + query)
    assert none == []


@pytest.mark.parametrize("update", ["INSERT DATA { ipkg:a ipkg:b ipkg:c }", "DELETE WHERE { ?s ?p ?o }",
                                    "CLEAR DEFAULT"])
def test_an_update_is_refused_as_read_only(memory, update):
    with pytest.raises(QueryError, match="read-only") as refused:
        run_sparql(memory, update)
    assert "syntax" not in str(refused.value)


def test_a_syntax_error_shows_line_column_and_a_caret(memory):
    query = "SELECT ?s WHERE {\n  ?s a ipkg:Plan .\n  FILTER(?x = )\n}"
    with pytest.raises(QueryError) as bad:
        run_sparql(memory, query)
    lines = str(bad.value).splitlines()
    assert lines[0].startswith("SPARQL syntax error at line 3, column 3")
    assert lines[1] == "    FILTER(?x = )" and lines[2] == "    ^"
    with pytest.raises(QueryError) as unknown:
        run_sparql(memory, 'SELECT * WHERE { ?s rdfs:label "新材料" ; foo:bar ?o }')
    lines = str(unknown.value).splitlines()
    assert "unknown prefix foo:" in lines[0] and "expected one of" not in lines[0]
    # the caret sits under foo:, counting each Chinese character as two columns
    assert lines[2].index("^") == len(lines[1][: lines[1].index("foo:")]) + 3  # 新材料: three wide characters


def test_the_sparql_command_says_so_in_one_place(graph_dir):
    r = ipkg("sparql", "INSERT DATA { ipkg:a ipkg:b ipkg:c }", "--data", str(graph_dir))
    assert r.returncode == 1 and "read-only" in r.stderr and "Traceback" not in r.stderr
    r = ipkg("sparql", "SELECT ?s WHERE {\n ?s a ipkg:Plan .\n FILTER(?x = )\n}", "--data", str(graph_dir))
    assert r.returncode == 1 and "line 3, column 2" in r.stderr and "^" in r.stderr
    r = ipkg("sparql", "SELECT (COUNT(?p) AS ?n) WHERE { ?p a ipkg:Plan }", "--data", str(graph_dir),
             "--format", "csv")
    assert r.returncode == 0, r.stderr


# ---------------------------------------------------------------- the endpoint in a browser


@pytest.fixture(scope="module")
def endpoint(graph_dir):
    ep = Endpoint(graph_dir)
    try:
        yield ep
    finally:
        ep.stop()


def test_sparql_in_a_browser_goes_to_the_editor(endpoint):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = httpx.get(f"{endpoint.url}/sparql", headers={"Accept": browser})
    assert r.status_code == 303 and r.headers["location"] == "/#editor"
    # a SPARQL client still gets the Service Description, and a browser with a query its answer
    r = httpx.get(f"{endpoint.url}/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    r = httpx.get(f"{endpoint.url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": browser})
    assert r.status_code == 200


def test_the_landing_page_opens_at_its_top(endpoint, chromium_browser):
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 700})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(endpoint.url + "/")
    page.wait_for_function("window.ipkgEditor !== undefined")
    page.wait_for_timeout(500)  # the editor's own deferred focus, if any, has run
    top = page.evaluate("window.scrollY")
    page.screenshot(path=str(ARTIFACTS / "endpoint-landing-top.png"))
    page.goto(endpoint.url + "/sparql")  # a browser at /sparql: the editor
    page.wait_for_function("window.ipkgEditor !== undefined")
    page.wait_for_timeout(500)
    at_editor = page.evaluate("[scrollY, document.getElementById('editor').getBoundingClientRect().top]")
    page.close()
    assert errors == []
    assert top == 0
    assert at_editor[0] > 0 and 0 <= at_editor[1] < 700  # scrolled down to the editor's heading, in view
