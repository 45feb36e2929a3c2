"""Projection of plan data onto the evaluation format (../shared/eval/FORMAT.md)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from kg.model import PlanData


def to_eval(plan: PlanData) -> dict[str, Any]:
    """The plan data in the shape the scorer reads: printed names, explicit responsibilities only."""
    m = plan.plan
    depts = {d.key: d for d in plan.departments}
    tasks = {t.id: t for t in plan.tasks}
    resp: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for r in plan.responsibilities:
        if not r.explicit:
            continue
        t = tasks[r.task]
        entry = resp.setdefault(r.task, {"task": t.title, "departments": [], "industries": list(t.industries)})
        d = depts[r.department]
        printed = next((n for n in (d.name, *d.aliases) if n in r.evidence.sentence), d.name)
        if printed not in entry["departments"]:
            entry["departments"].append(printed)
    return {
        "source": plan.source.file,
        "plan": {
            "title": m.title,
            "doc_number": m.doc_number,
            "issuer": m.issuer,
            "issue_date": m.issue_date.isoformat() if m.issue_date else None,
            "region": m.region.name if m.region else None,
            "period": list(m.period) if m.period else None,
            "implements": [c.title for c in m.implements],
        },
        "indicators": [
            {"name": i.name, "unit": i.unit, "baseline": i.baseline, "baseline_year": i.baseline_year,
             "target": i.target, "target_year": i.target_year, "nature": i.nature}
            for i in plan.indicators
        ],
        "departments": [{"name": d.name, "aliases": d.aliases} for d in plan.departments if not d.inferred],
        "industries": [i.name for i in plan.industries],
        "brands": [b.name for b in plan.brands],
        "geographical_indications": [g.name for g in plan.geographical_indications],
        "responsibilities": list(resp.values()),
    }
