"""The endpoint's self-descriptions: a SPARQL 1.1 Service Description and a VoID description.

Both are built with rdflib from the dataset's counts, with absolute URLs on the server's configured
address (``Settings.root``: `ipkg serve --public-url`, else the address it listens on), never on the
request's Host header.
"""

from __future__ import annotations

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, VOID

from ontology.iri import ONTOLOGY_IRI
from queries.endpoint.store import DatasetInfo

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
# the W3C format IRIs of what /sparql can answer in
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML")
TITLE = "ipkg：知识产权规划知识图谱 / Knowledge graph of Chinese IP policy plans"


def void_graph(info: DatasetInfo, root: str, base_iri: str) -> Graph:
    """VoID: triples, entities, classes (with a partition per class), endpoint, dumps, URI space."""
    g = Graph()
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    ds = URIRef(f"{root}void#dataset")
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal(TITLE)))
    g.add((ds, DCTERMS.description, Literal(
        "Plans, indicators and targets, departments and their responsibilities, industries, brands and "
        "geographical indications extracted from local governments' IP plans, each fact with its evidence.",
        lang="en")))
    g.add((ds, VOID.triples, Literal(info.triples, datatype=XSD.integer)))
    g.add((ds, VOID.entities, Literal(info.entities, datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(len(info.classes), datatype=XSD.integer)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{root}sparql")))
    g.add((ds, VOID.uriSpace, Literal(base_iri)))
    g.add((ds, VOID.vocabulary, URIRef(ONTOLOGY_IRI.rstrip("#"))))
    g.add((ds, FOAF.homepage, URIRef(root)))
    for name in info.dumps:
        g.add((ds, VOID.dataDump, URIRef(f"{root}dump/{name}")))
    for i, (cls, n) in enumerate(info.classes.items()):
        part = URIRef(f"{root}void#class{i}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    return g


def service_graph(info: DatasetInfo, root: str) -> Graph:
    """A SPARQL 1.1 Service Description of /sparql (read-only: SPARQL 1.1 Query only)."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    svc = URIRef(f"{root}sparql#service")
    g.add((svc, RDF.type, SD.Service))
    g.add((svc, SD.endpoint, URIRef(f"{root}sparql")))
    g.add((svc, SD.supportedLanguage, SD.SPARQL11Query))
    for f in RESULT_FORMATS:
        g.add((svc, SD.resultFormat, FORMATS[f]))
    dataset, default = URIRef(f"{root}sparql#dataset"), URIRef(f"{root}void#dataset")
    g.add((svc, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDF.type, VOID.Dataset))
    g.add((default, VOID.triples, Literal(info.triples, datatype=XSD.integer)))
    return g


# media type -> rdflib serializer name, for the two descriptions
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
                  "application/rdf+xml": "xml"}
