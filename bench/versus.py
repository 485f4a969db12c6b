"""One benchmark, two checkouts, alternated in short rounds: the median paired ratio.

This machine is shared, so one run of a benchmark before a change and one after
says little. Running both trees turn about (base, subject, subject, base, …)
puts each pair under the same load; the median of the paired ratios, with its
spread, is what a change is judged on. Each benchmark already prints its own
baseline ratio; this compares the same figure across two versions of the code.

    git worktree add /tmp/base <commit>
    python bench/versus.py /tmp/base bench/engine_step.py --rounds 12 --key step_ratio
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURE = re.compile(r"(\w+)=([\d.]+)")


def run_once(tree: Path, script: str, key: str, extra: list[str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, str(tree / script), *extra], cwd=tree,
                          capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if f"{key}=" in line]
    if not lines:
        raise SystemExit(f"{tree}: no {key}= line\n{done.stdout[-800:]}{done.stderr[-1500:]}")
    return {k: float(v) for k, v in FIGURE.findall(lines[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path, help="the other checkout (the baseline)")
    parser.add_argument("script", help="benchmark path inside each checkout")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--key", required=True, help="the figure of the benchmark's last line")
    args, extra = parser.parse_known_args()
    trees = {"base": args.base.resolve(), "subject": ROOT}
    figures: dict[str, list[dict[str, float]]] = {"base": [], "subject": []}
    for i in range(args.rounds):
        order = ("base", "subject") if i % 2 == 0 else ("subject", "base")
        for name in order:
            figures[name].append(run_once(trees[name], args.script, args.key, extra))
            print(i, name, figures[name][-1], flush=True)
    for key in figures["subject"][0]:
        ratios = [s[key] / b[key] for s, b in zip(figures["subject"], figures["base"], strict=True)
                  if b.get(key)]
        if ratios:
            print(f"{key}: subject/base median {statistics.median(ratios):.3f} "
                  f"(min {min(ratios):.3f}, max {max(ratios):.3f}, {len(ratios)} pairs)")


if __name__ == "__main__":
    main()
