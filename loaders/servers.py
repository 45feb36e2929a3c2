"""What the local servers (embedded FalkorDB, Neo4j Community) share: workspace, ports, pid files, stopping.

Both run on 127.0.0.1 with their data, pid file and log in a folder under the workspace
(``IPKG_HOME``, default ``./.ipkg``); both are found again from their pid file by a later command.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path


class ServerError(Exception):
    """A one-line reason why a server could not be built, started, stopped or reached."""


@dataclass
class ServerInfo:
    """A server as its data folder records it: running or not, on which port, with which pid."""

    running: bool
    port: int | None
    pid: int | None
    data_dir: Path


def workspace() -> Path:
    """The folder that holds the servers' data (``$IPKG_HOME``, default ``./.ipkg``)."""
    return Path(os.environ.get("IPKG_HOME", ".ipkg")).resolve()


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def alive(pid: int) -> bool:
    """Whether the process runs. A child of ours that has exited is reaped here, so it does not linger as a
    zombie that would still answer signal 0 (a server started without daemonizing is our child)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass  # not our child: signal 0 tells
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    return True


def read_pid(pidfile: Path, marker: str | None = None) -> int | None:
    """The pid recorded in ``pidfile`` if that process still runs, else None.

    With ``marker``, the process's command line must also contain it: after a reboot or a crash the
    recorded pid may belong to an unrelated process by now (checked where /proc exists).
    """
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    if not alive(pid):
        return None
    if marker is not None:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            return pid if not Path("/proc/self").exists() else None
        except OSError:
            return pid
        if marker.encode() not in cmdline:
            return None
    return pid


def info(ddir: Path, pid: int | None) -> ServerInfo:
    """A server's status from its data folder: running when its pid is alive, on the port it wrote there."""
    port = None
    try:
        port = int((ddir / "port").read_text().strip())
    except (OSError, ValueError):
        pass
    return ServerInfo(pid is not None, port if pid else None, pid, ddir)


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for the process to end; True if it did."""
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def terminate(pid: int, timeout: float = 60.0) -> None:
    """SIGTERM (the server's clean shutdown), then SIGKILL if it has not ended within ``timeout`` seconds."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if not wait_gone(pid, timeout):
        kill_now(pid)


def kill_now(pid: int, timeout: float = 10.0) -> None:
    """SIGKILL: no chance to save or close anything (what a crash or the OOM killer does)."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    wait_gone(pid, timeout)
