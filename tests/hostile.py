"""The broken and hostile input corpus: what a crawler leaves in a folder, each with what ipkg must do.

``write_corpus(folder)`` writes the cases (binary ones are generated here rather than committed;
the hand-written plans are in tests/data/hostile/) and returns what is expected of each file:
``plan`` (extracted and written), ``warning`` (extracted, with a warning line naming the file)
or ``error`` (one line naming the file and the reason; the batch goes on and exits non-zero).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from kg.pipeline import SAMPLE_CORPUS

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
    if big_mb:
        text = seeds_text()
        with (folder / "big.txt").open("w", encoding="utf-8") as out:
            written = 0
            while written < big_mb * 1e6:
                out.write(text)
                written += len(text.encode())
        expected["big.txt"] = Case("plan")
    return expected


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
