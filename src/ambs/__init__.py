"""AMBS: benchmark deep-learning video prediction of ERA5 atmospheric fields."""

__version__ = "0.1.0"
