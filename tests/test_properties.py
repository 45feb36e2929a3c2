"""Property tests: the outline parser and indicator recogniser on arbitrary text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.extract.common import Ctx
from kg.extract.indicators import extract_indicators
from kg.ingest import Document, clean_text
from kg.model import SourceInfo
from kg.structure import parse

# Text mixing plan-like pieces with arbitrary Unicode, so the parsers meet both.
PIECES = st.sampled_from([
    "第一章 总体要求", "第二节 目标", "一、", "（二）", "1.", "专栏1", "附件", "\n", "\t", "。", "，", "到2025年，",
    "每万人口发明专利拥有量", "达到", "1.5", "件", "%", "序号", "指标名称", "2020年", "责任单位：", "县市场监督管理局",
    "、", "“", "”", "（", "）", " ",
])
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=60).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_outline_spans_lie_inside_the_text(raw: str) -> None:
    text = clean_text(raw).text
    st_ = parse(text)
    for n in st_.nodes:
        assert 0 <= n.start <= n.end <= len(text)
    for s in st_.sentences:
        assert text[s.start : s.end] == s.text
    for t in st_.tables:
        for row in t.rows:
            for c in row:
                assert text[c.start : c.end] == c.text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_indicator_spans_quote_the_source(raw: str) -> None:
    m = clean_text(raw)
    doc = Document(SourceInfo(file="x.txt", sha256="0" * 64, format="txt", chars=len(raw)), raw, m, [])
    for ind in extract_indicators(Ctx(doc, parse(m.text)), 2025):
        assert 0 <= ind.evidence.start <= ind.evidence.end <= len(raw)
        assert ind.target is None or f"{ind.target:g}" in raw[ind.evidence.start : ind.evidence.end].replace(" ", "")
