"""Z-score and min-max normalisation with training statistics only: no leakage from validation or test months."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from helpers import cropped_month

from ambs.config import Area
from ambs.evaluation.scoring import load_test_set
from ambs.extraction.month import extract_month
from ambs.extraction.synthetic import SyntheticClient
from ambs.preprocessing.climatology import at_valid_times, monthly_hourly_climatology
from ambs.preprocessing.crop import run
from ambs.preprocessing.normalisation import METHODS, Normaliser
from ambs.sequences.meta import SplitMeta
from ambs.sequences.tfrecords import MonthFrames, write_split

DOMAIN = Area(north=51.0, west=6.0, south=49.0, east=8.0)
MONTHS = {"train": "2017-07", "val": "2017-08", "test": "2017-09"}
VARIABLES = ["t2m", "msl"]


def _stats(values: np.ndarray) -> dict[str, float]:
    return {
        "mean": float(values.mean()),
        "std": float(values.std()),
        "min": float(values.min()),
        "max": float(values.max()),
    }


@pytest.mark.parametrize("method", METHODS)
def test_round_trip(method: str) -> None:
    values = 280 + 5 * np.random.default_rng(0).normal(size=(50, 3))
    normaliser = Normaliser.from_stats({"t2m": _stats(values)}, "t2m", method)
    np.testing.assert_allclose(normaliser.denormalise(normaliser.normalise(values)), values, rtol=1e-12)


def test_methods_scale_the_training_data_as_documented() -> None:
    train = 280 + 5 * np.random.default_rng(1).normal(size=1000)
    stats = {"t2m": _stats(train)}
    zscored = Normaliser.from_stats(stats, "t2m", "zscore").normalise(train)
    assert zscored.mean() == pytest.approx(0, abs=1e-9) and zscored.std() == pytest.approx(1)
    scaled = Normaliser.from_stats(stats, "t2m", "minmax").normalise(train)
    assert scaled.min() == pytest.approx(0, abs=1e-12) and scaled.max() == pytest.approx(1)


def test_errors_name_the_statistics_and_the_key() -> None:
    with pytest.raises(KeyError, match=r"statistics.json: variable 't2m' lacks \['min', 'max'\]"):
        Normaliser.from_stats({"t2m": {"mean": 1.0, "std": 1.0}}, "t2m", "minmax")
    with pytest.raises(ValueError, match="no spread"):
        Normaliser.from_stats({"t2m": {"mean": 1.0, "std": 0.0}}, "t2m", "zscore")
    with pytest.raises(ValueError, match="config key 'normalisation'"):
        Normaliser.from_stats({"t2m": {"mean": 1.0, "std": 1.0}}, "t2m", "robust")


@pytest.fixture(scope="module")
def raw_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("raw")
    for month in MONTHS.values():
        extract_month(SyntheticClient(5), VARIABLES, DOMAIN, month, [1], list(range(24)), root / month, lambda _: None)
    return root


def _preprocess(raw_root: Path, out: Path) -> dict:
    run(
        list(MONTHS.values()),
        [MONTHS["train"]],
        raw_root,
        out,
        out / "stats.json",
        VARIABLES,
        DOMAIN,
        log=lambda _: None,
    )
    return json.loads((out / "stats.json").read_text())


def test_statistics_come_from_the_training_months_only(raw_root: Path, tmp_path: Path) -> None:
    stats = _preprocess(raw_root, tmp_path / "a")
    train = xr.load_dataset(tmp_path / "a" / f"{MONTHS['train']}.nc")
    for name in VARIABLES:
        np.testing.assert_allclose(
            [stats[name][k] for k in ("mean", "std", "min", "max")],
            list(_stats(train[name].values.astype(np.float64)).values()),
            rtol=1e-9,
        )
    # Replace the validation and test months with very different data: the statistics must not move.
    for split in ("val", "test"):
        with xr.open_dataset(raw_root / MONTHS[split] / "sfc.nc") as ds:
            changed = ds.load()
        changed["t2m"] = changed["t2m"] + 40.0
        changed.to_netcdf(tmp_path / "sfc.nc")
        (raw_root / MONTHS[split] / "sfc.nc").write_bytes((tmp_path / "sfc.nc").read_bytes())
    assert _preprocess(raw_root, tmp_path / "b") == stats


@pytest.mark.parametrize("anomaly", [False, True], ids=["fields", "departures"])
@pytest.mark.parametrize("method", METHODS)
def test_test_windows_are_scaled_with_training_statistics_and_restored_exactly(
    method: str, anomaly: bool, tmp_path: Path
) -> None:
    """Plain windows hold the normalised target; with its climatology, the normalised departure from it."""
    train = cropped_month(tmp_path / "train.nc", "2017-07-01T00", 48, 1)
    test = cropped_month(tmp_path / "test.nc", "2017-07-10T00", 30, 2)
    with xr.open_dataset(train) as ds:
        stats = {name: _stats(ds[name].values.astype(np.float64)) for name in VARIABLES}
    climatology = monthly_hourly_climatology([train], "t2m") if anomaly else None
    with xr.open_dataset(test) as ds:
        raw = ds["t2m"].values.astype(np.float64)
        reference = at_valid_times(climatology, ds["time"].values) if anomaly else 0.0
    normaliser = Normaliser.from_stats(stats, "t2m", method)
    normalised = MonthFrames("test", [test], VARIABLES, stats, method, {"t2m": climatology} if anomaly else None)[:]
    expected = normaliser.normalise(raw) - (normaliser.normalise(reference) if anomaly else 0.0)
    np.testing.assert_allclose(normalised[..., 0], expected, rtol=0, atol=2e-5)  # float32 data
    meta = write_split(
        "test",
        [test],
        stats,
        VARIABLES,
        "t2m",
        4,
        3,
        2,
        tmp_path / "seq",
        normalisation=method,
        climatology=climatology,
    )
    written = SplitMeta.read(tmp_path / "seq")
    assert written.normalisation == method == meta.normalisation and written.target_anomaly == anomaly
    assert written.channels == ["t2m - climatology" if anomaly else "t2m", "msl"]
    if anomaly:
        with pytest.raises(ValueError, match="climatology"):
            load_test_set(tmp_path / "seq", stats)
    windows = next(load_test_set(tmp_path / "seq", stats, climatology).batches())
    first = int((np.datetime64(meta.init_times[0]) - np.datetime64("2017-07-10T00")) / np.timedelta64(1, "h"))
    np.testing.assert_allclose(windows.truth[0], raw[first + 1 : first + 4], rtol=1e-6)
    np.testing.assert_allclose(windows.observed[0], raw[first - 3 : first + 1], rtol=1e-6)
