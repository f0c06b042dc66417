"""Evaluation: forecasts scored against the truth, skill, significance bands and the similarity scores."""
