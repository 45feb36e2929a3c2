"""Query workers: separate processes, so that a query over its time limit can really be stopped.

Oxigraph cannot cancel a running query, and a thread cannot be killed. Each worker process opens
the store read-only and answers one query at a time over a pipe; a query that outlives the time
limit has its worker killed (the query stops there) and a fresh worker takes its place, while the
other workers go on answering. Workers are started with ``spawn``, so they hold nothing of the
web server's threads or sockets.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import queue
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from queries.endpoint.results import Outcome, execute, refusal

log = logging.getLogger("ipkg.serve")
_CTX = mp.get_context("spawn")


def _worker_main(store_dir: str, nt: str | None, conn: Connection) -> None:
    """A worker's loop: receive a query request, answer with an Outcome, until the pipe closes.

    With ``nt`` the worker holds the graph in memory (Oxigraph answers 2-4x faster from memory
    than from its on-disk store); without, it reads the shared on-disk store.
    """
    if nt:
        import pyoxigraph as ox

        store = ox.Store()
        store.bulk_load(path=nt, format=ox.RdfFormat.N_TRIPLES)
    else:
        from queries.endpoint.store import open_read_only

        store = open_read_only(Path(store_dir))
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            outcome = execute(store, **job)
        except Exception as exc:
            outcome = refusal(500, f"query failed: {type(exc).__name__}: {exc}")
        conn.send(outcome)


class _Worker:
    def __init__(self, store_dir: Path, nt: Path | None):
        self.conn, child = _CTX.Pipe()
        self.process = _CTX.Process(target=_worker_main, args=(str(store_dir), str(nt) if nt else None, child),
                                    daemon=True, name="ipkg-sparql-worker")
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float = 1800) -> _Worker:
        if not self.conn.poll(timeout) or self.conn.recv() != "ready":
            self.kill()
            raise RuntimeError("a SPARQL worker did not start")
        return self

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """A fixed number of query workers over one read-only store."""

    def __init__(self, store_dir: Path, workers: int = 2, time_limit: float = 30.0, nt: Path | None = None):
        self.store_dir = store_dir
        self.nt = nt
        self.time_limit = time_limit
        self.size = workers
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        starting = [_Worker(store_dir, nt) for _ in range(workers)]  # they load side by side
        for w in starting:
            self._add(w.wait_ready())
        self.stopped = 0  # queries stopped at the time limit (for the log and the tests)

    def _add(self, w: _Worker | None = None) -> None:
        w = w or _Worker(self.store_dir, self.nt).wait_ready()
        with self._lock:
            if self._closed:
                w.kill()
                return
            self._all.add(w)
        self._idle.put(w)

    def _replace(self, dead: _Worker) -> None:
        with self._lock:
            self._all.discard(dead)
        dead.kill()
        # a new worker takes a moment to start: do it off the request's thread
        threading.Thread(target=self._add_safely, daemon=True).start()

    def _add_safely(self) -> None:
        try:
            self._add()
        except Exception:
            log.exception("could not start a replacement SPARQL worker")

    def run(self, **job: Any) -> Outcome:
        """Run one query job (the keyword arguments of ``results.execute``) within the time limit."""
        deadline = time.monotonic() + self.time_limit
        try:
            worker = self._idle.get(timeout=self.time_limit)
        except queue.Empty:
            return refusal(503, f"all {self.size} query workers stayed busy for {self.time_limit:g} s; try again")
        try:
            worker.conn.send(job)
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                outcome: Outcome = worker.conn.recv()
                self._idle.put(worker)
                return outcome
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            return refusal(500, "the query worker died while answering; the query was not completed")
        self.stopped += 1
        self._replace(worker)
        log.warning("a query exceeded the %g s time limit and was stopped", self.time_limit)
        return refusal(503, f"the query ran longer than the {self.time_limit:g} s time limit and was stopped")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()
