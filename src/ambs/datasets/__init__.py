"""Synthetic video-prediction datasets with known dynamics, stored like ERA5 windows."""

from ambs.datasets.moving_digits import generate_moving_digits
from ambs.datasets.store import write_synthetic, write_windows
from ambs.datasets.waveeq import generate_waveeq

__all__ = ["generate_moving_digits", "generate_waveeq", "write_synthetic", "write_windows"]
