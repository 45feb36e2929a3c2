"""Region gazetteer: GB/T 2260 administrative divisions with their parents and short names.

The codes and names come from the maintained data package ``cpca`` (its ``adcodes.csv``); it is
read as a plain CSV so that extraction does not pay for importing pandas.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Rows of the data file that are grouping placeholders, not regions.
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "直辖县级行政区划"}
# Name endings removed to form the short name used in running text (璧山区 -> 璧山).
_AUTONOMY = re.compile(r"自治(县|州|旗|区)$")
_LEVEL_SUFFIX = re.compile(r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|省|市|区|县|旗)$")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province | city | county
    parent: str | None

    @property
    def short(self) -> str:
        """Short form used in text: 民和回族土族自治县 -> 民和, 重庆市 -> 重庆."""
        m = _AUTONOMY.search(self.name)
        if m:
            stem = self.name[: m.start()]
            # strip the ethnic names before 自治…, from the end: 民和回族土族 -> 民和
            changed = True
            while changed:
                changed = False
                for nation in _nations():
                    if stem.endswith(nation) and len(stem) > len(nation):
                        stem, changed = stem[: -len(nation)], True
                        break
        else:
            stem = _LEVEL_SUFFIX.sub("", self.name)
        return stem if len(stem) >= 2 else self.name

    def aliases(self) -> set[str]:
        out = {self.name}
        short = self.short
        if short != self.name:
            out.add(short)
            # an autonomous county is commonly written with a plain level suffix: 民和县
            m = _AUTONOMY.search(self.name)
            if m:
                out.add(short + m.group(1))
        return out


def _data_dir() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the region data package 'cpca' is not installed (pip install cpca)")
    return Path(next(iter(spec.submodule_search_locations))) / "resources"


@cache
def _nations() -> tuple[str, ...]:
    """The 56 ethnic groups' names (e.g. 回族), longest first, from the same data package."""
    names = (_data_dir() / "56_nations.csv").read_text(encoding="utf-8").split()
    return tuple(sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True))


class Gazetteer:
    """All regions by code, with ancestor lookup and name matching."""

    def __init__(self, regions: dict[str, Region]):
        self.by_code = regions
        self.by_alias: dict[str, list[Region]] = {}
        for r in regions.values():
            for a in r.aliases():
                self.by_alias.setdefault(a, []).append(r)

    def ancestors(self, region: Region) -> list[Region]:
        """Parents of a region, nearest first."""
        out = []
        code = region.parent
        while code and code in self.by_code:
            parent = self.by_code[code]
            out.append(parent)
            code = parent.parent
        return out

    def descendants(self, region: Region) -> list[Region]:
        """Regions below a province or a city (their codes share its leading digits)."""
        if region.level == "county":
            return []
        prefix = region.code[:2] if region.level == "province" else region.code[:4]
        return [r for r in self.by_code.values() if r.code.startswith(prefix) and r.code != region.code]

    def at_level(self, region: Region, level: str) -> Region | None:
        """The region itself or its ancestor at a level; a municipality (直辖市) serves as its own city."""
        chain = [region, *self.ancestors(region)]
        for r in chain:
            if r.level == level:
                return r
        if level == "city":
            # 重庆市's districts have no city level in between: the municipality is the city.
            prov = chain[-1]
            if prov.code[:2] in {"11", "12", "31", "50"}:
                return prov
        return None


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, loaded once per process."""
    rows: dict[str, str] = {}
    with (_data_dir() / "adcodes.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["adcode"][:6]
            if row["adcode"][6:].strip("0") or row["name"] in _PLACEHOLDERS:
                continue  # below county level, or a grouping placeholder
            rows[code] = row["name"]
    regions: dict[str, Region] = {}
    for code, name in rows.items():
        if code.endswith("0000"):
            level, parent = "province", None
        elif code.endswith("00"):
            level, parent = "city", code[:2] + "0000"
        else:
            level = "county"
            city = code[:4] + "00"
            parent = city if city in rows else code[:2] + "0000"
        regions[code] = Region(code, name, level, parent if parent in rows else None)
    return Gazetteer(regions)
