"""Builders for test input files in other formats: text-based PDF, DOCX, a saved web page."""

from __future__ import annotations

from pathlib import Path


def make_pdf(path: Path, lines: list[str]) -> None:
    """A real text-based PDF whose text pypdf extracts through a ToUnicode CMap.

    Each distinct character gets a one-byte code in a simple font; the CMap maps codes back to
    Unicode, as PDF producers do for subset fonts. Up to 250 distinct characters.
    """
    chars = sorted({c for line in lines for c in line})
    if len(chars) > 250:
        raise ValueError("too many distinct characters for one simple font")
    code = {c: i + 1 for i, c in enumerate(chars)}
    bf = "\n".join(f"<{code[c]:02X}> <{ord(c):04X}>" for c in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <00> <FF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{bf}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    ops = ["BT", "/F1 10 Tf", "12 TL", "40 800 Td"]
    for line in lines:
        hexs = "".join(f"{code[c]:02X}" for c in line)
        ops.append(f"<{hexs}> Tj T*")
    ops.append("ET")
    content = "\n".join(ops)
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content.encode())} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 1 "
        f"/LastChar {len(chars)} /Widths [{' '.join(['500'] * len(chars))}] /ToUnicode 6 0 R >>",
        f"<< /Length {len(cmap.encode())} >>\nstream\n{cmap}\nendstream",
    ]
    write_pdf(path, objs)


def write_pdf(path: Path, objs: list[str] | list[bytes]) -> None:
    """A PDF of these objects (numbered from 1; object 1 the catalog), with its cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + (body.encode() if isinstance(body, str) else body) + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def make_docx(path: Path, lines: list[str]) -> None:
    """A .docx with one paragraph per line; lines holding tabs become table rows."""
    from docx import Document

    doc = Document()
    rows = [ln for ln in lines if "\t" in ln]
    for ln in lines:
        if "\t" not in ln:
            doc.add_paragraph(ln)
    if rows:
        width = max(len(r.split("\t")) for r in rows)
        table = doc.add_table(rows=len(rows), cols=width)
        for i, r in enumerate(rows):
            for j, cell in enumerate(r.split("\t")):
                table.cell(i, j).text = cell
    doc.save(str(path))


def make_html(path: Path, body_lines: list[str], encoding: str = "utf-8") -> None:
    """A saved government web page: navigation, breadcrumbs, the document, related links, footer."""
    nav = "".join(f'<li><a href="/n{i}">栏目{i}</a></li>' for i in range(12))
    links = "".join(f'<li><a href="/r{i}">相关链接标题第{i}条</a></li>' for i in range(10))
    paras = "".join(f"<p>{ln}</p>" for ln in body_lines)
    html = (f'<html><head><meta charset="{encoding}"><title>政府网站</title></head><body>'
            f'<nav><ul>{nav}</ul></nav><div class="crumb">您当前的位置：首页 &gt; 政务公开</div>'
            f'<article><div class="content">{paras}</div></article>'
            f'<aside><h3>相关链接</h3><ul>{links}</ul></aside>'
            '<footer>网站地图 | 联系我们 | 版权所有：某某人民政府办公室 备案号12345</footer></body></html>')
    path.write_bytes(html.encode(encoding))
