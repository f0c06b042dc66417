"""Normalisation of one variable with statistics of the training split: z-score or min-max.

The statistics come from ``statistics.json``, which preprocessing computes over the
training months only, so validation and test data never leak into the scaling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

METHODS = ("zscore", "minmax")
DEFAULT_METHOD = "zscore"


@dataclass(frozen=True)
class Normaliser:
    """x_normalised = (x - offset) / scale; z-score: (mean, std), min-max: (min, max - min)."""

    offset: float
    scale: float

    @classmethod
    def from_stats(cls, stats: dict[str, Any], variable: str, method: str) -> Normaliser:
        """The normaliser of ``variable``; errors name the statistics key that is missing or degenerate."""
        if method not in METHODS:
            raise ValueError(f"config key 'normalisation': {method!r} is not one of {METHODS}")
        needed = ("mean", "std") if method == "zscore" else ("min", "max")
        entry = stats.get(variable, {})
        missing = [key for key in needed if key not in entry]
        if missing:
            raise KeyError(
                f"statistics.json: variable {variable!r} lacks {missing}, needed by normalisation {method!r}"
            )
        offset, scale = (
            (entry["mean"], entry["std"]) if method == "zscore" else (entry["min"], entry["max"] - entry["min"])
        )
        if not scale > 0:
            raise ValueError(
                f"statistics.json: variable {variable!r} has no spread ({method} scale {scale}); cannot normalise"
            )
        return cls(float(offset), float(scale))

    def normalise(self, values: Any) -> Any:
        return (values - self.offset) / self.scale

    def denormalise(self, values: Any) -> Any:
        return values * self.scale + self.offset
