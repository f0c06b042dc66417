"""Forcings: what is known of every hour from the calendar and the position alone, as fields (time, lat, lon).

A model that sees only the past fields must infer the time of day and the season from
them; every modern ML weather model is told instead. Two kinds of forcing:

- the sun: cosine of the solar zenith angle and the top-of-atmosphere (TOA) incident
  solar radiation, instantaneous at the valid time, in W m-2 (ERA5's ``tisr`` is the same
  flux accumulated over the hour before, in J m-2). Solar constant 1361 W m-2 (Kopp and
  Lean 2011), scaled by the inverse square of the Earth-Sun distance in AU. The sun's
  position is NOAA's solar calculator algorithm (Meeus, Astronomical Algorithms): about
  0.01 degree from NREL's SPA for 1800-2100, more than enough for 0.25 degree cells;
- the clock: sin/cos of the local mean solar time (UTC + longitude / 15 h, angle 0 at
  local midnight; mean rather than apparent time, so it is a pure clock and the sun's
  wobble stays in the solar fields) and of the day of the year (the fraction of the UTC
  calendar year elapsed at the valid time, its own length 365 or 366 days; angle 0 at
  1 January 00 UTC).

Everything is vectorised numpy: the sun per time, broadcast against latitude and
longitude. ``FORCINGS`` names every forcing a config can ask for.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SOLAR_CONSTANT = 1361.0  # W m-2 at 1 AU
J2000 = np.datetime64("2000-01-01T12:00:00", "s")  # Julian date 2451545.0
SECONDS_PER_DAY = 86400.0


def _julian_centuries(times: np.ndarray) -> np.ndarray:
    """Julian centuries since J2000.0 (UT taken for TT: the 70 s between them move the sun by 0.001 degree)."""
    seconds = (np.asarray(times, dtype="datetime64[s]") - J2000).astype(np.float64)
    return seconds / SECONDS_PER_DAY / 36525.0


def sun_position(times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(declination in radians, equation of time in minutes, Earth-Sun distance in AU) at each time (UTC)."""
    century = _julian_centuries(times)
    mean_longitude = np.deg2rad((280.46646 + century * (36000.76983 + century * 0.0003032)) % 360.0)
    anomaly = np.deg2rad(357.52911 + century * (35999.05029 - 0.0001537 * century))
    eccentricity = 0.016708634 - century * (0.000042037 + 0.0000001267 * century)
    centre = np.deg2rad(
        np.sin(anomaly) * (1.914602 - century * (0.004817 + 0.000014 * century))
        + np.sin(2 * anomaly) * (0.019993 - 0.000101 * century)
        + np.sin(3 * anomaly) * 0.000289
    )
    distance = 1.000001018 * (1 - eccentricity**2) / (1 + eccentricity * np.cos(anomaly + centre))
    node = np.deg2rad(125.04 - 1934.136 * century)  # longitude of the Moon's ascending node: nutation
    apparent_longitude = mean_longitude + centre - np.deg2rad(0.00569 + 0.00478 * np.sin(node))
    seconds_of_arc = 21.448 - century * (46.815 + century * (0.00059 - century * 0.001813))
    obliquity = np.deg2rad(23 + (26 + seconds_of_arc / 60) / 60 + 0.00256 * np.cos(node))
    declination = np.arcsin(np.sin(obliquity) * np.sin(apparent_longitude))
    y = np.tan(obliquity / 2) ** 2
    equation_of_time = 4 * np.rad2deg(
        y * np.sin(2 * mean_longitude)
        - 2 * eccentricity * np.sin(anomaly)
        + 4 * eccentricity * y * np.sin(anomaly) * np.cos(2 * mean_longitude)
        - 0.5 * y**2 * np.sin(4 * mean_longitude)
        - 1.25 * eccentricity**2 * np.sin(2 * anomaly)
    )
    return declination, equation_of_time, distance


def _hours_of_day(times: np.ndarray) -> np.ndarray:
    """UTC hours since midnight of each time, with fractions."""
    times = np.asarray(times, dtype="datetime64[s]")
    return (times - times.astype("datetime64[D]")).astype(np.float64) / 3600.0


def _grid(times: np.ndarray, lat: np.ndarray, lon: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` broadcast to (time, lat, lon) as float32."""
    return np.broadcast_to(values, (len(times), len(lat), len(lon))).astype(np.float32)


def cos_solar_zenith(times: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Cosine of the geometric solar zenith angle (no refraction), (time, lat, lon); negative at night."""
    declination, equation_of_time, _ = sun_position(times)
    solar_hours = (
        _hours_of_day(times)[:, None] + (np.asarray(lon, np.float64)[None, :] * 4 + equation_of_time[:, None]) / 60
    )
    hour_angle = np.deg2rad(15.0 * (solar_hours - 12.0))  # (time, lon)
    phi = np.deg2rad(np.asarray(lat, np.float64))[None, :, None]
    delta = declination[:, None, None]
    return _grid(
        times, lat, lon, np.sin(phi) * np.sin(delta) + np.cos(phi) * np.cos(delta) * np.cos(hour_angle)[:, None]
    )


def solar_elevation(times: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Geometric solar elevation above the horizon in degrees, (time, lat, lon)."""
    return np.rad2deg(np.arcsin(np.clip(cos_solar_zenith(times, lat, lon), -1.0, 1.0)))


def toa_incident_solar_radiation(times: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Instantaneous TOA incident solar flux on a horizontal surface in W m-2, (time, lat, lon); 0 at night."""
    _, _, distance = sun_position(times)
    flux = SOLAR_CONSTANT / distance[:, None, None] ** 2 * np.maximum(cos_solar_zenith(times, lat, lon), 0.0)
    return flux.astype(np.float32)


def local_time_angle(times: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Local mean solar time as an angle in radians, 0 at local midnight: (time, lon)."""
    hours = _hours_of_day(times)[:, None] + np.asarray(lon, np.float64)[None, :] / 15.0
    return 2 * np.pi * hours / 24.0


def year_angle(times: np.ndarray) -> np.ndarray:
    """Fraction of the UTC calendar year elapsed at each time, as an angle in radians (0 at 1 January 00 UTC)."""
    times = np.asarray(times, dtype="datetime64[s]")
    start = times.astype("datetime64[Y]")
    length = ((start + 1).astype("datetime64[s]") - start.astype("datetime64[s]")).astype(np.float64)
    return 2 * np.pi * (times - start.astype("datetime64[s]")).astype(np.float64) / length


Forcing = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]

FORCINGS: dict[str, Forcing] = {
    "toa_incident_solar_radiation": toa_incident_solar_radiation,
    "cos_solar_zenith": cos_solar_zenith,
    "sin_local_time": lambda times, lat, lon: _grid(times, lat, lon, np.sin(local_time_angle(times, lon))[:, None]),
    "cos_local_time": lambda times, lat, lon: _grid(times, lat, lon, np.cos(local_time_angle(times, lon))[:, None]),
    "sin_day_of_year": lambda times, lat, lon: _grid(times, lat, lon, np.sin(year_angle(times))[:, None, None]),
    "cos_day_of_year": lambda times, lat, lon: _grid(times, lat, lon, np.cos(year_angle(times))[:, None, None]),
}


def forcing_fields(names: list[str], times: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """The named forcings at ``times`` on the grid as channels: (time, lat, lon, forcing), float32."""
    unknown = sorted(set(names) - set(FORCINGS))
    if unknown:
        raise ValueError(f"unknown forcings {unknown}; expected any of {list(FORCINGS)}")
    return np.stack([FORCINGS[name](times, lat, lon) for name in names], axis=-1)
