"""Checking hand-edited plan-data files, and the JSON Schema generated from the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

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


def validate_file(path: Path) -> tuple[PlanData | None, list[str]]:
    """Load and check a plan-data file. Returns the data (if valid) and one line per problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{path}: cannot read ({exc})"]
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]
    try:
        return PlanData.model_validate(raw), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(f"{path}: {json_path(err['loc'])}: {msg}")
        return None, problems
