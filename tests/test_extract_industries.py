"""Industries as printed: lists closed by a head, a noun before 产业, taxonomy labels in context, named sets.

Every text here is written for the test (invented regions, bodies and sectors).
"""

from __future__ import annotations

import pytest

from kg.extract import extract_document
from kg.extract.industries import concept_of
from kg.ingest import Document, clean_text
from kg.model import PlanData, SourceInfo


def doc(raw: str) -> Document:
    m = clean_text(raw)
    return Document(SourceInfo(file="t.txt", sha256="0" * 64, format="txt", chars=len(raw)), raw, m, [])


def extract(body: str) -> PlanData:
    head = ("云岭县知识产权强县建设实施方案\n\n　　为加快建设知识产权强县，结合我县实际，制定本方案。\n\n"
            "一、工作目标\n　　到2025年，全县有效发明专利拥有量达到300件，注册商标总量达到5000件。\n\n二、重点任务\n")
    return extract_document(doc(head + body))


def names(plan: PlanData) -> list[str]:
    return [i.name for i in plan.industries]


def task(plan: PlanData, title: str) -> list[str]:
    return next(t for t in plan.tasks if t.title == title).industries


def test_lists_closed_by_a_head_keep_items_as_printed() -> None:
    plan = extract(
        "（一）提升专利创造质量\n"
        "　　围绕竹木加工、富硒茶、山地蔬菜等产业，支持企业开展专利布局。聚焦新能源电池、精密模具等领域，"
        "培育一批高价值专利。重点发展康养民宿、研学旅行等业态，推动商标品牌建设。\n"
        "（二）做强农业品牌\n"
        "　　聚焦蓝莓、菌菇、山地茶等特色农业，推动地理标志产品保护。"
        "围绕乡村旅游、餐饮和商贸等生活性服务业培育商标品牌。\n")
    assert names(plan) == ["竹木加工", "富硒茶", "山地蔬菜", "新能源电池", "精密模具", "康养民宿", "研学旅行",
                           "蓝莓", "菌菇", "山地茶", "特色农业", "乡村旅游", "餐饮", "商贸", "生活性服务业"]
    # a qualified head names a sector of its own; the taxonomy places it, and names it lacks have no concept
    ind = {i.name: i for i in plan.industries}
    assert ind["特色农业"].concept == "modern-agriculture"
    assert ind["生活性服务业"].concept == "consumer-services" and ind["生活性服务业"].broader == ["modern-services"]
    assert ind["竹木加工"].concept is None
    # each task has the industries of its own paragraph
    assert task(plan, "提升专利创造质量") == ["竹木加工", "富硒茶", "山地蔬菜", "新能源电池", "精密模具", "康养民宿",
                                        "研学旅行"]
    assert task(plan, "做强农业品牌") == ["蓝莓", "菌菇", "山地茶", "特色农业", "乡村旅游", "餐饮", "商贸",
                                        "生活性服务业"]


def test_category_words_products_and_firms_are_not_industries() -> None:
    plan = extract(
        "（一）服务重点产业\n"
        "　　在光学镜头、传感器模组等细分领域形成核心专利。推动全县支柱产业、主导产业和重点产业链企业开展专利导航，"
        "推动特色农产品注册商标，支持茶叶企业、专利密集型企业培育专利密集型产品。\n")
    assert names(plan) == ["光学镜头", "传感器模组"]


def test_a_noun_before_chanye_keeps_chanye_unless_it_names_a_sector() -> None:
    plan = extract(
        "（一）做强茶产业知识产权\n"
        "　　推动茶产业提质增效，开展蓝莓产业专利导航，推动文化旅游产业提质升级，大力发展中药材种植加工产业，"
        "打造陶瓷产业集群。支持菌菇、竹笋等特色产业申请地理标志，做强菌菇产业品牌。\n")
    # 茶, 蓝莓, 陶瓷 alone are products: 产业 stays; 文化旅游 is a taxonomy label, 中药材种植加工 ends in a
    # sector word and 菌菇 is named as an industry of the plan: 产业 goes
    assert names(plan) == ["茶产业", "蓝莓产业", "文化旅游", "中药材种植加工", "陶瓷产业", "菌菇", "竹笋"]
    ind = {i.name: i for i in plan.industries}
    assert ind["茶产业"].concept == "tea" and ind["文化旅游"].concept == "culture-tourism"
    assert ind["蓝莓产业"].concept is None


def test_class_words_keep_the_noun_before_them() -> None:
    plan = extract(
        "（一）培育商标品牌\n"
        "　　着力培育一批工业制造业特色商标品牌，推动现代山地农业发展，加快传统制造业转型，推进全县制造业数字化。\n")
    assert names(plan) == ["工业制造业", "现代山地农业", "制造业"]
    assert plan.industries[0].concept == "manufacturing"


def test_labels_inside_other_nouns_bodies_and_technology_lists_do_not_count() -> None:
    plan = extract(
        "（一）强化知识产权保护\n"
        "　　运用云计算、大数据等信息技术加强侵权监测，运用知识产权大数据开展预警。加强电子商务平台知识产权监管，"
        "深化“互联网+”知识产权保护。在青川、白河等重点产业链集聚区设立维权工作站。"
        "（责任单位：县市场监管局、县大数据局、县菌菇产业发展中心）\n"
        "（二）发展新材料产业\n"
        "　　聚焦新材料、电子信息等产业开展专利导航。\n")
    assert names(plan) == ["新材料", "电子信息"]


