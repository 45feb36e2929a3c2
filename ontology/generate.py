"""Writes ``ontology/vocabulary.py`` from ``ontology/ipkg.ttl``: ``python -m ontology.generate`` (``--check`` to test).

The ontology's vocabulary (classes, object and datatype properties, their labels, and the annotations the code
needs: Cypher node labels, relationship types and node property keys, IRI path segments, picture colours and
shapes) is written once, in ipkg.ttl. The code reads it from the generated module, which parses no Turtle at
run time. The output depends on ipkg.ttl alone: entries stand in the file's order of declaration (the order
pictures' legends follow), sets within an entry are sorted, and the text is wrapped the same way every time.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ontology import ONTOLOGY_TTL

VOCABULARY_PY = Path(__file__).resolve().parent / "vocabulary.py"
COMMAND = "python -m ontology.generate"
WIDTH = 120  # the project's line length (ruff), counting a CJK character as two columns as ruff does

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
KINDS = {f"{OWL}Ontology": "ontology", f"{OWL}AnnotationProperty": "annotation", f"{OWL}Class": "class",
         f"{OWL}ObjectProperty": "object", f"{OWL}DatatypeProperty": "datatype"}

HEADER = '''"""The ipkg ontology's vocabulary as Python constants. GENERATED from ontology/ipkg.ttl: do not edit.

Regenerate after changing ipkg.ttl with ``{command}`` (tests/test_vocabulary.py fails while this
file is stale). Entries stand in ipkg.ttl's order of declaration, which pictures' legends follow; the records
are defined in ontology/terms.py.
"""

from __future__ import annotations

from ontology.terms import DatatypeProperty, ObjectProperty, OntologyClass, Term
'''

FOOTER = '''
# relationship type -> the object property stored under it
RELATIONS: dict[str, ObjectProperty] = {p.cypher_type: p for p in OBJECT_PROPERTIES if p.cypher_type}
# every term of the ipkg namespace, and their local names
TERMS: tuple[Term, ...] = (*ANNOTATION_PROPERTIES, *CLASSES.values(), *OBJECT_PROPERTIES, *DATATYPE_PROPERTIES)
NAMES: frozenset[str] = frozenset(t.name for t in TERMS)
# IRI -> (Chinese label, English label) of every labelled term, the ontology itself included
LABELS: dict[str, tuple[str, str]] = {t.iri: (t.zh, t.en) for t in (ONTOLOGY, *TERMS)}
'''


class VocabularyError(ValueError):
    """ipkg.ttl says something the vocabulary cannot hold (two IRI segments for one class, a clash of names …)."""


@dataclass
class Subject:
    """What ipkg.ttl says about one named subject: predicate IRI -> objects, in the file's order."""

    iri: str
    values: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = field(default_factory=dict)

    def one(self, predicate: str) -> str | None:
        """The value (IRI or lexical form) of a predicate said at most once."""
        found = self.values.get(predicate, [])
        if len(found) > 1:
            raise VocabularyError(f"{self.iri} has {len(found)} values of {predicate}; the vocabulary takes one")
        return found[0].value if found else None

    def labels(self) -> tuple[str, str]:
        """(Chinese, English) label; a missing Chinese one falls back to the English one, then to the IRI."""
        by_lang = {o.language or "": o.value for o in self.values.get(f"{RDFS}label", [])
                   if isinstance(o, ox.Literal)}
        return (by_lang.get("zh") or by_lang.get("en") or self.iri,
                by_lang.get("en") or by_lang.get("") or "")

    def kind(self) -> str | None:
        """ontology, annotation, class, object or datatype; None for anything else (e.g. a shape)."""
        kinds = {KINDS[t.value] for t in self.values.get(RDF_TYPE, []) if t.value in KINDS}
        if len(kinds) > 1:
            raise VocabularyError(f"{self.iri} is declared as {' and '.join(sorted(kinds))}")
        return next(iter(kinds), None)


def read(path: Path) -> tuple[str, list[Subject]]:
    """The ``ipkg`` namespace and the named subjects of a Turtle file, in order of first appearance."""
    parser = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    subjects: dict[str, Subject] = {}
    for quad in parser:
        if isinstance(quad.subject, ox.NamedNode):
            s = subjects.setdefault(quad.subject.value, Subject(quad.subject.value))
            s.values.setdefault(quad.predicate.value, []).append(quad.object)
    namespace = parser.prefixes.get("ipkg")
    if not namespace:
        raise VocabularyError(f"{path} declares no @prefix ipkg:")
    return namespace, list(subjects.values())


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _literal(value: str | tuple[str, ...] | None) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return "None" if value is None else json.dumps(value, ensure_ascii=False)


def _wrap(head: str, pieces: list[str], tail: str) -> str:
    """``head`` + pieces + ``tail`` on one line where it fits, else the pieces on indented lines of WIDTH columns."""
    one_line = head + ", ".join(pieces) + tail
    if _width(one_line) <= WIDTH:
        return one_line
    base = head[: len(head) - len(head.lstrip(" "))]
    lines, line = [head], ""
    for piece in pieces:
        longer = f"{line} {piece}," if line else f"{base}    {piece},"
        if line and _width(longer) > WIDTH:
            lines.append(line)
            longer = f"{base}    {piece},"
        line = longer
    return "\n".join([*lines, line, base + tail])


def _call(name: str, fields: dict[str, str | tuple[str, ...] | None], lead: str = "    ", end: str = ",") -> str:
    """``lead + name(k=v, …) + end`` with the fields that are set."""
    return _wrap(f"{lead}{name}(", [f"{k}={_literal(v)}" for k, v in fields.items() if v not in (None, ())],
                 f"){end}")


