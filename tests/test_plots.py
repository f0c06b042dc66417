"""Figures of the report, drawn from tiny synthetic files shaped like the evaluation outputs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import ROOT
from matplotlib.collections import LineCollection, PolyCollection

from ambs.config import ConfigError, validate_config
from ambs.evaluation.conditional_quantiles import common_edges, conditional_quantiles
from ambs.report.coastline import is_geographic, lines_in_box, load_coastlines
from ambs.report.examples import case_at_quantile, case_index, case_mse, example_figure
from ambs.report.figure import plt, save_figure
from ambs.report.lead_curves import metric_figure
from ambs.report.maps import map_grid
from ambs.report.quantile_diagrams import check_leads, quantiles_figure
from ambs.report.tables import csv_to_html
from ambs.report.training_curves import read_history, training_figure

COASTLINE = ROOT / "resources" / "coastline_europe.geojson"
LEADS, CONTEXT, INITS = 4, 3, 9


def forecast_file(model: str, offset: float, geographic: bool = True, seed: int = 0) -> xr.Dataset:
    """A forecast.nc as evaluate writes it: forecast, truth (init, lead, lat, lon) and context."""
    rng = np.random.default_rng(seed)
    lat, lon = np.arange(54.0, 51.75, -0.25), np.arange(6.0, 9.25, 0.25)  # the German Bight: coast inside
    shape = (INITS, LEADS, lat.size, lon.size)
    truth = 285 + 3 * rng.normal(size=shape)
    context = 285 + 3 * rng.normal(size=(INITS, CONTEXT, lat.size, lon.size))
    forecast = truth + offset * (1 + np.arange(INITS))[:, None, None, None] * rng.normal(size=shape)
    units = (
        {"lat": {"units": "degrees_north"}, "lon": {"units": "degrees_east"}} if geographic else {"lat": {}, "lon": {}}
    )
    attrs = {"units": "K", "long_name": "2 metre temperature"}
    dims = ("init", "lead", "latitude", "longitude")
    return xr.Dataset(
        {
            "forecast": (dims, forecast, attrs),
            "truth": (dims, truth, attrs),
            "context": (("init", "context_lead", "latitude", "longitude"), context, attrs),
        },
        coords={
            "init": np.datetime64("2017-09-01T05", "ns") + np.arange(INITS) * np.timedelta64(3, "h"),
            "lead": np.arange(1, LEADS + 1),
            "context_lead": np.arange(1 - CONTEXT, 1),
            "latitude": ("latitude", lat, units["lat"]),
            "longitude": ("longitude", lon, units["lon"]),
        },
        attrs={"model": model},
    )


def bands_file(model: str, scale: float, with_spread: bool = False, seed: int | None = None) -> xr.Dataset:
    """A bands.nc of one run: <metric>_mean over lead and <metric> over (lead, bound q05/q95)."""
    lead = np.arange(1, LEADS + 1)
    mean = scale * lead
    data = {"rmse_mean": ("lead", mean), "rmse": (("lead", "bound"), np.stack([mean - 0.5, mean + 0.5], axis=1))}
    if with_spread:
        data |= {"spread_mean": ("lead", mean / 2), "spread": (("lead", "bound"), np.stack([mean / 3, mean], axis=1))}
    attrs = {"model": model} if seed is None else {"model": model, "seed": seed}
    return xr.Dataset(data, coords={"lead": lead, "bound": ["q05", "q95"]}, attrs=attrs)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_lead_curve_draws_each_models_mean_and_band() -> None:
    bands = [bands_file("convlstm", 1.0, with_spread=True), bands_file("persistence", 2.0)]
    ax = metric_figure(bands, "rmse", "K").axes[0]
    assert [line.get_label() for line in ax.lines] == ["convlstm", "persistence"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), bands[1]["rmse_mean"])
    fills = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(fills) == 2
    band = fills[1].get_paths()[0].vertices
    np.testing.assert_allclose([band[:, 1].min(), band[:, 1].max()], [2.0 - 0.5, 8.0 + 0.5])
    assert ax.get_ylabel() == "RMSE [K]"


def test_lead_curve_of_several_seeds_is_their_mean_in_the_band_of_their_range() -> None:
    bands = [bands_file("convlstm", scale, seed=seed) for seed, scale in enumerate((1.0, 1.5, 3.0))]
    ax = metric_figure([*bands, bands_file("persistence", 2.0)], "rmse", "K").axes[0]
    assert [line.get_label() for line in ax.lines] == ["convlstm (3 seeds)", "persistence"]
    lead = np.arange(1, LEADS + 1)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 5.5 / 3 * lead)
    band = [c for c in ax.collections if isinstance(c, PolyCollection)][0].get_paths()[0].vertices
    np.testing.assert_allclose([band[:, 1].min(), band[:, 1].max()], [1.0, 3.0 * LEADS])  # the seeds' range


def test_lead_curve_leaves_out_models_without_the_metric() -> None:
    bands = [bands_file("savp", 1.0, with_spread=True), bands_file("persistence", 2.0)]
    ax = metric_figure(bands, "spread", "K").axes[0]
    assert [line.get_label() for line in ax.lines] == ["savp"]
    with pytest.raises(ValueError, match="no model has metric 'acc'"):
        metric_figure(bands, "acc", "K")


def test_cases_are_picked_at_mse_quantiles() -> None:
    forecasts = [forecast_file("a", 0.5, seed=1), forecast_file("b", 1.0, seed=1)]
    expected = np.mean(
        [((f.forecast - f.truth) ** 2).mean(("lead", "latitude", "longitude")).values for f in forecasts], axis=0
    )
    np.testing.assert_allclose(case_mse(forecasts), expected)
    assert case_index(forecasts, "best") == int(np.argmin(expected))
    assert case_index(forecasts, "worst") == int(np.argmax(expected))
    assert case_index(forecasts, "median") == int(np.argsort(expected)[len(expected) // 2])
    tied = np.array([3.0, 1.0, 2.0, 2.0, 9.0])  # the two 2.0 keep their time order
    assert [case_at_quantile(tied, q) for q in (0.0, 0.25, 0.5, 0.75, 1.0)] == [1, 2, 3, 0, 4]
    with pytest.raises(ValueError, match="unknown example case 'typical'"):
        case_index(forecasts, "typical")


def test_forecasts_with_other_init_times_are_refused() -> None:
    other = forecast_file("b", 1.0).isel(init=slice(1, None))
    with pytest.raises(ValueError, match="'b' has other init times than 'a'"):
        case_mse([forecast_file("a", 1.0), other])


def test_example_maps_show_context_truth_forecasts_errors_and_coastlines() -> None:
    forecasts = [forecast_file("convlstm", 0.3), forecast_file("persistence", 1.0, seed=5)]
    fig = example_figure(forecasts, 2, "median case", load_coastlines(COASTLINE))
    panels = [ax for ax in fig.axes if ax.images]
    rows = {}
    for ax in panels:
        rows.setdefault(ax.get_subplotspec().rowspan.start, []).append(ax)
    assert len(rows) == 2 + 2 * len(forecasts)
    assert len(rows[0]) == CONTEXT and all(len(rows[r]) == LEADS for r in range(1, len(rows)))
    truth, persistence = forecasts[0].truth.isel(init=2), forecasts[1].forecast.isel(init=2)
    np.testing.assert_allclose(rows[1][-1].images[0].get_array(), truth.isel(lead=-1).values)
    np.testing.assert_allclose(rows[5][0].images[0].get_array(), (persistence - truth).isel(lead=0).values)
    np.testing.assert_allclose(rows[0][-1].images[0].get_array(), forecasts[0].context.isel(init=2, context_lead=-1))
    assert rows[0][0].get_title() == "-2 h" and rows[1][0].get_title() == "+1 h"
    assert all(any(isinstance(c, LineCollection) for c in ax.collections) for ax in panels)
    largest = max(float(abs(f.forecast.isel(init=2) - truth).max()) for f in forecasts)
    assert rows[5][0].images[0].get_clim() == (-largest, largest)


def test_index_grids_are_drawn_without_coastlines(tmp_path: Path) -> None:
    forecast = forecast_file("moving_digits", 0.5, geographic=False)
    assert not is_geographic(forecast.truth) and is_geographic(forecast_file("a", 0.5).truth)
    fig = example_figure([forecast], 0, "best case", load_coastlines(COASTLINE))
    assert not any(isinstance(c, LineCollection) for ax in fig.axes if ax.images for c in ax.collections)
    save_figure(fig, tmp_path / "maps.png")
    assert (tmp_path / "maps.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_map_grid_spans_cell_edges_and_keeps_north_up() -> None:
    truth = forecast_file("a", 0.5).truth
    grid = map_grid(truth, load_coastlines(COASTLINE))
    assert grid.extent == (5.875, 9.125, 51.875, 54.125) and grid.origin == "upper" and grid.coastlines
    ascending = map_grid(truth.isel(latitude=slice(None, None, -1)), [])
    assert ascending.origin == "lower" and ascending.extent == grid.extent
    not_on_earth = map_grid(truth.isel(latitude=slice(None, None, -1)), None)  # generated data: first row on top
    assert not_on_earth.extent is None and not_on_earth.origin == "upper" and not_on_earth.coastlines == []


def test_shipped_coastline_covers_the_default_region() -> None:
    lines = load_coastlines(COASTLINE)
    assert len(lines) > 100 and all(line.shape[1] == 2 and len(line) >= 2 for line in lines)
    lons, lats = np.concatenate(lines).T
    assert -45.5 <= lons.min() and lons.max() <= 60.5 and 19.5 <= lats.min() and lats.max() <= 80.5
    # The German Bight coast (about 53.5 N, 8 E) lies inside config.yaml's region; the Alps have none.
    north_sea = lines_in_box(lines, 4.0, 11.75, 46.25, 54.0)
    assert north_sea and any(
        ((line[:, 1] > 53) & (line[:, 1] < 54) & (line[:, 0] > 7) & (line[:, 0] < 9)).any() for line in north_sea
    )
    assert lines_in_box(lines, 9.0, 11.0, 46.5, 47.0) == []


def test_coastline_file_errors_name_the_file(tmp_path: Path) -> None:
    polygon = tmp_path / "polygon.geojson"
    polygon.write_text('{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}}')
    with pytest.raises(ValueError, match="polygon.geojson: geometry is 'Polygon'"):
        load_coastlines(polygon)
    with pytest.raises(ValueError, match="missing.geojson"):
        load_coastlines(tmp_path / "missing.geojson")


def test_quantile_diagrams_plot_the_conditional_quantiles_per_lead() -> None:
    forecast = forecast_file("convlstm", 0.2)
    fig = quantiles_figure(forecast, [1, 4], n_bins=8)
    mains = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in mains] == [
        "calibration-refinement, lead +1 h",
        "likelihood-base-rate, lead +1 h",
        "calibration-refinement, lead +4 h",
        "likelihood-base-rate, lead +4 h",
    ]
    f, x = forecast.forecast.sel(lead=4).values, forecast.truth.sel(lead=4).values
    expected = conditional_quantiles(x, f, common_edges(f, x, 8))
    median = mains[3].lines[2]
    assert median.get_label() == "50%"
    np.testing.assert_allclose(median.get_ydata(), expected.quantiles[:, 2], equal_nan=True)
    histograms = [ax for ax in fig.axes if ax.get_ylabel() == "count"]
    assert len(histograms) == 4 and sum(p.get_height() for p in histograms[3].patches) == x.size


def test_quantile_leads_must_exist(tmp_path: Path) -> None:
    forecast = forecast_file("convlstm", 0.2)
    with pytest.raises(ValueError, match=r"'plots.quantile_leads': leads \[6\] are not in f.nc \(leads 1..4\)"):
        check_leads(forecast, [2, 6], "f.nc")
    forecast.to_netcdf(tmp_path / "forecast.nc")
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "plot_quantiles.py"),
            "--leads",
            "5",
            "--out",
            str(tmp_path / "q.png"),
            str(tmp_path / "forecast.nc"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode != 0 and "plots.quantile_leads" in out.stderr and not (tmp_path / "q.png").exists()


def test_config_refuses_quantile_leads_beyond_the_forecast(test_config: dict) -> None:
    test_config["plots"]["quantile_leads"] = [3, test_config["forecast_hours"] + 1]
    with pytest.raises(ConfigError, match=r"'plots.quantile_leads': leads \[7\] are beyond the 6 evaluated"):
        validate_config(test_config)


def test_training_curves_from_a_resumed_history(tmp_path: Path) -> None:
    csv = tmp_path / "history.csv"
    csv.write_text(
        "epoch,adv,loss,val_adv,val_loss\n0,0.7,2.0,0.6,1.8\n1,0.6,1.5,0.6,1.6\n1,0.65,1.4,0.6,1.5\n2,0.5,1.2,0.5,1.3\n"
    )
    history = read_history(csv)
    assert history["epoch"].tolist() == [0, 1, 2] and history["loss"].tolist() == [2.0, 1.4, 1.2]
    fig = training_figure({0: history, 3: history.head(2)}, "savp")
    panels = [ax for ax in fig.axes if ax.lines]
    assert [ax.get_title() for ax in panels] == ["loss", "adv"]
    assert [line.get_label() for line in panels[0].lines] == [
        "seed 0 training",
        "seed 0 validation",
        "seed 3 training",
        "seed 3 validation",
    ]
    np.testing.assert_allclose(panels[0].lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(panels[0].lines[1].get_ydata(), [1.8, 1.5, 1.3])
    np.testing.assert_allclose(panels[0].lines[3].get_ydata(), [1.8, 1.5])
    one_epoch = training_figure({0: history.head(1)}, "mcnet").axes[0]
    one_epoch.figure.canvas.draw()
    low, high = one_epoch.get_xlim()
    assert [t for t in one_epoch.get_xticks() if low <= t <= high] == [1.0]  # whole epochs only
    bad = tmp_path / "bad.csv"
    bad.write_text("step,value\n0,1\n")
    with pytest.raises(ValueError, match="bad.csv: expected Keras CSVLogger columns"):
        read_history(bad)


def test_tables_become_html_pages(tmp_path: Path) -> None:
    csv = tmp_path / "skill.csv"
    pd.DataFrame(
        {
            "model": ["convlstm", "mcnet"],
            "baseline": ["persistence"] * 2,
            "metric": ["rmse"] * 2,
            "lead": [1, 1],
            "skill": [0.123456, -0.5],
        }
    ).to_csv(csv, index=False)
    assert csv_to_html(csv, "Skill <scores>", tmp_path / "skill.html") == 2
    page = (tmp_path / "skill.html").read_text()
    assert "<title>Skill &lt;scores&gt;</title>" in page and "<th>baseline</th>" in page
    assert "<td>0.1235</td>" in page and "<td>-0.5</td>" in page and page.count("<tr") == 3
