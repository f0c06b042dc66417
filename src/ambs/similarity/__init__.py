"""Learned similarity of ERA5 windows: a self-supervised Siamese encoder, an LSiM-style distance, and their evaluation."""
