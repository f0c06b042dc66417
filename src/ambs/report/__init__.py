"""Figures and tables of the benchmark report, one module per kind of figure.

Every figure module draws with Matplotlib's Agg backend (set in ``figure``) and
never imports TensorFlow, so each plot job takes seconds.
"""
