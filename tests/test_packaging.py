"""pyproject.toml declares what ipkg ships: every folder under its packages is a package, every data file is listed.

setuptools prints a "Package would be ignored" warning for each data folder that is not a package; these tests
check the declaration itself (in a second), without building a wheel.
"""

from __future__ import annotations

import fnmatch
import subprocess
import tomllib
from pathlib import Path

from setuptools import find_namespace_packages

from tests.conftest import ROOT


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _found() -> set[str]:
    found = _setuptools()["packages"]["find"]
    return set(find_namespace_packages(str(ROOT), include=found["include"], exclude=found["exclude"]))


def _shipped_files() -> list[Path]:
    """The project's files (tracked, or new and not ignored) inside the top-level packages."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    tops = {p.split(".")[0] for p in _found()}
    return [Path(f) for f in listed if Path(f).parts[0] in tops and len(Path(f).parts) > 1
            and (ROOT / f).is_file()]


def test_every_folder_holding_a_file_is_a_package() -> None:
    packages = _found()
    folders = {".".join(f.parent.parts) for f in _shipped_files()}
    assert folders - packages == set(), "folders setuptools would warn about (add them to packages.find)"
    assert {"viz.templates", "queries.catalogue", "ontology.lexicon", "kg.schema"} <= packages
    assert not any("node_modules" in p or p.startswith("loaders.neo4j.target") for p in packages)


def test_every_data_file_is_listed_in_package_data() -> None:
    data = _setuptools()["package-data"]
    unlisted = [str(f) for f in _shipped_files() if f.suffix != ".py"
                and not any(fnmatch.fnmatch(f.name, g) for g in data.get(".".join(f.parent.parts), []))]
    # the tests' own folder ships its code only (its data is made by the tests)
    assert [f for f in unlisted if not f.startswith("tests/")] == []
