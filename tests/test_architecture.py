"""One direction of flow: no module imports a layer that ARCHITECTURE.md's folder table does not let it import.

The table ("may import" column of ``../shared/ARCHITECTURE.md``) is the single source: it is read here, not
copied. Every import counts, including those inside functions.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

ARCHITECTURE = ROOT.parent / "shared" / "ARCHITECTURE.md"
CHECKED = ("kg", "ontology", "loaders", "queries", "viz", "cli")  # the packages whose imports are checked


def parse_table(text: str) -> dict[str, set[str]]:
    """folder -> the folders of ours it may import, from the markdown table whose last column is "may import"."""
    rows: list[tuple[str, str]] = []
    in_table = False
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.lstrip().startswith("|") else []
        if cells and cells[-1].lower() == "may import":
            in_table = True
        elif in_table and not cells:
            break
        elif in_table and not set(cells[0]) <= set("-: "):
            rows.append((cells[0].strip("`").rstrip("/"), cells[-1]))
    folders = {folder for folder, _ in rows}
    return {folder: _allowed(rule, folders) for folder, rule in rows}


def _allowed(rule: str, folders: set[str]) -> set[str]:
    named = set(re.findall(r"`([\w.]+)/?`", rule))
    if rule.startswith("nothing"):
        return set()
    if rule.startswith("everything except"):
        return folders - named
    if rule == "everything":
        return set(folders)
    return named


def imports_of(source: str, module: str) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the source, at any depth; relative ones made absolute."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                found.append((node.lineno, ".".join([*base, node.module or ""]).strip(".")))
            else:
                found.append((node.lineno, node.module or ""))
    return found


def violations(source: str, module: str, table: dict[str, set[str]]) -> list[str]:
    """The imports of ``module`` (dotted name) that its folder may not make, as ``module:line -> target``."""
    layer = module.split(".")[0]
    bad = []
    for line, target in imports_of(source, module):
        top = target.split(".")[0]
        if top in table and top != layer and top not in table[layer]:
            bad.append(f"{module}:{line} -> {target} ({layer}/ may import: {', '.join(sorted(table[layer])) or '-'})")
    return bad


def _modules(root: Path):
    for package in CHECKED:
        for path in sorted((root / package).rglob("*.py")):
            if "node_modules" in path.parts:
                continue
            # a package's __init__ keeps its name part, so that its relative imports resolve from the package
            yield ".".join(path.relative_to(root).with_suffix("").parts), path


@pytest.fixture(scope="module")
def table() -> dict[str, set[str]]:
    if not ARCHITECTURE.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{ARCHITECTURE} is missing: the layer rules are read from it")
        pytest.skip(f"{ARCHITECTURE} not found (outside the project's workspace)")
    return parse_table(ARCHITECTURE.read_text(encoding="utf-8"))


def test_the_table_names_every_checked_package(table) -> None:
    assert set(CHECKED) <= set(table), f"ARCHITECTURE.md's folder table lacks {set(CHECKED) - set(table)}"


def test_no_import_runs_against_the_flow(table) -> None:
    bad = [v for module, path in _modules(ROOT) for v in violations(path.read_text(encoding="utf-8"), module, table)]
    assert not bad, "imports the folder table forbids:\n" + "\n".join(bad)


# ---------------------------------------------------------------- the checker itself

FAKE_TABLE = """
| folder | holds | may import |
|---|---|---|
| `ontology/` | the ontology | nothing of ours |
| `kg/` | the records | `ontology` |
| `queries/` | questions | `kg`, `ontology` |
| `cli/` | the command | everything except `tests` |
| `tests/` | pytest | everything |

| other | table |
|---|---|
| `kg/` | ignored |
"""


def test_the_table_is_read_from_its_may_import_column() -> None:
    assert parse_table(FAKE_TABLE) == {
        "ontology": set(), "kg": {"ontology"}, "queries": {"kg", "ontology"},
        "cli": {"ontology", "kg", "queries", "cli"}, "tests": {"ontology", "kg", "queries", "cli", "tests"},
    }


def test_an_import_upwards_is_caught_even_inside_a_function() -> None:
    rules = parse_table(FAKE_TABLE)
    source = (
        "from ontology.iri import mint\n"
        "import kg.model\n"
        "from . import graph\n"
        "def f():\n"
        "    from queries.engines import ask\n"
        "    import cli\n"
        "    import json\n"
    )
    found = violations(source, "kg.fake", rules)
    assert [v.split(" (")[0] for v in found] == ["kg.fake:5 -> queries.engines", "kg.fake:6 -> cli"]
    assert violations(source, "cli.fake", rules) == []
    assert violations("from ..cli import app\n", "queries.sub.fake", rules) == []  # resolves to queries.cli
    assert violations("from ...cli import app\n", "queries.sub.fake", rules)[0].startswith("queries.sub.fake:1 -> cli")
