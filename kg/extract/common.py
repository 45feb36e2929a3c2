"""Shared context for the recognisers: the document, its structure, evidence and segmentation."""

from __future__ import annotations

import logging
import re
from bisect import bisect_right, insort
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

import ahocorasick
import jieba

from kg.ingest import Document
from kg.model import Evidence
from kg.structure import Node, Sentence, Structure
from ontology.lexicon import lexicon

_JIEBA_SAFE = re.compile(r"^[\u3400-\u9fff]+$")


@cache
def segmenter() -> tuple[jieba.Tokenizer, ahocorasick.Automaton]:
    """jieba with the domain dictionary, and an automaton over every dictionary entry.

    The automaton finds candidate entries anywhere in the text in one pass; jieba then segments
    only the sentences holding a candidate, to confirm that the entry is a word there (新能源 in
    新能源汽车 is not). jieba silently drops user-dictionary words containing digits, Latin letters
    or punctuation (5G, Micro LED); those are confirmed by the automaton alone.
    """
    lex = lexicon()
    words: set[str] = set(lex.industry_label_index())
    for spec in lex.ip_types.values():
        words.update(spec["words"])
    words.update(lex.indicators["concepts"])
    for variants in lex.indicators["concepts"].values():
        words.update(variants)
    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not for users
    tok = jieba.Tokenizer()
    tok.initialize()
    auto = ahocorasick.Automaton()
    for w in sorted(words):
        if _JIEBA_SAFE.match(w):
            tok.add_word(w, freq=200000)
        auto.add_word(w, w)
    auto.make_automaton()
    return tok, auto


