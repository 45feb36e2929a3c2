"""The OWL ontology and SHACL shapes: labels, alignment, and validation that catches breakage."""

from __future__ import annotations

import pytest
from pyshacl import validate
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef

from ontology import ONTOLOGY_TTL, SHAPES_TTL
from ontology.iri import mint

IPKG = Namespace("https://w3id.org/ipkg/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")
CLASSES = ["Plan", "Task", "Indicator", "Target", "Department", "Region", "Industry", "Brand",
           "GeographicalIndication", "Organization", "IPType"]
RELATIONS = {"ISSUED_BY", "GOVERNS", "IMPLEMENTS", "HAS_TASK", "SUBTASK_OF", "RESPONSIBLE_FOR", "CONCERNS",
             "SETS_TARGET", "PRIORITIZES", "PROMOTES", "LOCATED_IN", "PART_OF", "BROADER"}
W3C = ("http://www.w3.org/ns/org#", "http://www.w3.org/2004/02/skos/core#", "http://purl.org/linked-data/cube#",
       "http://www.w3.org/ns/prov#", "http://purl.org/dc/terms/", "http://data.europa.eu/eli/ontology#")


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_TTL)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_TTL)


def test_classes_have_labels_comment_and_alignment(onto: Graph) -> None:
    for name in CLASSES:
        c = IPKG[name]
        assert (c, RDF.type, OWL.Class) in onto, name
        langs = {lab.language for lab in onto.objects(c, RDFS.label)}
        assert {"zh", "en"} <= langs, name
        assert onto.value(c, RDFS.comment), name
        supers = [str(s) for s in onto.objects(c, RDFS.subClassOf)]
        assert any(s.startswith(W3C) for s in supers), f"{name} is aligned to no W3C vocabulary"


def test_relations_listed_in_architecture_exist(onto: Graph) -> None:
    types = {str(o) for o in onto.objects(None, IPKG.cypherType)}
    assert RELATIONS <= types
    for prop in onto.subjects(IPKG.cypherType, None):
        assert {lab.language for lab in onto.objects(prop, RDFS.label)} >= {"zh", "en"}
        assert onto.value(prop, RDFS.comment)


def test_every_class_has_a_shape(shapes: Graph) -> None:
    targets = set(shapes.objects(None, SH.targetClass))
    assert {IPKG[c] for c in CLASSES} <= targets


def _example() -> Graph:
    """A small, valid hand-built graph: a county plan, its region, a department and a task it owns."""
    g = Graph()
    region, plan = URIRef(mint("Region", "630222")), URIRef(mint("Plan", "民和县实施意见"))
    dept = URIRef(mint("Department", "630222", "民和回族土族自治县市场监督管理局"))
    task, target = URIRef(mint("Task", "民和县实施意见", "t1")), URIRef(mint("Target", "民和县实施意见", "x"))
    ind, ev, resp = URIRef(mint("Indicator", "每万人口高价值发明专利拥有量")), BNode(), BNode()
    g.add((region, RDF.type, IPKG.Region))
    g.add((region, IPKG.name, Literal("民和回族土族自治县")))
    g.add((region, IPKG.regionCode, Literal("630222")))
    g.add((region, IPKG.level, Literal("county")))
    g.add((plan, RDF.type, IPKG.Plan))
    g.add((plan, IPKG.name, Literal("民和县贯彻落实青海省“十四五”知识产权保护和运用规划实施意见")))
    g.add((plan, IPKG.issueDate, Literal("2022-11-14", datatype=XSD.date)))
    g.add((plan, IPKG.inCorpus, Literal(True)))
    g.add((plan, IPKG.governs, region))
    g.add((plan, IPKG.hasTask, task))
    g.add((plan, IPKG.setsTarget, target))
    g.add((ev, RDF.type, IPKG.Evidence))
    g.add((ev, IPKG.source, plan))
    g.add((ev, IPKG.sentence, Literal("责任单位：县市场监督管理局")))
    g.add((ev, IPKG.start, Literal(10, datatype=XSD.nonNegativeInteger)))
    g.add((ev, IPKG.end, Literal(20, datatype=XSD.nonNegativeInteger)))
    g.add((task, RDF.type, IPKG.Task))
    g.add((task, IPKG.name, Literal("强化知识产权行政保护")))
    g.add((task, IPKG.text, Literal("开展知识产权关键领域……")))
    g.add((task, IPKG.evidence, ev))
    g.add((dept, RDF.type, IPKG.Department))
    g.add((dept, IPKG.name, Literal("县市场监督管理局")))
    g.add((dept, IPKG.qualifiedName, Literal("民和回族土族自治县市场监督管理局")))
    g.add((dept, IPKG.functionType, Literal("ip_market_regulation")))
    g.add((dept, IPKG.partOf, region))
    g.add((dept, IPKG.responsibleFor, task))
    g.add((resp, RDF.type, IPKG.Responsibility))
    g.add((resp, IPKG.responsibleAgent, dept))
    g.add((resp, IPKG.role, Literal("lead")))
    g.add((resp, IPKG.explicit, Literal(True)))
    g.add((resp, IPKG.evidence, ev))
    g.add((ind, RDF.type, IPKG.Indicator))
    g.add((ind, IPKG.name, Literal("每万人口高价值发明专利拥有量")))
    g.add((target, RDF.type, IPKG.Target))
    g.add((target, IPKG.name, Literal("每万人口高价值发明专利拥有量")))
    g.add((target, IPKG.indicator, ind))
    g.add((target, IPKG.targetValue, Literal("0.11", datatype=XSD.decimal)))
    g.add((target, IPKG.targetYear, Literal("2025", datatype=XSD.gYear)))
    g.add((target, IPKG.nature, Literal("预期性")))
    g.add((target, IPKG.evidence, ev))
    return g


def _violations(data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    conforms, report, _ = validate(data, shacl_graph=shapes, ont_graph=Graph().parse(ONTOLOGY_TTL),
                                   inference="none")
    return conforms, report


def _reported(report: Graph, focus: URIRef, path: URIRef) -> bool:
    for r in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(r, SH.focusNode) == focus and report.value(r, SH.resultPath) == path:
            return True
    return False


def test_valid_example_conforms(shapes: Graph) -> None:
    conforms, report = _violations(_example(), shapes)
    assert conforms, report.serialize(format="turtle")


def test_three_breakages_are_each_reported(shapes: Graph) -> None:
    g = _example()
    dept = next(g.subjects(RDF.type, IPKG.Department))
    plan = next(g.subjects(RDF.type, IPKG.Plan))
    region = next(g.subjects(RDF.type, IPKG.Region))
    # 1. a required property is missing: the department has no name
    g.remove((dept, IPKG.name, None))
    # 2. a wrong datatype: the issue date is a plain string
    g.set((plan, IPKG.issueDate, Literal("2022年11月14日")))
    # 3. a broken pattern: a region code that is not six digits
    g.set((region, IPKG.regionCode, Literal("63022")))
    conforms, report = _violations(g, shapes)
    assert not conforms
    assert _reported(report, dept, IPKG.name)
    assert _reported(report, plan, IPKG.issueDate)
    assert _reported(report, region, IPKG.regionCode)


def test_inferred_responsibility_needs_a_reason(shapes: Graph) -> None:
    g = _example()
    resp = next(g.subjects(RDF.type, IPKG.Responsibility))
    g.set((resp, IPKG.explicit, Literal(False)))
    conforms, _ = _violations(g, shapes)
    assert not conforms
    g.add((resp, IPKG.reason, Literal("no responsible body named")))
    conforms, report = _violations(g, shapes)
    assert conforms, report.serialize(format="turtle")
