"""What every handler of `ipkg serve` reads: the settings, the store, the query workers, the answer cache.

One ``ServerState`` is made per server (at startup, by ``app.create_app``'s lifespan) and hung on
the Starlette app as ``app.state.server``; handlers reach it with ``server(request)``. Tests build one
over a small in-memory store and a stand-in pool.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

import pyoxigraph as ox
from cachetools import LRUCache
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ontology.labels import ontology_labels
from queries.endpoint.describe import short
from queries.endpoint.describe_service import TITLE
from queries.endpoint.pool import QueryPool
from queries.endpoint.results import Outcome, refusal
from queries.endpoint.store import DatasetInfo, dataset_info, open_read_only

T = TypeVar("T")
# what a cached answer costs besides its body: its key (a 32-byte digest), the Outcome, the cache's bookkeeping
ENTRY_OVERHEAD = sys.getsizeof(b"0" * 32) + sys.getsizeof(Outcome(200, "", b"")) + 256


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
    root_url: str = ""  # the server's public address, for VoID and the Service Description ("": from base_iri)
    allowed_services: frozenset[str] = frozenset()  # SERVICE endpoints a query may reach (none: no federation)
    worker_mb: int | None = None  # memory of a query worker (None: see worker_limit; 0: no cap)
    quick_limit: float = 2.0  # seconds a query may take on the reserved lane (0: no reserved lane)
    per_client: int = 8  # queries from one client address being checked, waiting or answered at once
    queue: int = 64  # queries waiting for a worker, beyond those being answered

    @property
    def root(self) -> str:
        """The server's address as VoID and the Service Description give it (never the request's Host header)."""
        if self.root_url:
            return self.root_url.rstrip("/") + "/"
        return self.base_iri[: -len("id/")] if self.base_iri.endswith("/id/") else self.base_iri

    def worker_limit(self) -> int:
        """MB of memory per query worker: as set, else 1 GB, plus 4x the N-Triples for a worker holding
        the graph in memory (its store takes about twice that; the rest is headroom for queries)."""
        if self.worker_mb is not None:
            return self.worker_mb
        nt = self.data_dir / "kg.nt"
        graph_mb = nt.stat().st_size // (1 << 20) if self.in_memory and nt.is_file() else 0
        return 1024 + 4 * graph_mb


class Pool(Protocol):
    """What the handlers need of the query workers (``pool.QueryPool``, or a stand-in in tests)."""

    def run(self, **job: Any) -> Outcome: ...

    def close(self) -> None: ...


def job_key(job: dict[str, Any]) -> bytes:
    """A query job's key in the answer cache and the in-flight table: a digest, so a 1 MB query costs 32 bytes."""
    return hashlib.sha256(json.dumps(job, sort_keys=True, ensure_ascii=False).encode()).digest()


def entry_size(outcome: Outcome) -> int:
    """Bytes an answer takes in the cache, its key included."""
    return len(outcome.body) + len(outcome.media_type) + ENTRY_OVERHEAD


