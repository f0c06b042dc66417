"""AMBS: benchmark deep-learning video prediction of ERA5 atmospheric fields."""

import os

# TensorFlow's C++ start-up chatter would drown the progress lines in every rule's log.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
