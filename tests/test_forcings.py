"""Forcings: the sun where and when it is known to be, agreement with NREL's SPA (pvlib), the clock encodings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib
import pytest

from ambs.catalogue import STATIC_FORCINGS, TIME_FORCINGS
from ambs.extraction.variables import STATIC_FIELDS
from ambs.sequences.forcings import (
    FORCINGS,
    SOLAR_CONSTANT,
    forcing_fields,
    solar_elevation,
    sun_position,
    toa_incident_solar_radiation,
)

OBLIQUITY = 23.44  # degrees, 2020s


def _hours(start: str, end: str, step: str = "m") -> np.ndarray:
    return np.arange(np.datetime64(start), np.datetime64(end), np.timedelta64(1, step))


def _point(value: float) -> np.ndarray:
    return np.array([value])


def test_noon_elevation_is_ninety_minus_latitude_plus_declination() -> None:
    """Berlin (52.52 N, 13.40 E) on the June solstice 2024: the sun culminates at 90 - 52.52 + 23.44 degrees."""
    day = _hours("2024-06-20T06:00", "2024-06-20T18:00")
    elevation = solar_elevation(day, _point(52.52), _point(13.40))[:, 0, 0]
    assert elevation.max() == pytest.approx(90 - 52.52 + OBLIQUITY, abs=0.01)
    noon = day[elevation.argmax()]
    assert abs(noon - np.datetime64("2024-06-20T11:08")) <= np.timedelta64(
        1, "m"
    )  # 12:00 - 13.40 deg x 4 min - EoT 1.4 min


def test_elevation_agrees_with_nrel_spa_over_places_and_seasons() -> None:
    """pvlib's NREL Solar Position Algorithm (Reda and Andreas 2004, 0.0003 degree) as the reference."""
    times = _hours("1990-01-01T00:00", "2030-01-01T00:00", "h")[::977]  # every 977 h: all hours of day and seasons
    lats, lons = np.array([-89.0, -45.0, 0.0, 38.4, 52.52, 78.2]), np.array([-120.0, 0.0, 13.4, 179.0])
    ours = solar_elevation(times, lats, lons)
    for i, lat in enumerate(lats):
        for j, lon in enumerate(lons):
            spa = pvlib.solarposition.spa_python(pd.DatetimeIndex(times, tz="UTC"), lat, lon, delta_t=None)
            np.testing.assert_allclose(ours[:, i, j], spa["elevation"].to_numpy(), atol=0.02)


def test_earth_sun_distance_agrees_with_nrel_spa() -> None:
    """Within 1e-4 AU: SPA also has the Moon's pull on the Earth (7e-5), a 2e-4 relative change of the flux."""
    times = _hours("2000-01-01", "2030-01-01", "D")[::13]
    spa = pvlib.solarposition.nrel_earthsun_distance(pd.DatetimeIndex(times, tz="UTC")).to_numpy()
    np.testing.assert_allclose(sun_position(times)[2], spa, rtol=1e-4)


def test_toa_radiation_is_zero_at_night_and_in_the_polar_night_and_peaks_at_local_noon() -> None:
    day = _hours("2023-12-21T00:00", "2023-12-22T00:00", "h")
    lats, lons = np.array([-60.0, 0.0, 45.0, 80.0]), np.array([-90.0, 0.0, 90.0])
    toa = toa_incident_solar_radiation(day, lats, lons)
    assert toa.dtype == np.float32 and toa.shape == (24, 4, 3)
    assert (toa >= 0).all()
    np.testing.assert_array_equal(toa[:, 3], 0.0)  # 80 N in December: the sun never rises
    assert (toa[:, :3].min(axis=0) == 0).all()  # night everywhere else
    noon_utc = (12 - lons / 15) % 24  # local noon within minutes of 12 h local mean time
    np.testing.assert_array_equal(toa[:, :3].argmax(axis=0), np.broadcast_to(noon_utc, (3, 3)))


def test_daily_mean_toa_at_the_equator_at_equinox_is_the_solar_constant_over_pi() -> None:
    """With the sun in the equator plane, the daily mean at the equator is S0 / (pi r^2): 437 W m-2 in March."""
    day = _hours("2024-03-20T00:00", "2024-03-21T00:00")
    distance = pvlib.solarposition.nrel_earthsun_distance(pd.DatetimeIndex(day[:1], tz="UTC")).iloc[0]
    mean = toa_incident_solar_radiation(day, _point(0.0), _point(0.0)).mean()
    assert mean == pytest.approx(SOLAR_CONSTANT / np.pi / distance**2, rel=2e-3)


def test_annual_mean_toa_at_the_equator_and_the_poles() -> None:
    """Annual means of the textbooks for S0 = 1361 W m-2: about 416 W m-2 at the equator, 173 at either pole."""
    year = _hours("2023-01-01T00:00", "2024-01-01T00:00")[::10]
    means = toa_incident_solar_radiation(year, np.array([0.0, 90.0, -90.0]), _point(0.0)).mean(axis=(0, 2))
    np.testing.assert_allclose(means, [416.0, 173.0, 173.0], rtol=0.01)


def test_clock_encodings_are_unit_circles_at_local_midnight_and_new_year() -> None:
    times = np.array(["2024-01-01T00:00", "2024-07-01T18:00", "2023-07-02T12:00"], dtype="datetime64[m]")
    lon = np.array([0.0, 90.0])
    fields = forcing_fields(
        ["sin_local_time", "cos_local_time", "sin_day_of_year", "cos_day_of_year"], times, _point(10.0), lon
    )
    assert fields.shape == (3, 1, 2, 4) and fields.dtype == np.float32
    np.testing.assert_allclose(fields[..., 0] ** 2 + fields[..., 1] ** 2, 1.0, rtol=1e-6)
    np.testing.assert_allclose(fields[0, 0, 0], [0.0, 1.0, 0.0, 1.0], atol=1e-6)  # midnight at 0 E on 1 January
    np.testing.assert_allclose(fields[1, 0, 1, :2], [0.0, 1.0], atol=1e-6)  # 18 UTC is local midnight at 90 E
    np.testing.assert_allclose(fields[2, 0, :, 2:], [[0.0, -1.0]] * 2, atol=1e-6)  # 2 July noon: half of 2023 gone


def test_every_forcing_is_a_float32_field_and_unknown_names_are_refused() -> None:
    times = _hours("2019-07-01T00", "2019-07-02T00", "h")
    fields = forcing_fields(list(FORCINGS), times, np.linspace(38.4, 52.0, 5), np.linspace(0.0, 23.0, 7))
    assert fields.shape == (24, 5, 7, len(FORCINGS)) and fields.dtype == np.float32
    assert np.isfinite(fields).all()
    with pytest.raises(ValueError, match="unknown forcings \\['tisr'\\]"):
        forcing_fields(["tisr"], times, _point(0.0), _point(0.0))


def test_the_catalogue_names_every_forcing_that_has_a_field() -> None:
    """A config names its forcings from the catalogue; the time forcings' fields and the static fields match it."""
    assert TIME_FORCINGS == tuple(FORCINGS)
    assert STATIC_FORCINGS == tuple(STATIC_FIELDS)
