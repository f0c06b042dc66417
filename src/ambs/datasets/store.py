"""Generated sequences as normalised windows, written by the same writer as ERA5 splits.

Every generated sequence is one window: its first ``context`` frames are the
context, the rest the forecast. Frames count as hours, and fake hourly init
times tile one timeline without overlap, so every window has a distinct,
ERA5-like label; the grid coordinates are pixel indices.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ambs.datasets.raw import read_raw
from ambs.preprocessing.normalisation import Normaliser
from ambs.sequences.meta import HOUR, SequenceError, SplitMeta
from ambs.sequences.tfrecords import write_windows

EPOCH = np.datetime64("2000-01-01T00", "h")


def write_synthetic(
    raw_path: Path, stats: dict[str, Any], normalisation: str, context: int, forecast: int, out_dir: Path
) -> SplitMeta:
    """Normalise one split's generated sequences with the training statistics and store them as windows.

    The windows' target keeps the units and long name of the generated variable.
    """
    sequences = read_raw(raw_path)
    count, length, height, width = sequences.shape
    if length != context + forecast:
        raise SequenceError(
            f"{raw_path}: sequences of {length} frames, but context + forecast is {context} + {forecast}"
        )
    name = str(sequences.name)
    values = Normaliser.from_stats(stats, name, normalisation).normalise(sequences.values)[..., None]
    init_times = EPOCH + (np.arange(count) * length + context - 1) * HOUR
    meta = SplitMeta(
        count=count,
        shape=(length, height, width, 1),
        variables=[name],
        target=name,
        context=context,
        forecast=forecast,
        init_times=[str(t) for t in init_times],
        latitude=[float(i) for i in range(height)],
        longitude=[float(i) for i in range(width)],
        normalisation=normalisation,
        target_units=sequences.attrs["units"],
        target_long_name=sequences.attrs["long_name"],
    )
    frames = values.reshape(count * length, height, width, 1)
    return write_windows(frames, np.arange(count) * length, meta, out_dir)
