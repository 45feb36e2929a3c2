"""A real Neo4j Community server: the embedded DBMS from Maven Central, started by a one-class Java launcher.

``loaders/neo4j/`` holds the launcher (``src/main/java/ipkg/Neo4jLauncher.java``) and its pinned
``pom.xml``; :func:`build` runs Maven once (a stamp file makes a second build do nothing). The
server runs on 127.0.0.1 with Bolt and auth on, its data, pid file and log under
``$IPKG_HOME/neo4j`` (default ``./.ipkg/neo4j``). The ``neo4j`` user's initial password comes
from ``NEO4J_PASSWORD`` and reaches the launcher through its environment, never its command line
(which every user of the machine can read).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from loaders.servers import (
    ServerError,
    ServerInfo,
    free_port,
    info,
    kill_now,
    port_in_use,
    read_pid,
    terminate,
    wait_gone,
    workspace,
)

__all__ = ["DEFAULT_HEAP", "DEFAULT_PORT", "LAUNCHER_DIR", "USER", "ServerError", "ServerInfo", "build", "built",
           "data_dir", "free_port", "java_available", "kill", "start", "status", "stop", "uri"]

DEFAULT_PORT = 7687
DEFAULT_HEAP = "512m"
USER = "neo4j"  # the DBMS's initial user, whose password the launcher sets
MIN_PASSWORD = 8  # Neo4j 5's minimum password length
LAUNCHER_DIR = Path(__file__).resolve().parent / "neo4j"
MAIN_CLASS = "ipkg.Neo4jLauncher"
_TARGET = LAUNCHER_DIR / "target"
_STAMP = _TARGET / ".built"  # the Makefile's stamp too: both rebuild when pom.xml or a source is newer
_JAR = _TARGET / "neo4j-launcher.jar"
_LIB = _TARGET / "lib"
_CDS = _TARGET / "neo4j-launcher.jsa"  # the JVM's class-data archive of a first run (see _train)
_HEAP = re.compile(r"^\d+[kKmMgG]?$")

# The JVM flags Neo4j's own scripts use that matter here: heap fixed (Neo4j warns about an unset
# initial heap), fail fast on OutOfMemoryError rather than limp on, and the page cache's fast path
# (Neo4j warns, and falls back to a slower one, without access to java.nio).
_JVM_FLAGS = ["-XX:+ExitOnOutOfMemoryError", "--add-opens=java.base/java.nio=ALL-UNNAMED"]

# the servers this Python process started, kept so that each Popen is waited for (no zombie, no ResourceWarning)
_children: dict[int, subprocess.Popen[bytes]] = {}


def data_dir(home: Path | None = None) -> Path:
    """The server's folder: Neo4j's ``data/`` and ``logs/``, plus ``neo4j.pid``, ``port`` and ``neo4j.log``."""
    return ((home or workspace()) / "neo4j").resolve()


def uri(port: int) -> str:
    """The Bolt URI of a server started here on ``port``."""
    return f"bolt://127.0.0.1:{port}"


# ---------------------------------------------------------------- the Java side


def _find_java() -> str | None:
    """The ``java`` to run: ``$JAVA_HOME/bin/java`` if set, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def java_available() -> bool:
    """Whether a Java runtime is there to run (and, with Maven, to build) the launcher."""
    return _find_java() is not None


def _java() -> str:
    found = _find_java()
    if not found:
        raise ServerError("no Java runtime found (java is not on PATH): install a JDK 17, e.g. "
                          "apt-get install openjdk-17-jdk-headless, or set JAVA_HOME")
    return found


def _sources() -> list[Path]:
    return [LAUNCHER_DIR / "pom.xml", *sorted((LAUNCHER_DIR / "src").rglob("*.java"))]


def built() -> bool:
    """Whether the launcher is built and newer than its pom.xml and sources."""
    if not (_STAMP.exists() and _JAR.exists() and _LIB.is_dir()):
        return False
    stamp = _STAMP.stat().st_mtime
    return all(f.stat().st_mtime <= stamp for f in _sources())


