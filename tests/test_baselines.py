"""Baselines (persistence, yesterday's weather, climatology), the month x hour climatology, the CF forecast files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import ROOT
from helpers import STATS, cropped_month, evaluated, evaluation_inputs

from ambs.catalogue import BASELINES
from ambs.evaluation.forecast_files import combine
from ambs.evaluation.scoring import References, TestSplit, evaluate, load_test_set, summary_table
from ambs.models.baselines import daily_lags, daily_persistence, persistence
from ambs.preprocessing.climatology import at_valid_times, fallback_months, load_months, monthly_hourly_climatology

HOUR = np.timedelta64(1, "h")


def hour_stamped(times: np.ndarray) -> xr.DataArray:
    """A (time, 2, 3) field whose value is the hour since 2017-01-01, so a lookup shows which hour it read."""
    hours = (times - np.datetime64("2017-01-01T00", "ns")) / HOUR
    values = np.broadcast_to(hours[:, None, None], (len(times), 2, 3)).astype(np.float64)
    return xr.DataArray(values, dims=("time", "latitude", "longitude"), coords={"time": times})


def test_persistence_repeats_the_last_observed_hour() -> None:
    observed = np.random.default_rng(0).normal(size=(2, 4, 3, 5))
    forecast = persistence(observed, 6)
    assert forecast.shape == (2, 6, 3, 5)
    for lead in range(6):
        np.testing.assert_array_equal(forecast[:, lead], observed[:, -1])


def test_daily_lags_never_reach_past_the_init_time() -> None:
    leads = np.array([1, 12, 24, 25, 48, 49])
    np.testing.assert_array_equal(daily_lags(leads), [24, 24, 24, 48, 48, 72])
    assert np.all(leads - daily_lags(leads) <= 0)


def test_daily_persistence_reads_the_same_hour_on_the_last_observed_day() -> None:
    times = np.arange(np.datetime64("2017-09-01T00", "ns"), np.datetime64("2017-09-04T00", "ns"), HOUR)
    history = hour_stamped(times)
    init = np.array(["2017-09-02T05", "2017-09-03T10"], dtype="datetime64[ns]")
    leads = np.array([1, 2, 30])
    forecast = daily_persistence(history, init, leads)
    assert forecast.shape == (2, 3, 2, 3)
    start = (np.datetime64("2017-09-01T00") - np.datetime64("2017-01-01T00")) / HOUR
    # init 1: valid 06, 07 on the 2nd -> 06, 07 on the 1st; lead 30 -> valid 3rd 11 h -> 1st 11 h
    np.testing.assert_array_equal(forecast[0, :, 0, 0], start + np.array([6, 7, 11]))
    np.testing.assert_array_equal(forecast[1, :, 1, 2], start + np.array([24 + 11, 24 + 12, 24 + 16]))


def test_daily_persistence_is_missing_before_the_history_starts() -> None:
    times = np.arange(np.datetime64("2017-09-01T00", "ns"), np.datetime64("2017-09-03T00", "ns"), HOUR)
    forecast = daily_persistence(
        hour_stamped(times), np.array(["2017-09-01T20"], dtype="datetime64[ns]"), np.arange(1, 7)
    )
    # valid 21 h .. 02 h next day: 24 h earlier lies before the data for every lead up to 3 h past midnight
    assert np.isnan(forecast[0, :3]).all() and np.isfinite(forecast[0, 3:]).all()


@pytest.fixture(scope="module")
def training_months(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    tmp = tmp_path_factory.mktemp("clim")
    return [
        cropped_month(tmp / "2017-07.nc", "2017-07-01T00", 72, 0),
        cropped_month(tmp / "2017-08.nc", "2017-08-01T00", 48, 1),
    ]


def test_climatology_by_month_and_hour_of_day(training_months: list[Path]) -> None:
    clim = monthly_hourly_climatology(training_months, "t2m")
    july, august = (xr.load_dataset(p)["t2m"].values.astype(np.float64) for p in training_months)
    np.testing.assert_allclose(clim["climatology"].sel(month=7), july.reshape(3, 24, 8, 8).mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(clim["climatology"].sel(month=8), august.reshape(2, 24, 8, 8).mean(axis=0), rtol=1e-6)
    pooled = np.concatenate([july, august]).reshape(5, 24, 8, 8).mean(axis=0)
    np.testing.assert_allclose(clim["climatology_all_months"], pooled, rtol=1e-6)
    assert clim["climatology"].attrs["units"] == "K"


def test_climatology_at_valid_times_with_fallback_for_untrained_months(training_months: list[Path]) -> None:
    clim = monthly_hourly_climatology(training_months, "t2m")
    valid = np.array([["2019-07-05T13", "2019-08-06T00"], ["2019-09-01T05", "2018-07-31T23"]], dtype="datetime64[ns]")
    fields = at_valid_times(clim, valid)
    assert fields.shape == (2, 2, 8, 8)
    np.testing.assert_array_equal(fields[0, 0], clim["climatology"].sel(month=7, hour=13))
    np.testing.assert_array_equal(fields[0, 1], clim["climatology"].sel(month=8, hour=0))
    np.testing.assert_array_equal(fields[1, 0], clim["climatology_all_months"].sel(hour=5))
    np.testing.assert_array_equal(fields[1, 1], clim["climatology"].sel(month=7, hour=23))
    assert fallback_months(clim, valid) == [9]


def test_climatology_names_missing_hours(training_months: list[Path]) -> None:
    clim = monthly_hourly_climatology(training_months, "t2m").sel(hour=slice(0, 11))
    np.testing.assert_array_equal(
        at_valid_times(clim, np.array(["2019-07-01T11"], dtype="datetime64[ns]"))[0],
        clim["climatology"].sel(month=7, hour=11),
    )
    with pytest.raises(ValueError, match=r"hours of day \[12\]"):
        at_valid_times(clim, np.array(["2019-07-01T12"], dtype="datetime64[ns]"))


@pytest.fixture(scope="module")
def eval_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return evaluation_inputs(tmp_path_factory.mktemp("eval"))


@pytest.fixture(scope="module")
def test_set(eval_dir: Path) -> tuple[TestSplit, References]:
    references = References(
        climatology=xr.load_dataset(eval_dir / "climatology.nc"), history=load_months([eval_dir / "test.nc"], "t2m")
    )
    return load_test_set(eval_dir / "test", STATS), references


def test_yesterdays_weather_from_the_test_month(test_set: tuple[TestSplit, References], tmp_path: Path) -> None:
    test, references = test_set
    result, forecast = evaluated("persistence24", None, test, references, tmp_path)
    history = references.history
    for i, init in enumerate(test.meta.init_datetimes):
        for j, lead in enumerate(test.meta.leads):
            source = init + (lead - 24) * HOUR
            if source < history["time"].values[0]:
                assert np.isnan(forecast["forecast"][i, j]).all() and np.isnan(result["rmse"][i, j])
            else:
                np.testing.assert_allclose(forecast["forecast"][i, j], history.sel(time=source), rtol=1e-6)
    assert result["rmse"].isnull().any() and result["rmse"].notnull().any()
    assert summary_table(result)[["rmse", "ssim", "acc"]].notna().all().all()


def test_climatology_forecast_scores(test_set: tuple[TestSplit, References], tmp_path: Path) -> None:
    test, references = test_set
    result, forecast = evaluated("climatology", None, test, references, tmp_path)
    np.testing.assert_allclose(
        forecast["forecast"], at_valid_times(references.climatology, test.meta.valid_times), rtol=1e-6
    )
    assert (result["acc"] == 0).all()
    assert result.attrs["climatology_fallback_months"] == "9"  # trained on July, tested on September


def test_without_geography_acc_and_latitude_weighting_are_skipped(
    test_set: tuple[TestSplit, References], tmp_path: Path
) -> None:
    test, _ = test_set
    result = evaluate("persistence", None, test, References(), tmp_path / "forecast.nc")
    assert {"mse", "rmse", "bias", "mae", "psnr", "ssim", "gradient_ratio"} == set(result.data_vars)
    with pytest.raises(ValueError, match="--climatology"):
        evaluate("climatology", None, test, References(), tmp_path / "forecast.nc")
    with pytest.raises(ValueError, match="--history"):
        evaluate("persistence24", None, test, References(), tmp_path / "forecast.nc")


def test_combined_forecast_file_is_cf(test_set: tuple[TestSplit, References], tmp_path: Path) -> None:
    test, references = test_set
    forecasts = [evaluated(name, None, test, references, tmp_path)[1] for name in BASELINES]
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "forecasts.py"),
        "--out",
        str(tmp_path / "all.nc"),
        *(str(tmp_path / f"{name}-forecast.nc") for name in BASELINES),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    combined = xr.open_dataset(tmp_path / "all.nc", decode_times=False)
    assert combined.attrs["Conventions"] == "CF-1.8"
    assert combined["forecast"].dims == ("model", "init", "lead", "latitude", "longitude")
    assert combined["model"].values.tolist() == list(BASELINES)
    assert combined["truth"].dims == ("init", "lead", "latitude", "longitude")
    assert (
        combined["init"].attrs["standard_name"] == "forecast_reference_time"
        and "hours since" in combined["init"].attrs["units"]
    )
    assert combined["lead"].attrs == {
        "units": "hours",
        "standard_name": "forecast_period",
        "long_name": "forecast lead time",
    }
    assert combined["valid_time"].attrs["standard_name"] == "time"
    assert (
        combined["forecast"].attrs["standard_name"] == "air_temperature" and combined["forecast"].attrs["units"] == "K"
    )
    assert combined["latitude"].attrs["units"] == "degrees_north" and "_FillValue" not in combined["latitude"].encoding
    decoded = xr.decode_cf(combined)
    np.testing.assert_allclose(decoded["forecast"].sel(model="persistence"), forecasts[0]["forecast"])
    np.testing.assert_array_equal(decoded["valid_time"].values, test.meta.valid_times)


def test_combine_rejects_forecasts_of_different_test_sets(
    test_set: tuple[TestSplit, References], tmp_path: Path
) -> None:
    test, references = test_set
    first = evaluated("persistence", None, test, references, tmp_path)[1]
    other = first.assign(truth=first["truth"] + 1).assign_attrs(model="other")
    with pytest.raises(ValueError, match="'other': its truth differs"):
        combine([first, other])


def _run(script: str, *args: object) -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *map(str, args)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr[-3000:]


def test_evaluate_and_skill_scripts_write_every_output(
    eval_dir: Path, test_set: tuple[TestSplit, References], tmp_path: Path
) -> None:
    out = tmp_path / "persistence24"
    _run(
        "evaluate.py",
        "--model",
        "persistence24",
        "--test",
        eval_dir / "test",
        "--stats",
        eval_dir / "stats.json",
        "--climatology",
        eval_dir / "climatology.nc",
        "--history",
        eval_dir / "test.nc",
        "--metrics",
        out / "metrics.nc",
        "--bands",
        out / "bands.nc",
        "--forecast",
        out / "forecast.nc",
        "--table",
        out / "metrics.csv",
        "--block-hours",
        24,
        "--resamples",
        100,
        "--bootstrap-seed",
        0,
    )
    bands = xr.load_dataset(out / "bands.nc")
    assert bands.attrs["block_hours"] == 24 and bands.attrs["resamples"] == 100 and bands.attrs["blocks"] == 3
    assert bands["acc"].dims == ("lead", "bound") and bands["acc_mean"].notnull().all()
    assert xr.load_dataset(out / "forecast.nc")["forecast"].isnull().any()  # no yesterday for the first inits
    evaluate("persistence", None, *test_set, tmp_path / "forecast.nc").to_netcdf(tmp_path / "persistence.nc")
    _run(
        "skill.py",
        "--out",
        tmp_path / "skill.csv",
        "--baselines",
        "persistence",
        "persistence24",
        "--metrics",
        tmp_path / "persistence.nc",
        out / "metrics.nc",
    )
    skill = pd.read_csv(tmp_path / "skill.csv")
    assert set(skill["metric"]) == {"mse", "rmse", "mae", "rmse_latw", "ssim", "acc"}
    assert set(zip(skill["model"], skill["baseline"])) == {
        ("persistence", "persistence24"),
        ("persistence24", "persistence"),
    }
