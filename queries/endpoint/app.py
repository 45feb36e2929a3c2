"""The HTTP service of `ipkg serve` (Starlette on uvicorn): SPARQL protocol, linked-data pages, VoID.

Routes, one module per group (each handler reads the server's state from ``request.app.state.server``)
  /                 landing.py: the dataset, counts per class, example questions, query editor; /static
  /sparql           protocol.py: SPARQL 1.1 Protocol (query only; updates get 403); no query = Service Description
  /void /dump/NAME  void.py: VoID description of the dataset, and the data dumps
  /id/…             pages.py: an entity IRI, 303 to /page/… (HTML) or /data/…?format=… (RDF) by Accept;
  /page/… /data/…   the entity's HTML page and its RDF description (404 for unknown IRIs);
  /viz/…            the entity's neighbourhood picture, when a picture maker was given
The state (store, query workers, answer cache, settings) is state.py's ``ServerState``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute

from queries.endpoint import landing, pages, protocol, void
from queries.endpoint.state import ServerState, Settings

__all__ = ["GROUPS", "ServerState", "Settings", "create_app", "mount"]

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]
# each route group's routes, as mounted by create_app
GROUPS: tuple[Callable[[], list[BaseRoute]], ...] = (landing.routes, protocol.routes, void.routes, pages.routes)
# the data is public and read-only: any web page may query it
CORS = Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["*"],
                  expose_headers=["Content-Type"])


def create_app(settings: Settings) -> Starlette:
    """The ASGI application over a prepared store (see ``store.prepare_store``): every route group, with
    the server's state opened at startup and closed at shutdown."""
    return mount([route for group in GROUPS for route in group()], lifespan=_lifespan(settings))


def mount(routes: list[BaseRoute], *, state: ServerState | None = None, lifespan: Lifespan | None = None) -> Starlette:
    """An app serving ``routes`` over ``state`` (attached now) or the state ``lifespan`` attaches at startup."""
    app = Starlette(routes=routes, middleware=[CORS], lifespan=lifespan)
    if state is not None:
        app.state.server = state
    return app


def _lifespan(settings: Settings) -> Lifespan:
    """Open the server's state before the first request and stop its query workers at shutdown."""
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # the query workers take a while to start (each may load the whole graph): off the event loop
        state = await run_in_threadpool(ServerState.open, settings)
        app.state.server = state
        try:
            yield
        finally:
            state.close()

    return lifespan
