"""Figures and tables of the benchmark report, one module per kind of figure.

Every figure module draws with Matplotlib's Agg backend (set in ``figure``) and
never imports TensorFlow, so each plot job takes seconds. This package module
itself stays import-light: the workflow reads ``EXAMPLE_CASES`` at parse time.
"""

# Example-map case name -> quantile of the per-init MSE it shows.
EXAMPLE_CASES = {"best": 0.0, "median": 0.5, "worst": 1.0}
