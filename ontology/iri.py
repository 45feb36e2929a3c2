"""Minting IRIs for every entity from its canonical key.

IRIs are deterministic (the same key gives the same IRI on every run and machine) and readable:
Chinese names stay Chinese (RFC 3987 IRIs), only characters that would break an IRI path are
replaced. The base is ``IPKG_BASE_IRI`` or, by default, the local endpoint, so that IRIs
dereference there once ``ipkg serve`` runs.
"""

from __future__ import annotations

import os
import re
import unicodedata

from ontology.vocabulary import CLASSES
from ontology.vocabulary import ONTOLOGY_IRI as ONTOLOGY_IRI  # the namespace, imported from here by other modules

DEFAULT_BASE_IRI = "http://127.0.0.1:8000/id/"

# Entity kinds (ontology classes) and the path segment each is minted under (ipkg:iriSegment in ipkg.ttl).
KINDS: dict[str, str] = {c.name: c.iri_segment for c in CLASSES.values() if c.iri_segment}

# Characters that must not appear raw in an IRI path segment (RFC 3987 ipchar excludes them),
# plus the bracket and quote marks that only add noise to a key.
_UNSAFE = re.compile(r"[\s/?#\[\]@!$&'()*+,;=%<>\"{}|\\^`“”‘’《》「」『』〈〉（）〔〕【】、，。；：！？]+")


def base_iri() -> str:
    """The configured base IRI, always ending with a slash."""
    base = os.environ.get("IPKG_BASE_IRI", DEFAULT_BASE_IRI).strip()
    return base if base.endswith("/") else base + "/"


def slug(key: str) -> str:
    """A readable, IRI-safe path segment for a canonical key (NFKC, unsafe runs become '-')."""
    text = unicodedata.normalize("NFKC", key).strip()
    text = _UNSAFE.sub("-", text).strip("-")
    if not text:
        raise ValueError(f"key {key!r} has no characters usable in an IRI")
    return text


def mint(kind: str, *key_parts: str, base: str | None = None) -> str:
    """Mint the IRI of an entity of ``kind`` (an ontology class name) from its key parts."""
    if kind not in KINDS:
        raise ValueError(f"unknown entity kind {kind!r}; expected one of {sorted(KINDS)}")
    if not key_parts:
        raise ValueError("an IRI needs at least one key part")
    root = base if base is not None else base_iri()
    if not root.endswith("/"):
        root += "/"
    return root + KINDS[kind] + "/" + "/".join(slug(p) for p in key_parts)
