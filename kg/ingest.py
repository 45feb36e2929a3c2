"""Reading plan files: format, encoding, and cleaning that remembers where every character came from.

Offsets in evidence refer to the *decoded source text*: the file's characters for ``.txt``,
the text the format library extracted for ``.html``, ``.docx`` and ``.pdf``. Cleaning never
loses that link: :class:`Mapped` carries, for every cleaned character, its source offset.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.model import SourceInfo
from kg.structure import match_heading
from ontology.lexicon import lexicon

FORMATS = {".txt": "txt", ".text": "txt", ".md": "txt", ".html": "html", ".htm": "html", ".docx": "docx",
           ".pdf": "pdf"}

CJK = "\u3400-\u9fff\uf900-\ufaff"
# Characters on either side of which a space is an artefact (PDF conversion puts spaces between
# CJK characters and around numbers inside Chinese sentences).
_CJK_OR_PUNCT = f"[{CJK}\u3000-\u303f\uff00-\uffef“”‘’《》]"


class IngestError(Exception):
    """A user's file cannot be read as a plan; the message names the reason in one line."""


@dataclass
class Mapped:
    """Text plus, for each character, the offset of the source character it came from."""

    text: str
    offsets: list[int]  # len(text) + 1 entries; the last is the end offset

    @classmethod
    def identity(cls, text: str) -> Mapped:
        return cls(text, list(range(len(text) + 1)))

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source offsets of the cleaned span [start, end)."""
        if end <= start:
            s = self.offsets[start]
            return s, s
        return self.offsets[start], self.offsets[end - 1] + 1

    def sub(self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> Mapped:
        """Regex substitution; replacement characters map to the start of what they replace."""
        parts: list[str] = []
        offs: list[int] = []
        pos = 0
        for m in pattern.finditer(self.text):
            parts.append(self.text[pos : m.start()])
            offs.extend(self.offsets[pos : m.start()])
            r = repl if isinstance(repl, str) else repl(m)
            if len(r) == m.end() - m.start():
                offs.extend(self.offsets[m.start() : m.end()])  # same length: keep 1:1 offsets
            else:
                offs.extend([self.offsets[m.start()]] * len(r))
            parts.append(r)
            pos = m.end()
        if not parts:
            return self
        parts.append(self.text[pos:])
        offs.extend(self.offsets[pos:])
        return Mapped("".join(parts), offs)

    def delete(self, spans: list[tuple[int, int]]) -> Mapped:
        """Remove the given (sorted, disjoint) spans."""
        if not spans:
            return self
        parts, offs, pos = [], [], 0
        for s, e in spans:
            parts.append(self.text[pos:s])
            offs.extend(self.offsets[pos:s])
            pos = e
        parts.append(self.text[pos:])
        offs.extend(self.offsets[pos:])
        return Mapped("".join(parts), offs)


@dataclass
class Document:
    """A read and cleaned plan document."""

    source: SourceInfo
    raw: str  # decoded source text: evidence offsets refer to it
    clean: Mapped
    warnings: list[str]


# ---------------------------------------------------------------- decoding


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return ctrl > len(sample) * 0.05


def decode_bytes(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """Decode text bytes: BOMs, UTF-8, then detection (GB18030/GBK, …). Returns text, encoding, warnings."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc, []
            except UnicodeDecodeError as exc:
                raise IngestError(f"{name}: has a {enc} byte-order mark but is not valid {enc}") from exc
    if _looks_binary(data):
        raise IngestError(f"{name}: binary data, not a text document")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "gbk", "big5", "utf_8", "utf_16"]).best()
    if best is not None and best.encoding:
        enc = "gb18030" if best.encoding in {"gbk", "gb2312"} else best.encoding
        try:
            return data.decode(enc), enc, []
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("gb18030"), "gb18030", []
    except UnicodeDecodeError:
        pass
    # Mixed encodings: mostly UTF-8 with some invalid bytes. Keep the text, say what was lost.
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(16, len(text) // 100):
        return text, "utf-8", [f"{name}: {bad} undecodable byte sequence(s) replaced with U+FFFD"]
    raise IngestError(f"{name}: cannot determine the text encoding")


def _read_html(data: bytes, name: str) -> tuple[str, str, list[str]]:
    html, enc, warnings = decode_bytes(data, name)
    import trafilatura

    text = trafilatura.extract(html, include_tables=True, include_comments=False, favor_recall=True,
                               output_format="txt")
    if not text or not text.strip():
        raise IngestError(f"{name}: no document text found in the page")
    return text, enc, warnings


def _read_docx(path: Path, name: str) -> str:
    import zipfile

    from docx import Document as Docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    try:
        doc = Docx(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise IngestError(f"{name}: not a readable .docx (corrupt or password-protected)") from exc
    lines: list[str] = []
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, doc).text)
        elif tag == "tbl":
            for row in DocxTable(child, doc).rows:
                lines.append("\t".join(c.text.replace("\n", " ") for c in row.cells))
    return "\n".join(lines)