def build(force: bool = False, timeout: float = 900.0) -> Path:
    """Build the launcher with Maven unless it is already built; returns ``loaders/neo4j/``.

    Maven fetches the pinned Neo4j artifacts from Maven Central into ``~/.m2`` on the first build.
    """
    if built() and not force:
        return LAUNCHER_DIR
    java = _java()
    mvn = shutil.which("mvn")
    if not mvn:
        raise ServerError("Maven (mvn) is not on PATH: install it (apt-get install maven) to build the Neo4j "
                          "launcher")
    # a version change must leave no old jar on the classpath (copy-dependencies only adds)
    shutil.rmtree(_LIB, ignore_errors=True)
    _CDS.unlink(missing_ok=True)
    cmd = [mvn, "-B", "-q", "-Dstyle.color=never", "-f", str(LAUNCHER_DIR / "pom.xml"), "package"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=LAUNCHER_DIR)
    except subprocess.TimeoutExpired:
        raise ServerError(f"building the Neo4j launcher took longer than {timeout:.0f}s (mvn package in "
                          f"{LAUNCHER_DIR})") from None
    if proc.returncode != 0 or not _JAR.exists():
        raise ServerError(f"building the Neo4j launcher failed (mvn package in {LAUNCHER_DIR}): "
                          f"{_maven_reason(proc.stdout + proc.stderr)}")
    _train(java)
    _STAMP.touch()
    return LAUNCHER_DIR


def _maven_reason(output: str) -> str:
    """Maven's first error line: the one that names the artifact it could not fetch or the file that failed."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)  # Maven 3.8 writes colour resets even with colour off
    lines = [ln.strip() for ln in plain.splitlines() if ln.strip()]
    errors = [ln.removeprefix("[ERROR]").strip() for ln in lines if ln.startswith("[ERROR]")]
    noise = ("->", "[Help", "To see the full", "Re-run Maven", "For more", "COMPILATION ERROR")
    errors = [e for e in errors if e and not e.startswith(noise)]
    reason = (errors or lines or ["no output"])[0]
    reason = re.sub(r"^Failed to execute goal on project [\w.-]+: ", "", reason)
    reason = re.sub(r"\s*(This failure was cached.*)?-> \[Help \d+\]$", "", reason)
    return reason[:500]


def _train(java: str) -> None:
    """Record the classes a start loads in a class-data-sharing archive, so that later starts map them.

    Measured on the 2-core machines: a restart took about 17 s without it and 6 to 9 s with it. A missing or
    stale archive only costs that time (the JVM then loads classes as usual), so a failed run is ignored.
    """
    with tempfile.TemporaryDirectory(prefix="ipkg-neo4j-") as tmp:
        home = Path(tmp)
        port = free_port()
        cmd = [java, f"-XX:ArchiveClassesAtExit={_CDS}", *_jvm(DEFAULT_HEAP, cds=False), MAIN_CLASS,
               str(home), str(port)]
        env = {**os.environ, "NEO4J_PASSWORD": os.urandom(12).hex()}
        log = home / "train.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        try:
            _wait_ready(proc, log, 0, port, 180.0)
        except ServerError:
            _CDS.unlink(missing_ok=True)
        finally:
            if proc.poll() is None:
                proc.terminate()  # the JVM writes the archive as it exits after SIGTERM
            try:
                proc.wait(120)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                _CDS.unlink(missing_ok=True)


def _jvm(heap: str, cds: bool = True) -> list[str]:
    """JVM flags and classpath for the launcher."""
    flags = [f"-Xms{heap}", f"-Xmx{heap}", *_JVM_FLAGS]
    if cds and _CDS.exists():
        flags.append(f"-XX:SharedArchiveFile={_CDS}")
    return [*flags, "-cp", f"{_JAR}{os.pathsep}{_LIB}{os.sep}*"]


# ---------------------------------------------------------------- the server


def _pid(ddir: Path) -> int | None:
    return read_pid(ddir / "neo4j.pid", marker=MAIN_CLASS)


def status(home: Path | None = None) -> ServerInfo:
    """Whether the server of this workspace runs, and on which port."""
    ddir = data_dir(home)
    return info(ddir, _pid(ddir))


def start(port: int | None = None, home: Path | None = None, heap: str = DEFAULT_HEAP, password: str | None = None,
          timeout: float = 180.0) -> ServerInfo:
    """Start the server (or report the one already running); builds the launcher first if needed.

    ``port`` defaults to ``$IPKG_NEO4J_PORT``, else 7687; ``password`` (the ``neo4j`` user's initial
    password) to ``$NEO4J_PASSWORD``; ``heap`` is the JVM's heap (-Xms/-Xmx), e.g. ``512m``. Waits up to
    ``timeout`` seconds for the launcher's ready line. Raises :class:`ServerError`.
    """
    ddir = data_dir(home)
    info = status(home)
    if info.running:
        return info
    password = password if password is not None else os.environ.get("NEO4J_PASSWORD")
    if not password:
        raise ServerError("NEO4J_PASSWORD is not set: it gives the initial password of the Neo4j user "
                          f"'{USER}' ({MIN_PASSWORD} characters or more)")
    if len(password) < MIN_PASSWORD:
        raise ServerError(f"NEO4J_PASSWORD is too short: Neo4j 5 needs at least {MIN_PASSWORD} characters")
    if not _HEAP.match(heap):
        raise ServerError(f"heap {heap!r} is not a JVM size such as 512m or 2g")
    port = port or int(os.environ.get("IPKG_NEO4J_PORT", DEFAULT_PORT))
    java = _java()
    if port_in_use(port):
        raise ServerError(f"port {port} on 127.0.0.1 is taken by another program; choose another port")
    build()
    ddir.mkdir(parents=True, exist_ok=True)
    log = ddir / "neo4j.log"
    with log.open("ab") as out:
        out.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting on 127.0.0.1:{port}\n".encode())
        offset = out.tell()
        proc = subprocess.Popen(
            [java, *_jvm(heap), MAIN_CLASS, str(ddir), str(port), "127.0.0.1"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ddir,
            env={**os.environ, "NEO4J_PASSWORD": password},
            # its own session: a Ctrl-C meant for the command that started it does not stop the server
            start_new_session=True)
    _children[proc.pid] = proc
    (ddir / "neo4j.pid").write_text(str(proc.pid))
    (ddir / "port").write_text(str(port))
    try:
        _wait_ready(proc, log, offset, port, timeout)
    except ServerError:
        if proc.poll() is None:
            kill_now(proc.pid)
        _forget(ServerInfo(False, port, proc.pid, ddir))
        raise
    return status(home)


def _wait_ready(proc: subprocess.Popen[bytes], log: Path, offset: int, port: int, timeout: float) -> None:
    """Wait for the launcher's ``ready`` line in its log (from ``offset``); a one-line ServerError otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        text = _read_from(log, offset)
        if any(ln.startswith("ready ") for ln in text.splitlines()):
            return
        if proc.poll() is not None:
            raise ServerError(_failure(text, f"Neo4j exited with status {proc.returncode} before it was ready", port))
        if time.monotonic() >= deadline:
            raise ServerError(_failure(text, f"Neo4j was not ready within {timeout:.0f}s", port) + f" (log: {log})")
        time.sleep(0.1)


