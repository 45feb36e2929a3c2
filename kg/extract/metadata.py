"""Plan metadata: title, 文号, issuer, issue date, governed region, period, implemented documents."""

from __future__ import annotations

import re
from datetime import date

from kg.extract.common import Ctx
from kg.model import CitedPlan, Evidence, PlanMeta
from kg.resolve import region_ref, resolve_plan_region
from kg.structure import norm_key
from ontology.iri import slug
from ontology.regions import Region

DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[［(（【]\d{4}[〕\]］)）】]\d{1,4}号")
_DATE_CN = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ZH_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DATE_ZH = re.compile(r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_ISSUER_HEAD = re.compile(r"^(.{2,40}?(?:人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅|委员会|局|厅))关于")
_ISSUER_LINE = re.compile(
    r"^[\u4e00-\u9fff（）()]{4,40}(人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅|委员会|局|厅|院|部)$")
_PERIODS = {"十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025),
            "十五五": (2026, 2030)}
_YEAR_RANGE = re.compile(r"[（(](\d{4})\s*[-—–~至]+\s*(\d{4})年?[）)]")
_CITE_LEAD = re.compile(r"(根据|依据|按照|贯彻落实|为贯彻落实|贯彻|落实|结合)")
_CITE_TAIL = re.compile(r"(制定|编制|特制定|现制定|制订)")
_DOCNUM_TAIL = re.compile(r"[（(][^）)]*?(?:〔|\[|［|发)[^）)]*\d{4}[^）)]*[）)]$")


def _zh_number(s: str) -> int:
    if "十" in s:
        a, _, b = s.partition("十")
        return (_ZH_DIGITS.get(a, 1) if a else 1) * 10 + (_ZH_DIGITS.get(b, 0) if b else 0)
    return int("".join(str(_ZH_DIGITS[c]) for c in s))


def parse_date(text: str) -> tuple[date, int, int] | None:
    """First date in text (2022年10月25日, 2022-07-08, 二〇二二年十月二十五日) with its span."""
    found = []
    for rx in (_DATE_CN, _DATE_ISO):
        m = rx.search(text)
        if m:
            try:
                found.append((date(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.start(), m.end()))
            except ValueError:
                pass
    m = _DATE_ZH.search(text)
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
        return re.sub(r"(\d{4}\s*[—\-–~]+\s*\d{4}年?)）", r"（\1）", title, count=1)
    return title


def extract_metadata(ctx: Ctx) -> PlanMeta:
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
    m = DOC_NUMBER.search(head)
    if m:
        doc_number = m.group()
        ev["doc_number"] = ctx.evidence(m.start(), m.end(), sentence=doc_number)

    # issuer: a signature line (a body's name alone on its line, followed by the date), else the
    # body at the head of the notice's title (X关于印发…的通知)
    issuer = None
    issue: tuple[date, int, int] | None = None
    lines = [ln for ln in st.lines if ln.end <= max(st.body_start, 1) and ln.text.strip()]
    for k, ln in enumerate(lines):
        t = ln.text.strip()
        if _ISSUER_LINE.match(t) and k + 1 < len(lines) and parse_date(lines[k + 1].text.strip()[:16]):
            issuer = t
            ev["issuer"] = ctx.evidence(ln.start, ln.end, sentence=t)
            nxt = lines[k + 1]
            d = parse_date(nxt.text)
            if d:
                issue = (d[0], nxt.start + d[1], nxt.start + d[2])
            break
    if issuer is None:
        for ln in lines:
            hm = _ISSUER_HEAD.match(ln.text.strip())
            if hm:
                issuer = hm.group(1)
                ev["issuer"] = ctx.evidence(ln.start, ln.start + len(issuer), sentence=ln.text.strip())
                break
    if issue is None:
        # web pages print 成文日期 in a metadata block; otherwise any date in the notice
        cm = re.search(r"成文日期[\]］]?\s*", notice)
        source = notice[cm.end():] if cm else notice
        base = cm.end() if cm else 0
        d = parse_date(source)
        if d:
            issue = (d[0], base + d[1], base + d[2])
    issue_date = None
    if issue:
        issue_date = issue[0]
        ev["issue_date"] = ctx.evidence(issue[1], issue[2], sentence=text[issue[1]:issue[2]])

    # governed region: issuer first, then the title, then the body
    region: Region | None = resolve_plan_region([issuer or "", title or ""], text[st.body_start:])

    # period: a year range in the title, a five-year-plan name, else issue year to target year
    period = None
    for src in (title or "", text[st.body_start : st.body_start + 3000]):
        ym = _YEAR_RANGE.search(src)
        if ym and int(ym.group(1)) < int(ym.group(2)):
            period = (int(ym.group(1)), int(ym.group(2)))
            break
        hits = [v for k, v in _PERIODS.items() if k in src]
        if hits and src is title:
            period = hits[0]
            break
    if period is None:
        targets = [int(y) for y in re.findall(r"到(\d{4})年", text[st.body_start:])]
        if targets:
            end = max(set(targets), key=targets.count)
            start = issue_date.year if issue_date and issue_date.year <= end else end - 4
            period = (start, end)
        else:
            body = text[st.body_start:]
            counts = {k: body.count(k) for k in _PERIODS}
            best = max(counts, key=counts.get)  # type: ignore[arg-type]
            if counts[best]:
                period = _PERIODS[best]

    implements = _implements(ctx)
    key_src = title or ((region.name if region else "") + "-" + ctx.file.rsplit(".", 1)[0])
    return PlanMeta(
        key=slug(norm_key(key_src)),
        title=title,
        doc_number=doc_number,
        issuer=issuer,
        issue_date=issue_date,
        region=region_ref(region) if region else None,
        period=period,
        implements=implements,
        evidence=ev,
    )


def _implements(ctx: Ctx) -> list[CitedPlan]:
    """Documents the preamble says the plan implements or is drawn up according to."""
    st = ctx.st
    first_heading = min((n.start for n in st.nodes), default=len(ctx.text))
    out: list[CitedPlan] = []
    seen: set[str] = set()
    for sent in st.sentences:
        if sent.start < st.body_start:
            continue
        if sent.start >= first_heading and out:
            break
        if sent.start >= first_heading + 2000:
            break
        if not (_CITE_LEAD.search(sent.text) and _CITE_TAIL.search(sent.text)):
            continue
        for qm in re.finditer(r"《([^《》]{4,150})》", sent.text):
            title = _repair_brackets(qm.group(1).strip())
            after = sent.text[qm.end() : qm.end() + 30]
            dn = DOC_NUMBER.search(after[:25]) if after.startswith(("（", "(")) else None
            title = _DOCNUM_TAIL.sub("", title)
            key = norm_key(title)
            if key in seen:
                continue
            seen.add(key)
            start = sent.start + qm.start()
            out.append(CitedPlan(title=title, doc_number=dn.group() if dn else None,
                                 evidence=ctx.evidence(start, sent.start + qm.end())))
        if out:
            break
    return out
