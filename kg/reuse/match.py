"""Sentence pairs across plans: MinHash/LSH candidates, confirmed by a rapidfuzz similarity; boilerplate out.

Candidates come from MinHash LSH over character shingles of the normalised sentences (``datasketch``
MinHash, banded with its parameters; see :func:`buckets`), so a sentence is only compared with the few
that share many shingles with it and the cost grows near-linearly with the corpus. Pairs that share a
whole clause verbatim (an anchor) are candidates too: that catches a short sentence taken into a long
one, whose shingle sets overlap too little for the index. Shapes found in too many plans are left out
before any comparison. A candidate pair is confirmed by ``rapidfuzz`` on the normalised text: the
full-sentence ratio, the same with clauses sorted (list items reordered), or, when one sentence holds
the other with clauses added or dropped, the share of the shorter found in order in the longer (their
longest common subsequence: a partial alignment that allows gaps).
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
from datasketch import MinHash, MinHashLSH
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from kg.reuse.text import Unit

_BLOCK = 500_000  # candidate pairs scored at a time (bounds the memory of the string lists)
# Moving clauses or list items keeps the longest of them in sequence: a reordered copy's plain ratio stays above
# this, so the ratio with clauses sorted is computed only from here up (most candidates are far below).
_REORDER_FLOOR = 0.35


@dataclass(frozen=True)
class ReuseOptions:
    """Thresholds of reuse detection; the defaults are those measured in tests/test_reuse_detect.py."""

    min_chars: int = 14  # normalised characters a sentence needs to be evidence of reuse
    threshold: float = 0.8  # ratio (plain or with clauses sorted) that confirms a pair
    partial_threshold: float = 0.85  # share of the shorter found in order in the longer that confirms a pair
    partial_min_share: float = 0.4  # ... only when the shorter is at least this share of the longer
    shingle: int = 3  # characters per shingle
    num_perm: int = 64  # MinHash permutations
    lsh_threshold: float = 0.3  # Jaccard similarity of shingle sets the LSH is tuned to catch
    index: Literal["bands", "datasketch"] = "bands"  # how MinHash signatures are banded (see buckets())
    anchor_chars: int = 8  # a clause this long found verbatim in two sentences makes them candidates too
    anchor_max: int = 64  # ... unless it stands in more sentences than this (stock phrasing)
    boilerplate_share: float = 0.3  # a sentence shape found in more than this share of plans is common phrasing
    boilerplate_min_plans: int = 10  # ... judged by frequency only in a corpus of at least this many plans


@dataclass(frozen=True, slots=True)
class Pair:
    """Two units of different plans confirmed as the same sentence (``a`` < ``b``)."""

    a: int
    b: int
    similarity: float
    covered: int  # normalised characters the two have in common (longest common subsequence)


class _Hashes(dict[str, int]):
    """Shingle -> CRC-32, computed once per distinct shingle (shingles repeat across a corpus). CRC-32 is
    deterministic across processes, unlike Python's salted hash(); the lookup is a dict's, in C."""

    def __missing__(self, shingle: str) -> int:
        value = self[shingle] = zlib.crc32(shingle.encode("utf-8"))
        return value


def _shingles(flat: str, k: int) -> list[str]:
    if len(flat) <= k:
        return [flat]
    return list({flat[i : i + k] for i in range(len(flat) - k + 1)})


def _frequent_shapes(units: Sequence[Unit], indexed: list[int], limit: float) -> set[int]:
    """Units whose exact normalised text stands in more than ``limit`` plans (found before any comparison,
    so that a formula every plan repeats does not make every plan a candidate of every other)."""
    plans: dict[str, set[int]] = defaultdict(set)
    for i in indexed:
        plans[units[i].flat].add(units[i].plan)
    return {i for i in indexed if len(plans[units[i].flat]) > limit}


@cache
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's MinHashLSH chooses for a Jaccard threshold."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def _band_groups(sig: np.ndarray, bands: int, rows: int) -> list[np.ndarray]:
    """Row numbers that agree on all values of a band, one array per bucket of two or more: the buckets of a
    MinHash LSH index over these signatures, found by sorting each band's rows instead of hashing them one by one."""
    out = []
    for k in range(bands):
        band = sig[:, k * rows : (k + 1) * rows]
        order = np.lexsort(band.T[::-1])
        ranked = band[order]
        starts = np.flatnonzero(np.concatenate(([True], np.any(ranked[1:] != ranked[:-1], axis=1))))
        ends = np.append(starts[1:], len(order))
        many = ends - starts > 1
        out += [order[s:e] for s, e in zip(starts[many].tolist(), ends[many].tolist(), strict=True)]
    return out


