"""Assembling the knowledge graph from a corpus: plan files are extracted, plan-data JSON loads as is, and reuse
between the plans is detected over the whole corpus (kg.reuse) before the graph is assembled."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import networkx as nx

from kg.graph import build_graph
from kg.ingest import Limits
from kg.model import PlanData, ReuseReport
from kg.pipeline import FileResult, discover, extract_paths
from kg.resolve import finalise

REUSE_FILE = "reuse.json"  # in a built folder, beside kg.nt: the reuse report its graph was assembled with


def load_plans(paths: list[Path], workers: int = 1, on_result: Callable[[FileResult], None] | None = None,
               limits: Limits | None = None) -> tuple[list[PlanData], list[str]]:
    """Plan data for every input: ``.json`` files are validated plan data (reviewed or corrected by
    hand), other files are extracted, each within ``limits`` (default: ``IPKG_MAX_MB``). Returns the plans and one
    line per failed input."""
    from kg.validate import validate_file

    files, errors = discover(paths, include_json=True)
    plans: list[PlanData] = []
    docs = [f for f in files if f.suffix.lower() != ".json"]
    for f in files:
        if f.suffix.lower() == ".json":
            data, problems = validate_file(f, limits)
            if data is None:
                errors += problems
            else:
                plans.append(finalise(data))  # a reviewed title or issuer gets its identity by the same rules
    for res in extract_paths(docs, None, None, workers, on_result=on_result, limits=limits):
        if res.ok and res.plan_json is not None:
            plans.append(PlanData.model_validate_json(res.plan_json))
        elif not res.ok:
            errors.append(res.message)
    keys: dict[str, str] = {}
    unique: list[PlanData] = []
    for p in plans:
        if p.plan.key in keys:
            errors.append(f"{p.source.file}: same plan as {keys[p.plan.key]} ({p.plan.key}); kept the first")
            continue
        keys[p.plan.key] = p.source.file
        unique.append(p)
    return sorted(unique, key=lambda p: p.plan.key), errors


def detect(plans: Iterable[PlanData]) -> ReuseReport:
    """Text reuse between the plans (kg.reuse), over all of them at once."""
    from kg.reuse import detect_reuse

    return detect_reuse(list(plans))


def assemble(plans: Iterable[PlanData]) -> nx.MultiDiGraph:
    """The knowledge graph of these plans, with the reuse between them (the report is its ``reuse`` attribute)."""
    plans = list(plans)
    return build_graph(plans, detect(plans))


def build_from(paths: list[Path], workers: int = 1, limits: Limits | None = None, reuse: ReuseReport | None = None
               ) -> tuple[nx.MultiDiGraph, list[PlanData], list[str]]:
    """The graph of every plan read from ``paths`` (reuse between them included), the plans, and one line per input
    that could not be read (or held more than ``limits`` allow). ``reuse`` is a report already made over these plans
    (a built folder's reuse.json), used instead of detecting again; one that names a plan or task they do not hold
    is set aside and reuse detected."""
    plans, errors = load_plans(paths, workers, limits=limits)
    if reuse is not None:
        try:
            return build_graph(plans, reuse), plans, errors
        except ValueError:
            pass  # made over other plans (plan data edited since the build): detect over these
    return assemble(plans), plans, errors


def saved_reuse(folder: Path) -> ReuseReport | None:
    """The reuse report `ipkg build` wrote into ``folder`` (reuse.json), or None when there is none that reads."""
    try:
        return ReuseReport.model_validate_json((folder / REUSE_FILE).read_bytes())
    except (OSError, ValueError):  # missing, unreadable or not a report: reuse is detected again
        return None
