"""Indicators: every quantified target, from indicator tables and from prose.

Prose targets are read clause by clause: ``到2025年，每万人口发明专利拥有量达到1.5件`` gives the
quantity before the value; ``培育3家高价值发明专利密集型企业`` gives a verb, the value and the
counted thing after it. Sections that review the past or define terms are skipped. The measure
cells of a task table (序号 | 主要任务 | 具体举措 | 牵头部门 …) are read like prose sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.extract.common import Ctx, in_sections
from kg.model import Evidence, Indicator
from kg.resolve import indicator_concept
from kg.structure import Cell, Node, TableT
from ontology.lexicon import alternation, lexicon

_CLAUSE_SPLIT = re.compile(r"[，；;,]")
_PAREN = re.compile(r"[（(][^（）()]*[）)]")
_CJK = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_LABEL = re.compile(r"^[^：:]*[：:]")  # a lead-in label before a colon (…目标是：)


@dataclass
class _Rx:
    value: re.Pattern[str]
    lead: re.Pattern[str]
    lead_verb: re.Pattern[str]
    verbs_tail: re.Pattern[str]
    fillers_tail: re.Pattern[str]
    relative: list[re.Pattern[str]]
    relative_base: re.Pattern[str]
    from_to: re.Pattern[str]
    year_lead: re.Pattern[str]
    period_name: re.Pattern[str]
    dash_line: re.Pattern[str]
    period_end_lead: re.Pattern[str]
    note_line: re.Pattern[str]
    annual_title: re.Pattern[str]
    year_opening: re.Pattern[str]
    scope_lead: re.Pattern[str]
    row_number: re.Pattern[str]
    unvalued_tail: re.Pattern[str]
    separator: re.Pattern[str]
    separator_before_number: re.Pattern[str]
    list_end: re.Pattern[str]
    quantity_words: re.Pattern[str]


@cache
def _rx() -> _Rx:
    lex = lexicon().indicators
    units = alternation(lex["units"])
    fillers = alternation(lex["trailing_fillers"])
    ordinal = re.escape(lex["ordinal_prefix"])
    separator = "[" + "".join(re.escape(c) for c in lex["list_separators"]) + "]"
    value = re.compile(rf"(?<![\d.{ordinal}])(\d+(?:,\d{{3}})*(?:\.\d+)?)\s*({units})((?:{fillers})?)")
    return _Rx(
        value=value,
        lead=re.compile("^(?:" + "|".join(lex["lead_fillers"]) + ")"),
        lead_verb=re.compile("^(?:" + alternation(lex["lead_verbs"]) + ")"),
        verbs_tail=re.compile("(?:" + alternation(lex["value_verbs"]) + ")$"),
        fillers_tail=re.compile("^(?:" + fillers + ")"),
        relative=[re.compile(r.replace("{units}", units)) for r in lex["relative_targets"]],
        relative_base=re.compile(lex["relative_base"]),
        from_to=re.compile(lex["from_to"].replace("{units}", units)),
        year_lead=re.compile(lex["year_lead"]),
        period_name=re.compile(lex["period_name"]),
        dash_line=re.compile(lex["dash_line"]),
        period_end_lead=re.compile(lex["period_end_lead"]),
        note_line=re.compile(lex["note_lines"]),
        annual_title=re.compile(lex["annual_plan_title"]),
        year_opening=re.compile(lex["year_opening"]),
        scope_lead=re.compile(r"^\s*(?:" + alternation(lex["scope_leads"]) + ")$"),
        row_number=re.compile(lex["row_number"]),
        unvalued_tail=re.compile("(?:" + alternation(lex["unvalued_tails"]) + ")$"),
        separator=re.compile(separator),
        separator_before_number=re.compile(separator + r"(?=\d)"),
        list_end=re.compile(r"^(.+?)" + re.escape(lex["list_end"]) + "$"),
        quantity_words=re.compile("(" + "|".join(re.escape(w) for w in lex["quantity_words"]) + ")"),
    )


def _num(s: str) -> float:
    v = float(s.replace(",", ""))
    return int(v) if v.is_integer() else v


def _unit(u: str | None) -> str | None:
    return "%" if u in ("%", "％") else u


def _rescale(value: float, unit: str | None, to_unit: str | None) -> float:
    """A value printed in ``unit`` expressed in ``to_unit`` when they differ by a scale prefix (件 → 万件)."""
    if not unit or not to_unit or unit == to_unit:
        return value
    scales: dict[str, int] = lexicon().indicators["unit_scales"]
    for prefix, factor in scales.items():
        if to_unit == prefix + unit:
            return _num(f"{value / factor:.10g}")
        if unit == prefix + to_unit:
            return _num(f"{value * factor:.10g}")
    return value


def _strip_lead(name: str) -> str:
    rx = _rx()
    label = _LABEL.match(name)
    if label and len(_CJK.findall(name[label.end():])) >= 2:  # 具体目标是：…; a bare "…拥有量：" stays
        name = name[label.end():]
    prev = None
    while prev != name:
        prev = name
        name = rx.lead.sub("", name).lstrip(lexicon().indicators["lead_strip_chars"])
    return name


def _strip_verbs(name: str) -> str:
    rx = _rx()
    prev = None
    while prev != name:
        prev = name
        name = rx.verbs_tail.sub("", name)
    for word in lexicon().indicators["name_drop_words"]:
        name = name.replace(word, "")
    return name


def _strip_action(name: str) -> str:
    """Drop an action verb opening the name (培育…企业), unless little would be left."""
    cut = _rx().lead_verb.sub("", name, count=1)
    # 培育增长…: a growth verb follows, so the action is part of what is counted
    verb_left = any(cut.startswith(w) for w in lexicon().indicators["growth_markers"])
    return cut if len(_CJK.findall(cut)) >= 3 and not verb_left else name


def _segments(clause: str) -> list[tuple[str, bool]]:
    """Split a clause holding a list of targets; the flag marks pieces after a list separator."""
    rx = _rx()
    seps = lexicon().indicators["list_separators"]
    cuts = []
    for m in rx.value.finditer(clause):
        j = m.end()
        if j < len(clause) and clause[j] in seps and rx.value.search(clause, j + 1):
            cuts.append(j)
    for m in rx.separator_before_number.finditer(clause):
        cuts.append(m.start())
    if not cuts:
        return [(clause, False)]
    out, pos = [], 0
    for c in sorted(set(cuts)):
        out.append((clause[pos:c], pos > 0))
        pos = c + 1
    out.append((clause[pos:], True))
    return [(s, f) for s, f in out if s]


def _expand(name: str, prev: str | None) -> str:
    """A short list item (强县 after 国家知识产权示范城市) borrows the previous item's qualifier."""
    if prev and len(name) <= 4:
        return prev[: max(0, len(prev) - len(name))] + name
    return name


