"""The learned distance as a forecast score: the windows per lead, zero where forecast and truth agree, the files."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import xarray as xr
from helpers import STATS, split

from ambs.evaluation.learned_distance import lead_windows, learned_distance, score_forecast_file, write_learned_distance
from ambs.preprocessing.normalisation import Normaliser
from ambs.sequences.target_scale import TargetScale
from ambs.similarity.encoder import build_encoder
from ambs.similarity.lsim import LearnedDistance


def _series(n: int, hours: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, hours, 4, 5))


def test_lead_windows_end_at_each_lead_and_pad_a_short_context() -> None:
    context, field = _series(2, 3, 0), _series(2, 4, 1)
    windows = lead_windows(context, field, hours=3).reshape(2, 4, 3, 4, 5)
    series = np.concatenate([context, field], axis=1)
    for lead in range(1, 5):
        np.testing.assert_array_equal(windows[:, lead - 1], series[:, lead : lead + 3])  # hours lead-2 .. lead
    padded = lead_windows(context[:, -1:], field, hours=4).reshape(2, 4, 4, 4, 5)
    np.testing.assert_array_equal(padded[:, 0, :3], np.repeat(context[:, -1:], 3, axis=1))  # earliest hour repeated
    np.testing.assert_array_equal(padded[:, 0, 3], field[:, 0])


def _forecast(fcst: np.ndarray, truth: np.ndarray, context: np.ndarray) -> xr.Dataset:
    dims = ("init", "lead", "latitude", "longitude")
    return xr.Dataset(
        {
            "forecast": (dims, fcst),
            "truth": (dims, truth),
            "context": (("init", "context_lead", "latitude", "longitude"), context),
        },
        coords={
            "init": np.datetime64("2017-09-01T12", "ns") + np.arange(len(fcst)) * np.timedelta64(5, "h"),
            "lead": np.arange(1, fcst.shape[1] + 1),
            "context_lead": np.arange(1 - context.shape[1], 1),
        },
    ).assign_coords(valid_time=lambda ds: ds["init"] + ds["lead"].astype("timedelta64[h]"))


def test_distance_is_zero_until_the_first_wrong_hour_then_positive(tmp_path: Path) -> None:
    keras.utils.set_random_seed(0)
    distance = LearnedDistance(build_encoder((3, 4, 5, 1), filters=(3, 4), embedding_dim=4))
    truth = 280 + 3 * _series(2, 5, 2)  # five leads scored by a three-hour metric: past its horizon too
    fcst = truth.copy()
    fcst[:, 2:] += 2.0  # right for two hours, then wrong
    score = learned_distance(
        distance, _forecast(fcst, truth, 280 + 3 * _series(2, 4, 3)), TargetScale(Normaliser(280.0, 3.0))
    )
    assert score.dims == ("init", "lead") and score.shape == (2, 5)
    np.testing.assert_array_equal(score.values[:, :2], 0.0)
    assert np.all(score.values[:, 2:] > 0)
    write_learned_distance(score, "mine", tmp_path / "ld.nc", tmp_path / "ld.csv")
    xr.testing.assert_allclose(xr.load_dataset(tmp_path / "ld.nc")["learned_distance"], score)
    table = pd.read_csv(tmp_path / "ld.csv")
    assert table.columns.tolist() == ["model", "lead", "learned_distance"] and (table["model"] == "mine").all()
    np.testing.assert_allclose(table["learned_distance"], score.mean("init").values, rtol=1e-5)


def test_forecast_file_is_normalised_like_the_test_split(tmp_path: Path) -> None:
    test = split(tmp_path, "test", "2017-09-01T00", 30, 3)
    (tmp_path / "stats.json").write_text(json.dumps(STATS))
    keras.utils.set_random_seed(0)
    distance = LearnedDistance(build_encoder((3, 8, 8, 1), filters=(3, 4), embedding_dim=4))
    distance.save(tmp_path / "distance.keras")
    truth = 285 + 3 * np.random.default_rng(4).normal(size=(2, 3, 8, 8))
    forecast = _forecast(truth + 1.0, truth, 285 + 3 * np.random.default_rng(5).normal(size=(2, 4, 8, 8)))
    forecast.to_netcdf(tmp_path / "forecast.nc")
    files = (tmp_path / "ld.nc", tmp_path / "ld.csv")
    score = score_forecast_file(
        "mine", tmp_path / "forecast.nc", test, tmp_path / "stats.json", tmp_path / "distance.keras", *files
    )
    expected = learned_distance(distance, forecast, TargetScale(Normaliser(STATS["t2m"]["mean"], STATS["t2m"]["std"])))
    xr.testing.assert_allclose(score, expected)
    xr.testing.assert_allclose(xr.load_dataset(files[0])["learned_distance"], score)
    assert pd.read_csv(files[1])["model"].tolist() == ["mine"] * 3
