"""Indicator forms, each on a small plan written for the test (invented region and names)."""

from __future__ import annotations

from kg.extract import extract_document
from kg.extract.common import Ctx
from kg.extract.indicators import extract_indicators
from kg.ingest import Document, clean_text
from kg.model import Indicator, SourceInfo
from kg.structure import parse


def doc(raw: str) -> Document:
    m = clean_text(raw)
    return Document(SourceInfo(file="t.txt", sha256="0" * 64, format="txt", chars=len(raw)), raw, m, [])


def row(i: Indicator) -> tuple:
    return (i.name, i.unit, i.baseline, i.baseline_year, i.target, i.target_year, i.nature)


FIVE_YEAR = """青禾县知识产权强县建设实施方案（2023—2025年）

一、发展基础
2022年，全县有效发明专利拥有量达到860件，知识产权服务机构达到12家。

二、主要目标
到2025年，全县知识产权综合实力明显增强，知识产权保护体系更加完善。
——知识产权创造质量提升。全县发明专利授权量年均增长8%以上，规模以上工业企业有效发明专利拥有量由2022年的3500件提高到1.2万件。
——知识产权运用效益增强。知识产权服务机构突破40家，知识产权质押融资金额在2022年2.5亿元的基础上实现翻番，专利转让许可次数较2022年实现翻番，高新技术企业中拥有有效发明专利的企业占比达到55%。
——知识产权保护更加有力。侵权假冒行为得到有效遏制。

表1　青禾县知识产权主要指标
序号\t指标名称\t单位\t2022年基期值\t2025年目标值\t指标属性
1\t每万人口高价值发明专利拥有量\t件\t3.2\t6\t预期性
2\t地理标志总量\t件\t7\t10\t约束性
注：第1项为当年数，第2项为累计数。

三、重点任务
（一）培育高价值专利
每年新认定县级高价值专利培育中心3家左右。培育省级知识产权优势企业5家以上。（县市场监督管理局负责）
"""


def test_five_year_plan_goal_lines_table_and_quota() -> None:
    got = [row(i) for i in extract_document(doc(FIVE_YEAR)).indicators]
    assert got == [
        # table rows: base year and due year from the header, nature from the 指标属性 column
        ("每万人口高价值发明专利拥有量", "件", 3.2, 2022, 6, 2025, "预期性"),
        ("地理标志总量", "件", 7, 2022, 10, 2025, "约束性"),
        # —— goal lines under 到2025年 keep 2025; 年均增长 names the growth rate as printed
        ("发明专利授权量年均增长", "%", None, None, 8, 2025, None),
        # 由2022年的A提高到B: baseline with its year, brought to the target's unit (3500件 = 0.35万件)
        ("规模以上工业企业有效发明专利拥有量", "万件", 0.35, 2022, 1.2, 2025, None),
        ("知识产权服务机构", "家", None, None, 40, 2025, None),
        # doubling on a stated base: the base is the baseline, the target is not printed
        ("知识产权质押融资金额", "亿元", 2.5, 2022, None, 2025, None),
        # doubling against a year only
        ("专利转让许可次数", None, None, 2022, None, 2025, None),
        ("高新技术企业中拥有有效发明专利的企业占比", "%", None, None, 55, 2025, None),
        # an annual quota has no due year; the action verb 培育 is not part of the name
        ("新认定县级高价值专利培育中心", "家", None, None, 3, None, None),
        ("省级知识产权优势企业", "家", None, None, 5, None, None),
    ]


def test_review_section_and_table_notes_are_not_targets() -> None:
    names = [i.name for i in extract_document(doc(FIVE_YEAR)).indicators]
    assert "有效发明专利拥有量" not in names  # 发展基础 reports the past
    assert not [n for n in names if "第" in n or "注" in n]  # 注：第1项… is a note, not a row


ANNUAL = """松川县2024年知识产权工作要点

一、2023年工作总结
2023年，全县专利授权量达到150件，新注册商标400件。

二、工作目标
2023年，全县新增地理标志商标2件。2024年，全县发明专利授权量达到60件，有效注册商标总量突破5000件；知识产权质押融资金额在2023年基础上实现翻番；新增国家知识产权优势企业3家；全年专利申请量较上年增长10%。

三、重点工作
1.加强宣传培训。组织知识产权进企业活动，举办知识产权专题培训3期，全年推动专利转让许可15件以上。（县市场监督管理局负责）
"""


