"""Model names the workflow needs at parse time, kept free of heavy imports (no TensorFlow)."""

# Reference forecasts with no train job: the last observed hour, the same hour one day earlier
# ("yesterday's weather"), and the month x hour-of-day mean of the training months.
BASELINES = ("persistence", "persistence24", "climatology")


# Fitted without gradient training by its own rule (build_analog, from the training archive and the
# similarity encoder), but saved as models/<model>/model.keras and evaluated like a trained model.
ANALOG = "analog"


def is_trained(model: str) -> bool:
    """Baselines are computed from the context and the reference data alone; every other model has a model file."""
    return model not in BASELINES


def has_train_job(model: str) -> bool:
    """Whether rule train fits the model (and writes its history.csv): every model with a file but the analog one."""
    return is_trained(model) and model != ANALOG
