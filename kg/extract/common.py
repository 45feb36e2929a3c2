"""Shared context for the recognisers: the document, its structure, evidence and segmentation."""

from __future__ import annotations

import re
from bisect import bisect_right
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
    """jieba with the domain dictionary, plus an automaton for entries jieba cannot hold.

    jieba silently drops user-dictionary words containing digits, Latin letters or punctuation
    (5G, Micro LED), so those go into an Aho-Corasick automaton instead.
    """
    lex = lexicon()
    words: set[str] = set(lex.industry_label_index())
    for spec in lex.ip_types.values():
        words.update(spec["words"])
    words.update(lex.indicators["concepts"])
    for variants in lex.indicators["concepts"].values():
        words.update(variants)
    tok = jieba.Tokenizer()
    tok.initialize()
    auto = ahocorasick.Automaton()
    for w in sorted(words):
        if _JIEBA_SAFE.match(w):
            tok.add_word(w, freq=200000)
        else:
            auto.add_word(w, w)
    auto.make_automaton()
    return tok, auto


@dataclass
class Ctx:
    doc: Document
    st: Structure
    _sent_starts: list[int] = field(default_factory=list)
    _tokens: list[tuple[str, int]] | None = None

    def __post_init__(self) -> None:
        self._sent_starts = [s.start for s in self.st.sentences]

    @property
    def text(self) -> str:
        return self.st.text

    @property
    def file(self) -> str:
        return self.doc.source.file

    def sentence_at(self, pos: int) -> Sentence | None:
        i = bisect_right(self._sent_starts, pos) - 1
        if i >= 0 and self.st.sentences[i].start <= pos < max(self.st.sentences[i].end, pos + 1):
            return self.st.sentences[i]
        return None

    def evidence(self, start: int, end: int, *, sentence: str | None = None, node: Node | None = None) -> Evidence:
        """Evidence for the cleaned span [start, end): source offsets, quoted sentence, outline path."""
        sent = self.sentence_at(start)
        quote = sentence if sentence is not None else (sent.text.strip() if sent else self.text[start:end])
        if node is None:
            node = sent.node if sent else self.st.node_at(start)
        s, e = self.doc.clean.source_span(start, end)
        return Evidence(source=self.file, start=s, end=e, sentence=quote, path=node.path() if node else [])

    def tokens(self) -> list[tuple[str, int]]:
        """(token, cleaned offset) for the whole text: one jieba pass, shared by the recognisers."""
        if self._tokens is None:
            tok, _ = segmenter()
            out, pos = [], 0
            for w in tok.cut(self.text, HMM=False):
                out.append((w, pos))
                pos += len(w)
            self._tokens = out
        return self._tokens

    def automaton_hits(self) -> list[tuple[str, int]]:
        _, auto = segmenter()
        if len(auto) == 0:
            return []
        return [(w, end - len(w) + 1) for end, w in auto.iter(self.text)]


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
