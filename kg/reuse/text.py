"""The units reuse is found in: the sentences of every plan's tasks, normalised so that copying edits vanish.

Normalising folds what a copier changes without changing what a sentence says: NFKC (punctuation
width), punctuation out, the scope words of ``ontology/lexicon/reuse.toml`` (全市 ↔ 全县 ↔ 我区) and
region names (the corpus's own regions with their short names, every full name in the gazetteer) to
one placeholder, the outline label of a heading (（一）, 1.) off, and the lexicon's formulas (common
phrasing every plan repeats) cut out. A sentence keeps its clauses apart in ``tokens`` so that
reordered list items can be compared as a set.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import ahocorasick

from kg.model import Evidence, PlanData, RegionRef
from kg.structure import match_heading
from ontology.lexicon import alternation, lexicon
from ontology.regions import gazetteer

PLACEHOLDER = "\ue000"  # a private-use character: never in a plan's text, one character long
_NON_WORD = re.compile(r"[\W_]+")  # punctuation, symbols and spaces (letters and digits stay)
_MIN_SHORT_NAME = 3  # short names of other regions this long are distinctive (乌鲁木齐); 2-character ones
                     # (和平, 城关) are folded only for the corpus's own regions


@dataclass(slots=True)
class Unit:
    """One sentence of one task, as printed and normalised."""

    plan: int  # index of the plan in the corpus
    task: int  # index of the task in the plan's tasks
    start: int  # [start, end) of the sentence in the task's text
    end: int
    flat: str  # normalised, no punctuation
    tokens: str  # normalised clauses, space-separated
    size: int  # len(flat)


@cache
def _breaks() -> tuple[re.Pattern[str], re.Pattern[str]]:
    lex = lexicon().reuse
    sentence = re.compile(f"[^{re.escape(lex['sentence_breaks'])}]+")
    clause = re.compile(f"[{re.escape(unicodedata.normalize('NFKC', lex['clause_breaks']) + lex['clause_breaks'])}]")
    return sentence, clause


@cache
def _formulas() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in lexicon().reuse["formulas"]))


def _plain(text: str) -> str:
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text))


def region_names(regions: Iterable[RegionRef]) -> set[str]:
    """Names folded to the placeholder: every full name in the gazetteer, the longer short names, and
    every alias (short name included) of the given regions and their parents."""
    gaz = gazetteer()
    names = {r.name for r in gaz.by_code.values()}
    names |= {r.short for r in gaz.by_code.values() if len(r.short) >= _MIN_SHORT_NAME}
    for ref in regions:
        for code in (ref.code, *(p.code for p in ref.parents)):
            if code in gaz.by_code:
                names |= gaz.by_code[code].aliases()
        names |= {ref.name, *(p.name for p in ref.parents)}
    return names


class Normaliser:
    """Folds scope words and region names, cuts formulas, drops punctuation (see the module docstring)."""

    def __init__(self, names: Iterable[str]) -> None:
        labels = alternation(list(lexicon().departments["responsibility"]["markers"]))
        self._label_line = re.compile(rf"^\(?\s*(?:{labels})\s*:")
        endings = alternation(lexicon().reuse["markup_endings"])
        self._note = re.compile(rf"\((?:[^()]*(?:{labels})\s*:[^()]*|[^()]*(?:{endings}))\)")
        self._auto = ahocorasick.Automaton()
        for word in {*(_plain(w) for w in lexicon().reuse["scope_words"]), *(_plain(n) for n in names)}:
            if len(word) >= 2:
                self._auto.add_word(word, len(word))
        self._auto.make_automaton()

    def _fold(self, piece: str) -> str:
        out: list[str] = []
        pos = 0
        for end, n in self._auto.iter_long(piece):
            out += [piece[pos : end - n + 1], PLACEHOLDER]
            pos = end + 1
        out.append(piece[pos:])
        return "".join(out)

    def normalise(self, sentence: str) -> tuple[str, str]:
        """(flat, tokens) of a sentence: the normalised text, and its clauses separated by spaces."""
        _, clause = _breaks()
        text = unicodedata.normalize("NFKC", sentence)
        if self._label_line.match(text):
            return "", ""
        text = self._note.sub("", text)
        pieces = [p for p in (_NON_WORD.sub("", c) for c in clause.split(text)) if p]
        cut = [(m.start(), m.end()) for m in _formulas().finditer("".join(pieces)) if m.end() > m.start()]
        if cut:
            pieces = _cut(pieces, cut)
        # formulas are cut before folding (they name 省委, 市委 …); a name never holds a space, so the clauses are
        # folded in one pass
        tokens = self._fold(" ".join(pieces))
        return tokens.replace(" ", ""), tokens


def _cut(pieces: list[str], spans: list[tuple[int, int]]) -> list[str]:
    """The clauses with the flat-text spans removed (a formula may run over clause breaks)."""
    out: list[str] = []
    pos = 0
    for p in pieces:
        kept = "".join(ch for k, ch in enumerate(p, pos) if not any(s <= k < e for s, e in spans))
        pos += len(p)
        if kept:
            out.append(kept)
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence of a task's text, without surrounding spaces."""
    sentence, _ = _breaks()
    out = []
    for m in sentence.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def units_of(plans: Sequence[PlanData], norm: Normaliser) -> tuple[list[Unit], list[list[int]]]:
    """Every sentence of every task as a unit, and each task's normalised length (plan -> task -> chars)."""
    units: list[Unit] = []
    lengths: list[list[int]] = []
    for pi, plan in enumerate(plans):
        per_task = []
        for ti, task in enumerate(plan.tasks):
            total = 0
            for s, e in sentence_spans(task.text):
                sentence = task.text[s:e]
                head = match_heading(sentence)
                flat, tokens = norm.normalise(head[2] if head else sentence)
                total += len(flat)
                if flat:
                    units.append(Unit(pi, ti, s, e, flat, tokens, len(flat)))
            per_task.append(total)
        lengths.append(per_task)
    return units, lengths


