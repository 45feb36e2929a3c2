"""Responsibility forms, each on a small plan written for the test (invented wording; a real county's name).

Every form of issue 12's list: parentheticals in their wordings, field-label lines, task-division
tables (tab-separated and one cell per line, any column order), prose assignments, bracketed
co-names, list end words, collectives, framing sections, and the diagnostics a reviewer reads.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.extract import NotAPlanError, extract_document
from kg.ingest import Document, clean_text
from kg.model import PlanData, SourceInfo

HEAD = "安吉县知识产权工作实施方案\n\n为加强知识产权保护和运用，做好专利、商标、版权工作，制定本方案。\n\n"


def doc(raw: str) -> Document:
    m = clean_text(raw)
    return Document(SourceInfo(file="t.txt", sha256="0" * 64, format="txt", chars=len(raw)), raw, m, [])


def plan(body: str) -> PlanData:
    return extract_document(doc(HEAD + body))


def owners(p: PlanData, title: str) -> list[tuple[str, str]]:
    """(printed body name, role) of the explicit responsibilities of the task with this title."""
    task = next(t for t in p.tasks if t.title == title)
    depts = {d.key: d for d in p.departments}
    out = []
    for r in p.responsibilities:
        if r.task == task.id and r.explicit:
            d = depts[r.department]
            out.append((next((n for n in (d.name, *d.aliases) if n in r.evidence.sentence), d.name), r.role))
    return out


def dept(p: PlanData, name: str):
    return next(d for d in p.departments if name == d.name or name in d.aliases)


PARENTHETICALS = """一、重点任务
（一）加强专利保护。开展专利侵权纠纷行政裁决，严厉打击假冒专利行为。（县市场监管局牵头，县公安局、县司法局配合）
（二）推进商标品牌建设。建立重点商标保护名录，引导企业注册商标。（责任单位：县市场监管局、县农业农村局）
（三）做好版权工作。推进软件正版化，开展作品登记。（县委宣传部（县版权局）负责）
（四）强化执法协作。建立跨部门执法协作机制。（县市场监管局牵头，各乡镇人民政府落实）
（五）加强金融支持。推广知识产权质押融资。（县财政局、县金融服务中心、人行安吉县支行按职责分工负责）
（六）完善公共服务。建设知识产权服务网点。（牵头单位：县科技局；配合单位：县经济和信息化局、县教育局）
（七）加强人才培养。开展知识产权专题培训（县人力资源和社会保障局负责），建立专家库（县科技局、县市场监管局等按职责分工负责）。
"""


def test_parentheticals_in_every_wording() -> None:
    p = plan(PARENTHETICALS)
    assert owners(p, "加强专利保护") == [("县市场监管局", "lead"), ("县公安局", "co"), ("县司法局", "co")]
    assert owners(p, "推进商标品牌建设") == [("县市场监管局", "lead"), ("县农业农村局", "co")]
    assert owners(p, "做好版权工作") == [("县委宣传部", "lead")]
    assert owners(p, "强化执法协作") == [("县市场监管局", "lead"), ("各乡镇人民政府", "co")]
    assert owners(p, "加强金融支持") == [("县财政局", "lead"), ("县金融服务中心", "co"), ("人行安吉县支行", "co")]
    assert owners(p, "完善公共服务") == [("县科技局", "lead"), ("县经济和信息化局", "co"), ("县教育局", "co")]
    # two parentheticals in one item: both lists belong to the item
    assert owners(p, "加强人才培养") == [("县人力资源和社会保障局", "lead"), ("县科技局", "lead"),
                                   ("县市场监管局", "co")]


def test_bracketed_co_name_is_one_body_with_an_alias() -> None:
    p = plan(PARENTHETICALS)
    d = dept(p, "县委宣传部")
    assert d.aliases == ["县版权局"]
    assert not any(x.name.startswith("县委宣传部（") for x in p.departments)
    assert not any(x.name == "县版权局" for x in p.departments)


LINES = """一、重点任务
（一）培育高价值专利。支持企业开展专利布局。
　　牵头单位：县科技局
　　配合单位：县市场监管局、县经济和信息化局
（二）推进纠纷化解。建立调解组织。
　　责任单位：县司法局
　　参与单位：县市场监管局、县人民法院
　　协办单位：县工商联
（三）打造区域品牌。
　　责任单位：县农业农村局、县市场监管局（县知识产权局）
"""


def test_field_label_lines_under_a_task() -> None:
    p = plan(LINES)
    assert owners(p, "培育高价值专利") == [("县科技局", "lead"), ("县市场监管局", "co"), ("县经济和信息化局", "co")]
    assert owners(p, "推进纠纷化解") == [("县司法局", "lead"), ("县市场监管局", "co"), ("县人民法院", "co"),
                                   ("县工商联", "co")]
    assert owners(p, "打造区域品牌") == [("县农业农村局", "lead"), ("县市场监管局", "co")]
    assert "县知识产权局" in dept(p, "县市场监管局").aliases


TABLE_TABS = """一、重点任务
各项任务分工见附件。

