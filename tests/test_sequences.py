"""Windows, TFRecord shards and the tf.data reader."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from ambs.sequences.forcing_channels import forcing_channels
from ambs.sequences.meta import SequenceError, SplitMeta, future_forcings
from ambs.sequences.tfrecords import (
    RUN_WINDOWS,
    SHARD_SIZE,
    MonthFrames,
    make_dataset,
    read_split,
    runs,
    window_starts,
    write_split,
    write_windows,
)
from ambs.similarity.windows import select_view


def test_window_starts_skip_gaps_and_follow_stride() -> None:
    times = np.arange("2017-07-01T00", "2017-07-02T00", dtype="datetime64[h]")
    times = np.delete(times, 10)  # a missing hour
    starts = window_starts(times, 4, 2)
    for s in starts:
        assert times[s + 3] - times[s] == np.timedelta64(3, "h")
        assert (times[s] - times[0]).astype(int) % 2 == 0
    assert not any(s in starts for s in (7, 8, 9))  # windows across the gap are dropped
    assert window_starts(times[:3], 4, 1).size == 0


def _month(path: Path, start: str, hours: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    times = np.arange(np.datetime64(start, "h"), np.datetime64(start, "h") + hours).astype("datetime64[ns]")
    coords = {"time": times, "latitude": [50.0, 49.75, 49.5], "longitude": [6.0, 6.25, 6.5, 6.75]}
    shape = (hours, 3, 4)
    xr.Dataset(
        {
            "t2m": (("time", "latitude", "longitude"), 280 + rng.normal(size=shape)),
            "msl": (("time", "latitude", "longitude"), 101000 + 100 * rng.normal(size=shape)),
        },
        coords=coords,
    ).to_netcdf(path)
    return path


STATS = {"t2m": {"mean": 280.0, "std": 2.0}, "msl": {"mean": 101000.0, "std": 100.0}}


def _batches(split_dir: Path, batch_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The unshuffled training batches joined: contexts, forecast hours' forcings and targets."""
    inputs, targets = zip(*make_dataset(split_dir, batch_size=batch_size).as_numpy_iterator())
    contexts, ahead = zip(*inputs)
    return np.concatenate(contexts), np.concatenate(ahead), np.concatenate(targets)


def test_roundtrip_through_tfrecords(tmp_path: Path) -> None:
    paths = [_month(tmp_path / "a.nc", "2017-07-01T00", 30, 1), _month(tmp_path / "b.nc", "2017-07-02T06", 20, 2)]
    meta = write_split("test", paths, STATS, ["msl", "t2m"], "t2m", 3, 2, 2, tmp_path / "seq")
    assert meta == SplitMeta.read(tmp_path / "seq")
    assert meta.shape == (5, 3, 4, 2) and meta.target_index == 1
    context, ahead, target = _batches(tmp_path / "seq", 4)
    assert context.shape == (meta.count, 3, 3, 4, 2) and target.shape == (meta.count, 2, 3, 4, 1)
    assert ahead.shape == (meta.count, 2, 3, 4, 0) and meta.forcings == []
    with xr.open_dataset(paths[0]) as ds:
        first = ds.isel(time=slice(0, 5))
        np.testing.assert_allclose(context[0, ..., 0], (first["msl"].values[:3] - 101000) / 100, rtol=1e-5)
        np.testing.assert_allclose(target[0, ..., 0], (first["t2m"].values[3:] - 280) / 2, rtol=1e-5)
    assert meta.init_times[0].startswith("2017-07-01T02")
    # the two files are contiguous (30 h then 20 h), so windows span the join
    assert meta.count == len(
        window_starts(np.arange(50).astype("timedelta64[h]") + np.datetime64("2017-07-01T00"), 5, 2)
    )


def test_unshuffled_batches_keep_the_order_of_meta_across_shards(tmp_path: Path) -> None:
    """Evaluation pairs the i-th window with ``meta.init_times[i]``: reading must not interleave shards."""
    count = 2 * SHARD_SIZE + 3
    times = [str(t) for t in np.datetime64("2017-01-01T00", "h") + np.arange(count)]
    meta = SplitMeta(count, (2, 1, 1, 1), ["t2m"], "t2m", 1, 1, times, [50.0], [6.0])
    windows = np.arange(count, dtype=np.float32)[:, None, None, None, None] * np.ones((1, 2, 1, 1, 1), np.float32)
    write_windows(windows.reshape(-1, 1, 1, 1), np.arange(count) * 2, meta, tmp_path / "seq")
    contexts, _, targets = _batches(tmp_path / "seq", 16)
    np.testing.assert_array_equal(contexts.ravel(), np.arange(count))
    np.testing.assert_array_equal(targets.ravel(), np.arange(count))
    # autotuning off: with it on, Keras' fit and predict waited for the autotuning thread when they dropped the iterator
    assert make_dataset(tmp_path / "seq", batch_size=16, shuffle=True).options().autotune.enabled is False


def test_runs_hold_overlapping_or_touching_windows_up_to_the_limit() -> None:
    assert runs(np.array([0, 2, 4, 9, 30, 32, 1]), 5) == [range(0, 4), range(4, 6), range(6, 7)]
    assert runs(np.arange(RUN_WINDOWS + 1), 5) == [range(0, RUN_WINDOWS), range(RUN_WINDOWS, RUN_WINDOWS + 1)]
    assert runs(np.array([], dtype=np.int64), 5) == []