def test_places_and_bodies_are_no_list_items() -> None:
    plan = extract(
        "（一）建设服务网点\n"
        "　　在柳州、桂林等重点产业链集聚区建设知识产权运营中心，在东坪镇、西岭乡等产业集聚区设立工作站。\n"
        "　　责任单位：县农业农村局、县菌菇产业发展中心\n")
    assert names(plan) == []


def test_named_sets_and_qualified_heads() -> None:
    plan = extract(
        "（一）开展专利导航\n"
        "　　围绕“3+2”主导产业和六大战略性新兴产业开展专利导航。推动虚拟现实、数字文创等版权密集型产业发展。"
        "加强专利、商标、版权等知识产权领域的宣传。\n")
    assert names(plan) == ["“3+2”主导产业", "六大战略性新兴产业", "虚拟现实", "数字文创", "版权密集型产业"]
    ind = {i.name: i for i in plan.industries}
    assert ind["六大战略性新兴产业"].concept == "strategic-emerging"
    assert ind["版权密集型产业"].broader == ["ip-intensive"]


TABLE = (
    "三、任务分工\n"
    "序号\t工作任务\t具体措施\t牵头单位\t配合单位\t完成时限\n"
    "1\t开展陶瓷产业专利导航\t编制陶瓷产业专利导航报告，扶持文化旅游、竹编工艺品产业发展。\t县市场监管局\t县工信局\t2024年12月\n"
    "2\t加强地理标志保护\t推动柑橘、油茶等特色产业品牌建设，规范专用标志使用。\t县农业农村局\t县市场监管局\t2025年6月\n")


def test_table_cells_are_read_one_by_one() -> None:
    plan = extract("（一）推进商标品牌建设\n　　加强商标品牌培育，推动知识产权服务业发展。\n\n" + TABLE)
    assert names(plan) == ["知识产权服务业", "陶瓷产业", "文化旅游", "竹编工艺品", "柑橘", "油茶"]
    ind = {i.name: i for i in plan.industries}
    # the evidence of a name read from a cell quotes that cell
    assert ind["竹编工艺品"].evidence[0].sentence == "编制陶瓷产业专利导航报告，扶持文化旅游、竹编工艺品产业发展。"
    rows = {t.title: t.industries for t in plan.tasks}
    assert rows.get("开展陶瓷产业专利导航") == ["陶瓷产业", "文化旅游", "竹编工艺品"]
    assert rows.get("加强地理标志保护") == ["柑橘", "油茶"]


@pytest.mark.parametrize(("name", "concept"), [
    ("新材料", "new-materials"),
    ("硅基新材料", "new-materials"),  # a qualified industry is a kind of its head noun
    ("文化旅游产业", "culture-tourism"),
    ("工业制造业", "manufacturing"),
    ("蓝莓", None),
])
def test_concept_of_printed_names(name: str, concept: str | None) -> None:
    assert concept_of(name) == concept


def test_an_item_joined_to_its_parts_or_products_is_one_industry() -> None:
    plan = extract(
        "（一）培育自主品牌\n"
        "　　引导陶瓷制品、拖拉机及零部件等传统优势产业培育自主品牌。围绕电力装备、再生铜及制品、节能环保等产业链，"
        "遴选一批重点企业。推动富硒茶产业与大健康、文化旅游产业融合发展。\n")
    # 及零部件 / 及制品 complete the item before them; 与 joins two items like 和
    assert names(plan) == ["陶瓷制品", "拖拉机及零部件", "电力装备", "再生铜及制品", "节能环保", "富硒茶产业",
                           "大健康", "文化旅游"]


def test_epithets_heritage_titles_scope_words_and_clauses_are_not_industries() -> None:
    plan = extract(
        "（一）总体思路\n"
        "　　立足制造业强县的基础，结合我县作为全球重要农业文化遗产地的优势，"
        "以保护梯田农业系统遗产、做强菌菇产业为主线，"
        "推动知识产权与县域特色产业深度融合，为建设沿江先进制造业强县提供支撑。\n")
    # 制造业强县 is an epithet, 农业文化遗产 a heritage title, 县域特色产业 a generic head after a scope word,
    # and an unmarked run holding a clause is no list (做强菌菇产业 names 菌菇产业 by itself)
    assert names(plan) == ["菌菇产业"]


def test_associations_works_and_zones_are_not_industries() -> None:
    plan = extract(
        "（一）加强行业自律\n"
        "　　指导茶叶行业协会、竹木产业联盟制定团体标准。推动竹编工艺美术作品版权登记。"
        "服务沿江产业带电机装备、汽车零部件等产业协同发展。\n")
    # the zone name before a list is no part of its first item, and 某某产业带 is no industry
    assert names(plan) == ["电机装备", "汽车零部件"]


def test_an_industry_chain_head_and_a_product_system_named_by_its_function() -> None:
    plan = extract(
        "（一）开展专利导航\n"
        "　　围绕光伏组件、储能电池等产业链开展专利导航。聚焦农机装备、新能源汽车热管理系统等领域培育高价值专利。\n")
    assert names(plan) == ["光伏组件", "储能电池", "农机装备", "新能源汽车热管理系统"]
