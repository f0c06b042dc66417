"""Spatiotemporal disentanglement after Donà et al. (2021), "PDE-Driven Spatiotemporal Disentanglement".

A frame is decoded from two codes: a content code S, the same for the whole
sequence, and a dynamic state T_t that evolves by a learned ODE,
T_{t+1} = T_t + f(T_t) (one explicit Euler step per hour). S and T_0 both
come from the context frames: T_0, the state at the first context hour, is
inferred from the whole context, which pins down rates of change and phases
better than its first frames alone. The state is rolled out from
the first context hour to the last forecast hour, so the context frames are
reconstructed (autoencoding) by the same dynamics that produce the forecast.

The forcings, known for every hour (the context's forcing channels, then the
second input's forecast hours; no channels without forcings), drive the ODE and
the decoder: T_{t+1} = T_t + f(T_t, F_t), and frame t is decoded from
(S, T_t, F_t).

Losses besides the compiled forecast loss, all added in ``call`` with
``add_loss`` so every backend trains them: reconstruction of the context
target frames, invariance of S computed from two disjoint halves of the
context, and an L2 penalty on T_0 that keeps information out of the dynamic
state that S can carry.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


def _stack_frames(frames: Any) -> Any:
    """(batch, time, H, W, C) -> (batch, H, W, time·C): convolutional encoders see a window at once."""
    _, time, height, width, channels = frames.shape
    return ops.reshape(ops.transpose(frames, (0, 2, 3, 1, 4)), (-1, height, width, time * channels))


def _conv_stack(filters: int, out_channels: int, name: str, **last: Any) -> list[keras.layers.Layer]:
    return [
        keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"{name}_1"),
        keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"{name}_2"),
        keras.layers.Conv2D(out_channels, 3, padding="same", name=f"{name}_out", **last),
    ]


def _apply(layers: list[keras.layers.Layer], x: Any) -> Any:
    for layer in layers:
        x = layer(x)
    return x


@keras.saving.register_keras_serializable(package="ambs")
class PDEDisentangled(keras.Model):
    """Maps [(batch, context, H, W, C), (batch, forecast, H, W, forcings)] to the target channel's forecast
    (batch, forecast, H, W, 1); the context's last ``forcings`` channels are its forcings."""

    def __init__(
        self,
        context_shape: tuple[int, int, int, int],
        forecast_steps: int,
        target_index: int,
        forcing_channels: int,
        content_channels: int,
        dynamic_channels: int,
        filters: int,
        invariance_weight: float,
        dynamic_weight: float,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.context_shape = tuple(context_shape)
        self.forecast_steps = forecast_steps
        self.target_index = target_index
        self.forcing_channels = forcing_channels
        self.content_channels = content_channels
        self.dynamic_channels = dynamic_channels
        self.filters = filters
        self.invariance_weight = invariance_weight
        self.dynamic_weight = dynamic_weight
        self.content_frames = max(1, self.context_shape[0] // 2)  # S is compared between two disjoint halves
        self.content_local = _conv_stack(filters, content_channels, "content")
        # A global part lets S hold content that moves (a digit) yet stays the same over time.
        self.content_global = keras.layers.Dense(content_channels, name="content_global")
        self.dynamic_encoder = _conv_stack(filters, dynamic_channels, "dynamic")
        self.derivative = [
            keras.layers.Conv2D(filters, 3, padding="same", activation="tanh", name="derivative_1"),
            keras.layers.Conv2D(dynamic_channels, 3, padding="same", kernel_initializer="zeros", name="derivative_out"),
        ]
        self.decoder = _conv_stack(filters, 1, "decoder")

    def _content(self, frames: Any) -> Any:
        features = _apply(self.content_local[:-1], _stack_frames(frames))
        summary = self.content_global(ops.mean(features, axis=(1, 2)))
        return self.content_local[-1](features) + summary[:, None, None, :]

    def content_pair(self, x: Any) -> tuple[Any, Any]:
        """S from the first and from the last ``content_frames`` context hours; invariance makes them agree."""
        return self._content(x[:, : self.content_frames]), self._content(x[:, -self.content_frames :])

    def encode_content(self, x: Any) -> Any:
        """The content code S (batch, H, W, content_channels) used for decoding: the mean of the pair."""
        first, last = self.content_pair(x)
        return 0.5 * (first + last)

    def encode_dynamics(self, x: Any) -> Any:
        """The dynamic state T_0 (batch, H, W, dynamic_channels) at the first context hour."""
        return _apply(self.dynamic_encoder, _stack_frames(x))

    def hourly_forcings(self, x: Any, forcings: Any) -> Any:
        """The forcings of every hour from the first context hour on: the context's, then the forecast hours'."""
        return ops.concatenate([x[..., x.shape[-1] - self.forcing_channels :], forcings], axis=1)

    def decode_rollout(self, content: Any, state: Any, forcings: Any) -> Any:
        """Frames (batch, hours, H, W, 1) from S and T_0, stepping T_{t+1} = T_t + f(T_t, F_t), over the hours of the
        forcings F (batch, hours, H, W, forcings)."""
        steps = forcings.shape[1]
        states = [ops.concatenate([state, forcings[:, 0]], axis=-1)]  # T_t with F_t: the rest needs no reshape of F
        for hour in range(1, steps):
            state = state + _apply(self.derivative, states[-1])
            states.append(ops.concatenate([state, forcings[:, hour]], axis=-1))
        _, height, width, _ = content.shape
        trajectory = ops.reshape(ops.stack(states, axis=1), (-1, height, width, states[0].shape[-1]))
        repeated = ops.reshape(ops.repeat(content[:, None], steps, axis=1), (-1, height, width, self.content_channels))
        frames = _apply(self.decoder, ops.concatenate([repeated, trajectory], axis=-1))
        return ops.reshape(frames, (-1, steps, height, width, 1))

    def extrapolate(self, inputs: Any) -> Any:
        """Forecast frames (batch, steps, H, W, 1) over the hours of the forcings in inputs = [context, forcings],
        also beyond ``forecast_steps``.

        The dynamics are an ODE, so a longer forecast integrates it further from the same T_0.
        """
        x, forcings = inputs
        hourly = self.hourly_forcings(x, forcings)
        return self.decode_rollout(self.encode_content(x), self.encode_dynamics(x), hourly)[:, self.context_shape[0] :]

    def call(self, inputs: Any) -> Any:
        x, forcings = inputs
        context = self.context_shape[0]
        first, last = self.content_pair(x)
        state = self.encode_dynamics(x)
        frames = self.decode_rollout(0.5 * (first + last), state, self.hourly_forcings(x, forcings))
        target = x[..., self.target_index : self.target_index + 1]
        self.add_loss(ops.mean(ops.square(frames[:, :context] - target)))
        self.add_loss(self.invariance_weight * ops.mean(ops.square(first - last)))
        self.add_loss(self.dynamic_weight * ops.mean(ops.square(state)))
        return frames[:, context:]

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        context_shape, _ = input_shape
        return (context_shape[0], self.forecast_steps, *context_shape[2:4], 1)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "context_shape": self.context_shape,
            "forecast_steps": self.forecast_steps,
            "target_index": self.target_index,
            "forcing_channels": self.forcing_channels,
            "content_channels": self.content_channels,
            "dynamic_channels": self.dynamic_channels,
            "filters": self.filters,
            "invariance_weight": self.invariance_weight,
            "dynamic_weight": self.dynamic_weight,
        }


def build_pde(
    context_shape: tuple[int, int, int, int],
    forecast_steps: int,
    target_index: int,
    forcing_channels: int,
    content_channels: int,
    dynamic_channels: int,
    filters: int,
    invariance_weight: float,
    dynamic_weight: float,
) -> PDEDisentangled:
    """A model with its variables created (by one forward pass), ready to compile like ``build_convlstm``'s."""
    model = PDEDisentangled(
        context_shape,
        forecast_steps,
        target_index,
        forcing_channels,
        content_channels,
        dynamic_channels,
        filters,
        invariance_weight,
        dynamic_weight,
        name="pde",
    )
    model([ops.zeros((1, *context_shape)), ops.zeros((1, forecast_steps, *context_shape[1:3], forcing_channels))])
    return model