def buckets(units: Sequence[Unit], indexed: list[int], opts: ReuseOptions) -> list[np.ndarray]:
    """The units (sorted indices) of each MinHash LSH bucket that holds two or more.

    Each unit's MinHash (datasketch, over its character shingles) is banded with datasketch's
    parameters for ``lsh_threshold``. ``opts.index`` "datasketch" inserts every unit in a
    ``MinHashLSH`` and reads its buckets; "bands" (the default) groups the same signatures band by
    band with numpy, which gives the very same buckets (tests/test_reuse_detect.py checks it) at a
    fraction of the cost: the index spends some microseconds and a set object per band and unit.
    """
    bands, rows = lsh_params(opts.lsh_threshold, opts.num_perm)
    sketch = MinHash(num_perm=opts.num_perm, hashfunc=_Hashes().__getitem__)
    if opts.index == "datasketch":
        lsh = MinHashLSH(num_perm=opts.num_perm, params=(bands, rows))
        for i in indexed:
            # the index keeps the bands' bytes, not the sketch: one sketch, cleared, serves every unit
            sketch.clear()
            sketch.update_batch(_shingles(units[i].flat, opts.shingle))
            lsh.insert(i, sketch, check_duplication=False)
        return [np.array(sorted(g), dtype=np.int64) for table in lsh.hashtables for h in table.keys()
                if len(g := table.get(h)) > 1]
    sig = np.empty((len(indexed), opts.num_perm), dtype=sketch.hashvalues.dtype)
    for row, i in enumerate(indexed):
        sketch.clear()
        sketch.update_batch(_shingles(units[i].flat, opts.shingle))
        sig[row] = sketch.hashvalues
    ids = np.asarray(indexed, dtype=np.int64)
    return [np.sort(ids[g]) for g in _band_groups(sig, bands, rows)]


def candidates(units: Sequence[Unit], indexed: list[int], opts: ReuseOptions,
               limit: float) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) unit indices, a < b, of different plans, that share a MinHash LSH bucket or a clause.

    The pairs are read from the buckets (each holds the units whose MinHash agrees on one band), so
    no unit is queried and the work is proportional to the units plus the candidates. A bucket
    spanning more than ``limit`` plans holds common phrasing.
    """
    groups = buckets(units, indexed, opts)
    # a clause of some length found verbatim in both sentences anchors a pair whose shingle sets differ too much
    # for the index: one sentence holding the other with clauses added (a low Jaccard, a high containment)
    posting: dict[str, list[int]] = defaultdict(list)
    for i in indexed:
        for clause in set(units[i].tokens.split()):
            if len(clause) >= opts.anchor_chars:
                posting[clause].append(i)
    groups += [np.array(ms, dtype=np.int64) for ms in posting.values() if 2 <= len(ms) <= opts.anchor_max]
    return _pairs(groups, np.fromiter((u.plan for u in units), dtype=np.int64, count=len(units)), limit)


def _pairs(groups: list[np.ndarray], plan: np.ndarray, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """The distinct pairs (a < b) of units of different plans within each group (sorted unit indices); a group
    spanning more than ``limit`` plans is common phrasing and gives none."""
    n = len(plan)
    codes: list[np.ndarray] = []
    twos = [g for g in groups if len(g) == 2]  # most groups: done together
    if twos and limit >= 2:
        t = np.vstack(twos)
        apart = plan[t[:, 0]] != plan[t[:, 1]]
        codes.append(t[apart, 0] * n + t[apart, 1])
    for g in groups:
        if len(g) > 2 and len(np.unique(plan[g])) <= limit:
            i, j = np.triu_indices(len(g), 1)
            x, y = g[i], g[j]
            apart = plan[x] != plan[y]
            codes.append(x[apart] * n + y[apart])
    found = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
    found.sort()  # (numpy's hash-based unique is slower than a sort at this size)
    found = found[np.concatenate(([True], found[1:] != found[:-1]))] if len(found) else found
    return found // n, found % n


@dataclass(frozen=True)
class Columns:
    """The units' texts and sizes as arrays, so that a batch of pairs is picked by index, not by a Python loop."""

    flat: np.ndarray
    tokens: np.ndarray
    size: np.ndarray

    @classmethod
    def of(cls, units: Sequence[Unit]) -> Columns:
        """The columns of the given units."""
        return cls(np.array([u.flat for u in units], dtype=object), np.array([u.tokens for u in units], dtype=object),
                   np.fromiter((u.size for u in units), dtype=np.int32, count=len(units)))


