"""Brands and geographical indications (GIs): named items in the forms plans list them.

- a list before a trigger word: ``做优做强璧山来凤鱼、璧山葡萄等地理标志产品和璧山兔、三合茶叶等特色资源品牌``
  gives two GIs and two brands; ``支持A、B等龙头企业`` gives brands A and B (enterprise short names);
  quoted names (``“三峡天丛”区域公用品牌``) count as items without a separator;
- a list after a trigger word: ``地理标志产品A、B``, ``链主企业A、B等``;
- ``以A、B为重点``, ``擦亮“A”“B”等金字招牌``: names there count when they have a GI's shape;
- in a sentence about GIs, a GI by its shape: a gazetteer place + a product word (``安吉白茶``,
  ``温县铁棍山药``), or a quoted name ending in a product word (``“赣南脐橙”``).

The trigger words, stops, product words and rejections are in ``ontology/lexicon/marks.toml``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache

import ahocorasick

from kg.extract.common import CLAUSE_DELIMITERS, Ctx, clause_start, in_sections
from ontology.lexicon import alternation, lexicon
from ontology.regions import gazetteer

_QUOTED = re.compile(r"“([^“”\n]{1,30})”")
_SENTENCE_END = "。；！？!?;\n\t"
_CLAUSE_END = "，。；：！？,;:!?\n\t（）()"


@dataclass
class MarkHit:
    """One mention of a brand or a GI: its printed name and its span in the cleaned text."""

    kind: str  # gi | brand
    name: str
    start: int
    end: int


@dataclass
class _Item:
    name: str
    start: int
    quoted: bool

    @property
    def end(self) -> int:
        return self.start + len(self.name)


@dataclass(frozen=True)
class _Rx:
    trigger: re.Pattern[str]
    kinds: dict[str, str]
    gi_marker: re.Pattern[str]
    brand_marker: re.Pattern[str]
    firm_marker: re.Pattern[str]
    firm_known_qual: re.Pattern[str]
    neutral_marker: re.Pattern[str]
    not_followed: re.Pattern[str]
    left_stops: re.Pattern[str]
    right_stops: re.Pattern[str]
    frame: re.Pattern[str]
    reject: re.Pattern[str]
    not_name_shape: re.Pattern[str]
    generic: re.Pattern[str]
    region_name: re.Pattern[str]
    gi_context: re.Pattern[str]
    conj: re.Pattern[str]
    conj_lead: re.Pattern[str]


@cache
def _rx() -> _Rx:
    m = lexicon().marks
    kinds = {w: "gi" for w in m["gi_triggers"]}
    kinds |= {w: "brand" for w in m["brand_triggers"]}
    kinds |= {w: "firm" for w in m["firm_triggers"]}
    kinds |= {w: "firm_forward" for w in m["firm_forward_triggers"]}
    kinds |= {w: "neutral" for w in m["neutral_triggers"]}
    # 等4件商标, 等一批品牌; a count without 等 leaves a list unmarked
    count = r"(?P<count>\s*" + m["list_count"] + r")?\s*"
    deng = re.escape(m["list_end"])

    def marker(qualifiers: list[str]) -> re.Pattern[str]:
        # what stands between a list and its trigger word, read backwards from the trigger: 等 [count] [qualifiers]
        return re.compile(rf"(?P<deng>{deng})?{count}(?P<qual>(?:{alternation(qualifiers)}){{0,3}})$")

    # 等 + words naming the kind of enterprise (等猕猴桃龙头企业, 等白酒企业, 等龙头茶企)
    filler = alternation([*m["firm_qualifiers"], *m["product_heads"], *m["plain_words"],
                          *lexicon().industry_label_index()])
    free_qual = rf"[^{re.escape(''.join(m['firm_qualifier_breakers']))}\W\d]{{1,{int(m['firm_free_qualifier_max'])}}}"
    return _Rx(
        # 酒企 is not read in 白酒企业
        trigger=re.compile(rf"(?:{alternation(list(kinds))})(?!{re.escape(m['trigger_not_before'])})"),
        kinds=kinds,
        gi_marker=marker(m["gi_qualifiers"]),
        brand_marker=marker(m["brand_qualifiers"]),
        # …or any short noun naming the enterprises' trade (等陈皮企业, 等藤编企业): the names themselves
        # must still look like enterprise short names
        firm_marker=re.compile(rf"(?P<deng>{deng}){count}(?P<qual>(?:{filler}){{0,3}}|{free_qual})$"),
        firm_known_qual=re.compile(rf"(?:{filler}){{0,3}}"),
        neutral_marker=re.compile(rf"(?P<deng>{deng})?(?P<qual>{alternation(m['neutral_qualifiers'])})?$"),
        not_followed=re.compile(alternation(m["not_followed_by"])),
        left_stops=re.compile(alternation(m["left_stops"])),
        right_stops=re.compile(alternation(m["right_stops"])),
        frame=re.compile(m["frame"].replace("{roles}", alternation(m["frame_roles"]))),
        reject=re.compile(alternation(m["reject_contains"])),
        not_name_shape=re.compile("|".join(m["not_name_patterns"])),
        generic=re.compile(alternation(m["generic_words"])),
        region_name=re.compile(rf"[{m['region_abbreviations']}][{m['region_directions']}]"),
        gi_context=re.compile(alternation(m["gi_context_words"])),
        conj=re.compile("(" + alternation(m["conjunctions"]) + ")"),
        conj_lead=re.compile(r"\s*(" + alternation(m["conjunctions"]) + ")"),
    )


@cache
def _places() -> ahocorasick.Automaton:
    """Each gazetteer region by the form a GI name uses, minus everyday words.

    That is the short name (安吉, 景德镇, 湘西), or the full name where the short one would be a single
    character (温县, 眉县): 安吉县茶叶 reads as a county's tea, not as a product's name.
    """
    stop = set(lexicon().marks["place_stopwords"])
    auto = ahocorasick.Automaton()
    for region in gazetteer().by_code.values():
        alias = region.short
        if len(alias) >= 2 and alias not in stop:
            auto.add_word(alias, len(alias))
    auto.make_automaton()
    return auto


@cache
def _heads() -> tuple[frozenset[str], int]:
    heads = frozenset(lexicon().marks["product_heads"])
    return heads, max(map(len, heads))


@cache
def _plain_words() -> frozenset[str]:
    """Product words, sector words and industry labels: a list item that is only one of these is no name."""
    return _heads()[0] | frozenset(lexicon().marks["plain_words"]) | frozenset(lexicon().industry_label_index())


@cache
def _sectors() -> tuple[str, ...]:
    return tuple(w for w in lexicon().marks["plain_words"] if len(w) >= 2)


def _place_ends(name: str) -> list[int]:
    """Ends of the place names (gazetteer or regional) that start ``name``, longest first."""
    ends = [end + 1 for end, length in _places().iter(name) if end + 1 == length]
    if _rx().region_name.match(name):
        ends.append(2)
    return sorted(set(ends), reverse=True)


def _product_end(name: str) -> bool:
    heads, longest = _heads()
    return any(name[-k:] in heads for k in range(1, min(longest, len(name)) + 1))


def gi_shaped(name: str) -> bool:
    """True for a place + at most a few characters + a product word: 安吉白茶, 温县铁棍山药, 赣南脐橙."""
    m = lexicon().marks
    if not 3 <= len(name) <= 12:
        return False
    heads, longest = _heads()
    for p in _place_ends(name):
        rest = name[p:]
        for k in range(min(longest, len(rest)), 0, -1):
            middle = rest[: len(rest) - k]
            if rest[-k:] in heads and len(middle) <= m["gi_middle_max"] \
                    and not any(b in middle for b in m["gi_middle_breakers"]):
                return True
    return False


def _ok(item: str, kind: str) -> bool:
    """Whether a list item can be a name of this kind (not a category, a body, a product or a number)."""
    m = lexicon().marks
    rx = _rx()
    top = 8 if kind == "firm" else 15
    if not (2 <= len(item) <= top) or item in m["not_names"] or item in _plain_words():
        return False
    if rx.reject.search(item) or re.search(r"[\d，。；：、,;:!?！？“”\s]", item):
        return False  # a number (“1269”), a slogan with parts (“畅游三峡、万州出发”) or a category
    if item.endswith(tuple(m["reject_suffixes"])) or rx.not_name_shape.search(item):
        return False
    rest = rx.generic.sub("", item)  # 优质大米 -> 大米: a product class, not a name
    return len(rest) >= 2 and rest not in _plain_words()


def _split_plain(seg: str, pos: int) -> list[_Item]:
    """Split an unquoted run on 、 and on 和/及/与 standing between two names of two or more characters."""
    out: list[_Item] = []
    for part in re.finditer(r"[^、]+", seg):
        pieces = [(part.group(), pos + part.start())]
        conj = _rx().conj.search(part.group())
        if conj and conj.start() >= 2 and len(part.group()) - conj.end() >= 2:
            a, b = part.group()[: conj.start()], part.group()[conj.end():]
            pieces = [(a, pos + part.start()), (b, pos + part.start() + conj.end())]
        for text, at in pieces:
            name = text.strip(" \"'")
            if name and name not in lexicon().marks["conjunctions"]:
                out.append(_Item(name, at + text.find(name), False))
    return out


def _items(text: str, start: int, end: int) -> list[_Item]:
    """The items of a listing in text[start:end]: quoted names and 、-separated names."""
    out: list[_Item] = []
    pos = start
    for q in _QUOTED.finditer(text, start, end):
        if q.start() < pos:
            continue
        out.extend(_split_plain(text[pos : q.start()], pos))
        tail = re.match(r"[^、“]+", text[q.end() : end])
        if tail and not _rx().conj_lead.match(tail.group()):
            # a quoted word inside a longer item (“A”斗茶大赛) is a modifier, not a listed name
            out.append(_Item(text[q.start() : q.end() + tail.end()], q.start(), False))
            pos = q.end() + tail.end()
            continue
        out.append(_Item(q.group(1), q.start(1), True))
        pos = q.end()
    out.extend(_split_plain(text[pos:end], pos))
    return out


def _trim_first(item: _Item, gi_like: bool) -> _Item:
    """Cut the verb or particle before the first item (加大对昌乐西瓜 -> 昌乐西瓜, 支持潍柴 -> 潍柴)."""
    if item.quoted:
        return item
    if gi_like:
        for k in range(len(item.name) - 2):
            if gi_shaped(item.name[k:]):
                return _Item(item.name[k:], item.start + k, False)
    # the last stop that leaves a name of two or more characters (支持和府: 和 is part of the name), or
    # none at all (培育“A”“B”: the verb before quoted names is no item)
    for m in reversed(list(_rx().left_stops.finditer(item.name))):
        if len(item.name) - m.end() >= 2 or m.end() == len(item.name):
            return _Item(item.name[m.end():], item.start + m.end(), False)
    return item


def _sentence_has(words: re.Pattern[str], text: str, pos: int, lo: int, hi: int) -> bool:
    """Whether the sentence around ``pos`` (within [lo, hi)) holds one of the words."""
    s = pos
    while s > lo and text[s - 1] not in _SENTENCE_END:
        s -= 1
    e = pos
    while e < hi and text[e] not in _SENTENCE_END:
        e += 1
    return words.search(text, s, e) is not None


def _gi_sentence(text: str, pos: int, lo: int, hi: int) -> bool:
    """Whether the sentence around ``pos`` is about GIs (a GI's shape alone is read only there)."""
    return _sentence_has(_rx().gi_context, text, pos, lo, hi)


class _Segment:
    """One paragraph or table cell: its hits, and the spans already read as lists."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.end = text, start, end
        self.hits: list[MarkHit] = []
        self.claimed: list[tuple[int, int]] = []

    def free(self, a: int, b: int) -> bool:
        """Whether [a, b) overlaps no span already read."""
        return not any(a < y and x < b for x, y in self.claimed)

    def add(self, kind: str, item: _Item) -> None:
        self.hits.append(MarkHit(kind, item.name, item.start, item.end))

    def gi_kind(self, item: _Item) -> bool:
        """A name of a figurative list or a frame is a GI when it has a GI's shape (or is a quoted product
        name in a sentence about GIs)."""
        if gi_shaped(item.name):
            return True
        return item.quoted and _product_end(item.name) and len(item.name) >= 3 \
            and _gi_sentence(self.text, item.start, self.start, self.end)

    # -- lists before a trigger word --------------------------------------------------------------
    def backward(self, m: re.Match[str], kind: str) -> None:
        """Read the list that ends at trigger ``m`` (A、B等地理标志产品, “A”“B”区域公用品牌, A、B等龙头企业)."""
        rx, text = _rx(), self.text
        i = m.start()
        if text[i - 1 : i] in ("、", "+"):
            return  # the trigger word is itself an item of a list (专利、商标、地理标志…)
        lo = clause_start(text, i, self.start, CLAUSE_DELIMITERS)
        lo = max([lo, *(y for _, y in self.claimed if y <= i)])
        marker = {"gi": rx.gi_marker, "brand": rx.brand_marker, "firm": rx.firm_marker,
                  "firm_forward": rx.firm_marker, "neutral": rx.neutral_marker}[kind]
        mk = marker.search(text, lo, i)
        if mk is None:
            return
        deng = bool(mk.group("deng"))
        items = [it for it in _items(text, lo, mk.start()) if it.name]
        if items:
            items[0] = _trim_first(items[0], kind in ("gi", "neutral"))
        items = [it for it in items if it.name]
        if not items:
            return
        quoted = any(it.quoted for it in items)
        if kind in ("firm", "firm_forward") and not deng:
            return  # 支持龙头企业联合… names no enterprise
        if not deng and not quoted:
            if kind in ("brand", "neutral"):
                return  # a brand list is marked by 等, a count, or quotes
            # an unmarked GI list (A、B地理标志证明商标) counts when every name ends in a product word
            if not all(gi_shaped(it.name) or (len(items) >= 2 and _product_end(it.name)) for it in items):
                return
        if not deng and quoted:
            # only the quoted names standing right before the trigger: 打造“A”品牌, 侵犯“A”地理标志专用权
            tail = []
            for it in reversed(items):
                if not it.quoted:
                    break
                tail.append(it)
            items = tail[::-1]
            if not items or re.search(r"[^\s、]", text[items[-1].end + 1 : mk.start()]):
                return
        if kind == "brand" and rx.not_followed.match(text, m.end()):
            return
        if kind in ("firm", "firm_forward") and not rx.firm_known_qual.fullmatch(mk.group("qual")) and not all(
                not it.quoted and _ok(it.name, "firm") and len(it.name) <= 6 for it in items):
            return  # an unknown trade word (等陈皮企业) is trusted only when every item is a short name
        for it in items:
            if kind == "gi":
                if _ok(it.name, "gi"):
                    self.add("gi", it)
            elif kind == "neutral":
                if _ok(it.name, "gi") and self.gi_kind(it):
                    self.add("gi", it)
            elif kind == "brand":
                if _ok(it.name, "brand") and (it.quoted or not it.name.endswith(_sectors())):
                    self.add("brand", it)
            elif not it.quoted and _ok(it.name, "firm"):
                self.add("brand", it)  # quoted names before a company word are kinds (“专精特新”“小巨人”企业)
        self.claimed.append((items[0].start, m.end()))

    # -- lists after a trigger word ----------------------------------------------------------------
    def forward(self, m: re.Match[str], kind: str) -> None:
        """Read the list that follows trigger ``m`` (地理标志产品A、B, 链主企业A、B等, 区域公用品牌“A”“B”)."""
        rx, text, lex = _rx(), self.text, lexicon().marks
        j = m.end()
        for opener in sorted(lex["forward_openers"], key=len, reverse=True):
            if text.startswith(opener, j):
                j += len(opener)
                break
        end = j
        while end < self.end and text[end] not in _CLAUSE_END:
            end += 1
        if end == j or not self.free(j, end):
            return
        items = [it for it in _items(text, j, end) if it.name]
        if not items or items[0].start != j + (1 if text[j] == "“" else 0):
            return  # the names must follow the trigger word directly (not 龙头企业、合作社…)
        if kind == "brand":
            # 区域公用品牌“A”“B”: only quoted names read after a brand word
            run = list(itertools.takewhile(lambda it: it.quoted, items))
            run = [it for it in run if _ok(it.name, "brand")]
            for it in run:
                self.add("brand", it)
            if run:
                self.claimed.append((j, run[-1].end))
            return
        last = items[-1]
        if not last.quoted:
            stop = rx.right_stops.search(last.name)
            if stop is None or stop.start() < 2:
                items.pop()  # the last name has no clear end
            else:
                items[-1] = _Item(last.name[: stop.start()], last.start, False)
        if len(items) < 2 and not any(it.quoted for it in items):
            return
        if kind == "gi":
            # 地理标志产品A、B: names with a GI's shape, quoted ones, or a list of names ending in product words
            listed = len(items) >= 2 and all(_product_end(it.name) for it in items)
            items = [it for it in items if _ok(it.name, "gi") and (it.quoted or listed or gi_shaped(it.name))]
            if not items:
                return
            for it in items:
                self.add("gi", it)
        else:  # firm: every name must look like an enterprise short name, or none is read
            if not all(_ok(it.name, "firm") and len(it.name) <= 6 and not rx.left_stops.search(it.name)
                       and not rx.right_stops.search(it.name) for it in items):
                return
            for it in items:
                self.add("brand", it)
        self.claimed.append((j, items[-1].end))

    # -- 以A、B为重点 -------------------------------------------------------------------------------
    def frames(self) -> None:
        """以A、B为重点: names with a GI's shape are GIs (quoted names without one may be campaigns: “双打”)."""
        text = self.text
        for m in _rx().frame.finditer(text, self.start, self.end):
            if not self.free(m.start(1), m.end(1)):
                continue
            deng = text.rfind(lexicon().marks["list_end"], m.start(1), m.end(1))
            for it in _items(text, m.start(1), deng if deng >= 0 else m.end(1)):
                if it.name and _ok(it.name, "gi") and self.gi_kind(it):
                    self.add("gi", it)
                    self.claimed.append((it.start, it.end))

    # -- a GI by its shape, in a sentence about GIs ---------------------------------------------------
    def shapes(self) -> None:
        """GIs by their shape in sentences about GIs: “赣南脐橙”, or 安吉白茶 followed by 等, 、, 为, …."""
        text, lex = self.text, lexicon().marks
        right = tuple(lex["gi_right_context"])
        _, longest = _heads()
        for q in _QUOTED.finditer(text, self.start, self.end):
            it = _Item(q.group(1), q.start(1), True)
            if self.free(q.start(), q.end()) and _ok(it.name, "gi") and self.gi_kind(it):
                self.add("gi", it)
                self.claimed.append((q.start(), q.end()))
        for end, length in _places().iter(text[self.start : self.end]):
            a = self.start + end + 1 - length
            if a > self.start and text[a - 1] == "“":
                continue  # quoted names were read above
            for b in range(a + length + 1, min(a + length + lex["gi_middle_max"] + longest, self.end) + 1):
                name = text[a:b]
                if not text.startswith(right, b) or not gi_shaped(name):
                    continue
                if self.free(a, b) and _ok(name, "gi") and _gi_sentence(text, a, self.start, self.end):
                    self.add("gi", _Item(name, a, False))
                    self.claimed.append((a, b))
                break


def _segments(ctx: Ctx) -> list[tuple[int, int]]:
    """Body paragraphs (outside the glossary) and body table cells."""
    glossary = lexicon().outline["glossary_sections"]
    out = [(p.start, p.end) for p in ctx.st.paragraphs
           if p.start >= ctx.st.body_start and not in_sections(p.node, glossary)]
    for t in ctx.st.tables:
        if t.start < ctx.st.body_start:
            continue
        for row in t.rows:
            out.extend((c.start, c.end) for c in row if c.end > c.start)
    return sorted(out)


def find_marks(ctx: Ctx) -> list[MarkHit]:
    """Brand and GI mentions of the plan body, each with its printed span."""
    rx = _rx()
    out: list[MarkHit] = []
    for start, end in _segments(ctx):
        seg = _Segment(ctx.text, start, end)
        for m in rx.trigger.finditer(ctx.text, start, end):
            seg.backward(m, rx.kinds[m.group()])
        for m in rx.trigger.finditer(ctx.text, start, end):
            kind = rx.kinds[m.group()]
            if kind in ("gi", "firm_forward", "brand"):
                seg.forward(m, kind)
        seg.frames()
        seg.shapes()
        out.extend(sorted(seg.hits, key=lambda h: h.start))
    return out
