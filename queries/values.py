"""Parameter values checked against the graph before a question runs.

A value that names nothing (``industry=新能源车``) would give an empty answer that looks like a finding;
instead the analyst is told that nothing has that name and shown the closest names the graph has, an
industry with its taxonomy parents (新能源汽车 and 新能源 are siblings under 战略性新兴产业). The names come
from the engine the question is asked on, in Cypher or in SPARQL, so they are the ones it will match.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from queries.catalogue import CatalogueError, Question

# parameter name → the class whose names it takes
CHECKED = {"industry": "Industry", "region": "Region", "indicator": "Indicator", "plan": "Plan",
           "department": "Department"}
ZH = {"industry": "产业", "region": "地区", "indicator": "指标", "plan": "规划", "department": "部门", "theme": "主题"}
THEMES = ("保护", "创造", "运用", "管理", "服务")  # the theme words the catalogue documents
SUGGESTED = 5

# the names a class has: Cypher and SPARQL twins (labels only ever from CHECKED)
CYPHER_NAMES = ("MATCH (n:{label}) OPTIONAL MATCH (n)-[:BROADER]->(b:Industry) "
                "RETURN n.name AS name, n.code AS code, collect(b.name) AS parents")
SPARQL_NAMES = """PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
SELECT ?name ?code (GROUP_CONCAT(?parent; separator="|") AS ?parents) WHERE {{
  ?n a ipkg:{label} ; ipkg:name ?name .
  OPTIONAL {{ ?n ipkg:regionCode ?code }}
  OPTIONAL {{ ?n ipkg:broader/ipkg:name ?parent }}
}} GROUP BY ?name ?code"""
CYPHER_THEME = ("MATCH (t:Task) WHERE t.name CONTAINS $theme OR coalesce(t.section_path, '') CONTAINS $theme "
                "RETURN count(t) AS n")
SPARQL_THEME = """PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
SELECT (COUNT(?t) AS ?n) WHERE {
  ?t a ipkg:Task ; ipkg:name ?name .
  OPTIONAL { ?t ipkg:sectionPath ?path }
  FILTER(CONTAINS(?name, ?theme) || CONTAINS(COALESCE(?path, ""), ?theme))
}"""

Run = Callable[[str, dict[str, Any]], tuple[list[str], list[tuple[Any, ...]]]]


@dataclass(frozen=True)
class Known:
    """A name the graph has, with its other form (a region's code) and its taxonomy parents."""

    name: str
    code: str | None
    parents: tuple[str, ...]


def _known(rows: list[tuple[Any, ...]]) -> list[Known]:
    out: dict[str, Known] = {}
    for name, code, parents in rows:
        if not name:
            continue
        if isinstance(parents, str):
            parents = [p for p in parents.split("|") if p]
        prev = out.get(name)
        merged = tuple(sorted(set(parents or ()) | set(prev.parents if prev else ())))
        out[name] = Known(str(name), str(code) if code is not None else (prev.code if prev else None), merged)
    return list(out.values())


class Checker:
    """Checks a question's values through one engine: ``run(query, params)`` gives columns and rows."""

    def __init__(self, run: Run, dialect: str) -> None:
        self.run = run
        self.dialect = dialect  # "cypher" or "sparql"

    def names(self, label: str) -> list[Known]:
        if label not in CHECKED.values():
            raise ValueError(f"{label!r} is not a class whose names are checked")
        template = CYPHER_NAMES if self.dialect == "cypher" else SPARQL_NAMES
        return _known(self.run(template.format(label=label), {})[1])

    def theme_tasks(self, theme: str) -> int:
        _, rows = self.run(CYPHER_THEME if self.dialect == "cypher" else SPARQL_THEME, {"theme": theme})
        return int(rows[0][0]) if rows else 0

    def check(self, q: Question, params: dict[str, Any]) -> None:
        """Raise :class:`CatalogueError` naming each value that matches nothing, with the closest names."""
        problems = []
        for pname, value in params.items():
            if value is None or not isinstance(value, str):
                continue
            if pname in CHECKED:
                known = self.names(CHECKED[pname])
                if any(value in (k.name, k.code) for k in known):
                    continue
                problems.append(f"no {pname} ({ZH[pname]}) named {value!r} in the graph; "
                                + suggest(value, known))
            elif pname == "theme" and self.theme_tasks(value) == 0:
                problems.append(f"no task's title or section mentions the theme {value!r}; themes the plans use: "
                                + ", ".join(t for t in THEMES if self.theme_tasks(t)))
        if problems:
            raise CatalogueError(f"{q.name}: " + "; ".join(problems))


def closest(value: str, known: list[Known], n: int = SUGGESTED) -> list[Known]:
    """The known names nearest to ``value``: by similarity, and names that contain it or that it contains."""
    by_name = {k.name: k for k in known}
    near = difflib.get_close_matches(value, list(by_name), n=n, cutoff=0.4)
    inside = sorted((k for k in by_name if k not in near and (value in k or k in value)), key=len)
    return [by_name[k] for k in [*near, *inside][:n]]


def suggest(value: str, known: list[Known]) -> str:
    """``closest: A (under P), B (under P)``, or what there is when nothing is close."""
    near = closest(value, known)
    if not near:
        sample = ", ".join(sorted(k.name for k in known)[:SUGGESTED])
        return f"nothing close; it has {len(known)}, such as {sample}" if known else "it has none"
    shown = [k.name + (f" (under {', '.join(k.parents)})" if k.parents else "") for k in near]
    return "closest: " + ", ".join(shown)
