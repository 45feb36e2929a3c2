"""The scale-corpus generator: many plausible plans derived from the sample corpus.

    python -m bench.corpus --plans 1000 --out out/scale

Each generated plan is a seed plan moved to another county of the gazetteer (so its region,
its departments' identities and its region's parents change), with its focus industries drawn
from the taxonomy, its targets' numbers varied, and its brands and GIs renamed after its
region, so that entities do not all collapse into the seeds' ones. Plans are written as
plan-data JSON, which `ipkg build` and `ipkg load` read like extracted ones.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from kg.extract import extract_file
from kg.model import PlanData
from kg.pipeline import SAMPLE_CORPUS, write_atomic
from kg.resolve import department_key, qualify_department, region_ref
from ontology.lexicon import lexicon
from ontology.regions import gazetteer


def seeds() -> list[PlanData]:
    return [extract_file(p) for p in sorted(SAMPLE_CORPUS.glob("*.txt"))]


def generate(n: int, seed: int = 7) -> list[PlanData]:
    """``n`` plans varied from the seeds (deterministic for a given ``seed``)."""
    rng = random.Random(seed)
    base = seeds()
    g = gazetteer()
    counties = sorted((r for r in g.by_code.values() if r.level == "county"), key=lambda r: r.code)
    concepts = sorted(lexicon().industries.values(), key=lambda c: c.id)
    out: list[PlanData] = []
    for i in range(n):
        src = base[i % len(base)]
        region = counties[rng.randrange(len(counties))]
        p = src.model_copy(deep=True)
        tag = f"{region.name}{i:04d}"
        p.source.file = f"gen{i:05d}.json"
        p.plan.key = f"{src.plan.key}-{tag}"
        p.plan.title = f"{region.name}{(src.plan.title or '知识产权规划')[3:]}（{i:04d}）"
        p.plan.region = region_ref(region)
        keys: dict[str, str] = {}
        for d in p.departments:
            qualified, reg, _ = qualify_department(d.name, region)
            new_key = department_key(qualified, reg)
            keys[d.key] = new_key
            d.key, d.qualified_name, d.region = new_key, qualified, region_ref(reg) if reg else None
        for r in p.responsibilities:
            r.department = keys[r.department]
        picked = rng.sample(concepts, k=min(len(p.industries), rng.randint(4, 12)))
        renamed: dict[str, str] = {}
        for ind, c in zip(p.industries, picked, strict=False):
            renamed[ind.name] = c.label
            ind.name, ind.concept, ind.broader = c.label, c.id, lexicon().broader_chain(c.id)
        p.industries = p.industries[: len(picked)]
        for t in p.tasks:  # a task concerns only industries its plan names: follow the renaming, drop the cut
            t.industries = list(dict.fromkeys(renamed[n] for n in t.industries if n in renamed))
        for ind in p.indicators:
            if ind.target is not None:
                ind.target = round(ind.target * rng.uniform(0.5, 2.0), 2)
        for m in (*p.brands, *p.geographical_indications):
            m.name = f"{region.short}{m.name}"
        out.append(p)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plans", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=Path("out/scale"))
    args = ap.parse_args()
    for p in generate(args.plans):
        write_atomic(args.out / "plans" / p.source.file, p.model_dump_json())
    print(f"wrote {args.plans} plan-data files to {args.out / 'plans'}")


if __name__ == "__main__":
    main()
