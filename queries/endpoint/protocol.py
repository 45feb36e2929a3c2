"""The SPARQL 1.1 Protocol at /sparql: queries by GET and both POST forms, updates refused, limits.

A request is checked here (size, encoding, content type, one query, dataset IRIs, then the query's text by
``guard.check``, in a thread: SERVICE, nesting, operators, patterns, terms) before it costs a query worker; a
client address has at most ``per_client`` queries in hand at once. What a worker answers is cached by
``ServerState.answer``.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pyoxigraph as ox
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from queries.endpoint.describe_service import service_graph
from queries.endpoint.guard import Refusal, check, is_update
from queries.endpoint.replies import rdf_reply, reply
from queries.endpoint.results import refusal
from queries.endpoint.state import ServerState, server

Params = dict[str, list[str]]
READ_ONLY = "SPARQL updates are refused: this endpoint is read-only"


class Refused(Exception):
    """A request turned away before it reaches a query worker (``sparql`` answers with the refusal)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


async def sparql(request: Request) -> Response:
    """GET or POST /sparql: a query's answer, the Service Description, or a refusal."""
    url_params = parse_qs(request.url.query, keep_blank_values=True)
    try:
        if request.method == "GET":
            return await _get(request, url_params)
        return await _post(request, url_params)
    except Refused as exc:
        return reply(refusal(exc.status, exc.message))


async def _get(request: Request, url_params: Params) -> Response:
    """A GET: the query in the URL, or the Service Description when there is none."""
    if "update" in url_params:
        raise Refused(403, READ_ONLY)
    if "query" not in url_params:
        if wants_page(request):
            return RedirectResponse("/#editor", status_code=303)
        return service_description(request)
    return await _query(request, url_params["query"][0], url_params)


async def _post(request: Request, url_params: Params) -> Response:
    """A POST: the query as a form field or as the whole body, by content type (URL parameters still count)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/sparql-update":
        raise Refused(403, READ_ONLY)
    text = await _text(request, server(request).settings.max_query_bytes)
    if ctype == "application/x-www-form-urlencoded":
        form = parse_qs(text, keep_blank_values=True)
        if "update" in form:
            raise Refused(403, READ_ONLY)
        if "query" not in form:
            raise Refused(400, "a form POST needs a query= field")
        return await _query(request, form["query"][0], {**url_params, **form})
    if ctype == "application/sparql-query":
        return await _query(request, text, url_params)
    raise Refused(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded")


async def _text(request: Request, limit: int) -> str:
    """The request body as text, refused once it passes ``limit`` bytes (without reading the rest)."""
    too_large = Refused(413, f"the request is larger than {limit:,} bytes, the endpoint's limit for a query")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
    except ClientDisconnect:  # the client left (or was cut off for sending too slowly)
        raise Refused(400, "the request body did not arrive") from None
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the request body is not UTF-8") from None


async def _query(request: Request, text: str, params: Params) -> Response:
    """Answer one query (``params``: the protocol's parameters) from the cache or a query worker.

    Raises ``Refused`` for a query that is not worth a worker's time.
    """
    if len(params.get("query", [])) > 1:
        raise Refused(400, "more than one query parameter")
    state = server(request)
    client = request.client.host if request.client else ""
    refused = state.admit(client)
    if refused is not None:
        return reply(refused)
    try:
        return await _answer(request, state, text, params)
    finally:
        state.release(client)


async def _answer(request: Request, state: ServerState, text: str, params: Params) -> Response:
    """A query admitted: its text checked off the event loop, then answered."""
    try:
        await state.check(check, text, state.settings.allowed_services)
    except Refusal as exc:
        if await state.check(is_update, text):  # an update too large to check is still an update
            raise Refused(403, READ_ONLY) from None
        raise Refused(400, f"query refused: {exc}") from None
    job = {"query": text, "accept": request.headers.get("accept", "*/*"),
           "wanted": (params.get("format") or [None])[0], "row_limit": state.settings.row_limit,
           "default_graphs": _graphs(params, "default-graph-uri"), "named_graphs": _graphs(params, "named-graph-uri")}
    outcome, cached = await state.answer(job, request.client.host if request.client else "")
    if cached:
        return reply(outcome, cached=True)
    # the engine only knows the text is not a query: tell an update apart, to say why it is refused
    if outcome.status == 400 and await state.check(is_update, text):
        outcome = refusal(403, READ_ONLY)
    return reply(outcome)


def _graphs(params: Params, name: str) -> list[str] | None:
    """The IRIs of a dataset parameter, each checked to be an IRI."""
    iris = params.get(name)
    for iri in iris or []:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise Refused(400, f"{name} {iri!r} is not an IRI") from None
    return iris


def wants_page(request: Request) -> bool:
    """Whether the client is a browser asking for a page (text/html preferred to every RDF and results type):
    /sparql without a query then sends it to the landing page's query editor."""
    import mimeparse

    accept = request.headers.get("accept", "")
    if "text/html" not in accept:
        return False
    try:
        best = mimeparse.best_match(["application/rdf+xml", "text/turtle", "application/n-triples",
                                     "application/ld+json", "text/html"], accept)
    except ValueError:
        return False
    return best == "text/html"


def service_description(request: Request) -> Response:
    """The SPARQL 1.1 Service Description of /sparql (a GET without a query)."""
    state = server(request)
    return rdf_reply(request, service_graph(state.info, state.settings.root))


def routes() -> list[BaseRoute]:
    """The protocol's one route."""
    return [Route("/sparql", sparql, methods=["GET", "POST"])]
