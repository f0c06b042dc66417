"""ConvLSTM encoder-forecaster (Shi et al. 2015), as benchmarked by AMBS.

The encoder reads the context at half resolution; its final state seeds the
forecaster, which unrolls over the forecast hours. The decoder predicts the
change of the target field relative to the last observed frame; that change
starts at zero, so training begins at the persistence forecast.
"""

from __future__ import annotations

import keras

from ambs.models.layers import ConvLSTM, PerFrame, RepeatLastFrame


def encode_context(context: keras.KerasTensor, filters: int, kernel_size: int) -> tuple[keras.KerasTensor, ...]:
    """Half-resolution features of every context hour and the ConvLSTM encoder's final (h, c) state."""
    down = PerFrame(keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu"), name="downsample")(
        context
    )
    _, state_h, state_c = ConvLSTM(filters, kernel_size, name="encoder")(down)
    return down, state_h, state_c


def decode_change(
    forecast: keras.KerasTensor, context: keras.KerasTensor, forecast_steps: int, target_index: int, filters: int
) -> keras.KerasTensor:
    """Full-resolution forecast of the target: last observed target frame plus a decoded change."""
    _, _, height, width, _ = context.shape
    up = PerFrame(
        keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu"), name="upsample"
    )(forecast)
    up = PerFrame(keras.layers.Cropping2D(((0, up.shape[2] - height), (0, up.shape[3] - width))), name="crop")(up)
    skip = RepeatLastFrame(forecast_steps, name="repeat_context")(context)
    merged = keras.layers.Concatenate(name="skip")([up, skip])
    change = PerFrame(keras.layers.Conv2D(1, 3, padding="same", kernel_initializer="zeros"), name="change")(merged)
    base = RepeatLastFrame(forecast_steps, channel=target_index, name="persistence")(context)
    return keras.layers.Add(name="forecast")([base, change])


def build_convlstm(
    context_shape: tuple[int, int, int, int],
    forecast_steps: int,
    target_index: int,
    filters: int,
    kernel_size: int,
) -> keras.Model:
    """A model mapping (batch, context, lat, lon, channels) to (batch, forecast, lat, lon, 1)."""
    inputs = keras.Input(shape=context_shape, name="context")
    down, state_h, state_c = encode_context(inputs, filters, kernel_size)
    last_encoded = RepeatLastFrame(1, name="last_encoded")(down)
    forecast, _, _ = ConvLSTM(filters, kernel_size, return_sequences=True, steps=forecast_steps, name="forecaster")(
        last_encoded, initial_state=[state_h, state_c]
    )
    return keras.Model(inputs, decode_change(forecast, inputs, forecast_steps, target_index, filters), name="convlstm")
