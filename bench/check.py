"""Time `grasp check` on the shipped ontology as a cold process, with and without HermiT.

Also times the three ways to materialise the class hierarchy once per ontology load
(HermiT, owlrl, none), in a warm process, to choose the one for start-up and reload.

    .venv/bin/python bench/check.py [--runs 5]

Baseline: the same command without the reasoner; the machine is noisy (../shared/
performance-notes.md), so compare only figures from one run of this script.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def check_command() -> list[str]:
    """Use the installed `grasp` script when the CLI has the command, else the module."""
    script = Path(sys.executable).with_name("grasp")
    if script.exists():
        probe = subprocess.run(
            [str(script), "check", "--help"], capture_output=True, text=True, check=False
        )
        if probe.returncode == 0:
            return [str(script), "check"]
    return [sys.executable, "-m", "grasp.check"]


def cold(command: list[str], runs: int) -> tuple[float, int]:
    times, code = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, cwd=ROOT, check=False)
        times.append(time.perf_counter() - start)
        code = done.returncode
    return statistics.median(times), code


def warm_reasoners(runs: int) -> list[tuple[str, float, int]]:
    from grasp.reasoning import reason
    from grasp.sources import read_ontology

    graph = read_ontology([ROOT / "ontology"])
    rows = []
    for reasoner in ("none", "owlrl", "hermit"):
        if reasoner == "hermit" and shutil.which("java") is None:
            continue
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            result = reason(graph, reasoner=reasoner)
            times.append(time.perf_counter() - start)
        rows.append((reasoner, statistics.median(times), len(result.hierarchy)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    command = check_command()
    print(
        f"command: {' '.join(Path(c).name if i == 0 else c for i, c in enumerate(command))}"
        f" ontology/  (median of {runs}, cold process)"
    )
    print(f"{'variant':<28}{'seconds':>9}{'exit':>6}")
    for label, extra in [("with HermiT", []), ("--no-reasoner (baseline)", ["--no-reasoner"])]:
        seconds, code = cold([*command, *extra, str(ROOT / "ontology")], runs)
        print(f"{label:<28}{seconds:>9.2f}{code:>6}")
    print()
    print(f"hierarchy once per load (warm process, median of {runs})")
    print(f"{'reasoner':<28}{'seconds':>9}{'edges':>7}")
    for reasoner, seconds, edges in warm_reasoners(runs):
        print(f"{reasoner:<28}{seconds:>9.3f}{edges:>7}")


if __name__ == "__main__":
    main()
