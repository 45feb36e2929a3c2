"""The HTTP service of `ipkg serve` (Starlette on uvicorn): SPARQL protocol, linked-data pages, VoID.

Routes
  /                 landing page: the dataset, counts per class, example questions, query editor
  /sparql           SPARQL 1.1 Protocol (query only; updates get 403); no query = Service Description
  /void             VoID description of the dataset; /dump/NAME the data dumps
  /id/…             an entity IRI: 303 to /page/… (HTML) or /data/…?format=… (RDF), by Accept
  /page/… /data/…   the entity's HTML page and its RDF description; 404 for unknown IRIs
  /viz/…            the entity's neighbourhood picture, when a picture maker was given
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

import pyoxigraph as ox
from cachetools import LRUCache
from jinja2 import Environment, PackageLoader, select_autoescape
from rdflib.plugins.sparql.parser import parseUpdate
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ontology.iri import ONTOLOGY_IRI
from ontology.labels import ontology_labels
from queries.catalogue import catalogue
from queries.endpoint import describe as desc
from queries.endpoint.describe_service import RDFLIB_FORMATS, TITLE, service_graph, void_graph
from queries.endpoint.guard import MAX_NESTING, nesting_depth
from queries.endpoint.pool import QueryPool
from queries.endpoint.results import GRAPH_TYPES, PREFIXES, Outcome, negotiate, refusal
from queries.endpoint.store import DUMP_TYPES, DatasetInfo, dataset_info, open_read_only
from queries.engines import bind_sparql

log = logging.getLogger("ipkg.serve")
HERE = Path(__file__).resolve().parent
# the query editor: @zazuko/yasgui from the npm registry, installed by `make setup` (see web/package.json)
YASGUI_DIR = HERE / "web" / "node_modules" / "@zazuko" / "yasgui" / "build"
ENTITY_FORMATS = {"text/html": None, **{m: f for m, f in GRAPH_TYPES.items() if m not in ("application/json",)}}
FORMAT_NAMES = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
                "rdfxml": "application/rdf+xml"}
# an update's keywords: only a text that fails to parse as a query and has one is tried as an update
_UPDATE_WORD = re.compile(r"\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b", re.IGNORECASE)
_MAX_UPDATE_CHECK = 100_000


@dataclass(frozen=True)
class Settings:
    """How the service runs (the `ipkg serve` options)."""

    data_dir: Path
    store_dir: Path
    base_iri: str
    time_limit: float = 30.0
    row_limit: int = 100_000
    workers: int = 2
    max_query_bytes: int = 1_000_000
    cache_mb: int = 256  # answers kept for repeated queries (the store never changes while serving)
    in_memory: bool = True  # query workers hold the graph in memory (faster) rather than read the disk store
    picture: Callable[[str], str] | None = None  # entity IRI -> neighbourhood HTML (from viz/, if given)


class Body413(Exception):
    pass


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused once it passes ``limit`` bytes (without reading the rest)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Body413
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Body413
        chunks.append(chunk)
    return b"".join(chunks)


def _is_update(text: str) -> bool:
    if len(text) > _MAX_UPDATE_CHECK or not _UPDATE_WORD.search(text):
        return False
    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


def create_app(settings: Settings) -> Starlette:
    """The ASGI application over a prepared store (see ``store.prepare_store``)."""
    templates = Environment(loader=PackageLoader("queries.endpoint", "templates"),
                            autoescape=select_autoescape(default=True, default_for_string=True))
    state: dict[str, Any] = {}
    # The store is read-only for the life of the process, so an answer never goes stale: repeated
    # questions (the landing page's examples, dashboards polling) are served from memory.
    answers: LRUCache[tuple[Any, ...], Outcome] = LRUCache(
        maxsize=max(1, settings.cache_mb) * 1_000_000, getsizeof=lambda o: len(o.body) + 200)
    # (both are touched only by handlers on the event loop's thread, so they need no lock)
    # identical queries arriving while one is being answered wait for that answer instead of
    # occupying more workers with the same work
    inflight: dict[tuple[Any, ...], asyncio.Future[Outcome]] = {}

    @asynccontextmanager
    async def lifespan(_app: Starlette):  # type: ignore[no-untyped-def]
        store = open_read_only(settings.store_dir)
        state["store"] = store
        state["info"] = dataset_info(store, settings.data_dir)
        state["pool"] = await run_in_threadpool(
            QueryPool, settings.store_dir, settings.workers, settings.time_limit,
            settings.data_dir / "kg.nt" if settings.in_memory else None)
        try:
            yield
        finally:
            state["pool"].close()

    def store() -> ox.Store:
        return state["store"]

    def info() -> DatasetInfo:
        return state["info"]

    def root(request: Request) -> str:
        return str(request.base_url)

    def href(iri: str) -> str:
        if iri.startswith(settings.base_iri):
            return "/id/" + quote(iri[len(settings.base_iri):])
        return iri

    templates.globals.update(href=href, short=desc.short, labels=ontology_labels(), title=TITLE)

    def html(name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        return HTMLResponse(templates.get_template(name).render(**ctx), status_code=status)

    # ------------------------------------------------------------ SPARQL protocol

    async def run_query(request: Request, text: str, params: dict[str, list[str]]) -> Response:
        if len(params.get("query", [])) > 1:
            return _reply(refusal(400, "more than one query parameter"))
        depth = nesting_depth(text) if len(text) < 10_000 else await run_in_threadpool(nesting_depth, text)
        if depth > MAX_NESTING:
            return _reply(refusal(400, f"the query nests more than {MAX_NESTING} levels deep"))
        job = {"query": text, "accept": request.headers.get("accept", "*/*"),
               "wanted": (params.get("format") or [None])[0], "row_limit": settings.row_limit,
               "default_graphs": params.get("default-graph-uri"), "named_graphs": params.get("named-graph-uri")}
        key = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in job.items())
        cached = answers.get(key)
        if cached is not None:
            return _reply(cached, cached=True)
        if key in inflight:
            return _reply(await asyncio.shield(inflight[key]), cached=True)
        inflight[key] = asyncio.get_running_loop().create_future()
        try:
            outcome = await run_in_threadpool(state["pool"].run, **job)
        except BaseException as exc:
            inflight.pop(key).set_exception(exc)
            raise
        if outcome.status == 200 and settings.cache_mb > 0:
            answers[key] = outcome
        inflight.pop(key).set_result(outcome)
        if outcome.status == 400 and await run_in_threadpool(_is_update, text):
            outcome = refusal(403, "SPARQL updates are refused: this endpoint is read-only")
        return _reply(outcome)

    async def sparql(request: Request) -> Response:
        url_params = parse_qs(request.url.query, keep_blank_values=True)
        if request.method == "GET":
            if "update" in url_params:
                return _reply(refusal(403, "SPARQL updates are refused: this endpoint is read-only"))
            if "query" not in url_params:
                return describe_service(request)
            return await run_query(request, url_params["query"][0], url_params)
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/sparql-update":
            return _reply(refusal(403, "SPARQL updates are refused: this endpoint is read-only"))
        try:
            body = await _body(request, settings.max_query_bytes)
        except Body413:
            return _reply(refusal(413, f"the request is larger than {settings.max_query_bytes:,} bytes, "
                                       "the endpoint's limit for a query"))
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return _reply(refusal(400, "the request body is not UTF-8"))
        if ctype == "application/x-www-form-urlencoded":
            form = parse_qs(text, keep_blank_values=True)
            if "update" in form:
                return _reply(refusal(403, "SPARQL updates are refused: this endpoint is read-only"))
            if "query" not in form:
                return _reply(refusal(400, "a form POST needs a query= field"))
            params = {**url_params, **form}
            return await run_query(request, form["query"][0], params)
        if ctype == "application/sparql-query":
            return await run_query(request, text, url_params)
        return _reply(refusal(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded"))

    def rdf_reply(request: Request, graph: Any) -> Response:
        wanted = request.query_params.get("format")
        media = negotiate(request.headers.get("accept", "*/*"), RDFLIB_FORMATS,
                          FORMAT_NAMES.get(wanted, wanted) if wanted else None)
        if media is None:
            return _reply(refusal(406, "available as: " + ", ".join(RDFLIB_FORMATS)))
        body = graph.serialize(format=RDFLIB_FORMATS[media], encoding="utf-8")
        return Response(body, media_type=media, headers={"Vary": "Accept"})

    def describe_service(request: Request) -> Response:
        return rdf_reply(request, service_graph(info(), root(request)))

    async def void(request: Request) -> Response:
        return rdf_reply(request, void_graph(info(), root(request), settings.base_iri))

    async def dump(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in info().dumps:
            return PlainTextResponse(f"no dump {name}; there are: {', '.join(info().dumps)}\n", status_code=404)
        return FileResponse(info().dumps[name], media_type=DUMP_TYPES[name], filename=name)

    # ------------------------------------------------------------ linked-data pages

    def entity_iri(request: Request) -> str:
        return settings.base_iri + request.path_params["rest"]

    async def dereference(request: Request) -> Response:
        iri = entity_iri(request)
        if not await run_in_threadpool(desc.exists, store(), iri):
            return not_found(iri)
        media = negotiate(request.headers.get("accept", "*/*"), ENTITY_FORMATS)
        if media is None:
            return _reply(refusal(406, "available as: " + ", ".join(ENTITY_FORMATS)))
        path = quote(request.path_params["rest"])
        if media == "text/html":
            where = f"/page/{path}"
        else:
            short = {v: k for k, v in FORMAT_NAMES.items()}.get(media, "nt")
            where = f"/data/{path}?format={short}"
        return RedirectResponse(where, status_code=303, headers={"Vary": "Accept"})

    async def page(request: Request) -> Response:
        iri = entity_iri(request)
        if not await run_in_threadpool(desc.exists, store(), iri):
            return not_found(iri)
        e = await run_in_threadpool(desc.entity, store(), iri)
        picture = f"/viz/{quote(request.path_params['rest'])}" if settings.picture else None
        data_links = {k: f"/data/{quote(request.path_params['rest'])}?format={k}" for k in FORMAT_NAMES}
        return html("entity.html", e=e, picture=picture, data_links=data_links)

    async def data(request: Request) -> Response:
        iri = entity_iri(request)
        if not await run_in_threadpool(desc.exists, store(), iri):
            return not_found(iri, plain=True)
        wanted = request.query_params.get("format")
        offered = {m: f for m, f in ENTITY_FORMATS.items() if f is not None}
        media = negotiate(request.headers.get("accept", "*/*"), offered,
                          FORMAT_NAMES.get(wanted, wanted) if wanted else None)
        if media is None:
            return _reply(refusal(406, "available as: " + ", ".join(offered)))
        triples = await run_in_threadpool(desc.describe, store(), iri)
        fmt = GRAPH_TYPES[media]
        body = ox.serialize(triples, format=fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TURTLE else None)
        return Response(body, media_type=media, headers={"Vary": "Accept"})

    async def viz(request: Request) -> Response:
        iri = entity_iri(request)
        if settings.picture is None or not await run_in_threadpool(desc.exists, store(), iri):
            return not_found(iri)
        return HTMLResponse(await run_in_threadpool(settings.picture, iri))

    def not_found(iri: str, plain: bool = False) -> Response:
        if plain:
            return PlainTextResponse(f"no entity {iri} in this dataset\n", status_code=404)
        return html("not_found.html", status=404, iri=iri)

    # ------------------------------------------------------------ landing page

    async def landing(request: Request) -> Response:
        examples = []
        for q in catalogue().values():
            params = q.example_params()
            examples.append({"name": q.name, "zh": q.zh, "en": q.en,
                             "params": {k: v for k, v in params.items() if v is not None},
                             "query": bind_sparql(q.sparql, params)})
        labels = ontology_labels()
        classes = [{"iri": c, "zh": labels.get(c, (desc.short(c), ""))[0], "en": labels.get(c, ("", ""))[1], "n": n,
                    "query": f"PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                             f"SELECT ?entity ?label WHERE {{ ?entity a <{c}> ; rdfs:label ?label }}\n"
                             "ORDER BY ?label LIMIT 500"}
                   for c, n in info().classes.items() if c.startswith(ONTOLOGY_IRI)]
        queries = {q["name"]: q["query"] for q in examples} | {f"class-{i}": c["query"] for i, c in enumerate(classes)}
        return html("landing.html", info=info(), classes=classes, examples=examples, queries=queries,
                    editor=YASGUI_DIR.is_dir(), base_iri=settings.base_iri)

    routes = [
        Route("/", landing),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/void", void),
        Route("/dump/{name}", dump),
        Route("/id/{rest:path}", dereference),
        Route("/page/{rest:path}", page),
        Route("/data/{rest:path}", data),
        Route("/viz/{rest:path}", viz),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    if YASGUI_DIR.is_dir():
        routes.append(Mount("/yasgui", StaticFiles(directory=YASGUI_DIR), name="yasgui"))
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                             allow_headers=["*"], expose_headers=["Content-Type"])]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def _reply(outcome: Outcome, cached: bool = False) -> Response:
    headers = {"X-Ipkg-Cache": "hit" if cached else "miss"} if outcome.status == 200 else None
    return Response(outcome.body, status_code=outcome.status, media_type=outcome.media_type, headers=headers)
