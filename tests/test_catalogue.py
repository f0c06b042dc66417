"""The catalogue: every entry has its implementation, and a metric added there alone reaches tables and plots."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT
from helpers import STATS, VARIABLES, cropped_month, evaluated, split

from ambs.catalogue import METRICS, MODELS, VIEWS, Kind, Metric, Model
from ambs.config import load_schema, validate_config
from ambs.evaluation.bootstrap import bands
from ambs.evaluation.scoring import (
    BASELINE_FORECASTS,
    METRIC_FUNCTIONS,
    References,
    load_test_set,
    summary_table,
)
from ambs.evaluation.skill import skill_table
from ambs.models.registry import BUILDERS, build_model
from ambs.preprocessing.climatology import monthly_hourly_climatology
from ambs.report.figure import save_figure
from ambs.report.lead_curves import metric_figure
from ambs.sequences.tfrecords import SplitMeta
from ambs.similarity.windows import select_view


def test_catalogue_imports_the_standard_library_only() -> None:
    code = (
        "import sys; before = set(sys.modules); import ambs.catalogue\n"
        "print(sorted({m.split('.')[0] for m in set(sys.modules) - before} - set(sys.stdlib_module_names) - {'ambs'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_metric_units_and_labels_follow_the_target_units() -> None:
    assert [METRICS[m].units("K") for m in ("mse", "rmse", "psnr", "ssim")] == ["K2", "K", "dB", "1"]
    assert METRICS["mse"].units("m**2 s**-2") == "(m**2 s**-2)**2" and METRICS["rmse"].units("1") == "1"
    assert METRICS["mse"].axis_label("K") == "MSE [K²]" and METRICS["rmse"].axis_label("K") == "RMSE [K]"
    assert METRICS["psnr"].axis_label("K") == "PSNR [dB]" and METRICS["ssim"].axis_label("K") == "SSIM"
    assert (
        METRICS["mse"].axis_label("m**2 s**-2") == "MSE [(m**2 s**-2)²]" and METRICS["rmse"].axis_label("1") == "RMSE"
    )


def test_every_metric_has_a_function() -> None:
    assert list(METRIC_FUNCTIONS) == list(METRICS)


def _names(kind: Kind) -> set[str]:
    return {name for name, model in MODELS.items() if model.kind is kind}


def test_every_model_has_what_it_needs() -> None:
    assert set(BUILDERS) == _names(Kind.NETWORK)
    assert set(BASELINE_FORECASTS) == _names(Kind.BASELINE) | _names(Kind.REFERENCE)
    references = {field.name for field in dataclasses.fields(References)}
    assert all(set(model.needs) <= references for model in MODELS.values())
    hyperparameters = set(load_schema()["properties"]["hyperparameters"]["properties"])
    assert {name for name, model in MODELS.items() if model.has_model_file} <= hyperparameters


def test_stochastic_networks_and_only_they_draw_samples() -> None:
    meta = SplitMeta(0, (7, 16, 16, 2), VARIABLES, "t2m", 4, 3, [], [], [])
    hyper = {
        **yaml.safe_load((ROOT / "config" / "waveeq.yaml").read_text())["hyperparameters"],
        **yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["hyperparameters"],
    }
    for name in _names(Kind.NETWORK):
        assert hasattr(build_model(name, meta, hyper[name]), "sample") == MODELS[name].stochastic, name


@pytest.mark.parametrize("view", VIEWS)
def test_every_similarity_view_selects_part_of_a_window(view: str) -> None:
    meta = SplitMeta(2, (7, 8, 8, 2), VARIABLES, "t2m", 4, 3, [], [], [])
    windows = np.zeros((2, *meta.shape), np.float32)
    assert select_view(meta, windows, view).size < windows.size


def test_config_allows_the_catalogue_models(default_config: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    default_config["models"] = ["persistence", "zero"]
    with pytest.raises(ValueError, match="allowed values: 'convlstm'"):
        validate_config(default_config)
    monkeypatch.setitem(MODELS, "zero", Model("zero", Kind.BASELINE))
    validate_config(default_config)


@pytest.fixture
def dummy_metric(monkeypatch: pytest.MonkeyPatch) -> str:
    """The largest absolute error, added through the catalogue and its function alone."""
    monkeypatch.setitem(METRICS, "max_error", Metric("max_error", "largest error", 1, 0.0))
    monkeypatch.setitem(METRIC_FUNCTIONS, "max_error", lambda s: np.abs(s.forecast - s.truth).max(axis=(-2, -1)))
    return "max_error"


def test_a_metric_added_to_the_catalogue_reaches_table_skill_and_plot(dummy_metric: str, tmp_path: Path) -> None:
    train = cropped_month(tmp_path / "train.nc", "2017-09-01T00", 48, 1)
    split(tmp_path, "test", "2017-09-01T00", 48, 3)
    test = load_test_set(tmp_path / "test", STATS)
    references = References(climatology=monthly_hourly_climatology([train], "t2m"))
    results, tables = {}, []
    for model in ("persistence", "climatology"):
        results[model], forecast = evaluated(model, None, test, references, tmp_path)
        error = np.abs(forecast["forecast"] - forecast["truth"]).max(("latitude", "longitude"))
        np.testing.assert_allclose(results[model][dummy_metric], error, rtol=1e-6)
        assert results[model][dummy_metric].attrs["units"] == "K"
        tables.append(tmp_path / f"{model}.csv")
        summary_table(results[model]).to_csv(tables[-1], index=False)  # as scripts/evaluate.py writes metrics.csv

    summarize = [sys.executable, str(ROOT / "scripts" / "summarize.py"), "--csv", str(tmp_path / "metrics_table.csv")]
    out = subprocess.run(
        [*summarize, "--markdown", str(tmp_path / "table.md"), *map(str, tables)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(tmp_path / "metrics_table.csv")
    assert list(table.columns)[-1] == f"{dummy_metric}_max" and table[dummy_metric].notna().all()

    skill = skill_table(results, ["persistence"])
    assert len(skill[(skill.model == "climatology") & (skill.metric == dummy_metric)]) == test.meta.forecast

    curves = [bands(result, 24, 20, 0) for result in results.values()]
    figure = metric_figure(curves, dummy_metric, "K")
    assert figure.axes[0].get_ylabel() == "largest error [K]" and len(figure.axes[0].lines) == 2
    save_figure(figure, tmp_path / f"{dummy_metric}_vs_lead.png")
    assert (tmp_path / f"{dummy_metric}_vs_lead.png").stat().st_size > 0
