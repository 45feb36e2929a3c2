"""Writing the built graph to a folder: plan data, RDF (Turtle, JSON-LD, N-Triples), GraphML and the reuse report.

rdflib builds the RDF graph and writes it as N-Triples; pyoxigraph streams that into Turtle
and JSON-LD (rdflib's Turtle writer takes about 8x longer than its N-Triples writer, which
matters at the scale of thousands of plans). Each file is written under a temporary name and
moved into place, so a reader (or a second build writing the same folder) never sees a
half-written file.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph

from kg.build import REUSE_FILE
from kg.folder import write_meta
from kg.model import PlanData
from kg.pipeline import replace_atomically, write_atomic
from loaders.rdf import to_graphml, to_rdf


def write_outputs(graph: nx.MultiDiGraph, plans: list[PlanData], out: Path) -> dict[str, Path]:
    """Write every output of a build into ``out``; returns what was written."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "plans").mkdir(exist_ok=True)
    for p in plans:
        target = out / "plans" / f"{Path(p.source.file).stem}.json"
        write_atomic(target, p.model_dump_json(indent=1))
    written = write_rdf(graph, out)
    replace_atomically(out / "kg.graphml", lambda t: to_graphml(graph, t))
    written["kg.graphml"] = out / "kg.graphml"
    reuse = graph.graph.get("reuse")  # the reuse report the graph's REUSES edges were assembled from (kg.graph)
    if reuse is not None:
        write_atomic(out / REUSE_FILE, reuse.model_dump_json(indent=1))
        written[REUSE_FILE] = out / REUSE_FILE
    return written


def write_rdf(graph: nx.MultiDiGraph, out: Path) -> dict[str, Path]:
    """kg.nt, kg.ttl and kg.jsonld of the graph in ``out``, and beside them build.json (what readers need to know
    about the graph, such as its base IRI, without reading it)."""
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    rdf = to_rdf(graph)
    nt = out / "kg.nt"
    replace_atomically(nt, lambda t: rdf.serialize(destination=str(t), format="nt", encoding="utf-8"))
    written["kg.nt"] = nt
    write_meta(graph, out)
    prefixes = {p: str(ns) for p, ns in rdf.namespaces() if p}
    for name, fmt in (("kg.ttl", pyoxigraph.RdfFormat.TURTLE), ("kg.jsonld", pyoxigraph.RdfFormat.JSON_LD)):
        target = out / name
        replace_atomically(target, lambda t, fmt=fmt: pyoxigraph.serialize(
            pyoxigraph.parse(path=str(nt), format=pyoxigraph.RdfFormat.N_TRIPLES), str(t), fmt,
            prefixes=prefixes if fmt == pyoxigraph.RdfFormat.TURTLE else None))
        written[name] = target
    return written
