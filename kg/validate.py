"""Checking hand-edited plan-data files, and the JSON Schema generated from the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kg.ingest import IngestError, Limits, read_bounded
from kg.model import PlanData

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "plan-data.schema.json"


def plan_data_schema() -> dict[str, Any]:
    """The JSON Schema of a plan-data file, generated from :class:`kg.model.PlanData`."""
    schema = PlanData.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://w3id.org/ipkg/schema/plan-data.schema.json"
    return schema


def schema_text() -> str:
    return json.dumps(plan_data_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def json_path(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as a JSON path: ('indicators', 3, 'target') -> $.indicators[3].target."""
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def validate_file(path: Path, limits: Limits | None = None) -> tuple[PlanData | None, list[str]]:
    """Load and check a plan-data file, a regular file within ``limits`` (default: :meth:`Limits.from_env`).
    Returns the data (if valid) and one line per problem."""
    try:
        text = read_bounded(path, limits or Limits.from_env(), str(path)).decode("utf-8")
    except IngestError as exc:
        return None, [str(exc)]
    except UnicodeDecodeError as exc:
        return None, [f"{path}: not UTF-8 (byte {exc.start})"]
    try:
        raw = json.loads(text)
        return PlanData.model_validate(raw), []
    except json.JSONDecodeError as exc:
        return None, [f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]
    except RecursionError:  # the parser recurses once per level: plan data is a dozen levels deep
        return None, [f"{path}: nested too deeply to be plan data"]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(f"{path}: {json_path(err['loc'])}: {msg}")
        return None, problems