def _respectively(clause: str) -> list[tuple[str, re.Match[str]]]:
    """Names listed before 分别 paired with the values after it (A、B分别达到5家、20家); empty if the counts differ."""
    rx = _rx()
    at = clause.find(lexicon().indicators["respectively"])
    if at < 0:
        return []
    values = list(rx.value.finditer(clause, at))
    names = [n for n in rx.separator.split(_strip_lead(clause[:at])) if n]
    if len(names) < 2 or len(names) != len(values) or rx.value.search(clause[:at]):
        return []
    last = names[-1]
    # 专利、商标质押融资额: a bare first item shares the last item's measured quantity
    names = [n + last[len(n):] if len(n) <= 3 and len(last) > len(n) + 1 else n for n in names[:-1]] + [last]
    lex = lexicon().indicators
    between = clause[at : values[0].start()]
    suffix = ""
    if any(g in between for g in lex["growth_markers"]):  # 分别年均增长10%、8%: growth rates
        suffix = next((g for g in lex["growth_printed"] if g in between), lex["growth_suffix"])
    out: list[tuple[str, re.Match[str]]] = []
    prev: str | None = None
    for name, m in zip(names, values, strict=True):
        name = _expand(_strip_action(name), prev)
        out.append((name + suffix, m))
        prev = name
    return out


def _drop_notes(clause: str) -> str:
    """Remove bracketed notes: those holding a number (文号, years) or standing after the last value.

    Brackets inside a name (PCT（专利合作协定）国际专利申请量) stay.
    """
    values = list(_rx().value.finditer(clause))
    last_value_end = values[-1].end() if values else len(clause)

    def repl(m: re.Match[str]) -> str:
        return "" if re.search(r"\d", m.group()) or m.start() >= last_value_end else m.group()

    return _PAREN.sub(repl, clause)


