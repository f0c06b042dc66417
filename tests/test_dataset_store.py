"""Generated datasets on disk: per-split streams, training statistics, and windows read back like ERA5 windows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ambs.datasets.generators import generate
from ambs.datasets.raw import raw_statistics, read_raw, write_raw
from ambs.datasets.store import write_synthetic
from ambs.evaluation.forecast_files import target_attrs
from ambs.sequences.meta import SequenceError, SplitMeta
from ambs.sequences.tfrecords import make_dataset, write_windows

DIGITS = {"size": 20, "digits": 1, "speed": [1.0, 2.0]}


@pytest.fixture
def raw(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for split, count in (("train", 5), ("val", 3)):
        paths[split] = tmp_path / f"{split}.nc"
        write_raw(generate("moving_digits", split, count, 7, seed=2, options=DIGITS), paths[split])
    return paths


def test_splits_come_from_separate_streams_and_keep_name_and_units(raw: dict[str, Path]) -> None:
    train, val = read_raw(raw["train"]), read_raw(raw["val"])
    assert train.name == "intensity" and train.attrs["units"] == "1" and train.shape == (5, 7, 20, 20)
    assert not np.array_equal(train.values[:3], val.values)
    np.testing.assert_array_equal(train.values, generate("moving_digits", "train", 5, 7, 2, DIGITS).values)


def test_statistics_are_those_of_the_file(raw: dict[str, Path]) -> None:
    values = read_raw(raw["train"]).values.astype(np.float64)
    stats = raw_statistics(raw["train"])["intensity"]
    assert stats["mean"] == pytest.approx(values.mean()) and stats["std"] == pytest.approx(values.std())
    assert (stats["min"], stats["max"], stats["count"]) == (values.min(), values.max(), values.size)


def test_windows_are_normalised_with_the_training_statistics(raw: dict[str, Path], tmp_path: Path) -> None:
    stats = raw_statistics(raw["train"])
    meta = write_synthetic(raw["val"], stats, "zscore", context=4, forecast=3, out_dir=tmp_path / "val")
    assert SplitMeta.read(tmp_path / "val") == meta
    assert meta.shape == (7, 20, 20, 1) and meta.variables == ["intensity"]
    assert meta.latitude == list(range(20)) and meta.init_times == ["2000-01-01T03", "2000-01-01T10", "2000-01-01T17"]
    (x, ahead), y = next(iter(make_dataset(tmp_path / "val", batch_size=3)))
    assert meta.forcings == [] and ahead.shape == (3, 3, 20, 20, 0)  # no calendar, no geography: no forcings
    expected = (read_raw(raw["val"]).values - stats["intensity"]["mean"]) / stats["intensity"]["std"]
    np.testing.assert_allclose(x.numpy()[..., 0], expected[:, :4], rtol=1e-6)
    np.testing.assert_allclose(y.numpy()[..., 0], expected[:, 4:], rtol=1e-6)


def test_windows_keep_the_units_and_long_name_of_the_generated_variable(raw: dict[str, Path], tmp_path: Path) -> None:
    meta = write_synthetic(raw["val"], raw_statistics(raw["train"]), "zscore", 4, 3, tmp_path / "val")
    assert (
        target_attrs(SplitMeta.read(tmp_path / "val"))
        == target_attrs(meta)
        == {"units": "1", "long_name": "pixel intensity"}
    )


def test_a_window_length_other_than_context_plus_forecast_names_the_file(raw: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(SequenceError, match="val.nc"):
        write_synthetic(raw["val"], raw_statistics(raw["train"]), "zscore", 4, 4, tmp_path / "val")


def test_the_shared_writer_refuses_windows_that_do_not_match_meta(tmp_path: Path) -> None:
    meta = SplitMeta(2, (3, 2, 2, 1), ["v"], "v", 2, 1, ["2000-01-01T00", "2000-01-01T01"], [0.0, 1.0], [0.0, 1.0])
    with pytest.raises(SequenceError, match=r"frames of shape \(2, 3, 1\)"):
        write_windows(np.zeros((4, 2, 3, 1)), np.array([0, 1]), meta, tmp_path / "bad")
    with pytest.raises(SequenceError, match="1 windows"):
        write_windows(np.zeros((4, 2, 2, 1)), np.array([0]), meta, tmp_path / "bad")
    with pytest.raises(SequenceError, match="window 1 starts at frame 2, outside the 4 frames"):
        write_windows(np.zeros((4, 2, 2, 1)), np.array([0, 2]), meta, tmp_path / "bad")
    assert not (tmp_path / "bad").exists()
