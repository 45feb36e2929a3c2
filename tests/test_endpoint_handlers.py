"""`ipkg serve`'s route groups one at a time: each mounted alone over a small in-memory store.

The query workers are stood in for by ``StorePool`` (it answers in the calling thread with the
workers' own ``results.execute``), so these tests need no server process; the last test runs the
whole app with a real worker pool. tests/test_endpoint.py tries the real server end to end.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from starlette.requests import Request
from starlette.testclient import TestClient

from queries.catalogue import catalogue
from queries.endpoint import landing, pages, protocol, void
from queries.endpoint.app import create_app, mount
from queries.endpoint.results import Outcome, execute, refusal
from queries.endpoint.state import ServerState, Settings
from queries.endpoint.store import dataset_info, prepare_store

BASE = "http://example.org/id/"
IPKG = "https://w3id.org/ipkg/ontology#"
DEPT = f"{BASE}department/000000/县市场监督管理局"
TASK = f"{BASE}task/t1"
DATA = f"""
@prefix ipkg: <{IPKG}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BASE}plan/p1> a ipkg:Plan ; rdfs:label "示例规划" ; ipkg:name "示例规划" .
<{DEPT}> a ipkg:Department ; rdfs:label "县市场监督管理局" ; ipkg:responsibleFor <{TASK}> .
<{TASK}> a ipkg:Task ; rdfs:label "加强保护<script>alert(1)</script>" ; ipkg:qualifiedResponsibility <{BASE}r/1> .
<{BASE}r/1> ipkg:responsibleAgent <{DEPT}> ; ipkg:role "lead" ; ipkg:explicit true .
"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


class StorePool:
    """A stand-in for ``pool.QueryPool``: runs each job in the calling thread; ``gate`` holds it until set."""

    def __init__(self, store: ox.Store, gate: threading.Event | None = None) -> None:
        self.store, self.gate = store, gate
        self.jobs: list[dict[str, Any]] = []
        self.started = threading.Event()
        self.closed = False

    def run(self, **job: Any) -> Outcome:
        self.jobs.append(job)
        self.started.set()
        if self.gate is not None:
            self.gate.wait(10)
        return execute(self.store, **job)

    def close(self) -> None:
        self.closed = True


class FixedPool(StorePool):
    """A pool that answers every job with one outcome, or raises ``error``."""

    def __init__(self, store: ox.Store, outcome: Outcome | None = None, error: Exception | None = None) -> None:
        super().__init__(store)
        self.outcome, self.error = outcome, error

    def run(self, **job: Any) -> Outcome:
        self.jobs.append(job)
        if self.error is not None:
            raise self.error
        assert self.outcome is not None
        return self.outcome


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    """A data folder as `ipkg build` leaves it (kg.nt and kg.ttl), holding ``DATA``."""
    store = ox.Store()
    store.load(input=DATA, format=ox.RdfFormat.TURTLE)
    for name, fmt in (("kg.nt", ox.RdfFormat.N_TRIPLES), ("kg.ttl", ox.RdfFormat.TURTLE)):
        store.dump(output=str(tmp_path / name), format=fmt, from_graph=ox.DefaultGraph())
    return tmp_path