def _in_skipped_section(ctx: Ctx, node) -> bool:
    lex = lexicon().outline
    return in_sections(node, lex["review_sections"]) or in_sections(node, lex["glossary_sections"])


def _period_phrases(text: str, period_end: int | None) -> list[tuple[re.Match[str], int]]:
    """Named five-year periods that lie ahead (到“十四五”末, “十四五”期间 in a plan to 2025), with end years."""
    out = []
    ends: dict[str, int] = lexicon().indicators["period_name_end"]
    for m in _rx().period_name.finditer(text):
        end = ends.get(m.group("name"))
        if end is None:
            continue
        if (m.group("lead") or m.group("end")) or (m.group("span") and period_end and end >= period_end):
            out.append((m, end))
    return out


def _due_year(text: str, period_end: int | None) -> int | None:
    """The due year a text states: 到2025年, 2025年底前, 到“十四五”末."""
    ym = _rx().year_lead.search(text)
    if ym:
        return int(ym.group(1) or ym.group(2))
    ahead = _period_phrases(text, period_end)
    return ahead[0][1] if ahead else None


def _looks_past(text: str, period_end: int | None, *, weak_ok: bool) -> bool:
    """A sentence reporting the past (截至…, 十三五期间，…); a period still ahead is no past marker.

    ``weak_ok``: the sentence stands where targets are set, so a marker that may also state a target
    (同比增长15%) does not make it a report.
    """
    for m, _ in reversed(_period_phrases(text, period_end)):
        text = text[: m.start()] + text[m.end():]
    lex = lexicon().indicators
    markers = lex["past_markers"] + ([] if weak_ok else lex["weak_past_markers"])
    return any(p in text for p in markers)


def _annual_year(ctx: Ctx) -> int | None:
    """The year of a one-year plan (工作要点/工作计划 of a year), read from its title."""
    title = re.sub(r"\s", "", ctx.st.title or "")
    m = _rx().annual_title.search(title)
    return int(m.group("year")) if m else None


def _lead_years(ctx: Ctx, period_end: int | None) -> dict[int, int]:
    """Due years that paragraphs inherit: a run of dash goal lines (——…) carries the year of its lead-in,
    and so does a lead-in ending in a colon or stating a year in a goal section, for the rest of its section.

    The lead-in is the paragraph right before the run; a dash line stating its own year passes that on.
    A lead-in such as 通过三年努力 means the end of the plan period.
    """
    rx = _rx()
    out: dict[int, int] = {}
    block: int | None = None
    # (year, section) of a lead-in that ends in a colon or opens a goal section (主要目标：到2026年，…)
    colon: tuple[int, Node | None] | None = None
    for i, p in enumerate(ctx.st.paragraphs):
        own = _due_year(p.text, period_end)
        if own is None and period_end is not None and rx.period_end_lead.search(p.text):
            own = out[i] = period_end  # 通过三年努力: due at the end of the plan period
        if colon is not None and _within(p.node, colon[1]):
            out.setdefault(i, colon[0])  # 到2026年，力争实现： carries on to the goal lines of its section
        else:
            colon = None
        if own is not None and (p.text.rstrip().endswith(("：", ":")) or _in_goal_section(p.node)) \
                and colon is None:
            colon = (own, p.node)
        if rx.dash_line.match(p.text):
            if block is not None:
                out[i] = block
            block = own or block
        else:
            block = own
    return out


def _within(node: Node | None, section: Node | None) -> bool:
    """Whether ``node`` is ``section`` or lies inside it."""
    while node is not None and node is not section:
        node = node.parent
    return node is section


def _relative(clause: str, year: int | None, nature: str | None, evidence: Evidence) -> Indicator | None:
    """A relative target (较2022年实现翻番): baseline year and maybe base value, no target value."""
    rx = _rx()
    rel = next((m for r in rx.relative if (m := r.search(clause))), None)
    if rel is None:
        return None
    name = _strip_action(_strip_verbs(_strip_lead(clause[: rel.start()])))
    if len(_CJK.findall(name)) < 2:
        return None
    groups = rel.groupdict()
    base = _num(groups["base"]) if groups.get("base") else None
    unit = _unit(groups.get("bunit")) if base is not None else None
    return Indicator(name=name, concept=indicator_concept(name), unit=unit, baseline=base,
                     baseline_year=int(groups["byear"]), target_year=year, nature=nature, evidence=evidence)


