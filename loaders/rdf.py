"""RDF and GraphML writers: the knowledge graph as linked data (rdflib) and as GraphML (networkx).

Nodes keep their minted IRIs and become instances of the ontology's classes; relationships
become the ontology's object properties. Evidence becomes an ``ipkg:Evidence`` node (a PROV-O
entity and a Web Annotation) whose target is the source plan, selected by a
``TextPositionSelector`` (start/end) and a ``TextQuoteSelector`` (the sentence). A responsibility
is both a direct ``ipkg:responsibleFor`` triple and a qualified ``ipkg:Responsibility`` node
carrying role, explicitness, reason and evidence. A reuse is likewise a direct ``ipkg:reuses``
triple, the PROV-O one it stands for (``prov:wasQuotedFrom`` task to task, ``prov:wasDerivedFrom``
plan to plan) and a qualified ``ipkg:Reuse`` node (a ``prov:Quotation`` or ``prov:Derivation``)
carrying the numbers and an evidence node for each of the two documents.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, ClosedNamespace

from ontology.iri import base_iri, mint
from ontology.vocabulary import CLASSES, DATATYPE_PROPERTIES, NAMES, ONTOLOGY_IRI, RELATIONS

# the ontology's terms, and no others: a misspelt IPKG.term fails at once
IPKG = ClosedNamespace(ONTOLOGY_IRI, sorted(NAMES))
OA = Namespace("http://www.w3.org/ns/oa#")
IND = Namespace("https://w3id.org/ipkg/industry/")

# node label -> ontology class
CLASS_IRI: dict[str, URIRef] = {c.cypher_label: URIRef(c.iri) for c in CLASSES.values() if c.cypher_label}
# the node labels whose instances are SKOS concepts (their classes are subclasses of skos:Concept)
CONCEPTS: frozenset[str] = frozenset(label for label in CLASS_IRI if str(SKOS.Concept) in CLASSES[label].superclasses)
# relationship type -> ontology property
REL_PROPERTY: dict[str, URIRef] = {rel: URIRef(p.iri) for rel, p in RELATIONS.items()}
# node property -> (ontology property, datatype or None for a plain string)
NODE_PROPERTY: dict[str, tuple[URIRef, URIRef | None]] = {
    p.cypher_property: (URIRef(p.iri), None if p.range in (None, str(XSD.string)) else URIRef(p.range))
    for p in DATATYPE_PROPERTIES if p.cypher_property
}

# a REUSES edge's numbers: edge property -> (property of its qualified ipkg:Reuse node, datatype)
REUSE_PROPERTIES: tuple[tuple[str, URIRef, URIRef | None], ...] = (
    ("similarity", IPKG.similarity, XSD.decimal), ("share", IPKG.share, XSD.decimal),
    ("sentences", IPKG.matchedSentences, XSD.nonNegativeInteger), ("tasks", IPKG.reusedTasks, XSD.nonNegativeInteger),
    ("directed", IPKG.directed, XSD.boolean), ("reason", IPKG.directionReason, None),
)
# evidence property -> the suffix of a reuse side's edge property holding it (source_file, target_start …)
SIDE_KEYS = (("source", "file"), ("start", "start"), ("end", "end"), ("sentence", "sentence"),
             ("section_path", "section_path"))


def _literal(value: Any, datatype: URIRef | None) -> Literal:
    if datatype == XSD.decimal:
        # positional notation: a float such as 1e-05 prints with an exponent, which xsd:decimal does not allow
        return Literal(format(Decimal(str(value)), "f"), datatype=XSD.decimal)
    if datatype == XSD.boolean:
        return Literal(bool(value))
    if datatype == XSD.gYear:
        return Literal(f"{int(value):04d}", datatype=XSD.gYear)
    if datatype is not None:
        return Literal(str(value), datatype=datatype)
    return Literal(str(value))


class RdfWriter:
    def __init__(self, graph: nx.MultiDiGraph):
        self.nx = graph
        self.g = Graph()
        for prefix, ns in (("ipkg", IPKG), ("skos", SKOS), ("prov", PROV), ("oa", OA), ("dcterms", DCTERMS),
                           ("owl", OWL), ("id", Namespace(base_iri())), ("ind", IND)):
            self.g.bind(prefix, ns)
        self._plan_of_source: dict[str, URIRef] = {
            d["source_file"]: URIRef(n) for n, d in graph.nodes(data=True)
            if d["label"] == "Plan" and d.get("source_file")
        }

    def evidence(self, props: dict[str, Any], owner: str) -> URIRef | None:
        """An evidence node for the flat evidence properties of a node or edge (deterministic IRI)."""
        if "source" not in props or "start" not in props:
            return None
        plan = self._plan_of_source.get(props["source"])
        if plan is None:
            return None
        digest = hashlib.sha1(f"{owner}|{props['start']}|{props['end']}".encode()).hexdigest()[:12]
        ev = URIRef(mint("Evidence", plan.rsplit("/", 1)[-1], f"{props['start']}-{props['end']}-{digest}"))
        g = self.g
        if (ev, RDF.type, IPKG.Evidence) in g:
            return ev
        g.add((ev, RDF.type, IPKG.Evidence))
        g.add((ev, RDF.type, OA.Annotation))
        g.add((ev, RDF.type, PROV.Entity))
        g.add((ev, IPKG.source, plan))
        g.add((ev, IPKG.sentence, Literal(props.get("sentence", ""))))
        g.add((ev, IPKG.start, Literal(int(props["start"]), datatype=XSD.nonNegativeInteger)))
        g.add((ev, IPKG.end, Literal(int(props["end"]), datatype=XSD.nonNegativeInteger)))
        if props.get("section_path"):
            g.add((ev, IPKG.sectionPath, Literal(props["section_path"])))
        target = URIRef(f"{ev}#target")
        pos, quote = URIRef(f"{ev}#position"), URIRef(f"{ev}#quote")
        g.add((ev, OA.hasTarget, target))
        g.add((target, OA.hasSource, plan))
        g.add((target, OA.hasSelector, pos))
        g.add((target, OA.hasSelector, quote))
        g.add((pos, RDF.type, OA.TextPositionSelector))
        g.add((pos, OA.start, Literal(int(props["start"]), datatype=XSD.nonNegativeInteger)))
        g.add((pos, OA.end, Literal(int(props["end"]), datatype=XSD.nonNegativeInteger)))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(props.get("sentence", ""))))
        return ev

    def write_graph(self) -> Graph:
        g = self.g
        for n, d in self.nx.nodes(data=True):
            s = URIRef(n)
            g.add((s, RDF.type, CLASS_IRI[d["label"]]))
            g.add((s, RDFS.label, Literal(d["name"], lang="zh")))
            for key, (prop, dtype) in NODE_PROPERTY.items():
                if key in d and d[key] is not None:
                    g.add((s, prop, _literal(d[key], dtype)))
            for alias in d.get("aliases") or []:
                g.add((s, IPKG.alias, Literal(alias)))
            if d["label"] == "Task" and "section_path" in d:
                g.add((s, IPKG.sectionPath, Literal(d["section_path"])))
            if d["label"] in CONCEPTS:
                g.add((s, SKOS.prefLabel, Literal(d["name"], lang="zh")))
                for alt in d.get("alt_labels") or []:
                    g.add((s, SKOS.altLabel, Literal(alt, lang="zh")))
                if d.get("concept"):
                    g.add((s, SKOS.exactMatch, IND[d["concept"]]))
            ev = self.evidence(d, n)
            if ev is not None:
                g.add((s, IPKG.evidence, ev))
        for a, b, rel, d in self.nx.edges(keys=True, data=True):
            s, o = URIRef(a), URIRef(b)
            g.add((s, REL_PROPERTY[rel], o))
            if rel == "BROADER":
                g.add((s, SKOS.broader, o))
            if rel == "RESPONSIBLE_FOR":
                digest = hashlib.sha1(f"{a}|{b}".encode()).hexdigest()[:12]
                q = URIRef(f"{b}/responsibility/{digest}")
                g.add((o, IPKG.qualifiedResponsibility, q))
                g.add((q, RDF.type, IPKG.Responsibility))
                g.add((q, IPKG.responsibleAgent, s))
                g.add((q, IPKG.role, Literal(d.get("role", "co"))))
                g.add((q, IPKG.explicit, Literal(bool(d.get("explicit", True)))))
                if d.get("reason"):
                    g.add((q, IPKG.reason, Literal(d["reason"])))
                ev = self.evidence(d, f"{a}|{b}")
                if ev is not None:
                    g.add((q, IPKG.evidence, ev))
            elif rel == "REUSES":
                self.reuse(a, b, d)
            elif rel in ("IMPLEMENTS", "PRIORITIZES", "PROMOTES", "ISSUED_BY"):
                ev = self.evidence(d, f"{a}|{rel}|{b}")
                if ev is not None:
                    # evidence of a statement: an rdf:Statement (standard reification) that carries it
                    digest = hashlib.sha1(f"{a}|{rel}|{b}".encode()).hexdigest()[:12]
                    st = URIRef(f"{a}/statement/{digest}")
                    g.add((st, RDF.type, RDF.Statement))
                    g.add((st, RDF.subject, s))
                    g.add((st, RDF.predicate, REL_PROPERTY[rel]))
                    g.add((st, RDF.object, o))
                    g.add((st, IPKG.evidence, ev))
        return g

    def reuse(self, a: str, b: str, d: dict[str, Any]) -> None:
        """A REUSES edge (``a`` took text from ``b``) as PROV-O and a qualified ipkg:Reuse node with both evidence
        spans, each an oa:Annotation with a TextPositionSelector and a TextQuoteSelector on its own document."""
        g = self.g
        s, o = URIRef(a), URIRef(b)
        quote = self.nx.nodes[a]["label"] == "Task" and self.nx.nodes[b]["label"] == "Task"
        q = URIRef(f"{a}/reuse/{hashlib.sha1(f'{a}|{b}'.encode()).hexdigest()[:12]}")
        g.add((s, PROV.wasQuotedFrom if quote else PROV.wasDerivedFrom, o))
        g.add((s, IPKG.qualifiedReuse, q))
        g.add((s, PROV.qualifiedQuotation if quote else PROV.qualifiedDerivation, q))
        g.add((q, RDF.type, IPKG.Reuse))
        g.add((q, RDF.type, PROV.Quotation if quote else PROV.Derivation))
        g.add((q, IPKG.reusedEntity, o))
        for key, prop, dtype in REUSE_PROPERTIES:
            if d.get(key) is not None:
                g.add((q, prop, _literal(d[key], dtype)))
        for side, prop in (("source", IPKG.sourceEvidence), ("target", IPKG.targetEvidence)):
            ev = self.evidence({k: d[f"{side}_{k2}"] for k, k2 in SIDE_KEYS if f"{side}_{k2}" in d}, f"{a}|{b}|{side}")
            if ev is not None:
                g.add((q, prop, ev))


def to_rdf(graph: nx.MultiDiGraph) -> Graph:
    """The knowledge graph as an rdflib Graph."""
    return RdfWriter(graph).write_graph()


def _graphml_safe(value: Any) -> Any:
    if isinstance(value, (set, list, tuple)):
        return json.dumps(sorted(value) if isinstance(value, set) else list(value), ensure_ascii=False)
    return value


def to_graphml(graph: nx.MultiDiGraph, path: Path) -> None:
    """GraphML (lists and sets as JSON strings, which GraphML cannot hold otherwise)."""
    safe = nx.MultiDiGraph()
    for n, d in graph.nodes(data=True):
        safe.add_node(n, **{k: _graphml_safe(v) for k, v in d.items() if v is not None})
    for a, b, k, d in graph.edges(keys=True, data=True):
        safe.add_edge(a, b, key=k, **{kk: _graphml_safe(v) for kk, v in d.items() if v is not None})
    nx.write_graphml(safe, path, encoding="utf-8")
