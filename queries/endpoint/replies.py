"""Responses more than one route group gives: a query outcome, a 406, an rdflib graph by negotiation."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph
from starlette.requests import Request
from starlette.responses import Response

from queries.endpoint.describe_service import RDFLIB_FORMATS
from queries.endpoint.results import Outcome, negotiate, refusal


def reply(outcome: Outcome, cached: bool = False) -> Response:
    """An outcome as a response; a successful one says whether it came from the answer cache."""
    headers = {"X-Ipkg-Cache": "hit" if cached else "miss"} if outcome.status == 200 else None
    return Response(outcome.body, status_code=outcome.status, media_type=outcome.media_type, headers=headers)


def not_acceptable(offered: Iterable[str]) -> Response:
    """406, listing the media types the client could have asked for."""
    return reply(refusal(406, "available as: " + ", ".join(offered)))


def rdf_reply(request: Request, graph: Graph) -> Response:
    """An rdflib graph in the format asked for by ``format=`` (a short name or media type) or by Accept."""
    media = negotiate(request.headers.get("accept", "*/*"), RDFLIB_FORMATS, request.query_params.get("format"))
    if media is None:
        return not_acceptable(RDFLIB_FORMATS)
    body = graph.serialize(format=RDFLIB_FORMATS[media], encoding="utf-8")
    return Response(body, media_type=media, headers={"Vary": "Accept"})
