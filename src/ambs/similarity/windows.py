"""The views of a window that the similarity models compare; the windows come from ``sequences.read_split``.

Two views: ``context`` (the context hours of every variable, what an analog search
compares) and ``target`` (the forecast hours of the target alone, the shape of a
forecast, which the learned forecast metric compares).
"""

from __future__ import annotations

import numpy as np

from ambs.catalogue import VIEWS
from ambs.sequences.meta import SplitMeta, context_part, future_target


def select_view(meta: SplitMeta, windows: np.ndarray, view: str) -> np.ndarray:
    """The part of each window that the ``view`` encoder compares."""
    if view == "context":
        return context_part(meta, windows)
    if view == "target":
        return future_target(meta, windows)
    raise ValueError(f"unknown similarity view '{view}'; expected one of {list(VIEWS)}")


def evenly_spaced(count: int, wanted: int) -> np.ndarray:
    """Up to ``wanted`` indices spread over 0..count-1, always with the first and the last."""
    return np.unique(np.linspace(0, count - 1, min(wanted, count)).round().astype(int))
