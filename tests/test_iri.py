"""IRI minting: deterministic, readable, under the configured base."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ontology.iri import DEFAULT_BASE_IRI, mint, slug


def test_same_key_same_iri_across_processes() -> None:
    here = mint("Department", "630222", "民和回族土族自治县市场监督管理局")
    code = "from ontology.iri import mint; print(mint('Department', '630222', '民和回族土族自治县市场监督管理局'))"
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert here == there == DEFAULT_BASE_IRI + "department/630222/民和回族土族自治县市场监督管理局"


def test_readable_and_safe() -> None:
    iri = mint("Plan", "重庆市知识产权保护和运用“十四五”规划（2021-2025年）")
    assert iri.endswith("plan/重庆市知识产权保护和运用-十四五-规划-2021-2025年")
    for bad in ' "<>{}|\\^`#?':
        assert bad not in iri.removeprefix("http://")


def test_base_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPKG_BASE_IRI", "https://kg.example.org/id")
    assert mint("Region", "500120") == "https://kg.example.org/id/region/500120"


def test_errors() -> None:
    with pytest.raises(ValueError):
        mint("Nonsense", "x")
    with pytest.raises(ValueError):
        slug("“”《》")