@dataclass
class Ctx:
    doc: Document
    st: Structure
    _sent_starts: list[int] = field(default_factory=list)
    _line_starts: list[int] = field(default_factory=list)
    _bounds: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    _raw_lines: list[int] = field(default_factory=list)  # offsets where the source's lines start

    def __post_init__(self) -> None:
        self._sent_starts = [s.start for s in self.st.sentences]
        self._line_starts = [ln.start for ln in self.st.lines]

    @property
    def text(self) -> str:
        return self.st.text

    @property
    def file(self) -> str:
        return self.doc.source.file

    def sentence_at(self, pos: int) -> Sentence | None:
        i = bisect_right(self._sent_starts, pos) - 1
        if i >= 0 and self.st.sentences[i].start <= pos < self.st.sentences[i].end:
            return self.st.sentences[i]
        return None

    def source_line(self, source_pos: int) -> int:
        """The 1-based line of an offset in the decoded source text."""
        if not self._raw_lines:
            self._raw_lines = [0] + [m.end() for m in re.finditer("\n", self.doc.raw)]
        return bisect_right(self._raw_lines, source_pos)

    def sentences_in(self, start: int, end: int) -> list[Sentence]:
        """The sentences overlapping [start, end), in text order (found by bisection, not by a scan)."""
        sents = self.st.sentences
        i = max(0, bisect_right(self._sent_starts, start) - 1)
        j = bisect_right(self._sent_starts, end - 1) if end > start else i
        return [x for x in sents[i:j] if x.end > start]

    def line_span(self, pos: int) -> tuple[int, int]:
        """The (start, end) of the line holding ``pos`` (table cells are not in sentences)."""
        lines = self.st.lines
        i = bisect_right(self._line_starts, pos) - 1 if lines else -1
        return (lines[i].start, lines[i].end) if i >= 0 else (pos, pos)

    def evidence(self, start: int, end: int, *, sentence: str | None = None, node: Node | None = None) -> Evidence:
        """Evidence for the cleaned span [start, end): source offsets, quoted sentence, outline path."""
        sent = self.sentence_at(start)
        quote = sentence if sentence is not None else (sent.text.strip() if sent else self.text[start:end])
        if node is None:
            node = sent.node if sent else self.st.node_at(start)
        s, e = self.doc.clean.source_span(start, end)
        return Evidence(source=self.file, start=s, end=e, sentence=quote, path=node.path() if node else [])

    def source_runs(self, pieces: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        """Where a text made of cleaned spans lies in the source: ``pieces`` are (position in the text, cleaned start,
        cleaned end); the result is (position in the text, source offset, length) per run the source holds verbatim."""
        offs = self.doc.clean.offsets
        out: list[tuple[int, int, int]] = []
        for at, a, b in pieces:
            i = a
            while i < b:
                j = i + 1
                while j < b and offs[j] == offs[j - 1] + 1:
                    j += 1
                out.append((at + i - a, offs[i], j - i))
                i = j
        return out

    def _boundaries(self, start: int, end: int) -> set[int]:
        """Token boundaries (text offsets) of jieba's segmentation of the span; cached per span."""
        key = (start, end)
        if key not in self._bounds:
            tok, _ = segmenter()
            pos, out = start, {start}
            for w in tok.cut(self.text[start:end], HMM=False):
                pos += len(w)
                out.add(pos)
            self._bounds[key] = out
        return self._bounds[key]

    def dictionary_hits(self, vocabulary: set[str] | dict[str, str]) -> list[tuple[str, int]]:
        """(entry, offset) of lexicon entries that stand as words in the text.

        Entries jieba can hold must start and end on jieba token boundaries of their sentence;
        entries with digits or Latin letters must not touch other letters or digits.
        """
        _, auto = segmenter()
        out = []
        for end, word in auto.iter(self.text):
            if word not in vocabulary:
                continue
            start = end - len(word) + 1
            if _JIEBA_SAFE.match(word):
                sent = self.sentence_at(start)
                s0, s1 = (sent.start, sent.end) if sent else self.line_span(start)
                bounds = self._boundaries(s0, s1)
                if start in bounds and end + 1 in bounds:
                    out.append((word, start))
            else:
                before = self.text[start - 1 : start]
                after = self.text[end + 1 : end + 2]
                if not re.match(r"[A-Za-z0-9]", before) and not re.match(r"[A-Za-z0-9]", after):
                    out.append((word, start))
        return out


class SpanSet:
    """Short spans of text (names, lists, cells) to look positions up in, in logarithmic time.

    Spans may nest; a span is found from a position when fewer than ``REACH`` spans start between
    them, which holds for names, responsibility lists and table cells.
    """

    REACH = 64

    def __init__(self, spans: list[tuple[int, int]] | None = None) -> None:
        self._spans: list[tuple[int, int]] = sorted(spans or [])

    def add(self, start: int, end: int) -> None:
        insort(self._spans, (start, end))

    def _near(self, pos: int) -> list[tuple[int, int]]:
        i = bisect_right(self._spans, (pos, 1 << 62))
        return self._spans[max(0, i - self.REACH) : i]

    def holds(self, pos: int) -> bool:
        """True when ``start <= pos < end`` for a span."""
        return any(a <= pos < b for a, b in self._near(pos))

    def covers(self, start: int, end: int) -> bool:
        """True when one span contains the whole of [start, end)."""
        return any(a <= start and end <= b for a, b in self._near(start))

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self._spans)


CLAUSE_DELIMITERS = "，。；：:（）()\n"


def clause_start(text: str, end: int, lower: int = 0, delimiters: str = CLAUSE_DELIMITERS) -> int:
    """Start of the clause ending at ``end``: back to the nearest delimiter, not before ``lower``."""
    i = end
    while i > lower and text[i - 1] not in delimiters:
        i -= 1
    return i


def after_last(pattern: re.Pattern[str], text: str, start: int, end: int) -> int:
    """The offset just after the last match of ``pattern`` in ``text[start:end]`` (``start`` if none).

    Recognisers use it to cut a name or a list at the last verb or particle before it.
    """
    last = None
    for m in pattern.finditer(text, start, end):
        last = m
    return last.end() if last is not None else start


@cache
def _section_rx(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def in_sections(node: Node | None, patterns: list[str]) -> bool:
    """True when the node or an ancestor has a title (or label) matching one of the regexes."""
    rx = _section_rx(tuple(patterns))
    while node is not None:
        if rx.search(node.title) or rx.search(node.label):
            return True
        node = node.parent
    return False
