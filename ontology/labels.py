"""The ontology's own labels: Chinese and English names of its classes and properties, for display."""

from __future__ import annotations

from functools import cache

import pyoxigraph as ox

from ontology import ONTOLOGY_TTL
from ontology.iri import ONTOLOGY_IRI

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
CYPHER_TYPE = f"{ONTOLOGY_IRI}cypherType"


@cache
def _store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(ONTOLOGY_TTL), format=ox.RdfFormat.TURTLE)
    return store


@cache
def ontology_labels() -> dict[str, tuple[str, str]]:
    """IRI -> (Chinese label, English label) for the ontology's classes and properties."""
    labels: dict[str, dict[str, str]] = {}
    for sol in _store().query(f"SELECT ?s ?l WHERE {{ ?s <{RDFS_LABEL}> ?l }}"):
        labels.setdefault(sol["s"].value, {})[sol["l"].language or ""] = sol["l"].value
    return {iri: (d.get("zh") or d.get("en") or iri, d.get("en") or d.get("") or "") for iri, d in labels.items()}


def class_label(name: str) -> tuple[str, str]:
    """(zh, en) label of an ontology class given by local name, e.g. Department -> (政府部门, Department)."""
    return ontology_labels().get(f"{ONTOLOGY_IRI}{name}", (name, name))


@cache
def relation_labels() -> dict[str, tuple[str, str]]:
    """Cypher relationship type -> (zh, en) label of the ontology property that declares it."""
    out = {}
    for sol in _store().query(f"SELECT ?p ?t WHERE {{ ?p <{CYPHER_TYPE}> ?t }}"):
        out[sol["t"].value] = ontology_labels().get(sol["p"].value, (sol["t"].value, sol["t"].value))
    return out


# a responsibility's role (ipkg:role, whose shape allows exactly these two values) as plans word it
ROLE_LABELS: dict[str, tuple[str, str]] = {"lead": ("牵头", "lead"), "co": ("配合", "co")}


def role_label(role: str | None) -> str:
    """A responsibility's role for display, e.g. lead -> "牵头 lead"; a value outside the two as itself."""
    if role is None:
        return ""
    zh, en = ROLE_LABELS.get(role, (role, ""))
    return f"{zh} {en}".strip()
