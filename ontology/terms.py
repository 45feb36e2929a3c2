"""The records of the ontology's vocabulary; ``ontology/vocabulary.py``, generated from ipkg.ttl, holds their values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """A labelled term of the ontology: its local name, its IRI and its Chinese and English labels (rdfs:label)."""

    name: str  # e.g. GeographicalIndication
    iri: str
    zh: str
    en: str


@dataclass(frozen=True)
class OntologyClass(Term):
    """An OWL class, with what the code needs to store, mint and draw its instances."""

    superclasses: tuple[str, ...] = ()  # rdfs:subClassOf (IRIs, sorted)
    cypher_label: str | None = None  # ipkg:cypherLabel: the node label of its instances in a property graph
    iri_segment: str | None = None  # ipkg:iriSegment: the path segment its instances' IRIs are minted under
    colour: str | None = None  # ipkg:pictureColour: the colour pictures draw its instances in
    shape: str | None = None  # ipkg:pictureShape: the vis-network shape pictures draw its instances with


@dataclass(frozen=True)
class ObjectProperty(Term):
    """An OWL object property; one with a Cypher type is a relationship type of the property graph."""

    cypher_type: str | None = None  # ipkg:cypherType
    domain: str | None = None  # rdfs:domain (an IRI)
    range: str | None = None  # rdfs:range (an IRI)


@dataclass(frozen=True)
class DatatypeProperty(Term):
    """An OWL datatype property; one with a Cypher property key is stored on property-graph nodes under it."""

    cypher_property: str | None = None  # ipkg:cypherProperty
    domain: str | None = None  # rdfs:domain (an IRI)
    range: str | None = None  # rdfs:range (an XSD datatype IRI)
