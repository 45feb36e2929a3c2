"""Plan metadata, the documents a plan implements, one node per cited document, and "not a plan".

Every text here is written for the test (regions are real, so that the gazetteer knows them; the
plans, bodies' wordings, figures and dates are invented).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kg.extract import NotAPlanError, extract_document
from kg.graph import build_graph
from kg.ingest import Document, clean_text
from kg.model import PlanData, SourceInfo
from kg.resolve import cited_plan_key, resolve_plan_region

REPO = Path(__file__).resolve().parents[1]

# the body every plan below shares: an outline with tasks, IP words and a target year
BODY = """一、总体要求
（一）指导思想。坚持创新驱动，全面提升知识产权创造、运用、保护、管理和服务水平。
二、工作目标
到2025年，全县每万人口高价值发明专利拥有量达到2.5件，有效注册商标总量达到6000件。
三、重点任务
（一）加强知识产权保护。健全专利、商标侵权纠纷快速处理机制，开展地理标志专项执法。
（二）推进专利转化运用。组织企业对接高校院所，推动专利技术在本地转化。
四、保障措施
（一）强化组织领导。各有关部门要明确分工，抓好落实。
"""


def doc(raw: str, name: str = "t.txt") -> Document:
    m = clean_text(raw)
    return Document(SourceInfo(file=name, sha256="0" * 64, format="txt", chars=len(raw)), raw, m, [])


def plan_of(raw: str, name: str = "t.txt") -> PlanData:
    return extract_document(doc(raw, name))


# ---------------------------------------------------------------- title, issuer, date, region, period


def test_title_on_first_line_and_issuer_date_at_the_end() -> None:
    raw = ("安吉县知识产权强县建设工作方案\n\n"
           "为落实《浙江省知识产权强省建设纲要（2021—2035年）》，结合我县实际，制定本方案。\n\n"
           + BODY + "\n安吉县人民政府办公室\n2023年5月20日印发\n")
    m = plan_of(raw).plan
    assert m.title == "安吉县知识产权强县建设工作方案"
    assert m.issuer == "安吉县人民政府办公室"
    assert m.issue_date == date(2023, 5, 20)
    assert m.region is not None and (m.region.name, m.region.code) == ("安吉县", "330523")
    # no years in the title: from the issue year to the target year, never the cited 纲要's 2021—2035
    assert m.period == (2023, 2025)
    assert m.doc_number is None
    assert m.evidence["issuer"].sentence == "安吉县人民政府办公室"


def test_banji_line_gives_issuer_and_date_together() -> None:
    raw = ("安吉县知识产权强县建设工作方案\n\n为提升知识产权工作水平，结合我县实际，制定本方案。\n\n" + BODY
           + "\n抄送：县委办公室，县人大常委会办公室。\n安吉县人民政府办公室　　2022年6月15日印发\n")
    m = plan_of(raw).plan
    assert (m.issuer, m.issue_date) == ("安吉县人民政府办公室", date(2022, 6, 15))


def test_title_with_its_years_on_the_next_line_and_a_doc_number_run_into_it() -> None:
    raw = ("安政办发〔2023〕5号安吉县知识产权强县建设行动方案\n（2023—2025年）\n\n"
           "为提升知识产权工作水平，结合我县实际，制定本方案。\n\n" + BODY)
    m = plan_of(raw).plan
    assert m.title == "安吉县知识产权强县建设行动方案（2023—2025年）"
    assert m.doc_number == "安政办发〔2023〕5号"
    assert m.period == (2023, 2025)


def test_title_opening_with_guanyu_and_a_short_signature() -> None:
    raw = ("关于加快安吉县知识产权强县建设的实施意见\n\n为提升知识产权工作水平，制定本意见。\n\n" + BODY
           + "\n安吉县人民政府\n2023年1月5日\n（共印30份）\n")
    m = plan_of(raw).plan
    assert m.title == "关于加快安吉县知识产权强县建设的实施意见"
    assert (m.issuer, m.issue_date) == ("安吉县人民政府", date(2023, 1, 5))
    assert m.region is not None and m.region.name == "安吉县"


def test_wrapped_title_over_two_lines() -> None:
    raw = ("安吉县贯彻落实湖州市知识产权保护和运用规划\n实施意见\n\n"
           "为提升知识产权工作水平，结合我县实际，制定本意见。\n\n" + BODY)
    m = plan_of(raw).plan
    assert m.title == "安吉县贯彻落实湖州市知识产权保护和运用规划实施意见"
    assert [c.title for c in m.implements] == ["湖州市知识产权保护和运用规划"]
    ev = m.implements[0].evidence
    assert raw[ev.start:ev.end] == "湖州市知识产权保护和运用规划"


NOTICE = """安吉县人民政府办公室关于印发安吉县知识产权保护和运用“十四五”规划的通知
安政办发〔2022〕12号
各乡镇人民政府、街道办事处，县政府各部门：
《安吉县知识产权保护和运用“十四五”规划》已经县政府同意，现印发给你们，请认真贯彻执行。

