"""Baseline and subject in alternating short rounds: the median per-round ratio and its spread.

This machine is shared: a neighbour's load moves one long measurement by a
third. Measuring the baseline and the subject in short rounds, turn about
(A B, B A, A B, …), exposes both to the same neighbours, so the ratio of each
round holds even when the absolute figures do not; the median over the rounds,
with its range, is what a benchmark reports.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rounds:
    baseline: list[float]
    subject: list[float]

    @property
    def ratios(self) -> list[float]:
        return [s / b for s, b in zip(self.subject, self.baseline, strict=True)]

    def ratio(self) -> float:
        return statistics.median(self.ratios)

    def spread(self, name: str, digits: int = 2) -> str:
        """`name=2.10 (1.90–2.40, 9 rounds)`: the median ratio, its range, the rounds."""
        r = self.ratios
        return (f"{name}={statistics.median(r):.{digits}f} "
                f"({min(r):.{digits}f}–{max(r):.{digits}f}, {len(r)} rounds)")


def alternate(baseline: Callable[[], float], subject: Callable[[], float],
              rounds: int) -> Rounds:
    """Run `rounds` pairs, swapping the order every round; each call returns one figure."""
    base: list[float] = []
    subj: list[float] = []
    for i in range(rounds):
        if i % 2 == 0:
            base.append(baseline())
            subj.append(subject())
        else:
            subj.append(subject())
            base.append(baseline())
    return Rounds(base, subj)


def median_spread(values: list[float], digits: int = 2) -> str:
    return (f"{statistics.median(values):.{digits}f} "
            f"({min(values):.{digits}f}–{max(values):.{digits}f})")