附件
任务分工表
序号\t工作任务\t协办部门\t责任部门\t工作措施\t完成时限
1\t培育专利密集型企业\t县科技局、县经济和信息化局\t县市场监管局\t围绕新材料、生物医药等产业培育企业。每年评选一批。\t2025年底
2\t保护地理标志\t县林业局\t县农业农村局（牵头）\t规范专用标志使用。\t持续推进
3\t开展宣传活动\t\t\t组织知识产权宣传周活动。\t每年4月
"""


def test_task_table_with_any_column_order() -> None:
    p = plan(TABLE_TABS)
    assert owners(p, "培育专利密集型企业") == [("县科技局", "co"), ("县经济和信息化局", "co"), ("县市场监管局", "lead")]
    assert owners(p, "保护地理标志") == [("县林业局", "co"), ("县农业农村局", "lead")]
    task = next(t for t in p.tasks if t.title == "培育专利密集型企业")
    assert task.industries == ["新材料", "生物医药"]
    # a row naming no body is not lost silently: the reviewer is told, with its line number
    skipped = [d for d in p.diagnostics if d.kind == "table-row-skipped"]
    assert [d.line for d in skipped] == [(HEAD + TABLE_TABS).split("\n").index(
        "3\t开展宣传活动\t\t\t组织知识产权宣传周活动。\t每年4月") + 1]


TABLE_CELLS = """一、重点任务
（一）任务分工
序号
重点任务
牵头部门
配合部门
具体措施
1
强化行政执法
县市场监管局
县公安局
开展专项执法行动，查处商标侵权和假冒专利行为。
2
推进司法保护
县人民法院
县人民检察院、县司法局
完善技术调查官制度。
"""


def test_task_table_one_cell_per_line() -> None:
    p = plan(TABLE_CELLS)
    assert owners(p, "强化行政执法") == [("县市场监管局", "lead"), ("县公安局", "co")]
    assert owners(p, "推进司法保护") == [("县人民法院", "lead"), ("县人民检察院", "co"), ("县司法局", "co")]


PROSE = """一、重点任务
（一）加强海外维权。县商务局要会同县市场监管局、县贸促会建立海外纠纷应对机制。
（二）建设运营中心。由县茶产业发展中心负责建设产业知识产权运营中心，开展专利收储。
（三）深化金融服务。支持县财政局、县市场监管局等部门联合开展质押融资对接活动。
（四）强化协同保护。加强县市场监管局（县知识产权局）、县公安局、县人民法院等部门间的知识产权保护合作。
（五）支持企业创新。鼓励企业加大研发投入，县里各有关部门给予支持。
二、保障措施
（一）加强组织领导。县市场监督管理局要会同有关部门制定年度计划。
"""


def test_prose_assignments() -> None:
    p = plan(PROSE)
    assert owners(p, "加强海外维权") == [("县商务局", "lead"), ("县市场监管局", "co"), ("县贸促会", "co")]
    assert owners(p, "建设运营中心") == [("县茶产业发展中心", "lead")]
    assert owners(p, "深化金融服务") == [("县财政局", "lead"), ("县市场监管局", "co")]
    assert owners(p, "强化协同保护") == [("县市场监管局", "lead"), ("县公安局", "co"), ("县人民法院", "co")]
    assert owners(p, "支持企业创新") == []
    # 保障措施 items are tasks, but their prose says how the plan is run: no explicit owner from it
    assert owners(p, "加强组织领导") == []
    assert any(t.title == "加强组织领导" for t in p.tasks)


PROSE_MORE = """一、重点任务
（一）加强质押融资。推广组合质押模式。县金融工作局、人行安吉县支行按职责分工负责。
（二）完善服务网点。建设服务工作站。由县市场监督管理局负责，各乡镇人民政府配合。
（三）培育高价值专利。由县市场监督管理局（县知识产权局）牵头，会同县科技局、县经济和信息化局建立培育库。
（四）建立风险补偿。支持县金融发展中心、人行安吉县支行等单位联合建立风险补偿机制。
（五）推进公共服务。建设服务窗口。（县市场监管局牵头，各乡镇人民政府、街道办事处配合）
"""


def test_more_prose_forms_and_collectives() -> None:
    p = plan(PROSE_MORE)
    assert owners(p, "加强质押融资") == [("县金融工作局", "lead"), ("人行安吉县支行", "co")]
    assert owners(p, "完善服务网点") == [("县市场监督管理局", "lead"), ("各乡镇人民政府", "co")]
    assert owners(p, "培育高价值专利") == [("县市场监督管理局", "lead"), ("县科技局", "co"), ("县经济和信息化局", "co")]
    assert "县知识产权局" in dept(p, "县市场监督管理局").aliases
    assert owners(p, "建立风险补偿") == [("县金融发展中心", "lead"), ("人行安吉县支行", "co")]
    # 各 governs both nouns: one collective, not a body named 街道办事处
    assert owners(p, "推进公共服务") == [("县市场监管局", "lead"), ("各乡镇人民政府、街道办事处", "co")]
    assert not any(d.name == "街道办事处" for d in p.departments)


MORE_WORDINGS = """一、重点任务
（一）开展专利统计。建立统计监测制度。（县知识产权局会同县统计局、县财政局负责）
（二）推进成果转化。建设转化平台。（县经信局牵头组织，各乡镇人民政府抓好落实）
（三）培育区域品牌。支持品牌推广。（县市场监管局、县农业农村局按职责推进）
（四）强化金融支持。推广质押融资。（牵头：县金融服务中心；参与：人行安吉县支行、县财政局）
（五）保护地理标志。此项工作由县市场监督管理局牵头，县农业农村局、县林业局配合实施。
（六）加强宣传培训。县委宣传部、县教育局、县融媒体中心按各自职责做好宣传报道。
（七）扩大质押融资。县财政局、县金融服务中心和县市场监督管理局共同推动质押融资工作。
（八）建设服务站点。建设服务工作站。由县商务局、各乡镇人民政府按各自职责抓好落实。
（九）培育人才队伍。开展专题培训。
　　主办单位：县人社局
　　协同单位：县教育局、县科技局
二、保障机制
（一）加大资金投入。县财政局要统筹安排专项资金。
"""


def test_yet_more_wordings() -> None:
    p = plan(MORE_WORDINGS)
    assert owners(p, "开展专利统计") == [("县知识产权局", "lead"), ("县统计局", "co"), ("县财政局", "co")]
    assert owners(p, "推进成果转化") == [("县经信局", "lead"), ("各乡镇人民政府", "co")]
    assert owners(p, "培育区域品牌") == [("县市场监管局", "lead"), ("县农业农村局", "co")]
    assert owners(p, "强化金融支持") == [("县金融服务中心", "lead"), ("人行安吉县支行", "co"), ("县财政局", "co")]
    assert owners(p, "保护地理标志") == [("县市场监督管理局", "lead"), ("县农业农村局", "co"), ("县林业局", "co")]
    assert owners(p, "加强宣传培训") == [("县委宣传部", "lead"), ("县教育局", "co"), ("县融媒体中心", "co")]
    assert owners(p, "扩大质押融资") == [("县财政局", "lead"), ("县金融服务中心", "co"), ("县市场监督管理局", "co")]
    assert owners(p, "建设服务站点") == [("县商务局", "lead"), ("各乡镇人民政府", "co")]
    assert owners(p, "培育人才队伍") == [("县人社局", "lead"), ("县教育局", "co"), ("县科技局", "co")]
    assert owners(p, "加大资金投入") == []  # 保障机制 says how the plan is run
    assert not any(d.name.startswith(("此项工作", "支持")) for d in p.departments)


def test_prose_does_not_override_a_parenthetical() -> None:
    p = plan("一、重点任务\n（一）强化执法。县公安局要会同县市场监管局开展行动。（县市场监管局负责）\n")
    assert owners(p, "强化执法") == [("县市场监管局", "lead")]


FRAMING = """一、总体要求
（一）指导思想
坚持以高质量发展为主题，全面加强知识产权保护。
（二）基本原则
坚持保护优先。严格保护知识产权，县市场监管局要会同县公安局加强执法。
（三）主要目标
——知识产权保护更加有力。侵权行为得到遏制。
二、重点任务
（一）开展执法行动。加大执法力度，查处侵权假冒。（县文化旅游广电体育局、县市场监管局按职责分工负责）
三、保障措施
（一）强化经费保障。县财政局统筹安排资金。
"""


def test_framing_sections_are_not_tasks_and_names_are_not_industries() -> None:
    p = plan(FRAMING)
    titles = [t.title for t in p.tasks]
    assert "指导思想" not in titles and "坚持保护优先" not in titles and "主要目标" not in titles
    assert not any(t.startswith("——") for t in titles)
    assert "强化经费保障" in titles  # 保障措施 items are tasks (they get the inferred owner)
    inferred = {r.task for r in p.responsibilities if not r.explicit}
    assert next(t.id for t in p.tasks if t.title == "强化经费保障") in inferred
    task = next(t for t in p.tasks if t.title == "开展执法行动")
    assert task.industries == []  # 文化旅游 inside 县文化旅游广电体育局 names no industry
    assert owners(p, "开展执法行动") == [("县文化旅游广电体育局", "lead"), ("县市场监管局", "co")]


def test_collectives_only_where_a_list_names_them() -> None:
    p = plan("一、重点任务\n（一）推进工作。各乡镇人民政府要高度重视，有关部门要加强配合。"
             "（县市场监管局牵头，各乡镇人民政府落实）\n（二）加强宣传。各有关部门积极开展宣传活动。\n")
    names = {d.name for d in p.departments}
    assert "各乡镇人民政府" in names
    assert not any(n in names for n in ("有关部门", "各有关部门", "乡镇人民政府"))


def test_diagnostics_for_markers_that_produced_nothing() -> None:
    body = "一、重点任务\n（一）推进工作。开展专项行动。\n　　责任单位：\n"
    p = plan(body)
    d = next(x for x in p.diagnostics if x.kind == "marker-without-body")
    assert d.line == (HEAD + body).split("\n").index("　　责任单位：") + 1
    assert owners(p, "推进工作") == []


PIECES = st.sampled_from([
    "（一）推进工作。", "开展行动。", "（", "）", "牵头", "配合", "负责", "落实", "按职责分工负责", "责任单位：",
    "牵头单位：", "配合单位：", "县市场监管局", "县公安局", "各乡镇人民政府", "县委宣传部（县版权局）", "、", "，",
    "；", "\n", "由", "要会同", "支持", "等部门联合开展", "序号\t工作任务\t牵头单位\t配合单位\n", "1\t", "\t",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# no control characters: cleaning turns them into spaces, so a name never holds one, nor matches a quote that does
# (tests/test_cli_hardening.py feeds them in)
@given(st.lists(st.one_of(PIECES, st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=6)),
                max_size=40).map("".join))
def test_responsibility_evidence_quotes_the_source(body: str) -> None:
    raw = HEAD + "一、重点任务\n" + body
    try:
        p = extract_document(doc(raw))
    except NotAPlanError:  # no outline left: refused as a whole, which is fine
        return
    depts = {d.key: d for d in p.departments}
    for r in p.responsibilities:
        assert 0 <= r.evidence.start <= r.evidence.end <= len(raw)
        if r.explicit:
            d = depts[r.department]
            # cleaning folds punctuation width ((→（), so compare in NFKC
            quoted = unicodedata.normalize("NFKC", raw[r.evidence.start : r.evidence.end])
            assert any(unicodedata.normalize("NFKC", n) in quoted for n in (d.name, *d.aliases)), (d.name, quoted)
