"""Document structure: notice vs. plan body, the outline, tables, paragraphs and sentences.

Works on cleaned text; every node, cell, paragraph and sentence keeps its span in it (and so,
through :class:`kg.ingest.Mapped`, in the source file).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

from ontology.lexicon import alternation, lexicon

_QUOTED = re.compile(r"《([^《》]{4,120})》")
_INT = re.compile(r"^\d{1,3}$")


class StructureError(ValueError):
    """Raised for input the outline parser cannot work on (the declared error type)."""


@dataclass
class Line:
    idx: int
    text: str
    start: int
    end: int


@dataclass
class Node:
    kind: str
    label: str
    title: str
    rank: int
    start: int
    end: int
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    id: str = ""

    def path(self) -> list[str]:
        """Outline path, outermost first: '第三章 …' > '第二节 …' > run-in title."""
        out: list[str] = []
        n: Node | None = self
        while n is not None:
            out.append(n.title if n.kind == "runin" or not n.label else f"{n.label} {n.title}".strip())
            n = n.parent
        return out[::-1]


@dataclass
class Cell:
    text: str
    start: int
    end: int


@dataclass
class TableT:
    layout: str  # tabs | cell-per-line
    header: list[Cell]
    rows: list[list[Cell]]
    start: int
    end: int
    node: Node | None


@dataclass
class Sentence:
    text: str
    start: int
    end: int
    node: Node | None
    para: int  # index of the paragraph it belongs to


@dataclass
class Paragraph:
    text: str
    start: int
    end: int
    node: Node | None


@dataclass
class Structure:
    text: str
    lines: list[Line]
    title: str | None
    title_span: tuple[int, int] | None
    body_start: int
    nodes: list[Node]
    tables: list[TableT]
    paragraphs: list[Paragraph]
    sentences: list[Sentence]
    _starts: list[int] | None = field(default=None, repr=False, compare=False)

    def notice(self) -> str:
        return self.text[: self.body_start]

    def node_at(self, pos: int) -> Node | None:
        """Deepest outline node whose span holds ``pos``.

        Nodes are in text order and nest: the last one starting at or before ``pos`` holds it, or
        one of its ancestors does (found by bisection and a walk up, not by a scan).
        """
        if self._starts is None:
            self._starts = [n.start for n in self.nodes]
        i = bisect_right(self._starts, pos) - 1
        n = self.nodes[i] if i >= 0 else None
        while n is not None and not (n.start <= pos < n.end):
            n = n.parent
        return n


def norm_key(text: str) -> str:
    """Comparison form of a title: NFKC, no spaces, no quotes or book-title marks."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s“”‘’\"'《》「」]", "", text)


def split_lines(text: str) -> list[Line]:
    out, pos = [], 0
    for i, t in enumerate(text.split("\n")):
        out.append(Line(i, t, pos, pos + len(t)))
        pos += len(t) + 1
    return out


def match_heading(text: str) -> tuple[str, str, str, int] | None:
    for h in lexicon().headings:
        m = h.regex.match(text)
        if m:
            return h.kind, m.group(1), m.group(2), h.rank
    return None