def _in_goal_section(node: Node | None) -> bool:
    """Whether the node lies in a section that sets the plan's targets (主要目标, 发展目标)."""
    return in_sections(node, lexicon().indicators["goal_sections"])


def _from_prose(ctx: Ctx, period_end: int | None) -> list[Indicator]:
    rx = _rx()
    out: list[Indicator] = []
    annual = _annual_year(ctx)
    para_year: dict[int, int] = _lead_years(ctx, period_end)
    past_paras: set[int] = set()  # paragraphs of a one-year plan that have begun reporting an earlier year
    for sent in ctx.st.sentences:
        if sent.start < ctx.st.body_start or _in_skipped_section(ctx, sent.node):
            continue
        para = ctx.st.paragraphs[sent.para].text
        if rx.note_line.match(para):
            continue
        text = sent.text
        if annual is not None and _opens_with_year_before(text, annual):
            past_paras.add(sent.para)
        stated = _due_year(text, period_end)
        if stated:
            para_year[sent.para] = stated
        if not rx.value.search(text) and not any(r.search(text) for r in rx.relative):
            continue
        # 同比增长15% states a target in a goal section, or in the tasks of a one-year plan (not in an
        # opening paragraph, nor after a sentence reporting an earlier year); elsewhere it reports the past
        in_tasks = annual is not None and sent.node is not None and sent.para not in past_paras
        if _looks_past(text, period_end, weak_ok=_in_goal_section(sent.node) or in_tasks):
            continue
        if annual and _opens_with_year_before(text, annual):  # last year's results in a one-year plan
            continue
        year = para_year.get(sent.para, annual)
        out += _sentence_targets(ctx, text, sent.start, year)
    out += _heading_targets(ctx, period_end, annual)
    return out


def _heading_targets(ctx: Ctx, period_end: int | None, annual: int | None) -> list[Indicator]:
    """Targets printed as numbered outline items (具体目标为：1.…覆盖率达到90%。2.…).

    Such an item is parsed as a heading, so its text is no sentence; it is read like one. Its due
    year is its own, else the one of the last paragraph of its parent section before it (the
    lead-in 到2025年底，…具体目标为：).
    """
    rx = _rx()
    out: list[Indicator] = []
    for node in ctx.st.nodes:
        title = node.title
        if node.start < ctx.st.body_start or _in_skipped_section(ctx, node):
            continue
        if not rx.value.search(title) and not any(r.search(title) for r in rx.relative):
            continue
        if _looks_past(title, period_end, weak_ok=_in_goal_section(node)):
            continue
        lead_in = [p for p in ctx.st.paragraphs if p.node is node.parent and p.end <= node.start]
        year = _due_year(title, period_end) or (_due_year(lead_in[-1].text, period_end) if lead_in else None)
        at = ctx.text.find(title, node.start)
        out += _sentence_targets(ctx, title, at if at >= 0 else node.start, year or annual, quote=title, node=node)
    return out


def _opens_with_year_before(text: str, year: int) -> bool:
    """True when the text opens with a bare year (2023年，…) earlier than ``year``."""
    opening = _rx().year_opening.match(text)
    return bool(opening and int(opening.group(1)) < year)