def _names(lead: str, names: list[str]) -> str:
    """``lead`` and a tuple of names, wrapped where it is too long for one line."""
    one_line = lead + _literal(tuple(names))
    return one_line if _width(one_line) <= WIDTH else _wrap(f"{lead}(", [_literal(n) for n in names], ")")


def _term_fields(s: Subject, namespace: str) -> dict[str, str | tuple[str, ...] | None]:
    """Local name (after the namespace, or after the IRI's last # or /), IRI and labels."""
    name = s.iri.removeprefix(namespace) if s.iri.startswith(namespace) else re.split(r"[#/]", s.iri.rstrip("#/"))[-1]
    zh, en = s.labels()
    return {"name": name, "iri": s.iri, "zh": zh, "en": en}


def _class(s: Subject, namespace: str) -> str:
    label = s.one(f"{namespace}cypherLabel")
    if label is not None and label != s.iri.removeprefix(namespace):
        raise VocabularyError(f"{s.iri}: ipkg:cypherLabel {label!r} must be the class's local name (the code mints, "
                              "types and labels nodes by it)")
    superclasses = tuple(sorted(o.value for o in s.values.get(f"{RDFS}subClassOf", [])
                                if isinstance(o, ox.NamedNode)))
    return _call("OntologyClass", {**_term_fields(s, namespace), "superclasses": superclasses, "cypher_label": label,
                                   "iri_segment": s.one(f"{namespace}iriSegment"),
                                   "colour": s.one(f"{namespace}pictureColour"),
                                   "shape": s.one(f"{namespace}pictureShape")})


def _property(s: Subject, namespace: str, kind: str) -> str:
    key = "cypher_type" if kind == "object" else "cypher_property"
    annotation = "cypherType" if kind == "object" else "cypherProperty"
    return _call("ObjectProperty" if kind == "object" else "DatatypeProperty",
                 {**_term_fields(s, namespace), key: s.one(f"{namespace}{annotation}"),
                  "domain": s.one(f"{RDFS}domain"), "range": s.one(f"{RDFS}range")})


def _unique(subjects: list[Subject], predicate: str) -> None:
    """No two subjects share a value of ``predicate`` (a relationship type, a node label, an IRI segment …)."""
    seen: dict[str, str] = {}
    for s in subjects:
        value = s.one(predicate)
        if value is not None and seen.setdefault(value, s.iri) != s.iri:
            raise VocabularyError(f"{seen[value]} and {s.iri} both have {predicate} {value!r}")


def render(path: Path = ONTOLOGY_TTL) -> str:
    """The text of vocabulary.py for the ontology at ``path``."""
    namespace, subjects = read(path)
    by_kind: dict[str, list[Subject]] = {k: [] for k in KINDS.values()}
    for s in subjects:
        kind = s.kind()
        if kind is None:
            continue
        if kind != "ontology" and not s.iri.startswith(namespace):
            raise VocabularyError(f"{s.iri} is declared in ipkg.ttl but is not in the ipkg namespace {namespace}")
        by_kind[kind].append(s)
    if len(by_kind["ontology"]) != 1:
        raise VocabularyError(f"{path} must declare exactly one owl:Ontology")
    for annotation in ("cypherType", "cypherLabel", "cypherProperty", "iriSegment"):
        _unique(subjects, f"{namespace}{annotation}")
    (ontology,) = by_kind["ontology"]
    sections = [
        HEADER.format(command=COMMAND).rstrip("\n"),
        f"ONTOLOGY_IRI = {_literal(namespace)}\n" + _call("Term", _term_fields(ontology, namespace), "ONTOLOGY = ", ""),
        "ANNOTATION_PROPERTIES: tuple[Term, ...] = (\n"
        + "\n".join(_call("Term", _term_fields(s, namespace)) for s in by_kind["annotation"]) + "\n)",
        "CLASSES: dict[str, OntologyClass] = {c.name: c for c in (\n"
        + "\n".join(_class(s, namespace) for s in by_kind["class"]) + "\n)}",
        "OBJECT_PROPERTIES: tuple[ObjectProperty, ...] = (\n"
        + "\n".join(_property(s, namespace, "object") for s in by_kind["object"]) + "\n)",
        "DATATYPE_PROPERTIES: tuple[DatatypeProperty, ...] = (\n"
        + "\n".join(_property(s, namespace, "datatype") for s in by_kind["datatype"]) + "\n)",
        "# the property graph's node labels and relationship types\n"
        + _names("NODE_LABELS: tuple[str, ...] = ",
                 [n for s in by_kind["class"] if (n := s.one(f"{namespace}cypherLabel"))]) + "\n"
        + _names("REL_TYPES: tuple[str, ...] = ",
                 [t for s in by_kind["object"] if (t := s.one(f"{namespace}cypherType"))]),
    ]
    return "\n\n".join(sections) + "\n" + FOOTER


def main(argv: list[str] | None = None) -> int:
    """Write vocabulary.py, or with ``--check`` only say whether it is current (exit status 1 when stale)."""
    parser = argparse.ArgumentParser(prog=COMMAND, description="Write ontology/vocabulary.py from ontology/ipkg.ttl.")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when vocabulary.py is stale")
    args = parser.parse_args(argv)
    text = render()
    current = VOCABULARY_PY.read_text(encoding="utf-8") if VOCABULARY_PY.exists() else None
    if args.check:
        if current != text:
            print(f"{VOCABULARY_PY} is stale: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        VOCABULARY_PY.write_text(text, encoding="utf-8")
        print(f"wrote {VOCABULARY_PY}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
