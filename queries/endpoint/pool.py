"""Query workers: separate processes, so that a query over its time limit or its memory can really be stopped.

Oxigraph cannot cancel a running query, and a thread cannot be killed. Each worker process opens
the store read-only and answers one query at a time over a pipe; a query that outlives the time
limit has its worker killed (the query stops there) and a fresh worker takes its place, while the
other workers go on answering. Workers are started with ``spawn``, so they hold nothing of the
web server's threads or sockets.

Lanes: ``workers`` general workers answer queries within the time limit; one more worker, the reserved lane,
takes a query only when every general worker is busy, and gives it ``quick_limit`` seconds: a quick query is
answered at once instead of waiting behind slow ones, a slow one goes back to wait for a general worker. The
reserved worker reads the on-disk store, and a standby is kept started, so the lane is back at once after a
query was stopped on it. Waiting queries get a free worker in order of their client's load (how many queries
that address has in hand), then of arrival: a client asking one question goes before the tenth question of a
client asking many; and a query on the reserved lane gives way (back to waiting for a general worker) to one
from a client with fewer queries in hand.

Each worker caps its own memory when it starts (``worker_mb``, RLIMIT_DATA): a query that needs more fails
there (the engine aborts the process) and is answered 503, and the worker is replaced. Unless the
operator allowed SERVICE endpoints, a worker also gives up the network (a seccomp filter makes creating an IPv4
or IPv6 socket fail), so no query it runs can reach another host, whatever the text checks before it missed.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from queries.endpoint.results import Outcome, execute, refusal

log = logging.getLogger("ipkg.serve")
_CTX = mp.get_context("spawn")
MB = 1 << 20


def _limit_memory(worker_mb: int) -> None:
    """Cap the memory this process may write to (0: no cap). RLIMIT_DATA (heap and private mappings), not
    RLIMIT_AS: address space merely reserved (a thread's malloc arena, 64 MB each, RocksDB's threads) counts
    against RLIMIT_AS, and made thread creation fail at random under it."""
    import resource

    if worker_mb > 0:
        limit = worker_mb * MB
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _drop_network() -> bool:
    """Make creating IPv4 and IPv6 sockets fail in this process from now on (the pipe to the server is a Unix
    socket, already open); False where seccomp is not available."""
    import errno
    import socket

    try:
        import pyseccomp as seccomp

        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        for family in (socket.AF_INET, socket.AF_INET6):
            rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.EQ, family))
        rules.load()
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        log.warning("query workers keep network access (%s); only the query checks keep SERVICE out", exc)
        return False
    return True


def _worker_main(store_dir: str, nt: str | None, conn: Connection, worker_mb: int, offline: bool) -> None:
    """A worker's loop: receive a query request, answer with an Outcome, until the pipe closes.

    With ``nt`` the worker holds the graph in memory (Oxigraph answers 2-4x faster from memory
    than from its on-disk store); without, it reads the shared on-disk store. A worker that ran out
    of memory in Python answers, then exits (its heap may be left in pieces).
    """
    os.environ["RUST_BACKTRACE"] = "0"  # an engine that runs out of memory prints one line, not a backtrace
    os.nice(5)  # below the web process: pages keep their share of the CPU while queries burn the rest
    _limit_memory(worker_mb)
    if offline:
        _drop_network()
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
        except MemoryError:
            conn.send(out_of_memory(worker_mb))
            return
        except Exception as exc:
            outcome = refusal(500, f"query failed: {type(exc).__name__}: {exc}")
        conn.send(outcome)


def out_of_memory(worker_mb: int) -> Outcome:
    return refusal(503, f"the query needed more than {worker_mb:,} MB of memory, the limit of a query worker "
                        "(--worker-mb), and was stopped")


class _Worker:
    def __init__(self, store_dir: Path, nt: Path | None, worker_mb: int, offline: bool, quick: bool = False):
        self.quick = quick
        self.load = 0  # the load of the client whose query it answers
        self.preempted = False  # stopped to make way for a lighter client's query
        self.conn, child = _CTX.Pipe()
        self.process = _CTX.Process(target=_worker_main, args=(str(store_dir), str(nt) if nt else None, child,
                                                               worker_mb, offline),
                                    daemon=True, name="ipkg-sparql-worker")
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float = 1800) -> _Worker:
        try:
            ready = self.conn.poll(timeout) and self.conn.recv() == "ready"
        except (EOFError, OSError):  # it died while starting
            ready = False
        if not ready:
            self.kill()
            raise RuntimeError(f"a SPARQL worker did not start (exit {self.process.exitcode})")
        return self

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


_TOO_SLOW = object()  # the reserved lane's answer to a query that outlived its quick limit


@dataclass(order=True)
class _Waiter:
    """A query waiting for a worker, ordered by its client's load, then by arrival."""

    load: int
    seq: int
    quick_too: bool = field(compare=False)  # it may take the reserved worker
    worker: _Worker | None = field(default=None, compare=False)  # the worker handed to it


