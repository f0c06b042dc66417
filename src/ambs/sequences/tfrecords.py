"""Sliding windows of normalised fields, stored as TFRecord shards and read back with tf.data.

A window holds ``context + forecast`` consecutive hours of all variables and forcings,
shape (time, lat, lon, channel), channels in config order. The shard directory
carries ``meta.json`` (``ambs.sequences.meta``) with the shapes, init times, grid and
the target's units needed downstream.

Windows overlap (24 hours every 5 hours by default), so a record holds a *run*: the
frames that up to ``RUN_WINDOWS`` consecutive windows cover, each frame once, with
the windows' start offsets in it. The reader cuts the windows out again with one
gather per run. Stored as one record per window, every hour was written 24/5 times.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf
import xarray as xr

from ambs.atomic import atomic_path
from ambs.extraction.variables import lookup
from ambs.preprocessing.netcdf_variables import read_variables
from ambs.preprocessing.normalisation import DEFAULT_METHOD, Normaliser
from ambs.sequences.example_encoding import run_example
from ambs.sequences.forcing_channels import forcing_channels
from ambs.sequences.meta import HOUR, SequenceError, SplitMeta, context_part, future_forcings, future_target
from ambs.sequences.target_scale import TargetScale

SHARD_SIZE = 256  # windows per shard file
RUN_WINDOWS = 64  # windows per record: bounds the frames one parse decodes


class MonthFrames:
    """The normalised frames (time, lat, lon, channel) of consecutive cropped months, read a month at a time.

    Windows are cut in time order, so a slice needs at most the months it spans: only those
    stay in memory, and cutting a split's windows holds one or two months whatever their
    number. Each variable is normalised (z-score or min-max) with the training statistics,
    those in ``anomalies`` held as departures from their climatology (``ambs.sequences.target_scale``),
    and each month is checked for non-finite values when it is read. The ``forcings`` channels
    follow the variables (``ambs.sequences.forcing_channels``; static ones from the invariants file ``static``).
    """

    def __init__(
        self,
        split: str,
        paths: list[Path],
        variables: list[str],
        stats: dict[str, Any],
        method: str = DEFAULT_METHOD,
        anomalies: dict[str, xr.Dataset] | None = None,
        forcings: list[str] | None = None,
        static: Path | None = None,
    ) -> None:
        self.split, self.variables, self.forcings, self.static = split, variables, list(forcings or []), static
        self.scales = [
            TargetScale(Normaliser.from_stats(stats, v, method), (anomalies or {}).get(v)) for v in variables
        ]
        months = []
        for path in paths:
            with xr.open_dataset(path) as ds:
                months.append((ds["time"].values, ds["latitude"].values, ds["longitude"].values, Path(path)))
        months.sort(key=lambda month: month[0][0])
        self.paths = [month[3] for month in months]
        self.times = np.concatenate([month[0] for month in months])
        if np.any(np.diff(self.times) <= np.timedelta64(0)):
            raise SequenceError(f"split '{split}': the hours of {[p.name for p in self.paths]} overlap or repeat")
        self.latitude, self.longitude = months[0][1], months[0][2]
        self.bounds = np.cumsum([0] + [len(month[0]) for month in months])  # first frame of each month, and the end
        self.shape = (len(self.times), len(self.latitude), len(self.longitude), len(variables) + len(self.forcings))
        self._cached: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, frames: slice) -> np.ndarray:
        start, stop, _ = frames.indices(len(self))
        first = int(np.searchsorted(self.bounds, start, side="right")) - 1
        last = int(np.searchsorted(self.bounds, stop, side="left")) - 1
        needed = range(first, max(first, last) + 1)
        self._cached = {m: self._cached[m] if m in self._cached else self._read(m) for m in needed}
        values = np.concatenate([self._cached[m] for m in needed]) if len(needed) > 1 else self._cached[first]
        offset = self.bounds[first]
        return values[start - offset : stop - offset]

    def _read(self, month: int) -> np.ndarray:
        """One month, normalised, its forcings after the variables: one C-ordered float32 array."""
        ds = read_variables(self.paths[month], self.variables)
        times = self.times[self.bounds[month] : self.bounds[month + 1]]
        values = np.empty((len(times), *self.shape[1:]), dtype=np.float32)
        for channel, (v, scale) in enumerate(zip(self.variables, self.scales, strict=True)):
            values[..., channel] = scale.to_windows(ds[v].transpose("time", "latitude", "longitude").values, times)
        broken = [v for i, v in enumerate(self.variables) if not np.isfinite(values[..., i]).all()]
        if broken:
            raise SequenceError(f"split '{self.split}': {broken} hold NaN or infinite values in {self.paths[month]}")
        if self.forcings:
            values[..., len(self.variables) :] = forcing_channels(
                self.forcings, times, self.latitude, self.longitude, self.static
            )
        return values


def window_starts(times: np.ndarray, length: int, stride: int) -> np.ndarray:
    """Indices where ``length`` consecutive hourly steps begin, every ``stride`` hours, skipping gaps."""
    if len(times) < length:
        return np.empty(0, dtype=int)
    span = times[length - 1 :] - times[: len(times) - length + 1]
    contiguous = np.flatnonzero(span == (length - 1) * HOUR)
    hours = (times[contiguous] - times[0]) // HOUR
    return contiguous[hours % stride == 0]


def write_split(
    split: str,
    paths: list[Path],
    stats: dict[str, Any],
    variables: list[str],
    target: str,
    context: int,
    forecast: int,
    stride: int,
    out_dir: Path,
    normalisation: str = DEFAULT_METHOD,
    forcings: list[str] | None = None,
    static: Path | None = None,
    climatology: xr.Dataset | None = None,
) -> SplitMeta:
    """Write one split's windows as TFRecord shards plus meta.json, atomically as a directory.

    The ``forcings`` channels follow the variables; static ones are read from the invariants file ``static``.
    With the target's ``climatology`` the target channel holds its departures from it (config key target_anomaly).
    """
    if not paths:
        raise SequenceError(f"split '{split}': no cropped months to cut windows from (config key 'months.{split}')")
    era5 = lookup(target)  # the target's units and names
    forcings = list(forcings or [])
    anomalies = None if climatology is None else {target: climatology}
    frames = MonthFrames(split, paths, variables, stats, normalisation, anomalies, forcings, static)
    times = frames.times
    starts = window_starts(times, context + forecast, stride)
    if starts.size == 0:
        raise SequenceError(
            f"split '{split}': {len(times)} hours in {[p.name for p in paths]} give no window of "
            f"{context + forecast} consecutive hours (context_hours + forecast_hours)"
        )
    length = context + forecast
    meta = SplitMeta(
        count=int(starts.size),
        shape=(length, *frames.shape[1:]),
        variables=list(variables),
        target=target,
        context=context,
        forecast=forecast,
        init_times=[str(times[s + context - 1]) for s in starts],
        latitude=frames.latitude.tolist(),
        longitude=frames.longitude.tolist(),
        normalisation=normalisation,
        target_units=era5.units,
        target_long_name=era5.long_name,
        target_standard_name=era5.standard_name,
        target_anomaly=climatology is not None,
        forcings=forcings,
    )
    return write_windows(frames, starts, meta, out_dir)


def write_windows(frames: np.ndarray | MonthFrames, starts: np.ndarray, meta: SplitMeta, out_dir: Path) -> SplitMeta:
    """Write the windows ``frames[start : start + length]`` that ``meta`` describes as TFRecord shards plus meta.json.

    Atomic as a directory. The one writer of ERA5 splits and of the synthetic datasets
    (``ambs.datasets.store``), so every reader sees one format.
    """
    starts = np.asarray(starts, dtype=np.int64)
    length = meta.shape[0]
    if len(starts) != meta.count or len(starts) != len(meta.init_times):
        raise SequenceError(
            f"{out_dir}: {len(starts)} windows but meta.json lists {meta.count} windows and {len(meta.init_times)} init times"
        )
    if frames.shape[1:] != meta.shape[1:]:
        raise SequenceError(f"{out_dir}: frames of shape {frames.shape[1:]}, but meta.json says {meta.shape[1:]}")
    outside = np.flatnonzero((starts < 0) | (starts + length > len(frames)))
    if outside.size:
        first = outside[0]
        raise SequenceError(
            f"{out_dir}: window {first} starts at frame {starts[first]}, outside the {len(frames)} frames"
        )
    inits = meta.init_datetimes.astype("datetime64[s]").astype(np.int64)
    with atomic_path(out_dir) as tmp:
        tmp.mkdir(parents=True)
        shards = math.ceil(meta.count / SHARD_SIZE)
        for shard in range(shards):
            offset = shard * SHARD_SIZE
            with tf.io.TFRecordWriter(str(tmp / f"shard-{shard:05d}-of-{shards:05d}.tfrecord")) as writer:
                for run in runs(starts[offset : offset + SHARD_SIZE], length):
                    members = slice(offset + run.start, offset + run.stop)
                    run_starts = starts[members]
                    run_frames = np.asarray(frames[run_starts[0] : run_starts[-1] + length], dtype=np.float32)
                    writer.write(run_example(run_frames, run_starts - run_starts[0], inits[members]))
        meta.write(tmp)
    return meta


def runs(starts: np.ndarray, length: int) -> list[range]:
    """Consecutive windows grouped into records: at most ``RUN_WINDOWS`` each, and only windows that overlap or touch.

    A window that starts before the previous one or after its end begins a new run, so a
    run holds no frame that none of its windows covers.
    """
    groups: list[range] = []
    first = 0
    for i in range(1, len(starts) + 1):
        if i == len(starts) or i - first == RUN_WINDOWS or not 0 <= starts[i] - starts[i - 1] <= length:
            groups.append(range(first, i))
            first = i
    return groups


def shard_files(split_dir: Path) -> list[str]:
    """The split's TFRecord shards in the order they were written (init-time order)."""
    return sorted(str(p) for p in Path(split_dir).glob("shard-*.tfrecord"))


