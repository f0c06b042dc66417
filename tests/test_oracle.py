"""The oracle: the embedded source run on from an init time with all that is known then, and nothing more;
scored like a baseline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from helpers import STATS, VARIABLES, evaluated

from ambs.evaluation.scoring import References, load_test_set
from ambs.extraction.synthetic import SyntheticAtmosphere, forecast_oracle, grid
from ambs.sequences.tfrecords import write_split

SEED = 3
NAMES = ["t2m", "msl", "z500", "t850", "tcc"]
LEADS = np.arange(1, 13)
HOUR = np.timedelta64(1, "h")
LATS, LONS = (axis[::4] for axis in grid([54, 4, 46, 12]))  # 1 degree apart: fast, and still the source's points


def _inits(atmosphere: SyntheticAtmosphere, quiet: bool, count: int) -> list[np.datetime64]:
    """Init hours from 2017-07-01 on after which no system is born within the leads (quiet) or some are."""
    start = np.datetime64("2017-07-01T00", "ns")
    found = []
    for hour in range(31 * 24):
        init = start + hour * HOUR
        if (atmosphere.births(init, init + LEADS[-1] * HOUR).size == 0) == quiet:
            found.append(init)
        if len(found) == count:
            return found
    raise AssertionError("July 2017 has too few such init hours")


def test_the_oracle_is_the_generator_when_nothing_is_born_after_init() -> None:
    (init,) = _inits(SyntheticAtmosphere(SEED), quiet=True, count=1)
    noiseless = SyntheticAtmosphere(SEED, white_noise=False).fields(init + LEADS * HOUR, LATS, LONS, NAMES)
    for name in NAMES:
        oracle = forecast_oracle(SEED, name, np.array([init]), LEADS, LATS, LONS)
        assert oracle.shape == (1, LEADS.size, LATS.size, LONS.size) and oracle.dtype == np.float32
        np.testing.assert_array_equal(oracle[0], noiseless[name], err_msg=name)


def test_systems_born_after_init_are_unknown_to_it() -> None:
    atmosphere = SyntheticAtmosphere(SEED)
    init = _inits(atmosphere, quiet=False, count=1)[0]
    first_birth = atmosphere.births(init, init + LEADS[-1] * HOUR)[0]
    before = init + LEADS * HOUR < first_birth
    noiseless = SyntheticAtmosphere(SEED, white_noise=False).fields(init + LEADS * HOUR, LATS, LONS, ["msl"])["msl"]
    oracle = forecast_oracle(SEED, "msl", np.array([init]), LEADS, LATS, LONS)[0]
    np.testing.assert_array_equal(oracle[before], noiseless[before])
    assert all(not np.array_equal(oracle[i], noiseless[i]) for i in np.flatnonzero(~before))


def test_the_oracle_beats_persistence_at_every_lead() -> None:
    atmosphere = SyntheticAtmosphere(SEED)
    inits = np.array(_inits(atmosphere, quiet=False, count=60)[::10])  # six inits, births within each forecast
    truth = np.stack([atmosphere.fields(i + LEADS * HOUR, LATS, LONS, ["t2m"])["t2m"] for i in inits])
    observed = np.stack([atmosphere.fields(np.array([i]), LATS, LONS, ["t2m"])["t2m"] for i in inits])
    oracle = forecast_oracle(SEED, "t2m", inits, LEADS, LATS, LONS)
    oracle_rmse, persistence_rmse = (np.sqrt(((f - truth) ** 2).mean(axis=(0, 2, 3))) for f in (oracle, observed))
    assert (oracle_rmse < persistence_rmse).all(), (oracle_rmse, persistence_rmse)
    assert oracle_rmse[0] < 0.3  # at lead 1 little more than the white noise (0.2 K) is unknown


def test_the_oracle_is_evaluated_like_a_baseline_and_beats_persistence(tmp_path: Path) -> None:
    """Scored on a test split cut from the source itself: its RMSE lies below persistence's at every lead."""
    lats, lons = grid([51, 6, 49, 8])
    times = np.datetime64("2017-07-01T00", "ns") + np.arange(96) * HOUR
    fields = SyntheticAtmosphere(SEED).fields(times, lats, lons, ["t2m", "msl"])
    dims = ("time", "latitude", "longitude")
    units = {"t2m": "K", "msl": "Pa"}
    month = xr.Dataset(
        {name: (dims, values, {"units": units[name]}) for name, values in fields.items()},
        coords={"time": times, "latitude": lats, "longitude": lons},
    )
    month.to_netcdf(tmp_path / "2017-07.nc")
    write_split("test", [tmp_path / "2017-07.nc"], STATS, VARIABLES, "t2m", 6, 6, 3, tmp_path / "test")
    test = load_test_set(tmp_path / "test", STATS)
    oracle, forecast = evaluated("oracle", None, test, References(source_seed=SEED), tmp_path)
    persistence, _ = evaluated("persistence", None, test, References(), tmp_path)
    assert oracle.attrs["model"] == "oracle" and "seed" not in oracle.attrs
    np.testing.assert_allclose(
        forecast["forecast"], forecast_oracle(SEED, "t2m", test.meta.init_datetimes, LEADS[:6], lats, lons)
    )
    assert (oracle["rmse"].mean("init") < persistence["rmse"].mean("init")).all()
    with pytest.raises(ValueError, match="model 'oracle' needs the source_seed"):
        evaluated("oracle", None, test, References(), tmp_path)
