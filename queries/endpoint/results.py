"""Running one SPARQL query on a store and serialising its results in a negotiated format.

This is what a query worker executes. Results are cut off at a row limit while they are being
read (the engine evaluates lazily, so a query for millions of rows stops at limit + 1): a result
above the limit is refused with a message rather than silently truncated.
Serialisation is pyoxigraph's; the only code of ours turns the rows that were read into SPARQL
JSON, which pyoxigraph then re-serialises as XML, CSV or TSV.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import islice
from typing import Any

import mimeparse
import pyoxigraph as ox

# media type -> format, first one the default (what a client that accepts anything gets)
SOLUTION_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/json": ox.RdfFormat.JSON_LD,
}
# the `format=` parameter's short names (as Fuseki and Virtuoso accept them)
SHORT_NAMES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "ttl": "text/turtle", "turtle": "text/turtle",
    "nt": "application/n-triples", "ntriples": "application/n-triples", "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
PREFIXES = {
    "ipkg": "https://w3id.org/ipkg/ontology#", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#", "dcterms": "http://purl.org/dc/terms/",
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class Outcome:
    """What a query came to: an HTTP status, a media type and a body."""

    status: int
    media_type: str
    body: bytes


def refusal(status: int, message: str) -> Outcome:
    return Outcome(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode())


def negotiate(accept: str, offered: dict[str, Any], wanted: str | None = None) -> str | None:
    """The offered media type that best matches an Accept header (or an explicit format name)."""
    if wanted:
        wanted = SHORT_NAMES.get(wanted.lower(), wanted.lower())
        return wanted if wanted in offered else None
    accept = accept.strip() or "*/*"
    # mimeparse prefers later entries on equal quality: offer the defaults last
    try:
        best = mimeparse.best_match(list(reversed(offered)), accept)
    except (ValueError, mimeparse.MimeTypeParseException):
        best = ""
    return best or None


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype and term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {
        "subject": _term_json(term.subject), "predicate": _term_json(term.predicate),
        "object": _term_json(term.object)}}


def _solutions(result: ox.QuerySolutions, media: str, limit: int) -> Outcome:
    names = [v.value for v in result.variables]
    rows = list(islice(result, limit + 1))
    if len(rows) > limit:
        return refusal(422, f"the result has more than {limit:,} rows, the endpoint's row limit: "
                            "add LIMIT (and OFFSET to page) or aggregate")
    doc = {"head": {"vars": names}, "results": {"bindings": [
        {n: _term_json(row[n]) for n in names if row[n] is not None} for row in rows]}}
    body = json.dumps(doc, ensure_ascii=False).encode()
    fmt = SOLUTION_TYPES[media]
    if fmt != ox.QueryResultsFormat.JSON:
        body = ox.parse_query_results(body, ox.QueryResultsFormat.JSON).serialize(format=fmt)
    return Outcome(200, _with_charset(media), body)


def _triples(result: ox.QueryTriples, media: str, limit: int) -> Outcome:
    triples = list(islice(result, limit + 1))
    if len(triples) > limit:
        return refusal(422, f"the result has more than {limit:,} triples, the endpoint's row limit: add LIMIT")
    fmt = GRAPH_TYPES[media]
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return Outcome(200, _with_charset(media), ox.serialize(triples, format=fmt, prefixes=prefixes) or b"")


def _with_charset(media: str) -> str:
    return f"{media}; charset=utf-8" if media.startswith("text/") else media


def execute(store: ox.Store, query: str, accept: str, *, wanted: str | None = None, row_limit: int = 100_000,
            default_graphs: list[str] | None = None, named_graphs: list[str] | None = None) -> Outcome:
    """Run a SPARQL query and serialise its result for the client; errors become 4xx outcomes."""
    kwargs: dict[str, Any] = {}
    if default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    if named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        result = store.query(query, **kwargs)
    except SyntaxError as exc:
        return refusal(400, f"SPARQL syntax error: {exc}")
    except ValueError as exc:  # e.g. an invalid graph IRI
        return refusal(400, f"bad request: {exc}")
    offered: dict[str, Any] = GRAPH_TYPES if isinstance(result, ox.QueryTriples) else SOLUTION_TYPES
    media = negotiate(accept, offered, wanted)
    if media is None:
        return refusal(406, "no acceptable result format; this query can answer in: " + ", ".join(offered))
    try:
        if isinstance(result, ox.QueryBoolean):
            return Outcome(200, _with_charset(media), result.serialize(format=SOLUTION_TYPES[media]))
        if isinstance(result, ox.QuerySolutions):
            return _solutions(result, media, row_limit)
        return _triples(result, media, row_limit)
    except OSError as exc:  # evaluation errors surface while reading the results
        return refusal(500, f"query evaluation failed: {exc}")
