"""One vocabulary: ontology/vocabulary.py is current with ipkg.ttl, and every name the code uses is declared there.

The names are read from the code as text: the node labels and relationship types kg/graph.py assembles the
graph with (``self.node("X", …)``, ``self.edge("X", …)``) and those that it, the RDF writer and the pictures
compare with (``d["label"] == "X"``, ``rel in ("X", …)``), the labels and types of the question catalogue's
Cypher patterns (``(:X)``, ``(x:X)``, ``[:X]``, ``[r:X]``, ``-[:X*…]``) and the ``ipkg:`` terms of its SPARQL.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.graph import LABELS, REL_TYPES
from loaders.rdf import CLASS_IRI, NODE_PROPERTY, REL_PROPERTY
from ontology import ONTOLOGY_TTL, vocabulary
from ontology.generate import COMMAND, VOCABULARY_PY, VocabularyError, render
from ontology.iri import KINDS
from ontology.labels import class_label, relation_labels
from queries.catalogue import CATALOGUE_DIR
from tests.conftest import ROOT
from viz.render import CLASS_STYLE

GRAPH_PY = ROOT / "kg" / "graph.py"
# the code that assembles, writes and draws the graph by node label and relationship type
PYTHON = (GRAPH_PY, ROOT / "loaders" / "rdf.py", *sorted((ROOT / "viz").glob("*.py")))

_PY_NODE = re.compile(r"\.node\(\s*\"([^\"]*)\"")  # self.node("Region", …)
_PY_EDGE = re.compile(r"\.edge\(\s*\"([^\"]*)\"")  # self.edge("PART_OF", …)
_PY_LABEL_TEST = re.compile(r"""label["']\)?\]?\s*[!=]=\s*["'](\w+)["']""")  # d["label"] == "Plan"
# a comparison with relationship types: rel == "BROADER", k in ("IMPLEMENTS", "PROMOTES")
_PY_TYPE_TEST = re.compile(r"""(?:[!=]=|\bin)\s*\(?((?:\s*["'][A-Z][A-Z0-9_]+["']\s*,?)+)""")
_PY_TYPE = re.compile(r"""["']([A-Z][A-Z0-9_]+)["']""")
_CYPHER_COMMENT = re.compile(r"//[^\n]*")
_STRING = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
# the types of a relationship pattern: [:A], [r:A], [:A|B], [:A*0..], [r:A {k: $v}]
_CYPHER_REL = re.compile(r"\[\s*\w*\s*:([^\]*{]*)[^\]]*\]")
# the labels of a node pattern, (:A), (x:A), (x:A:B {k: $v}), and of a label test such as WHERE m:Brand
_CYPHER_NODE = re.compile(r"\(\s*\w*\s*((?:\s*:\s*\w+)+)")
_CYPHER_TEST = re.compile(r"\b\w+((?::[A-Z]\w*)+)")
_SPARQL_IRI = re.compile(r"<([^<>\s]*)>")
_SPARQL_COMMENT = re.compile(r"#[^\n]*")
_SPARQL_TERM = re.compile(r"\bipkg:([\w-]+)")


def _split(names: str, sep: str) -> set[str]:
    return {n.strip(" :") for n in names.split(sep) if n.strip(" :")}


def names_in_python(text: str) -> tuple[set[str], set[str]]:
    """(node labels, relationship types) that code passes to ``.node(…)`` and ``.edge(…)`` or compares with."""
    types = {t for group in _PY_TYPE_TEST.findall(text) for t in _PY_TYPE.findall(group)}
    return set(_PY_NODE.findall(text)) | set(_PY_LABEL_TEST.findall(text)), set(_PY_EDGE.findall(text)) | types


def names_in_cypher(text: str) -> tuple[set[str], set[str]]:
    """(node labels, relationship types) that a Cypher text's patterns name."""
    text = _STRING.sub("''", _CYPHER_COMMENT.sub("", text))
    types = {t for group in _CYPHER_REL.findall(text) for t in _split(group, "|")}
    rest = _CYPHER_REL.sub("[]", text)
    labels = {n for group in _CYPHER_NODE.findall(rest) + _CYPHER_TEST.findall(rest) for n in _split(group, ":")}
    return labels, types


def terms_in_sparql(text: str) -> set[str]:
    """Local names of the ontology's namespace that a SPARQL text names, as ipkg:x or as a full IRI."""
    iris = _SPARQL_IRI.findall(text)
    text = _SPARQL_COMMENT.sub("", _STRING.sub('""', _SPARQL_IRI.sub("<>", text)))
    full = {i.removeprefix(vocabulary.ONTOLOGY_IRI) for i in iris if i.startswith(vocabulary.ONTOLOGY_IRI)}
    return set(_SPARQL_TERM.findall(text)) | (full - {""})


def undeclared(text: str, kind: str) -> list[str]:
    """What a text of ``kind`` (python, cypher or sparql) names that ipkg.ttl does not declare."""
    if kind == "sparql":
        return [f"ipkg:{t}" for t in sorted(terms_in_sparql(text) - vocabulary.NAMES)]
    labels, types = names_in_python(text) if kind == "python" else names_in_cypher(text)
    return ([f"node label {n}" for n in sorted(labels - set(vocabulary.NODE_LABELS))]
            + [f"relationship type {t}" for t in sorted(types - set(vocabulary.REL_TYPES))])


def _sources() -> list[tuple[Path, str]]:
    return ([(p, "python") for p in PYTHON] + [(p, "cypher") for p in sorted(CATALOGUE_DIR.glob("*.cypher"))]
            + [(p, "sparql") for p in sorted(CATALOGUE_DIR.glob("*.sparql"))])


def test_generated_vocabulary_is_current() -> None:
    current = VOCABULARY_PY.read_text(encoding="utf-8")
    assert render(ONTOLOGY_TTL) == current, f"ontology/vocabulary.py is stale: run `.venv/bin/{COMMAND}`"


def test_every_name_the_code_uses_is_declared() -> None:
    problems = [f"{path.relative_to(ROOT)}: {what} is not declared in ontology/ipkg.ttl"
                for path, kind in _sources() for what in undeclared(path.read_text(encoding="utf-8"), kind)]
    assert not problems, "\n".join(problems)


def test_the_scan_finds_what_the_code_uses() -> None:
    """The scan is not vacuous: it sees the names the graph and the catalogue really use."""
    labels, types = names_in_python(GRAPH_PY.read_text(encoding="utf-8"))
    assert {"Plan", "Region", "IPType"} <= labels and {"PART_OF", "RESPONSIBLE_FOR", "MEASURES"} <= types
    labels, types = names_in_python((ROOT / "loaders" / "rdf.py").read_text(encoding="utf-8"))
    assert {"Plan", "Task"} <= labels and {"BROADER", "IMPLEMENTS", "ISSUED_BY"} <= types
    cypher = [names_in_cypher(p.read_text(encoding="utf-8")) for p in CATALOGUE_DIR.glob("*.cypher")]
    assert {"Brand", "GeographicalIndication", "Indicator"} <= set().union(*(c[0] for c in cypher))
    assert {"BROADER", "IMPLEMENTS", "MEASURES"} <= set().union(*(c[1] for c in cypher))
    sparql = set().union(*(terms_in_sparql(p.read_text(encoding="utf-8")) for p in CATALOGUE_DIR.glob("*.sparql")))
    assert {"qualifiedResponsibility", "broader", "GeographicalIndication"} <= sparql


def test_the_check_fails_on_undeclared_names() -> None:
    cypher = """// a comment naming (:Ghost) and [:GHOST] does not count
    MATCH (p:Plan)-[:FUNDS]->(s:Sponsor), (p)-[r:GOVERNS|OWNS*1..2]->(:Region:Area {name: 'x:Y'})
    WHERE s:Donor OR p:Plan RETURN labels(p)[0], [x IN r.plans WHERE x <> ''] AS plans"""
    assert undeclared(cypher, "cypher") == ["node label Area", "node label Donor", "node label Sponsor",
                                            "relationship type FUNDS", "relationship type OWNS"]
    python = """iri = self.node("Sponsor", key, p)
    self.edge("FUNDS", a, iri, p)
    self.edge("PART_OF", a, b, p)
    if d["label"] == "Donor" and d.get("label") != "Plan" and rel in ("GOVERNS", "OWNS") or k == "PAYS":
        print("NOT_A_TYPE", "Neither")"""
    assert undeclared(python, "python") == ["node label Donor", "node label Sponsor", "relationship type FUNDS",
                                            "relationship type OWNS", "relationship type PAYS"]
    sparql = """PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
    # ipkg:inComment is no term
    SELECT ?x WHERE { ?x a ipkg:Plan ; ipkg:fundedBy ?s ; <https://w3id.org/ipkg/ontology#sponsor> "ipkg:no" }"""
    assert undeclared(sparql, "sparql") == ["ipkg:fundedBy", "ipkg:sponsor"]


def test_what_the_code_keys_by_the_vocabulary_covers_it() -> None:
    """Each class stored in the graph can be minted, typed and drawn; each relationship written and named."""
    assert LABELS == vocabulary.NODE_LABELS and REL_TYPES == vocabulary.REL_TYPES
    for label in LABELS:
        assert label in KINDS and label in CLASS_STYLE and label in CLASS_IRI, label
        assert class_label(label) == (vocabulary.CLASSES[label].zh, vocabulary.CLASSES[label].en)
    assert list(REL_PROPERTY) == list(relation_labels()) == list(REL_TYPES)
    assert {k: str(p) for k, (p, _) in NODE_PROPERTY.items()} == {
        p.cypher_property: p.iri for p in vocabulary.DATATYPE_PROPERTIES if p.cypher_property}


def test_the_vocabulary_needs_no_turtle_at_run_time() -> None:
    code = ("import sys, ontology.vocabulary, ontology.labels, ontology.iri; "
            "print(sorted(m for m in ('pyoxigraph', 'rdflib', 'ontology.generate') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert loaded.stdout.strip() == "[]"


@pytest.mark.parametrize(("old", "new", "message"), [
    ('ipkg:iriSegment "org"', 'ipkg:iriSegment "gi"', "both have .*iriSegment 'gi'"),
    ('ipkg:cypherType "BROADER"', 'ipkg:cypherType "PART_OF"', "both have .*cypherType 'PART_OF'"),
    ('ipkg:cypherLabel "Brand"', 'ipkg:cypherLabel "Mark"', "must be the class's local name"),
    ('ipkg:iriSegment "org"', 'ipkg:iriSegment "org" , "organisation"', "2 values of .*iriSegment"),
])
def test_the_generator_refuses_an_ambiguous_ontology(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = ONTOLOGY_TTL.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "ipkg.ttl"
    broken.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(VocabularyError, match=message):
        render(broken)


def test_every_property_a_picture_shows_is_labelled_by_the_ontology() -> None:
    from viz.render import SHOWN, SHOWN_KEYS

    assert set(SHOWN) == set(SHOWN_KEYS), f"no ontology property with these Cypher keys: {set(SHOWN_KEYS) - set(SHOWN)}"