def test_annual_plan_targets_are_due_that_year() -> None:
    got = [row(i) for i in extract_document(doc(ANNUAL)).indicators]
    assert got == [
        ("发明专利授权量", "件", None, None, 60, 2024, None),
        ("有效注册商标总量", "件", None, None, 5000, 2024, None),
        ("知识产权质押融资金额", None, None, 2023, None, 2024, None),
        ("新增国家知识产权优势企业", "家", None, None, 3, 2024, None),
        # growth over the year before: no base year printed
        ("专利申请量增长", "%", None, None, 10, 2024, None),
        ("知识产权专题培训", "期", None, None, 3, 2024, None),
        ("专利转让许可", "件", None, None, 15, 2024, None),
    ]


# A table laid out one cell per line with blank lines between cells (as PDF conversion prints it).
_CELLS = ["序号", "指标名称", "单位", "2022年", "2025年", "属性",
          "1", "每万人口发明专利拥有量", "件", "4.5", "8", "预期性",
          "2", "知识产权保护社会满意度", "分", "80", "85", "预期性"]
CELL_PER_LINE = """柳岸区知识产权强区建设行动方案（2023—2025年）

一、工作目标
通过三年努力，全区知识产权创造、运用、保护水平明显提升。
——创造质量稳步提升。具体目标是：全区有效注册商标总量达到9000件。
——运用效益加快释放。知识产权质押融资金额较2022年增长50%。

二、主要指标
""" + "\n\n".join(_CELLS) + """

注：第2项为抽样调查数。
"""


def test_cell_per_line_table_and_period_lead() -> None:
    d = doc(CELL_PER_LINE)
    got = [row(i) for i in extract_indicators(Ctx(d, parse(d.clean.text)), 2025)]
    assert got == [
        ("每万人口发明专利拥有量", "件", 4.5, 2022, 8, 2025, "预期性"),
        ("知识产权保护社会满意度", "分", 80, 2022, 85, 2025, "预期性"),
        # 通过三年努力 means the end of the plan period; a label before a colon is not the name
        ("有效注册商标总量", "件", None, None, 9000, 2025, None),
        # growth over a base year keeps that year; the name drops 较2022年 and is no yearly rate
        ("知识产权质押融资金额增长", "%", None, 2022, 50, 2025, None),
    ]


def test_evidence_quotes_the_target() -> None:
    d = doc(FIVE_YEAR)
    for ind in extract_document(d).indicators:
        quoted = FIVE_YEAR[ind.evidence.start : ind.evidence.end]
        assert ind.target is None or f"{ind.target:g}" in quoted, ind.name
        assert ind.name[:2] in quoted or ind.name[:2] in ind.evidence.sentence, ind.name


GROUPED_TABLE = """云溪市知识产权发展规划（2021—2025年）

一、发展目标
到“十四五”末，全市版权登记量达到3000件，地理标志产品产值较2020年增长30%。

二、主要指标
表1　云溪市知识产权主要指标
类别\t序号\t指标名称\t单位\t2020年\t2025年\t指标属性
知识产权创造\t1\t每万人口高价值发明专利拥有量\t件\t2.5\t6\t预期性
2\tPCT国际专利申请量\t件\t30\t80\t预期性
知识产权保护\t3\t知识产权保护社会满意度\t分\t78\t≥85\t约束性
"""


def test_grouped_table_and_five_year_period_name() -> None:
    d = doc(GROUPED_TABLE)
    got = [row(i) for i in extract_indicators(Ctx(d, parse(d.clean.text)), 2025)]
    assert got == [
        # the 类别 cell is printed on its group's first row only: row 2 stays aligned
        ("每万人口高价值发明专利拥有量", "件", 2.5, 2020, 6, 2025, "预期性"),
        ("PCT国际专利申请量", "件", 30, 2020, 80, 2025, "预期性"),
        ("知识产权保护社会满意度", "分", 78, 2020, 85, 2025, "约束性"),
        # 到“十四五”末 is 2025
        ("版权登记量", "件", None, None, 3000, 2025, None),
        ("地理标志产品产值增长", "%", None, 2020, 30, 2025, None),
    ]


LEVELLED_TABLE = """石港县知识产权工作实施方案（2023—2025年）

一、主要指标
一级指标\t二级指标\t单位\t2022年基期值\t2025年目标值\t指标性质
知识产权创造\t有效发明专利拥有量\t件\t420\t700\t预期性
知识产权运用\t知识产权质押融资金额\t亿元\t1.5\t4\t预期性
"""


def test_levelled_table_is_named_by_its_inner_level() -> None:
    d = doc(LEVELLED_TABLE)
    got = [row(i) for i in extract_indicators(Ctx(d, parse(d.clean.text)), 2025)]
    assert got == [
        ("有效发明专利拥有量", "件", 420, 2022, 700, 2025, "预期性"),
        ("知识产权质押融资金额", "亿元", 1.5, 2022, 4, 2025, "预期性"),
    ]


