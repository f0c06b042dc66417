"""Synthetic video-prediction datasets with known dynamics (wave equation, moving digits), stored like ERA5 windows.

Submodules are imported where needed: the generators pull in numba or scikit-learn,
the window store TensorFlow.
"""
