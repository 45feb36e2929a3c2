"""The broken and hostile input corpus: what a crawler leaves in a folder, each with what ipkg must do.

``write_corpus(folder)`` writes the cases (binary ones are generated here rather than committed;
the hand-written plans are in tests/data/hostile/) and returns what is expected of each file:
``plan`` (extracted and written), ``warning`` (extracted, with a warning line naming the file)
or ``error`` (one line naming the file and the reason; the batch goes on and exits non-zero).
"""

from __future__ import annotations

import os
import shutil
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from kg.pipeline import SAMPLE_CORPUS
from tests.makefiles import write_pdf

HAND_WRITTEN = Path(__file__).resolve().parent / "data" / "hostile"


@dataclass(frozen=True)
class Case:
    expect: str  # plan | warning | error
    reason: str = ""  # what the error or warning line must say


def seeds_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLE_CORPUS.glob("*.txt")))


def seed(prefix: str) -> str:
    return next(SAMPLE_CORPUS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def write_corpus(folder: Path, big_mb: float = 50.0) -> dict[str, Case]:
    """Write every case into ``folder``; ``big_mb`` sizes the concatenated-seeds plan (0 leaves it out)."""
    folder.mkdir(parents=True, exist_ok=True)
    plan = seed("004")
    cases: dict[str, tuple[bytes, Case]] = {
        "empty.txt": (b"", Case("error", "empty file")),
        "whitespace.txt": (" \n\t\r\n\u3000 ".encode(), Case("error", "no text")),
        "binary.txt": (bytes(range(256)) * 64, Case("error", "binary data")),
        "image.pdf": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(512), Case("error", "not a PDF")),
        "corrupt.docx": (b"PK\x03\x04\x14\x00" + bytes(300), Case("error", "not a readable .docx")),
        # a password-protected Word file is an OLE compound file, not a zip
        "locked.docx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), Case("error", "not a .docx")),
        "gb18030.txt": (plan.encode("gb18030"), Case("plan")),
        "utf16.txt": (b"\xff\xfe" + plan.encode("utf-16-le"), Case("plan")),
        "mixed.txt": (plan.encode()[:4000] + b"\xff\xfe\xfa\xc3" + plan.encode()[4000:],
                      Case("warning", "undecodable")),
        # one line of about 1 MB: the seeds with their line breaks removed
        "oneline.txt": ((seeds_text().replace("\n", "") * 3)[: 350_000].encode(), Case("plan")),
    }
    for name, (data, _) in cases.items():
        (folder / name).write_bytes(data)
    expected = {name: case for name, (_, case) in cases.items()}
    for f in HAND_WRITTEN.iterdir():
        shutil.copy(f, folder / f.name)
    expected["news.txt"] = Case("error", "not a plan")
    expected["ragged.txt"] = Case("plan")
    expected["cutoff.txt"] = Case("plan")
    expected.update(write_special_files(folder))
    if big_mb:
        data = seeds_text().encode()
        size = int(big_mb * 1e6)  # up to the cap on one input (50 MB by default), not past it
        with (folder / "big.txt").open("wb") as out:
            for _ in range(size // len(data)):
                out.write(data)
            out.write(data[: size % len(data)].decode(errors="ignore").encode())
        expected["big.txt"] = Case("plan")
    return expected


def write_special_files(folder: Path) -> dict[str, Case]:
    """What is not a plain file, or hides its size: a FIFO, a link to /dev/zero, a link to a plan, bombs, and a
    name that is rich markup. Each is refused with one line (or, the link and the markup name, extracted)."""
    os.mkfifo(folder / "fifo.txt")  # reading it would wait forever for a writer
    (folder / "zero.txt").symlink_to("/dev/zero")  # reading it never ends
    # a link to a regular file is read (its target has no plan suffix, so it is not read twice)
    (folder / "link-target").mkdir()
    (folder / "link-target" / "plan.orig").write_text(seed("001"), encoding="utf-8")
    (folder / "plan-link.txt").symlink_to(folder / "link-target" / "plan.orig")
    docx_bomb(folder / "bomb.docx", xml_mb=60)
    pdf_bomb(folder / "bomb.pdf", pages=8, mb_per_page=10)
    (folder / "[red]x.txt").write_text(seed("003"), encoding="utf-8")
    return {"fifo.txt": Case("error", "not a regular file"), "zero.txt": Case("error", "not a regular file"),
            "plan-link.txt": Case("plan"), "bomb.docx": Case("error", "decompressed"),
            "bomb.pdf": Case("error", "decompressed"), "[red]x.txt": Case("plan")}


def docx_bomb(path: Path, xml_mb: float) -> None:
    """A small .docx whose document.xml inflates to ``xml_mb`` MB of paragraphs (deflate packs it about 1000:1)."""
    from tests.makefiles import make_docx

    plain = path.with_name(path.name + ".plain")
    make_docx(plain, ["知识产权"])
    para = "<w:p><w:r><w:t>知识产权保护和运用</w:t></w:r></w:p>".encode()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != "word/document.xml":
                dst.writestr(info, data)
                continue
            head, tail = data.split(b"<w:body>", 1)
            with dst.open("word/document.xml", "w", force_zip64=True) as part:
                part.write(head + b"<w:body>")
                block = para * 10_000
                for _ in range(int(xml_mb * 1e6 / len(block)) + 1):
                    part.write(block)
                part.write(tail)
    plain.unlink()


def pdf_bomb(path: Path, pages: int, mb_per_page: float) -> None:
    """A small PDF of ``pages`` pages sharing one Flate stream that inflates to ``mb_per_page`` MB of text."""
    content = b"BT /F1 10 Tf 40 800 Td (" + b"A" * int(mb_per_page * 1e6) + b") Tj ET"
    stream = zlib.compress(content, 9)
    kids = " ".join(f"{5 + i} 0 R" for i in range(pages))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode() + stream + b"\nendstream"]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
             b"/Resources << /Font << /F1 3 0 R >> >> >>"] * pages
    write_pdf(path, objs)


