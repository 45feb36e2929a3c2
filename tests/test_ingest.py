"""Reading: formats, encodings, cleaning with an offset map, and clear one-line errors."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from kg.extract import NotAPlanError, extract_file
from kg.ingest import IngestError, clean_text, read_document, read_source
from tests.conftest import seed
from tests.makefiles import make_docx, make_html, make_pdf

SEED4 = seed("004").read_text(encoding="utf-8")


def _summary(path: Path) -> tuple:
    p = extract_file(path)
    return (p.plan.title, p.plan.region.code if p.plan.region else None, len(p.indicators),
            sorted(d.qualified_name for d in p.departments), len(p.responsibilities))


@pytest.mark.parametrize("encoding,prefix", [("gb18030", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16", b"")])
def test_encodings_are_detected(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    f = tmp_path / f"plan-{encoding}.txt"
    f.write_bytes(prefix + SEED4.encode(encoding))
    assert _summary(f) == _summary(seed("004"))
    assert read_source(f)[1].encoding in {"gb18030", "utf-8-sig", "utf-16"}


def test_html_page_keeps_the_document_and_drops_the_page(tmp_path: Path) -> None:
    f = tmp_path / "page.html"
    make_html(f, SEED4.splitlines())
    text = read_source(f)[0]
    assert "相关链接标题" not in text and "网站地图" not in text and "栏目3" not in text
    assert _summary(f) == _summary(seed("004"))


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    f = tmp_path / "plan.docx"
    header = "序号\t指标名称\t2020年\t2025年\t指标属性"
    row = "1\t每万人口发明专利拥有量（件）\t0.3\t0.76\t预期性"
    lines = [*SEED4.splitlines(), "附件", header, row]
    make_docx(f, lines)
    plan = extract_file(f)
    assert plan.source.format == "docx"
    assert any(t.layout == "tabs" for t in plan.tables)
    row = next(i for i in plan.indicators if i.baseline == 0.3)
    assert (row.target, row.baseline_year, row.target_year, row.nature) == (0.76, 2020, 2025, "预期性")


def test_text_pdf(tmp_path: Path) -> None:
    f = tmp_path / "plan.pdf"
    make_pdf(f, ["某县知识产权保护和运用规划", "一、发展目标",
                 "到2025年，每万人口发明专利拥有量达到1.5件，商标有效注册量达到1400件。",
                 "二、主要任务", "（一）强化知识产权保护。加强专利、商标、地理标志保护。",
                 "责任单位：县市场监督管理局、县公安局"])
    plan = extract_file(f)
    assert plan.source.format == "pdf"
    assert {(i.name, i.target) for i in plan.indicators} >= {("每万人口发明专利拥有量", 1.5), ("商标有效注册量", 1400)}
    assert {d.name for d in plan.departments} >= {"县市场监督管理局", "县公安局"}


def test_cleaning_maps_back_to_the_source() -> None:
    raw = ("[bookmark: _b1]（一）推进产业发展。聚焦绿色建材、智能制\n造等产业，"
           "加强知识 产权保护，目标 2025 年达到 4 件。\n一、总体要求\n到2025年")
    m = clean_text(raw)
    assert "bookmark" not in m.text
    assert "智能制造" in m.text and "知识产权" in m.text and "2025年达到4件" in m.text
    assert "一、总体要求\n到2025年" in m.text  # a heading is not joined to the next line
    for i, ch in enumerate(m.text):
        if ch.strip() and ch not in "（）。，":
            assert raw[m.offsets[i]] == ch


def test_cleaning_unifies_half_width_punctuation() -> None:
    m = clean_text("责任单位:县法院,县检察院(牵头)")
    assert m.text == "责任单位：县法院，县检察院（牵头）"
    assert len(m.offsets) == len(m.text) + 1


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\t \r\n", "empty file"),
    ("binary.txt", bytes(range(256)) * 20, "binary data"),
    ("image.pdf", b"\x89PNG\r\n\x1a\n" + bytes(200), "not a PDF"),
    ("broken.docx", b"PK\x03\x04" + bytes(100), "not a readable .docx"),
    ("locked.docx", b"\xd0\xcf\x11\xe0" + bytes(100), "not a .docx"),
    ("notes.rtf", b"{\\rtf1 hello}", "unsupported file type"),
])
def test_bad_files_give_one_line_reasons(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(IngestError) as exc:
        read_document(f)
    msg = str(exc.value)
    assert msg.startswith(name) and reason in msg and "\n" not in msg


def test_news_article_is_not_a_plan(tmp_path: Path) -> None:
    f = tmp_path / "news.txt"
    f.write_text("本报讯 昨日，我市举行春季运动会，来自全市各学校的两千余名运动员参加比赛。"
                 "比赛设田径、游泳等项目，历时三天。组委会表示，明年将继续举办。", encoding="utf-8")
    with pytest.raises(NotAPlanError, match=r"news\.txt: not a plan"):
        extract_file(f)


def test_mixed_encoding_is_read_with_a_warning(tmp_path: Path) -> None:
    f = tmp_path / "mixed.txt"
    data = SEED4.encode("utf-8")
    f.write_bytes(data[:3000] + b"\xff\xfe\xfa" + data[3000:])
    doc = read_document(f)
    assert any("undecodable" in w for w in doc.warnings)
    assert extract_file(f).warnings
