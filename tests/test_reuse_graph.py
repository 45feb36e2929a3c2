"""Reuse between plans downstream of detection (issue 17): REUSES edges in the graph, their RDF (PROV-O, Web
Annotation selectors on both documents, SHACL), reuse.json in the build folder and a plan-data-only rebuild."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from pyshacl import validate
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef

from kg.graph import JOINT_RELATIONS, build_graph, counts
from kg.model import Evidence, PlanData, ReuseReport, ReuseSide, TaskReuse
from loaders.rdf import to_rdf
from ontology import ONTOLOGY_TTL, SHAPES_TTL
from ontology.iri import mint
from tests.conftest import ROOT, SAMPLE_CORPUS

IPKG = Namespace("https://w3id.org/ipkg/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")


def _task(plan: str, task: str | None) -> str:
    return mint("Task", plan, task) if task else mint("Plan", plan)


def _side(props: dict, side: str) -> Evidence:
    return Evidence(source=props[f"{side}_file"], start=props[f"{side}_start"], end=props[f"{side}_end"],
                    sentence=props[f"{side}_sentence"],
                    path=props[f"{side}_section_path"].split(" > ") if props[f"{side}_section_path"] else [])


def test_every_reuse_of_the_report_is_one_edge_with_both_sides(sample_graph: nx.MultiDiGraph) -> None:
    report: ReuseReport = sample_graph.graph["reuse"]
    assert len(report.tasks) >= 30 and len(report.plans) >= 5
    assert counts(sample_graph)[1]["REUSES"] == len(report.tasks) + len(report.plans)
    for r in report.tasks:
        d = sample_graph.edges[_task(r.target.plan, r.target.task), _task(r.source.plan, r.source.task), "REUSES"]
        assert d["plans"] == {r.source.plan, r.target.plan}
        assert (d["similarity"], d["share"], d["sentences"], d["directed"], d.get("reason")) == (
            r.similarity, r.share, r.sentences, r.directed, r.reason)
        assert (d["source_plan"], d["target_plan"]) == (r.source.plan, r.target.plan)
        assert _side(d, "source") == r.source.evidence and _side(d, "target") == r.target.evidence
    for r in report.plans:
        d = sample_graph.edges[mint("Plan", r.target), mint("Plan", r.source), "REUSES"]
        assert d["plans"] == {r.source, r.target} and "similarity" not in d
        assert (d["share"], d["sentences"], d["tasks"], d["directed"], d.get("reason")) == (
            r.share, r.sentences, r.tasks, r.directed, r.reason)
        assert _side(d, "source") == r.source_evidence and _side(d, "target") == r.target_evidence
    assert JOINT_RELATIONS == ("REUSES",)


def test_the_issues_examples_are_edges_with_the_right_direction(sample_graph, plans: dict[str, PlanData]) -> None:
    """001 repeats 002's 专利布局 sentence (002 is of 2016: directed, by period since 001 has no date); 001 and 003
    share the 商标品牌 sentence (same period, 001 undated: undirected, so from the greater plan key to the lesser)."""
    k1, k2, k3 = (plans[c].plan.key for c in ("001", "002", "003"))
    d = sample_graph.edges[mint("Task", k1, "t5.1.1"), mint("Task", k2, "t2.2.2"), "REUSES"]
    assert (d["directed"], d["reason"], d["similarity"]) == (True, "period", 1.0)
    assert "支持龙头（重点）企业开展以产品链、创新链为纽带的国内外专利布局" in d["target_sentence"]
    assert k1 < k3
    d = sample_graph.edges[mint("Task", k3, "t4.2.2"), mint("Task", k1, "t4.2.1"), "REUSES"]
    assert (d["directed"], d.get("reason")) == (False, None)
    assert d["source_sentence"] == d["target_sentence"] == "加快培育新型农业、先进制造业、现代服务业商标品牌"
    assert sample_graph.has_edge(mint("Plan", k1), mint("Plan", k2), key="REUSES")
    assert not sample_graph.has_edge(mint("Plan", k2), mint("Plan", k1), key="REUSES")


def test_a_report_naming_a_task_no_plan_holds_is_refused(plans: dict[str, PlanData]) -> None:
    one, two = plans["001"], plans["003"]
    ev = one.tasks[0].evidence
    bad = ReuseReport(tasks=[TaskReuse(
        source=ReuseSide(plan=one.plan.key, task=one.tasks[0].id, evidence=ev),
        target=ReuseSide(plan=two.plan.key, task="t-none", evidence=ev),
        directed=False, similarity=0.9, share=0.5, sentences=1)])
    with pytest.raises(ValueError, match=r"task '.*/t-none', which no plan of this graph holds"):
        build_graph([one, two], bad)
    assert "reuse" not in build_graph([one, two]).graph  # no report, no reuse: assembly decides nothing


# ---------------------------------------------------------------- RDF


@pytest.fixture(scope="module")
def rdf(sample_graph) -> Graph:
    return to_rdf(sample_graph)


def _evidence(g: Graph, ev: URIRef, plan: URIRef, e: Evidence) -> None:
    """An evidence node: an annotation on ``plan`` with a position and a quote selector for exactly ``e``."""
    assert (ev, RDF.type, IPKG.Evidence) in g and (ev, RDF.type, OA.Annotation) in g
    assert g.value(ev, IPKG.source) == plan and g.value(ev, IPKG.sentence) == Literal(e.sentence)
    target = g.value(ev, OA.hasTarget)
    assert g.value(target, OA.hasSource) == plan
    selectors = {g.value(s, RDF.type): s for s in g.objects(target, OA.hasSelector)}
    pos, quote = selectors[OA.TextPositionSelector], selectors[OA.TextQuoteSelector]
    assert (g.value(pos, OA.start).toPython(), g.value(pos, OA.end).toPython()) == (e.start, e.end)
    assert g.value(quote, OA.exact) == Literal(e.sentence)


def test_a_task_reuse_is_a_prov_quotation_with_both_spans(rdf: Graph, sample_graph) -> None:
    report: ReuseReport = sample_graph.graph["reuse"]
    assert len(list(rdf.subjects(RDF.type, IPKG.Reuse))) == len(report.tasks) + len(report.plans)
    for r in report.tasks:
        t, s = URIRef(_task(r.target.plan, r.target.task)), URIRef(_task(r.source.plan, r.source.task))
        assert (t, IPKG.reuses, s) in rdf and (t, PROV.wasQuotedFrom, s) in rdf
        (q,) = [q for q in rdf.objects(t, IPKG.qualifiedReuse) if rdf.value(q, IPKG.reusedEntity) == s]
        assert (t, PROV.qualifiedQuotation, q) in rdf and (q, RDF.type, PROV.Quotation) in rdf
        assert rdf.value(q, IPKG.similarity) == Literal(str(r.similarity), datatype=XSD.decimal)
        assert rdf.value(q, IPKG.share) == Literal(str(r.share), datatype=XSD.decimal)
        assert rdf.value(q, IPKG.matchedSentences) == Literal(r.sentences, datatype=XSD.nonNegativeInteger)
        assert rdf.value(q, IPKG.directed) == Literal(r.directed)
        assert rdf.value(q, IPKG.directionReason) == (Literal(r.reason) if r.reason else None)
        _evidence(rdf, rdf.value(q, IPKG.sourceEvidence), URIRef(mint("Plan", r.source.plan)), r.source.evidence)
        _evidence(rdf, rdf.value(q, IPKG.targetEvidence), URIRef(mint("Plan", r.target.plan)), r.target.evidence)


def test_a_plan_reuse_is_a_prov_derivation_with_both_spans(rdf: Graph, sample_graph) -> None:
    for r in sample_graph.graph["reuse"].plans:
        t, s = URIRef(mint("Plan", r.target)), URIRef(mint("Plan", r.source))
        assert (t, IPKG.reuses, s) in rdf and (t, PROV.wasDerivedFrom, s) in rdf
        assert (t, PROV.wasQuotedFrom, s) not in rdf
        (q,) = [q for q in rdf.objects(t, IPKG.qualifiedReuse) if rdf.value(q, IPKG.reusedEntity) == s]
        assert (t, PROV.qualifiedDerivation, q) in rdf and (q, RDF.type, PROV.Derivation) in rdf
        assert rdf.value(q, IPKG.reusedTasks) == Literal(r.tasks, datatype=XSD.nonNegativeInteger)
        assert rdf.value(q, IPKG.similarity) is None
        _evidence(rdf, rdf.value(q, IPKG.sourceEvidence), s, r.source_evidence)
        _evidence(rdf, rdf.value(q, IPKG.targetEvidence), t, r.target_evidence)


def _conforms(g: Graph) -> tuple[bool, Graph]:
    conforms, report, _ = validate(g, shacl_graph=Graph().parse(SHAPES_TTL), ont_graph=Graph().parse(ONTOLOGY_TTL),
                                   inference="none")
    return conforms, report


def _focus(report: Graph) -> set:
    return {report.value(r, SH.focusNode) for r in report.subjects(RDF.type, SH.ValidationResult)}


def test_the_reuse_shape_catches_what_breaks_a_reuse(rdf: Graph) -> None:
    """The sample's RDF conforms (tests/test_graph.py); each breakage of one reuse node is reported on that node."""
    directed = next(q for q in rdf.subjects(RDF.type, PROV.Quotation) if rdf.value(q, IPKG.directed).toPython())
    plan_level = next(rdf.subjects(RDF.type, PROV.Derivation))
    for breakage in ("no target evidence", "share above 1", "directed without reason", "both levels"):
        g = Graph()
        for triple in rdf:
            g.add(triple)
        q = plan_level if breakage == "both levels" else directed
        if breakage == "no target evidence":
            g.remove((q, IPKG.targetEvidence, None))
        elif breakage == "share above 1":
            g.set((q, IPKG.share, Literal("1.5", datatype=XSD.decimal)))
        elif breakage == "directed without reason":
            g.remove((q, IPKG.directionReason, None))
        else:
            g.add((q, IPKG.similarity, Literal("0.9", datatype=XSD.decimal)))
        conforms, report = _conforms(g)
        assert not conforms and _focus(report) == {q}, breakage


