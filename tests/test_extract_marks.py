"""Brands and geographical indications in the forms plans list them (texts written for these tests)."""

from __future__ import annotations

from kg.extract import extract_document
from kg.extract.marks import gi_shaped
from kg.ingest import Document, clean_text
from kg.model import PlanData, SourceInfo

HEAD = ("青禾县知识产权强县建设实施方案\n\n一、总体要求\n以知识产权强县建设为目标，提升专利、商标、地理标志质量。\n"
        "二、重点任务\n（一）加强商标品牌和地理标志建设。")


def doc(raw: str) -> Document:
    m = clean_text(raw)
    return Document(SourceInfo(file="t.txt", sha256="0" * 64, format="txt", chars=len(raw)), raw, m, [])


def marks(body: str) -> tuple[list[str], list[str]]:
    plan = extract(body)
    return [b.name for b in plan.brands], [g.name for g in plan.geographical_indications]


def extract(body: str) -> PlanData:
    return extract_document(doc(HEAD + body + "\n三、保障措施\n县市场监督管理局负责统筹协调。\n"))


def test_enterprise_short_names_before_a_company_word_are_brands() -> None:
    brands, gis = marks("支持云帆、启航、星驰等龙头企业组建知识产权联盟。推动老王家、三福楼等老字号企业传承创新。"
                        "支持北辰等白酒企业挖掘传统工艺，支持和府、有友等企业品牌做大做强。")
    assert brands == ["云帆", "启航", "星驰", "老王家", "三福楼", "北辰", "和府", "有友"]
    assert gis == []


def test_names_after_a_company_or_gi_word() -> None:
    brands, gis = marks("支持链主企业北辰、东曜联合高校开展专利布局。培育区域公用品牌“青禾山珍”“青禾好米”。"
                        "地理标志产品昌乐黄瓜、青州蜜枣已纳入保护名录。")
    assert brands == ["北辰", "东曜", "青禾山珍", "青禾好米"]
    assert gis == ["昌乐黄瓜", "青州蜜枣"]


def test_quoted_unquoted_and_mixed_brand_lists() -> None:
    brands, _ = marks("培育“青禾山珍”、云岭好物等区域公用品牌。推动太和坊等传统品牌申报老字号。打造“青禾礼物”品牌。"
                      "推动青禾鱼泉、云顶等4件商标纳入重点保护名录。")
    assert brands == ["青禾山珍", "云岭好物", "太和坊", "青禾礼物", "青禾鱼泉", "云顶"]


def test_gi_lists_are_kept_to_the_printed_span() -> None:
    _, gis = marks("加大对林溪蜜柚、温县铁皮山药等重点地理标志产品的宣传推介。全县拥有安吉白笋等地理标志产品5件。"
                   "带动青州蜜枣、昌乐黄瓜等特色农产品地理标志发展。")
    assert gis == ["林溪蜜柚", "温县铁皮山药", "安吉白笋", "青州蜜枣", "昌乐黄瓜"]


def test_gis_by_their_shape_in_a_sentence_about_gis() -> None:
    _, gis = marks("以“赣北香柚”为示范，以安吉银芽、温县铁皮山药为重点，加强地理标志保护。"
                   "擦亮“保靖金芽茶”“古丈银毫”等金字招牌，推进地理标志运用。"
                   "新增地理标志商标2件，分别为“青禾蜜柚”“青禾香米”。")
    assert gis == ["赣北香柚", "安吉银芽", "温县铁皮山药", "保靖金芽茶", "青禾蜜柚", "青禾香米"]


def test_gi_shape() -> None:
    assert gi_shaped("安吉银芽") and gi_shaped("温县铁皮山药") and gi_shaped("赣北香柚") and gi_shaped("景德镇青瓷")
    assert not gi_shaped("安吉县茶叶")  # a county's tea, not a product's name
    assert not gi_shaped("眉县农产品") and not gi_shaped("安吉") and not gi_shaped("安吉白茶产业")


def test_a_gi_named_in_a_brand_list_stays_a_gi() -> None:
    brands, gis = marks("推动“安吉银芽”地理标志与“青禾山珍”区域公用品牌融合发展。"
                        "做强“安吉银芽”“青禾好米”等区域公用品牌。")
    assert brands == ["青禾山珍", "青禾好米"]
    assert gis == ["安吉银芽"]


def test_brand_list_beside_a_gi_list() -> None:
    brands, gis = marks("做优做强林溪蜜柚、云岭黄花等地理标志产品和林溪兔、三元茶叶等特色资源品牌。")
    assert brands == ["林溪兔", "三元茶叶"]
    assert gis == ["林溪蜜柚", "云岭黄花"]


def test_campaigns_events_awards_categories_and_bodies_are_not_brands() -> None:
    brands, gis = marks(
        "持续开展“铁拳”“护航”“蓝天”“清零”等专项执法行动。推广“地理标志+龙头企业+合作社+农户”模式。"
        "利用“4·26”知识产权宣传周、中国品牌日开展宣传。围绕“1269”行动计划，加强知识产权服务。"
        "支持企业申报中国专利奖，争创中华老字号、中国驰名商标、青禾省老字号。推动翠香、徐香等猕猴桃品种保护。"
        "挖掘青峰山、汤泉谷等旅游资源。支持县财政局、县市场监管局等部门联合开展质押融资。"
        "支持科技型、创新型等中小企业发展。支持银行、保险等金融企业参与质押融资。培育“专精特新”“小巨人”等企业。"
        "举办青禾茶文化旅游节等节会活动。打造“一村一品”“一镇一特”，培育地理标志产品。"
        "大力推介“畅游青禾、乐享山水”品牌。加强茶叶、柑橘等特色农产品品牌建设。培育乡村旅游、农家乐等特色品牌。"
        "推动优质大米、特色水果等地理标志产品发展。"
        "引导龙头企业、农民专业合作社与农户建立利益联结机制。对冒用、滥用地理标志的行为依法查处。"
        "以“双打”为重点加强商标执法，推动安吉县茶叶产业发展，建立地理标志产品生产、加工、销售全程追溯体系。")
    assert brands == []
    assert gis == []


def test_every_mark_keeps_the_evidence_of_its_span() -> None:
    body = "支持云帆、启航等龙头企业组建知识产权联盟。加大对林溪蜜柚等地理标志产品的宣传。"
    plan = extract(body)
    raw = HEAD + body
    for mention in (*plan.brands, *plan.geographical_indications):
        ev = mention.evidence[0]
        assert raw[ev.start : ev.end] == mention.name
        assert mention.name in ev.sentence


def test_enterprise_short_names_before_any_trade_word_and_company_word() -> None:
    brands, gis = marks("支持金穗、禾丰等菌菇企业申报中华老字号。推动青林、石泉等竹编企业开展商标国际注册。"
                        "重点打击假冒伪劣名优产品、新能源产品、网络侵权盗版等危害企业创新发展的行为。")
    # an unknown trade word (菌菇, 竹编) stands between 等 and 企业; a list holding no short names
    # (假冒…产品) before a verb (危害) gives nothing
    assert brands == ["金穗", "禾丰", "青林", "石泉"]
    assert gis == []
