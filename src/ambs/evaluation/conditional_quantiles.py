"""Conditional quantiles of forecast verification (Murphy, Brown & Chen 1989; Murphy & Winkler 1987).

The joint distribution of forecasts f and observations x factors two ways:
calibration-refinement p(x | f) p(f) and likelihood-base-rate p(f | x) p(x).
Both diagrams show quantiles of one variable within bins of the other, over the
histogram of the binning variable; a perfect forecast puts every quantile on the
diagonal. The same function serves both: swap which array conditions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LEVELS = (0.10, 0.25, 0.50, 0.75, 0.90)


@dataclass(frozen=True)
class ConditionalQuantiles:
    """Quantiles of an outcome within bins of a condition.

    ``quantiles[b, k]`` is the ``levels[k]`` quantile of the outcomes whose
    condition lies in bin ``b`` (NaN where the bin holds fewer than ``min_count``).
    """

    edges: np.ndarray
    levels: np.ndarray
    quantiles: np.ndarray
    counts: np.ndarray

    @property
    def centres(self) -> np.ndarray:
        return 0.5 * (self.edges[:-1] + self.edges[1:])


def common_edges(first: np.ndarray, second: np.ndarray, n_bins: int) -> np.ndarray:
    """Equal-width bin edges over the joint range of both arrays, so both diagrams share their axes."""
    low = float(min(np.nanmin(first), np.nanmin(second)))
    high = float(max(np.nanmax(first), np.nanmax(second)))
    if high == low:
        high = low + 1.0
    return np.linspace(low, high, n_bins + 1)


def conditional_quantiles(
    condition: np.ndarray,
    outcome: np.ndarray,
    edges: np.ndarray,
    levels: tuple[float, ...] = LEVELS,
    min_count: int = 10,
) -> ConditionalQuantiles:
    """Quantiles (numpy's default linear interpolation) of ``outcome`` per bin of ``condition``.

    Bins are half-open ``[e_i, e_i+1)`` except the last, which includes its upper
    edge; pairs with a NaN or a condition outside the edges are left out.
    Vectorised: one sort by (bin, outcome), then each quantile is read from its
    bin's sorted run, so the cost does not grow with the number of bins.
    """
    condition, outcome = np.ravel(condition), np.ravel(outcome)
    if condition.shape != outcome.shape:
        raise ValueError(f"condition has {condition.size} values but outcome has {outcome.size}")
    edges, levels_arr = np.asarray(edges, float), np.asarray(levels, float)
    n_bins = len(edges) - 1
    valid = np.isfinite(condition) & np.isfinite(outcome) & (condition >= edges[0]) & (condition <= edges[-1])
    bins = np.clip(np.searchsorted(edges, condition[valid], side="right") - 1, 0, n_bins - 1)
    values = outcome[valid]
    order = np.lexsort((values, bins))
    bins, values = bins[order], values[order]
    counts = np.bincount(bins, minlength=n_bins)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    position = levels_arr[None, :] * (np.maximum(counts, 1)[:, None] - 1)
    below = np.floor(position).astype(int)
    above = np.minimum(below + 1, np.maximum(counts, 1)[:, None] - 1)
    fraction = position - below
    if values.size:
        low = values[np.minimum(starts[:, None] + below, values.size - 1)]
        high = values[np.minimum(starts[:, None] + above, values.size - 1)]
        quantiles = low + fraction * (high - low)
    else:
        quantiles = np.full((n_bins, len(levels_arr)), np.nan)
    quantiles = np.where((counts >= max(min_count, 1))[:, None], quantiles, np.nan)
    return ConditionalQuantiles(edges=edges, levels=levels_arr, quantiles=quantiles, counts=counts)
