"""A built folder as its readers see it (kg.folder): its graph, and the base IRI recorded beside kg.nt."""

from __future__ import annotations

import json
import shutil

import pytest

from kg.folder import META, FolderError, base_iri_of, graph_base_iri, graph_of
from kg.graph import counts
from ontology.iri import base_iri


def test_build_records_the_base_iri_beside_kg_nt(graph_dir, sample_graph) -> None:
    meta = json.loads((graph_dir / META).read_text(encoding="utf-8"))
    assert meta["base_iri"] == base_iri() == graph_base_iri(sample_graph)
    assert base_iri_of(graph_dir) == base_iri()


def test_a_folder_built_before_the_metadata_is_read_once_the_old_way(graph_dir, tmp_path) -> None:
    old = tmp_path / "old"
    shutil.copytree(graph_dir, old, ignore=shutil.ignore_patterns(META, ".oxigraph"))
    assert not (old / META).exists()
    assert base_iri_of(old) == base_iri()  # read off a plan's IRI in kg.nt
    assert json.loads((old / META).read_text(encoding="utf-8"))["base_iri"] == base_iri()  # and recorded


def test_a_folder_without_a_graph_says_what_to_run(tmp_path) -> None:
    with pytest.raises(FolderError, match="run `ipkg build --out"):
        base_iri_of(tmp_path)
    (tmp_path / META).write_text("{not json", encoding="utf-8")
    with pytest.raises(FolderError, match=r"run `ipkg build --out .* again"):
        base_iri_of(tmp_path)


def test_the_graph_of_a_built_folder_is_the_graph_it_was_built_from(graph_dir, sample_graph, tmp_path) -> None:
    graph, errors = graph_of(graph_dir)
    assert errors == [] and counts(graph) == counts(sample_graph)
    with pytest.raises(FolderError, match="not found: run `ipkg build"):
        graph_of(tmp_path)
    (tmp_path / "plans").mkdir()
    with pytest.raises(FolderError, match="has no plan data: run `ipkg build"):
        graph_of(tmp_path)


def test_neighbourhood_pictures_only_for_a_folder_with_plans(graph_dir, sample_graph, tmp_path) -> None:
    from viz.pictures import neighbourhood_pictures

    assert neighbourhood_pictures(tmp_path) is None
    picture = neighbourhood_pictures(graph_dir)
    assert picture is not None
    region = next(iri for iri, d in sample_graph.nodes(data=True) if d["label"] == "Region")
    html = picture(region)
    assert sample_graph.nodes[region]["name"] in html and "<html" in html.lower()
