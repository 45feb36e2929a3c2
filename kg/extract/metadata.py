"""Plan metadata: title, 文号, issuer, issue date, governed region, period, implemented documents.

Also the test that a text is a plan at all (:func:`not_a_plan`). The words and patterns come from
the lexicon (``ontology/lexicon/metadata.toml``).
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any

from kg.extract.common import Ctx
from kg.model import CitedPlan, Evidence, PlanMeta
from kg.resolve import cited_plan_key, region_mentions, region_ref, resolve_plan_region
from kg.structure import Line, Node, Sentence, Structure
from ontology.iri import slug
from ontology.lexicon import alternation, lexicon
from ontology.regions import Region

_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_QUOTE = re.compile(r"《([^《》]{4,150})》")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


@cache
def _rx() -> dict[str, Any]:
    """The lexicon's metadata patterns, compiled once."""
    m = lexicon().metadata
    imp, per, nap = m["implements"], m["period"], m["not_a_plan"]
    dates, cited = m["dates"], m["cited"]
    return {
        "doc_number": re.compile(m["doc_number"]),
        "docnum_tail": re.compile(cited["doc_number_tail"]),
        "bracket_dropped": re.compile(cited["bracket_dropped"]),
        "date_cn": re.compile(dates["arabic"]),
        "date_zh": re.compile(dates["chinese"]),
        "year": re.compile(dates["year"]),
        "issuer_line": re.compile(m["issuer_line"]),
        "issuer_head": re.compile(m["issuer_head"]),
        "date_tail": re.compile(m["date_line_tail"]),
        "written": re.compile(m["written_date_label"]),
        "title_range": re.compile(per["title_range"]),
        "annual": re.compile(alternation(per["annual_types"])),
        "annual_only": re.compile(alternation(per["annual_only_types"])),
        "target_year": re.compile(per["target_year"]),
        "own_term": re.compile(per["own_term"]),
        "lead": re.compile(alternation(imp["leads"])),
        "clause_break": re.compile(imp["clause_break"]),
        # 印发的《…》 is attributive (already issued), so no longer a "to be issued" verb
        "not_basis": re.compile(f"(?:{alternation(imp['not_basis_verbs'])})"
                                f"(?!{re.escape(imp['attributive_after_verb'])})"),
        "framed_after": re.compile(imp["framed_after"]),
        "unquoted_parent": re.compile(imp["unquoted_parent"]),
        "frame_section": re.compile(alternation(imp["frame_sections"])),
        "review_section": re.compile(alternation(imp["review_sections"])),
        "standard_after": re.compile(imp["standard_after"]),
        "standard_title": re.compile(imp["standard_title"]),
        "title_parent": re.compile(imp["title_parent"]),
        "document_end": re.compile(imp["document_end"]),
        "joiner": re.compile(alternation(imp["parent_joiners"])),
        "markup": re.compile(nap["markup_line"]),
        "policy_verb": re.compile("^(" + alternation(nap["policy_verbs"]) + ")"),
        "self_reference": re.compile(nap["self_reference"]),
        "plan_section": re.compile(alternation(nap["plan_sections"])),
    }


def _zh_number(s: str) -> int:
    dates = lexicon().metadata["dates"]
    digits: dict[str, int] = dates["chinese_digits"]
    ten = dates["chinese_ten"]
    if ten in s:
        a, _, b = s.partition(ten)
        return (digits.get(a, 1) if a else 1) * 10 + (digits.get(b, 0) if b else 0)
    return int("".join(str(digits[c]) for c in s))