def score(cols: Columns, a: np.ndarray, b: np.ndarray, opts: ReuseOptions) -> list[Pair]:
    """The candidate pairs that are the same sentence, with similarity and characters in common.

    rapidfuzz scores whole arrays of pairs (``cpdist``, in C++): the longest common subsequence gives
    both the ratio (2 x common / total length) and the share of the shorter found in the longer; the
    ratio with clauses sorted is computed only where the lengths and the plain ratio leave it a chance.
    """
    short, long = np.minimum(cols.size[a], cols.size[b]), np.maximum(cols.size[a], cols.size[b])
    # lengths that allow neither a ratio >= threshold nor the shorter held in the longer: no need to compare
    alike = 2 * short >= opts.threshold * (short + long)
    keep = alike | (short >= opts.partial_min_share * long)
    a, b, short, long, alike = a[keep], b[keep], short[keep], long[keep], alike[keep]
    common = process.cpdist(cols.flat[a], cols.flat[b], scorer=LCSseq.similarity, dtype=np.int32, workers=1)
    sim = 2 * common / (short + long)
    retry = np.flatnonzero(alike & (sim < opts.threshold) & (sim >= _REORDER_FLOOR))
    if len(retry):
        resorted = process.cpdist(cols.tokens[a[retry]], cols.tokens[b[retry]], scorer=fuzz.token_sort_ratio,
                                  workers=1) / 100
        sim[retry] = np.maximum(sim[retry], resorted)
    full = sim >= opts.threshold
    # the shorter found in the longer, in order, with gaps where clauses were inserted or dropped
    contained = common / short
    partial = ~full & (short >= opts.partial_min_share * long) & (contained >= opts.partial_threshold)
    sim = np.where(full, sim, contained)
    out = []
    for k in np.flatnonzero(full | partial).tolist():
        i, j = int(a[k]), int(b[k])
        # reordered clauses share less in sequence than in content: take the better of the two orders
        resorted = LCSseq.similarity("".join(sorted(cols.tokens[i].split())), "".join(sorted(cols.tokens[j].split())))
        out.append(Pair(i, j, round(float(sim[k]), 4), max(int(common[k]), resorted)))
    return out


def confirmed_pairs(units: Sequence[Unit], n_plans: int, opts: ReuseOptions) -> list[Pair]:
    """Every confirmed sentence pair across plans, boilerplate left out."""
    limit = opts.boilerplate_share * n_plans if n_plans >= opts.boilerplate_min_plans else float("inf")
    indexed = [i for i, u in enumerate(units) if u.size >= opts.min_chars]
    common = _frequent_shapes(units, indexed, limit)
    indexed = [i for i in indexed if i not in common]
    a, b = candidates(units, indexed, opts, limit)
    cols = Columns.of(units)
    pairs: list[Pair] = []
    for lo in range(0, len(a), _BLOCK):
        pairs += score(cols, a[lo : lo + _BLOCK], b[lo : lo + _BLOCK], opts)
    # document frequency: a sentence shape matched in too many plans is common phrasing, not reuse
    plans: dict[int, set[int]] = defaultdict(set)
    for p in pairs:
        plans[p.a].add(units[p.b].plan)
        plans[p.b].add(units[p.a].plan)
    frequent = {i for i, ps in plans.items() if len(ps) + 1 > limit}
    return [p for p in pairs if p.a not in frequent and p.b not in frequent]
