"""The knowledge graph: assembly by the ontology, RDF that passes SHACL, and lossless round trips."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph
from pyshacl import validate
from rdflib import Graph
from typer.testing import CliRunner

from cli import app
from kg.graph import LABELS, REL_TYPES, counts
from kg.model import PlanData
from loaders.rdf import to_rdf
from ontology import ONTOLOGY_TTL, SHAPES_TTL
from tests.conftest import SAMPLE_CORPUS

runner = CliRunner()


def _by(graph: nx.MultiDiGraph, label: str, **props) -> list[dict]:
    return [d for _, d in graph.nodes(data=True) if d["label"] == label
            and all(d.get(k) == v for k, v in props.items())]


def test_shared_entities_appear_once(sample_graph: nx.MultiDiGraph) -> None:
    chongqing = _by(sample_graph, "Region", code="500000")
    assert len(chongqing) == 1 and len(chongqing[0]["plans"]) >= 4  # 000, 001, 002, 003 sit in 重庆
    assert len(_by(sample_graph, "Industry", concept="new-materials")) == 1
    ind = _by(sample_graph, "Indicator", id="每万人口发明专利拥有量")
    assert len(ind) == 1 and len(ind[0]["plans"]) == 5  # 民和's 有效发明专利拥有量 0.76件 is per capita too
    # the same department named by two plans is one node
    ip_office = _by(sample_graph, "Department", qualified_name="重庆市知识产权局")
    assert len(ip_office) == 1 and len(ip_office[0]["plans"]) == 2


def test_labels_types_and_required_properties(sample_graph: nx.MultiDiGraph) -> None:
    nodes, edges = counts(sample_graph)
    assert set(nodes) <= set(LABELS) and set(edges) <= set(REL_TYPES)
    assert {"Plan", "Task", "Department", "Region", "Industry", "Indicator", "Target"} <= set(nodes)
    for _, d in sample_graph.nodes(data=True):
        assert d["id"] and d["iri"] and d["name"] and d["plans"]
    for _, _, k, d in sample_graph.edges(keys=True, data=True):
        assert d["type"] == k and d["plans"]
    # evidence on facts
    resp = [d for _, _, k, d in sample_graph.edges(keys=True, data=True) if k == "RESPONSIBLE_FOR"]
    assert all({"sentence", "source", "start", "end", "explicit"} <= set(d) for d in resp)


def test_lineage_and_taxonomy_edges(sample_graph: nx.MultiDiGraph) -> None:
    by_id = {d["id"]: n for n, d in sample_graph.nodes(data=True)}
    cited = [d for _, d in sample_graph.nodes(data=True) if d["label"] == "Plan" and not d["in_corpus"]]
    assert cited and all(sample_graph.in_degree(d["iri"]) >= 1 for d in cited)
    nm, sei = by_id["new-materials"], by_id["strategic-emerging"]
    assert sample_graph.has_edge(nm, sei, key="BROADER")


def test_rdf_export_conforms_to_shapes(sample_graph: nx.MultiDiGraph) -> None:
    rdf = to_rdf(sample_graph)
    conforms, _, text = validate(rdf, shacl_graph=Graph().parse(SHAPES_TTL), ont_graph=Graph().parse(ONTOLOGY_TTL),
                                 inference="none")
    assert conforms, text[:2000]


def test_build_writes_and_round_trips(tmp_path: Path, sample_graph: nx.MultiDiGraph) -> None:
    out = tmp_path / "g"
    result = runner.invoke(app, ["build", str(SAMPLE_CORPUS), "-o", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("kg.ttl", "kg.jsonld", "kg.nt", "kg.graphml"):
        assert (out / name).stat().st_size > 0
    assert len(list((out / "plans").glob("*.json"))) == 5
    n_triples = len(to_rdf(sample_graph))
    for name, fmt, ox in (("kg.ttl", "turtle", pyoxigraph.RdfFormat.TURTLE),
                          ("kg.nt", "nt", pyoxigraph.RdfFormat.N_TRIPLES),
                          ("kg.jsonld", "json-ld", pyoxigraph.RdfFormat.JSON_LD)):
        assert len(Graph().parse(out / name, format=fmt)) == n_triples, name
        store = pyoxigraph.Store()
        store.load(path=str(out / name), format=ox)
        assert len(store) == n_triples, name
    back = nx.read_graphml(out / "kg.graphml")
    assert (back.number_of_nodes(), back.number_of_edges()) == (sample_graph.number_of_nodes(),
                                                                 sample_graph.number_of_edges())


def test_reviewed_json_loads_like_fresh_extraction(tmp_path: Path, plans: dict[str, PlanData]) -> None:
    """A corrected plan-data file builds exactly the graph its extraction would."""
    folder = tmp_path / "reviewed"
    folder.mkdir()
    for code, plan in plans.items():
        (folder / f"{code}.json").write_text(plan.model_dump_json(), encoding="utf-8")
    from kg.build import assemble, build_from

    graph, loaded, errors = build_from([folder])
    assert not errors and len(loaded) == 5
    fresh = assemble(plans.values())
    assert counts(graph) == counts(fresh)
    assert sorted(graph.nodes) == sorted(fresh.nodes)
