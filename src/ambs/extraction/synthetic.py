"""The embedded ERA5-like source: deterministic synthetic weather served like the CDS.

Every value is a function of (seed, time, lat, lon) only, never of the requested
area or period, so overlapping requests agree and consecutive months join
continuously. Weather comes from synoptic lows and highs that are born each UTC
day (from a per-day random generator) west of a fixed European frame, drift
east, grow and decay; t2m, msl and z500 are coupled through them so a network
has real dynamics to learn beyond persistence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ambs.atomic import atomic_path
from ambs.extraction.requests import request_times, request_variables
from ambs.extraction.variables import Era5Variable, lookup

G = 9.80665  # m s**-2: geopotential height -> geopotential
EPOCH = np.datetime64("1970-01-01T00:00", "ns")
MAX_LIFETIME_H = 96.0
DAY_OFFSET = 1_000_000  # keeps per-day RNG keys non-negative for dates before 1970
GRID_STEPS_PER_DEG = 4  # ERA5's 0.25 degree grid
Z_TILT_DEG = 4.0  # z500 centres lie west of the msl centres: systems tilt westward with height
Z_PER_PA = 0.6  # m**2 s**-2 of z500 anomaly per Pa of msl anomaly (deepening aloft)
ADVECTION_K_PER_PA_DEG = 0.03  # t2m response to the meridional wind implied by d(msl)/d(lon)


@dataclass(frozen=True)
class _Systems:
    """Parameters of synoptic systems, one array element per system; times in hours since 1970."""

    genesis: np.ndarray
    lat0: np.ndarray
    lon0: np.ndarray
    u: np.ndarray  # eastward drift, deg/h
    v: np.ndarray  # northward drift, deg/h
    radius: np.ndarray  # deg
    amplitude: np.ndarray  # Pa at maturity, negative for lows
    lifetime: np.ndarray  # h


def _systems_of_day(seed: int, day: int) -> _Systems:
    """The lows and highs born on UTC day ``day`` (days since 1970-01-01)."""
    rng = np.random.default_rng([seed, 1, day + DAY_OFFSET])
    n = int(rng.integers(2, 5))
    low = rng.random(n) < 0.5
    return _Systems(
        genesis=day * 24.0 + rng.uniform(0.0, 24.0, n),
        lat0=rng.uniform(35.0, 65.0, n),
        lon0=rng.uniform(-20.0, 10.0, n),
        u=rng.uniform(0.3, 0.6, n),
        v=rng.uniform(-0.08, 0.08, n),
        radius=rng.uniform(4.0, 8.0, n),
        amplitude=np.where(low, rng.uniform(-2500.0, -800.0, n), rng.uniform(500.0, 1500.0, n)),
        lifetime=rng.uniform(48.0, MAX_LIFETIME_H, n),
    )


def _systems(seed: int, first_day: int, last_day: int) -> _Systems:
    days = [_systems_of_day(seed, d) for d in range(first_day, last_day + 1)]
    return _Systems(*(np.concatenate([getattr(s, f) for s in days]) for f in _Systems.__dataclass_fields__))


def land_fraction(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """A fixed smooth land-sea mask (0 sea .. 1 land) on the (lat, lon) grid: continents and seas of ~10 degrees."""
    lat, lon = np.asarray(lats, float)[:, None], np.asarray(lons, float)[None, :]
    shape = 0.6 * np.sin(2 * np.pi * (lon + 5) / 30) * np.sin(2 * np.pi * (lat - 35) / 24) + 0.4 * np.sin(
        2 * np.pi * ((lon - 3) / 17 + lat / 13)
    )
    return 0.5 + 0.5 * np.tanh(3.0 * (shape + 0.15))


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a well-spread uint64 hash, wrapping arithmetic intended."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _white_noise(seed: int, stream: int, hours: np.ndarray, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Standard normal noise hashed from (seed, stream, hour, grid point), so any crop sees the same values."""
    ilat = (np.round(lats * GRID_STEPS_PER_DEG).astype(np.int64) + 1024).astype(np.uint64)
    ilon = (np.round(lons * GRID_STEPS_PER_DEG).astype(np.int64) + 4096).astype(np.uint64)
    hour = np.round(hours).astype(np.int64).astype(np.uint64)
    salt = _mix64(np.array([seed % 2**61 * 8 + stream], dtype=np.uint64))[0]
    key = (hour[:, None, None] << np.uint64(24)) ^ (ilat[None, :, None] << np.uint64(13)) ^ ilon[None, None, :]
    first = _mix64(key ^ salt)
    second = _mix64(first)
    u1 = ((first >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53
    u2 = (second >> np.uint64(11)).astype(np.float64) / 2.0**53
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


class SyntheticAtmosphere:
    """Deterministic ERA5-like t2m, msl and z500 for any times and 0.25 degree grid points."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        modes = np.random.default_rng([self.seed, 2])
        k = 8
        wavelength = modes.uniform(6.0, 20.0, k)
        direction = modes.uniform(0.0, 2 * np.pi, k)
        self._k_lon = 2 * np.pi / wavelength * np.cos(direction)
        self._k_lat = 2 * np.pi / wavelength * np.sin(direction)
        self._omega = 2 * np.pi / modes.uniform(24.0, 96.0, k)
        self._phase = modes.uniform(0.0, 2 * np.pi, k)

    def fields(self, times: np.ndarray, lats: np.ndarray, lons: np.ndarray, names: list[str]) -> dict[str, np.ndarray]:
        """Fields by config name, float32 (time, lat, lon) in physical units."""
        for name in names:
            lookup(name)
        hours = (np.asarray(times, dtype="datetime64[ns]") - EPOCH) / np.timedelta64(1, "h")
        lats, lons = np.asarray(lats, float), np.asarray(lons, float)
        season = -np.cos(2 * np.pi * (hours / 24.0 - 15.0) / 365.2425)[:, None, None]  # -1 mid-Jan, +1 mid-Jul
        storminess = 1.0 - 0.25 * season  # winter systems are deeper than summer ones
        msl_anom, dmsl_dlon, z_anom = (storminess * part for part in self._synoptic(hours, lats, lons))
        lat3 = lats[None, :, None]
        makers = {
            "t2m": lambda: self._t2m(hours, lats, lons, season, dmsl_dlon),
            "msl": lambda: 101625.0 - 30.0 * (lat3 - 45.0) + msl_anom + 30.0 * self._noise(2, hours, lats, lons),
            "z500": lambda: (
                G * (5600.0 - 15.0 * (lat3 - 45.0) + 60.0 * season)
                + Z_PER_PA * z_anom
                + G * self._noise(3, hours, lats, lons)
            ),
        }
        return {name: makers[name]().astype(np.float32) for name in names}

    def _noise(self, stream: int, hours: np.ndarray, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        return _white_noise(self.seed, stream, hours, lats, lons)

    def _t2m(
        self, hours: np.ndarray, lats: np.ndarray, lons: np.ndarray, season: np.ndarray, dmsl_dlon: np.ndarray
    ) -> np.ndarray:
        land = land_fraction(lats, lons)[None]
        solar_hour = (hours[:, None, None] + lons[None, None, :] / 15.0) % 24.0
        diurnal = np.cos(2 * np.pi * (solar_hour - 14.0) / 24.0)
        return (
            285.0
            - 0.6 * (lats[None, :, None] - 45.0)
            + (5.0 + 5.0 * land) * season
            + (1.0 + 4.0 * land) * diurnal
            + ADVECTION_K_PER_PA_DEG * dmsl_dlon
            + self._smooth_noise(hours, lats, lons)
            + 0.2 * self._noise(1, hours, lats, lons)
        )

    def _smooth_noise(self, hours: np.ndarray, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        """Slowly travelling waves (about 1 K): mesoscale variability that is smooth in space and time."""
        out = np.zeros((hours.size, lats.size, lons.size))
        for k_lon, k_lat, omega, phase in zip(self._k_lon, self._k_lat, self._omega, self._phase):
            out += 0.5 * np.sin(
                (k_lon * lons)[None, None, :] + (k_lat * lats)[None, :, None] + (phase - omega * hours)[:, None, None]
            )
        return out

    def _synoptic(self, hours: np.ndarray, lats: np.ndarray, lons: np.ndarray) -> tuple[np.ndarray, ...]:
        """msl anomaly (Pa), its longitude derivative (Pa/deg) and the westward-tilted z500 anomaly."""
        shape = (hours.size, lats.size, lons.size)
        msl, dmsl, z = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        if hours.size == 0:
            return msl, dmsl, z
        first_day = int(np.floor((hours.min() - MAX_LIFETIME_H) / 24.0))
        s = _systems(self.seed, first_day, int(np.floor(hours.max() / 24.0)))
        lat = lats[None, :, None]
        for i in range(s.genesis.size):
            age = hours - s.genesis[i]
            alive = (age >= 0) & (age <= s.lifetime[i])
            if not alive.any():
                continue
            a = age[alive]
            strength = (s.amplitude[i] * np.sin(np.pi * a / s.lifetime[i]) ** 2)[:, None, None]
            lat_c = (s.lat0[i] + s.v[i] * a)[:, None, None]
            lon_c = (s.lon0[i] + s.u[i] * a)[:, None, None]
            shrink = np.cos(np.radians(lat_c))
            dy2 = (lat - lat_c) ** 2
            dx = (lons[None, None, :] - lon_c) * shrink
            r2 = s.radius[i] ** 2
            bump = strength * np.exp(-(dx**2 + dy2) / (2 * r2))
            msl[alive] += bump
            dmsl[alive] += -bump * dx * shrink / r2
            dx_z = dx + Z_TILT_DEG * shrink
            z[alive] += strength * np.exp(-(dx_z**2 + dy2) / (2 * 1.69 * r2))
        return msl, dmsl, z


class SyntheticClient:
    """Drop-in for ``cdsapi.Client``: ``retrieve`` writes a netCDF file shaped like a CDS ERA5 download."""

    def __init__(self, seed: int) -> None:
        self.atmosphere = SyntheticAtmosphere(seed)

    def retrieve(self, name: str, request: dict[str, Any], target: str) -> None:
        """Serve one CDS request body (as ``ambs.extraction.requests`` builds it) into ``target``."""
        if len(request.get("pressure_level", [])) > 1:
            raise ValueError(
                f"the synthetic source serves one pressure level per request, got {request['pressure_level']}"
            )
        variables = request_variables(name, request)
        times = request_times(request)
        lats, lons = grid(request["area"])
        fields = self.atmosphere.fields(times, lats, lons, [v.name for v in variables])
        ds = _as_dataset(variables, fields, times, lats, lons)
        encoding: dict[str, dict[str, Any]] = {
            "time": {
                "units": "hours since 1900-01-01 00:00:00.0",
                "calendar": "gregorian",
                "dtype": "int32",
                "_FillValue": None,
            },
            "latitude": {"_FillValue": None},
            "longitude": {"_FillValue": None},
        }
        encoding.update({v.short_name: {"dtype": "float32", "_FillValue": None} for v in variables})
        with atomic_path(target) as tmp:
            ds.to_netcdf(tmp, format="NETCDF4", encoding=encoding)


def grid(area: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """ERA5's 0.25 degree points of a CDS area [N, W, S, E], edges inclusive; latitude descending."""
    north, west, south, east = (round(float(v) * GRID_STEPS_PER_DEG) for v in area)
    return (
        np.arange(north, south - 1, -1) / GRID_STEPS_PER_DEG,
        np.arange(west, east + 1) / GRID_STEPS_PER_DEG,
    )


def _as_dataset(
    variables: list[Era5Variable], fields: dict[str, np.ndarray], times: np.ndarray, lats: np.ndarray, lons: np.ndarray
) -> xr.Dataset:
    dims = ("time", "latitude", "longitude")
    data_vars = {}
    for v in variables:
        attrs = {"units": v.units, "long_name": v.long_name, "standard_name": v.standard_name}
        if v.level is not None:
            attrs["pressure_level"] = f"{v.level} hPa"
        data_vars[v.short_name] = xr.Variable(dims, fields[v.name], attrs)
    coords = {
        "time": xr.Variable("time", times, {"standard_name": "time", "long_name": "time"}),
        "latitude": xr.Variable(
            "latitude",
            lats.astype(np.float32),
            {"units": "degrees_north", "standard_name": "latitude", "long_name": "latitude"},
        ),
        "longitude": xr.Variable(
            "longitude",
            lons.astype(np.float32),
            {"units": "degrees_east", "standard_name": "longitude", "long_name": "longitude"},
        ),
    }
    attrs = {
        "Conventions": "CF-1.6",
        "history": "generated by the AMBS synthetic ERA5-like source (ambs.extraction.synthetic)",
    }
    return xr.Dataset(data_vars, coords, attrs)
