"""CLI attacks: what a hostile folder or a careless argument does to `ipkg extract`, `build` and `validate`.

    python -m bench.reliability_cli

Each attack runs the real `ipkg` in a subprocess under an address-space cap (``MEMORY_CAP``) and a time limit, and
measures its wall time and peak memory. It passes when the command answers with one line naming the file and the
reason, prints no traceback, exits non-zero, goes on with the rest of the batch, and stays within its bounds.
bench/reliability.py prints these rows as its "CLI attacks" section.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEMORY_CAP = 6_000_000_000  # RLIMIT_AS of each run: an unbounded read fails here instead of eating the machine
TIME_LIMIT = 60.0  # each run is killed after this long
BOUND_SECS = 30.0  # a refused attack answers within this (the good plan beside it is extracted too)
BOUND_MB = 1_500  # and peaks below this; extracting the one good plan takes about 400 MB


@dataclass
class Run:
    """One finished (or killed) `ipkg` run."""

    code: int | None  # None: killed at the time limit
    text: str  # standard output and error, as printed
    secs: float
    peak_mb: float  # the high-water resident set of the process plus that of each of its children

    @property
    def clean(self) -> bool:
        return "Traceback" not in self.text

    def figure(self) -> str:
        code = "killed" if self.code is None else f"exit {self.code}"
        return f"{code} in {self.secs:.1f} s, peak {self.peak_mb:,.0f} MB"

    def bounded(self) -> bool:
        return self.code is not None and self.secs <= BOUND_SECS and self.peak_mb <= BOUND_MB


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def ipkg(tmp: Path, *args: str | bytes, env: dict[str, str] | None = None, timeout: float = TIME_LIMIT) -> Run:
    """Run ``ipkg ARGS`` (arguments may be bytes: file names that are not UTF-8) and measure it."""
    out = tmp / f".run-{time.monotonic_ns()}.txt"
    with out.open("wb") as sink:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "cli", *args], stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT,
                                env={**os.environ, "COLUMNS": "200", **(env or {})}, preexec_fn=_limit_memory,
                                start_new_session=True)
        status, peak = _wait(proc.pid, t0 + timeout)
        secs = time.perf_counter() - t0
    text = out.read_bytes().decode("utf-8", errors="backslashreplace")
    out.unlink()
    code = None if status is None else os.waitstatus_to_exitcode(status)
    return Run(code, text, secs, peak / 1e6)


def _wait(pid: int, deadline: float) -> tuple[int | None, int]:
    """Wait for ``pid`` until ``deadline``; kill its process group past it. Returns its status (None when killed)
    and its peak memory in bytes: the kernel's high-water RSS (VmHWM, counted from exec, so the forking process's
    own size is not in it) of the process plus that of each of its children, sampled every 50 ms while it runs."""
    import psutil

    peaks: dict[int, int] = {}
    while time.perf_counter() < deadline:
        try:
            for p in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
                peaks[p.pid] = max(peaks.get(p.pid, 0), _high_water(p.pid))
        except psutil.NoSuchProcess:
            pass
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status, sum(peaks.values())
        time.sleep(0.05)
    os.killpg(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None, sum(peaks.values())


def _high_water(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            return next((int(ln.split()[1]) * 1024 for ln in f if ln.startswith("VmHWM:")), 0)
    except OSError:  # it ended meanwhile
        return 0


def _lines(run: Run, name: str) -> list[str]:
    return [ln for ln in run.text.splitlines() if f" {name}:" in ln]


def _refused(run: Run, name: str, reason: str) -> bool:
    """Exactly one error line naming ``name`` with ``reason``; the good plan beside it extracted; bounded."""
    errors = [ln for ln in _lines(run, name) if ln.startswith("error") and reason in ln]
    good = any(ln.startswith("ok good.txt") for ln in run.text.splitlines())
    return len(errors) == 1 and good and run.code == 1 and run.clean and run.bounded()


def _detail(run: Run, name: str) -> str:
    mine = _lines(run, name)
    last = mine[-1] if mine else (run.text.strip().splitlines() or ["(nothing printed)"])[-1]
    return f"{run.figure()}: {last[:110]}"


def _batch(tmp: Path, case: str, make: Callable[[Path], Path], reason: str, *extra: str) -> tuple[str, bool, str]:
    """Extract a folder holding one good plan and the file ``make`` writes; the file must be refused."""
    from tests.hostile import seed

    folder = tmp / case.replace(" ", "-").replace("/", "-")
    folder.mkdir(parents=True)
    (folder / "good.txt").write_text(seed("004"), encoding="utf-8")
    bad = make(folder)
    run = ipkg(tmp, "extract", str(folder / "good.txt"), os.fsencode(bad), "--out", str(folder / "out"), *extra)
    return case, _refused(run, os.fsdecode(bad.name), reason), _detail(run, os.fsdecode(bad.name))


# ---------------------------------------------------------------- point 9: unbounded reads


def _zero_link(folder: Path) -> Path:
    (folder / "zero.txt").symlink_to("/dev/zero")
    return folder / "zero.txt"


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "fifo.txt")
    return folder / "fifo.txt"


def _docx_bomb(folder: Path) -> Path:
    from tests.hostile import docx_bomb

    docx_bomb(folder / "bomb.docx", xml_mb=171)
    return folder / "bomb.docx"


def _pdf_bomb(folder: Path) -> Path:
    from tests.hostile import pdf_bomb

    pdf_bomb(folder / "bomb.pdf", pages=20, mb_per_page=20)
    return folder / "bomb.pdf"


def _big_text(folder: Path) -> Path:
    from tests.hostile import seed

    text = seed("000")  # not the good plan beside it: the same plan twice would be reported as a copy
    (folder / "big.txt").write_text(text * (3_000_000 // len(text.encode()) + 1), encoding="utf-8")
    return folder / "big.txt"


def unbounded_reads(tmp: Path) -> list[tuple[str, bool, str]]:
    """Point 9: a link to /dev/zero, a FIFO, a .docx and a .pdf that inflate far beyond their size, a file above
    the cap; each refused with one line while the good plan beside it is extracted."""
    rows = [_batch(tmp, ".txt link to /dev/zero", _zero_link, "not a regular file"),
            _batch(tmp, "FIFO argument", _fifo, "not a regular file"),
            _batch(tmp, "docx: 536 KB of 171 MB XML", _docx_bomb, "decompressed"),
            _batch(tmp, "pdf: 20 pages x 20 MB of text", _pdf_bomb, "decompressed"),
            _batch(tmp, "3 MB .txt, --max-mb 2", _big_text, "2 MB cap", "--max-mb", "2")]
    return [*rows, _env_cap(tmp)]


def _env_cap(tmp: Path) -> tuple[str, bool, str]:
    from tests.hostile import seed

    folder = tmp / "env-cap"
    folder.mkdir()
    (folder / "good.txt").write_text(seed("004"), encoding="utf-8")
    big = _big_text(folder)
    run = ipkg(tmp, "build", str(folder), "--out", str(folder / "graph"), env={"IPKG_MAX_MB": "2"})
    ok = (len([ln for ln in _lines(run, big.name) if ln.startswith("error") and "2 MB cap" in ln]) == 1
          and run.code == 1 and run.clean and run.bounded() and (folder / "graph" / "kg.nt").is_file())
    return "build, IPKG_MAX_MB=2, a 3 MB .txt", ok, _detail(run, big.name)


# ---------------------------------------------------------------- point 10: tracebacks, half-written files, names


def _plan_json(tmp: Path) -> Path:
    """The plan data of one sample plan, extracted once."""
    from tests.hostile import seed

    target = tmp / "plan-data" / "good.json"
    if not target.exists():
        (tmp / "plan-data").mkdir(exist_ok=True)
        (tmp / "plan-data" / "good.txt").write_text(seed("004"), encoding="utf-8")
        run = ipkg(tmp, "extract", str(tmp / "plan-data" / "good.txt"), "--out", str(tmp / "plan-data"))
        assert run.code == 0, run.text
    return target


def non_utf8_name(tmp: Path) -> tuple[str, bool, str]:
    """A folder holding a plan whose name is not UTF-8: that file is refused, the rest extracted."""
    from tests.hostile import seed

    folder = tmp / "non-utf8"
    folder.mkdir()
    (folder / "good.txt").write_text(seed("004"), encoding="utf-8")
    Path(os.fsdecode(os.fsencode(folder) + b"/\xff\xfe-plan.txt")).write_text(seed("000"), encoding="utf-8")
    run = ipkg(tmp, "extract", str(folder), "--out", str(folder / "out"))
    shown = "\\xff\\xfe-plan.txt"
    ok = _refused(run, shown, "not valid UTF-8")
    return "non-UTF-8 file name in a folder", ok, _detail(run, shown)


def deep_json(tmp: Path) -> tuple[str, bool, str]:
    """`ipkg validate` on JSON nested 100,000 deep, beside a good plan-data file."""
    from tests.hostile import deep_json as write_deep

    good = _plan_json(tmp)
    write_deep(tmp / "deep.json", 100_000)
    run = ipkg(tmp, "validate", str(tmp / "deep.json"), str(good))
    mine = [ln for ln in run.text.splitlines() if "deep.json" in ln]
    ok = (len(mine) == 1 and mine[0].startswith("invalid") and "nested" in mine[0] and run.code == 1 and run.clean
          and any(ln.startswith("valid") and "good.json" in ln for ln in run.text.splitlines()))
    return "validate: 100,000-deep JSON", ok, f"{run.figure()}: {(mine or ['(no line)'])[-1][:110]}"


def out_is_a_file(tmp: Path) -> list[tuple[str, bool, str]]:
    """`--out` naming an existing file, for extract and build: one line, the file untouched."""
    from tests.hostile import seed

    rows = []
    for command in ("extract", "build"):
        target = tmp / f"{command}-out.txt"
        target.write_text("keep me\n", encoding="utf-8")
        plan = tmp / f"{command}-plan.txt"
        plan.write_text(seed("004"), encoding="utf-8")
        run = ipkg(tmp, command, str(plan), "--out", str(target))
        lines = [ln for ln in run.text.splitlines() if ln.strip()]
        ok = (run.code not in (0, None) and run.clean and len(lines) == 1 and str(target) in lines[0]
              and target.read_text(encoding="utf-8") == "keep me\n")
        rows.append((f"{command} --out an existing file", ok, f"{run.figure()}: {(lines or ['(nothing)'])[-1][:110]}"))
    return rows


def control_character_key(tmp: Path) -> list[tuple[str, bool, str]]:
    """A plan key holding a control character: `validate` refuses it; `build` refuses that file, builds the rest,
    and never leaves a kg.nt that does not parse (a build of only that file keeps the graph already there)."""
    import pyoxigraph as ox

    good = _plan_json(tmp)
    data = json.loads(good.read_text(encoding="utf-8"))
    data["plan"]["key"] = data["plan"]["key"][:4] + "\x01" + data["plan"]["key"][4:]
    bad = tmp / "ctrl-key.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    check = ipkg(tmp, "validate", str(bad))
    refused = [ln for ln in check.text.splitlines() if ln.startswith("invalid") and "control character" in ln]
    rows = [("validate: control character in a key", len(refused) == 1 and check.code == 1 and check.clean,
             f"{check.figure()}: {(refused or check.text.splitlines() or ['(nothing)'])[0][:110]}")]
    graph = tmp / "ctrl-graph"
    first = ipkg(tmp, "build", str(good), str(bad), "--out", str(graph))
    nt = graph / "kg.nt"

    def parses() -> int:
        try:
            return len(list(ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES)))
        except (OSError, SyntaxError):
            return -1

    triples = parses()
    before = nt.read_bytes() if nt.exists() else b""
    second = ipkg(tmp, "build", str(bad), "--out", str(graph))
    kept = nt.exists() and nt.read_bytes() == before
    named = [ln for ln in first.text.splitlines() if ln.startswith("error") and "ctrl-key.json: " in ln]
    ok = (first.code == 1 and first.clean and len(named) == 1 and triples > 1000
          and second.code == 1 and second.clean and kept)
    rows.append(("build: control character in a key", ok, f"{first.figure()}; kg.nt {triples:,} triples; a build of "
                 f"only that file: exit {second.code}, kg.nt kept: {kept}"))
    return rows


def names_on_the_terminal(tmp: Path) -> tuple[str, bool, str]:
    """File names that are rich markup or hold an escape sequence print literally (escaped), never interpreted."""
    from tests.hostile import seed

    folder = tmp / "names"
    folder.mkdir()
    (folder / "good.txt").write_text(seed("004"), encoding="utf-8")
    (folder / "[red]x.txt").write_text(seed("004"), encoding="utf-8")
    (folder / "a\x1b[2Jb.txt").write_text(seed("004"), encoding="utf-8")
    (folder / "[bold]news.txt").write_text("no plan here", encoding="utf-8")
    run = ipkg(tmp, "extract", str(folder), "--out", str(folder / "out"))
    lines = run.text.splitlines()
    ok = ("ok [red]x.txt:" in run.text and "error [bold]news.txt:" in run.text and "\x1b" not in run.text
          and any(ln.startswith("error a\\x1b[2Jb.txt:") for ln in lines) and run.code == 1 and run.clean)
    shown = [ln for ln in lines if "[red]x" in ln or "x1b" in ln or "news" in ln]
    return "markup and ESC in file names", ok, f"{run.figure()}: " + " | ".join(ln[:40] for ln in shown)


ATTACKS = (unbounded_reads, non_utf8_name, deep_json, out_is_a_file, control_character_key, names_on_the_terminal)


def rows(tmp: Path, show: Callable[[tuple[str, bool, str]], None] | None = None) -> list[tuple[str, bool, str]]:
    """Every CLI attack: (attack, passed, detail with the measured figure); each row also given to ``show``."""
    tmp.mkdir(parents=True, exist_ok=True)
    got: list[tuple[str, bool, str]] = []
    for attack in ATTACKS:
        made = attack(tmp)
        for row in made if isinstance(made, list) else [made]:
            got.append(row)
            if show:
                show(row)
    return got


def show_row(row: tuple[str, bool, str]) -> None:
    name, ok, detail = row
    print(f"  {'ok  ' if ok else 'FAIL'} {name:36} {detail}", flush=True)


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        got = rows(Path(tmp), show_row)
    sys.exit(0 if all(ok for _, ok, _ in got) else 1)


if __name__ == "__main__":
    main()
