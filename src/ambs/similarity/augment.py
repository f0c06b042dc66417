"""Positive pairs for contrastive training, and the controlled perturbations of the LSiM protocol.

Windows are float32 arrays (batch, time, lat, lon, channels) of z-scored fields. The
primitives take explicit per-sample strengths so that the evaluation can apply a known
ladder of strengths; ``augment`` draws those strengths from a ``np.random.Generator``
so that training is reproducible from a seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage


def shift(windows: np.ndarray, dy: np.ndarray, dx: np.ndarray) -> np.ndarray:
    """Displace each window by (dy[i], dx[i]) grid cells, repeating the edge instead of wrapping.

    Wrapping (np.roll) would put a seam of unrelated weather into the field; edge
    padding keeps the field continuous, as a slightly moved domain would see it.
    """
    pad = int(max(np.abs(dy).max(initial=0), np.abs(dx).max(initial=0)))
    height, width = windows.shape[2:4]
    padded = np.pad(windows, ((0, 0), (0, 0), (pad, pad), (pad, pad), (0, 0)), mode="edge")
    return np.stack(
        [p[:, pad - y : pad - y + height, pad - x : pad - x + width] for p, y, x in zip(padded, dy, dx, strict=True)]
    )


def add_noise(windows: np.ndarray, sigma: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Add white Gaussian noise with standard deviation sigma[i] (in z-score units) to window i."""
    noise = rng.standard_normal(windows.shape, dtype=np.float32)
    return windows + np.asarray(sigma, np.float32).reshape(-1, 1, 1, 1, 1) * noise


def smooth(windows: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Gaussian-blur each window in lat/lon with width sigma[i] grid cells (time and channels untouched)."""
    return np.stack(
        [
            ndimage.gaussian_filter(w, sigma=(0, s, s, 0), mode="nearest") if s > 0 else w
            for w, s in zip(windows, sigma, strict=True)
        ]
    )


def jitter(windows: np.ndarray, scale: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Per-window, per-channel affine change of intensity: x * scale + offset, both (batch, channels)."""
    return windows * scale[:, None, None, None, :] + offset[:, None, None, None, :]


@dataclass(frozen=True)
class Augmentation:
    """Maximum strengths of the random augmentations; each is drawn uniformly from [0, max]."""

    max_shift: int = 2
    noise: float = 0.1
    max_smooth: float = 1.0
    scale_jitter: float = 0.1
    offset_jitter: float = 0.1


def augment(windows: np.ndarray, rng: np.random.Generator, aug: Augmentation = Augmentation()) -> np.ndarray:
    """A randomly shifted, smoothed, intensity-jittered and noisy copy of each window."""
    n, channels = len(windows), windows.shape[-1]
    dy, dx = rng.integers(-aug.max_shift, aug.max_shift + 1, size=(2, n))
    x = shift(windows, dy, dx)
    x = smooth(x, rng.uniform(0.0, aug.max_smooth, n))
    scale = 1.0 + rng.uniform(-aug.scale_jitter, aug.scale_jitter, (n, channels))
    offset = rng.uniform(-aug.offset_jitter, aug.offset_jitter, (n, channels))
    x = jitter(x, scale.astype(np.float32), offset.astype(np.float32))
    return add_noise(x, rng.uniform(0.0, aug.noise, n), rng).astype(np.float32)


def later_windows(init_times: np.ndarray, max_hours: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The windows in start order, and for each window the range [low, high) of that order starting 1..max_hours later.

    ``init_times`` may be datetime64 values or ISO strings, as in ``SplitMeta.init_times``, in any order.
    """
    hours = np.asarray(init_times, dtype="datetime64[ns]").astype("datetime64[h]").astype(np.int64)
    order = np.argsort(hours, kind="stable")
    ordered = hours[order]
    low = np.searchsorted(ordered, hours + 1, side="left")
    high = np.searchsorted(ordered, hours + max_hours, side="right")
    return order, low, high


def time_neighbours(init_times: np.ndarray, max_hours: int, rng: np.random.Generator) -> np.ndarray:
    """For each window, the index of a random window starting 1..max_hours later (itself if there is none).

    The same weather a few hours on is a free positive that teaches the encoder that
    slowly evolving states are alike.
    """
    order, low, high = later_windows(init_times, max_hours)
    picked = low + np.floor(rng.random(len(order)) * (high - low)).astype(int)
    return np.where(high > low, order[np.minimum(picked, len(order) - 1)], np.arange(len(order)))


def next_in_time(init_times: np.ndarray, max_hours: int) -> np.ndarray:
    """For each window, the index of the first window starting 1..max_hours later, or -1 if there is none."""
    order, low, high = later_windows(init_times, max_hours)
    return np.where(high > low, order[np.minimum(low, len(order) - 1)], -1)


def make_views(
    anchors: np.ndarray, partners: np.ndarray, rng: np.random.Generator, aug: Augmentation = Augmentation()
) -> tuple[np.ndarray, np.ndarray]:
    """The two views of each contrastive pair: independent augmentations of a window and of its partner.

    Passing the anchors again as partners gives pure augmentation pairs; passing
    ``windows[time_neighbours(...)]`` gives time-neighbour pairs.
    """
    return augment(anchors, rng, aug), augment(partners, rng, aug)