RESPECTIVELY = """北川湾区知识产权发展规划（2021—2025年）

一、发展目标
“十四五”期间，累计培育知识产权示范企业30家。
到2025年，知识产权示范园区、示范企业分别达到4个、25家，专利、商标质押融资额分别达到6亿元和2亿元，发明专利授权量、商标注册量分别年均增长12%、9%。

二、发展基础
“十三五”期间，全区新增注册商标2600件。
"""


def test_respectively_lists_and_own_period() -> None:
    d = doc(RESPECTIVELY)
    got = [row(i) for i in extract_indicators(Ctx(d, parse(d.clean.text)), 2025)]
    assert got == [
        # “十四五”期间 in a plan to 2025 is ahead: due 2025; 累计 and the verb are not the name
        ("知识产权示范企业", "家", None, None, 30, 2025, None),
        # names before 分别 pair with the values after it; a short item borrows the qualifier or the quantity
        ("知识产权示范园区", "个", None, None, 4, 2025, None),
        ("知识产权示范企业", "家", None, None, 25, 2025, None),
        ("专利质押融资额", "亿元", None, None, 6, 2025, None),
        ("商标质押融资额", "亿元", None, None, 2, 2025, None),
        ("发明专利授权量年均增长", "%", None, None, 12, 2025, None),
        ("商标注册量年均增长", "%", None, None, 9, 2025, None),
    ]
    # “十三五”期间 before a plan to 2025 is the past (and its section is a review)
    assert all(i.target != 2600 for i in extract_indicators(Ctx(d, parse(d.clean.text)), 2025))


def test_table_without_a_name_header() -> None:
    raw = """东坪县知识产权规划（2021—2025年）

一、主要指标
项目\t2020年\t2025年\t指标属性
有效发明专利拥有量（件）\t150\t320\t预期性
"""
    d = doc(raw)
    got = [row(i) for i in extract_indicators(Ctx(d, parse(d.clean.text)), 2025)]
    assert got == [("有效发明专利拥有量", "件", 150, 2020, 320, 2025, "预期性")]


YEAR_ON_YEAR = """柏川市2025年知识产权工作要点

为做好2025年全市知识产权工作，制定本要点。2024年，全市发明专利授权量达到900件，同比增长12%。全年新注册商标3000件，同比增长9%。

一、主要目标
全年发明专利授权量达到1000件，PCT国际专利申请量同比增长20%，知识产权质押融资金额达到6亿元。

二、重点工作
1.强化专利创造。推动企业发明专利申请量同比增长15%，培育知识产权优势企业6家。（市市场监督管理局负责）
"""


def test_year_on_year_growth_is_a_target_in_goals_and_tasks_of_a_one_year_plan() -> None:
    got = [row(i) for i in extract_document(doc(YEAR_ON_YEAR)).indicators]
    assert got == [
        ("发明专利授权量", "件", None, None, 1000, 2025, None),
        # 同比增长 is printed before the value: it names the target (the verb 推动 is not part of it)
        ("PCT国际专利申请量同比增长", "%", None, None, 20, 2025, None),
        ("知识产权质押融资金额", "亿元", None, None, 6, 2025, None),
        ("企业发明专利申请量同比增长", "%", None, None, 15, 2025, None),
        ("知识产权优势企业", "家", None, None, 6, 2025, None),
    ]
    # the opening paragraph reports 2024: after its past-year sentence, 同比 still marks the past


FIVE_YEAR_YOY = """石岭县知识产权强县建设实施方案（2024—2026年）

一、主要目标
到2026年，全县有效发明专利拥有量达到260件，地理标志商标注册量同比增长10%。

二、重点任务
（一）强化专利创造
推动规上企业发明专利申请量同比增长8%。（县市场监督管理局负责）
"""


def test_year_on_year_growth_outside_goals_of_a_multi_year_plan_is_no_target() -> None:
    got = [row(i) for i in extract_document(doc(FIVE_YEAR_YOY)).indicators]
    # in the goal section it is a target; in a task of a plan over several years it is read as a report
    assert got == [
        ("有效发明专利拥有量", "件", None, None, 260, 2026, None),
        ("地理标志商标注册量同比增长", "%", None, None, 10, 2026, None),
    ]


TASK_TABLE = """石岭县知识产权助力茶产业发展三年行动方案（2024—2026年）

一、主要目标
到2026年，全县有效发明专利拥有量达到260件。

二、重点任务
各项任务的责任分工详见附件。

附件
石岭县重点任务分工表
序号\t主要任务\t具体举措\t牵头部门\t配合部门\t时间节点
1\t培育高价值专利\t每年举办企业、协会知识产权专题培训3期以上，在6个乡镇设立服务站。\t县市场监督管理局\t县科技局\t每年12月底前
2\t加强品牌建设\t2. 面向300家茶企开展商标培训，到2026年新增集体商标4件。\t县农业农村局\t县市场监督管理局\t2026年6月底前
3\t加强宣传\t上一轮行动已完成培训12期，继续组织宣传。\t县委宣传部\t县教育局\t每年12月底前
"""


