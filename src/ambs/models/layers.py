"""Small serialisable Keras layers shared by the video-prediction models (keras.ops only)."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
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


@keras.saving.register_keras_serializable(package="ambs")
class ConvLSTM(keras.layers.Layer):
    """A 2-D ConvLSTM over (batch, time, lat, lon, channels) with 'same' padding; call returns (output, h, c).

    The gates, activations and initialisers are those of ``keras.layers.ConvLSTM2D``, but the work
    is laid out for speed: its cell runs eight convolutions per step (input and hidden state, one per
    gate). Here the input-to-gates convolution runs once over all time steps as one batched convolution,
    and each step runs a single hidden-to-gates convolution for the four gates, in ``keras.ops.scan``
    (a loop whose gradient runs the steps in order: unrolled, TensorFlow ran the steps' gradients side
    by side and summed them in an order that changed from run to run).
    """

    def __init__(self, filters: int, kernel_size: int, return_sequences: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.filters = filters
        self.kernel_size = kernel_size
        self.return_sequences = return_sequences

    def build(self, inputs_shape: tuple, initial_state_shape: Any = None) -> None:
        size, channels, gates = self.kernel_size, inputs_shape[-1], 4 * self.filters
        self.kernel = self.add_weight(shape=(size, size, channels, gates), initializer="glorot_uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(size, size, self.filters, gates), initializer="orthogonal", name="recurrent_kernel"
        )
        forget_ones = np.concatenate([np.zeros(self.filters), np.ones(self.filters), np.zeros(2 * self.filters)])
        self.bias = self.add_weight(shape=(gates,), initializer=keras.initializers.Constant(forget_ones), name="bias")

    def call(self, inputs: Any, initial_state: Any = None) -> tuple[Any, Any, Any]:
        _, frames, height, width, channels = inputs.shape
        time_major = ops.reshape(ops.transpose(inputs, (1, 0, 2, 3, 4)), (-1, height, width, channels))
        from_inputs = ops.conv(time_major, self.kernel, padding="same") + self.bias
        from_inputs = ops.reshape(from_inputs, (frames, -1, height, width, 4 * self.filters))
        if initial_state is None:
            hidden = ops.zeros_like(from_inputs[0, ..., : self.filters])
            initial_state = (hidden, hidden)

        def step(state: tuple[Any, Any], step_inputs: Any) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
            hidden, cell = state
            gates = step_inputs + ops.conv(hidden, self.recurrent_kernel, padding="same")
            input_gate, forget_gate, candidate, output_gate = ops.split(gates, 4, axis=-1)
            cell = ops.sigmoid(forget_gate) * cell + ops.sigmoid(input_gate) * ops.tanh(candidate)
            hidden = ops.sigmoid(output_gate) * ops.tanh(cell)
            return (hidden, cell), (hidden, cell)  # TensorFlow's scan needs outputs shaped like the carry

        (hidden, cell), (outputs, _) = ops.scan(step, tuple(initial_state), from_inputs)
        output = ops.transpose(outputs, (1, 0, 2, 3, 4)) if self.return_sequences else hidden
        return output, hidden, cell

    def compute_output_shape(self, inputs_shape: tuple, initial_state_shape: Any = None) -> tuple:
        state = (inputs_shape[0], *inputs_shape[2:-1], self.filters)
        output = (inputs_shape[0], inputs_shape[1], *state[1:]) if self.return_sequences else state
        return output, state, state

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "return_sequences": self.return_sequences,
        }


@keras.saving.register_keras_serializable(package="ambs")
class PerFrame(keras.layers.Wrapper):
    """Apply a layer to every frame of (batch, time, ...) as one batch of batch x time frames.

    Why not ``keras.layers.TimeDistributed``: with a known number of steps it loops over them in
    Python, one slice per step, and on TensorFlow each slice's gradient is a full-size tensor; in
    a ConvLSTM training step that cost more than all the convolutions' input gradients.
    """

    def build(self, inputs_shape: tuple) -> None:
        if not self.layer.built:  # a reloaded model's inner layer is built from its own config
            self.layer.build((None, *inputs_shape[2:]))
        self.built = True

    def call(self, inputs: Any) -> Any:
        frames = self.layer(ops.reshape(inputs, (-1, *inputs.shape[2:])))
        return ops.reshape(frames, (-1, inputs.shape[1], *frames.shape[1:]))

    def compute_output_shape(self, inputs_shape: tuple) -> tuple:
        frame = self.layer.compute_output_shape((None, *inputs_shape[2:]))
        return (inputs_shape[0], inputs_shape[1], *frame[1:])


@keras.saving.register_keras_serializable(package="ambs")
class Accumulate(keras.layers.Layer):
    """Running sum over the time axis of (batch, time, ...), divided by the number of steps: hourly changes to the
    change since the last observed hour.

    A decoder of the whole change since the last observed hour, with weights shared by every hour, gave the
    first forecast hour nearly the change of the later ones (its features differ little), and training on all
    hours made it the later hours' change: one hour ahead ConvLSTM and SAVP lost to the last observed departure
    from the climatology. Summing hourly changes gives the first hour one hour's change and each later hour
    one more. The division keeps the last hour's change as fast to learn as a direct decoder's (Adam moves each
    weight by about the learning rate, and the last hour sums all the hours' changes); summed undivided, the
    last hours' changes jumped by 12 steps at a time, and the validation loss with them.
    """

    def call(self, inputs: Any) -> Any:
        return ops.cumsum(inputs, axis=1) / inputs.shape[1]
