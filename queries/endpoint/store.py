"""The endpoint's store: the built graph (kg.nt) in an on-disk Oxigraph store beside it.

The store is built once per graph (a stamp records which kg.nt it holds) and then opened
read-only by the web process and by every query worker, so no request can change it and the
workers share one copy of the data on disk instead of one in memory each.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

STORE_DIR = ".oxigraph"
STAMP = "ipkg-stamp.json"


class DataError(Exception):
    """The data folder has no built graph, or its store cannot be opened."""


def _stamp(nt: Path) -> dict[str, int | str]:
    st = nt.stat()
    return {"file": nt.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns, "format": 1}


def _current(store_dir: Path, stamp: dict[str, int | str]) -> bool:
    try:
        return json.loads((store_dir / STAMP).read_text()) == stamp
    except (OSError, ValueError):
        return False


def prepare_store(data_dir: Path, say: Callable[[str], None] = lambda _m: None) -> Path:
    """The folder of an Oxigraph store holding ``data_dir/kg.nt``, built (or rebuilt) if it is stale."""
    nt = data_dir / "kg.nt"
    if not nt.is_file():
        raise DataError(f"{nt} not found: run `ipkg build --out {data_dir}` first")
    store_dir = data_dir / STORE_DIR
    stamp = _stamp(nt)
    if _current(store_dir, stamp):
        return store_dir
    say(f"loading {nt} ({nt.stat().st_size / 1e6:.1f} MB) into the endpoint's store {store_dir}")
    tmp = Path(tempfile.mkdtemp(prefix=".oxigraph-", dir=data_dir))
    try:
        store = ox.Store(str(tmp))
        try:
            store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
        except SyntaxError as exc:  # a kg.nt broken by hand or by an older ipkg: one line, not a traceback
            raise DataError(f"{nt} cannot be read ({str(exc).splitlines()[0]}): run `ipkg build --out {data_dir}` "
                            "again") from exc
        store.flush()
        del store  # closes the RocksDB files before the folder moves
        (tmp / STAMP).write_text(json.dumps(stamp))
        if _current(store_dir, stamp):  # another process built it meanwhile
            return store_dir
        old = None
        if store_dir.exists():
            old = store_dir.with_name(f"{STORE_DIR}-old-{os.getpid()}")
            os.replace(store_dir, old)
        os.replace(tmp, store_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return store_dir


def open_read_only(store_dir: Path) -> ox.Store:
    """The store opened read-only (updates raise; several processes may open it at once)."""
    try:
        return ox.Store.read_only(str(store_dir))
    except OSError as exc:
        raise DataError(f"cannot open the store {store_dir}: {exc}") from exc


@dataclass(frozen=True)
class DatasetInfo:
    """What the landing page and the VoID description say about the data."""

    triples: int
    entities: int
    classes: dict[str, int]  # class IRI -> instances
    dumps: dict[str, Path]  # file name -> path, for the download links


DUMP_TYPES = {  # dump file -> media type (what `ipkg build` writes)
    "kg.ttl": "text/turtle", "kg.nt": "application/n-triples", "kg.jsonld": "application/ld+json",
}


def dataset_info(store: ox.Store, data_dir: Path) -> DatasetInfo:
    """Counts per class, entities and triples of the store."""
    classes = {
        sol["c"].value: int(sol["n"].value)
        for sol in store.query("SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)")
    }
    entities = next(iter(store.query("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c }")))["n"]
    dumps = {name: data_dir / name for name in DUMP_TYPES if (data_dir / name).is_file()}
    return DatasetInfo(triples=len(store), entities=int(entities.value), classes=classes, dumps=dumps)
