"""The windows a similarity model sees, read from a split's TFRecord shards in the order of meta.json.

``sequences.make_dataset`` splits every window into a forecaster's (context, target)
batches; time neighbours and analog dates need whole windows in the order of
``SplitMeta.init_times``, so the shards are read here one after another.

Two views of a window: ``context`` (the context hours of every variable, what an
analog search compares) and ``target`` (the forecast hours of the target alone, the
shape of a forecast, which the learned forecast metric compares).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from ambs.catalogue import VIEWS
from ambs.sequences import SplitMeta, parse_run, shard_files


def read_split(split_dir: Path) -> tuple[SplitMeta, np.ndarray]:
    """The split's metadata and all its windows (count, time, lat, lon, channel), float32, in init-time order."""
    meta = SplitMeta.read(split_dir)
    records = tf.data.TFRecordDataset(shard_files(split_dir))
    runs = records.map(lambda record: parse_run(record, meta.shape)).as_numpy_iterator()
    windows = np.concatenate(list(runs)) if meta.count else np.empty((0, *meta.shape), np.float32)
    if len(windows) != meta.count:
        raise ValueError(f"{split_dir}: meta.json promises {meta.count} windows, the shards hold {len(windows)}")
    return meta, windows


def context_part(meta: SplitMeta, windows: np.ndarray) -> np.ndarray:
    """The context hours of every variable: (n, context, lat, lon, variables)."""
    return windows[:, : meta.context]


def future_target(meta: SplitMeta, windows: np.ndarray) -> np.ndarray:
    """The forecast hours of the target: (n, forecast, lat, lon, 1)."""
    return windows[:, meta.context :, :, :, meta.target_index : meta.target_index + 1]


def select_view(meta: SplitMeta, windows: np.ndarray, view: str) -> np.ndarray:
    """The part of each window that the ``view`` encoder compares."""
    if view == "context":
        return context_part(meta, windows)
    if view == "target":
        return future_target(meta, windows)
    raise ValueError(f"unknown similarity view '{view}'; expected one of {list(VIEWS)}")
