"""Video-prediction models and baselines."""