# ---------------------------------------------------------------- the build folder


def test_build_writes_reuse_json_and_a_plan_data_rebuild_gives_the_same_reuse(tmp_path: Path, sample_graph) -> None:
    from kg.folder import graph_of

    first, second = tmp_path / "from-text", tmp_path / "from-json"
    for args in (["build", str(SAMPLE_CORPUS), "-o", str(first)], ["build", str(first / "plans"), "-o", str(second)]):
        done = subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, cwd=ROOT,
                              timeout=600)
        assert done.returncode == 0, done.stderr
        assert f"{args[-1]}/reuse.json" in done.stdout
    text = (first / "reuse.json").read_text(encoding="utf-8")
    assert (second / "reuse.json").read_text(encoding="utf-8") == text
    assert ReuseReport.model_validate_json(text) == sample_graph.graph["reuse"]
    assert json.loads(text)["schema_version"] == "1.0"
    assert not list(first.glob(".*reuse*")) and not list(first.glob("*.tmp"))  # written under a temporary name
    graph, errors = graph_of(second)
    assert not errors and counts(graph) == counts(sample_graph)
    assert {(a, b, tuple(sorted(d["plans"])), d["share"]) for a, b, k, d in graph.edges(keys=True, data=True)
            if k == "REUSES"} == {(a, b, tuple(sorted(d["plans"])), d["share"])
                                  for a, b, k, d in sample_graph.edges(keys=True, data=True) if k == "REUSES"}


