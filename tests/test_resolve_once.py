"""Resolution happens once, before plan data is written: graph assembly only assembles."""

from __future__ import annotations

import json

import networkx as nx
import pytest

import kg.resolve
from kg.build import load_plans
from kg.graph import build_graph
from kg.model import PlanData
from tests.conftest import SAMPLE_CORPUS


def _as_dicts(g: nx.MultiDiGraph) -> tuple[dict, dict]:
    nodes = {n: {k: (sorted(v) if isinstance(v, set) else v) for k, v in d.items()} for n, d in g.nodes(data=True)}
    edges = {(a, b, k): {x: (sorted(v) if isinstance(v, set) else v) for x, v in d.items()}
             for a, b, k, d in g.edges(keys=True, data=True)}
    return nodes, edges


def test_graph_from_plan_json_equals_graph_from_text(plans: dict[str, PlanData], tmp_path, monkeypatch) -> None:
    from_text = build_graph(plans.values())
    for key, p in plans.items():
        (tmp_path / f"{key}.json").write_text(p.model_dump_json(), encoding="utf-8")
    reloaded, errors = load_plans([tmp_path])
    assert errors == []

    # assembling must not decide any identity: every public resolver fails if graph assembly calls it
    def forbidden(*_a, **_k):
        raise AssertionError("graph assembly called resolution")

    for name in ("qualify_department", "department_key", "cited_plan_key", "function_type", "region_ref",
                 "indicator_concept", "resolve_plan_region", "finalise"):
        monkeypatch.setattr(kg.resolve, name, forbidden)
        monkeypatch.setattr(f"kg.graph.{name}", forbidden, raising=False)
    from_json = build_graph(reloaded)
    assert _as_dicts(from_json) == _as_dicts(from_text)
    assert from_json.number_of_nodes() > 500


def test_reviewed_title_gets_its_identity_from_the_same_rules(plans: dict[str, PlanData], tmp_path) -> None:
    p = plans["004"]
    raw = json.loads(p.model_dump_json())
    cited = raw["plan"]["implements"][0]
    cited["title"] = "《" + cited["title"] + "》"  # a reviewer quoted the title
    cited["key"] = "stale-key"
    (tmp_path / "004.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    [reloaded], _ = load_plans([tmp_path])
    assert reloaded.plan.implements[0].key == p.plan.implements[0].key != "stale-key"
    assert reloaded.plan.issuer_body is not None
    assert reloaded.plan.issuer_body.qualified_name == "民和回族土族自治县人民政府办公室"


def test_a_task_industry_must_be_one_of_the_plans(plans: dict[str, PlanData]) -> None:
    raw = json.loads(plans["004"].model_dump_json())
    task = next(t for t in raw["tasks"] if t["industries"])
    task["industries"].append("不存在的产业")
    with pytest.raises(ValueError, match="not in industries"):
        PlanData.model_validate(raw)


def test_sample_corpus_is_there() -> None:
    assert len(list(SAMPLE_CORPUS.glob("*.txt"))) == 5
