"""Reference forecasts in physical units that every network must beat.

persistence: the last observed hour for every lead. Daily persistence ("yesterday's
weather"): the field at the same hour of day on the last observed day. The climatology
forecast is ``ambs.preprocessing.climatology.at_valid_times``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

DAY_HOURS = 24


def persistence(observed: np.ndarray, forecast_hours: int) -> np.ndarray:
    """The last context hour of (init, context, lat, lon) repeated: (init, forecast_hours, lat, lon)."""
    return np.repeat(observed[:, -1:], forecast_hours, axis=1)


def daily_lags(leads: np.ndarray) -> np.ndarray:
    """Hours back from each valid time: 24 for leads up to 24 h, 48 up to 48 h, ...

    A whole number of days, and never later than the init time, so the forecast uses only
    what was observed when it was issued.
    """
    return DAY_HOURS * np.ceil(np.asarray(leads) / DAY_HOURS).astype(int)


def daily_persistence(history: xr.DataArray, init_times: np.ndarray, leads: np.ndarray) -> np.ndarray:
    """The ``history`` field (time, lat, lon) at valid time minus ``daily_lags``, shape (init, lead, lat, lon).

    NaN where the history lacks that hour (e.g. the first day of the test months): those
    (init, lead) pairs get NaN scores rather than a made-up forecast.
    """
    offsets = (np.asarray(leads) - daily_lags(leads)).astype("timedelta64[h]")
    sources = (np.asarray(init_times, dtype="datetime64[ns]")[:, None] + offsets[None, :]).astype("datetime64[ns]")
    fields = history.transpose("time", ...).reindex(time=sources.ravel()).values.astype(np.float64)
    return fields.reshape(*sources.shape, *fields.shape[1:])