@pytest.fixture()
def store(data_dir: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(data_dir / "kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    return store


def make_state(store: ox.Store, data_dir: Path, pool: StorePool | None = None, **settings: Any) -> ServerState:
    config = Settings(data_dir=data_dir, store_dir=data_dir / ".oxigraph", base_iri=BASE, **settings)
    return ServerState(config, store, dataset_info(store, data_dir), pool or StorePool(store))


def client(group: Any, state: ServerState) -> TestClient:
    """A test client of an app that mounts only ``group``'s routes."""
    return TestClient(mount(group.routes(), state=state))


# ---------------------------------------------------------------- protocol: /sparql


def test_get_and_both_posts_answer_through_the_pool_and_the_cache(store, data_dir):
    state = make_state(store, data_dir, row_limit=50)
    http = client(protocol, state)
    got = http.get("/sparql", params={"query": COUNT}, headers=JSON)
    assert got.status_code == 200 and got.headers["x-ipkg-cache"] == "miss"
    assert int(got.json()["results"]["bindings"][0]["n"]["value"]) == len(store)
    form = http.post("/sparql", data={"query": COUNT}, headers=JSON)
    direct = http.post("/sparql", content=COUNT.encode(), headers={**JSON, "Content-Type": "application/sparql-query"})
    assert form.json() == direct.json() == got.json()
    assert [form.headers["x-ipkg-cache"], direct.headers["x-ipkg-cache"]] == ["hit", "hit"]
    assert state.pool.jobs == [{"query": COUNT, "accept": JSON["Accept"], "wanted": None, "row_limit": 50,
                                "default_graphs": None, "named_graphs": None}]


def test_format_and_dataset_parameters_reach_the_job(store, data_dir):
    state = make_state(store, data_dir)
    http = client(protocol, state)
    r = http.post("/sparql?format=csv&named-graph-uri=urn:g", data={"query": COUNT, "default-graph-uri": "urn:d"})
    assert r.status_code == 200 and r.text.splitlines()[0] == "n"
    job = state.pool.jobs[0]
    assert (job["wanted"], job["default_graphs"], job["named_graphs"]) == ("csv", ["urn:d"], ["urn:g"])


@pytest.mark.parametrize(("send", "status", "message"), [
    (lambda h: h.get("/sparql", params={"update": "DROP ALL"}), 403, "read-only"),
    (lambda h: h.post("/sparql", data={"update": "DROP ALL"}), 403, "read-only"),
    (lambda h: h.post("/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}),
     403, "read-only"),
    (lambda h: h.post("/sparql", data={"q": "x"}), 400, "a form POST needs a query= field"),
    (lambda h: h.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D"), 400, "more than one query parameter"),
    (lambda h: h.get("/sparql", params={"query": "ASK " + "{" * 200 + "}" * 200}), 400, "more than 128 levels"),
    (lambda h: h.post("/sparql", content=b"SELECT \xff", headers={"Content-Type": "application/sparql-query"}),
     400, "not UTF-8"),
    (lambda h: h.post("/sparql", content=b"x", headers={"Content-Type": "image/png"}), 415, "application/sparql-query"),
    (lambda h: h.post("/sparql", content=b"#" * 101, headers={"Content-Type": "application/sparql-query"}),
     413, "larger than 100 bytes"),
    (lambda h: h.post("/sparql", content=iter([b"#" * 60, b"#" * 60]),  # no Content-Length: read and cut off
                      headers={"Content-Type": "application/sparql-query"}), 413, "larger than 100 bytes"),
])
def test_requests_refused_before_a_worker(store, data_dir, send, status, message):
    state = make_state(store, data_dir, max_query_bytes=100)
    r = send(client(protocol, state))
    assert r.status_code == status and message in r.text
    assert r.headers["content-type"].startswith("text/plain") and "x-ipkg-cache" not in r.headers
    assert state.pool.jobs == []


def test_update_sent_as_a_query_is_403_after_the_worker_finds_it_no_query(store, data_dir):
    state = make_state(store, data_dir)
    http = client(protocol, state)
    update = http.get("/sparql", params={"query": "DELETE WHERE { ?s ?p ?o }"})
    broken = http.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p "})
    assert update.status_code == 403 and "read-only" in update.text
    assert broken.status_code == 400 and broken.text.startswith("SPARQL syntax error")
    assert len(state.pool.jobs) == 2 and len(store) == 12  # DATA unchanged


def test_only_successful_answers_are_cached(store, data_dir):
    busy = FixedPool(store, refusal(503, "all query workers stayed busy"))
    http = client(protocol, make_state(store, data_dir, busy))
    answers = [http.get("/sparql", params={"query": COUNT}) for _ in range(2)]
    assert [r.status_code for r in answers] == [503, 503] and len(busy.jobs) == 2
    assert "x-ipkg-cache" not in answers[0].headers


def test_no_cache_when_its_size_is_zero(store, data_dir):
    state = make_state(store, data_dir, cache_mb=0)
    http = client(protocol, state)
    answers = [http.get("/sparql", params={"query": COUNT}, headers=JSON) for _ in range(2)]
    assert [r.headers["x-ipkg-cache"] for r in answers] == ["miss", "miss"] and len(state.pool.jobs) == 2


def test_identical_queries_in_flight_share_one_worker(store, data_dir):
    gate = threading.Event()
    state = make_state(store, data_dir, StorePool(store, gate))

    async def both() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=mount(protocol.routes(), state=state))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            first = asyncio.create_task(http.get("/sparql", params={"query": COUNT}, headers=JSON))
            while not state.pool.started.is_set():
                await asyncio.sleep(0.01)
            second = asyncio.create_task(http.get("/sparql", params={"query": COUNT}, headers=JSON))
            await asyncio.sleep(0.2)  # the second reaches the in-flight table and waits there
            gate.set()
            return list(await asyncio.gather(first, second))

    first, second = asyncio.run(both())
    assert (first.headers["x-ipkg-cache"], second.headers["x-ipkg-cache"]) == ("miss", "hit")
    assert first.content == second.content and len(state.pool.jobs) == 1 and state.inflight == {}


def test_a_failing_pool_leaves_nothing_in_flight(store, data_dir):
    state = make_state(store, data_dir, FixedPool(store, error=RuntimeError("worker pool broken")))
    with pytest.raises(RuntimeError, match="worker pool broken"):
        client(protocol, state).get("/sparql", params={"query": COUNT})
    assert state.inflight == {} and len(state.answers) == 0


def test_get_without_a_query_is_the_service_description(store, data_dir):
    r = client(protocol, make_state(store, data_dir)).get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    # the server's configured address (here: from the base IRI), never the request's Host
    assert g.value(next(g.subjects(rdflib.RDF.type, sd.Service)), sd.endpoint) == rdflib.URIRef(
        "http://example.org/sparql")


# ---------------------------------------------------------------- linked-data pages: /id /page /data /viz


@pytest.mark.parametrize(("accept", "where"), [
    ("text/html", "/page/"), ("text/turtle", "/data/{}?format=ttl"), ("application/ld+json", "/data/{}?format=jsonld"),
    ("text/plain", "/data/{}?format=nt"), ("application/rdf+xml", "/data/{}?format=rdfxml"),
])
def test_an_iri_is_303_by_accept(store, data_dir, accept, where):
    http = client(pages, make_state(store, data_dir))
    r = http.get(DEPT.removeprefix("http://example.org"), headers={"Accept": accept}, follow_redirects=False)
    path = httpx.URL(DEPT).raw_path.decode().removeprefix("/id/")
    assert r.status_code == 303 and "Accept" in r.headers["vary"]
    assert r.headers["location"] == (where.format(path) if "{}" in where else where + path)


def test_unknown_or_unacceptable_entity_requests(store, data_dir):
    http = client(pages, make_state(store, data_dir, picture=lambda iri: "<p>picture</p>"))
    for path in ("/id/nothing", "/page/nothing", "/viz/nothing"):
        r = http.get(path)
        assert r.status_code == 404 and "No entity in this dataset" in r.text, path
    data = http.get("/data/nothing?format=ttl")
    assert data.status_code == 404 and data.text == f"no entity {BASE}nothing in this dataset\n"
    assert http.get("/id/plan/p1", headers={"Accept": "image/png"}).status_code == 406
    png = http.get("/data/plan/p1?format=png")
    assert png.status_code == 406 and png.text.startswith("available as: text/turtle")


def test_page_shows_the_entity_escaped_and_links_its_data(store, data_dir):
    http = client(pages, make_state(store, data_dir))
    r = http.get("/page/task/t1")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "<script>alert" not in r.text
    assert 'href="/data/task/t1?format=ttl"' in r.text and 'id="picture"' not in r.text
    assert 'data-role="lead"' in r.text  # its responsibility, linked to the department's /id/ path
    assert f'href="/id/{httpx.URL(DEPT).raw_path.decode().removeprefix("/id/")}"' in r.text


def test_data_is_the_bounded_description(store, data_dir):
    http = client(pages, make_state(store, data_dir))
    ttl = http.get("/data/task/t1?format=ttl")
    assert ttl.headers["content-type"].startswith("text/turtle") and "Accept" in ttl.headers["vary"]
    g = rdflib.Graph().parse(data=ttl.text, format="turtle")
    assert (rdflib.URIRef(DEPT), rdflib.URIRef(f"{IPKG}responsibleFor"), rdflib.URIRef(TASK)) in g
    nt = http.get("/data/task/t1", headers={"Accept": "application/n-triples"})
    assert len(rdflib.Graph().parse(data=nt.text, format="nt")) == len(g)


def test_picture_only_when_the_server_has_a_picture_maker(store, data_dir):
    drawn: list[str] = []
    state = make_state(store, data_dir, picture=lambda iri: drawn.append(iri) or f"<p>{iri}</p>")
    http = client(pages, state)
    assert 'id="picture" href="/viz/task/t1"' in http.get("/page/task/t1").text
    r = http.get("/viz/task/t1")
    assert r.status_code == 200 and r.text == f"<p>{TASK}</p>" and drawn == [TASK]
    assert client(pages, make_state(store, data_dir)).get("/viz/task/t1").status_code == 404


# ---------------------------------------------------------------- VoID and dumps


def test_void_counts_the_store_and_lists_the_dumps(store, data_dir):
    r = client(void, make_state(store, data_dir)).get("/void", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    vd = rdflib.Namespace("http://rdfs.org/ns/void#")
    ds = next(g.subjects(rdflib.RDF.type, vd.Dataset))
    assert int(g.value(ds, vd.triples)) == len(store) and str(g.value(ds, vd.uriSpace)) == BASE
    assert {str(d) for d in g.objects(ds, vd.dataDump)} == {"http://example.org/dump/kg.nt",
                                                           "http://example.org/dump/kg.ttl"}


def test_void_by_format_name_or_406(store, data_dir):
    http = client(void, make_state(store, data_dir))
    assert http.get("/void?format=jsonld").headers["content-type"] == "application/ld+json"
    refused = http.get("/void", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "text/turtle" in refused.text


def test_dumps_by_name_only(store, data_dir):
    http = client(void, make_state(store, data_dir))
    nt = http.get("/dump/kg.nt")
    assert nt.status_code == 200 and nt.headers["content-type"] == "application/n-triples"
    assert nt.content == (data_dir / "kg.nt").read_bytes()
    missing = http.get("/dump/kg.jsonld")
    assert missing.status_code == 404 and missing.text == "no dump kg.jsonld; there are: kg.ttl, kg.nt\n"


def test_a_handler_called_with_a_constructed_request(store, data_dir):
    app = mount([], state=make_state(store, data_dir))
    scope = {"type": "http", "method": "GET", "path": "/dump/x.txt", "path_params": {"name": "x.txt"},
             "query_string": b"", "headers": [], "app": app}
    r = asyncio.run(void.dump(Request(scope)))
    assert r.status_code == 404 and r.body.startswith(b"no dump x.txt")


# ---------------------------------------------------------------- landing page


def test_landing_page_counts_classes_and_offers_every_question(store, data_dir):
    http = client(landing, make_state(store, data_dir))
    r = http.get("/")
    assert r.status_code == 200 and f"{len(store):,} 三元组 triples" in r.text and BASE in r.text
    assert all(f'data-q="{name}"' in r.text for name in catalogue())
    assert r.text.count('data-q="class-') == 3  # Plan, Department, Task
    assert http.get("/static/style.css").status_code == 200


# ---------------------------------------------------------------- the whole app, real query workers


def test_create_app_opens_the_state_at_startup_and_closes_it(data_dir):
    settings = Settings(data_dir=data_dir, store_dir=prepare_store(data_dir), base_iri=BASE, workers=1)
    app = create_app(settings)
    with TestClient(app) as http:
        state = app.state.server
        assert isinstance(state, ServerState) and state.info.triples == 12
        assert http.get("/sparql", params={"query": COUNT}, headers=JSON).json()["results"]["bindings"][0]["n"][
            "value"] == "12"
        assert http.get("/id/plan/p1", follow_redirects=False).status_code == 303
        assert http.get("/").status_code == 200 and http.get("/void").status_code == 200
        workers = list(state.pool._all)
    assert workers and not any(w.process.is_alive() for w in workers)
