"""How good is a distance between windows: the LSiM perturbation protocol and retrieval accuracy.

LSiM's test: perturb a field with a ladder of increasing strengths; a good distance grows
monotonically with strength, measured by the Spearman rank correlation. Retrieval: a
query's augmented twin or time neighbour should be its nearest gallery entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import numpy as np
from scipy.stats import spearmanr

from ambs.evaluation.metrics import ssim
from ambs.similarity.augment import shift, smooth

Distance = Callable[[np.ndarray, np.ndarray], np.ndarray]

LADDERS: dict[str, np.ndarray] = {
    "noise": np.linspace(0.1, 1.0, 8),  # standard deviation, z-score units
    "displacement": np.arange(1, 9),  # grid cells along both lat and lon
    "smoothing": np.linspace(0.5, 4.0, 8),  # Gaussian width, grid cells
}


def perturbation_ladder(window: np.ndarray, kind: str, strengths: np.ndarray, seed: int) -> np.ndarray:
    """Copies of one window (time, lat, lon, channels) perturbed at each strength, stacked on a new first axis.

    Noise uses one fixed pattern scaled by the strength, so that only the strength varies
    along the ladder and not the random draw.
    """
    copies = np.repeat(window[np.newaxis], len(strengths), axis=0)
    if kind == "noise":
        pattern = np.random.default_rng(seed).standard_normal(window.shape).astype(np.float32)
        return copies + np.asarray(strengths, np.float32).reshape(-1, 1, 1, 1, 1) * pattern
    if kind == "displacement":
        steps = np.asarray(strengths, dtype=int)
        return shift(copies, steps, steps)
    if kind == "smoothing":
        return smooth(copies, strengths)
    raise ValueError(f"unknown perturbation '{kind}'; expected one of {sorted(LADDERS)}")


def l2_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Root mean squared difference of each pair of windows."""
    diff = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    return np.sqrt(np.square(diff).reshape(len(diff), -1).mean(axis=1))


def ssim_distance(a: np.ndarray, b: np.ndarray, data_range: float) -> np.ndarray:
    """1 - SSIM of each pair of windows, SSIM averaged over the (time, channel) fields."""
    fields = (0, 1, 4, 2, 3)  # (batch, time, channel, lat, lon): ssim reduces the last two axes
    return 1.0 - ssim(np.transpose(a, fields), np.transpose(b, fields), data_range=data_range).mean(axis=(1, 2))


def baseline_distances(data_range: float) -> dict[str, Distance]:
    """L2 and 1 - SSIM; data_range (max - min of the data) sets SSIM's stabilising constants."""
    return {"l2": l2_distance, "1-ssim": partial(ssim_distance, data_range=data_range)}


def perturbation_spearman(
    windows: np.ndarray,
    distances: Mapping[str, Distance],
    ladders: Mapping[str, np.ndarray] = LADDERS,
    seed: int = 0,
) -> dict[str, dict[str, float]]:
    """{perturbation: {distance: Spearman rho of d(original, perturbed) with strength}}, mean over windows.

    rho is NaN for a distance that is constant along a ladder, which is then useless. Each
    distance is called once per perturbation with every window's ladder, so that a
    network distance runs in a few large batches rather than many small ones.
    """
    result: dict[str, dict[str, float]] = {}
    for kind, strengths in ladders.items():
        perturbed = np.concatenate(
            [perturbation_ladder(window, kind, strengths, seed + i) for i, window in enumerate(windows)]
        )
        originals = np.repeat(windows, len(strengths), axis=0)
        result[kind] = {}
        for name, distance in distances.items():
            per_window = distance(originals, perturbed).reshape(len(windows), len(strengths))
            result[kind][name] = float(np.mean([spearmanr(strengths, d).statistic for d in per_window]))
    return result


def retrieval_accuracy(distances: np.ndarray, targets: np.ndarray, ks: tuple[int, ...] = (1, 5)) -> dict[str, float]:
    """{"top<k>": fraction of queries whose target is among their k nearest gallery entries}.

    distances is (query, gallery); targets[i] is the gallery index of query i's match.
    Ties count against the query, so a collapsed encoder (all distances equal) scores 0.
    """
    d = np.asarray(distances)
    own = d[np.arange(len(d)), targets][:, np.newaxis]
    rank = (d <= own).sum(axis=1) - 1
    return {f"top{k}": float(np.mean(rank < k)) for k in ks}
