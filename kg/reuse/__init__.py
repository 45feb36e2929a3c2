"""Text reuse between plans: which task took its text from which other plan, over the whole corpus.

:func:`detect_reuse` reads the sentences of every plan's tasks (:mod:`kg.reuse.text`), finds pairs of
sentences across plans that are the same text under copying edits (:mod:`kg.reuse.match`: MinHash
LSH candidates confirmed by rapidfuzz; common phrasing left out), orients each plan pair (parent to
child by IMPLEMENTS, else earlier to later) and aggregates the pairs per task pair and per plan pair
(:mod:`kg.reuse.report`). Evidence is kept on both sides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kg.model import PlanData, ReuseReport, ReuseSide
from kg.reuse.match import ReuseOptions, confirmed_pairs
from kg.reuse.report import Oriented, Reason, direction, orient, plan_reuses, task_reuses
from kg.reuse.text import Locator, Normaliser, Unit, region_names, units_of

__all__ = ["ReuseOptions", "SentenceReuse", "detect_reuse", "direction", "match_sentences"]


@dataclass(frozen=True)
class SentenceReuse:
    """One sentence pair: ``target``'s sentence is ``source``'s text (``directed`` False: nothing tells which
    came first, and the two are ordered by plan key)."""

    source: ReuseSide
    target: ReuseSide
    similarity: float
    directed: bool
    reason: Reason | None


@dataclass
class _Found:
    units: list[Unit]
    lengths: list[list[int]]
    oriented: list[Oriented]
    locator: Locator


def _find(plans: Sequence[PlanData], options: ReuseOptions | None, sources: Mapping[str, str] | None) -> _Found:
    opts = options or ReuseOptions()
    norm = Normaliser(region_names(p.plan.region for p in plans if p.plan.region is not None))
    units, lengths = units_of(plans, norm)
    pairs = confirmed_pairs(units, len(plans), opts)
    return _Found(units, lengths, orient(pairs, units, plans), Locator(plans, sources))


def match_sentences(plans: Sequence[PlanData], options: ReuseOptions | None = None, *,
                    sources: Mapping[str, str] | None = None) -> list[SentenceReuse]:
    """Every reused sentence pair across the plans, oriented, with evidence on both sides (text order)."""
    f = _find(plans, options, sources)
    out = []
    for o in sorted(f.oriented, key=lambda o: (o.target, o.source)):
        sides = []
        for i in (o.source, o.target):
            u = f.units[i]
            sides.append(ReuseSide(plan=plans[u.plan].plan.key, task=plans[u.plan].tasks[u.task].id,
                                   evidence=f.locator.evidence(u)))
        out.append(SentenceReuse(sides[0], sides[1], o.similarity, o.directed, o.reason))
    return out


def detect_reuse(plans: Sequence[PlanData], options: ReuseOptions | None = None, *,
                 sources: Mapping[str, str] | None = None) -> ReuseReport:
    """Every reuse in the corpus: per task pair (:class:`TaskReuse`) and per plan pair (:class:`PlanReuse`).

    ``options`` holds the thresholds (:class:`ReuseOptions`). ``sources`` (decoded source text by
    ``PlanData.source.file``, optional) makes evidence offsets exact where cleaning removed characters
    inside a task; without it they are estimated from the task's evidence (see :class:`Locator`).
    Records are sorted: tasks by target (plan key, task id) then source, plans by (source, target).
    """
    f = _find(plans, options, sources)
    tasks = task_reuses(f.oriented, f.units, plans, f.lengths, f.locator)
    tasks.sort(key=lambda r: (r.target.plan, r.target.evidence.start, r.target.task or "", r.source.plan,
                              r.source.evidence.start, r.source.task or ""))
    found = plan_reuses(f.oriented, f.units, plans, f.lengths, f.locator)
    found.sort(key=lambda r: (r.source, r.target))
    return ReuseReport(tasks=tasks, plans=found)
