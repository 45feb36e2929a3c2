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
from pathlib import Path

from kg.ingest import FORMATS, IngestError

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

    With ``include_json``, plan-data ``.json`` files in folders count too.
    """
    suffixes = set(FORMATS) | ({".json"} if include_json else set())
    files: list[Path] = []
    missing: list[str] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in suffixes)
        elif p.exists():
            files.append(p)
        else:
            missing.append(f"{p}: no such file or folder")
    return files, missing


def _extract_one(path: Path) -> FileResult:
    # imported here so worker processes load the extractor once, on first use
    from kg.evalproj import to_eval
    from kg.extract import extract_file

    try:
        plan = extract_file(path)
    except IngestError as exc:
        return FileResult(path, False, str(exc))
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
                  on_result: Callable[[FileResult], None] | None = None) -> list[FileResult]:
    """Extract every file; write ``<stem>.json`` to ``out_dir`` (and the eval projection to ``eval_dir``)."""
    results: list[FileResult] = []

    def handle(res: FileResult) -> None:
        if res.ok:
            if out_dir is not None and res.plan_json is not None:
                write_atomic(out_dir / f"{res.path.stem}.json", res.plan_json)
            if eval_dir is not None and res.eval_json is not None:
                write_atomic(eval_dir / f"{res.path.stem}.json", res.eval_json)
        results.append(res)
        if on_result:
            on_result(res)

    if workers <= 1 or len(files) <= 1:
        for f in files:
            handle(_extract_one(f))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for res in pool.map(_extract_one, files, chunksize=1):
                handle(res)
    return results
