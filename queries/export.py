"""Answers to take away: rows written as CSV, JSON, JSON Lines, Excel (xlsx) or Markdown.

The format comes from the file's extension unless one is named. CSV is UTF-8 with a byte-order mark,
so that Excel on a Chinese Windows opens it as UTF-8 rather than GBK; the xlsx sheet has a bold,
frozen header, columns sized to their contents and the ``evidence`` column wrapped.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

EXPORT_FORMATS = ("csv", "json", "jsonl", "xlsx", "markdown")
EXTENSIONS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx",
              ".md": "markdown", ".markdown": "markdown"}
WRAPPED = ("evidence",)  # long text columns: wrapped in xlsx, folded to one line in the terminal table
_MAX_WIDTH = 60  # xlsx column width cap, in characters


class ExportError(ValueError):
    """A format that cannot be told or written; the message says what to give."""


def format_for(path: Path, fmt: str | None = None) -> str:
    """The export format: ``fmt`` when given, else the one ``path``'s extension names."""
    if fmt:
        if fmt not in EXPORT_FORMATS:
            raise ExportError(f"cannot write {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")
        return fmt
    found = EXTENSIONS.get(path.suffix.lower())
    if not found:
        raise ExportError(f"cannot tell the format of {path} from its extension: name the file .csv, .json, "
                          ".jsonl, .xlsx or .md, or give --format")
    return found


def select_columns(columns: list[str], rows: list[tuple[Any, ...]], chosen: list[str] | None
                   ) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Only the ``chosen`` columns, in the order given; an unknown name is refused with the ones there are."""
    if not chosen:
        return columns, rows
    unknown = [c for c in chosen if c not in columns]
    if unknown:
        raise ExportError(f"no column {', '.join(unknown)}; the answer has: {', '.join(columns) or '(no columns)'}")
    keep = [columns.index(c) for c in chosen]
    return list(chosen), [tuple(r[i] for i in keep) for r in rows]


def _cell(value: Any) -> Any:
    return "" if value is None else value


def render(columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> str:
    """Rows as text in a text format (csv without its byte-order mark, json, jsonl, markdown)."""
    if fmt == "json":
        return json.dumps([dict(zip(columns, r, strict=False)) for r in rows], ensure_ascii=False, indent=1) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(dict(zip(columns, r, strict=False)), ensure_ascii=False) + "\n" for r in rows)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(columns)
        w.writerows([_cell(v) for v in r] for r in rows)
        return buf.getvalue()
    if fmt == "markdown":
        def md(v: Any) -> str:
            return str(_cell(v)).replace("|", "\\|").replace("\r", " ").replace("\n", " ")

        lines = ["| " + " | ".join(md(c) for c in columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(md(v) for v in r) + " |" for r in rows]
        return "\n".join(lines) + "\n"
    raise ExportError(f"{fmt} is not a text format")


def write_rows(path: Path, columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> Path:
    """Write the rows to ``path`` in ``fmt`` (one of :data:`EXPORT_FORMATS`); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        _write_xlsx(path, columns, rows)
    elif fmt == "csv":
        path.write_text(render(columns, rows, fmt), encoding="utf-8-sig", newline="")
    else:
        path.write_text(render(columns, rows, fmt), encoding="utf-8")
    return path


def _write_xlsx(path: Path, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "answer"
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([v if v is None or isinstance(v, (str, int, float, bool)) else str(v) for v in r])
    ws.freeze_panes = "A2"
    for i, name in enumerate(columns, start=1):
        letter = get_column_letter(i)
        values = [name, *(r[i - 1] for r in rows)]
        # a CJK character takes about two Latin widths
        widest = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(_cell(v))) for v in values)
        ws.column_dimensions[letter].width = min(max(widest + 2, 8), _MAX_WIDTH)
        if name in WRAPPED:
            for cell in ws[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)