def parse_run(record: tf.Tensor, shape: tuple[int, ...]) -> tf.Tensor:
    """The windows of one serialised run: (windows, time, lat, lon, channel) float32, cut out by one gather."""
    parsed = tf.io.parse_single_example(
        record, {"frames": tf.io.FixedLenFeature([], tf.string), "starts": tf.io.RaggedFeature(tf.int64)}
    )
    frames = tf.reshape(tf.io.decode_raw(parsed["frames"], tf.float32), (-1, *shape[1:]))
    return tf.gather(frames, parsed["starts"][:, None] + tf.range(shape[0], dtype=tf.int64))


def read_split(split_dir: Path) -> tuple[SplitMeta, np.ndarray]:
    """The split's metadata and all its windows (count, time, lat, lon, channel), float32, in the order of meta.json.

    The reader for similarity, which pairs the i-th window with ``meta.init_times[i]``: the
    shards are read one after another, in the order they were written.
    """
    meta = SplitMeta.read(split_dir)
    runs = _ordered_runs(split_dir, meta).as_numpy_iterator()
    windows = np.concatenate(list(runs)) if meta.count else np.empty((0, *meta.shape), np.float32)
    _check_count(split_dir, meta, len(windows))
    return meta, windows


def read_batches(split_dir: Path, windows_per_batch: int) -> Iterator[np.ndarray]:
    """The split's windows in the order of meta.json, at most ``windows_per_batch`` at a time.

    The reader for evaluation: memory is bounded by one batch (and one record), whatever
    the number of months in the split.
    """
    meta = SplitMeta.read(split_dir)
    read = 0
    for batch in _ordered_runs(split_dir, meta).unbatch().batch(windows_per_batch).as_numpy_iterator():
        read += len(batch)
        yield batch
    _check_count(split_dir, meta, read)


