"""From sentence pairs to reuse records: which plan took from which, per task pair and per plan pair."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kg.model import PlanData, PlanMeta, PlanReuse, ReuseSide, TaskReuse
from kg.reuse.match import Pair
from kg.reuse.text import Locator, Unit

Reason = Literal["implements", "issue_date", "period"]


@dataclass(frozen=True)
class Direction:
    """Which of two plans is the source; ``reason`` None when nothing tells (then the smaller key is)."""

    first_is_source: bool
    directed: bool
    reason: Reason | None


def direction(a: PlanMeta, b: PlanMeta) -> Direction:
    """Parent to child where one IMPLEMENTS the other, else earlier to later by issue date, else by the
    period's start year; undirected where nothing tells, source and target then ordered by plan key."""
    if any(c.key == a.key for c in b.implements):
        return Direction(True, True, "implements")
    if any(c.key == b.key for c in a.implements):
        return Direction(False, True, "implements")
    if a.issue_date and b.issue_date and a.issue_date != b.issue_date:
        return Direction(a.issue_date < b.issue_date, True, "issue_date")
    if a.period and b.period and a.period[0] != b.period[0]:
        return Direction(a.period[0] < b.period[0], True, "period")
    return Direction(a.key <= b.key, False, None)


@dataclass(frozen=True, slots=True)
class Oriented:
    """A sentence pair with its direction: ``target`` (a unit index) reused ``source``."""

    source: int
    target: int
    similarity: float
    covered: int
    directed: bool
    reason: Reason | None


def orient(pairs: Sequence[Pair], units: Sequence[Unit], plans: Sequence[PlanData]) -> list[Oriented]:
    """Each pair oriented by its plans' :func:`direction`."""
    cache: dict[tuple[int, int], Direction] = {}
    out = []
    for p in pairs:
        pa, pb = units[p.a].plan, units[p.b].plan
        d = cache.get((pa, pb))
        if d is None:
            d = cache[(pa, pb)] = direction(plans[pa].plan, plans[pb].plan)
        src, tgt = (p.a, p.b) if d.first_is_source else (p.b, p.a)
        out.append(Oriented(src, tgt, p.similarity, p.covered, d.directed, d.reason))
    return out


def _side(units: Sequence[Unit], plans: Sequence[PlanData], loc: Locator, i: int) -> ReuseSide:
    u = units[i]
    return ReuseSide(plan=plans[u.plan].plan.key, task=plans[u.plan].tasks[u.task].id, evidence=loc.evidence(u))


def _strongest(group: list[Oriented], units: Sequence[Unit]) -> Oriented:
    # the best similarity; among equals the longest target sentence, then the first in text order (by task and
    # offset, not by the unit's index, so that the choice does not depend on the order the plans came in)
    def rank(o: Oriented) -> tuple[float, int, int, int, int, int]:
        t, s = units[o.target], units[o.source]
        return o.similarity, t.size, -t.task, -t.start, -s.task, -s.start

    return max(group, key=rank)


def _share(group: list[Oriented], units: Sequence[Unit], total: int) -> float:
    """Share of ``total`` normalised characters that the group's target sentences have in common with a source
    sentence (each target sentence counted once, with its best match)."""
    best: dict[int, int] = {}
    for o in group:
        best[o.target] = max(best.get(o.target, 0), min(o.covered, units[o.target].size))
    return round(min(1.0, sum(best.values()) / total), 4) if total else 0.0


def task_reuses(oriented: Sequence[Oriented], units: Sequence[Unit], plans: Sequence[PlanData],
                lengths: Sequence[Sequence[int]], loc: Locator) -> list[TaskReuse]:
    """One record per (target task, source task) with the best pair's evidence."""
    groups: dict[tuple[int, int, int, int], list[Oriented]] = defaultdict(list)
    for o in oriented:
        s, t = units[o.source], units[o.target]
        groups[(t.plan, t.task, s.plan, s.task)].append(o)
    out = []
    for (tp, tt, _, _), group in groups.items():
        best = _strongest(group, units)
        out.append(TaskReuse(source=_side(units, plans, loc, best.source), target=_side(units, plans, loc, best.target),
                             directed=best.directed, reason=best.reason, similarity=best.similarity,
                             share=_share(group, units, lengths[tp][tt]), sentences=len(group)))
    return out


def plan_reuses(oriented: Sequence[Oriented], units: Sequence[Unit], plans: Sequence[PlanData],
                lengths: Sequence[Sequence[int]], loc: Locator) -> list[PlanReuse]:
    """One record per (source plan, target plan): the share of the target's text found in the source."""
    groups: dict[tuple[int, int], list[Oriented]] = defaultdict(list)
    for o in oriented:
        groups[(units[o.source].plan, units[o.target].plan)].append(o)
    out = []
    for (sp, tp), group in groups.items():
        best = _strongest(group, units)
        tasks = {(units[o.target].task, units[o.source].task) for o in group}
        out.append(PlanReuse(source=plans[sp].plan.key, target=plans[tp].plan.key, directed=best.directed,
                             reason=best.reason, share=_share(group, units, sum(lengths[tp])),
                             sentences=len(group), tasks=len(tasks),
                             source_evidence=loc.evidence(units[best.source]),
                             target_evidence=loc.evidence(units[best.target])))
    return out