class QueryPool:
    """General query workers and one reserved for quick queries, over one read-only store."""

    def __init__(self, store_dir: Path, workers: int = 2, time_limit: float = 30.0, nt: Path | None = None, *,
                 worker_mb: int = 0, quick_limit: float = 2.0, offline: bool = True):
        self.store_dir, self.nt = store_dir, nt
        self.time_limit, self.quick_limit = time_limit, quick_limit
        self.worker_mb, self.offline = worker_mb, offline
        self.size = workers
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._waiters: list[_Waiter] = []
        self._arrivals = itertools.count()
        self._standby: list[_Worker] = []  # a started reserved worker, to take over at once
        self._cond = threading.Condition()
        self._closed = False
        starting = [self._start(False) for _ in range(workers)]  # they load side by side
        if quick_limit > 0:
            starting.append(self._start(True))
            self._standby.append(self._ready(self._start(True)))
        for w in starting:
            self._add(self._ready(w))
        self.stopped = 0  # queries stopped at the time limit (for the log and the tests)

    def _start(self, quick: bool) -> _Worker:
        # the reserved worker reads the disk store: its replacement starts in a moment
        return _Worker(self.store_dir, None if quick else self.nt, self.worker_mb, self.offline, quick)

    def _ready(self, w: _Worker) -> _Worker:
        try:
            return w.wait_ready()
        except RuntimeError as exc:
            if self.worker_mb:
                raise RuntimeError(f"a SPARQL worker did not start within its memory limit of {self.worker_mb:,} "
                                   "MB: raise --worker-mb") from exc
            raise

    def _add(self, w: _Worker) -> None:
        with self._cond:
            if self._closed:
                w.kill()
                return
            self._all.add(w)
            self._idle.append(w)
            self._dispatch()

    def _replace(self, dead: _Worker) -> None:
        with self._cond:
            self._all.discard(dead)
            standby = self._standby.pop() if dead.quick and self._standby else None
        dead.kill()
        if standby is not None:
            self._add(standby)
        # a new worker takes a moment to start: do it off the request's thread
        threading.Thread(target=self._add_safely, args=(dead.quick,), daemon=True).start()

    def _add_safely(self, quick: bool) -> None:
        """Start a worker: a reserved one becomes the standby when the lane has its worker already."""
        try:
            w = self._ready(self._start(quick))
            with self._cond:
                if quick and any(other.quick for other in self._all) and not self._closed:
                    self._standby.append(w)
                    return
            self._add(w)
        except Exception:
            log.exception("could not start a replacement SPARQL worker")

    def _acquire(self, deadline: float, quick_too: bool, load: int) -> _Worker | None:
        """A worker for a query of a client with ``load`` queries in hand (the reserved one too if ``quick_too``),
        when its turn comes; None at the deadline."""
        with self._cond:
            waiter = _Waiter(load, next(self._arrivals), quick_too)
            self._waiters.append(waiter)
            self._dispatch()
            while waiter.worker is None:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    self._waiters.remove(waiter)
                    return None
                self._cond.wait(left)
            return waiter.worker

    def _dispatch(self) -> None:
        """Hand idle workers to the first waiters (general workers first; the reserved one to those who may take
        it), and make the reserved lane give way to a lighter client. Called with the lock held."""
        for worker in sorted(self._idle, key=lambda w: w.quick):
            takers = [w for w in self._waiters if w.quick_too or not worker.quick]
            if takers:
                first = min(takers)
                first.worker, worker.load = worker, first.load
                self._waiters.remove(first)
                self._idle.remove(worker)
        lighter = min((w for w in self._waiters if w.quick_too), default=None)
        busy = next((w for w in self._all if w.quick and w not in self._idle and not w.preempted), None)
        if lighter is not None and busy is not None and busy.load > lighter.load and self._standby:
            busy.preempted = True
            busy.process.kill()  # its query goes back to wait for a general worker; the standby takes over
        self._cond.notify_all()

    def _release(self, w: _Worker) -> None:
        with self._cond:
            self._idle.append(w)
            self._dispatch()

    def run(self, load: int = 0, **job: Any) -> Outcome:
        """Run one query job (the keyword arguments of ``results.execute``) within the time limit; ``load``: how
        many queries its client has in hand (fewer go first). The time limit bounds the whole request: waiting for a
        worker, a try in the reserved lane and the run in a general worker together."""
        deadline = time.monotonic() + self.time_limit
        worker = self._acquire(deadline, self.quick_limit > 0, load)
        if worker is not None and worker.quick:
            outcome = self._ask(worker, job, min(self.quick_limit, max(0.0, deadline - time.monotonic())))
            if outcome is not _TOO_SLOW:
                return outcome  # type: ignore[return-value]
            # too slow for the reserved lane: it waits for a general worker, within what is left of its time
            worker = self._acquire(deadline, False, load)
        if worker is None:
            return refusal(503, f"all {self.size} query workers stayed busy for {self.time_limit:g} s; try again")
        outcome = self._ask(worker, job, max(0.0, deadline - time.monotonic()))
        if outcome is _TOO_SLOW:
            self.stopped += 1
            log.warning("a query exceeded the %g s time limit and was stopped", self.time_limit)
            return refusal(503, f"the query ran longer than the {self.time_limit:g} s time limit and was stopped")
        return outcome  # type: ignore[return-value]

    def _ask(self, worker: _Worker, job: dict[str, Any], limit: float) -> Outcome | object:
        """The worker's answer within ``limit`` seconds; _TOO_SLOW (worker replaced) past it."""
        try:
            worker.conn.send(job)
            if worker.conn.poll(limit):
                outcome: Outcome = worker.conn.recv()
                if worker.process.is_alive() and not _exits_after(outcome):
                    self._release(worker)
                else:
                    self._replace(worker)
                return outcome
        except (EOFError, OSError, BrokenPipeError):
            if worker.preempted:
                self._replace(worker)
                return _TOO_SLOW
            return self._died(worker)
        self._replace(worker)
        return _TOO_SLOW

    def _died(self, worker: _Worker) -> Outcome:
        """The answer for a query whose worker died: out of memory (the engine aborts), or a crash."""
        worker.process.join(2)
        code = worker.process.exitcode
        self._replace(worker)
        if code == -signal.SIGABRT and self.worker_mb:
            log.warning("a query ran out of its worker's %d MB and was stopped", self.worker_mb)
            return out_of_memory(self.worker_mb)
        return refusal(500, f"the query worker died while answering (exit {code}); the query was not completed")

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers = [*self._all, *self._standby]
            self._all.clear()
            self._standby.clear()
            self._idle.clear()
            self._cond.notify_all()  # waiters see _closed and leave
        for w in workers:
            w.kill()


def _exits_after(outcome: Outcome) -> bool:
    """Whether the worker leaves after this answer (it ran out of memory in Python)."""
    return outcome.status == 503 and b"--worker-mb" in outcome.body
