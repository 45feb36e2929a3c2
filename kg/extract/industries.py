"""Industries a plan names as a focus, each in the form the plan prints it.

Four recognisers run over every line and table cell of the plan body (review and glossary sections
and table-of-contents lines excluded):

- lists closed by an industry head: ``围绕A、B、C等产业``, ``聚焦A、B等领域``, ``重点发展A、B等业态``,
  ``A、B等特色农业``; the items are industries, and a qualified head is a sector of its own
  (``生活性服务业``, ``版权密集型产业``);
- a noun before 产业 or a class word (制造业, 农业): ``推动茶产业提质增效``, ``开展蓝莓产业专利导航``,
  ``打造版权产业集群``, ``培育一批工业制造业品牌``;
- taxonomy labels (industries.ttl) standing as words, unless their context makes them part of another
  noun (``电子商务平台``, ``市大数据局``, ``知识产权大数据``) or of a list of technologies
  (``云计算、大数据等信息技术``);
- named sets: ``“3+2”主导产业``, ``六大战略性新兴产业``.

The printed form is the list item or word as written, less scope words (全区, 我县); a list item
ending in 产业 is printed as a noun before 产业 is. An item joined to its parts or products stays one
industry (``摩托车及零部件``, ``再生金属及制品``). A noun before 产业 keeps 产业 unless the noun is a
sector name by itself (a taxonomy label, another industry of the same plan, or a word ending in a
sector word such as 加工, 制造, 旅游): ``茶产业``, ``版权产业`` but ``文化旅游``, ``中药材种植加工``.
The taxonomy concept is looked up separately (:func:`concept_of`): printed names the taxonomy lacks keep no concept.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jieba.posseg

from kg.extract.common import CLAUSE_DELIMITERS, Ctx, after_last, clause_start, in_sections, segmenter
from ontology.lexicon import alternation, lexicon
from ontology.regions import gazetteer

_DELIMS = CLAUSE_DELIMITERS + "\t"
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
# jieba tags of words that cannot start a noun phrase (verbs, adverbs, prepositions, pronouns,
# numerals, adjectives, particles); vn and an (a verb or adjective used as a noun: 服装) can
_NOT_NOUN = frozenset({"v", "vd", "d", "p", "c", "r", "m", "q", "a", "ad", "f"})


@dataclass
class IndustryHit:
    name: str  # as printed: 新材料, 茶产业, 工业制造业
    start: int  # span of the printed name in the cleaned text
    end: int
    concept: str | None
    kind: str = "dictionary"  # dictionary | list | head | stem | set
    context: tuple[int, int] | None = None  # the line or table cell it was read from


def _p() -> dict[str, Any]:
    return lexicon().industry_patterns


@cache
def _rx() -> dict[str, re.Pattern[str]]:
    lex = lexicon()
    p = lex.industry_patterns
    labels = list(lex.industry_label_index())

    def alt(words: list[str]) -> str:
        return "(?:" + alternation(words) + ")"

    mark = re.escape(p["list_marker"])
    count = p["count_pattern"]
    return {
        "head": re.compile("(" + alternation(p["list_heads"]) + ")"),
        "label_head": re.compile(mark + "(" + alternation(labels) + ")"),
        "tech_head": re.compile(mark + "(.{0,4}?)" + alt(p["non_industry_heads"])),
        "connector": re.compile("(" + alternation(p["connectors"]) + ")"),
        "item_suffix": re.compile(alt(p["item_suffixes"]) + "$"),
        "stops": re.compile(alternation(p["left_stops"])),
        "stem_stops": re.compile(alternation(p["stem_left_stops"])),
        "reject": re.compile(alternation(p["reject_contains"])),
        "body_words": re.compile(alternation(p["body_words"])),
        "place_end": re.compile(alt(p["place_suffixes"]) + "$"),
        "qual_reject": re.compile(alternation(p["qualifier_reject"])),
        "stem_reject": re.compile(alternation(p["stem_reject_contains"])),
        "ip_words": re.compile(alternation([*p["ip_words"], *(w for v in lex.ip_types.values() for w in v["words"])])),
        "follow": re.compile("^" + alt(p["head_follow"])),
        "org_follow": re.compile("^" + alt(p["head_org_follow"])),
        "stem_not_after": re.compile("^" + alt(p["stem_not_followed_by"])),
        "stem_after_ok": re.compile("^" + alt(p["stem_followed_by_verb"])),
        "scope": re.compile("^" + alt(p["scope_prefixes"])),
        "sector_end": re.compile(alt(p["sector_suffixes"]) + "$"),
        "not_after": re.compile("^" + alt(p["dictionary_not_followed_by"])),
        "not_before": re.compile(alt(p["dictionary_not_preceded_by"]) + "$"),
        "short_ok": re.compile("^" + alt(p["short_label_follow"])),
        "in_org": re.compile(f"^[^{_DELIMS}、]{{0,10}}?" + alt(p["org_words_after"])),
        "body_before": re.compile(f"(?<![{p['body_prefix_not_after']}])[{p['body_prefix_letters']}]$"),
        "body_after": re.compile(r"^[\u4e00-\u9fff]{0,6}?" + alt(p["body_suffixes"])),
        "count": re.compile(count + "$"),
        "tally": re.compile(p["tally_pattern"] + "$"),
        "set_quoted": re.compile("“([^”\n]{1,8})”(" + alternation(p["set_heads"]) + ")"),
        "set_code": re.compile(p["set_code_numeral"]),
        "set_count": re.compile("(" + count + ")(" + alternation(labels) + ")"),
        "stem_head": re.compile("(" + alternation([p["stem_head"], *p["class_words"]]) + ")"),
    }


@cache
def _pos_tokenizer() -> jieba.posseg.POSTokenizer:
    tok, _ = segmenter()
    return jieba.posseg.POSTokenizer(tok)


@cache
def _places() -> frozenset[str]:
    return frozenset(gazetteer().by_alias)


def _bare(name: str) -> str:
    """The name without a trailing 产业/行业."""
    return _rx()["item_suffix"].sub("", name)


def concept_of(name: str) -> str | None:
    """The taxonomy concept of a printed industry name, if the taxonomy has one.

    The name itself, then the name without 产业, then the longest label the name ends with (a
    qualified industry is a kind of its head noun: 硅基新材料 is new-materials, 工业制造业 manufacturing).
    """
    labels = lexicon().industry_label_index()
    forms = (name, _bare(name))
    for cand in forms:
        if cand in labels:
            return labels[cand]
    for cand in forms:
        for k in range(1, len(cand) - 1):
            if cand[k:] in labels:
                return labels[cand[k:]]
    return None


def _strip_scope(item: str) -> str:
    """Leading scope words dropped (全区支柱产业 -> 支柱产业), never the whole item."""
    rx = _rx()
    while True:
        m = rx["scope"].match(item)
        if not m or m.end() >= len(item):
            return item
        item = item[m.end():]


def _ok_item(item: str) -> bool:
    """Whether a list item (or a qualified head) can be an industry name."""
    p = _p()
    if not (p["min_chars"] <= len(item) <= p["max_chars"]):
        return False
    reject = _rx()["reject"]
    if item in p["allow"] or item in lexicon().industry_label_index():
        return True
    if any(item.endswith(s) and len(item) > len(s) for s in p["allow_suffixes"]):
        return True  # 版权密集型产业
    if item in p["generic_heads"] or item + p["stem_head"] in p["generic_heads"] or item in p["reject_exact"]:
        return False
    if _rx()["scope"].fullmatch(item):
        return False  # a scope word left alone (县域 before 特色产业)
    if re.search(r"\d{4}|[，。；：]", item) or item in _places():
        return False
    hits = reject.findall(item)
    named_by_function = tuple(a + h for a in p["activity_words"] for h in p["product_heads"])
    if hits and not (len(hits) == 1 and item.endswith(named_by_function)):
        return False  # an activity word naming the product's function stays (新能源汽车热管理系统)
    return bool(re.search(r"[\u4e00-\u9fffA-Za-z]", item))


def _clean_item(item: str) -> str:
    item = _strip_scope(item.strip(_p()["item_strip"]))
    if item in lexicon().industry_label_index():
        return item
    return _bare(item) or item


def _split_items(chunk: str) -> list[tuple[str, int]]:
    """Items of a list with their offsets in ``chunk``.

    A label holding a connector stays whole (软件和信息服务), and so does an item joined to a word that
    only completes it (摩托车及零部件, 再生金属及制品: the parts or products of the industry before).
    """
    p = _p()
    labels = lexicon().industry_label_index()
    connectors = set(p["connectors"])
    complements = set(p["joined_complements"])
    parts = _rx()["connector"].split(chunk)
    out: list[tuple[str, int]] = []
    pos = n = 0
    while n < len(parts):
        part = parts[n]
        while n + 2 < len(parts) and part and (part + parts[n + 1] + parts[n + 2] in labels or (
                parts[n + 1] in p["complement_connectors"] and parts[n + 2] in complements)):
            part, n = part + parts[n + 1] + parts[n + 2], n + 2
        if part and part not in connectors:
            out.append((part, pos))
        pos += len(part)
        n += 1
    return out


class _Spans:
    """Spans added in any order, then asked whether they hold an offset (merged and bisected: no quadratic scan)."""

    def __init__(self) -> None:
        self._spans: list[tuple[int, int]] = []
        self._starts: list[int] | None = None

    def add(self, start: int, end: int) -> None:
        self._spans.append((start, end))
        self._starts = None

    def __contains__(self, pos: int) -> bool:
        if self._starts is None:
            merged: list[tuple[int, int]] = []
            for a, b in sorted(self._spans):
                if merged and a <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], b))
                else:
                    merged.append((a, b))
            self._spans, self._starts = merged, [a for a, _ in merged]
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < self._spans[i][1]


@dataclass
class _Found:
    hits: list[IndustryHit] = field(default_factory=list)
    lists: _Spans = field(default_factory=_Spans)  # recognised lists (items and head)
    muted: _Spans = field(default_factory=_Spans)  # lists of technologies: no industry inside


def _list_items(ctx: Ctx, seg: tuple[int, int], list_end: int, head_end: int, marked: bool,
                found: _Found) -> list[IndustryHit] | None:
    """Items of the list ending at ``list_end`` (at 等 or the head); None when it is no industry list."""
    rx = _rx()
    text = ctx.text
    j = clause_start(text, list_end, seg[0], _DELIMS)
    base = after_last(rx["stops"], text, j, list_end)
    parts = _split_items(text[base:list_end])
    if not parts or (not marked and (_p()["list_marker"] in text[base:list_end] or len(parts) < 2)):
        return None  # without 等, a head closes a list only after two items joined by 、 or 和
    items: list[IndustryHit] = []
    for n, (part, off) in enumerate(parts):
        if rx["body_words"].search(part) or _strip_scope(part) in _places() or rx["place_end"].search(part):
            return None  # a list of bodies or places (县农业农村局、县菌菇产业发展中心; 东坪镇、西岭乡等)
        item = _clean_item(part)
        if rx["ip_words"].search(item) and not _ok_item(item):
            return None  # a list of IP kinds or IP work (专利、商标、作品…等知识产权领域), not of industries
        ok = _ok_item(item)
        if not ok and (n == len(parts) - 1 or not marked):
            # the item touching the head is no industry, or an unmarked run holds a clause
            # (以保护…遗产、做强杂粮产业为主线): this is not an industry list
            return None
        if ok:
            s = base + off + max(part.find(item), 0)
            kind = "list"
            printed = _strip_scope(part.strip(_p()["item_strip"]))
            if printed != item and printed.endswith(item + _p()["stem_head"]):
                # 陈皮产业 as an item: printed as a noun before 产业 is (see _printed_stems)
                item, kind = item + _p()["stem_head"], "stem"
            items.append(IndustryHit(item, s, s + len(item), None, kind, seg))
    found.lists.add(base, head_end)
    return items


def _lists(ctx: Ctx, seg: tuple[int, int], found: _Found) -> None:
    """Lists before an industry head: back from the head to 等 (or a count like 四大), then to a stop word."""
    rx = _rx()
    p = _p()
    q = int(p["max_head_qualifier"])
    text = ctx.text
    start, end = seg
    for m in rx["tech_head"].finditer(text, start, end):
        # 等信息技术 is a list of technologies; 等领域核心技术, 等产业关键技术 are not (the head comes first)
        if not rx["head"].search(m.group(1)) and not rx["head"].match(text[m.end(): m.end() + 4]) \
                and not re.search(f"[{_DELIMS}、]", m.group(1)):
            found.muted.add(clause_start(text, m.start(), start, _DELIMS), m.end())
    for m in rx["head"].finditer(text, start, end):
        head = m.group(1)
        if head in p["non_heads"] or rx["org_follow"].match(text[m.end(): m.end() + 6]):
            continue
        i = m.start()
        window = text[max(start, i - q - 1): i]
        k = window.rfind(p["list_marker"])
        if k >= 0 and not re.search(f"[{_DELIMS}、]", window[k:]):
            qualifier = window[k + 1:]
            if rx["qual_reject"].search(qualifier):
                continue  # 等龙头企业牵头组建产业联盟: the head belongs to another clause
            list_end, marked = i - len(qualifier) - 1, True
        else:
            num = rx["count"].search(text[max(start, i - 3): i])
            qualifier = num.group() if num else ""
            list_end, marked = i - len(qualifier), bool(num)
            if not marked and not rx["follow"].match(text[m.end(): m.end() + 4]):
                continue  # the head word starts another word here (行业协会, 产业链条)
        items = _list_items(ctx, seg, list_end, m.end(), marked, found)
        if items is None:
            continue
        found.hits += items
        # a qualified head names a sector of its own: 生活性服务业, 战略性新兴产业, 版权密集型产业
        qualifier = _strip_scope(qualifier[after_last(rx["stops"], qualifier, 0, len(qualifier)):])
        if marked and qualifier and not rx["count"].search(qualifier) and not rx["tally"].search(qualifier) \
                and qualifier not in p["stem_reject"]:
            name = qualifier + head
            if len(name) >= 4 and name not in p["generic_heads"] and _ok_item(name):
                found.hits.append(IndustryHit(name, m.end() - len(name), m.end(), None, "head", seg))
    for m in rx["label_head"].finditer(text, start, end):
        # "风电、水电等清洁能源", "蓝莓、菌菇等特色农业": a taxonomy label closes the list
        if m.end() >= end or rx["follow"].match(text[m.end(): m.end() + 4]):
            items = _list_items(ctx, seg, m.start(), m.end(), True, found)
            if items is not None:
                found.hits += items


def _noun_before(text: str, pos: int, lower: int) -> str:
    """The noun phrase that ends at ``pos``: back to a delimiter or a verb, less leading scope words and verbs."""
    rx = _rx()
    j = clause_start(text, pos, max(lower, pos - 14), _DELIMS + "、“”")
    base = after_last(rx["stem_stops"], text, j, pos)
    stem = _strip_scope(text[base:pos])
    toks = list(_pos_tokenizer().cut(stem, HMM=False)) if stem else []
    while toks and (toks[0].flag in _NOT_NOUN or toks[0].flag[:1] == "u"):
        toks.pop(0)  # 转化茶, 一批文化旅游, 坚持产业导向
    stem = "".join(t.word for t in toks)
    return "" if rx["scope"].fullmatch(stem) else _strip_scope(stem)


def _stems(ctx: Ctx, seg: tuple[int, int], found: _Found) -> None:
    """A noun before 产业 or a class word, outside lists: 推动茶产业提质增效, 开展蓝莓产业专利导航,
    打造版权产业集群, 培育一批工业制造业品牌, 推动现代山地农业发展."""
    rx = _rx()
    p = _p()
    labels = lexicon().industry_label_index()
    text = ctx.text
    for m in rx["stem_head"].finditer(text, *seg):
        i, head = m.start(), m.group(1)
        after = text[m.end(): m.end() + 6]
        if (rx["stem_not_after"].match(after) and not rx["stem_after_ok"].match(after)) or i in found.lists:
            continue
        stem = _noun_before(text, i, seg[0])
        if stem in p["joined_complements"]:  # 再生金属及制品产业: the complement stays with its noun
            lead = text[max(seg[0], i - len(stem) - 2): i - len(stem)]
            joins = sorted(p["complement_connectors"], key=len, reverse=True)
            conn = next((c for c in joins if lead.endswith(c)), None)
            prior = _noun_before(text, i - len(stem) - len(conn), seg[0]) if conn else ""
            if prior and _CJK.match(prior):
                stem = prior + conn + stem
        if not stem or not _CJK.match(stem) or len(stem) > 8 or stem in _places() or rx["count"].fullmatch(stem):
            continue
        whole = stem + head
        if whole in p["generic_heads"]:
            continue
        if whole not in labels and stem not in labels and (
                stem in p["stem_reject"] or rx["stem_reject"].search(stem) or rx["reject"].search(stem)):
            continue
        found.hits.append(IndustryHit(whole, i - len(stem), m.end(), None, "stem", seg))


def _sets(ctx: Ctx, seg: tuple[int, int], found: _Found) -> None:
    """Named sets of industries: “3+2”主导产业, 六大战略性新兴产业."""
    rx = _rx()
    for m in rx["set_quoted"].finditer(ctx.text, *seg):
        if rx["set_code"].search(m.group(1)):
            found.hits.append(IndustryHit(m.group(0), m.start(), m.end(), None, "set", seg))
    for m in rx["set_count"].finditer(ctx.text, *seg):
        if m.group(2) not in _p()["generic_heads"]:
            found.hits.append(IndustryHit(m.group(0), m.start(), m.end(), None, "set", seg))


def _dictionary(ctx: Ctx, segment_of: Callable[[int], tuple[int, int] | None], found: _Found) -> list[IndustryHit]:
    """Taxonomy labels standing as words in the body, unless the context makes them something else."""
    rx = _rx()
    p = _p()
    labels = lexicon().industry_label_index()
    text = ctx.text
    out = []
    for tok, pos in ctx.dictionary_hits(labels):
        seg = segment_of(pos)
        end = pos + len(tok)
        if seg is None or pos in found.muted:
            continue
        after = text[end: end + 14]
        before = text[max(0, pos - 6): pos]
        # short labels (健康, 汽车) are common words and product labels (中药材) name goods: alone
        # they count only before an industry word
        short = (len(tok) <= 2 and _CJK.match(tok)) or tok in p["product_labels"]
        if short and not rx["short_ok"].match(after):
            continue
        if rx["not_after"].match(after) or rx["in_org"].match(after) or rx["not_before"].search(before):
            continue
        if rx["body_before"].search(before) and rx["body_after"].match(after):
            continue  # inside a body's name: 市大数据局, 区文化旅游委
        out.append(IndustryHit(tok, pos, end, labels[tok], "dictionary", seg))
    return out


def _printed_stems(hits: list[IndustryHit]) -> None:
    """Name each 'X产业' hit: X产业 when a label (文化产业) or X is no sector alone (茶产业); else X."""
    rx = _rx()
    labels = lexicon().industry_label_index()
    head = _p()["stem_head"]
    known = {h.name for h in hits if h.kind != "stem"}
    for h in hits:
        if h.kind != "stem" or h.name in labels or not h.name.endswith(head):
            continue
        stem = h.name[: -len(head)]
        if stem in labels or stem in known or (len(stem) >= 3 and rx["sector_end"].search(stem)):
            h.name, h.end = stem, h.end - len(head)


def _resolve_overlaps(hits: list[IndustryHit]) -> list[IndustryHit]:
    """One hit per span: a hit inside a longer one is part of it (新材料 in 硅基新材料, 集成电路 in 集成电路设计)."""
    kept: list[IndustryHit] = []
    seen: set[tuple[int, int, str]] = set()
    for h in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if (h.start, h.end, h.name) in seen:
            continue
        # hits are sorted by start: a hit holding this one is among the last few kept
        if any(k.start <= h.start and h.end <= k.end and k.end - k.start > h.end - h.start for k in kept[-8:]):
            continue
        seen.add((h.start, h.end, h.name))
        kept.append(h)
    return kept


def find_industries(ctx: Ctx) -> list[IndustryHit]:
    """Industry mentions of the plan body (review and glossary sections excluded), in text order."""
    lex = lexicon()
    skip = lex.outline["glossary_sections"] + lex.outline["review_sections"]
    toc = re.compile(lex.cleaning["toc_line"])
    body = ctx.st.body_start
    excluded = _Spans()
    for node in ctx.st.nodes:
        if in_sections(node, skip):
            excluded.add(node.start, node.end)
    segments: list[tuple[int, int]] = []
    for ln in ctx.st.lines:
        if ln.end <= body or not ln.text.strip() or toc.search(ln.text) or ln.start in excluded:
            continue
        pos = ln.start
        for cell in ln.text.split("\t"):  # table cells are read one by one
            if cell.strip():
                segments.append((max(pos, body), pos + len(cell)))
            pos += len(cell) + 1
    seg_starts = [s for s, _ in segments]

    def segment_of(pos: int) -> tuple[int, int] | None:
        i = bisect_right(seg_starts, pos) - 1
        return segments[i] if i >= 0 and segments[i][0] <= pos < segments[i][1] else None

    found = _Found()
    for seg in segments:
        _lists(ctx, seg, found)
        _sets(ctx, seg, found)
    for seg in segments:
        _stems(ctx, seg, found)
    hits = [h for h in found.hits + _dictionary(ctx, segment_of, found) if h.start not in found.muted]
    _printed_stems(hits)
    hits = _resolve_overlaps(hits)
    for h in hits:
        h.concept = concept_of(h.name)
    return hits