def _ordered_runs(split_dir: Path, meta: SplitMeta) -> tf.data.Dataset:
    """The windows of each record in turn, shards in the order they were written."""
    return tf.data.TFRecordDataset(shard_files(split_dir)).map(lambda record: parse_run(record, meta.shape))


def _check_count(split_dir: Path, meta: SplitMeta, read: int) -> None:
    if read != meta.count:
        raise SequenceError(f"{split_dir}: meta.json promises {meta.count} windows, the shards hold {read}")


def without_autotuning(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """``dataset`` with tf.data's autotuning off: its parallelism is then the fixed one it was built with.

    With autotuning on, ``keras.Model.fit`` over one epoch of 3.1-3.9 s often returned only
    5.2 s after it began: dropping the iterator waited, idle, for the autotuning thread (the
    waits always ended 5.1-5.2 s after the iterator was made, as if at the end of one of its sleeps).
    """
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def make_dataset(split_dir: Path, batch_size: int, shuffle: bool = False, seed: int = 0) -> tf.data.Dataset:
    """((context of every channel, forcings of the forecast hours), forecast of the target) batches for training,
    parsed ahead of use in one thread.

    One thread: on a CPU the training step already uses every core, and parsing on two
    threads slowed each step by 5 % (as much as the parsing costs), on one thread by 0.2 %.
    Unshuffled, the batches keep the order of meta.json; evaluation reads through ``read_batches``.
    """
    meta = SplitMeta.read(split_dir)
    shards = shard_files(split_dir)
    readers = min(len(os.sched_getaffinity(0)), len(shards))

    def split(windows: tf.Tensor) -> tuple[tuple[tf.Tensor, tf.Tensor], tf.Tensor]:
        return (context_part(meta, windows), future_forcings(meta, windows)), future_target(meta, windows)

    # Shards are read side by side only when the order does not matter.
    dataset = tf.data.TFRecordDataset(shards, num_parallel_reads=readers if shuffle and readers > 1 else None)
    dataset = dataset.map(lambda record: parse_run(record, meta.shape)).unbatch()
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(meta.count))  # lets Keras know the epoch length
    if shuffle:
        # The same order on every iteration: the seed alone decides it, also where Keras' fit under a
        # multi-worker strategy iterates the dataset once (to build the model) before training on it.
        dataset = dataset.shuffle(min(meta.count, 4 * SHARD_SIZE), seed=seed, reshuffle_each_iteration=False)
    return without_autotuning(dataset.batch(batch_size).map(split).prefetch(2))
