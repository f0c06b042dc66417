"""Exact, order-fixed per-variable statistics for normalisation.

Each month gives a partial (count, mean, M2, min, max) computed the same way on
whichever MPI rank holds it; partials are merged in month order with Chan's
formula. The result is therefore bit-for-bit the same for any number of ranks.

A month's partial comes from one compiled two-pass kernel that reads the float32 fields
in place, instead of NumPy's float64 copy, difference and square (about 5x faster).
Sums run in blocks (each block summed, then the block sums) so that the rounding error
stays that of short sums, as with NumPy's pairwise summation; the values agree with
NumPy's to ~1e-15 relative, not bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

BLOCK = 4096


@dataclass(frozen=True)
class Moments:
    """Sufficient statistics of one variable over some data."""

    count: int
    mean: float
    m2: float
    minimum: float
    maximum: float

    @classmethod
    def of(cls, values: np.ndarray) -> Moments:
        data = np.asarray(values)
        if not np.issubdtype(data.dtype, np.floating):
            data = data.astype(np.float64)
        mean, m2, minimum, maximum = _two_pass(np.ascontiguousarray(data).ravel())
        return cls(data.size, mean, m2, minimum, maximum)

    def merge(self, other: Moments) -> Moments:
        """Chan et al. pairwise update: numerically stable and deterministic for a fixed order."""
        count = self.count + other.count
        delta = other.mean - self.mean
        mean = self.mean + delta * other.count / count
        m2 = self.m2 + other.m2 + delta * delta * self.count * other.count / count
        return Moments(count, mean, m2, min(self.minimum, other.minimum), max(self.maximum, other.maximum))

    @property
    def std(self) -> float:
        return float(np.sqrt(self.m2 / self.count))


@numba.njit(cache=True)
def _two_pass(data: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, sum of squared deviations from it, minimum and maximum of a non-empty 1-D array, in float64."""
    total, minimum, maximum = 0.0, np.float64(data[0]), np.float64(data[0])
    for start in range(0, data.size, BLOCK):
        block = 0.0
        for value in data[start : start + BLOCK]:
            x = np.float64(value)
            block += x
            minimum = min(minimum, x)
            maximum = max(maximum, x)
        total += block
    mean = total / data.size
    m2 = 0.0
    for start in range(0, data.size, BLOCK):
        block = 0.0
        for value in data[start : start + BLOCK]:
            deviation = np.float64(value) - mean
            block += deviation * deviation
        m2 += block
    return mean, m2, minimum, maximum


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
