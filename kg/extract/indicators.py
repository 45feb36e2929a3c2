"""Indicators: every quantified target, from indicator tables and from prose.

Prose targets are read clause by clause: ``到2025年，每万人口发明专利拥有量达到1.5件`` gives the
quantity before the value; ``培育3家高价值发明专利密集型企业`` gives a verb, the value and the
counted thing after it. Sections that review the past or define terms are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.extract.common import Ctx, in_sections
from kg.model import Indicator
from kg.resolve import indicator_concept
from kg.structure import Cell, TableT
from ontology.lexicon import alternation, lexicon

_CLAUSE_SPLIT = re.compile(r"[，；;,]")
_PAREN = re.compile(r"[（(][^（）()]*[）)]")
_YEAR_LEAD = re.compile(r"(?:到|至|截至)(\d{4})年|(\d{4})年(?:底前|前|底)")
_CJK = re.compile(r"[\u4e00-\u9fffA-Za-z]")


class IndicatorError(ValueError):
    """Raised for input the indicator recogniser cannot work on (the declared error type)."""


@dataclass
class _Rx:
    value: re.Pattern[str]
    lead: re.Pattern[str]
    verbs_tail: re.Pattern[str]
    fillers_tail: re.Pattern[str]
    relative: re.Pattern[str]
    from_to: re.Pattern[str]


@cache
def _rx() -> _Rx:
    lex = lexicon().indicators
    units = alternation(lex["units"])
    fillers = alternation(lex["trailing_fillers"])
    value = re.compile(rf"(?<![\d.])(\d+(?:,\d{{3}})*(?:\.\d+)?)\s*({units})((?:{fillers})?)")
    return _Rx(
        value=value,
        lead=re.compile("^(?:" + "|".join(lex["lead_fillers"]) + ")"),
        verbs_tail=re.compile("(?:" + alternation(lex["value_verbs"]) + ")$"),
        fillers_tail=re.compile("^(?:" + fillers + ")"),
        relative=re.compile(lex["relative_target"]),
        from_to=re.compile(rf"(?:由|从)(\d+(?:\.\d+)?)({units})?(?:提高|提升|增加|增长|增至|上升)(?:到|至)(\d+(?:\.\d+)?)({units})"),
    )


def _num(s: str) -> float:
    v = float(s.replace(",", ""))
    return int(v) if v.is_integer() else v


def _unit(u: str | None) -> str | None:
    return "%" if u in ("%", "％") else u


def _strip_lead(name: str) -> str:
    rx = _rx()
    prev = None
    while prev != name:
        prev = name
        name = rx.lead.sub("", name).lstrip("，、：:的")
    return name


def _strip_verbs(name: str) -> str:
    rx = _rx()
    prev = None
    while prev != name:
        prev = name
        name = rx.verbs_tail.sub("", name)
    return name.replace("实现", "")


def _segments(clause: str) -> list[tuple[str, bool]]:
    """Split a clause holding a list of targets; the flag marks pieces after a list separator."""
    rx = _rx()
    cuts = []
    for m in rx.value.finditer(clause):
        j = m.end()
        if j < len(clause) and clause[j] in "、和及" and rx.value.search(clause, j + 1):
            cuts.append(j)
    for m in re.finditer(r"[和及、](?=\d)", clause):
        cuts.append(m.start())
    if not cuts:
        return [(clause, False)]
    out, pos = [], 0
    for c in sorted(set(cuts)):
        out.append((clause[pos:c], pos > 0))
        pos = c + 1
    out.append((clause[pos:], True))
    return [(s, f) for s, f in out if s]


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


def _from_prose(ctx: Ctx, period_end: int | None) -> list[Indicator]:
    rx = _rx()
    lex = lexicon().indicators
    growth = lex["growth_markers"]
    out: list[Indicator] = []
    para_year: dict[int, int] = {}
    for sent in ctx.st.sentences:
        if sent.start < ctx.st.body_start or _in_skipped_section(ctx, sent.node):
            continue
        text = sent.text
        ym = _YEAR_LEAD.search(text)
        if ym:
            para_year[sent.para] = int(ym.group(1) or ym.group(2))
        if not rx.value.search(text) and not rx.relative.search(text):
            continue
        if any(p in text for p in lex["past_markers"]):
            continue
        year = para_year.get(sent.para)
        nature = next((n for n in lex["natures"] if n + "指标" in text), None)
        prev_name: str | None = None
        pos = 0
        for clause in _CLAUSE_SPLIT.split(text):
            c_start = sent.start + text.find(clause, pos)
            pos = max(pos, text.find(clause, pos) + len(clause))
            clause_core = _drop_notes(clause)
            rel = rx.relative.search(clause_core)
            if rel and not rx.value.search(clause_core):
                name = _strip_verbs(_strip_lead(clause_core[: rel.start()]))
                if len(_CJK.findall(name)) >= 2:
                    ev = ctx.evidence(c_start, c_start + len(clause))
                    out.append(Indicator(name=name, concept=indicator_concept(name), baseline_year=int(rel.group(1)),
                                         target_year=year, nature=nature, evidence=ev))
                    prev_name = name
                continue
            for seg, after_sep in _segments(clause_core):
                m = rx.value.search(seg)
                if not m:
                    continue
                pre, post = seg[: m.start()], seg[m.end():]
                unit = _unit(m.group(2))
                value = _num(m.group(1))
                baseline = None
                ft = rx.from_to.search(seg)
                if ft:  # "由1.85件提高到4件": baseline and target in one phrase
                    pre, post = seg[: ft.start()], seg[ft.end():]
                    baseline, value, unit = _num(ft.group(1)), _num(ft.group(3)), _unit(ft.group(4))
                post = rx.fillers_tail.sub("", post).lstrip("的")
                post = re.sub(r"^[^\u4e00-\u9fffA-Za-z“]+", "", post)
                is_growth = unit == "%" and any(g in clause_core for g in growth)
                items: list[str]
                pre_clean = _strip_verbs(_strip_lead(pre))
                if is_growth:
                    base = re.sub(alternation([*growth, *lex["growth_fillers"]]), "", pre_clean)
                    average = lex["growth_average_marker"] in clause_core
                    suffix = lex["growth_suffix_average"] if average else lex["growth_suffix"]
                    listed = re.match(r"^(.+?)等$", base)
                    if listed and "、" in listed.group(1):
                        items = [x + suffix for x in listed.group(1).split("、") if x]
                    else:
                        items = [base.rstrip("等") + suffix]
                else:
                    name = pre_clean + post if len(_CJK.findall(post)) >= 2 else pre_clean
                    name = name.strip("，、：: ")
                    if name.startswith(lex["share_lead"]) and prev_name:
                        name = prev_name + name
                        if name.endswith("的"):
                            name += lex["share_suffix"]
                    elif after_sep and prev_name and len(name) <= 4:
                        name = prev_name[: max(0, len(prev_name) - len(name))] + name
                    items = [name]
                for name in items:
                    name = name.rstrip("。；;，,、")
                    if len(_CJK.findall(name)) < 2:
                        continue
                    start = c_start + clause.find(seg) if seg in clause else c_start
                    out.append(Indicator(name=name, concept=indicator_concept(name, value), unit=unit,
                                         baseline=baseline, target=value, target_year=year, nature=nature,
                                         evidence=ctx.evidence(start, start + len(seg))))
                    prev_name = name
    return out


def _table_indicators(ctx: Ctx, table: TableT, period_end: int | None) -> list[Indicator]:
    lex = lexicon().indicators
    head = [re.sub(r"\s", "", c.text) for c in table.header]
    if not head or not any("指标" in h for h in head):
        return []
    name_col = next((i for i, h in enumerate(head) if "名称" in h), None)
    if name_col is None:
        name_col = next(i for i, h in enumerate(head) if "指标" in h and "属性" not in h)
    seq_col = next((i for i, h in enumerate(head) if h == "序号"), None)
    nature_col = next((i for i, h in enumerate(head) if "属性" in h or "性质" in h), None)
    value_cols = [i for i in range(len(head)) if i not in (name_col, seq_col, nature_col) and "单位" not in head[i]]
    unit_col = next((i for i, h in enumerate(head) if h == "单位"), None)
    years: dict[int, int | None] = {}
    for i in value_cols:
        ym = re.search(r"(\d{4})年", head[i])
        years[i] = int(ym.group(1)) if ym else None
    out: list[Indicator] = []
    for row in table.rows:
        cells: list[Cell | None] = list(row)
        if len(cells) < len(head):
            pad: list[Cell | None] = [None] * (len(head) - len(cells))
            cells = cells + pad if cells and re.fullmatch(r"\d+", cells[0].text or "") else pad + cells
        name_cell = cells[name_col] if name_col < len(cells) else None
        if name_cell is None or not name_cell.text:
            continue
        name, unit = name_cell.text, None
        um = re.search(r"[（(]([^（）()]{1,6})[）)]$", name)
        if um:
            name, unit = name[: um.start()], um.group(1)
        if unit_col is not None and unit_col < len(cells) and cells[unit_col] is not None:
            unit = cells[unit_col].text or unit  # type: ignore[union-attr]
        vals: list[tuple[float | None, int | None]] = []
        for i in value_cols:
            c = cells[i] if i < len(cells) else None
            vm = re.match(r"^(\d+(?:\.\d+)?)\s*(%|％)?", c.text) if c is not None else None
            if vm and vm.group(2) and not unit:
                unit = "%"
            vals.append((_num(vm.group(1)) if vm else None, years[i]))
        if not vals:
            continue
        target, t_year = vals[-1]
        baseline, b_year = vals[0] if len(vals) > 1 else (None, None)
        if target is None and baseline is None:
            continue
        if target is None:  # a ragged row: the baseline is kept, the missing target stays unknown
            t_year = None
        elif t_year is None:
            t_year = period_end
        if baseline is None:
            b_year = None
        nature = None
        if nature_col is not None and nature_col < len(cells) and cells[nature_col] is not None:
            nature = next((n for n in lex["natures"] if n in cells[nature_col].text), None)  # type: ignore[union-attr]
        present = [c for c in cells if c is not None]
        sentence = " | ".join(c.text for c in present)
        out.append(Indicator(name=name, concept=indicator_concept(name, target), unit=_unit(unit), baseline=baseline,
                             baseline_year=b_year, target=target, target_year=t_year, nature=nature,
                             evidence=ctx.evidence(present[0].start, present[-1].end, sentence=sentence,
                                                   node=table.node)))
    return out


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)} or {s}


_QUANTITY_WORDS = re.compile(r"(总量|数量|总数|累计|拥有量|新增)")


def _same(a: Indicator, b: Indicator) -> bool:
    """A repeat of the same target elsewhere in the plan (same value, same or near-same quantity)."""
    if a.target != b.target or a.evidence.sentence == b.evidence.sentence:
        return False
    if a.concept == b.concept:
        return True
    x, y = _bigrams(a.concept), _bigrams(b.concept)
    if len(x & y) / max(1, len(x | y)) >= 0.5:
        return True
    p, q = _QUANTITY_WORDS.sub("", a.concept), _QUANTITY_WORDS.sub("", b.concept)
    return len(min(p, q, key=len)) >= 4 and (p in q or q in p)


def extract_indicators(ctx: Ctx, period_end: int | None = None) -> list[Indicator]:
    """All indicators of a plan, tables first; a prose repeat of a listed target is dropped."""
    found: list[Indicator] = []
    for t in ctx.st.tables:
        found += _table_indicators(ctx, t, period_end)
    found += _from_prose(ctx, period_end)
    out: list[Indicator] = []
    by_target: dict[float | None, list[Indicator]] = {}  # a repeat has the same target: compare within one value
    for ind in found:
        kept = by_target.setdefault(ind.target, [])
        if not any(_same(ind, o) for o in kept):
            kept.append(ind)
            out.append(ind)
    return out
