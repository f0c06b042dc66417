"""The synthetic datasets the workflow generates instead of ERA5, keyed by their config name (``dataset:``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ambs.catalogue import SPLITS
from ambs.datasets.moving_digits import generate_moving_digits
from ambs.datasets.waveeq import generate_waveeq


@dataclass(frozen=True)
class SyntheticDataset:
    """One dataset: the name, units and long name of its single variable, and its generator.

    ``generator(count, frames, seed=..., **options)`` returns (count, frames, H, W)
    float32 values; ``options`` are the dataset's block under ``datasets.<name>``
    in the config, less ``sequences``.
    """

    name: str
    variable: str
    units: str
    long_name: str
    generator: Callable[..., np.ndarray]


DATASETS: dict[str, SyntheticDataset] = {
    d.name: d
    for d in (
        SyntheticDataset("waveeq", "u", "1", "wave amplitude", generate_waveeq),
        SyntheticDataset("moving_digits", "intensity", "1", "pixel intensity", generate_moving_digits),
    )
}


def generate(name: str, split: str, count: int, frames: int, seed: int, options: dict[str, Any]) -> xr.DataArray:
    """``count`` sequences of ``frames`` frames of one split, (sequence, time, y, x), named and with units.

    Each split draws from its own random stream of ``seed``, so the splits never share a sequence.
    """
    dataset = DATASETS[name]
    values = dataset.generator(count, frames, seed=[seed, SPLITS.index(split)], **options)
    return xr.DataArray(
        values,
        dims=("sequence", "time", "y", "x"),
        name=dataset.variable,
        attrs={"units": dataset.units, "long_name": dataset.long_name, "dataset": name, "split": split},
    )
