"""Industries a plan names as a focus.

Two recognisers: taxonomy labels found among jieba tokens (and the automaton, for labels with
digits or Latin letters such as 5G, Micro LED), and lists followed by an industry head
(``围绕新能源汽车、新一代信息技术、智能装备、大健康四大产业集群``, ``…等领域``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from kg.extract.common import Ctx, after_last, clause_start, in_sections
from ontology.lexicon import alternation, lexicon


@dataclass
class IndustryHit:
    name: str  # normalised: 生物医药 for 生物医药产业
    start: int
    end: int
    concept: str | None
    printed: str | None = None  # as the text writes it, when that differs (生物医药产业)

    @property
    def surface(self) -> str:
        return self.printed or self.name


@cache
def _rx() -> dict[str, re.Pattern[str]]:
    p = lexicon().industry_patterns
    return {
        "head": re.compile("(" + alternation(p["list_heads"]) + ")"),
        "stops": re.compile(alternation(p["left_stops"])),
        "reject": re.compile(alternation(p["reject_contains"])),
        "ip_words": re.compile(alternation(["知识产权", *(w for v in lexicon().ip_types.values() for w in v["words"]),
                                             "作品"])),
        "numeric": re.compile(r"[一二三四五六七八九十\d]+大$"),
        "follow": re.compile("^(?:" + alternation(p["head_follow"]) + ")"),
        "single": re.compile("(?:" + alternation(p["single_leads"]) + r")([\u4e00-\u9fffA-Za-z]{2,8}?)产业"),
    }


def _ok_item(item: str) -> bool:
    p = lexicon().industry_patterns
    if not (p["min_chars"] <= len(item) <= p["max_chars"]):
        return False
    if item in p["allow"]:
        return True
    if item in p["generic_heads"] or item + "产业" in p["generic_heads"]:
        return False
    if _rx()["reject"].search(item) or re.search(r"\d{4}|[，。；：]", item):
        return False
    return bool(re.search(r"[\u4e00-\u9fffA-Za-z]", item))


def _clean_item(item: str) -> str:
    item = re.sub(r"^(全区|全县|全市|全省|我区|我县|我市)", "", item.strip("“”\"'《》 "))
    labels = lexicon().industry_label_index()
    stem = re.sub(r"(产业|行业)$", "", item)
    if stem != item and (stem in labels or item not in labels):
        return stem
    return item


def _list_hits(ctx: Ctx, start: int, end: int) -> list[IndustryHit]:
    """Lists before an industry head: back from the head to 等 (or a count like 四大), then to a stop word."""
    rx = _rx()
    p = lexicon().industry_patterns
    q = int(p["max_head_qualifier"])
    text = ctx.text
    out: list[IndustryHit] = []
    for m in rx["head"].finditer(text, start, end):
        if m.group(1) in p["non_heads"]:
            continue
        i = m.start()
        window = text[max(start, i - q - 1) : i]
        k = window.rfind("等")
        if k >= 0 and not re.search(r"[，。；、：]", window[k:]):
            list_end = i - (len(window) - k)
            qualifier = window[k + 1 :]
            marked = True
        else:
            num = rx["numeric"].search(text[max(start, i - 3) : i])
            qualifier = num.group() if num else ""
            list_end = i - len(qualifier)
            marked = bool(num)
            if not rx["follow"].match(text[m.end() : m.end() + 4]) and not marked:
                continue  # the head word starts another word here (行业协会, 产业链条)
        j = clause_start(text, list_end, start)
        chunk = text[j:list_end]
        if not marked and ("等" in chunk or ("、" not in chunk and not re.search("和|及", chunk))):
            continue
        base = after_last(rx["stops"], text, j, list_end)
        pos = base
        items: list[IndustryHit] = []
        parts = re.split(r"(、|以及|和|及)", text[base:list_end])
        last_ok = True
        for n, part in enumerate(parts):
            if part and part not in ("、", "以及", "和", "及"):
                item = _clean_item(part)
                ok = _ok_item(item)
                if n == len(parts) - 1:
                    last_ok = ok
                if ok:
                    s = pos + part.find(item) if item in part else pos
                    items.append(IndustryHit(item, s, s + len(item), None))
            pos += len(part)
        if not last_ok:
            continue  # the item touching the head is no industry: this is not an industry list
        if rx["ip_words"].search(text[base:list_end] + qualifier):
            continue  # a list of IP kinds or IP work (专利、商标、作品…等知识产权领域), not of industries
        out += items
        # a qualified head names a sector of its own: 生活性服务业, 战略性新兴产业
        head_name = qualifier + m.group(1)
        if marked and not rx["numeric"].search(qualifier) and head_name not in p["generic_heads"] \
                and len(head_name) >= 4 and _ok_item(head_name):
            out.append(IndustryHit(head_name, m.end() - len(head_name), m.end(), None))
    for m in rx["single"].finditer(text, start, end):
        item = m.group(1)
        if _ok_item(item) and item + "产业" not in p["generic_heads"]:
            out.append(IndustryHit(item, m.start(1), m.end(1), None))
    return out


def find_industries(ctx: Ctx) -> list[IndustryHit]:
    """Industry mentions of the plan body (review and glossary sections excluded)."""
    lex = lexicon()
    labels = lex.industry_label_index()
    skip = lex.outline["glossary_sections"] + lex.outline["review_sections"]
    body = ctx.st.body_start
    hits: list[IndustryHit] = []
    excluded = sorted((p.start, p.end) for p in ctx.st.paragraphs if in_sections(p.node, skip))
    ex_starts = [a for a, _ in excluded]
    not_after = re.compile("^(?:" + alternation(lex.industry_patterns["dictionary_not_followed_by"]) + ")")

    def allowed(pos: int) -> bool:
        # paragraphs do not overlap: only the last one starting at or before pos can hold it
        i = bisect_right(ex_starts, pos) - 1
        return pos >= body and not (i >= 0 and excluded[i][0] <= pos < excluded[i][1])

    short_ok = re.compile("^(?:" + alternation(lex.industry_patterns["short_label_follow"]) + ")")
    in_org = re.compile(r"^[^，。；、]{0,10}?(研究院|研究所|公司|集团|大学|学院|实验室)")
    for tok, pos in ctx.dictionary_hits(labels):
        if not allowed(pos):
            continue
        after = ctx.text[pos + len(tok) : pos + len(tok) + 14]
        # short labels (健康, 汽车) are common words: alone they count only before an industry word
        if len(tok) <= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", tok) and not short_ok.match(after):
            continue
        if not_after.match(after) or in_org.match(after):
            continue
        printed = tok + "产业" if after.startswith("产业") else None
        hits.append(IndustryHit(tok, pos, pos + len(tok), labels[tok], printed))
    for para in ctx.st.paragraphs:
        if allowed(para.start):
            for h in _list_hits(ctx, para.start, para.end):
                h.concept = labels.get(h.name)
                hits.append(h)
    return hits
