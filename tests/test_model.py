"""Plan-data model: lossless JSON round trip, the shipped schema, and `ipkg validate`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from kg.model import PlanData
from kg.validate import SCHEMA_PATH, schema_text

runner = CliRunner()


def test_round_trip_is_lossless(plans: dict[str, PlanData]) -> None:
    for plan in plans.values():
        text = plan.model_dump_json()
        again = PlanData.model_validate_json(text)
        assert again == plan
        assert again.model_dump_json() == text


def test_every_fact_has_evidence(plans: dict[str, PlanData]) -> None:
    for plan in plans.values():
        facts = [*plan.indicators, *plan.tasks, *plan.responsibilities]
        evidences = [f.evidence for f in facts]
        for group in (plan.departments, plan.industries, plan.brands, plan.geographical_indications):
            evidences += [e for item in group for e in item.evidence]
        assert evidences
        for ev in evidences:
            assert ev.source == plan.source.file
            assert 0 <= ev.start <= ev.end <= plan.source.chars
            assert ev.sentence


def test_shipped_schema_is_current() -> None:
    # regenerate: the file in the repository must equal what the model gives today
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), \
        "kg/schema/plan-data.schema.json is stale: run `ipkg schema --write kg/schema/plan-data.schema.json`"


def test_validate_accepts_extracted_file(plans: dict[str, PlanData], tmp_path: Path) -> None:
    f = tmp_path / "plan.json"
    f.write_text(plans["004"].model_dump_json(), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(f)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_validate_reports_each_problem_with_its_json_path(plans: dict[str, PlanData], tmp_path: Path) -> None:
    data = json.loads(plans["004"].model_dump_json())
    data["indicators"][1]["target"] = "a lot"           # wrong type
    del data["departments"][0]["qualified_name"]          # missing field
    data["plan"]["surprise"] = 1                          # unknown key (a typo in a hand edit)
    f = tmp_path / "edited.json"
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(f)])
    assert result.exit_code == 1
    out = result.output.replace("\n", " ")
    assert "$.indicators[1].target" in out
    assert "$.departments[0].qualified_name" in out
    assert "$.plan.surprise" in out


def test_validate_catches_dangling_reference_and_bad_json(plans: dict[str, PlanData], tmp_path: Path) -> None:
    data = json.loads(plans["004"].model_dump_json())
    data["responsibilities"][0]["department"] = "nowhere"
    f = tmp_path / "dangling.json"
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    g = tmp_path / "broken.json"
    g.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(f), str(g)])
    assert result.exit_code == 1
    out = result.output.replace("\n", " ")
    assert "names no department" in out
    assert "not JSON (line 1" in out