# ------------------------------------------------------------------------------------------- evidence


class Locator:
    """Evidence for a unit: source offsets, the sentence and the task's outline path.

    A task's text is cleaned text (spaces and joined line breaks removed, table cells joined), so a
    sentence's source offsets come through the task's ``source_runs``, which extraction records; with
    the decoded source text of a plan (``sources``, by file name) the sentence is found in it directly.
    Plan data written before source runs existed falls back to the task's start plus the sentence's
    position in the task's text (off by what cleaning removed before it).
    """

    def __init__(self, plans: Sequence[PlanData], sources: Mapping[str, str] | None = None) -> None:
        self._plans = plans
        self._sources = sources or {}
        self._clean: dict[int, tuple[str, list[int]] | None] = {}

    def _cleaned(self, pi: int) -> tuple[str, list[int]] | None:
        if pi not in self._clean:
            raw = self._sources.get(self._plans[pi].source.file)
            if raw is None:
                self._clean[pi] = None
            else:
                from kg.ingest import clean_text  # only when sources are given

                m = clean_text(raw)
                self._clean[pi] = (m.text, m.offsets)
        return self._clean[pi]

    def evidence(self, u: Unit) -> Evidence:
        """The unit's evidence in its plan's decoded source text."""
        plan = self._plans[u.plan]
        task = plan.tasks[u.task]
        sentence = task.text[u.start : u.end]
        start, end = self._exact(u, sentence) or self._estimate(u)
        return Evidence(source=plan.source.file, start=start, end=end, sentence=sentence, path=list(task.path))

    def _estimate(self, u: Unit) -> tuple[int, int]:
        plan = self._plans[u.plan]
        task = plan.tasks[u.task]
        mapped = _through_runs(task.source_runs, u.start, u.end)
        if mapped is not None:  # the task's source runs place the sentence exactly
            return mapped
        base = task.evidence.start  # plan data from before source runs: the task's start plus the position
        limit = max(plan.source.chars, base)
        return min(base + u.start, limit), min(base + u.end, limit)

    def _exact(self, u: Unit, sentence: str) -> tuple[int, int] | None:
        cleaned = self._cleaned(u.plan)
        if cleaned is None:
            return None
        text, offsets = cleaned
        task = self._plans[u.plan].tasks[u.task]
        # the cleaned position of the task's start: offsets are non-decreasing
        p = max(0, bisect_right(offsets, task.evidence.start) - 1)
        # the sentence is never before its offset in the task's text (cleaning removes, a table row's cells
        # are joined closer than they stand)
        at = text.find(sentence, p + u.start)
        if at < 0 or at > p + u.start + len(task.text):
            return None
        return offsets[at], offsets[at + len(sentence) - 1] + 1


def _through_runs(runs: Sequence[tuple[int, int, int]], start: int, end: int) -> tuple[int, int] | None:
    """Source offsets of the text span [start, end) through a task's source runs (position, offset, length), or None
    when the runs do not cover both ends (no runs, or an end on a joiner that is not in the source)."""
    def at(pos: int) -> int | None:
        for tp, sp, n in runs:
            if tp <= pos < tp + n:
                return sp + pos - tp
        return None

    if end <= start:
        return None
    s, e = at(start), at(end - 1)
    return None if s is None or e is None else (s, e + 1)