def deep_json(path: Path, depth: int) -> None:
    """JSON nested ``depth`` arrays deep (a parser that recurses runs out of stack)."""
    path.write_text("[" * depth + "]" * depth, encoding="utf-8")


def hostile_requests(url: str) -> dict[str, Callable[[httpx.Client], httpx.Response]]:
    """Malformed and oversized requests for `ipkg serve` at ``url``: each must get a 4xx/5xx quickly."""
    sparql = f"{url}/sparql"
    direct = {"Content-Type": "application/sparql-query"}
    return {
        "10 MB query body": lambda h: h.post(sparql, content=b"SELECT * { ?s ?p ?o } #" + b"x" * 10_000_000,
                                             headers=direct),
        "10,000 nested braces": lambda h: h.post(sparql, data={
            "query": "SELECT * WHERE " + "{" * 10_000 + " ?s ?p ?o " + "}" * 10_000}),
        "10 million rows": lambda h: h.get(sparql, params={
            "query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 10000000"}),
        "expensive join": lambda h: h.get(sparql, params={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"}),
        "syntax error": lambda h: h.get(sparql, params={"query": "SELECT ?s WHERE { ?s ?p"}),
        "update as query": lambda h: h.get(sparql, params={"query": "DELETE WHERE { ?s ?p ?o }"}),
        "update form": lambda h: h.post(sparql, data={"update": "DROP ALL"}),
        "update body": lambda h: h.post(sparql, content=b"CLEAR DEFAULT",
                                        headers={"Content-Type": "application/sparql-update"}),
        "not UTF-8": lambda h: h.post(sparql, content=b"SELECT \xff\xfe", headers=direct),
        "wrong content type": lambda h: h.post(sparql, content=b"x", headers={"Content-Type": "image/png"}),
        "two queries": lambda h: h.get(f"{sparql}?query=ASK%7B%7D&query=ASK%7B%7D"),
        "unknown entity": lambda h: h.get(f"{url}/id/department/000000/不存在"),
    }


@contextmanager
def catalogue_traffic(url: str, clients: int = 4) -> Iterator[list[int]]:
    """Well-formed requests alongside: ``clients`` threads ask the catalogue questions at ``url``
    (each text made unique, so every one reaches a query worker) until the block ends; yields the
    list their statuses are appended to."""
    from queries.catalogue import catalogue
    from queries.engines import bind_sparql

    good = [bind_sparql(q.sparql, q.example_params()) for q in catalogue().values()]
    statuses: list[int] = []
    stop = threading.Event()

    def client(k: int) -> None:
        with httpx.Client(timeout=60) as http:
            i = 0
            while not stop.is_set():
                r = http.post(f"{url}/sparql", data={"query": f"# {k} {i}\n{good[(k + i) % len(good)]}"})
                statuses.append(r.status_code)
                i += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    try:
        yield statuses
    finally:
        stop.set()
        for t in threads:
            t.join()
