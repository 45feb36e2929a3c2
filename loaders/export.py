"""Writing the built graph to a folder: plan data, RDF (Turtle, JSON-LD, N-Triples) and GraphML.

Each file is written under a temporary name and moved into place, so a reader (or a second
build writing the same folder) never sees a half-written file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import networkx as nx

from kg.model import PlanData
from kg.pipeline import write_atomic
from loaders.rdf import to_graphml, to_rdf

RDF_FILES = {"kg.ttl": "turtle", "kg.jsonld": "json-ld", "kg.nt": "nt"}


def _replace_with(target: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(graph: nx.MultiDiGraph, plans: list[PlanData], out: Path) -> dict[str, Path]:
    """Write every output of a build into ``out``; returns what was written."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "plans").mkdir(exist_ok=True)
    written: dict[str, Path] = {}
    for p in plans:
        target = out / "plans" / f"{Path(p.source.file).stem}.json"
        write_atomic(target, p.model_dump_json(indent=1))
    rdf = to_rdf(graph)
    for name, fmt in RDF_FILES.items():
        target = out / name
        _replace_with(target, lambda t, fmt=fmt: rdf.serialize(destination=str(t), format=fmt, encoding="utf-8"))
        written[name] = target
    _replace_with(out / "kg.graphml", lambda t: to_graphml(graph, t))
    written["kg.graphml"] = out / "kg.graphml"
    return written
