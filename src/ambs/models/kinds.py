"""Model names the workflow needs at parse time, kept free of heavy imports (no TensorFlow)."""

BASELINES = ("persistence",)


def is_trained(model: str) -> bool:
    """Baselines are computed from the context alone; every other model has a train job."""
    return model not in BASELINES
