"""Time the mapper: CPU seconds to map 1,000 statements in a warm process, beside the baseline.

    .venv/bin/python bench/mapping.py [--statements 1000] [--runs 5]

The statements are the evaluation set's texts (both splits, both languages), repeated until
there are enough. "Warm" means the mapper is built and has mapped the set once before the
clock starts, as in a running server (stems are cached per process). Both mappers are
measured in the same run, on the same texts: the baseline is the mapper the project started
with (``bench/baseline_mapper.py``) over the phrases it shipped with
(``bench/baseline/grasp.ttl``). The machine is noisy; compare only figures of one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def texts(count: int) -> list[tuple[str, str]]:
    """Return ``count`` (text, lang) pairs from the evaluation set, repeated as needed."""
    rows = [json.loads(line) for line in (ROOT / "eval" / "statements.jsonl").open(encoding="utf-8")
            if line.strip()]
    pairs = [(row["text"], row["lang"]) for row in rows]
    return [pairs[i % len(pairs)] for i in range(count)]


def cpu_seconds(mapper, statements: list[tuple[str, str]], runs: int) -> tuple[float, float]:
    """Map ``statements`` ``runs`` times after one warm-up; return median and best CPU time."""
    for text, lang in statements:
        mapper.map(text, lang)
    times = []
    for _ in range(runs):
        start = time.process_time()
        for text, lang in statements:
            mapper.map(text, lang)
        times.append(time.process_time() - start)
    return statistics.median(times), min(times)


def build_seconds(build) -> tuple[object, float]:
    """Build a mapper and return it with the CPU seconds that took (stems still cold)."""
    start = time.process_time()
    mapper = build()
    return mapper, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from grasp.config import Settings
    from grasp.evaluation import BASELINE_ONTOLOGY, load_baseline_mapper
    from grasp.mapping import Mapper
    from grasp.ontology import load_ontology
    from grasp.reader import mapper_for

    ontology = load_ontology(Settings().ontology_paths)
    baseline_class = load_baseline_mapper()
    baseline_ontology = load_ontology([BASELINE_ONTOLOGY])
    statements = texts(args.statements)
    candidates = [
        ("grasp (learned reader)", lambda: mapper_for(ontology), ontology),
        ("grasp (shipped phrases)", lambda: Mapper.for_ontology(ontology), ontology),
        ("baseline (its own phrases)", lambda: baseline_class.for_ontology(baseline_ontology),
         baseline_ontology),
    ]
    print(f"{len(statements)} statements, {args.runs} runs, CPU time (time.process_time)\n")
    print("| mapper | phrases | build (s) | map 1,000: median (s) | map 1,000: best (s) |")
    print("|---|---:|---:|---:|---:|")
    for name, build, used in candidates:
        mapper, built = build_seconds(build)
        median, best = cpu_seconds(mapper, statements, args.runs)
        scale = 1000 / len(statements)  # report per 1,000 statements whatever the count
        print(f"| {name} | {len(used.indicators)} | {built:.3f} | {median * scale:.3f} "
              f"| {best * scale:.3f} |")


if __name__ == "__main__":
    main()
