"""Training: networks and similarity encoders fitted resumably, with checkpoints, callbacks and devices."""
