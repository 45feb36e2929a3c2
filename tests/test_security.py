"""Cypher reaches the stores only with parameters: no string-formatted Cypher in the code."""

from __future__ import annotations

import re

import pytest

from loaders.cypher import _statement
from tests.conftest import ROOT

CYPHER = re.compile(r"\b(MATCH|MERGE|CREATE|DELETE|DETACH|UNWIND|RETURN)\b")
# an f-string, %-formatting, .format( or + concatenation on a line that holds Cypher
FORMATTED = re.compile(r"""(\bf["']|["']\s*%\s*[\w(]|\.format\(|["']\s*\+\s*\w)""")


def _cypher_lines():
    for folder in ("kg", "loaders", "queries", "viz"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if CYPHER.search(line) and FORMATTED.search(line):
                    yield f"{path.relative_to(ROOT)}:{n}: {line.strip()}"


def test_no_string_formatted_cypher() -> None:
    # the one place that fills Cypher slots is _statement, and only with the ontology's fixed
    # labels and relationship types (Cypher has no parameters for those)
    allowed = {"loaders/cypher.py"}
    offending = [line for line in _cypher_lines() if line.split(":", 1)[0] not in allowed]
    assert not offending, "\n".join(offending)


def test_statement_slots_take_only_ontology_names() -> None:
    assert _statement("MATCH (n:{label}) RETURN n", label="Plan") == "MATCH (n:Plan) RETURN n"
    for bad in ("Plan) DETACH DELETE (m", "Plan`", "Nonsense"):
        with pytest.raises(ValueError):
            _statement("MATCH (n:{label}) RETURN n", label=bad)
    with pytest.raises(ValueError):
        _statement("MATCH ()-[r:{rel}]->() RETURN r", rel="KNOWS]->() DELETE r //")
