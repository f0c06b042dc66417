"""The embedded ERA5-like source: deterministic synthetic weather served like the CDS.

Every value is a function of (seed, time, lat, lon) only, never of the requested
area or period, so overlapping requests agree and consecutive months join
continuously. Weather comes from synoptic lows and highs that are born each UTC
day (from a per-day random generator) west of a fixed European frame, drift
east, grow and decay; t2m, msl, z500, t850 and tcc are coupled through them so a
network has real dynamics to learn beyond persistence. The invariants (land-sea
mask, orography) are the fixed fields the generator itself uses.

The source knows its own predictable part: ``fields(..., known_at=init)`` runs the
generator on from ``init`` with the systems born by then, the travelling waves and
the calendar, but without the systems born later and the white noise. That is the
oracle forecast (``forecast_oracle``), the ceiling of any model on this data.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
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
LAPSE_OFFSET_K = 9.5  # mean t2m - t850: 6.5 K/km over the ~1.46 km from the surface up to 850 hPa
CLOUD_PER_PA = 1.0 / 700.0  # cloud logit per Pa of msl deficit: lows are cloudy, highs clear
CLOUD_PER_KM = 0.8  # cloud logit per km of orography: air forced up the slopes condenses


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

    def born_by(self, hour: float) -> _Systems:
        """The systems born at or before ``hour``, in the same order."""
        keep = self.genesis <= hour
        return _Systems(*(getattr(self, f)[keep] for f in _Systems.__dataclass_fields__))


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


@dataclass(frozen=True)
class _Waves:
    """Slowly travelling plane waves: variability that is smooth in space and time, and known at any time."""

    k_lon: np.ndarray  # rad/deg
    k_lat: np.ndarray  # rad/deg
    omega: np.ndarray  # rad/h
    phase: np.ndarray  # rad
    amplitude: float

    @classmethod
    def draw(
        cls,
        seed: int,
        stream: int,
        count: int,
        wavelength_deg: tuple[float, float],
        period_h: tuple[float, float],
        amplitude: float,
    ) -> _Waves:
        modes = np.random.default_rng([seed, stream])
        wavelength = modes.uniform(*wavelength_deg, count)
        direction = modes.uniform(0.0, 2 * np.pi, count)
        return cls(
            k_lon=2 * np.pi / wavelength * np.cos(direction),
            k_lat=2 * np.pi / wavelength * np.sin(direction),
            omega=2 * np.pi / modes.uniform(*period_h, count),
            phase=modes.uniform(0.0, 2 * np.pi, count),
            amplitude=amplitude,
        )

    def at(self, hours: np.ndarray, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        out = np.zeros((hours.size, lats.size, lons.size))
        for k_lon, k_lat, omega, phase in zip(self.k_lon, self.k_lat, self.omega, self.phase):
            out += self.amplitude * np.sin(
                (k_lon * lons)[None, None, :] + (k_lat * lats)[None, :, None] + (phase - omega * hours)[:, None, None]
            )
        return out


def land_fraction(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """A fixed smooth land-sea mask (0 sea .. 1 land) on the (lat, lon) grid: continents and seas of ~10 degrees."""
    lat, lon = np.asarray(lats, float)[:, None], np.asarray(lons, float)[None, :]
    shape = 0.6 * np.sin(2 * np.pi * (lon + 5) / 30) * np.sin(2 * np.pi * (lat - 35) / 24) + 0.4 * np.sin(
        2 * np.pi * ((lon - 3) / 17 + lat / 13)
    )
    return 0.5 + 0.5 * np.tanh(3.0 * (shape + 0.15))


def orography(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Surface height (m) on the (lat, lon) grid: 0 at sea, up to ~1.7 km where ridges cross the land."""
    lat, lon = np.asarray(lats, float)[:, None], np.asarray(lons, float)[None, :]
    ridges = (0.5 + 0.5 * np.sin(2 * np.pi * (lon + 2) / 11) * np.cos(2 * np.pi * (lat - 40) / 9)) ** 2
    return land_fraction(lats, lons) ** 2 * (100.0 + 1600.0 * ridges)


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
    """Deterministic ERA5-like fields of every catalogued variable for any times and 0.25 degree grid points.

    ``white_noise=False`` leaves out the unpredictable hour-to-hour noise everywhere (tests of the oracle).
    """

    def __init__(self, seed: int, white_noise: bool = True) -> None:
        self.seed = int(seed)
        self.white_noise = white_noise
        self._t2m_waves = _Waves.draw(self.seed, 2, 8, (6.0, 20.0), (24.0, 96.0), 0.5)
        self._t850_waves = _Waves.draw(self.seed, 3, 6, (10.0, 30.0), (48.0, 144.0), 0.5)
        self._cloud_waves = _Waves.draw(self.seed, 4, 8, (4.0, 12.0), (12.0, 48.0), 0.4)

    def fields(
        self,
        times: np.ndarray,
        lats: np.ndarray,
        lons: np.ndarray,
        names: list[str],
        known_at: np.datetime64 | None = None,
    ) -> dict[str, np.ndarray]:
        """Fields by config name, float32 (time, lat, lon) in physical units.

        With ``known_at`` the fields as far as that time determines them: without the systems born later and
        without the white noise, everything else (calendar, waves, the systems born by then) run on as usual.
        """
        for name in names:
            lookup(name)
        hours = _hours(times)
        lats, lons = np.asarray(lats, float), np.asarray(lons, float)
        born_by = None if known_at is None else float(_hours(np.array([known_at]))[0])
        noisy = self.white_noise and known_at is None

        def noise(stream: int) -> np.ndarray | float:
            return _white_noise(self.seed, stream, hours, lats, lons) if noisy else 0.0

        season = -np.cos(2 * np.pi * (hours / 24.0 - 15.0) / 365.2425)[:, None, None]  # -1 mid-Jan, +1 mid-Jul
        storminess = 1.0 - 0.25 * season  # winter systems are deeper than summer ones
        msl_anom, dmsl_dlon, z_anom = (storminess * part for part in self._synoptic(hours, lats, lons, born_by))
        lat3 = lats[None, :, None]
        shape = (hours.size, lats.size, lons.size)
        t2m = functools.cache(lambda: self._t2m(hours, lats, lons, season, dmsl_dlon, noise))
        makers: dict[str, Callable[[], np.ndarray]] = {
            "t2m": t2m,
            "msl": lambda: 101625.0 - 30.0 * (lat3 - 45.0) + msl_anom + 30.0 * noise(2),
            "z500": lambda: G * (5600.0 - 15.0 * (lat3 - 45.0) + 60.0 * season) + Z_PER_PA * z_anom + G * noise(3),
            "t850": lambda: self._t850(t2m(), hours, lats, lons, season),
            "tcc": lambda: self._tcc(hours, lats, lons, msl_anom, noise),
            "lsm": lambda: np.broadcast_to(land_fraction(lats, lons), shape),
            "z": lambda: np.broadcast_to(G * orography(lats, lons), shape),
        }
        return {name: makers[name]().astype(np.float32) for name in names}

    def births(self, start: np.datetime64, end: np.datetime64) -> np.ndarray:
        """Genesis times (datetime64[ns], ascending) of the systems born in [start, end]: what no init before knows."""
        first, last = _hours(np.array([start, end]))
        genesis = _systems(self.seed, int(np.floor(first / 24.0)), int(np.floor(last / 24.0))).genesis
        inside = np.sort(genesis[(genesis >= first) & (genesis <= last)])
        return EPOCH + np.round(inside * 3.6e12).astype(np.int64) * np.timedelta64(1, "ns")

    def _t2m(
        self,
        hours: np.ndarray,
        lats: np.ndarray,
        lons: np.ndarray,
        season: np.ndarray,
        dmsl_dlon: np.ndarray,
        noise: Callable[[int], np.ndarray | float],
    ) -> np.ndarray:
        land = land_fraction(lats, lons)[None]
        return (
            285.0
            - 0.6 * (lats[None, :, None] - 45.0)
            + (5.0 + 5.0 * land) * season
            + _surface_diurnal(hours, lons, land)
            + ADVECTION_K_PER_PA_DEG * dmsl_dlon
            + self._t2m_waves.at(hours, lats, lons)
            + 0.2 * noise(1)
        )

    def _t850(
        self, t2m: np.ndarray, hours: np.ndarray, lats: np.ndarray, lons: np.ndarray, season: np.ndarray
    ) -> np.ndarray:
        """t2m lifted to 850 hPa: a lapse-rate offset, most of the land's daily and seasonal swing gone, own waves."""
        land = land_fraction(lats, lons)[None]
        return (
            t2m
            - LAPSE_OFFSET_K
            - 0.8 * _surface_diurnal(hours, lons, land)
            - 3.0 * land * season
            + self._t850_waves.at(hours, lats, lons)
        )

    def _tcc(
        self,
        hours: np.ndarray,
        lats: np.ndarray,
        lons: np.ndarray,
        msl_anom: np.ndarray,
        noise: Callable[[int], np.ndarray | float],
    ) -> np.ndarray:
        """Cloud fraction: overcast in lows, clear in highs, afternoon clouds over land, more over mountains.

        A logistic of those, stretched and clipped so that clear (0) and overcast (1) occur as often as in ERA5.
        """
        land = land_fraction(lats, lons)[None]
        logit = (
            0.3
            - CLOUD_PER_PA * msl_anom
            + 0.5 * land * _solar_cycle(hours, lons)
            + CLOUD_PER_KM / 1000.0 * orography(lats, lons)[None]
            + self._cloud_waves.at(hours, lats, lons)
            + 0.3 * noise(4)
        )
        return np.clip(1.3 / (1.0 + np.exp(-logit)) - 0.15, 0.0, 1.0)

    def _synoptic(
        self, hours: np.ndarray, lats: np.ndarray, lons: np.ndarray, born_by: float | None
    ) -> tuple[np.ndarray, ...]:
        """msl anomaly (Pa), its longitude derivative (Pa/deg) and the westward-tilted z500 anomaly.

        ``born_by`` (hours since 1970) leaves out the systems born after it.
        """
        shape = (hours.size, lats.size, lons.size)
        msl, dmsl, z = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        if hours.size == 0:
            return msl, dmsl, z
        first_day = int(np.floor((hours.min() - MAX_LIFETIME_H) / 24.0))
        s = _systems(self.seed, first_day, int(np.floor(hours.max() / 24.0)))
        if born_by is not None:
            s = s.born_by(born_by)
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


