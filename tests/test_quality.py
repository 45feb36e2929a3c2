"""Quality gates: ruff is clean and every module of the six packages imports."""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PACKAGES = ["kg", "ontology", "loaders", "queries", "viz", "cli"]


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff") or str(ROOT / ".venv" / "bin" / "ruff")
    proc = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _modules() -> list[str]:
    names = []
    for pkg in PACKAGES:
        mod = importlib.import_module(pkg)
        names.append(pkg)
        for info in pkgutil.walk_packages(mod.__path__, prefix=pkg + "."):
            names.append(info.name)
    return names


@pytest.mark.parametrize("name", _modules())
def test_module_imports(name: str) -> None:
    # a fresh interpreter, so one module's import side effects cannot hide another's failure
    proc = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def test_every_package_has_modules() -> None:
    assert {"kg.model", "kg.ingest", "kg.structure", "kg.extract", "cli", "cli.corpus", "ontology.iri"} \
        <= set(_modules())
