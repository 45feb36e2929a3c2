"""`ipkg serve`: a real server on 127.0.0.1, a real third-party SPARQL client, real Chromium."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import sys
import threading
import time
from urllib.parse import quote

import httpx
import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

from queries.catalogue import catalogue
from queries.engines import ask_sparql, bind_sparql, memory_store, normalise
from tests.conftest import ARTIFACTS, HOSTILE, ROOT, Endpoint

TIME_LIMIT = 3.0
MAX_ROWS = 5000
IPKG = "https://w3id.org/ipkg/ontology#"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# three independent scans of the whole store: about 30,000³ rows before the count, far beyond any time limit
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def endpoint(graph_dir):
    ep = Endpoint(graph_dir, "--time-limit", str(TIME_LIMIT), "--max-rows", str(MAX_ROWS))
    try:
        yield ep
    finally:
        ep.stop()


@pytest.fixture(scope="module")
def memory(graph_dir):
    return memory_store(graph_dir)


def count(url: str) -> int:
    """Triples in the store, asked afresh (a unique comment keeps the answer cache out of it)."""
    query = f"# {time.time_ns()}\n{COUNT}"
    r = httpx.get(f"{url}/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.headers["x-ipkg-cache"] == "miss"
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def department_iri(memory) -> str:
    q = f"SELECT ?d WHERE {{ ?d a <{IPKG}Department> ; <{IPKG}responsibleFor> ?t }} ORDER BY ?d LIMIT 1"
    return next(iter(memory.query(q)))["d"].value


def local(endpoint: Endpoint, iri: str) -> str:
    """The endpoint URL of an entity IRI minted under the default base (http://127.0.0.1:8000/id/)."""
    return endpoint.url + quote(iri.removeprefix("http://127.0.0.1:8000"))


# ---------------------------------------------------------------- a real SPARQL client, every question


def _as_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_sparqlwrapper_gets_the_in_process_rows(endpoint, memory, name):
    q = catalogue()[name]
    params = q.example_params()
    expected = ask_sparql(q, memory, params)
    assert expected, f"{name}'s example has no rows on the sample corpus: the comparison would be empty"
    client = SPARQLWrapper(f"{endpoint.url}/sparql")
    client.setQuery(bind_sparql(q.sparql, params))
    client.setMethod("POST")

    client.setReturnFormat(JSON)
    doc = client.queryAndConvert()
    got = [tuple(b.get(c, {}).get("value") for c in q.columns) for b in doc["results"]["bindings"]]
    as_text = {tuple(_as_text(v) for v in row) for row in expected}
    assert normalise([tuple(_as_text(v) for v in r) for r in got]) == normalise(list(as_text))
    assert len(got) == len(expected)

    client.setReturnFormat(XML)
    dom = client.queryAndConvert()
    xml_rows = []
    for result in dom.getElementsByTagName("result"):
        cells = {b.getAttribute("name"): b.firstChild.firstChild.data if b.firstChild.firstChild else ""
                 for b in result.getElementsByTagName("binding")}
        xml_rows.append(tuple(cells.get(c, "") for c in q.columns))
    assert normalise(xml_rows) == normalise(list(as_text)) and len(xml_rows) == len(expected)

    client.setReturnFormat(CSV)
    table = list(csv.reader(io.StringIO(client.queryAndConvert().decode("utf-8"))))
    assert tuple(table[0]) == q.columns
    assert normalise([tuple(r) for r in table[1:]]) == normalise(list(as_text)) and len(table) - 1 == len(expected)


def test_ask_with_the_sparql_engine_goes_over_http(endpoint):
    out = subprocess.run([sys.executable, "-m", "cli", "ask", "dept-owners", "-p", "industry=新材料",
                          "--engine", "sparql", "--endpoint", f"{endpoint.url}/sparql", "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows and {"region", "department", "role", "evidence"} <= set(rows[0])
    co = subprocess.run([sys.executable, "-m", "cli", "ask", "dept-owners", "-p", "industry=新材料", "-p", "role=co",
                         "--engine", "sparql", "--endpoint", f"{endpoint.url}/sparql", "--format", "json"],
                        capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert co.returncode == 0, co.stderr
    co_rows = json.loads(co.stdout)
    assert co_rows and {r["role"] for r in co_rows} == {"co"}
    assert co_rows == [r for r in rows if r["role"] == "co"]


# ---------------------------------------------------------------- the protocol


def test_get_and_both_post_forms_agree(endpoint):
    accept = {"Accept": "application/sparql-results+json"}
    a = httpx.get(f"{endpoint.url}/sparql", params={"query": COUNT}, headers=accept)
    b = httpx.post(f"{endpoint.url}/sparql", data={"query": COUNT}, headers=accept)
    c = httpx.post(f"{endpoint.url}/sparql", content=COUNT.encode(),
                   headers={**accept, "Content-Type": "application/sparql-query"})
    assert a.status_code == b.status_code == c.status_code == 200
    assert a.json() == b.json() == c.json()
    assert int(a.json()["results"]["bindings"][0]["n"]["value"]) > 1000


@pytest.mark.parametrize(("accept", "media", "check"), [
    ("application/sparql-results+json", "application/sparql-results+json", lambda t: json.loads(t)["head"]),
    ("application/sparql-results+xml", "application/sparql-results+xml", lambda t: "<sparql" in t),
    ("text/csv", "text/csv", lambda t: t.splitlines()[0] == "c,n"),
    ("text/tab-separated-values", "text/tab-separated-values", lambda t: t.splitlines()[0] == "?c\t?n"),
    ("*/*", "application/sparql-results+json", lambda t: json.loads(t)["results"]["bindings"]),
])
def test_select_result_formats_by_accept(endpoint, accept, media, check):
    q = "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"
    r = httpx.get(f"{endpoint.url}/sparql", params={"query": q}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    assert check(r.text)


def test_ask_answers_in_json_and_xml(endpoint):
    q = f"ASK {{ ?s a <{IPKG}Plan> }}"
    r = httpx.get(f"{endpoint.url}/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
    assert r.json()["boolean"] is True
    r = httpx.get(f"{endpoint.url}/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+xml"})
    assert "<boolean>true</boolean>" in r.text


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
])
def test_construct_formats_by_accept(endpoint, accept, rdflib_format):
    q = f"CONSTRUCT {{ ?p a <{IPKG}Plan> ; <{IPKG}name> ?n }} WHERE {{ ?p a <{IPKG}Plan> ; <{IPKG}name> ?n }}"
    r = httpx.post(f"{endpoint.url}/sparql", data={"query": q}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    g = rdflib.Graph().parse(data=r.content, format=rdflib_format)
    plans = set(g.subjects(rdflib.RDF.type, rdflib.URIRef(f"{IPKG}Plan")))
    assert len(plans) >= 5
    assert all(g.value(p, rdflib.URIRef(f"{IPKG}name")) for p in plans)


def test_dataset_parameters_select_the_graphs(endpoint):
    q = f"SELECT ?p WHERE {{ ?p a <{IPKG}Plan> }}"
    accept = {"Accept": "application/sparql-results+json"}
    everything = httpx.get(f"{endpoint.url}/sparql", params={"query": q}, headers=accept).json()
    # the data is the default graph; a named graph that does not exist holds nothing
    other = httpx.get(f"{endpoint.url}/sparql", params={"query": q, "default-graph-uri": "urn:ipkg:none"},
                      headers=accept).json()
    named = httpx.post(f"{endpoint.url}/sparql?named-graph-uri=urn:ipkg:none", headers={
        **accept, "Content-Type": "application/sparql-query"},
        content=b"SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").json()
    assert len(everything["results"]["bindings"]) >= 5
    assert other["results"]["bindings"] == [] and named["results"]["bindings"] == []


def test_repeated_query_is_answered_from_the_cache(endpoint):
    q = f"# cache test {time.time_ns()}\nSELECT ?p WHERE {{ ?p a <{IPKG}Plan> }} ORDER BY ?p"
    first = httpx.get(f"{endpoint.url}/sparql", params={"query": q}, headers={"Accept": "text/csv"})
    again = httpx.get(f"{endpoint.url}/sparql", params={"query": q}, headers={"Accept": "text/csv"})
    other = httpx.get(f"{endpoint.url}/sparql", params={"query": q}, headers={"Accept": "text/tab-separated-values"})
    assert (first.headers["x-ipkg-cache"], again.headers["x-ipkg-cache"]) == ("miss", "hit")
    assert again.content == first.content and again.headers["content-type"] == first.headers["content-type"]
    assert other.headers["x-ipkg-cache"] == "miss" and other.text.startswith("?p")


def test_unacceptable_format_is_406(endpoint):
    r = httpx.get(f"{endpoint.url}/sparql", params={"query": COUNT}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and "sparql-results+json" in r.text


def test_service_description_on_a_get_without_query(endpoint):
    r = httpx.get(f"{endpoint.url}/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    svc = next(g.subjects(rdflib.RDF.type, sd.Service))
    assert g.value(svc, sd.endpoint) == rdflib.URIRef(f"{endpoint.url}/sparql")
    assert (svc, sd.supportedLanguage, sd.SPARQL11Query) in g
    assert (svc, sd.supportedLanguage, sd.SPARQL11Update) not in g


def test_updates_are_refused_and_change_nothing(endpoint):
    before = count(endpoint.url)
    insert = "INSERT DATA { <urn:x> <urn:y> <urn:z> }"
    attempts = [
        httpx.post(f"{endpoint.url}/sparql", data={"update": insert}),
        httpx.post(f"{endpoint.url}/sparql", content=insert.encode(),
                   headers={"Content-Type": "application/sparql-update"}),
        httpx.get(f"{endpoint.url}/sparql", params={"update": insert}),
        httpx.get(f"{endpoint.url}/sparql", params={"query": insert}),  # an update smuggled in as a query
        httpx.post(f"{endpoint.url}/sparql", content=b"DELETE WHERE { ?s ?p ?o }",
                   headers={"Content-Type": "application/sparql-query"}),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert all("read-only" in r.text for r in attempts)
    assert count(endpoint.url) == before


def test_malformed_query_is_400_with_the_parsers_message(endpoint):
    r = httpx.get(f"{endpoint.url}/sparql", params={"query": "SELECT ?s WHERE { ?s ?p "})
    assert r.status_code == 400
    assert r.text.startswith("SPARQL syntax error: error at 1:25: expected one of")


def test_expensive_query_stopped_while_others_are_answered(endpoint):
    result: dict[str, object] = {}

    def expensive() -> None:
        t0 = time.monotonic()
        r = httpx.get(f"{endpoint.url}/sparql", params={"query": EXPENSIVE}, timeout=60)
        result["status"], result["seconds"], result["text"] = r.status_code, time.monotonic() - t0, r.text

    t = threading.Thread(target=expensive)
    t.start()
    time.sleep(0.5)
    answered = []
    while t.is_alive():  # the other worker keeps answering while the expensive query runs
        answered.append(count(endpoint.url))
        time.sleep(0.1)
    t.join()
    assert result["status"] == 503 and "time limit" in str(result["text"])
    assert TIME_LIMIT - 0.5 <= float(result["seconds"]) < TIME_LIMIT + 5
    assert len(answered) >= 3 and len(set(answered)) == 1
    # and the stopped worker is replaced: a second expensive query is stopped the same way, not queued forever
    r = httpx.get(f"{endpoint.url}/sparql", params={"query": EXPENSIVE}, timeout=60)
    assert r.status_code == 503


def test_results_above_the_row_limit_are_refused(endpoint):
    r = httpx.get(f"{endpoint.url}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 422 and f"{MAX_ROWS:,}" in r.text
    r = httpx.get(f"{endpoint.url}/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}"})
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == MAX_ROWS


def test_oversized_body_is_413(endpoint):
    body = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_100_000
    r = httpx.post(f"{endpoint.url}/sparql", content=body.encode(),
                   headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


def test_cors_is_on(endpoint):
    r = httpx.get(f"{endpoint.url}/sparql", params={"query": COUNT}, headers={"Origin": "http://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    pre = httpx.options(f"{endpoint.url}/sparql", headers={
        "Origin": "http://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200 and "POST" in pre.headers["access-control-allow-methods"]


# ---------------------------------------------------------------- dereferenceable IRIs


def test_department_iri_dereferences_by_content_negotiation(endpoint, memory):
    iri = department_iri(memory)
    url = local(endpoint, iri)
    see_other = httpx.get(url, headers={"Accept": "text/turtle"})
    assert see_other.status_code == 303 and "/data/" in see_other.headers["location"]

    ttl = httpx.get(url, headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert ttl.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=ttl.text, format="turtle")
    s = rdflib.URIRef(iri)
    label = str(g.value(s, rdflib.RDFS.label))
    tasks = set(g.objects(s, rdflib.URIRef(f"{IPKG}responsibleFor")))
    expected = {sol["t"].value for sol in memory.query(f"SELECT ?t WHERE {{ <{iri}> <{IPKG}responsibleFor> ?t }}")}
    assert label and {str(t) for t in tasks} == expected
    agents = set(g.subjects(rdflib.URIRef(f"{IPKG}responsibleAgent"), s))  # its qualified responsibilities
    assert len(agents) == len(expected)

    jsonld = httpx.get(url, headers={"Accept": "application/ld+json"}, follow_redirects=True)
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert len(rdflib.Graph().parse(data=jsonld.text, format="json-ld")) == len(g)

    page = httpx.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, follow_redirects=True)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'<h1 id="label">{label}</h1>' in page.text
    assert "证据 Evidence" in page.text and page.text.count("<blockquote>") >= 1


def test_entity_page_links_its_neighbourhood_picture(endpoint, memory, sample_graph):
    from viz.select import ego

    iri = department_iri(memory)
    page = httpx.get(local(endpoint, iri), headers={"Accept": "text/html"}, follow_redirects=True).text
    link = re.search(r'<a id="picture" href="([^"]+)"', page)
    assert link
    picture = httpx.get(endpoint.url + link[1])
    assert picture.status_code == 200 and "vis.Network" in picture.text
    data = json.loads(re.search(r'<script id="ipkg-data" type="application/json">(.*?)</script>', picture.text,
                                re.S)[1])
    expected = ego(sample_graph, iri, 1)
    assert (len(data["nodes"]), len(data["edges"])) == (expected.number_of_nodes(), expected.number_of_edges())


# a row of an entity page's responsibilities table: role, the other end (task or department), basis
RESPONSIBILITY_ROW = re.compile(
    r'<tr class="responsibility" data-role="([^"]*)" data-explicit="(true|false)">\s*'
    r'<td class="role">([^<]*)</td><td><a href="([^"]*)">([^<]*)</a></td>\s*<td class="basis">([^<]*)</td>')
ROLE_SHOWN = {"lead": "牵头 lead", "co": "配合 co"}


def responsibility_rows(page: str) -> list[tuple[str, str, str, str]]:
    """The responsibilities table of an entity page: (role, role as shown, other end's name, basis as shown)."""
    return [(role, html.unescape(shown), html.unescape(name), html.unescape(basis))
            for role, _, shown, _, name, basis in RESPONSIBILITY_ROW.findall(page)]


def expected_responsibilities(memory, iri: str) -> list[tuple[str, str, str, str]]:
    """What the table should hold, read from the store: lead before co, then by the other end's name."""
    q = f"""PREFIX ipkg: <{IPKG}>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?r ?other ?name ?role ?explicit ?reason WHERE {{
      {{ ?r ipkg:responsibleAgent <{iri}> . ?other ipkg:qualifiedResponsibility ?r ; rdfs:label ?name }}
      UNION {{ <{iri}> ipkg:qualifiedResponsibility ?r . ?r ipkg:responsibleAgent ?other .
               ?other ipkg:qualifiedName ?name }}
      ?r ipkg:role ?role ; ipkg:explicit ?explicit . OPTIONAL {{ ?r ipkg:reason ?reason }} }}"""
    rows = []
    for s in memory.query(q):
        explicit = s["explicit"].value == "true"
        basis = "明确指定 explicit" if explicit else f"推断 inferred：{s['reason'].value}"
        rows.append((s["role"].value != "lead", s["name"].value, s["other"].value, s["r"].value,
                     (s["role"].value, ROLE_SHOWN[s["role"].value], s["name"].value, basis)))
    return [row[-1] for row in sorted(rows)]


def test_department_and_task_pages_show_each_responsibilitys_role(endpoint, memory):
    both = "?a ipkg:role 'lead' . ?b ipkg:role 'co' ."
    picks = {  # a task with a lead and a co owner, a department in both roles, one with an inferred responsibility
        "task": f"SELECT ?x WHERE {{ ?x ipkg:qualifiedResponsibility ?a , ?b . {both} }} ORDER BY ?x LIMIT 1",
        "department": f"SELECT ?x WHERE {{ ?a ipkg:responsibleAgent ?x . ?b ipkg:responsibleAgent ?x . {both} }} "
                      "ORDER BY ?x LIMIT 1",
        "inferred": "SELECT ?x WHERE { ?a ipkg:responsibleAgent ?x ; ipkg:explicit false } ORDER BY ?x LIMIT 1",
    }
    for kind, pick in picks.items():
        iri = next(iter(memory.query(f"PREFIX ipkg: <{IPKG}> {pick}")))["x"].value
        page = httpx.get(local(endpoint, iri), headers={"Accept": "text/html"}, follow_redirects=True).text
        rows = responsibility_rows(page)
        assert rows == expected_responsibilities(memory, iri), kind
        assert f"<h2>责任 Responsibilities ({len(rows)})</h2>" in page
        assert ("任务 Task" if kind != "task" else "部门 Department") in page
        if kind == "inferred":
            assert any(r[3].startswith("推断 inferred：") for r in rows)
        else:
            assert {r[0] for r in rows} == {"lead", "co"}


REUSE_ROW = re.compile(r'<tr class="reuse" data-side="(\w+)">\s*<td>.*?</td>\s*<td><a href="[^"]*">([^<]*)</a></td>'
                       r'.*?<td class="mine"><a [^>]*>[^<]*</a> (.*?)</td>'
                       r'\s*<td class="theirs"><a [^>]*>[^<]*</a> (.*?)</td>', re.S)


def test_plan_page_lists_reuse_both_ways_with_differences_marked(endpoint, sample_graph, graph_dir):
    from kg.model import ReuseReport
    from queries.endpoint.describe_reuse import marked

    report = ReuseReport.model_validate_json((graph_dir / "reuse.json").read_text(encoding="utf-8"))
    quoted = next(t for t in report.tasks if "以产品链、创新链为纽带" in t.target.evidence.sentence)
    plan = quoted.target.plan  # the 万州 plan, which took the sentence from the 2016 重庆市 方案
    mine = [t for t in report.tasks if plan in (t.source.plan, t.target.plan)]
    plans = {d["id"]: (n, d["name"]) for n, d in sample_graph.nodes(data=True) if d["label"] == "Plan"}
    iri = plans[plan][0]
    page = httpx.get(local(endpoint, iri), headers={"Accept": "text/html"}, follow_redirects=True).text
    def text(cell: str) -> str:
        return html.unescape(re.sub("<[^>]+>", "", cell))

    rows = [(side, html.unescape(name), text(a), text(b)) for side, name, a, b in REUSE_ROW.findall(page)]
    assert f"<h2>文本沿用 Policy reuse ({len(mine)})</h2>" in page and len(rows) == len(mine)
    took = [r for r in rows if r[2] == quoted.target.evidence.sentence and r[3] == quoted.source.evidence.sentence]
    assert took and took[0][0] == "took" and took[0][1] == plans[quoted.source.plan][1]
    # the other side of a pair sees it as given away; an undirected pair is shared on both pages
    expected = sorted(("took" if t.target.plan == plan else "gave") if t.directed else "shared" for t in mine)
    assert sorted(r[0] for r in rows) == expected
    # marking: each sentence is cut into runs that rejoin to it, changed runs marked on both sides
    a, b = "加快培育全县新型农业商标品牌", "加快培育全区新型农业商标品牌和示范企业"
    left, right = marked(a, b)
    assert "".join(p.text for p in left) == a and "".join(p.text for p in right) == b
    assert [p.text for p in left if not p.same] == ["县"]
    assert [p.text for p in right if not p.same] == ["区", "和示范企业"]


def test_unknown_iri_is_404(endpoint):
    for accept in ("text/html", "text/turtle"):
        r = httpx.get(f"{endpoint.url}/id/department/000000/没有这个部门", headers={"Accept": accept},
                      follow_redirects=True)
        assert r.status_code == 404
    assert httpx.get(f"{endpoint.url}/data/department/000000/x?format=ttl").status_code == 404


# ---------------------------------------------------------------- landing page and VoID


def test_landing_page_counts_and_examples(endpoint, memory):
    r = httpx.get(endpoint.url + "/")
    assert r.status_code == 200
    n_dept = next(iter(memory.query(f"SELECT (COUNT(?d) AS ?n) WHERE {{ ?d a <{IPKG}Department> }}")))["n"].value
    assert f"{int(n_dept):,}" in r.text and "政府部门" in r.text
    for name in catalogue():
        assert f'data-q="{name}"' in r.text
    assert 'href="/void"' in r.text


def test_void_describes_the_dataset_and_its_dumps(endpoint):
    r = httpx.get(f"{endpoint.url}/void", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    ds = next(g.subjects(rdflib.RDF.type, void.Dataset))
    assert int(g.value(ds, void.triples)) == count(endpoint.url)
    assert int(g.value(ds, void.entities)) > 500 and int(g.value(ds, void.classes)) >= 11
    assert g.value(ds, void.sparqlEndpoint) == rdflib.URIRef(f"{endpoint.url}/sparql")
    dumps = list(g.objects(ds, void.dataDump))
    assert {str(d).rsplit("/", 1)[-1] for d in dumps} == {"kg.ttl", "kg.nt", "kg.jsonld"}
    for d in dumps:
        dump = httpx.get(str(d))
        assert dump.status_code == 200 and len(dump.content) > 1000
    assert len(rdflib.Graph().parse(data=httpx.get(f"{endpoint.url}/dump/kg.nt").text, format="nt")) == count(
        endpoint.url)


def test_non_loopback_host_needs_public_flag(graph_dir):
    out = subprocess.run([sys.executable, "-m", "cli", "serve", "--data", str(graph_dir), "--host", "0.0.0.0"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 2 and "--public" in out.stderr and "Traceback" not in out.stderr


def test_missing_graph_is_a_clear_error(tmp_path):
    out = subprocess.run([sys.executable, "-m", "cli", "serve", "--data", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 1 and "ipkg build" in out.stderr and "Traceback" not in out.stderr


# ---------------------------------------------------------------- a hostile document string


@pytest.fixture(scope="module")
def hostile_endpoint(hostile_graph, tmp_path_factory):
    from loaders.export import write_outputs

    graph, plans = hostile_graph
    out = tmp_path_factory.mktemp("hostile")
    write_outputs(graph, plans, out)
    ep = Endpoint(out)
    try:
        yield ep
    finally:
        ep.stop()


def test_markup_in_a_document_shows_as_text(hostile_endpoint, hostile_iri):
    r = httpx.get(local(hostile_endpoint, hostile_iri), headers={"Accept": "text/html"}, follow_redirects=True)
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "&amp;amp;" in r.text


def test_markup_in_a_responsibility_shows_as_text(hostile_endpoint, hostile_graph, hostile_task_iri):
    graph, _ = hostile_graph
    (department,) = [d for d, _, k in graph.in_edges(hostile_task_iri, keys=True) if k == "RESPONSIBLE_FOR"]
    dept_page = httpx.get(local(hostile_endpoint, department), headers={"Accept": "text/html"},
                          follow_redirects=True).text
    assert ("co", "配合 co", HOSTILE, f"推断 inferred：理由{HOSTILE}") in responsibility_rows(dept_page)
    task_page = httpx.get(local(hostile_endpoint, hostile_task_iri), headers={"Accept": "text/html"},
                          follow_redirects=True).text
    assert responsibility_rows(task_page) == [
        ("co", "配合 co", graph.nodes[department]["qualified_name"], f"推断 inferred：理由{HOSTILE}")]
    for page in (dept_page, task_page):
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ---------------------------------------------------------------- in a real browser


def test_hostile_page_runs_no_script_in_chromium(hostile_endpoint, hostile_iri, chromium_browser):
    page = chromium_browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(local(hostile_endpoint, hostile_iri))
    assert page.inner_text("#label") == HOSTILE
    assert HOSTILE in page.inner_text("#evidence")
    page.screenshot(path=str(ARTIFACTS / "endpoint-hostile-entity.png"), full_page=True)
    page.close()
    assert dialogs == []


def test_landing_page_editor_runs_dept_owners_in_chromium(endpoint, memory, chromium_browser):
    q = catalogue()["dept-owners"]
    expected = ask_sparql(q, memory, q.example_params())
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(endpoint.url + "/")
    page.wait_for_function("window.ipkgEditor !== undefined")
    page.click('a.run[data-q="dept-owners"]')
    page.wait_for_selector(".yasr table tbody tr td", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "endpoint-landing-dept-owners.png"), full_page=True)
    chip = page.inner_text(".yasr .yasr_response_chip")  # e.g. "23 results in 0.037 seconds"
    rows = page.eval_on_selector_all(".yasr table tbody tr", "rs => rs.map(r => r.innerText)")
    page.close()
    assert errors == []
    assert rows and any(str(expected[0][3]) in r for r in rows)  # the first answer's department is on screen
    assert chip.startswith(f"{len(expected)} results")