def _sentence_targets(ctx: Ctx, text: str, start: int, year: int | None, *, quote: str | None = None,
                      node: Node | None = None) -> list[Indicator]:
    """The targets one sentence (or one table measure cell) states, clause by clause.

    ``quote`` and ``node`` give the evidence of text outside the sentence list (a table cell).
    """
    rx = _rx()
    lex = lexicon().indicators
    growth = lex["growth_markers"]
    out: list[Indicator] = []

    def ev(s: int, e: int) -> Evidence:
        return ctx.evidence(s, e, sentence=quote, node=node)

    nature = next((n for n in lex["natures"] if n + lex["indicator_word"] in text), None)
    prev_name: str | None = None
    unvalued: str | None = None  # the quantity the previous clause named without a value
    pos = 0
    for clause in _CLAUSE_SPLIT.split(text):
        c_start = start + text.find(clause, pos)
        pos = max(pos, text.find(clause, pos) + len(clause))
        clause_core = _drop_notes(clause)
        named_before, unvalued = unvalued, None
        if not rx.value.search(clause_core) and not any(r.search(clause_core) for r in rx.relative):
            unvalued = _strip_verbs(_strip_lead(rx.unvalued_tail.sub("", clause_core.strip())))
        rel_ind = _relative(clause_core, year, nature, ev(c_start, c_start + len(clause)))
        if rel_ind is not None:
            out.append(rel_ind)
            prev_name = rel_ind.name
            continue
        first = rx.value.search(clause_core)
        if first and rx.scope_lead.search(clause_core[: first.start()]):
            continue  # 面向1000家企业…: the number says whom the action reaches, not what it is to reach
        quota = any(q in clause_core for q in lex["annual_quota"])
        listed = _respectively(clause_core)
        for name, m in listed:
            out.append(Indicator(name=name, concept=indicator_concept(name, _num(m.group(1))),
                                 unit=_unit(m.group(2)), target=_num(m.group(1)),
                                 target_year=None if quota else year, nature=nature,
                                 evidence=ev(c_start, c_start + len(clause))))
            prev_name = name
        if listed:
            continue
        for seg, after_sep in _segments(clause_core):
            m = rx.value.search(seg)
            if not m:
                continue
            pre, post, value, unit, baseline, b_year = _value_of(seg, m)
            rb = rx.relative_base.search(pre)
            if rb and baseline is None:  # "较2022年增长50%": the base year of a relative target
                pre = pre[: rb.start()] + pre[rb.end():]
                b_year = int(rb.group("byear")) if rb.group("byear") else None
            post = rx.fillers_tail.sub("", post).lstrip(lex["post_value_particle"])
            post = re.sub(r"^[^\u4e00-\u9fffA-Za-z“]+", "", post)
            is_growth = unit == "%" and any(g in clause_core for g in growth)
            pre_clean = _strip_verbs(_strip_lead(pre))
            if is_growth:
                items = _growth_names(pre_clean, clause_core, relative=bool(rb and baseline is None))
            else:
                items = [_plain_name(pre_clean, post, prev_name, after_sep)]
            due = None if quota and not is_growth else year
            for name in items:
                name = name.rstrip("。；;，,、")
                if len(_CJK.findall(name)) < 2 and named_before and len(_CJK.findall(named_before)) >= 2:
                    name = named_before  # 地理标志数量实现翻番，由2023年的4件增至8件
                if len(_CJK.findall(name)) < 2:
                    continue
                s0 = c_start + clause.find(seg) if seg in clause else c_start
                out.append(Indicator(name=name, concept=indicator_concept(name, value), unit=unit,
                                     baseline=baseline, baseline_year=b_year,
                                     target=value, target_year=due, nature=nature,
                                     evidence=ev(s0, s0 + len(seg))))
                prev_name = name
    return out


def _value_of(seg: str, m: re.Match[str]) -> tuple[str, str, float, str | None, float | None, int | None]:
    """(text before, text after, target, unit, baseline, baseline year) of a segment's value.

    "由2022年的1.85件提高到4件" gives the baseline (with its year) and the target in one phrase.
    """
    rx = _rx()
    pre, post = seg[: m.start()], seg[m.end():]
    value, unit = _num(m.group(1)), _unit(m.group(2))
    baseline, b_year = None, None
    ft = rx.from_to.search(seg)
    if ft:
        pre, post = seg[: ft.start()], seg[ft.end():]
        value, unit = _num(ft.group("target")), _unit(ft.group("unit"))
        baseline = _rescale(_num(ft.group("base")), _unit(ft.group("bunit")), unit)
        b_year = int(ft.group("byear")) if ft.group("byear") and baseline is not None else None
    return pre, post, value, unit, baseline, b_year


def _growth_names(pre_clean: str, clause: str, *, relative: bool) -> list[str]:
    """Names of growth targets: the printed phrase (…年均增长), else the quantity and a rate suffix."""
    lex = lexicon().indicators
    growth = lex["growth_markers"]
    printed = next((g for g in lex["growth_printed"] if pre_clean.endswith(g)), None)
    base = _strip_action(re.sub(alternation([*growth, *lex["growth_fillers"]]), "", pre_clean))
    if printed:
        suffix = printed
    elif relative:  # growth over the base year, not a yearly rate
        suffix = lex["growth_suffix_relative"]
    else:
        suffix = lex["growth_suffix_average"] if lex["growth_average_marker"] in clause else lex["growth_suffix"]
    listed = _rx().list_end.match(base)
    if listed and "、" in listed.group(1):
        return [x + suffix for x in listed.group(1).split("、") if x]
    return [base.rstrip(lex["list_end"]) + suffix]


