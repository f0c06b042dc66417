"""Exact, order-fixed per-variable statistics for normalisation.

Each month gives a partial (count, mean, M2, min, max) computed the same way on
whichever MPI rank holds it; partials are merged in month order with Chan's
formula. The result is therefore bit-for-bit the same for any number of ranks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Moments:
    """Sufficient statistics of one variable over some data."""

    count: int
    mean: float
    m2: float
    minimum: float
    maximum: float

    @classmethod
    def of(cls, values: np.ndarray) -> "Moments":
        data = np.asarray(values, dtype=np.float64).ravel()
        mean = float(data.mean())
        return cls(data.size, mean, float(np.square(data - mean).sum()), float(data.min()), float(data.max()))

    def merge(self, other: "Moments") -> "Moments":
        """Chan et al. pairwise update: numerically stable and deterministic for a fixed order."""
        count = self.count + other.count
        delta = other.mean - self.mean
        mean = self.mean + delta * other.count / count
        m2 = self.m2 + other.m2 + delta * delta * self.count * other.count / count
        return Moments(count, mean, m2, min(self.minimum, other.minimum), max(self.maximum, other.maximum))

    @property
    def std(self) -> float:
        return float(np.sqrt(self.m2 / self.count))


def merge_in_order(partials: list[dict[str, Moments]]) -> dict[str, Moments]:
    """Merge per-month partials (already sorted by month) variable by variable."""
    merged = dict(partials[0])
    for partial in partials[1:]:
        merged = {name: merged[name].merge(partial[name]) for name in merged}
    return merged


def to_json(stats: dict[str, Moments]) -> dict[str, dict[str, float]]:
    return {
        name: {"mean": m.mean, "std": m.std, "min": m.minimum, "max": m.maximum, "count": m.count}
        for name, m in stats.items()
    }
