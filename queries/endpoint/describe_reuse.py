"""A plan page's reuse section: the tasks this plan took from other plans and the tasks others took from it,
with the two sentences side by side and their differences marked.

The plan enters the query through pyoxigraph's ``substitutions`` (``?x``), never pasted into the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

import pyoxigraph as ox

# the task-level reuses with a task of ?x at one end: {mine} is this plan's side (target: it took the text,
# source: another took it from this plan). Two plain queries: as one UNION, Oxigraph took a minute over it.
_REUSES = """
PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?x ?task ?other ?otherPlan ?otherPlanName ?similarity ?share ?directed ?reason ?took ?given WHERE {{
  ?x ipkg:hasTask ?task .
  {pattern}
  ?q ipkg:{mine}Evidence ?mineEv ; ipkg:{theirs}Evidence ?otherEv .
  ?mineEv ipkg:sentence ?took . ?otherEv ipkg:sentence ?given .
  ?otherPlan ipkg:hasTask ?other .
  OPTIONAL {{ ?otherPlan rdfs:label ?otherPlanName }}
  OPTIONAL {{ ?q ipkg:similarity ?similarity }}
  OPTIONAL {{ ?q ipkg:share ?share }}
  OPTIONAL {{ ?q ipkg:directed ?directed }}
  OPTIONAL {{ ?q ipkg:directionReason ?reason }}
}} ORDER BY ?otherPlanName DESC(?similarity) ?task LIMIT {limit}"""
SHOWN = 500
REUSES = {  # this plan's side -> its query
    "target": _REUSES.format(pattern="?task ipkg:qualifiedReuse ?q . ?q ipkg:reusedEntity ?other .", mine="target",
                             theirs="source", limit=SHOWN + 1),
    "source": _REUSES.format(pattern="?q ipkg:reusedEntity ?task . ?other ipkg:qualifiedReuse ?q .", mine="source",
                             theirs="target", limit=SHOWN + 1),
}


@dataclass
class Piece:
    """A run of a sentence: ``same`` as in the other sentence, or changed there."""

    text: str
    same: bool


@dataclass
class ReuseRow:
    """One task-level reuse seen from this plan (strings raw: the template escapes them)."""

    side: str  # "took": this plan's task took the other's text; "gave": the other took it; "shared": no direction
    task: str
    other: str
    other_plan: str
    other_plan_name: str
    similarity: float | None
    share: float | None
    reason: str
    mine: list[Piece] = field(default_factory=list)
    theirs: list[Piece] = field(default_factory=list)


def marked(a: str, b: str) -> tuple[list[Piece], list[Piece]]:
    """Both sentences cut into runs equal in the other and runs that differ (difflib's matching blocks)."""
    left: list[Piece] = []
    right: list[Piece] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        for pieces, text in ((left, a[i1:i2]), (right, b[j1:j2])):
            if not text:
                continue
            if pieces and pieces[-1].same == (op == "equal"):  # one run per stretch, however difflib cut it
                pieces[-1].text += text
            else:
                pieces.append(Piece(text, op == "equal"))
    return left, right


def _value(sol: ox.QuerySolution, name: str) -> Any:
    term = sol[name]
    return None if term is None else term.value


def reuses(store: ox.Store, iri: str) -> tuple[list[ReuseRow], bool]:
    """The plan's task-level reuses (first ``SHOWN``: what it took, then what others took from it), and whether
    there are more."""
    rows: list[ReuseRow] = []
    for mine, query in REUSES.items():
        for sol in store.query(query, substitutions={ox.Variable("x"): ox.NamedNode(iri)}):
            directed = _value(sol, "directed") in (None, "true", "1")
            side = ("took" if mine == "target" else "gave") if directed else "shared"
            sim, share = _value(sol, "similarity"), _value(sol, "share")
            left, right = marked(_value(sol, "took"), _value(sol, "given"))
            rows.append(ReuseRow(side=side, task=_value(sol, "task"), other=_value(sol, "other"),
                                 other_plan=_value(sol, "otherPlan"),
                                 other_plan_name=_value(sol, "otherPlanName") or _value(sol, "otherPlan"),
                                 similarity=float(sim) if sim is not None else None,
                                 share=float(share) if share is not None else None,
                                 reason=_value(sol, "reason") or "", mine=left, theirs=right))
    return rows[:SHOWN], len(rows) > SHOWN
