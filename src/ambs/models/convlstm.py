"""ConvLSTM encoder-forecaster (Shi et al. 2015), as benchmarked by AMBS.

The encoder reads the context at half resolution; its final state seeds the
forecaster, which unrolls over the forecast hours. The decoder predicts the
change of the target field relative to the last observed frame; that change
starts at zero, so training begins at the persistence forecast.
"""

from __future__ import annotations

import keras

from ambs.models.layers import RepeatLastFrame


def build_convlstm(
    context_shape: tuple[int, int, int, int],
    forecast_steps: int,
    target_index: int,
    filters: int,
    kernel_size: int,
) -> keras.Model:
    """A model mapping (batch, context, lat, lon, channels) to (batch, forecast, lat, lon, 1)."""
    _, height, width, _ = context_shape
    inputs = keras.Input(shape=context_shape, name="context")
    down = keras.layers.TimeDistributed(
        keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu"), name="downsample"
    )(inputs)
    _, state_h, state_c = keras.layers.ConvLSTM2D(
        filters, kernel_size, padding="same", return_state=True, name="encoder"
    )(down)
    forecaster_input = RepeatLastFrame(forecast_steps, name="repeat_encoded")(down)
    forecast = keras.layers.ConvLSTM2D(
        filters, kernel_size, padding="same", return_sequences=True, name="forecaster"
    )(forecaster_input, initial_state=[state_h, state_c])
    up = keras.layers.TimeDistributed(
        keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu"), name="upsample"
    )(forecast)
    up = keras.layers.TimeDistributed(
        keras.layers.Cropping2D(((0, up.shape[2] - height), (0, up.shape[3] - width))), name="crop"
    )(up)
    skip = RepeatLastFrame(forecast_steps, name="repeat_context")(inputs)
    merged = keras.layers.Concatenate(name="skip")([up, skip])
    change = keras.layers.TimeDistributed(
        keras.layers.Conv2D(1, 3, padding="same", kernel_initializer="zeros"), name="change"
    )(merged)
    base = RepeatLastFrame(forecast_steps, channel=target_index, name="persistence")(inputs)
    outputs = keras.layers.Add(name="forecast")([base, change])
    return keras.Model(inputs, outputs, name="convlstm")