def test_a_built_folder_is_read_with_the_reuse_its_build_found(tmp_path: Path, sample_graph, plans) -> None:
    """Readers of a folder (load, ask, viz, serve) take reuse.json rather than detect again; a reuse.json made over
    other plan data, or unreadable, is set aside and reuse detected over the plans there."""
    from kg.folder import graph_of
    from loaders.export import write_outputs

    write_outputs(sample_graph, list(plans.values()), tmp_path)
    report: ReuseReport = sample_graph.graph["reuse"]
    kept = ReuseReport(tasks=report.tasks[:3], plans=report.plans[:1])  # not what detection finds: read, not redone
    (tmp_path / "reuse.json").write_text(kept.model_dump_json(), encoding="utf-8")
    graph, _ = graph_of(tmp_path)
    assert counts(graph)[1]["REUSES"] == 4 and graph.graph["reuse"] == kept

    stale = kept.model_copy(deep=True)
    stale.tasks[0].target.task = "t-gone"
    for text in (stale.model_dump_json(), "{not json", '{"tasks": 3}'):
        (tmp_path / "reuse.json").write_text(text, encoding="utf-8")
        graph, _ = graph_of(tmp_path)
        assert graph.graph["reuse"] == report and counts(graph) == counts(sample_graph), text[:20]
