"""Evaluation batch by batch: the same scores and forecast file as scoring the whole test split at once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from helpers import STATS, evaluated, evaluation_inputs

from ambs.evaluation.scoring import References, load_test_set
from ambs.models.registry import build_model
from ambs.preprocessing.climatology import load_months
from ambs.sequences.meta import SplitMeta
from ambs.sequences.tfrecords import make_dataset, read_batches, read_split

BATCH = 4  # windows per batch: the 27 test windows come in 7 batches, the last of 3


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Training month, its climatology, a test split of 28 windows and a ConvLSTM fitted for one epoch."""
    tmp = evaluation_inputs(tmp_path_factory.mktemp("stream"))
    model = build_model("convlstm", SplitMeta.read(tmp / "test"), {"filters": 4, "kernel_size": 3})
    model.compile(optimizer="adam", loss="mse")
    model.fit(make_dataset(tmp / "test", 8), epochs=1, verbose=0)  # off the initial persistence
    model.save(tmp / "convlstm.keras")
    return tmp


def test_batches_are_the_windows_in_order(data: Path) -> None:
    meta, windows = read_split(data / "test")
    batches = list(read_batches(data / "test", BATCH))
    assert [len(b) for b in batches] == [BATCH] * (meta.count // BATCH) + (
        [meta.count % BATCH] if meta.count % BATCH else []
    )
    np.testing.assert_array_equal(np.concatenate(batches), windows)


@pytest.mark.parametrize("model", ["persistence", "persistence24", "climatology", "convlstm"])
def test_streamed_scores_and_forecasts_equal_the_whole_split_at_once(data: Path, model: str, tmp_path: Path) -> None:
    references = References(
        climatology=xr.load_dataset(data / "climatology.nc"), history=load_months([data / "test.nc"], "t2m")
    )
    weights = data / "convlstm.keras" if model == "convlstm" else None
    count = SplitMeta.read(data / "test").count
    assert count > 2 * BATCH
    results = {}
    for windows in (count, BATCH):
        (tmp_path / str(windows)).mkdir()
        test = load_test_set(data / "test", STATS, windows_per_batch=windows)
        results[windows] = evaluated(model, weights, test, references, tmp_path / str(windows))
    (whole, whole_forecast), (streamed, streamed_forecast) = results[count], results[BATCH]
    assert streamed.identical(whole) and streamed_forecast.identical(whole_forecast)  # exactly, bit for bit
    assert streamed_forecast.sizes["init"] == count and np.isfinite(streamed["rmse"].values).any()
