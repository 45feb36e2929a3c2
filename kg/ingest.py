"""Reading plan files: format, encoding, and cleaning that remembers where every character came from.

Offsets in evidence refer to the *decoded source text*: the file's characters for ``.txt``,
the text the format library extracted for ``.html``, ``.docx`` and ``.pdf``. Cleaning never
loses that link: :class:`Mapped` carries, for every cleaned character, its source offset.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.model import CONTROL_CHARACTER, SourceInfo
from kg.structure import match_heading
from ontology.lexicon import lexicon

FORMATS = {".txt": "txt", ".text": "txt", ".md": "txt", ".html": "html", ".htm": "html", ".docx": "docx",
           ".pdf": "pdf"}

CJK = "\u3400-\u9fff\uf900-\ufaff"
# Characters on either side of which a space is an artefact (PDF conversion puts spaces between
# CJK characters and around numbers inside Chinese sentences).
_CJK_OR_PUNCT = f"[{CJK}\u3000-\u303f\uff00-\uffef“”‘’《》]"


MAX_MB_ENV = "IPKG_MAX_MB"  # the cap on one input, in MB; `--max-mb` on extract and build is the same setting
DEFAULT_MAX_MB = 50.0  # a plan is well under 1 MB of text; the largest real ones run to a few MB


class IngestError(Exception):
    """A user's file cannot be read as a plan; the message names the reason in one line."""


@dataclass(frozen=True)
class Limits:
    """How much one input may hold, checked before and while it is read: its size on disk, and for a .docx the bytes
    its parts inflate to, for a PDF the bytes its pages' content inflates to and the text extracted from it."""

    max_mb: float = DEFAULT_MAX_MB
    max_pages: int = 5_000  # a plan runs to a few hundred pages
    max_parts: int = 10_000  # zip entries in a .docx (Word writes a few dozen)

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1_000_000)

    @classmethod
    def from_env(cls) -> Limits:
        """The limits ``IPKG_MAX_MB`` sets (the defaults when it is unset)."""
        raw = os.environ.get(MAX_MB_ENV, "").strip()
        if not raw:
            return cls()
        try:
            mb = float(raw)
        except ValueError:
            mb = 0.0
        if not 0 < mb < float("inf"):
            raise ValueError(f"{MAX_MB_ENV}={raw!r}: give the cap on one input as a positive number of MB")
        return cls(max_mb=mb)

    def too_large(self, name: str, what: str, where: str = "") -> IngestError:
        """The refusal of an input that holds more than the cap (``where``: how far reading got)."""
        return IngestError(f"{name}: {what}, more than the {self.max_mb:g} MB cap{where} (raise it with --max-mb or "
                           f"{MAX_MB_ENV})")


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


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _regular(st: os.stat_result, name: str) -> None:
    if not stat.S_ISREG(st.st_mode):
        kind = next((k for test, k in _KINDS if test(st.st_mode)), "not a file")
        raise IngestError(f"{name}: not a regular file ({kind}); only files are read")


def read_bounded(path: Path, limits: Limits, name: str) -> bytes:
    """The bytes of a regular file (or of the regular file a link names), at most the cap; ``name`` starts the
    one-line :class:`IngestError` that refuses anything else.

    Anything but a regular file (a FIFO would block the open, /dev/zero never ends) and anything larger than the cap
    is refused before it is read; the open does not block, and the file is checked again once open, in case it was
    swapped in between.
    """
    max_bytes = limits.max_bytes
    try:
        _regular(path.stat(), name)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            _regular(st, name)
            if st.st_size > max_bytes:
                raise limits.too_large(name, f"{st.st_size / 1e6:,.1f} MB")
            data = f.read(st.st_size + 1)  # a buffer of the file's size, not of the cap
            if len(data) > st.st_size:  # it grows while it is read: read on, up to the cap
                data += f.read(max_bytes + 1 - len(data))
    except OSError as exc:
        raise IngestError(f"{name}: cannot read file ({exc.strerror or exc})") from exc
    if len(data) > max_bytes:
        raise limits.too_large(name, "it grew while it was read")
    return data


