"""Linked-data pages: an entity IRI (/id/…) answers 303 to its HTML page (/page/…) or its RDF (/data/…).

Every handler here is for one entity of the dataset, ``base_iri`` + the rest of the path; an IRI the
store does not hold is a 404 before anything else is looked at.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from urllib.parse import quote

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from queries.endpoint import describe as desc
from queries.endpoint.replies import not_acceptable
from queries.endpoint.results import GRAPH_TYPES, PREFIXES, negotiate
from queries.endpoint.state import ServerState, server

# what /id/… negotiates: the page, or the RDF formats (plain JSON is left to /sparql, which means results by it)
ENTITY_FORMATS = {"text/html": None, **{m: f for m, f in GRAPH_TYPES.items() if m not in ("application/json",)}}
DATA_FORMATS = {m: f for m, f in ENTITY_FORMATS.items() if f is not None}
# the short `format=` names of /data/… links (in the order the page lists them)
FORMAT_NAMES = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
                "rdfxml": "application/rdf+xml"}
_SHORT_NAME = {media: name for name, media in FORMAT_NAMES.items()}

EntityHandler = Callable[[Request, ServerState, str], Awaitable[Response]]


def entity(plain_404: bool = False) -> Callable[[EntityHandler], Callable[[Request], Awaitable[Response]]]:
    """Make a handler of one known entity: it gets the state and the IRI; unknown IRIs get a 404 page
    (plain text with ``plain_404``, for clients that asked for data)."""

    def wrap(handler: EntityHandler) -> Callable[[Request], Awaitable[Response]]:
        @wraps(handler)
        async def known(request: Request) -> Response:
            state = server(request)
            iri = state.settings.base_iri + request.path_params["rest"]
            if not valid_iri(iri) or not await run_in_threadpool(desc.exists, state.store, iri):
                return not_found(state, iri, plain_404)
            return await handler(request, state, iri)

        return known

    return wrap


def valid_iri(iri: str) -> bool:
    """Whether a path made an IRI (a NUL, a control character or a broken %-escape in it makes none)."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def not_found(state: ServerState, iri: str, plain: bool = False) -> Response:
    """404 for an entity: a page, or ``plain`` text."""
    if plain:
        return PlainTextResponse(f"no entity {iri} in this dataset\n", status_code=404)
    return state.html("not_found.html", status=404, iri=iri)


@entity()
async def dereference(request: Request, state: ServerState, iri: str) -> Response:
    """/id/…: 303 to the page or the data, by Accept."""
    media = negotiate(request.headers.get("accept", "*/*"), ENTITY_FORMATS)
    if media is None:
        return not_acceptable(ENTITY_FORMATS)
    path = quote(request.path_params["rest"])
    if media == "text/html":
        where = f"/page/{path}"
    else:  # text/plain is N-Triples too
        where = f"/data/{path}?format={_SHORT_NAME.get(media, 'nt')}"
    return RedirectResponse(where, status_code=303, headers={"Vary": "Accept"})


@entity()
async def page(request: Request, state: ServerState, iri: str) -> Response:
    """/page/…: the entity's HTML page."""
    e = await run_in_threadpool(desc.entity, state.store, iri)
    path = quote(request.path_params["rest"])
    picture = f"/viz/{path}" if state.settings.picture else None
    data_links = {name: f"/data/{path}?format={name}" for name in FORMAT_NAMES}
    return state.html("entity.html", e=e, picture=picture, data_links=data_links)


@entity(plain_404=True)
async def data(request: Request, state: ServerState, iri: str) -> Response:
    """/data/…: the entity's bounded description as RDF, by ``format=`` or Accept."""
    media = negotiate(request.headers.get("accept", "*/*"), DATA_FORMATS, request.query_params.get("format"))
    if media is None:
        return not_acceptable(DATA_FORMATS)
    triples = await run_in_threadpool(desc.describe, state.store, iri)
    fmt = GRAPH_TYPES[media]
    body = ox.serialize(triples, format=fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TURTLE else None)
    return Response(body, media_type=media, headers={"Vary": "Accept"})


@entity()
async def viz(request: Request, state: ServerState, iri: str) -> Response:
    """/viz/…: the entity's neighbourhood picture, when the server was given a picture maker."""
    if state.settings.picture is None:
        return not_found(state, iri)
    return HTMLResponse(await run_in_threadpool(state.settings.picture, iri))


def routes() -> list[BaseRoute]:
    """The linked-data routes."""
    return [
        Route("/id/{rest:path}", dereference),
        Route("/page/{rest:path}", page),
        Route("/data/{rest:path}", data),
        Route("/viz/{rest:path}", viz),
    ]