安吉县人民政府办公室
2022年3月8日
（此件公开发布）

安吉县知识产权保护和运用“十四五”规划

根据《湖州市知识产权保护和运用“十四五”规划》《浙江省知识产权发展“十四五”规划》，结合我县实际，编制本规划。

第一章 发展基础
“十三五”期间，我县认真贯彻落实《湖州市知识产权战略纲要》，专利、商标数量稳步增长。
第二章 总体要求
第一节 指导思想
深入贯彻落实《知识产权强国建设纲要（2021—2035年）》，全面加强知识产权保护。
第三章 主要任务
第一节 加强知识产权保护
依据《湖州市专利促进条例》加大执法力度，引导企业贯彻《企业知识产权管理规范》国家标准，加强商标保护。
第二节 推进专利转化运用
推动修订《安吉县专利资助办法》，促进专利转化，到2025年专利转化率明显提升。
"""


def test_notice_gives_doc_number_issuer_date_and_the_plan_heading_is_the_title() -> None:
    m = plan_of(NOTICE).plan
    assert m.title == "安吉县知识产权保护和运用“十四五”规划"
    assert m.doc_number == "安政办发〔2022〕12号"
    assert (m.issuer, m.issue_date) == ("安吉县人民政府办公室", date(2022, 3, 8))
    assert m.region is not None and m.region.name == "安吉县"
    assert m.period == (2021, 2025)


def test_parents_from_preamble_and_frame_sections_only() -> None:
    # the preamble's two, and the one 指导思想 says it implements; not the 纲要 of a past-period
    # review, the 条例 a single task applies, a standard, nor a local rule to be revised
    assert [c.title for c in plan_of(NOTICE).plan.implements] == [
        "湖州市知识产权保护和运用“十四五”规划", "浙江省知识产权发展“十四五”规划", "知识产权强国建设纲要（2021—2035年）"]


def test_web_capture_header_written_date_not_published_date() -> None:
    raw = """您当前的位置：首页 > 政务公开 > 政策文件
安吉县人民政府办公室关于印发《安吉县知识产权强县建设行动方案（2023—2025年）》的通知
索 引 号：002/2023-0046
发布机构：安吉县政府办
成文日期：2023-06-02
发布日期：2023-06-09
文　　号：安政办发〔2023〕7号

关于印发《安吉县知识产权强县建设行动方案（2023—2025年）》的通知
各乡镇人民政府，县政府各部门：
《安吉县知识产权强县建设行动方案（2023—2025年）》已经县政府同意，现印发给你们。

安吉县知识产权强县建设行动方案（2023—2025年）

