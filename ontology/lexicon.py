"""Loading the domain lexicon: patterns and dictionaries that live as data under ``lexicon/``.

Everything document-specific that extraction needs is here as data; code never names one
document's strings. Loaded once per process (``lexicon()`` is cached).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ontology import LEXICON_DIR

SKOS = "http://www.w3.org/2004/02/skos/core#"
INDUSTRY_NS = "https://w3id.org/ipkg/industry/"


def _toml(name: str) -> dict[str, Any]:
    with (LEXICON_DIR / name).open("rb") as fh:
        return tomllib.load(fh)


def alternation(words: list[str]) -> str:
    """A regex alternation of literal words, longest first so the longest alternative wins."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class IndustryConcept:
    id: str
    label: str
    alt_labels: tuple[str, ...]
    broader: tuple[str, ...]  # direct parents' ids


@dataclass(frozen=True)
class Heading:
    kind: str
    rank: int
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Lexicon:
    cleaning: dict[str, Any]
    outline: dict[str, Any]
    headings: tuple[Heading, ...]
    departments: dict[str, Any]
    indicators: dict[str, Any]
    marks: dict[str, Any]
    industry_patterns: dict[str, Any]
    ip_types: dict[str, Any]
    industries: dict[str, IndustryConcept] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)  # plan metadata, parents, not-a-plan signals
    regions: dict[str, Any] = field(default_factory=dict)  # gazetteer rows and short-name endings
    reuse: dict[str, Any] = field(default_factory=dict)  # text reuse: sentence breaks, scope words, formulas
    _label_index: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def industry_label_index(self) -> dict[str, str]:
        """Every printed label (pref and alt) -> concept id (computed once; the lexicon is frozen)."""
        cached = self._label_index
        if not cached:
            for c in self.industries.values():
                for lab in (c.label, *c.alt_labels):
                    cached.setdefault(lab, c.id)
        return cached

    def broader_chain(self, concept_id: str) -> list[str]:
        """All broader concepts of an industry, nearest first (breadth-first, no repeats)."""
        seen: list[str] = []
        frontier = list(self.industries[concept_id].broader) if concept_id in self.industries else []
        while frontier:
            nxt = frontier.pop(0)
            if nxt not in seen:
                seen.append(nxt)
                frontier.extend(self.industries[nxt].broader if nxt in self.industries else ())
        return seen


def _load_industries() -> dict[str, IndustryConcept]:
    # rdflib parses the SKOS file; the taxonomy is small, so this costs milliseconds.
    import rdflib

    g = rdflib.Graph().parse(LEXICON_DIR / "industries.ttl", format="turtle")
    skos = rdflib.Namespace(SKOS)
    out: dict[str, IndustryConcept] = {}
    for s in g.subjects(rdflib.RDF.type, skos.Concept):
        cid = str(s).removeprefix(INDUSTRY_NS)
        label = str(g.value(s, skos.prefLabel))
        alts = tuple(sorted(str(o) for o in g.objects(s, skos.altLabel)))
        broader = tuple(sorted(str(o).removeprefix(INDUSTRY_NS) for o in g.objects(s, skos.broader)))
        out[cid] = IndustryConcept(cid, label, alts, broader)
    return dict(sorted(out.items()))


@cache
def lexicon() -> Lexicon:
    """The domain lexicon, loaded from the files under ``ontology/lexicon``."""
    outline = _toml("outline.toml")
    headings = tuple(
        Heading(h["kind"], int(h["rank"]), re.compile(h["pattern"])) for h in outline["heading"]
    )
    return Lexicon(
        cleaning=_toml("cleaning.toml"),
        outline=outline,
        headings=headings,
        departments=_toml("departments.toml"),
        indicators=_toml("indicators.toml"),
        marks=_toml("marks.toml"),
        industry_patterns=_toml("industry_patterns.toml"),
        ip_types=_toml("ip_types.toml"),
        industries=_load_industries(),
        metadata=_toml("metadata.toml"),
        reuse=_toml("reuse.toml"),
        regions=_toml("regions.toml"),
    )
