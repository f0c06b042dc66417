"""Small serialisable Keras layers shared by the video-prediction models (keras.ops only)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ambs")
class RepeatLastFrame(keras.layers.Layer):
    """Repeat the last time step ``steps`` times, optionally keeping only one channel.

    Gives the forecaster its input sequence and the residual base (forecast =
    last observed target frame + learned change), which starts training at
    persistence instead of at noise.
    """

    def __init__(self, steps: int, channel: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.steps = steps
        self.channel = channel

    def call(self, inputs: Any) -> Any:
        last = inputs[:, -1:]
        if self.channel is not None:
            last = last[..., self.channel : self.channel + 1]
        return ops.repeat(last, self.steps, axis=1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        channels = input_shape[-1] if self.channel is None else 1
        return (input_shape[0], self.steps, *input_shape[2:-1], channels)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "steps": self.steps, "channel": self.channel}
