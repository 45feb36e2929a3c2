"""The corpus pipeline: many plan files in, one plan-data JSON per file out.

Files are independent, so ``workers > 1`` runs them in processes; results are the same for any
number of workers. A bad file becomes a one-line error and never stops the rest of the batch.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from kg.ingest import FORMATS, IngestError, Limits

SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"


@dataclass
class FileResult:
    path: Path
    ok: bool
    message: str = ""
    plan_json: str | None = None
    eval_json: str | None = None
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    diagnostics: list[str] = field(default_factory=list)  # "line N: what to check: the text"


def discover(paths: Iterable[Path], include_json: bool = False) -> tuple[list[Path], list[str]]:
    """Expand folders into the plan files below them (sorted); report paths that do not exist.

    With ``include_json``, plan-data ``.json`` files in folders count too. Whatever in a folder has a plan file's
    name and is not a folder is listed, a FIFO or a link to a device too: the reader refuses it with a line
    rather than leaving it out unsaid.
    """
    suffixes = set(FORMATS) | ({".json"} if include_json else set())
    files: list[Path] = []
    missing: list[str] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.suffix.lower() in suffixes and not f.is_dir())
        elif p.exists():
            files.append(p)
        else:
            missing.append(f"{p}: no such file or folder")
    return files, missing


def _extract_one(path: Path, limits: Limits | None = None) -> FileResult:
    # imported here so worker processes load the extractor once, on first use
    from kg.evalproj import to_eval
    from kg.extract import extract_document
    from kg.ingest import read_document

    try:
        plan = extract_document(read_document(path, limits))
    except IngestError as exc:
        return FileResult(path, False, str(exc))
    except MemoryError:
        return FileResult(path, False, f"{path.name}: ran out of memory reading it (lower --max-mb to refuse such "
                                       "files sooner)")
    except Exception as exc:  # a bug must not cost the user the rest of the batch
        return FileResult(path, False, f"{path.name}: internal error ({type(exc).__name__}: {exc})")
    counts = {k: len(getattr(plan, k)) for k in ("indicators", "departments", "industries", "brands",
                                                  "geographical_indications", "tasks", "responsibilities")}
    explicit = [r for r in plan.responsibilities if r.explicit]
    counts["lead"] = sum(r.role == "lead" for r in explicit)
    counts["co"] = sum(r.role == "co" for r in explicit)
    counts["inferred"] = len(plan.responsibilities) - len(explicit)
    return FileResult(path, True, plan_json=plan.model_dump_json(indent=1),
                      eval_json=json.dumps(to_eval(plan), ensure_ascii=False, indent=1),
                      warnings=plan.warnings, counts=counts,
                      diagnostics=[f"line {d.line}: {d.message}: {d.text}" for d in plan.diagnostics])


def replace_atomically(target: Path, write: Callable[[Path], object]) -> None:
    """Let ``write`` fill a temporary file in the target's folder, then move it into place.

    A reader (or a second run writing the same folder) never sees a half-written file.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        # mkstemp makes the file private (0600); an output is as readable as any file the user writes
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(target: Path, text: str) -> None:
    """Write UTF-8 text to ``target`` atomically."""
    replace_atomically(target, lambda t: t.write_text(text, encoding="utf-8"))


def extract_paths(files: list[Path], out_dir: Path | None, eval_dir: Path | None = None, workers: int = 1,
                  on_result: Callable[[FileResult], None] | None = None,
                  limits: Limits | None = None) -> list[FileResult]:
    """Extract every file within ``limits`` (default: :meth:`kg.ingest.Limits.from_env`); write ``<stem>.json`` to
    ``out_dir`` (and the eval projection to ``eval_dir``). A file that cannot be written is a failed result."""
    results: list[FileResult] = []

    def handle(res: FileResult) -> None:
        if res.ok:
            res = _write(res, out_dir, eval_dir)
        results.append(res)
        if on_result:
            on_result(res)

    one = partial(_extract_one, limits=limits or Limits.from_env())
    if workers <= 1 or len(files) <= 1:
        for f in files:
            handle(one(f))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for res in pool.map(one, files, chunksize=1):
                handle(res)
    return results


def _write(res: FileResult, out_dir: Path | None, eval_dir: Path | None) -> FileResult:
    """Write one result's plan data (and projection); a write that fails makes the result a failure."""
    for folder, text in ((out_dir, res.plan_json), (eval_dir, res.eval_json)):
        if folder is None or text is None:
            continue
        target = folder / f"{res.path.stem}.json"
        try:
            write_atomic(target, text)
        except OSError as exc:
            return FileResult(res.path, False, f"{res.path.name}: cannot write {target} ({exc.strerror or exc})",
                              warnings=res.warnings)
    return res
