"""Preprocessing: raw ERA5 months cropped to the region, their normalisation statistics and the climatology."""
