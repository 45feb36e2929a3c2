"""A folder that ``ipkg build`` wrote: its plan data, its graph and the metadata kept beside ``kg.nt``.

Every reader of a built folder takes the graph from :func:`graph_of` (assembled again from
``plans/*.json``, which is quick) and the base IRI the graph was built with from :func:`base_iri_of`
(``build.json``, written at build time beside ``kg.nt``).
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from kg.build import build_from, saved_reuse
from kg.pipeline import write_atomic
from ontology.iri import KINDS, ONTOLOGY_IRI

META = "build.json"  # beside kg.nt: what a reader needs to know about the graph without reading it
META_FORMAT = 1
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class FolderError(Exception):
    """The folder holds no built graph (or none this reader can use); the message says what to run."""


def plans_dir(folder: Path) -> Path:
    return folder / "plans"


def has_plans(folder: Path) -> bool:
    """Whether the folder holds plan data to assemble a graph from."""
    plans = plans_dir(folder)
    return plans.is_dir() and any(plans.glob("*.json"))


def graph_of(folder: Path) -> tuple[nx.MultiDiGraph, list[str]]:
    """The knowledge graph of a built folder, assembled again from its ``plans/*.json`` with the reuse its build found
    (reuse.json: detection over a large corpus takes a while); with one line per plan file that could not be read.
    Raises :class:`FolderError` when there is no plan data."""
    plans = plans_dir(folder)
    if not plans.is_dir():
        raise FolderError(f"{plans} not found: run `ipkg build --out {folder}` first")
    if not has_plans(folder):
        raise FolderError(f"{plans} has no plan data: run `ipkg build --out {folder}` first")
    graph, _, errors = build_from([plans], reuse=saved_reuse(folder))
    return graph, errors


def base_of(plan_iri: str) -> str | None:
    """The base IRI a plan's IRI was minted under (everything before ``plan/``)."""
    marker = f"/{KINDS['Plan']}/"
    return plan_iri[: plan_iri.index(marker) + 1] if marker in plan_iri else None


def graph_base_iri(graph: nx.MultiDiGraph) -> str | None:
    """The base IRI of the graph's entities, read off one of its plans (None for a graph without plans)."""
    for iri, data in graph.nodes(data=True):
        if data.get("label") == "Plan":
            return base_of(iri)
    return None


def write_meta(graph: nx.MultiDiGraph, folder: Path) -> Path:
    """Write ``build.json`` beside ``kg.nt``: the base IRI the graph was built with."""
    return _write_meta(folder, graph_base_iri(graph))


def _write_meta(folder: Path, base: str | None) -> Path:
    target = folder / META
    write_atomic(target, json.dumps({"format": META_FORMAT, "base_iri": base}, ensure_ascii=False, indent=1) + "\n")
    return target


def base_iri_of(folder: Path) -> str | None:
    """The base IRI the graph in ``folder`` was built with (None: it has no plans, so none can be told).

    It comes from ``build.json``. A folder built before that file existed is read once the old way, off the
    IRI of a plan in ``kg.nt``, and the answer is recorded in ``build.json`` for the next reader.
    Raises :class:`FolderError` when the folder has neither.
    """
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _recover_base_iri(folder)
    except (OSError, ValueError, RecursionError) as exc:
        raise FolderError(f"{folder / META} cannot be read ({exc}): run `ipkg build --out {folder}` again") from exc
    if not isinstance(meta, dict) or meta.get("format") != META_FORMAT:
        raise FolderError(f"{folder / META} is not one this ipkg wrote: run `ipkg build --out {folder}` again")
    return meta.get("base_iri")


def _recover_base_iri(folder: Path) -> str | None:
    nt = folder / "kg.nt"
    if not nt.is_file():
        raise FolderError(f"{nt} not found: run `ipkg build --out {folder}` first")
    plan_class = f"{ONTOLOGY_IRI}Plan"
    base = None
    try:
        for triple in ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES):
            if triple.predicate.value == RDF_TYPE and getattr(triple.object, "value", None) == plan_class:
                base = base_of(triple.subject.value)
                break
    except (OSError, SyntaxError) as exc:  # a kg.nt left half-written or broken by an older ipkg
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FolderError(f"{nt} cannot be read ({first}): run `ipkg build --out {folder}` again") from exc
    try:
        _write_meta(folder, base)
    except OSError:
        pass  # a read-only folder: the next reader recovers it again
    return base