def _check_name(name: str) -> None:
    """A file name becomes evidence and, for an untitled plan, part of its key: it must be text on one line."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise IngestError(f"{name}: the file name is not valid UTF-8; rename the file") from None
    if CONTROL_CHARACTER.search(name):
        raise IngestError(f"{name}: the file name holds a control character; rename the file")


def _check_inflated(data: bytes, name: str, limits: Limits) -> None:
    """Inflate every part of a .docx, counting bytes (the sizes a zip declares are not to be trusted); refuse it
    once the count passes the cap, before any XML is parsed."""
    import zipfile
    import zlib

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = zf.infolist()
            if len(parts) > limits.max_parts:
                raise IngestError(f"{name}: {len(parts):,} parts in its container, more than the {limits.max_parts:,} "
                                  "a .docx may hold")
            total = 0
            for info in parts:
                with zf.open(info) as part:
                    while chunk := part.read(1 << 20):
                        total += len(chunk)
                        if total > limits.max_bytes:
                            raise limits.too_large(name, "its parts once decompressed")
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        # RuntimeError: an encrypted entry; NotImplementedError: a compression method zipfile lacks
        raise IngestError(f"{name}: not a readable .docx (corrupt or password-protected)") from exc


def _read_docx(data: bytes, name: str, limits: Limits) -> str:
    import zipfile

    from docx import Document as Docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    if not data.startswith(b"PK"):
        raise IngestError(f"{name}: not a .docx file (no ZIP container; corrupt or password-protected)")
    _check_inflated(data, name, limits)
    try:
        doc = Docx(io.BytesIO(data))  # the bytes just checked, not the file again
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


def _read_pdf(data: bytes, name: str, limits: Limits) -> str:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PdfReadError, PyPdfError

    if not data.startswith(b"%PDF"):
        raise IngestError(f"{name}: not a PDF file")
    cap = limits.max_bytes  # no one stream inflates past the cap (pypdf counts while it decodes)
    bounds = {k: cap for k in ("maximum_declared_stream_length", "array_based_stream_maximum_output_length",
                               "jbig2_maximum_output_length", "lzw_maximum_output_length",
                               "run_length_maximum_output_length", "zlib_maximum_output_length",
                               "brotli_maximum_output_length", "stream_decoding_work_maximum_length")}
    try:
        with apply_configuration(**bounds):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise IngestError(f"{name}: the PDF is encrypted")
            pages = list(reader.pages)
            if len(pages) > limits.max_pages:
                raise IngestError(f"{name}: {len(pages):,} pages, more than the {limits.max_pages:,} a plan may have")
            _check_page_content(pages, name, limits)
            texts, size = [], 0
            for i, page in enumerate(pages, start=1):
                texts.append(page.extract_text() or "")
                size += len(texts[-1].encode())
                if size > cap:  # a font's Unicode map can make text longer than the content it came from
                    raise limits.too_large(name, f"{size / 1e6:,.1f} MB of text", f" by page {i} of {len(pages)}")
    except LimitReachedError as exc:
        raise limits.too_large(name, "a stream once decompressed") from exc
    except (PyPdfError, PdfReadError, ValueError, OSError, RecursionError) as exc:
        raise IngestError(f"{name}: not a readable PDF ({exc.__class__.__name__})") from exc
    return "\n".join(texts)


def _check_page_content(pages: list, name: str, limits: Limits) -> None:
    """Inflate the pages' content (quick) before any text is extracted from it (slow: about 1.5 MB a second), and
    refuse the PDF once the total passes the cap."""
    total = 0
    for i, page in enumerate(pages, start=1):
        contents = page.get_contents()
        total += len(contents.get_data()) if contents is not None else 0
        if total > limits.max_bytes:
            raise limits.too_large(name, "its page content once decompressed", f" by page {i} of {len(pages)}")


def read_source(path: Path, limits: Limits | None = None) -> tuple[str, SourceInfo, list[str]]:
    """Read a file into its decoded source text, within ``limits`` (default: :meth:`Limits.from_env`).
    Raises :class:`IngestError` with a one-line reason."""
    name = path.name
    _check_name(name)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise IngestError(f"{name}: unsupported file type {path.suffix or '(none)'}; expected one of "
                          + ", ".join(sorted(FORMATS)))
    limits = limits or Limits.from_env()
    data = read_bounded(path, limits, name)
    if not data.strip():
        raise IngestError(f"{name}: empty file")
    warnings: list[str] = []
    encoding: str | None = None
    if fmt == "txt":
        text, encoding, warnings = decode_bytes(data, name)
    elif fmt == "html":
        text, encoding, warnings = _read_html(data, name)
    elif fmt == "docx":
        text = _read_docx(data, name, limits)
    else:
        text = _read_pdf(data, name, limits)
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
    cleaning = lexicon().cleaning
    title_end = re.compile("(" + "|".join(map(re.escape, ends)) + ")$|" + cleaning["date_line_end"])
    date_start = re.compile(cleaning["date_line_start"])
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
            and not date_start.match(nxt)
            and not field_line.match(prev) and not field_line.match(nxt)
        )
        if ok and blank_gap:
            ok = len(prev) >= 25 and not re.search(r"\d", nxt[:1])
        if ok:
            deletions.append((starts[i] + len(prev), starts[j]))
        i = j
    return m.delete(deletions)


# control characters other than tab and line breaks (a PDF's form feeds, stray bytes): spaces, one for one, so no
# name or key read from the text holds one
_CONTROLS_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(raw: str) -> Mapped:
    """Clean decoded text; the result maps every character back to ``raw``."""
    m = Mapped.identity(raw)
    m = m.sub(re.compile(r"\r\n?"), "\n")
    m = m.sub(_CONTROLS_IN_TEXT, " ")
    m = _normalise_punctuation(m)
    m = _drop_boilerplate(m)
    m = m.sub(_SPACES_AT_EDGES, "")
    m = m.sub(_SPACES_IN_CJK, "")
    m = _join_broken_lines(m)
    return m


def read_document(path: Path, limits: Limits | None = None) -> Document:
    """Read, decode and clean one plan file, within ``limits`` (default: :meth:`Limits.from_env`)."""
    raw, info, warnings = read_source(path, limits)
    return Document(source=info, raw=raw, clean=clean_text(raw), warnings=warnings)