def parse_date(text: str) -> tuple[date, int, int] | None:
    """First date in text (2022年10月25日, 2022-07-08, 二〇二二年十月二十五日) with its span."""
    found = []
    for rx in (_rx()["date_cn"], _DATE_ISO):
        m = rx.search(text)
        if m:
            try:
                found.append((date(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.start(), m.end()))
            except ValueError:
                pass
    m = _rx()["date_zh"].search(text)
    if m:
        try:
            y = _zh_number(m.group(1))
            found.append((date(y, _zh_number(m.group(2)), _zh_number(m.group(3))), m.start(), m.end()))
        except (ValueError, KeyError):
            pass
    return min(found, key=lambda f: f[1]) if found else None


def _repair_brackets(title: str) -> str:
    """Put back an opening bracket a web extraction dropped: 纲要2021—2035年） -> 纲要（2021—2035年）."""
    if title.count("）") > title.count("（"):
        return _rx()["bracket_dropped"].sub(r"（\1）", title, count=1)
    return title


# ---------------------------------------------------------------- a plan or not


def not_a_plan(raw: str, st: Structure) -> str | None:
    """Why a text that reads fine is not a plan (None when it is one).

    A plan is Chinese prose, not code (a README), and shows itself as a plan: by a plan title, by
    task headings that open with a policy verb (加强…, 推进…), by the sections plans have (总体要求,
    保障措施 …), or by naming itself (制定本方案). A news item or a table of figures with a few IP
    words shows none of these.
    """
    spec = lexicon().metadata["not_a_plan"]
    rx = _rx()
    cjk, latin = len(_CJK.findall(st.text)), len(_LATIN.findall(st.text))
    if cjk < spec["min_cjk_share"] * (cjk + latin):
        return f"mostly non-Chinese text ({cjk} CJK of {cjk + latin} letters)"
    lines = [ln for ln in raw.splitlines() if ln.strip()]
    markup = sum(1 for ln in lines if rx["markup"].search(ln))
    if lines and markup > spec["max_markup_share"] * len(lines):
        return f"markup or code ({markup} of {len(lines)} lines)"
    task_headings = sum(1 for n in st.nodes if n.kind != "annex" and rx["policy_verb"].match(n.title))
    plan_sections = {m.group() for n in st.nodes for m in [rx["plan_section"].search(n.title)] if m}
    if (st.title or task_headings >= spec["min_task_headings"] or len(plan_sections) >= 2
            or rx["self_reference"].search(st.text)):
        return None
    return "no plan title, task headings, plan sections or reference to itself as a plan"


# ---------------------------------------------------------------- issuer and date


def _issuer_and_date(ctx: Ctx) -> tuple[str | None, tuple[date, int, int] | None, dict[str, Evidence]]:
    """The issuing body and the issue date, with the cleaned-text span of the date.

    In order: the notice's signature (a body's name alone on a line and the date on the next, or
    both on one line), the body at the head of the notice's title, a web page's 成文日期 (its 发布日期
    is when the page went up), then the end of the document: a signature and date or a 版记 line
    (某县人民政府办公室 2023年9月18日印发), as printed by a plan with no covering notice.
    """
    st, rx = ctx.st, _rx()
    ev: dict[str, Evidence] = {}
    notice_lines = [ln for ln in st.lines if ln.end <= max(st.body_start, 1) and ln.text.strip()]
    issuer, issue, sig_ev = _signature(ctx, notice_lines, need_issuer=True, from_end=False)
    if sig_ev is not None:
        ev["issuer"] = sig_ev
    if issuer is None:
        for ln in notice_lines:
            hm = rx["issuer_head"].match(ln.text.strip())
            if hm:
                issuer = hm.group(1)
                off = ln.text.find(issuer)
                ev["issuer"] = ctx.evidence(ln.start + off, ln.start + off + len(issuer), sentence=ln.text.strip())
                break
    notice = st.notice()
    if issue is None:
        cm = rx["written"].search(notice)
        d = parse_date(notice[cm.end():cm.end() + 20]) if cm else None
        if d and cm:
            issue = (d[0], cm.end() + d[1], cm.end() + d[2])
    if issuer is None or issue is None:
        n = int(lexicon().metadata["closing_lines"])
        tail = [ln for ln in st.lines if ln.text.strip() and ln.start >= st.body_start][-n:]
        end_issuer, end_issue, end_ev = _signature(ctx, tail, need_issuer=False, from_end=True)
        if issuer is None and end_issuer and end_ev is not None:
            issuer = end_issuer
            ev["issuer"] = end_ev
        if issue is None:
            issue = end_issue
    if issue is None:
        issue = parse_date(notice)
    return issuer, issue, ev


def _signature(ctx: Ctx, lines: list[Line], *, need_issuer: bool, from_end: bool
               ) -> tuple[str | None, tuple[date, int, int] | None, Evidence | None]:
    """A date line (2023年9月18日, 2023年9月18日印发) and the body signing it: on the line before, or
    before the date on the same line (a 版记). Without ``need_issuer`` a date alone is returned."""
    rx = _rx()
    order = range(len(lines) - 1, -1, -1) if from_end else range(len(lines))
    for k in order:
        ln = lines[k]
        t = ln.text.strip()
        d = parse_date(t)
        if d is None or not rx["date_tail"].match(t[d[2]:]):
            continue
        off = ln.text.find(t)
        issue = (d[0], ln.start + off + d[1], ln.start + off + d[2])
        before = t[: d[1]].strip()
        if before:
            if rx["issuer_line"].match(before):
                at = ln.text.find(before)
                return before, issue, ctx.evidence(ln.start + at, ln.start + at + len(before), sentence=t)
            continue
        prev = lines[k - 1] if k > 0 else None
        if prev is not None and rx["issuer_line"].match(prev.text.strip()):
            name = prev.text.strip()
            at = prev.text.find(name)
            return name, issue, ctx.evidence(prev.start + at, prev.start + at + len(name), sentence=name)
        if not need_issuer:
            return None, issue, None
    return None, None, None


# ---------------------------------------------------------------- period


def _period(ctx: Ctx, title: str | None, issue_date: date | None) -> tuple[int, int] | None:
    """First and last year the plan covers.

    From the title (a year range, a five-year-plan name, the one year of an annual 工作要点 or
    工作计划), else from the plan stating its own term, else from the year its targets are set for
    (到2025年) counted from the issue year, else from the five-year-plan name the body uses most.
    Years inside a cited title (《…纲要（2021—2035年）》) are that document's, not the plan's.
    """
    rx = _rx()
    five = {k: tuple(v) for k, v in lexicon().metadata["five_year_plans"].items()}
    if title:
        ym = rx["title_range"].search(title)
        if ym and int(ym.group(1)) < int(ym.group(2)):
            return int(ym.group(1)), int(ym.group(2))
        hits = [v for k, v in five.items() if k in title]
        if hits:
            return hits[0]  # type: ignore[return-value]
        years = set(rx["year"].findall(title))
        if len(years) == 1 and rx["annual"].search(title):
            y = int(years.pop())
            return y, y
    body = _unquoted(ctx.text[ctx.st.body_start:])
    if title and not years and rx["annual_only"].search(title):
        # 某县知识产权工作要点 printing its year only in the preamble: 为做好2024年全县知识产权工作
        first_heading = min((n.start for n in ctx.st.nodes), default=len(ctx.text)) - ctx.st.body_start
        named = set(rx["year"].findall(body[:max(first_heading, 0)]))
        if len(named) == 1:
            y = int(named.pop())
            return y, y
    own = rx["own_term"].search(body)
    if own and int(own.group(1)) < int(own.group(2)):
        return int(own.group(1)), int(own.group(2))
    targets = [int(y) for y in rx["target_year"].findall(body)]
    if targets:
        end = max(set(targets), key=targets.count)
        start = issue_date.year if issue_date and issue_date.year <= end else end - 4
        return start, end
    counts = {k: body.count(k) for k in five}
    best = max(counts, key=counts.__getitem__)
    return five[best] if counts[best] else None  # type: ignore[return-value]


def _unquoted(text: str) -> str:
    """The text with every quoted title blanked out (same length, so offsets hold)."""
    return _QUOTE.sub(lambda m: " " * len(m.group()), text)


# ---------------------------------------------------------------- the plan's metadata


def extract_metadata(ctx: Ctx) -> PlanMeta:
    """The plan's own metadata, each field with its evidence."""
    st = ctx.st
    text = ctx.text
    notice = st.notice()
    ev: dict[str, Evidence] = {}

    title = st.title
    if title and st.title_span:
        ev["title"] = ctx.evidence(*st.title_span, sentence=title)

    # 文号: the first document number printed in the notice (or at the very top of the text)
    head = notice if notice.strip() else text[:400]
    doc_number = None
    m = _rx()["doc_number"].search(head)
    if m:
        doc_number = m.group()
        ev["doc_number"] = ctx.evidence(m.start(), m.end(), sentence=doc_number)

    issuer, issue, issuer_ev = _issuer_and_date(ctx)
    ev.update(issuer_ev)
    issue_date = issue[0] if issue else None
    if issue:
        ev["issue_date"] = ctx.evidence(issue[1], issue[2], sentence=text[issue[1]:issue[2]])

    # governed region: the issuer first, then the title; the body only when neither names one
    region: Region | None = resolve_plan_region([issuer or "", title or ""], text[st.body_start:])
    period = _period(ctx, title, issue_date)
    implements = _implements(ctx, title)
    key_src = cited_plan_key(title) if title else ((region.name if region else "") + "-" +
                                                   ctx.file.rsplit(".", 1)[0])
    return PlanMeta(
        key=slug(key_src),
        title=title,
        doc_number=doc_number,
        issuer=issuer,
        issue_date=issue_date,
        region=region_ref(region) if region else None,
        period=period,
        implements=implements,
        evidence=ev,
    )


# ---------------------------------------------------------------- implemented documents


def _basis_sentences(st: Structure) -> list[Sentence]:
    """Sentences that may state the plan's basis: the preamble before the first heading, and
    sections that set the plan's frame (指导思想, 形势 …), but not reviews of past achievements."""
    first_heading = min((n.start for n in st.nodes), default=len(st.text))
    out = []
    for sent in st.sentences:
        if sent.start < st.body_start:
            continue
        if sent.start < first_heading:
            out.append(sent)
        elif _frame_section(sent.node):
            out.append(sent)
    return out


def _frame_section(node: Node | None) -> bool:
    """True when the nearest enclosing section that is either a frame or a review section is a frame.

    The nearest decides: 第二节 “十四五”时期面临的形势 under a chapter on 成就和形势 is a frame; a
    section naming both (成就和形势) counts as a review.
    """
    rx = _rx()
    while node is not None:
        if rx["review_section"].search(node.title):
            return False
        if rx["frame_section"].search(node.title):
            return True
        node = node.parent
    return False


def _implements(ctx: Ctx, title: str | None) -> list[CitedPlan]:
    """Documents the plan says it implements or is drawn up according to.

    A quoted title counts when a lead word (根据, 按照, 为贯彻落实, 对照 …) governs it in its own
    clause, in the preamble or a frame section; not when it is to be drafted or revised, nor a
    standard. Then the parents the title itself states (某县贯彻落实Y实施意见 implements Y), unless
    the text already cites the same document in fuller form.
    """
    rx = _rx()
    own = cited_plan_key(title) if title else None
    framed_before = lexicon().metadata["implements"]["framed_before"]
    out: list[CitedPlan] = []
    seen: set[str] = set()
    for sent in _basis_sentences(ctx.st):
        s = sent.text
        for qm in _QUOTE.finditer(s):
            after = s[qm.end():qm.end() + 30]
            # 以《…》为遵循: the frame around the quote makes it a basis, with no lead word
            framed = s[:qm.start()].endswith(framed_before) and rx["framed_after"].match(after)
            clause_from = 0
            for b in rx["clause_break"].finditer(s, 0, qm.start()):
                clause_from = b.end()
            clause = _QUOTE.sub("", s[clause_from:qm.start()])
            leads = list(rx["lead"].finditer(clause))
            if not framed and (not leads or rx["not_basis"].search(clause[leads[-1].end():])):
                continue
            cited = qm.group(1).strip()
            if rx["standard_after"].match(after) or rx["standard_title"].search(cited):
                continue
            cited = rx["docnum_tail"].sub("", _repair_brackets(cited))
            key = cited_plan_key(cited)
            if key in seen or key == own:
                continue
            seen.add(key)
            dn = rx["doc_number"].search(after[:25]) if after.startswith(("（", "(")) else None
            out.append(CitedPlan(title=cited, doc_number=dn.group() if dn else None,
                                 evidence=ctx.evidence(sent.start + qm.start(), sent.start + qm.end())))
        for cited, at in _unquoted_parents(s):
            key = cited_plan_key(cited)
            if key in seen or key == own or any(_same_document(key, k) for k in seen):
                continue
            seen.add(key)
            out.append(CitedPlan(title=cited, evidence=ctx.evidence(sent.start + at, sent.start + at + len(cited))))
    if title and ctx.st.title_span:
        for parent, start, end in _title_parents(title):
            key = cited_plan_key(parent)
            if key in seen or any(_same_document(key, k) for k in seen):
                continue
            seen.add(key)
            at = _title_offsets(ctx.st, title)
            out.append(CitedPlan(title=parent, evidence=ctx.evidence(at[start], at[end - 1] + 1, sentence=title)))
    return out


def _unquoted_parents(s: str) -> list[tuple[str, int]]:
    """Parents a sentence cites without book-title marks, with their offsets in it.

    Right after a lead word (结合, 根据 …) comes a name that opens with a region and ends with a
    plan-like document type, followed by a word referring to its content (…规划提出的目标任务):
    the region and the content word tell a document's title from a generic phrase (结合本地实际).
    """
    rx = _rx()
    blank = _unquoted(s)  # quoted titles are handled by the caller
    out: list[tuple[str, int]] = []
    for lm in rx["lead"].finditer(blank):
        m = rx["unquoted_parent"].match(blank[lm.end():])
        if not m:
            continue
        cited = m.group(1)
        first = region_mentions(cited)
        if first and first[0][1] == 0 and len(first[0][0]) < len(cited):
            out.append((cited, lm.end()))
    return out


def _title_offsets(st: Structure, title: str) -> list[int]:
    """Text offset of each character of the title (a title wrapped over two lines skips the break)."""
    t0, t1 = st.title_span or (0, 0)
    at = [i for i in range(t0, t1) if not st.text[i].isspace()]
    if len(at) != len(title) or any(st.text[i] != c for i, c in zip(at, title, strict=False)):
        at = list(range(t0, t0 + len(title)))
    return at


def _title_parents(title: str) -> list[tuple[str, int, int]]:
    """The documents a title says the plan implements, with their offsets in the title.

    某县贯彻落实某市知识产权强市建设纲要和某市知识产权保护和运用规划实施意见 states two: the part
    after 贯彻落实 is split at 和/及/、 where the part before ends as a document title does.
    """
    rx = _rx()
    m = rx["title_parent"].search(title)
    if not m:
        return []
    part, base = m.group(1), m.start(1)
    pieces: list[tuple[str, int, int]] = []
    start = 0
    for j in rx["joiner"].finditer(part):
        if rx["document_end"].search(part[start:j.start()].strip("《》")):
            pieces.append((part[start:j.start()], base + start, base + j.start()))
            start = j.end()
    pieces.append((part[start:], base + start, base + len(part)))
    out = []
    for text, at, _ in pieces:
        bare = text.strip("《》")  # a title may print the parent in book-title marks
        if bare and rx["document_end"].search(bare):
            out.append((bare, at + text.find(bare), at + text.find(bare) + len(bare)))
    return out


def _same_document(a: str, b: str) -> bool:
    """Two identity keys naming one document in different words (near-equal character bigrams)."""
    x = {a[i:i + 2] for i in range(len(a) - 1)}
    y = {b[i:i + 2] for i in range(len(b) - 1)}
    return bool(x and y) and len(x & y) / len(x | y) >= 0.8