def test_targets_in_task_table_measure_cells() -> None:
    plan = extract_document(doc(TASK_TABLE))
    got = [row(i) for i in plan.indicators]
    assert got == [
        # an annual quota in a measure cell: no due year; 面向300家, 在6个乡镇 are scopes, not targets;
        # the row number printed inside the cell is no value; a cell reporting the past gives nothing
        ("企业、协会知识产权专题培训", "期", None, None, 3, None, None),
        ("新增集体商标", "件", None, None, 4, 2026, None),
        ("有效发明专利拥有量", "件", None, None, 260, 2026, None),
    ]
    first = plan.indicators[0].evidence
    # the evidence quotes the cell and points at the printed words
    assert first.sentence == "每年举办企业、协会知识产权专题培训3期以上，在6个乡镇设立服务站。"
    assert TASK_TABLE[first.start:first.end].startswith("每年举办企业")


TWO_TARGET_COLUMNS = """云岭市知识产权强市建设实施方案（2024—2028年）

一、发展目标
到2026年，全市知识产权事业稳步发展。到2028年，基本建成知识产权强市。

表1　云岭市知识产权主要指标
序号\t类别\t指标名称\t2023年基数\t2026年目标\t2028年目标\t属性
1\t创造\t每万人口高价值发明专利拥有量（件）\t2.1\t3.5\t4.6\t预期性
2\t保护\t商标侵权案件按期办结率（%）\t96\t100\t100\t约束性

二、重点任务
（一）加强知识产权保护。健全侵权纠纷快速处理机制。
"""


def test_table_with_two_target_columns_gives_one_target_per_year() -> None:
    got = [row(i) for i in extract_document(doc(TWO_TARGET_COLUMNS)).indicators]
    assert got == [
        # the unit printed inside the name cell is cut from the name; the 2023 column is the baseline
        ("每万人口高价值发明专利拥有量", "件", 2.1, 2023, 3.5, 2026, "预期性"),
        ("每万人口高价值发明专利拥有量", "件", 2.1, 2023, 4.6, 2028, "预期性"),
        # the same target in both years is still two targets
        ("商标侵权案件按期办结率", "%", 96, 2023, 100, 2026, "约束性"),
        ("商标侵权案件按期办结率", "%", 96, 2023, 100, 2028, "约束性"),
    ]


NUMBERED_GOAL_ITEMS = """石渠县专利转化推进方案（2024—2026年）

一、总体要求
（一）行动目标
到2026年底，专利转化体系基本建立。具体目标为：
1.全县企业专利许可备案次数由2023年的1200次提高到2500次，企业专利实施率达到60%。
2.知识产权质押融资金额力争比2023年翻一番。

二、重点任务
（一）推进专利转化运用。组织企业对接高校院所，推动专利技术在本地转化。
"""


def test_numbered_goal_items_parsed_as_headings_are_read_as_targets() -> None:
    got = [row(i) for i in extract_document(doc(NUMBERED_GOAL_ITEMS)).indicators]
    assert got == [
        # due year from the lead-in paragraph before the items; 次 as a unit
        ("企业专利许可备案次数", "次", 1200, 2023, 2500, 2026, None),
        ("企业专利实施率", "%", None, None, 60, 2026, None),
        # 力争 before the relative target is no part of the name
        ("知识产权质押融资金额", None, None, 2023, None, 2026, None),
    ]


COLON_LEAD_IN = """临川县知识产权强县建设工作方案

一、建设目标
通过三年建设，全县知识产权工作体系基本健全。到2026年：
全县有效发明专利拥有量达到420件；
地理标志商标数量实现翻番，由2023年的3件增至6件；
专利转让许可次数达到1.2万次。

二、重点任务
（一）加强知识产权保护。健全侵权纠纷快速处理机制。
"""


def test_colon_lead_in_year_and_a_nameless_value_after_a_valueless_clause() -> None:
    got = [row(i) for i in extract_document(doc(COLON_LEAD_IN)).indicators]
    assert got == [
        # lines after 到2026年： inherit its year
        ("有效发明专利拥有量", "件", None, None, 420, 2026, None),
        # 由…增至… names nothing: the quantity is the one the clause before named (without 实现翻番)
        ("地理标志商标数量", "件", 3, 2023, 6, 2026, None),
        ("专利转让许可次数", "万次", None, None, 1.2, 2026, None),
    ]
