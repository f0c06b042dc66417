"""How the windows hold the target, and the way back to physical units.

The target is normalised with the training statistics like every variable. With
``target_anomaly`` its channel holds, in addition, the departure from the month x
hour-of-day climatology of the training months: normalise(x) - normalise(climatology),
that is (x - climatology) / scale. The networks then forecast departures, which the
calendar does not explain, rather than the daily and seasonal cycle, which it does: a
departure that decays to zero is the climatology forecast, one that stays is
persistence, and every blend of the two is in reach of a network from its first epoch.
Evaluation adds the climatology of the valid times back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ambs.preprocessing.climatology import at_valid_times
from ambs.preprocessing.normalisation import Normaliser
from ambs.sequences.meta import SplitMeta


@dataclass(frozen=True)
class TargetScale:
    """The map between the target in physical units and in the windows; ``climatology`` None: normalised only."""

    normaliser: Normaliser
    climatology: xr.Dataset | None = None

    @classmethod
    def of_split(cls, meta: SplitMeta, stats: dict[str, Any], climatology: xr.Dataset | None) -> TargetScale:
        """The scale a split was written with; a split of anomalies needs the climatology it was written with."""
        normaliser = Normaliser.from_stats(stats, meta.target, meta.normalisation)
        if not meta.target_anomaly:
            return cls(normaliser)
        if climatology is None:
            raise ValueError(
                f"the split's target {meta.target!r} holds departures from the climatology (target_anomaly): "
                "pass the climatology.nc of its training months"
            )
        return cls(normaliser, climatology)

    def _reference(self, times: np.ndarray) -> np.ndarray | float:
        """What the windows subtract at ``times`` (any shape): the normalised climatology, or nothing."""
        if self.climatology is None:
            return 0.0
        return self.normaliser.normalise(at_valid_times(self.climatology, times).astype(np.float64))

    def to_windows(self, values: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Physical values (*times.shape, lat, lon) as the windows hold them."""
        return self.normaliser.normalise(values) - self._reference(times)

    def to_units(self, values: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Window values (..., *times.shape, lat, lon) in physical units, float64; leading axes (members) broadcast."""
        return self.normaliser.denormalise(np.asarray(values, dtype=np.float64) + self._reference(times))