def _plain_name(pre_clean: str, post: str, prev_name: str | None, after_sep: bool) -> str:
    """The measured quantity of a target: before the value, or after it (培育3家…企业)."""
    lex = lexicon().indicators
    name = pre_clean + post if len(_CJK.findall(post)) >= 2 else pre_clean
    name = _strip_action(name.strip("，、：: "))
    if name.startswith(lex["share_lead"]) and prev_name:
        name = prev_name + name
        if name.endswith(lex["share_open_end"]):
            name += lex["share_suffix"]
    elif after_sep:
        name = _expand(name, prev_name)
    return name


def _task_table_targets(ctx: Ctx, table: TableT, period_end: int | None) -> list[Indicator]:
    """Targets stated in the measure cells of a task table (序号 | 主要任务 | 具体举措 | 牵头部门 …).

    A cell is read like a prose sentence; its due year is the one it states, else the year of a
    one-year plan.
    """
    head = [re.sub(r"\s", "", c.text) for c in table.header]
    if not head or any(lexicon().indicators["indicator_word"] in h for h in head):
        return []
    col = next((i for w in lexicon().outline["measure_headers"] for i, h in enumerate(head) if w in h), None)
    if col is None:
        return []
    annual = _annual_year(ctx)
    out: list[Indicator] = []
    for row in table.rows:
        if len(row) != len(head) or not row[col].text:
            continue
        cell = row[col]
        if _looks_past(cell.text, period_end, weak_ok=False):
            continue
        number = _rx().row_number.match(cell.text)  # a measure numbered inside its cell (19. 面向…)
        skip = number.end() if number else 0
        text = cell.text[skip:]
        year = _due_year(text, period_end) or annual
        out += _sentence_targets(ctx, text, cell.start + skip, year, quote=cell.text, node=table.node)
    return out


def _name_column(head: list[str], nature_col: int | None, category_cols: list[int]) -> int | None:
    """The column naming an indicator table's rows."""
    lex = lexicon().indicators
    name_col = next((i for i, h in enumerate(head) if lex["table_name_header"] in h), None)
    if name_col is not None:
        return name_col
    # 一级指标 | 二级指标: the innermost level names the row
    named = [i for i, h in enumerate(head) if lex["indicator_word"] in h and i != nature_col]
    inner = [i for i in named if i not in category_cols]
    if inner or named:
        return (inner or named)[-1]
    # no 指标 column (项目 | 2020年 | 2025年 | 指标属性): the first column that is no number, unit or year
    plain = [i for i, h in enumerate(head) if i != nature_col and i not in category_cols
             and h not in (lex["table_seq_header"], lex["table_unit_header"]) and not re.search(r"\d", h)]
    return plain[0] if plain else None


def _aligned(cells: list[Cell | None], width: int, category_cols: list[int]) -> list[Cell | None]:
    """A short row put under its header: a merged category cell (printed on its group's first row
    only) is missing where its column is; otherwise cells are missing at the end (after a row number)
    or at the start."""
    if len(cells) >= width:
        return cells
    missing = width - len(cells)
    merged = category_cols[:missing]
    if merged:
        for i in merged:
            cells.insert(i, None)
        return cells
    pad: list[Cell | None] = [None] * missing
    first = cells[0] if cells else None
    return cells + pad if first is not None and re.fullmatch(r"\d+", first.text or "") else pad + cells