def test_every_frame_is_stored_once_and_every_window_comes_back(tmp_path: Path) -> None:
    """Overlapping windows share their frames on disk; windows across a gap and across shards are cut out exactly."""
    frames = np.random.default_rng(3).normal(size=(2 * SHARD_SIZE * 3 + 40, 3, 4, 2)).astype(np.float32)
    starts = np.concatenate([np.arange(0, 3 * SHARD_SIZE, 3), 3 * SHARD_SIZE + 20 + np.arange(0, 3 * SHARD_SIZE, 3)])
    times = [str(t) for t in np.datetime64("2017-01-01T00", "h") + starts + 4]
    meta = SplitMeta(
        len(starts), (5, 3, 4, 2), ["msl", "t2m"], "t2m", 3, 2, times, [50.0, 49.75, 49.5], [6.0, 6.25, 6.5, 6.75]
    )
    write_windows(frames, starts, meta, tmp_path / "seq")
    expected = np.stack([frames[s : s + 5] for s in starts])
    np.testing.assert_array_equal(read_split(tmp_path / "seq")[1], expected)
    contexts, _, targets = _batches(tmp_path / "seq", 7)
    np.testing.assert_array_equal(contexts, expected[:, :3])
    np.testing.assert_array_equal(targets, expected[:, 3:, :, :, 1:])
    stored = sum(f.stat().st_size for f in (tmp_path / "seq").glob("*.tfrecord"))
    covered = len(np.unique(starts[:, None] + np.arange(5)))
    # the rest: 2 frames again where a run ends (every RUN_WINDOWS windows), the headers and the start and init lists
    assert covered * frames[0].nbytes < stored < 1.05 * covered * frames[0].nbytes < expected.nbytes / 1.5


def test_a_split_in_the_former_one_window_per_record_layout_says_how_to_rebuild_it(tmp_path: Path) -> None:
    month = _month(tmp_path / "a.nc", "2017-07-01T00", 30, 1)
    meta = write_split("test", [month], STATS, ["t2m"], "t2m", 3, 2, 2, tmp_path / "seq")
    former = json.loads((tmp_path / "seq" / "meta.json").read_text())
    del former["records"]
    (tmp_path / "seq" / "meta.json").write_text(json.dumps(former))
    assert SplitMeta(**{**former, "shape": tuple(former["shape"])}) == meta
    with pytest.raises(SequenceError, match=r"seq: written by an older ambs .*--forcerun sequences"):
        make_dataset(tmp_path / "seq", batch_size=4)


def test_too_few_hours_names_the_split(tmp_path: Path) -> None:
    path = _month(tmp_path / "a.nc", "2017-07-01T00", 4, 1)
    with pytest.raises(SequenceError, match="split 'val'"):
        write_split("val", [path], STATS, ["t2m"], "t2m", 3, 2, 1, tmp_path / "seq")
    assert not (tmp_path / "seq").exists()


def test_forcing_channels_follow_the_variables_for_every_hour(tmp_path: Path) -> None:
    """The context holds every channel; the forecast hours' forcings are the second input; the target stays alone."""
    path = _month(tmp_path / "a.nc", "2017-07-01T00", 30, 1)
    forcings = ["toa_incident_solar_radiation", "cos_day_of_year"]
    meta = write_split("train", [path], STATS, ["msl", "t2m"], "t2m", 3, 2, 2, tmp_path / "seq", forcings=forcings)
    assert meta == SplitMeta.read(tmp_path / "seq")
    assert meta.forcings == forcings and meta.channels == ["msl", "t2m", *forcings] and meta.shape[-1] == 4
    context, ahead, target = _batches(tmp_path / "seq", 4)
    assert context.shape[-1] == 4 and ahead.shape == (meta.count, 2, 3, 4, 2) and target.shape[-1] == 1
    windows = read_split(tmp_path / "seq")[1]
    np.testing.assert_array_equal(ahead, future_forcings(meta, windows))
    times = np.datetime64("2017-07-01T00", "h") + np.arange(5)  # the first window
    lat, lon = np.array(meta.latitude), np.array(meta.longitude)
    expected = forcing_channels(forcings, times, lat, lon, None)
    np.testing.assert_allclose(context[0, ..., 2:], expected[:3], rtol=1e-6)
    np.testing.assert_allclose(ahead[0], expected[3:], rtol=1e-6)
    np.testing.assert_allclose(target[0, ..., 0], windows[0, 3:, ..., 1])
    # the similarity encoders: the context view holds the forcings too, the target view the target alone
    np.testing.assert_array_equal(select_view(meta, windows, "context"), context)
    np.testing.assert_array_equal(select_view(meta, windows, "target"), target)


def test_month_frames_hold_only_the_months_a_slice_spans(tmp_path: Path) -> None:
    """Cutting windows month by month: slices within, across and after a join equal the months read whole."""
    paths = [_month(tmp_path / f"{i}.nc", start, 30, i) for i, start in enumerate(["2017-07-01T00", "2017-07-02T06"])]
    paths.append(_month(tmp_path / "2.nc", "2017-07-03T12", 30, 2))
    frames = MonthFrames("test", paths[::-1], ["msl", "t2m"], STATS)  # in any order: sorted by time
    whole = np.concatenate([frames[i * 30 : (i + 1) * 30] for i in range(3)])
    for start, stop in ((0, 5), (28, 33), (29, 61), (60, 90)):
        np.testing.assert_array_equal(frames[start:stop], whole[start:stop])
        assert len(frames._cached) == (stop - 1) // 30 - start // 30 + 1  # only the months this slice spans
    with xr.open_dataset(paths[1]) as ds:
        np.testing.assert_allclose(whole[30:60, ..., 1], (ds["t2m"].values - 280) / 2, rtol=1e-5)