def _read_pdf(path: Path, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise IngestError(f"{name}: the PDF is encrypted")
        pages = [p.extract_text() or "" for p in reader.pages]
    except (PdfReadError, ValueError, OSError) as exc:
        raise IngestError(f"{name}: not a readable PDF ({exc.__class__.__name__})") from exc
    return "\n".join(pages)


def read_source(path: Path) -> tuple[str, SourceInfo, list[str]]:
    """Read a file into its decoded source text. Raises :class:`IngestError` with a one-line reason."""
    name = path.name
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise IngestError(f"{name}: unsupported file type {path.suffix or '(none)'}; expected one of "
                          + ", ".join(sorted(FORMATS)))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{name}: cannot read file ({exc.strerror})") from exc
    if not data.strip():
        raise IngestError(f"{name}: empty file")
    warnings: list[str] = []
    encoding: str | None = None
    if fmt == "txt":
        text, encoding, warnings = decode_bytes(data, name)
    elif fmt == "html":
        text, encoding, warnings = _read_html(data, name)
    elif fmt == "docx":
        if not data.startswith(b"PK"):
            raise IngestError(f"{name}: not a .docx file (no ZIP container; corrupt or password-protected)")
        text = _read_docx(path, name)
    else:
        if not data.startswith(b"%PDF"):
            raise IngestError(f"{name}: not a PDF file")
        text = _read_pdf(path, name)
    if not text.strip():
        raise IngestError(f"{name}: no text (empty, or only whitespace)")
    info = SourceInfo(file=name, sha256=hashlib.sha256(data).hexdigest(), format=fmt, encoding=encoding,
                      chars=len(text))
    return text, info, warnings


# ---------------------------------------------------------------- cleaning

_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}
_FULLWIDTH_ALNUM = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff05\uff0e]")
_HALF_PUNCT = re.compile(rf"(?<=[{CJK}\d）》”])[,:;!?]|[,:;!?](?=[{CJK}（《“])|[()]")
_SPACES_IN_CJK = re.compile(rf"(?<={_CJK_OR_PUNCT})[ \u3000\u00a0]+|[ \u3000\u00a0]+(?={_CJK_OR_PUNCT})")
_SPACES_AT_EDGES = re.compile(r"^[ \u3000\u00a0]+|[ \u3000\u00a0]+$", re.MULTILINE)
_SENTENCE_END = re.compile(r"[。！？；：:!?;…）)”』」》】]$")


def _normalise_punctuation(m: Mapped) -> Mapped:
    """Full-width digits/letters to ASCII; half-width Chinese punctuation to full-width (1:1)."""
    m = m.sub(_FULLWIDTH_ALNUM, lambda x: chr(ord(x.group()) - 0xFEE0))
    return m.sub(_HALF_PUNCT, lambda x: _HALF_TO_FULL[x.group()])


