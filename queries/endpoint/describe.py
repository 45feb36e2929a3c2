"""What the store knows about one entity: its description as RDF and as rows for its HTML page.

Every query here is a fixed text; the entity enters through pyoxigraph's ``substitutions`` (the
``?x`` variable is bound to the IRI before evaluation), never by pasting it into the query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ontology.labels import RDFS_LABEL, role_label
from queries.endpoint.describe_reuse import ReuseRow, reuses
from queries.endpoint.results import PREFIXES

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PLAN_CLASS = "https://w3id.org/ipkg/ontology#Plan"

# the entity, what it points at, what points at it, and its evidence nodes (as Cool URIs' "bounded description")
DESCRIBE = """
PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
CONSTRUCT { ?x ?p ?o . ?s ?q ?x . ?ev ?ep ?eo . } WHERE {
  { ?x ?p ?o } UNION { ?s ?q ?x } UNION { ?x ipkg:evidence ?ev . ?ev ?ep ?eo }
}"""
EXISTS = "ASK { { ?x ?p ?o } UNION { ?s ?q ?x } }"
OUTGOING = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?x ?p ?o ?label WHERE { ?x ?p ?o . OPTIONAL { ?o rdfs:label ?label } } ORDER BY ?p ?o"""
INCOMING = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?x ?s ?q ?label WHERE { ?s ?q ?x . OPTIONAL { ?s rdfs:label ?label } } ORDER BY ?q ?s LIMIT 501"""
# evidence of the entity itself, of qualified responsibilities naming it, and of statements about it
EVIDENCE = """
PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?x ?sentence ?path ?plan ?planName ?about WHERE {
  { ?x ipkg:evidence ?ev . BIND("" AS ?about) }
  UNION { ?r ipkg:responsibleAgent ?x ; ipkg:evidence ?ev . ?t ipkg:qualifiedResponsibility ?r ; rdfs:label ?about }
  UNION { ?st rdf:subject ?x ; ipkg:evidence ?ev ; rdf:object ?obj . ?obj rdfs:label ?about }
  ?ev ipkg:sentence ?sentence ; ipkg:source ?plan .
  OPTIONAL { ?ev ipkg:sectionPath ?path }
  OPTIONAL { ?plan rdfs:label ?planName }
} ORDER BY ?planName ?path LIMIT 200"""
# the qualified responsibilities naming the entity: a department's (with their tasks) or a task's (with
# their departments), lead before co; the first RESPONSIBILITIES_SHOWN, and one more to tell there are more
RESPONSIBILITIES_SHOWN = 500
RESPONSIBILITIES = """
PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?x ?r ?side ?other ?otherName ?role ?explicit ?reason WHERE {
  { ?r ipkg:responsibleAgent ?x . ?other ipkg:qualifiedResponsibility ?r . BIND("task" AS ?side) }
  UNION { ?x ipkg:qualifiedResponsibility ?r . ?r ipkg:responsibleAgent ?other . BIND("department" AS ?side) }
  OPTIONAL { ?r ipkg:role ?role }
  OPTIONAL { ?r ipkg:explicit ?explicit }
  OPTIONAL { ?r ipkg:reason ?reason }
  OPTIONAL { ?other ipkg:qualifiedName ?qualified }
  OPTIONAL { ?other rdfs:label ?label }
  BIND(COALESCE(?qualified, ?label, STR(?other)) AS ?otherName)
} ORDER BY DESC(?role) ?otherName ?other ?r LIMIT 501"""


def short(iri: str) -> str:
    """A predicate or class IRI as a short name (ipkg:name, rdfs:label …) for display."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@dataclass
class Link:
    predicate: str
    iri: str
    label: str


@dataclass
class Responsibility:
    """One qualified responsibility naming the entity: the task or department at its other end, and how."""

    iri: str  # the ipkg:Responsibility node
    side: str  # what the other end is: "task" (on a department's page) or "department" (on a task's page)
    other: str  # the task or department at the other end
    name: str  # the other end's qualified name or label
    role: str  # lead or co
    explicit: bool
    reason: str = ""  # why an inferred owner was assigned

    @property
    def role_label(self) -> str:
        """The role as plans word it: 牵头 lead, 配合 co."""
        return role_label(self.role)


@dataclass
class Entity:
    """Rows for an entity's HTML page (all strings raw: the template escapes them)."""

    iri: str
    label: str
    classes: list[str] = field(default_factory=list)
    properties: list[tuple[str, str]] = field(default_factory=list)
    outgoing: list[Link] = field(default_factory=list)
    incoming: list[Link] = field(default_factory=list)
    incoming_more: bool = False
    evidence: list[dict[str, str]] = field(default_factory=list)
    responsibilities: list[Responsibility] = field(default_factory=list)
    responsibilities_more: bool = False
    reuses: list[ReuseRow] = field(default_factory=list)  # a plan's: what it took from other plans, who took from it
    reuses_more: bool = False


def _bind(iri: str) -> dict[ox.Variable, Any]:
    return {ox.Variable("x"): ox.NamedNode(iri)}


def exists(store: ox.Store, iri: str) -> bool:
    return bool(store.query(EXISTS, substitutions=_bind(iri)))


def describe(store: ox.Store, iri: str) -> list[ox.Triple]:
    """The entity's bounded description as triples."""
    return list(store.query(DESCRIBE, substitutions=_bind(iri)))


def entity(store: ox.Store, iri: str) -> Entity:
    """The rows of an entity's page."""
    e = Entity(iri=iri, label="")
    for sol in store.query(OUTGOING, substitutions=_bind(iri)):
        p, o = sol["p"].value, sol["o"]
        if p == RDF_TYPE:
            e.classes.append(o.value)
        elif isinstance(o, ox.Literal):
            if p == RDFS_LABEL and not e.label:
                e.label = o.value
            e.properties.append((p, o.value))
        else:
            e.outgoing.append(Link(p, o.value, sol["label"].value if sol["label"] else ""))
    for i, sol in enumerate(store.query(INCOMING, substitutions=_bind(iri))):
        if i == 500:
            e.incoming_more = True
            break
        e.incoming.append(Link(sol["q"].value, sol["s"].value, sol["label"].value if sol["label"] else ""))
    for sol in store.query(EVIDENCE, substitutions=_bind(iri)):
        e.evidence.append({k: (sol[k].value if sol[k] is not None else "")
                           for k in ("sentence", "path", "plan", "planName", "about")})
    for i, sol in enumerate(store.query(RESPONSIBILITIES, substitutions=_bind(iri))):
        if i == RESPONSIBILITIES_SHOWN:
            e.responsibilities_more = True
            break
        explicit = sol["explicit"]
        e.responsibilities.append(Responsibility(
            iri=sol["r"].value, side=sol["side"].value, other=sol["other"].value, name=sol["otherName"].value,
            role=sol["role"].value if sol["role"] else "",
            explicit=explicit is None or explicit.value in ("true", "1"),
            reason=sol["reason"].value if sol["reason"] else ""))
    if PLAN_CLASS in e.classes:
        e.reuses, e.reuses_more = reuses(store, iri)
    e.label = e.label or iri.rsplit("/", 1)[-1]
    return e
