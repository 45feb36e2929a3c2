"""The ontology's own labels: Chinese and English names of its classes and properties, for display.

They come from the vocabulary generated from ipkg.ttl (``ontology/vocabulary.py``): nothing parses Turtle here.
"""

from __future__ import annotations

from functools import cache

from ontology.vocabulary import LABELS, ONTOLOGY_IRI, RELATIONS

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def ontology_labels() -> dict[str, tuple[str, str]]:
    """IRI -> (Chinese label, English label) for the ontology's classes and properties."""
    return LABELS


def class_label(name: str) -> tuple[str, str]:
    """(zh, en) label of an ontology class given by local name, e.g. Department -> (政府部门, Department)."""
    return ontology_labels().get(f"{ONTOLOGY_IRI}{name}", (name, name))


@cache
def relation_labels() -> dict[str, tuple[str, str]]:
    """Cypher relationship type -> (zh, en) label of the ontology property that declares it."""
    return {rel: (p.zh, p.en) for rel, p in RELATIONS.items()}


# a responsibility's role (ipkg:role, whose shape allows exactly these two values) as plans word it
ROLE_LABELS: dict[str, tuple[str, str]] = {"lead": ("牵头", "lead"), "co": ("配合", "co")}


def role_label(role: str | None) -> str:
    """A responsibility's role for display, e.g. lead -> "牵头 lead"; a value outside the two as itself."""
    if role is None:
        return ""
    zh, en = ROLE_LABELS.get(role, (role, ""))
    return f"{zh} {en}".strip()