def _hours(times: np.ndarray) -> np.ndarray:
    """Hours since 1970 of datetime64 values."""
    return (np.asarray(times, dtype="datetime64[ns]") - EPOCH) / np.timedelta64(1, "h")


def _solar_cycle(hours: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """The daily cycle of local solar time: +1 at 14 h, when the surface is warmest, -1 at 2 h."""
    solar_hour = (hours[:, None, None] + lons[None, None, :] / 15.0) % 24.0
    return np.cos(2 * np.pi * (solar_hour - 14.0) / 24.0)


def _surface_diurnal(hours: np.ndarray, lons: np.ndarray, land: np.ndarray) -> np.ndarray:
    """The daily cycle of t2m (K): 1 K at sea, 5 K over land."""
    return (1.0 + 4.0 * land) * _solar_cycle(hours, lons)


def forecast_oracle(
    seed: int, target: str, init_times: np.ndarray, leads: np.ndarray, lats: np.ndarray, lons: np.ndarray
) -> np.ndarray:
    """The embedded source's own forecast of ``target``: (init, lead, lat, lon) float32 in physical units.

    For each init time (the last observed hour) the generator of ``seed`` runs on to
    init + lead hours with everything known at init (``SyntheticAtmosphere.fields``'s
    ``known_at``). No model can know more; one could only add the average effect of the
    systems yet unborn, which grow from nothing and stay weak within a day, so the oracle's
    errors are, up to that, the floor of every model's on this data.
    """
    atmosphere = SyntheticAtmosphere(seed)
    inits = np.asarray(init_times, dtype="datetime64[ns]")
    steps = np.asarray(leads, dtype=np.int64) * np.timedelta64(1, "h")
    forecasts = [atmosphere.fields(init + steps, lats, lons, [target], known_at=init)[target] for init in inits]
    return np.array(forecasts, dtype=np.float32).reshape(inits.size, steps.size, len(lats), len(lons))


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
