"""Brands and geographical indications: named items listed before a brand or GI word.

``做优做强璧山来凤鱼、璧山葡萄等地理标志产品和璧山兔、三合茶叶等特色资源品牌`` gives two GIs and
two brands; quoted names (``“三峡天丛”``) count as items without a separator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.extract.common import Ctx, after_last, clause_start, in_sections
from ontology.lexicon import alternation, lexicon


@dataclass
class MarkHit:
    kind: str  # gi | brand
    name: str
    start: int
    end: int


@cache
def _rx() -> dict[str, re.Pattern[str]]:
    m = lexicon().marks
    return {
        "gi": re.compile(rf"(等)?(\d+[件个])?()({alternation(m['gi_triggers'])})"),
        "brand": re.compile(rf"(等)?(\d+[件个])?((?:{alternation(m['brand_qualifiers'])})?)"
                            rf"({alternation(m['brand_triggers'])})(?!{alternation(m['not_followed_by'])})"),
        "stops": re.compile(alternation(m["left_stops"])),
        "reject": re.compile(alternation(m["reject_contains"])),
        "generic": re.compile(alternation(m["generic_words"])),
    }


def _items(text: str, start: int, end: int) -> list[tuple[str, int, bool]]:
    """Split a listing into (item, offset, quoted)."""
    seg = text[start:end]
    quoted = list(re.finditer(r"“([^“”]{2,20})”", seg))
    if quoted and not re.sub(r"“[^“”]*”|[、和及\s]", "", seg[quoted[0].start():]):
        return [(q.group(1), start + q.start(1), True) for q in quoted]
    out, pos = [], start
    for part in re.split(r"([、和及])", seg):
        if part and part not in "、和及":
            item = part.strip("“”\"' ")
            out.append((item, pos + part.find(item), False))
        pos += len(part)
    return out


def _ok(item: str) -> bool:
    rx = _rx()
    if item in lexicon().marks["not_names"]:
        return False
    if not (2 <= len(item) <= 15) or rx["reject"].search(item) or re.search(r"[\d，。；：]", item):
        return False
    return len(rx["generic"].sub("", item)) >= 2


def find_marks(ctx: Ctx) -> list[MarkHit]:
    rx = _rx()
    text = ctx.text
    glossary = lexicon().outline["glossary_sections"]
    out: list[MarkHit] = []
    for para in ctx.st.paragraphs:
        if para.start < ctx.st.body_start or in_sections(para.node, glossary):
            continue
        taken: list[tuple[int, int]] = []
        for kind in ("gi", "brand"):
            for m in rx[kind].finditer(text, para.start, para.end):
                if any(a <= m.start() < b for a, b in taken):
                    continue
                i = m.start()
                base = after_last(rx["stops"], text, clause_start(text, i, para.start), i)
                if text[i - 1 : i] == "、":
                    continue  # the trigger word is itself an item of a list (专利、商标、地理标志…)
                items = _items(text, base, i)
                quoted = any(q for _, _, q in items)
                if kind == "brand":
                    # a brand list is marked: 等 right before the trigger, a count, or quotes
                    if not (m.group(1) or m.group(2) or quoted) or ("等" in text[base:i] and not quoted):
                        continue
                elif not (len(items) >= 2 or m.group(1) or quoted):
                    continue
                for item, pos, _quoted in items:
                    if _ok(item):
                        out.append(MarkHit(kind, item, pos, pos + len(item)))
                taken.append((base, m.end()))
    return out
