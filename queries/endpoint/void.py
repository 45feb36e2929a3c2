"""The dataset as a whole: its VoID description (/void) and the data dumps (/dump/NAME)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from queries.endpoint.describe_service import void_graph
from queries.endpoint.replies import rdf_reply
from queries.endpoint.state import server
from queries.endpoint.store import DUMP_TYPES


async def void(request: Request) -> Response:
    """/void: the VoID description, with absolute URLs on the server's configured address (never the client's Host
    header: a forged one would end up in descriptions that caches and crawlers keep)."""
    state = server(request)
    return rdf_reply(request, void_graph(state.info, state.settings.root, state.settings.base_iri))


async def dump(request: Request) -> Response:
    """/dump/NAME: one of the files `ipkg build` wrote beside the graph (only those, by name)."""
    dumps = server(request).info.dumps
    name = request.path_params["name"]
    if name not in dumps:
        return PlainTextResponse(f"no dump {name}; there are: {', '.join(dumps)}\n", status_code=404)
    return FileResponse(dumps[name], media_type=DUMP_TYPES[name], filename=name)


def routes() -> list[BaseRoute]:
    """The VoID and dump routes."""
    return [Route("/void", void), Route("/dump/{name}", dump)]