为落实《湖州市知识产权强市建设实施方案》，制定本方案。
""" + BODY
    m = plan_of(raw).plan
    assert m.title == "安吉县知识产权强县建设行动方案（2023—2025年）"
    assert m.issue_date == date(2023, 6, 2)
    assert m.doc_number == "安政办发〔2023〕7号"
    assert m.issuer == "安吉县人民政府办公室"
    assert m.period == (2023, 2025)


def test_region_from_title_not_from_places_the_text_mentions() -> None:
    raw = ("安吉县知识产权强县建设工作方案\n\n"
           "为对接杭州市、湖州市和上海市的创新资源，学习杭州市、宁波市经验，制定本方案。\n\n" + BODY)
    m = plan_of(raw).plan
    assert m.region is not None and m.region.name == "安吉县"


def test_region_is_the_unit_a_name_opens_with_and_current() -> None:
    # 杭州市临安区: the district (today's unit, 2017) rather than the city or the abolished 临安市
    r = resolve_plan_region(["杭州市临安区人民政府办公室"], "")
    assert r is not None and (r.name, r.code) == ("临安区", "330112")
    # a prefecture written without its nations is the full official name
    r = resolve_plan_region(["", "恩施自治州贯彻落实湖北省知识产权强省建设纲要实施方案"], "")
    assert r is not None and r.name == "恩施土家族苗族自治州"
    # a county plan that cites its city in the title governs the county
    r = resolve_plan_region(["", "安吉县贯彻落实湖州市知识产权强市建设实施方案的工作方案"], "")
    assert r is not None and r.name == "安吉县"


def test_annual_plan_covers_its_year() -> None:
    raw = ("安吉县2024年知识产权工作要点\n\n依据《浙江省知识产权强省建设纲要（2021—2035年）》，"
           "对照《安吉县知识产权保护和运用“十四五”规划》确定的年度任务，制定本要点。\n\n" + BODY
           + "\n安吉县知识产权工作领导小组办公室\n2024年2月26日\n")
    m = plan_of(raw).plan
    assert m.period == (2024, 2024)
    assert (m.issuer, m.issue_date) == ("安吉县知识产权工作领导小组办公室", date(2024, 2, 26))
    assert [c.title for c in m.implements] == ["浙江省知识产权强省建设纲要（2021—2035年）",
                                              "安吉县知识产权保护和运用“十四五”规划"]


def test_annual_plan_with_its_year_only_in_the_preamble() -> None:
    raw = ("安吉县知识产权工作要点\n\n为做好2024年全县知识产权工作，依据《浙江省知识产权强省建设纲要（2021—2035年）》，"
           "制定本要点。\n\n" + BODY)
    assert plan_of(raw).plan.period == (2024, 2024)
    # a multi-year 工作方案 with no year in its title is not annual
    raw = "安吉县知识产权强县建设工作方案\n\n为做好2024年全县知识产权工作，制定本方案。\n\n" + BODY
    assert plan_of(raw).plan.period == (2021, 2025)


def test_plan_stating_its_own_term() -> None:
    raw = ("安吉县知识产权强县建设工作方案\n\n为提升知识产权工作水平，制定本方案。本方案实施期限为2024—2026年。\n\n"
           + BODY.replace("到2025年", "到2026年"))
    assert plan_of(raw).plan.period == (2024, 2026)


# ---------------------------------------------------------------- parents


def test_several_parents_in_one_sentence_with_doc_numbers() -> None:
    raw = ("安吉县知识产权强县建设工作方案\n\n"
           "为深入贯彻落实《知识产权强国建设纲要（2021—2035年）》和《“十四五”国家知识产权保护和运用规划》，"
           "根据《湖州市知识产权强市建设纲要》《湖州市人民政府办公室关于印发湖州市知识产权保护和运用规划的通知》"
           "（湖政办发〔2021〕33号）精神和浙江省有关要求，结合我县实际，制定本方案。\n\n" + BODY)
    m = plan_of(raw).plan
    assert [c.title for c in m.implements] == [
        "知识产权强国建设纲要（2021—2035年）", "“十四五”国家知识产权保护和运用规划", "湖州市知识产权强市建设纲要",
        "湖州市人民政府办公室关于印发湖州市知识产权保护和运用规划的通知"]
    assert m.implements[3].doc_number == "湖政办发〔2021〕33号"
    assert all(c.evidence.sentence and c.evidence.end > c.evidence.start for c in m.implements)


def test_parent_stated_by_the_title_is_listed_once_in_its_fuller_form() -> None:
    raw = ("安吉县贯彻落实湖州市知识产权强市建设纲要和浙江省知识产权保护规划实施意见\n\n"
           "为落实《湖州市知识产权强市建设纲要（2021—2035年）》，结合我县实际，制定本意见。\n\n" + BODY)
    m = plan_of(raw).plan
    # the 纲要 is cited in full in the preamble; the 规划 only by the title
    assert [c.title for c in m.implements] == ["湖州市知识产权强市建设纲要（2021—2035年）", "浙江省知识产权保护规划"]
    title_parent = m.implements[1]
    assert title_parent.evidence.sentence == m.title


def test_title_naming_a_different_parent_than_the_preamble_lists_both() -> None:
    raw = ("安吉县贯彻落实浙江省知识产权保护和运用规划实施意见\n\n"
           "为贯彻落实《湖州市人民政府办公室关于印发贯彻落实浙江省知识产权保护和运用规划实施意见的通知》要求，"
           "结合我县实际，制定本意见。\n\n" + BODY)
    m = plan_of(raw).plan
    assert [c.title for c in m.implements] == [
        "湖州市人民政府办公室关于印发贯彻落实浙江省知识产权保护和运用规划实施意见的通知",
        "浙江省知识产权保护和运用规划"]


# ---------------------------------------------------------------- one node per cited document


def test_cited_plan_identity_ignores_wording() -> None:
    a = cited_plan_key("湖州市知识产权保护和运用“十四五”规划（2021-2025年）")
    assert a == cited_plan_key("湖州市知识产权保护和运用十四五规划")
    assert a == cited_plan_key("湖州市人民政府办公室关于印发知识产权保护和运用“十四五”规划（2021—2025年）的通知")
    assert cited_plan_key("恩施自治州知识产权强州建设纲要") == \
        cited_plan_key("恩施土家族苗族自治州知识产权强州建设纲要")
    assert cited_plan_key("某市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要") == \
        cited_plan_key("某市国民经济和社会发展第十四个五年规划和2035年远景目标纲要")
    # a different document stays different
    assert a != cited_plan_key("湖州市知识产权保护和运用“十三五”规划")
    assert a != cited_plan_key("安吉县贯彻落实湖州市知识产权保护和运用“十四五”规划实施意见")


def test_two_plans_citing_one_parent_in_two_wordings_share_its_node() -> None:
    one = plan_of("安吉县知识产权强县建设工作方案\n\n"
                  "根据《湖州市知识产权保护和运用“十四五”规划（2021-2025年）》，制定本方案。\n\n" + BODY, "a.txt")
    two = plan_of("德清县知识产权强县建设工作方案\n\n"
                  "依据《湖州市知识产权保护和运用十四五规划》，制定本方案。\n\n" + BODY, "b.txt")
    assert one.plan.implements[0].title != two.plan.implements[0].title
    g = build_graph([one, two])
    parents = [n for n, d in g.nodes(data=True) if d["label"] == "Plan" and not d["in_corpus"]]
    assert len(parents) == 1
    implementers = {g.nodes[a]["title"] for a, _, k in g.in_edges(parents[0], keys=True) if k == "IMPLEMENTS"}
    assert implementers == {"安吉县知识产权强县建设工作方案", "德清县知识产权强县建设工作方案"}


def test_a_cited_parent_in_the_corpus_is_the_corpus_plan() -> None:
    parent = plan_of("湖州市知识产权强市建设实施方案（2022—2025年）\n\n为提升知识产权工作水平，制定本方案。\n\n"
                     + BODY, "p.txt")
    child = plan_of("安吉县知识产权强县建设工作方案\n\n根据《湖州市知识产权强市建设实施方案》，制定本方案。\n\n"
                    + BODY, "c.txt")
    for order in ([child, parent], [parent, child]):
        g = build_graph(order)
        plans = [d for _, d in g.nodes(data=True) if d["label"] == "Plan"]
        assert len(plans) == 2 and all(d["in_corpus"] for d in plans)
        assert g.number_of_edges() and any(k == "IMPLEMENTS" for _, _, k in g.edges(keys=True))


# ---------------------------------------------------------------- not a plan


def test_project_readme_is_not_a_plan() -> None:
    raw = (REPO / "README.md").read_text(encoding="utf-8")
    with pytest.raises(NotAPlanError, match=r"README\.md: not a plan \(mostly non-Chinese text"):
        plan_of(raw, "README.md")


def test_chinese_software_readme_is_not_a_plan() -> None:
    raw = """# 专利图谱工具

