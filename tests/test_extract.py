"""Extraction facts checked by hand against the documents, evidence spans, and the eval bars."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from kg.model import PlanData
from ontology.lexicon import lexicon
from tests.conftest import DEV_CORPUS, SAMPLE_CORPUS, seed

runner = CliRunner()


def _dept(plan: PlanData, name: str):
    return next(d for d in plan.departments if name == d.name or name in d.aliases)


def test_metadata_of_the_minhe_plan(plans: dict[str, PlanData]) -> None:
    m = plans["004"].plan
    assert m.title == "民和县贯彻落实青海省“十四五”知识产权保护和运用规划实施意见"
    assert m.issuer == "民和回族土族自治县人民政府办公室"
    assert m.issue_date.isoformat() == "2022-11-14"
    assert m.period == (2021, 2025)
    assert (m.region.code, m.region.name) == ("630222", "民和回族土族自治县")
    assert [p.name for p in m.region.parents] == ["青海省", "海东市"]
    assert m.implements[0].doc_number == "东政办〔2022〕145号"


def test_departments_are_qualified_by_region(plans: dict[str, PlanData]) -> None:
    smj = _dept(plans["004"], "县市场监督管理局")
    assert smj.qualified_name == "民和回族土族自治县市场监督管理局"
    assert smj.function_type == "ip_market_regulation"
    assert _dept(plans["003"], "市知识产权局").qualified_name == "重庆市知识产权局"
    assert _dept(plans["004"], "县法院").function_type == "court"
    # 区公安局 is 万州's public security bureau, not one of 公安县 (whose short name is 公安)
    assert _dept(plans["001"], "区公安局").qualified_name == "万州区公安局"
    assert _dept(plans["004"], "县检察院").function_type == "procuratorate"
    # a co-name in brackets is one body with an alias
    d = _dept(plans["003"], "区市场监管局")
    assert "区知识产权局" in d.aliases
    assert d.qualified_name == "璧山区市场监督管理局"


def test_explicit_responsibilities_of_a_task(plans: dict[str, PlanData]) -> None:
    p = plans["004"]
    task = next(t for t in p.tasks if t.title == "强化知识产权行政保护")
    depts = {d.key: d for d in p.departments}
    owners = [depts[r.department].name for r in p.responsibilities if r.task == task.id and r.explicit]
    assert owners == ["县发展和改革局", "县农业农村和科技局", "县工业和信息化局", "县财政局", "县商务局",
                      "县文体旅游局", "县广播电视局", "县市场监督管理局"]
    assert {"新材料", "新能源"} <= set(task.industries)
    assert task.path[-1].endswith("强化知识产权行政保护")


def test_inferred_owner_is_marked(plans: dict[str, PlanData]) -> None:
    p = plans["001"]
    task = next(t for t in p.tasks if t.title == "新材料知识产权保护")
    (resp,) = [r for r in p.responsibilities if r.task == task.id]
    assert resp.explicit is False and resp.reason
    owner = next(d for d in p.departments if d.key == resp.department)
    assert owner.name == "区市场监管局" and owner.qualified_name == "万州区市场监督管理局"
    assert "新材料" in task.industries


def test_table_indicators_with_baselines(plans: dict[str, PlanData]) -> None:
    ind = next(i for i in plans["003"].indicators if i.name == "每万人口高价值发明专利拥有量")
    assert (ind.baseline, ind.baseline_year, ind.target, ind.target_year, ind.unit, ind.nature) == \
        (2.76, 2020, 12, 2025, "件", "预期性")
    wz = next(i for i in plans["001"].indicators if i.concept == "每万人口发明专利拥有量")
    assert (wz.name, wz.baseline, wz.target) == ("万人发明专利拥有量", 1.85, 4)


def test_prose_indicators_and_concepts(plans: dict[str, PlanData]) -> None:
    fd = {i.name: i for i in plans["000"].indicators}
    assert (fd["每万人口发明专利拥有量"].target, fd["每万人口发明专利拥有量"].nature) == (1.5, "预期性")
    assert fd["高价值发明专利拥有量占全县发明专利拥有量的比例"].unit == "%"
    concepts = {i.concept for p in plans.values() for i in p.indicators}
    assert "每万人口发明专利拥有量" in concepts  # 每万人/万人 forms fold into one concept


def test_industries_taxonomy_brands_and_gis(plans: dict[str, PlanData]) -> None:
    p = plans["004"]
    nm = next(i for i in p.industries if i.name == "新材料")
    assert nm.concept == "new-materials" and nm.broader == ["strategic-emerging"]
    assert lexicon().industries["strategic-emerging"].label == "战略性新兴产业"
    wz = plans["001"]
    assert {"万州青脆李", "万县红桔"} <= {g.name for g in wz.geographical_indications}
    assert {"三峡天丛", "谭木匠"} <= {b.name for b in wz.brands}
    assert not {"专利", "版权"} & {g.name for g in wz.geographical_indications}
    assert "两品一标" not in {b.name for b in wz.brands}  # a certification scheme, not a brand
    assert "世界大河歌会" in {b.name for b in wz.brands}
    assert "世界大河歌会" not in {i.name for i in wz.industries}  # a listed brand is no industry


def test_evidence_spans_quote_the_source(plans: dict[str, PlanData]) -> None:
    for code, plan in plans.items():
        raw = seed(code).read_text(encoding="utf-8")
        for ind in plan.indicators:
            if ind.target is not None:
                value = f"{ind.target:g}"
                assert value in raw[ind.evidence.start : ind.evidence.end].replace(" ", ""), (code, ind.name)
        for node in plan.outline:
            # the node's span in the source holds its own heading (spaces of PDF conversion aside)
            head = raw[node.start : node.end].replace(" ", "")[:200]
            assert node.title[:4] in head, (code, node.id, node.title)



def test_task_source_runs_place_the_text_in_the_source() -> None:
    import unicodedata

    from kg.extract import extract_file
    from kg.ingest import read_source

    def width(s: str) -> str:  # cleaning changes a character's width one for one (１ -> 1, , -> ，)
        return unicodedata.normalize("NFKC", s).translate(str.maketrans("，：；（）！？", ",:;()!?"))

    files = [*sorted(SAMPLE_CORPUS.glob("*.txt")), *sorted(DEV_CORPUS.glob("*.txt"))]
    covered = total = 0
    for f in files:
        raw = read_source(f)[0]
        for t in extract_file(f).tasks:
            for at, offset, n in t.source_runs:
                assert width(raw[offset : offset + n]) == width(t.text[at : at + n]), (f.name, t.id)
            covered += sum(n for _, _, n in t.source_runs)
            total += len(t.text)
    # everything but the 。 that joins a table row's cells lies in the source
    assert covered / total > 0.999


def test_workers_do_not_change_results(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    assert runner.invoke(app, ["extract", str(SAMPLE_CORPUS), "-o", str(one), "-q"]).exit_code == 0
    assert runner.invoke(app, ["extract", str(SAMPLE_CORPUS), "-o", str(two), "-q", "--workers", "2"]).exit_code == 0
    names = sorted(f.name for f in one.glob("*.json"))
    assert len(names) == 5 and names == sorted(f.name for f in two.glob("*.json"))
    for n in names:
        assert (one / n).read_text(encoding="utf-8") == (two / n).read_text(encoding="utf-8")


def test_bad_files_fail_alone(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_bytes(seed("004").read_bytes())
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (src / "news.txt").write_text("本报讯 昨日，我市举行春季运动会。比赛历时三天。", encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "cli", "extract", str(src), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    for line in ("error empty.txt: empty file", "error binary.txt: binary data",
                 "error news.txt: not a plan"):
        assert line in proc.stderr
    assert [f.name for f in out.glob("*.json")] == ["good.json"]
    assert "1 of 4 file(s) extracted" in proc.stdout


def test_eval_bars_on_shared_and_dev_gold(shared_eval: Path, tmp_path: Path) -> None:
    """The seeds' shared gold and the dev plans' gold, scored together: the bars of issue 12."""
    gold = tmp_path / "gold"
    gold.mkdir()
    inputs = []
    for folder, corpus in ((shared_eval / "gold", SAMPLE_CORPUS), (shared_eval / "gold-dev", DEV_CORPUS)):
        for g in sorted(folder.glob("*.json")):
            (gold / g.name).write_bytes(g.read_bytes())
            inputs.append(corpus / (g.stem + ".txt"))
    assert len(inputs) >= 9 and all(p.exists() for p in inputs), inputs
    result = runner.invoke(app, ["extract", *map(str, inputs), "-o", str(tmp_path / "plans"),
                                 "--eval-dir", str(tmp_path / "eval"), "-q"])
    assert result.exit_code == 0, result.output
    proc = subprocess.run([sys.executable, str(shared_eval / "score.py"), "--gold", str(gold), "--pred",
                           str(tmp_path / "eval"), "--json"], capture_output=True, text=True, check=True)
    scores = json.loads(proc.stdout)
    assert scores["micro"]["f1"] >= 0.95, scores["micro"]
    for field, s in scores.items():
        if isinstance(s, dict) and "f1" in s:
            assert s["f1"] >= 0.90, (field, s)


def test_outputs_are_readable_by_others(tmp_path: Path) -> None:
    """Plan data is written like any file the user writes (0644 under the usual umask), not 0600."""
    import os
    import stat

    old = os.umask(0o022)
    try:
        result = runner.invoke(app, ["extract", str(seed("004")), "-o", str(tmp_path), "-q"])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    mode = stat.S_IMODE((tmp_path / f"{seed('004').stem}.json").stat().st_mode)
    assert mode == 0o644, oct(mode)


def test_extract_shows_at_most_twenty_checks_per_file(tmp_path: Path) -> None:
    """A plan with many unreadable markers lists twenty in the terminal and says where the rest are."""
    body = "".join(f"{i}．推进第{i}项工作。开展专利、商标、版权保护。\n责任单位：\n" for i in range(1, 26))
    plan = tmp_path / "many.txt"
    plan.write_text("某县知识产权工作方案\n\n一、重点任务\n" + body, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(plan), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    checks = [line for line in result.output.splitlines() if line.strip().startswith("check")]
    assert len(checks) == 21, result.output
    assert checks[-1].strip() == 'check many.txt: 5 more, listed under "diagnostics" in its plan-data JSON'
    saved = json.loads((tmp_path / "out" / "many.json").read_text(encoding="utf-8"))
    assert len(saved["diagnostics"]) == 25
