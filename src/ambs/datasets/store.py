"""Store synthetic sequences exactly like ERA5 windows (TFRecord shards + meta.json).

``write_windows`` is the window-writing half of ``ambs.sequences.write_split``;
it is meant to move there so both paths share one writer.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import tensorflow as tf

from ambs.atomic import atomic_path
from ambs.sequences import HOUR, SHARD_SIZE, SplitMeta, _example

EPOCH = np.datetime64("2000-01-01T00", "h")


def write_windows(
    windows: np.ndarray,
    init_times: np.ndarray,
    latitude: list[float],
    longitude: list[float],
    variables: list[str],
    target: str,
    context: int,
    forecast: int,
    out_dir: Path,
) -> SplitMeta:
    """Write (n, context + forecast, lat, lon, channel) windows as shards plus meta.json, atomically."""
    windows = np.asarray(windows, np.float32)
    if windows.ndim != 5 or windows.shape[1] != context + forecast or windows.shape[-1] != len(variables):
        raise ValueError(f"windows of shape {windows.shape} do not match {context}+{forecast} hours of {variables}")
    meta = SplitMeta(
        count=len(windows),
        shape=tuple(windows.shape[1:]),
        variables=list(variables),
        target=target,
        context=context,
        forecast=forecast,
        init_times=[str(t) for t in init_times],
        latitude=[float(v) for v in latitude],
        longitude=[float(v) for v in longitude],
    )
    with atomic_path(out_dir) as tmp:
        tmp.mkdir(parents=True)
        shards = math.ceil(len(windows) / SHARD_SIZE)
        for shard in range(shards):
            with tf.io.TFRecordWriter(str(tmp / f"shard-{shard:05d}-of-{shards:05d}.tfrecord")) as writer:
                for i in range(shard * SHARD_SIZE, min((shard + 1) * SHARD_SIZE, len(windows))):
                    writer.write(_example(np.ascontiguousarray(windows[i]), init_times[i]))
        (tmp / "meta.json").write_text(json.dumps(meta.__dict__, indent=1))
    return meta


def write_synthetic(sequences: np.ndarray, variable: str, context: int, forecast: int, out_dir: Path) -> SplitMeta:
    """Store generated (n, context + forecast, H, W, 1) sequences with grid-index coordinates.

    Fake hourly init times tile one timeline without overlap, so every
    window has a distinct, ERA5-like label.
    """
    n, length, height, width, _ = sequences.shape
    init_times = EPOCH + (np.arange(n) * length + context - 1) * HOUR
    return write_windows(
        sequences, init_times, list(range(height)), list(range(width)), [variable], variable, context, forecast, out_dir
    )