本工具读取知识产权规划，抽取专利、商标、地理标志等信息，生成知识图谱。

## 一、安装

```sh
make setup
```

## 二、使用

运行 `tool extract data/` 抽取专利和商标指标，结果写入 `out/`。

```python
from tool import run
run("data/")
```

## 三、许可

代码以 MIT 许可发布，版权归作者所有。
"""
    with pytest.raises(NotAPlanError, match=r"not a plan \(markup or code"):
        plan_of(raw, "README.md")
    # the same without code: an outline and IP words, but nothing a plan has
    prose = "\n".join(ln for ln in raw.splitlines() if not ln.startswith(("```", "make", "from", "run(", "运行")))
    with pytest.raises(NotAPlanError, match=r"not a plan \(no plan title, task headings"):
        plan_of(prose, "README.md")


def test_table_of_figures_is_not_a_plan() -> None:
    raw = """2023年全县知识产权统计表

序号\t指标\t单位\t数量
1\t发明专利授权量\t件\t120
2\t有效注册商标量\t件\t3500
3\t地理标志商标\t件\t6
4\t专利质押融资金额\t万元\t800
"""
    with pytest.raises(NotAPlanError, match=r"not a plan \(no plan title, task headings"):
        plan_of(raw, "table.txt")


def test_plan_without_title_is_still_a_plan() -> None:
    # no title line, but task headings that open with policy verbs
    m = plan_of("为提升知识产权工作水平，结合实际，制定如下措施。\n\n" + BODY).plan
    assert m.title is None and m.period == (2021, 2025)


def test_parent_cited_with_its_issuer_outside_the_marks_after_printed_verb() -> None:
    # 印发的《…》: the verb describes a document already issued; the issuer before 《》 is not in the title
    raw = ("安吉县专利转化推进方案\n\n"
           "为全面落实浙江省人民政府办公厅印发的《浙江省专利转化专项行动方案（2024—2026年）》，"
           "结合我县实际，制定本方案。\n\n" + BODY)
    assert [c.title for c in plan_of(raw).plan.implements] == ["浙江省专利转化专项行动方案（2024—2026年）"]


def test_parent_framed_as_a_guide_and_one_to_be_drafted_is_not() -> None:
    raw = ("安吉县知识产权强县建设三年行动计划（2024—2026年）\n\n"
           "以《浙江省知识产权强省建设纲要（2021—2035年）》为遵循，落实湖州市委、市政府《关于加快建设知识产权强市的"
           "实施意见》（湖委发〔2023〕5号）各项部署，制定本计划。同时以《安吉县专利奖励办法》为基础修订完善配套政策。\n\n"
           + BODY)
    m = plan_of(raw).plan
    # the issuers before 《》 and the 文号 after it are no part of the title; 以《…》为基础 is no framing
    assert [c.title for c in m.implements] == ["浙江省知识产权强省建设纲要（2021—2035年）",
                                               "关于加快建设知识产权强市的实施意见"]
    assert m.implements[1].doc_number == "湖委发〔2023〕5号"


def test_parent_title_printed_without_book_title_marks() -> None:
    raw = ("安吉县知识产权强县建设工作方案\n\n"
           "依据《浙江省知识产权强省建设纲要（2021—2035年）》，结合湖州市“十四五”知识产权发展规划提出的目标任务，"
           "结合本地实际和全县发展规划要求，制定本方案。\n\n" + BODY)
    m = plan_of(raw).plan
    # a name opening with a region and ending in a plan type, followed by 提出的: a title; 全县发展规划 is not
    assert [c.title for c in m.implements] == ["浙江省知识产权强省建设纲要（2021—2035年）",
                                               "湖州市“十四五”知识产权发展规划"]
    ev = m.implements[1].evidence
    assert ev.end - ev.start == len("湖州市“十四五”知识产权发展规划")
