"""The question catalogue: each analyst question is a pair of files, ``NAME.cypher`` and ``NAME.sparql``.

Each file starts with a header of comment lines (``//`` or ``#``) that says the question in
Chinese and English, its parameters and its columns; both twins must declare the same ones.
A parameter line is ``param: NAME TYPE MODE — help``: TYPE is ``str``, ``int``, ``bool`` or a
list of the only values allowed, such as ``lead|co`` (a string that anything else is refused as);
MODE is ``required``, ``optional`` or ``default=VALUE``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
_PARAM = re.compile(r"^(\w+)\s+(str|int|bool|[\w-]+(?:\|[\w-]+)+)\s+(required|optional|default=\S+)\s*—\s*(.*)$")


class CatalogueError(ValueError):
    """A question is missing a twin, has a malformed header, or was asked with bad parameters."""


@dataclass(frozen=True)
class Param:
    """One declared parameter of a question."""

    name: str
    type: str  # str, int or bool
    required: bool
    default: Any
    help: str
    choices: tuple[str, ...] = ()  # the only values a str parameter takes (``lead|co`` in its header), if any

    def convert(self, raw: str) -> Any:
        """The typed value of ``raw``; a value of the wrong type or not among the choices is refused."""
        if self.choices and raw not in self.choices:
            raise CatalogueError(f"parameter {self.name} must be one of {', '.join(self.choices)}, not {raw!r}")
        if self.type == "int":
            try:
                return int(raw)
            except ValueError as exc:
                raise CatalogueError(f"parameter {self.name} must be a whole number, not {raw!r}") from exc
        if self.type == "bool":
            if raw.lower() in ("true", "1", "yes", "是"):
                return True
            if raw.lower() in ("false", "0", "no", "否"):
                return False
            raise CatalogueError(f"parameter {self.name} must be true or false, not {raw!r}")
        return raw


@dataclass(frozen=True)
class Question:
    name: str
    zh: str
    en: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    cypher: str
    sparql: str
    example: dict[str, str] = field(default_factory=dict)  # parameter values for a worked example

    def example_params(self) -> dict[str, Any]:
        """The typed parameters of the question's worked example (its ``example:`` header, else defaults)."""
        return self.bind(self.example)

    def bind(self, given: dict[str, str]) -> dict[str, Any]:
        """Typed parameter values: given ones converted, defaults filled, unknown or missing ones refused; names
        are matched without regard to case."""
        known = {p.name: p for p in self.params}
        spelt = {n.casefold(): n for n in known}  # INDUSTRY= and Industry= name industry
        given = {spelt.get(k.casefold(), k): v for k, v in given.items()}
        unknown = set(given) - set(known)
        if unknown:
            raise CatalogueError(f"{self.name} takes no parameter {', '.join(sorted(unknown))}; it takes: "
                                 + ", ".join(known) if known else f"{self.name} takes no parameters")
        out: dict[str, Any] = {}
        for p in self.params:
            if p.name in given:
                out[p.name] = p.convert(given[p.name])
            elif p.required:
                raise CatalogueError(f"{self.name} needs --param {p.name}=…  ({p.help})")
            else:
                out[p.name] = p.default
        return out


def _header(text: str, marker: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.startswith(marker):
            break
        key, _, value = line[len(marker):].strip().partition(":")
        fields.setdefault(key.strip(), []).append(value.strip())
    return fields


def _params(lines: list[str], where: str) -> tuple[Param, ...]:
    out = []
    for line in lines:
        m = _PARAM.match(line)
        if not m:
            raise CatalogueError(f"{where}: malformed parameter line {line!r}")
        name, typ, mode, help_ = m.groups()
        choices = tuple(typ.split("|")) if "|" in typ else ()
        typ = "str" if choices else typ
        default = None
        if mode.startswith("default="):
            try:
                default = Param(name, typ, False, None, help_, choices).convert(mode.removeprefix("default="))
            except CatalogueError as exc:
                raise CatalogueError(f"{where}: {exc}") from None
        out.append(Param(name, typ, mode == "required", default, help_, choices))
    return tuple(out)


def _load(name: str) -> Question:
    cy, sp = CATALOGUE_DIR / f"{name}.cypher", CATALOGUE_DIR / f"{name}.sparql"
    for f in (cy, sp):
        if not f.exists():
            raise CatalogueError(f"question {name} has no {f.suffix[1:]} twin ({f.name} is missing)")
    cyt, spt = cy.read_text(encoding="utf-8"), sp.read_text(encoding="utf-8")
    hc, hs = _header(cyt, "//"), _header(spt, "#")
    for key in ("question", "zh", "en", "columns"):
        if key not in hc:
            raise CatalogueError(f"{cy.name}: header has no '{key}:' line")
    params = _params(hc.get("param", []), cy.name)
    columns = tuple(c.strip() for c in hc["columns"][0].split(","))
    if _params(hs.get("param", []), sp.name) != params or hs.get("columns") != hc["columns"]:
        raise CatalogueError(f"{name}: the Cypher and SPARQL twins declare different parameters or columns")
    if hs.get("example") != hc.get("example"):
        raise CatalogueError(f"{name}: the Cypher and SPARQL twins give different examples")
    example = dict(kv.split("=", 1) for line in hc.get("example", []) for kv in line.split())
    return Question(name, hc["zh"][0], hc["en"][0], params, columns, cyt, spt, example)


@cache
def catalogue() -> dict[str, Question]:
    """Every question, by name; a question with one twin missing is an error, not a silent gap."""
    names = sorted({f.stem for f in CATALOGUE_DIR.glob("*.cypher")} | {f.stem for f in CATALOGUE_DIR.glob("*.sparql")})
    return {n: _load(n) for n in names}


def question(name: str) -> Question:
    cat = catalogue()
    if name not in cat:
        raise CatalogueError(f"no question {name!r}; ask one of: {', '.join(cat)}")
    return cat[name]