class ServerState:
    """The store, the query workers, the answer cache, the in-flight table and the settings of one server."""

    def __init__(self, settings: Settings, store: ox.Store, info: DatasetInfo, pool: Pool) -> None:
        self.settings = settings
        self.store = store  # the web process's own read-only handle, for the linked-data pages
        self.info = info
        self.pool = pool
        # The store is read-only for the life of the process, so an answer never goes stale: repeated
        # questions (the landing page's examples, dashboards polling) are served from memory.
        # Keys and answers both count against --cache-mb; an answer larger than the whole cache is served, not kept.
        self.answers: LRUCache[bytes, Outcome] = LRUCache(maxsize=max(1, settings.cache_mb) * 1_000_000,
                                                          getsizeof=entry_size)
        # identical queries arriving while one is being answered wait for that answer instead of
        # occupying more workers with the same work
        self.inflight: dict[bytes, asyncio.Future[Outcome]] = {}
        # queries admitted per client address, and in all (checked, waiting for a worker or being answered)
        self.clients: Counter[str] = Counter()
        self.admitted = 0
        # (answers, inflight and the counters are touched only by handlers on the event loop's thread: no lock)
        # Threads of their own: a query waits for a worker in one of `queries`, its text is checked in one of
        # `checks`; the pages keep the server's shared threads, so no query, slow or long, makes a page wait.
        lanes = settings.workers + (1 if settings.quick_limit > 0 else 0)
        self._queries = ThreadPoolExecutor(lanes + settings.queue, thread_name_prefix="ipkg-query")
        # one thread: checks hold the GIL, and a second would take the event loop's share, not add throughput
        self._checks = ThreadPoolExecutor(1, thread_name_prefix="ipkg-check")
        self.capacity = lanes + settings.queue
        self.templates = Environment(loader=PackageLoader("queries.endpoint", "templates"),
                                     autoescape=select_autoescape(default=True, default_for_string=True))
        self.templates.globals.update(href=self.href, short=short, labels=ontology_labels(), title=TITLE)

    @classmethod
    def open(cls, settings: Settings) -> ServerState:
        """Open the prepared store read-only and start the query workers (blocks until they are ready)."""
        store = open_read_only(settings.store_dir)
        info = dataset_info(store, settings.data_dir)
        pool = QueryPool(settings.store_dir, settings.workers, settings.time_limit,
                         settings.data_dir / "kg.nt" if settings.in_memory else None,
                         worker_mb=settings.worker_limit(), quick_limit=settings.quick_limit,
                         offline=not settings.allowed_services)
        return cls(settings, store, info, pool)

    def close(self) -> None:
        """Stop the query workers and the threads waiting for them."""
        self.pool.close()
        self._queries.shutdown(wait=False, cancel_futures=True)
        self._checks.shutdown(wait=False, cancel_futures=True)

    def href(self, iri: str) -> str:
        """Where a page links an IRI: this server's /id/ path for the dataset's own entities."""
        if iri.startswith(self.settings.base_iri):
            return "/id/" + quote(iri[len(self.settings.base_iri):])
        return iri

    def html(self, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        """A page rendered from one of the endpoint's templates."""
        return HTMLResponse(self.templates.get_template(name).render(**ctx), status_code=status)

    def admit(self, client: str) -> Outcome | None:
        """Count a query from ``client`` in (None), or the refusal when that address or the server has too many
        queries in hand already; every admitted query is let go by :meth:`release`."""
        if self.clients[client] >= self.settings.per_client:
            return refusal(429, f"{self.settings.per_client} queries from your address are already being answered; "
                                "send the next when one is done")
        if self.admitted >= self.capacity:
            return refusal(503, f"the server has {self.admitted} queries in hand; try again shortly")
        self.clients[client] += 1
        self.admitted += 1
        return None

    def release(self, client: str) -> None:
        self.clients[client] -= 1
        if self.clients[client] <= 0:
            del self.clients[client]
        self.admitted -= 1

    async def check(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a thread for checks on a query's text (never on the event loop)."""
        return await asyncio.get_running_loop().run_in_executor(self._checks, functools.partial(fn, *args))

    async def answer(self, job: dict[str, Any], client: str = "") -> tuple[Outcome, bool]:
        """The outcome of a query job and whether it came from the cache (or from an identical query in flight).

        Waiting queries get a worker by their client's load: ``client``'s query goes before those of addresses with
        more queries in hand, so one sending many (slow) queries at once cannot make the others wait."""
        key = await self.check(job_key, job)
        cached = self.answers.get(key)
        if cached is not None:
            return cached, True
        if key in self.inflight:
            return await self._share(self.inflight[key]), True
        loop = asyncio.get_running_loop()
        pending: asyncio.Future[Outcome] = loop.create_future()
        self.inflight[key] = pending
        try:
            run = functools.partial(self.pool.run, **job)
            if isinstance(self.pool, QueryPool):
                run = functools.partial(self.pool.run, load=self.clients[client], **job)
            outcome: Outcome = await loop.run_in_executor(self._queries, run)
            self._keep(key, outcome)
        except BaseException as exc:  # the waiters learn of it too, and the entry goes whatever happened
            if isinstance(exc, asyncio.CancelledError):
                pending.cancel()
            else:
                pending.set_exception(exc)
                pending.exception()  # retrieved: no "never retrieved" warning when nobody waited
            raise
        finally:
            del self.inflight[key]
        pending.set_result(outcome)
        return outcome, False

    def _keep(self, key: bytes, outcome: Outcome) -> None:
        """Cache a successful answer that fits in the cache (a larger one is served, not kept)."""
        if outcome.status == 200 and self.settings.cache_mb > 0 and entry_size(outcome) <= self.answers.maxsize:
            self.answers[key] = outcome

    @staticmethod
    async def _share(pending: asyncio.Future[Outcome]) -> Outcome:
        """The answer an identical query in flight gets; shielded: a waiter that gives up must not cancel the
        answer the first asker still awaits."""
        try:
            return await asyncio.shield(pending)
        except asyncio.CancelledError:
            if not pending.cancelled():
                raise  # this waiter was cancelled
            return refusal(503, "the identical query this one waited for was abandoned; send it again")


def server(request: Request) -> ServerState:
    """The state of the server that received ``request``."""
    state: ServerState = request.app.state.server
    return state
