"""What every handler of `ipkg serve` reads: the settings, the store, the query workers, the answer cache.

One ``ServerState`` is made per server (at startup, by ``app.create_app``'s lifespan) and hung on
the Starlette app as ``app.state.server``; handlers reach it with ``server(request)``. Tests build one
over a small in-memory store and a stand-in pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import pyoxigraph as ox
from cachetools import LRUCache
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ontology.labels import ontology_labels
from queries.endpoint.describe import short
from queries.endpoint.describe_service import TITLE
from queries.endpoint.pool import QueryPool
from queries.endpoint.results import Outcome
from queries.endpoint.store import DatasetInfo, dataset_info, open_read_only

JobKey = tuple[Any, ...]


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


class Pool(Protocol):
    """What the handlers need of the query workers (``pool.QueryPool``, or a stand-in in tests)."""

    def run(self, **job: Any) -> Outcome: ...

    def close(self) -> None: ...


class ServerState:
    """The store, the query workers, the answer cache, the in-flight table and the settings of one server."""

    def __init__(self, settings: Settings, store: ox.Store, info: DatasetInfo, pool: Pool) -> None:
        self.settings = settings
        self.store = store  # the web process's own read-only handle, for the linked-data pages
        self.info = info
        self.pool = pool
        # The store is read-only for the life of the process, so an answer never goes stale: repeated
        # questions (the landing page's examples, dashboards polling) are served from memory.
        self.answers: LRUCache[JobKey, Outcome] = LRUCache(
            maxsize=max(1, settings.cache_mb) * 1_000_000, getsizeof=lambda o: len(o.body) + 200)
        # identical queries arriving while one is being answered wait for that answer instead of
        # occupying more workers with the same work
        self.inflight: dict[JobKey, asyncio.Future[Outcome]] = {}
        # (answers and inflight are touched only by handlers on the event loop's thread: no lock)
        self.templates = Environment(loader=PackageLoader("queries.endpoint", "templates"),
                                     autoescape=select_autoescape(default=True, default_for_string=True))
        self.templates.globals.update(href=self.href, short=short, labels=ontology_labels(), title=TITLE)

    @classmethod
    def open(cls, settings: Settings) -> ServerState:
        """Open the prepared store read-only and start the query workers (blocks until they are ready)."""
        store = open_read_only(settings.store_dir)
        info = dataset_info(store, settings.data_dir)
        pool = QueryPool(settings.store_dir, settings.workers, settings.time_limit,
                         settings.data_dir / "kg.nt" if settings.in_memory else None)
        return cls(settings, store, info, pool)

    def close(self) -> None:
        """Stop the query workers."""
        self.pool.close()

    def href(self, iri: str) -> str:
        """Where a page links an IRI: this server's /id/ path for the dataset's own entities."""
        if iri.startswith(self.settings.base_iri):
            return "/id/" + quote(iri[len(self.settings.base_iri):])
        return iri

    def html(self, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        """A page rendered from one of the endpoint's templates."""
        return HTMLResponse(self.templates.get_template(name).render(**ctx), status_code=status)

    async def answer(self, job: dict[str, Any]) -> tuple[Outcome, bool]:
        """The outcome of a query job and whether it came from the cache (or from an identical query in flight)."""
        key = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in job.items())
        cached = self.answers.get(key)
        if cached is not None:
            return cached, True
        if key in self.inflight:
            # shielded: a waiter that gives up must not cancel the answer the first asker still awaits
            return await asyncio.shield(self.inflight[key]), True
        self.inflight[key] = asyncio.get_running_loop().create_future()
        try:
            outcome: Outcome = await run_in_threadpool(self.pool.run, **job)
        except BaseException as exc:
            self.inflight.pop(key).set_exception(exc)
            raise
        if outcome.status == 200 and self.settings.cache_mb > 0:
            self.answers[key] = outcome
        self.inflight.pop(key).set_result(outcome)
        return outcome, False


def server(request: Request) -> ServerState:
    """The state of the server that received ``request``."""
    state: ServerState = request.app.state.server
    return state
