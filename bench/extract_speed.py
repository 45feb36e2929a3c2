"""Extraction speed against plain jieba segmentation of the same text, and memory as the corpus grows.

    python -m bench.extract_speed [--mb 5]

The sample corpus is repeated until it holds at least ``--mb`` megabytes of text, written as
files, and extracted on one worker; in the same run the same text is segmented with plain
``jieba.lcut``. Prints both throughputs (characters per second), their ratio, and the peak
memory after a quarter, half and all of the corpus (flat memory means it does not grow with the
corpus). Target: extraction no slower than 1.5x plain jieba.
"""

from __future__ import annotations

import argparse
import logging
import resource
import tempfile
import time
from pathlib import Path

import jieba

from kg.extract import extract_file
from kg.pipeline import SAMPLE_CORPUS


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=5.0, help="corpus size in megabytes of UTF-8 text (default 5)")
    args = ap.parse_args()
    jieba.setLogLevel(logging.WARNING)
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE_CORPUS.glob("*.txt"))]
    with tempfile.TemporaryDirectory() as tmp:
        files, size, i = [], 0, 0
        while size < args.mb * 1024 * 1024:
            text = seeds[i % len(seeds)]
            f = Path(tmp) / f"plan{i:05d}.txt"
            f.write_text(text, encoding="utf-8")
            files.append(f)
            size += len(text.encode("utf-8"))
            i += 1
        chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
        # warm both up (dictionaries, caches) outside the timed region
        extract_file(files[0])
        jieba.lcut(seeds[0])

        marks = {len(files) // 4: "25%", len(files) // 2: "50%", len(files) - 1: "100%"}
        memory = []
        t0 = time.perf_counter()
        for n, f in enumerate(files):
            extract_file(f)
            if n in marks:
                memory.append((marks[n], _rss_mb()))
        t_extract = time.perf_counter() - t0

        t0 = time.perf_counter()
        for f in files:
            jieba.lcut(f.read_text(encoding="utf-8"))
        t_jieba = time.perf_counter() - t0

    ext_cps, jieba_cps = chars / t_extract, chars / t_jieba
    print(f"corpus: {len(files)} files, {size / 1024 / 1024:.1f} MB, {chars:,} characters")
    print(f"extraction (1 worker): {t_extract:8.2f} s  {ext_cps:12,.0f} chars/s")
    print(f"plain jieba.lcut:      {t_jieba:8.2f} s  {jieba_cps:12,.0f} chars/s")
    print(f"ratio extraction/jieba time: {t_extract / t_jieba:.2f}x  (target <= 1.5x)")
    print("peak RSS while extracting: " + ", ".join(f"{k} {v:.0f} MB" for k, v in memory))


if __name__ == "__main__":
    main()