def _read_from(log: Path, offset: int) -> str:
    try:
        with log.open("rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _failure(text: str, what: str, port: int) -> str:
    """One line for a failed start: a port clash said plainly, else the log's most telling line."""
    if "Address already in use" in text:  # taken between our check and Neo4j's bind
        return f"port {port} on 127.0.0.1 is taken by another program; choose another port"
    lines = [ln.strip() for ln in text.splitlines()
             if ln.strip() and not ln.startswith("\t") and not ln.strip().startswith(("at ", "..."))]
    return f"{what}: {_telling(lines)[:300]}" if lines else what


def _telling(lines: list[str]) -> str:
    """The launcher's own refusal, the JVM's reason, a Java exception's root cause, or the last line."""
    mine = [ln for ln in lines if ln.startswith("error ")]
    if mine:
        return mine[-1].removeprefix("error ")
    for i, ln in enumerate(lines[:-1]):
        if ln == "Error occurred during initialization of VM":
            return lines[i + 1]  # the JVM's reason follows (too small a heap, a bad flag)
    causes = [ln for ln in lines if ln.startswith("Caused by:")]
    if causes:
        return causes[-1].removeprefix("Caused by:").strip()
    thrown = [ln for ln in lines if "Exception" in ln or "Error" in ln]
    return (thrown or lines)[-1].removeprefix('Exception in thread "main"').strip()


def stop(home: Path | None = None, timeout: float = 60.0) -> bool:
    """Stop the server cleanly (SIGTERM; SIGKILL after ``timeout`` s). Returns False if it was not running."""
    info = status(home)
    if not info.running or info.pid is None:
        return False
    terminate(info.pid, timeout)
    _forget(info)
    return True


def kill(home: Path | None = None) -> None:
    """SIGKILL the server (for fault tests): nothing is flushed; Neo4j recovers from its transaction log."""
    info = status(home)
    if info.pid:
        kill_now(info.pid)
        _forget(info)


def _forget(info: ServerInfo) -> None:
    proc = _children.pop(info.pid or -1, None)
    if proc is not None:
        wait_gone(proc.pid, 5)
        proc.poll()
    (info.data_dir / "neo4j.pid").unlink(missing_ok=True)


if __name__ == "__main__":  # the Makefile's build step (no `ipkg` command): one line, no traceback, on failure
    try:
        build()
    except ServerError as exc:
        raise SystemExit(f"error {exc}") from None