def _find_title(lines: list[Line]) -> tuple[int | None, str | None]:
    """The plan's own title: the document the covering notice quotes, else a title-like line.

    Returns the index of the title's last line and the title. A title may wrap over two lines
    (某县贯彻落实某省…知识产权 / 保护和运用规划实施意见): the second line is short, has no clause
    punctuation, and completes a plan title.
    """
    lex = lexicon().outline
    words = lexicon().metadata["title"]
    suffixes = tuple(lex["plan_title_suffixes"])
    ending = re.compile("(" + alternation(suffixes) + ")" + words["title_years"])
    toc = re.compile(lexicon().cleaning["toc_line"])
    not_title = re.compile(words["not_title"])
    limit = max(12, len(lines) // 3)
    filled = [ln for ln in lines[: limit + 20] if ln.text.strip()]
    notice_inner = re.compile(words["notice_inner"])
    quoted: list[tuple[int, str]] = []
    for ln in lines[:limit]:
        if any(w in ln.text for w in words["notice_quote_markers"]):
            quoted += [(ln.idx, q) for q in _QUOTED.findall(ln.text)]
            quoted += [(ln.idx, q) for q in notice_inner.findall(ln.text) if "《" not in q]
    for at, q in quoted:
        key = norm_key(q)
        for k, ln in enumerate(filled):
            if ln.idx <= at:
                continue
            if norm_key(ln.text) == key:
                return ln.idx, ln.text.strip()
            if k + 1 < len(filled) and norm_key(ln.text + filled[k + 1].text) == key:
                return filled[k + 1].idx, ln.text.strip() + filled[k + 1].text.strip()

    years = re.compile(words["title_years"])
    doc_number = re.compile(words["doc_number_lead"])

    def continues(t: str) -> bool:
        if years.fullmatch(t):
            return bool(t)  # the title's years on a line of their own: （2021—2025年）
        return (len(t) <= words["max_wrapped_chars"] and not not_title.search(t) and not match_heading(t)
                and not toc.search(t))

    for k, ln in enumerate(filled):
        if ln.idx >= limit:
            break
        t = doc_number.sub("", ln.text.strip())
        if toc.search(t) or match_heading(t) or not_title.search(t):
            continue
        nxt = filled[k + 1].text.strip() if k + 1 < len(filled) else ""
        if nxt and len(t) <= 60 and continues(nxt) and ending.search(t + nxt):
            return filled[k + 1].idx, t + nxt
        if ending.search(t) and len(t) <= 80:
            return ln.idx, t
    return None, None


def _title_span(lines: list[Line], idx: int, title: str) -> tuple[int, int]:
    """Span of a title whose last line is ``idx``: within that line, or from the line before it."""
    tl = lines[idx]
    off = tl.text.find(title)
    if off >= 0:
        return tl.start + off, tl.start + off + len(title)
    prev = next((ln for ln in reversed(lines[:idx]) if ln.text.strip()), tl)
    return prev.start + prev.text.find(prev.text.strip()[:1]), tl.end


def _split_cells(line: Line) -> list[Cell]:
    cells, pos = [], line.start
    for part in line.text.split("\t"):
        stripped = part.strip()
        off = part.find(stripped) if stripped else 0
        cells.append(Cell(stripped, pos + off, pos + off + len(stripped)))
        pos += len(part) + 1
    return cells


def _is_header_cell(text: str) -> bool:
    t = re.sub(r"\s", "", text)
    outline = lexicon().outline
    return t in outline["table_header_cells"] or bool(re.fullmatch(outline["table_header_year"], t))


def _tab_table(lines: list[Line], i: int, toc: re.Pattern[str], node: Node | None) -> tuple[TableT, int]:
    """A run of tab-separated rows from line ``i`` (blank lines may stand between rows); the next line index."""
    n_lines = len(lines)
    rows: list[list[Cell]] = []
    j = i
    while j < n_lines and ("\t" in lines[j].text or not lines[j].text.strip()):
        if lines[j].text.strip() and not toc.search(lines[j].text):
            rows.append(_split_cells(lines[j]))
        j += 1
    while j > i and not lines[j - 1].text.strip():
        j -= 1
    header: list[Cell] = []
    if rows and any(_is_header_cell(c.text) for c in rows[0]):
        header = rows.pop(0)
    return TableT("tabs", header, rows, lines[i].start, lines[j - 1].end, node), j


def _cell_table(lines: list[Line], i: int, node: Node | None) -> tuple[TableT, int] | None:
    """A table laid out one cell per line, opened at line ``i`` by a run of header cells; None if it is none."""
    n_lines = len(lines)
    hdr: list[Line] = []
    j = i
    while j < n_lines and (not lines[j].text.strip() or _is_header_cell(lines[j].text)):
        if lines[j].text.strip():
            hdr.append(lines[j])
        j += 1
    # columns whose header printing is damaged (e.g. "202年") still count when they sit
    # between header cells and before the first row number
    while j < n_lines and (not lines[j].text.strip() or
                           (len(lines[j].text.strip()) <= 8 and not _INT.match(lines[j].text.strip()))):
        if lines[j].text.strip():
            hdr.append(lines[j])
        j += 1
    if len(hdr) < 3 or j >= n_lines or lines[j].text.strip() != "1":
        return None
    ncol = len(hdr)
    cells_seq: list[Line] = []
    for k in range(j, n_lines):
        s = lines[k].text.strip()
        if s:
            if len(s) > 300 or "\t" in s:  # a measure cell may be a long sentence
                break
            cells_seq.append(lines[k])
    body_rows: list[list[Cell]] = []
    for r in range(len(cells_seq) // ncol):
        group = cells_seq[r * ncol : (r + 1) * ncol]
        if group[0].text.strip() != str(r + 1):
            break
        body_rows.append([Cell(g.text.strip(), g.start, g.end) for g in group])
    if not body_rows:
        return None
    last = cells_seq[len(body_rows) * ncol - 1]
    header = [Cell(h.text.strip(), h.start, h.end) for h in hdr]
    return TableT("cell-per-line", header, body_rows, lines[i].start, last.end, node), last.idx + 1


class _OutlineBuilder:
    """Opens outline nodes as headings come, keeping the stack of the nodes still open."""

    def __init__(self, text_len: int) -> None:
        self.text_len = text_len
        self.nodes: list[Node] = []
        self.stack: list[Node] = []
        self.paras: list[Paragraph] = []
        lex = lexicon().outline
        self.runin = lex["runin"]
        self.forbidden = re.compile(self.runin["forbidden"])

    def current(self) -> Node | None:
        return self.stack[-1] if self.stack else None

    def open(self, kind: str, label: str, title_text: str, rank: int, start: int) -> Node:
        while self.stack and self.stack[-1].rank >= rank:
            self.stack.pop()
        node = Node(kind, label, title_text, rank, start, self.text_len, parent=self.current())
        if node.parent:
            node.parent.children.append(node)
        self.nodes.append(node)
        self.stack.append(node)
        return node

    def heading(self, ln: Line, h: tuple[str, str, str, int]) -> None:
        """A heading line; text after its first 。 is a paragraph of the new node."""
        kind, label, rest, rank = h
        m = re.search("。", rest)
        title_text = (rest[: m.start()] if m else rest).strip().rstrip("。；;：:")
        node = self.open(kind, label.strip(), title_text or label.strip(), rank, ln.start)
        if m and rest[m.end():].strip():
            body = rest[m.end():]
            self.paras.append(Paragraph(body, ln.end - len(body), ln.end, node))

    def paragraph(self, ln: Line) -> None:
        """A paragraph; a short first sentence makes it a run-in heading (a task of its own)."""
        t = ln.text
        m = re.search("。", t)
        node_here = self.current()
        if m and t[m.end():].strip():
            first = t[: m.start()]
            if (self.runin["min_title_chars"] <= len(first) <= self.runin["max_title_chars"]
                    and not self.forbidden.search(first) and not re.search(r"\d", first)):
                node_here = self.open("runin", "", first, int(self.runin["rank"]), ln.start)
        self.paras.append(Paragraph(t, ln.start, ln.end, node_here))


def _close_and_number(nodes: list[Node]) -> None:
    """A node ends where the next node of the same or an outer rank begins; ids are outline positions."""
    for a, node in enumerate(nodes):
        for nxt in nodes[a + 1 :]:
            if nxt.rank <= node.rank:
                node.end = nxt.start
                break
    counters: dict[int | None, int] = {}
    for node in nodes:
        key = id(node.parent) if node.parent else None
        counters[key] = counters.get(key, 0) + 1
        node.id = (node.parent.id + "." if node.parent else "") + str(counters[key])


def _sentences(paras: list[Paragraph]) -> list[Sentence]:
    sentence_end = re.compile(lexicon().outline["sentence_end"])
    sentences: list[Sentence] = []
    for pi, p in enumerate(paras):
        pos = 0
        for sm in sentence_end.finditer(p.text):
            seg = p.text[pos : sm.end()]
            if seg.strip():
                sentences.append(Sentence(seg, p.start + pos, p.start + sm.end(), p.node, pi))
            pos = sm.end()
        if p.text[pos:].strip():
            sentences.append(Sentence(p.text[pos:], p.start + pos, p.end, p.node, pi))
    return sentences


def parse(text: str) -> Structure:
    """Parse cleaned plan text into its structure."""
    if not isinstance(text, str):
        raise StructureError("text must be a string")
    toc = re.compile(lexicon().cleaning["toc_line"])
    lines = split_lines(text)
    title_idx, title = _find_title(lines)
    body_line = title_idx + 1 if title_idx is not None else 0
    body_start = lines[body_line].start if body_line < len(lines) else len(text)
    out = _OutlineBuilder(len(text))
    tables: list[TableT] = []
    i = body_line
    while i < len(lines):
        ln = lines[i]
        if not ln.text.strip() or toc.search(ln.text):
            i += 1
            continue
        found = (_tab_table(lines, i, toc, out.current()) if "\t" in ln.text
                 else _cell_table(lines, i, out.current()) if _is_header_cell(ln.text) else None)
        if found is not None:
            tables.append(found[0])
            i = found[1]
            continue
        h = match_heading(ln.text.strip())
        if h is not None:
            out.heading(ln, h)
        else:
            out.paragraph(ln)
        i += 1
    _close_and_number(out.nodes)
    title_span = _title_span(lines, title_idx, title) if title_idx is not None and title else None
    return Structure(text, lines, title, title_span, body_start, out.nodes, tables, out.paras, _sentences(out.paras))
