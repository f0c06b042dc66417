"""MCnet, decomposing motion and content (Villegas et al. 2017).

* Motion encoder: a CNN over frame differences (all channels) at full and half
  resolution, followed by a ConvLSTM at half resolution.
* Content encoder: a CNN over the latest frame and the forcings of the hour it
  predicts (known in advance), at full and half resolution.
* Combination layers merge the motion state with the content features.
* Residual layers merge the motion and content features of each scale and are
  added to the decoder at that scale (the multi-scale skips).
* Decoder: upsamples to the grid and predicts the change of the target field,
  from a zero-initialised last convolution, so training starts at persistence.

The forecast is unrolled hour by hour. Only the target can be predicted, so
the frame fed back keeps the other channels at their last observed values and
replaces the target channel by its forecast; the next motion input is the
difference of that frame from the previous one (zero outside the target).
Losses: the compiled loss (MSE in train.py) + ``gdl_weight`` * the gradient
difference loss; no adversarial term.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from ambs.models.convlstm import forcings_input
from ambs.models.layers import ConvLSTM, PerFrame, RepeatLastFrame
from ambs.models.losses import gradient_difference_loss, per_replica


def _network(
    context_shape: tuple[int, int, int, int],
    forecast_steps: int,
    target_index: int,
    forcing_channels: int,
    filters: int,
    kernel_size: int,
) -> keras.Model:
    """The unrolled motion/content network as a functional model [(batch, context, ...), (batch, forecast, ...,
    forcings)] -> (batch, forecast, ...)."""
    _, height, width, channels = context_shape

    def conv(name: str, strides: int = 1, width_factor: int = 1) -> keras.layers.Layer:
        return PerFrame(
            keras.layers.Conv2D(
                width_factor * filters, kernel_size, strides=strides, padding="same", activation="relu"
            ),
            name=name,
        )

    motion_full, motion_half = conv("motion_full"), conv("motion_half", strides=2)
    motion_lstm = ConvLSTM(filters, kernel_size, return_sequences=True, name="motion_lstm")
    content_full, content_half = conv("content_full"), conv("content_half", strides=2)
    combine = [conv("combine_1", width_factor=2), conv("combine_2")]
    residual_full, residual_half = conv("residual_full"), conv("residual_half")
    upsample = PerFrame(
        keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu"), name="upsample"
    )
    decode = conv("decode")
    change = PerFrame(keras.layers.Conv2D(1, kernel_size, padding="same", kernel_initializer="zeros"), name="change")
    target_mask = np.eye(channels, dtype="float32")[target_index]

    def predict_change(frame: Any, forcing: Any, motion: Any, moved_full: Any, moved_half: Any) -> Any:
        """Change of the target over the next hour from the latest frame, the next hour's forcings and the motion
        features, (batch, 1, ...)."""
        seen_full = content_full(ops.concatenate([frame, forcing], axis=-1))
        seen_half = content_half(seen_full)
        combined = ops.concatenate([motion, seen_half], axis=-1)
        for layer in combine:
            combined = layer(combined)
        merged = combined + residual_half(ops.concatenate([moved_half, seen_half], axis=-1))
        up = upsample(merged)[:, :, :height, :width]
        return change(decode(up + residual_full(ops.concatenate([moved_full, seen_full], axis=-1))))

    context = keras.Input(shape=context_shape, name="context")
    forcings = forcings_input(context_shape, forecast_steps, forcing_channels)
    moved_full = motion_full(context[:, 1:] - context[:, :-1])
    moved_half = motion_half(moved_full)
    sequence, *state = motion_lstm(moved_half)
    motion, moved_full, moved_half = sequence[:, -1:], moved_full[:, -1:], moved_half[:, -1:]
    frame = RepeatLastFrame(1, name="last_frame")(context)
    steps = []
    for step in range(forecast_steps):
        delta = predict_change(frame, forcings[:, step : step + 1], motion, moved_full, moved_half)
        steps.append(frame[..., target_index : target_index + 1] + delta)
        if step + 1 < forecast_steps:
            difference = delta * target_mask
            frame = frame + difference
            moved_full = motion_full(difference)
            moved_half = motion_half(moved_full)
            motion, *state = motion_lstm(moved_half, initial_state=state)
    return keras.Model([context, forcings], ops.concatenate(steps, axis=1), name="mcnet_network")


@keras.saving.register_keras_serializable(package="ambs")
class MCNet(keras.Model):
    """Maps [(batch, context, lat, lon, channels), (batch, forecast, lat, lon, forcings)] to (batch, forecast, lat,
    lon, 1); adds GDL to the compiled loss."""

    def __init__(
        self,
        context_shape: tuple[int, int, int, int],
        forecast_steps: int,
        target_index: int,
        forcing_channels: int,
        filters: int,
        kernel_size: int,
        gdl_weight: float,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        steps, height, width, channels = context_shape  # a list when rebuilt from a saved config
        self.context_shape = (steps, height, width, channels)
        self.forecast_steps = forecast_steps
        self.target_index = target_index
        self.forcing_channels = forcing_channels
        self.filters = filters
        self.kernel_size = kernel_size
        self.gdl_weight = gdl_weight
        self.network = _network(
            self.context_shape, forecast_steps, target_index, forcing_channels, filters, kernel_size
        )
        self.gdl = keras.metrics.Mean(name="gdl")

    def call(self, inputs: Any) -> Any:
        return self.network(inputs)

    def compute_loss(
        self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None, training: bool = True
    ) -> Any:
        """The compiled image loss plus the weighted gradient difference loss, which keeps forecasts sharp."""
        gdl = gradient_difference_loss(y, y_pred)
        self.gdl.update_state(gdl)
        return super().compute_loss(x, y, y_pred, sample_weight, training) + self.gdl_weight * per_replica(gdl)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "context_shape": self.context_shape,
            "forecast_steps": self.forecast_steps,
            "target_index": self.target_index,
            "forcing_channels": self.forcing_channels,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "gdl_weight": self.gdl_weight,
        }