def _table_indicators(ctx: Ctx, table: TableT, period_end: int | None) -> list[Indicator]:
    lex = lexicon().indicators
    head = [re.sub(r"\s", "", c.text) for c in table.header]
    if not head or not any(lex["indicator_word"] in h for h in head):
        return []
    category_words = lex["table_category_headers"]
    category_cols = [i for i, h in enumerate(head) if any(w in h for w in category_words)]
    nature_col = next((i for i, h in enumerate(head) if any(w in h for w in lex["table_nature_headers"])), None)
    name_col = _name_column(head, nature_col, category_cols)
    if name_col is None:
        return []
    seq_col = next((i for i, h in enumerate(head) if h == lex["table_seq_header"]), None)
    value_cols = [i for i in range(len(head)) if i not in (name_col, seq_col, nature_col, *category_cols)
                  and lex["table_unit_header"] not in head[i]]
    unit_col = next((i for i, h in enumerate(head) if h == lex["table_unit_header"]), None)
    years: dict[int, int | None] = {}
    for i in value_cols:
        ym = re.search(lex["table_year_header"], head[i])
        years[i] = int(ym.group(1)) if ym else None
    # 2025年目标 | 2027年目标: several target columns, one target each; else the last value column
    target_cols = [i for i in value_cols if any(w in head[i] for w in lex["table_target_headers"])]
    if len(target_cols) < 2:
        target_cols = value_cols[-1:]
    out: list[Indicator] = []
    for row in table.rows:
        cells = _aligned(list(row), len(head), [i for i in category_cols if i != name_col])
        name_cell = cells[name_col] if name_col < len(cells) else None
        if name_cell is None or not name_cell.text:
            continue
        if any(c is not None and _rx().note_line.match(c.text) for c in [*cells[:1], name_cell]):
            continue  # a note row (注：…) under the table
        name, unit = name_cell.text, None
        um = re.search(r"[（(]([^（）()]{1,6})[）)]$", name)
        if um:
            name, unit = name[: um.start()], um.group(1)
        if unit_col is not None and unit_col < len(cells) and cells[unit_col] is not None:
            unit = cells[unit_col].text or unit  # type: ignore[union-attr]
        vals: dict[int, tuple[float | None, int | None]] = {}
        for i in value_cols:
            c = cells[i] if i < len(cells) else None
            vm = re.match(r"^[≥>＞]?\s*(\d+(?:\.\d+)?)\s*(%|％)?", c.text) if c is not None else None
            if vm and vm.group(2) and not unit:
                unit = "%"
            vals[i] = (_num(vm.group(1)) if vm else None, years[i])
        if not vals:
            continue
        first = value_cols[0]
        baseline, b_year = vals[first] if len(vals) > 1 and first not in target_cols else (None, None)
        if baseline is None:
            b_year = None
        nature = None
        if nature_col is not None and nature_col < len(cells) and cells[nature_col] is not None:
            nature = next((n for n in lex["natures"] if n in cells[nature_col].text), None)  # type: ignore[union-attr]
        present = [c for c in cells if c is not None]
        sentence = " | ".join(c.text for c in present)
        targets = [vals[i] for i in target_cols if vals[i][0] is not None] or [vals[target_cols[-1]]]
        for target, t_year in targets:
            if target is None and baseline is None:
                continue
            if target is None:  # a ragged row: the baseline is kept, the missing target stays unknown
                t_year = None
            elif t_year is None:
                t_year = period_end
            out.append(Indicator(name=name, concept=indicator_concept(name, target), unit=_unit(unit),
                                 baseline=baseline, baseline_year=b_year, target=target, target_year=t_year,
                                 nature=nature, evidence=ctx.evidence(present[0].start, present[-1].end,
                                                                      sentence=sentence, node=table.node)))
    return out


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)} or {s}



@cache
def _near(a: str, b: str) -> bool:
    """Two indicator concepts naming the same quantity (equal, close in bigrams, or one inside the other)."""
    if a == b:
        return True
    x, y = _bigrams(a), _bigrams(b)
    if len(x & y) / max(1, len(x | y)) >= 0.5:
        return True
    quantity_words = _rx().quantity_words
    p, q = quantity_words.sub("", a), quantity_words.sub("", b)
    return len(min(p, q, key=len)) >= 4 and (p in q or q in p)


def extract_indicators(ctx: Ctx, period_end: int | None = None) -> list[Indicator]:
    """All indicators of a plan, tables first; a prose repeat of a listed target is dropped."""
    found: list[Indicator] = []
    for t in ctx.st.tables:
        found += _table_indicators(ctx, t, period_end)
        found += _task_table_targets(ctx, t, period_end)
    found += _from_prose(ctx, period_end)
    out: list[Indicator] = []
    # a repeat elsewhere in the plan has the same target and a near-same quantity in another sentence;
    # per target, the sentences kept for each concept (so the work grows with distinct concepts, not repeats)
    by_target: dict[float | None, dict[str, set[str]]] = {}
    for ind in found:
        kept = by_target.setdefault(ind.target, {})
        if not any(_near(ind.concept, c) and sents - {ind.evidence.sentence} for c, sents in kept.items()):
            kept.setdefault(ind.concept, set()).add(ind.evidence.sentence)
            out.append(ind)
    return out