def _drop_boilerplate(m: Mapped) -> Mapped:
    lex = lexicon().cleaning
    for pat in lex["residue"]:
        m = m.sub(re.compile(pat, re.MULTILINE), "")
    header = re.compile("|".join(f"(?:{p})" for p in lex["header_lines"]))
    footer = re.compile("|".join(f"(?:{p})" for p in lex["footer_lines"]))
    spans: list[tuple[int, int]] = []
    pos = 0
    half = len(m.text) // 2
    for line in m.text.split("\n"):
        end = pos + len(line)
        stripped = line.strip()
        if pos >= half and footer.search(stripped):
            spans.append((pos, len(m.text)))
            break
        if header.search(stripped):
            spans.append((pos, min(end + 1, len(m.text))))
        pos = end + 1
    return m.delete(spans)


def _join_broken_lines(m: Mapped) -> Mapped:
    """Join words and sentences broken across lines (智能制\\n造) or across page breaks.

    A single line break is joined when the line before ends mid-sentence (no closing punctuation)
    and neither line is a heading or a table row. A break with blank lines between (a PDF page
    break) is joined only when the line before is long prose, so short table cells and titles
    laid out one per line stay apart.
    """
    text = m.text
    lines = text.split("\n")
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    toc = re.compile(lexicon().cleaning["toc_line"])
    # a line ending like a plan title ("…实施意见") stands alone: the body starts after it
    ends = [*lexicon().outline["plan_title_suffixes"], *lexicon().outline["notice_suffixes"]]
    title_end = re.compile("(" + "|".join(map(re.escape, ends)) + r")$|\d{4}年\d{1,2}月\d{1,2}日$")
    # a field-label line (牵头单位：A / 配合单位：B) is a list of its own, never joined
    field_line = re.compile(r"^\s*(" + "|".join(map(re.escape, lexicon().departments["responsibility"]["markers"]))
                            + r")\s*[：:]")
    # a table laid out one cell per line opens with a run of header cells (序号 / 重点任务 / 牵头部门 …);
    # its cells are never joined, up to the next blank line or heading
    cells = set(lexicon().outline["table_header_cells"])
    in_table = [False] * len(lines)
    k = 0
    while k < len(lines):
        run = k
        while run < len(lines) and lines[run].strip() in cells:
            run += 1
        if run - k >= 3:
            while run < len(lines) and lines[run].strip() and not match_heading(lines[run].strip()):
                run += 1
            for t in range(k, run):
                in_table[t] = True
            k = run
        else:
            k += 1
    deletions: list[tuple[int, int]] = []
    i = 0
    while i < len(lines) - 1:
        prev = lines[i]
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j >= len(lines):
            break
        nxt = lines[j]
        blank_gap = j > i + 1
        ok = (
            not in_table[i]
            and prev.strip()
            and "\t" not in prev and "\t" not in nxt
            and re.search(f"[{CJK}A-Za-z0-9]$" if not blank_gap else f"[{CJK}]$", prev)
            and not _SENTENCE_END.search(prev)
            and re.match(f"[{CJK}]", nxt)
            and not (match_heading(prev) and "。" not in prev) and not match_heading(nxt)
            and not title_end.search(prev)
            and not toc.search(prev) and not toc.search(nxt)
            and not re.match(r"\d{4}年\d{1,2}月", nxt)
            and not field_line.match(prev) and not field_line.match(nxt)
        )
        if ok and blank_gap:
            ok = len(prev) >= 25 and not re.search(r"\d", nxt[:1])
        if ok:
            deletions.append((starts[i] + len(prev), starts[j]))
        i = j
    return m.delete(deletions)


def clean_text(raw: str) -> Mapped:
    """Clean decoded text; the result maps every character back to ``raw``."""
    m = Mapped.identity(raw)
    m = m.sub(re.compile(r"\r\n?"), "\n")
    m = _normalise_punctuation(m)
    m = _drop_boilerplate(m)
    m = m.sub(_SPACES_AT_EDGES, "")
    m = m.sub(_SPACES_IN_CJK, "")
    m = _join_broken_lines(m)
    return m


def read_document(path: Path) -> Document:
    """Read, decode and clean one plan file."""
    raw, info, warnings = read_source(path)
    return Document(source=info, raw=raw, clean=clean_text(raw), warnings=warnings)
