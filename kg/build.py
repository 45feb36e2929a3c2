"""Assembling the knowledge graph from a corpus: plan files are extracted, plan-data JSON loads as is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx

from kg.graph import build_graph
from kg.ingest import Limits
from kg.model import PlanData
from kg.pipeline import FileResult, discover, extract_paths
from kg.resolve import finalise


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


def build_from(paths: list[Path], workers: int = 1,
               limits: Limits | None = None) -> tuple[nx.MultiDiGraph, list[PlanData], list[str]]:
    """The graph of every plan read from ``paths``, the plans, and one line per input that could not be read (or held
    more than ``limits`` allow)."""
    plans, errors = load_plans(paths, workers, limits=limits)
    return build_graph(plans), plans, errors
