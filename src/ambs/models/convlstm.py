"""ConvLSTM encoder-forecaster (Shi et al. 2015), as benchmarked by AMBS.

The encoder reads the context at half resolution; its final state seeds the
forecaster, which unrolls over the forecast hours. The decoder predicts each
hour's change of the target field, and the forecast is the last observed frame
plus their running sum (``layers.Accumulate``); the changes start at zero, so
training begins at the persistence forecast.

The forcings of the forecast hours (the second input, ``ambs.sequences.meta.future_forcings``;
no channels without forcings) are known in advance: the forecaster reads them at half resolution
beside the last encoded hour, and the decoder at full resolution, each hour its own.
"""

from __future__ import annotations

import keras

from ambs.models.layers import Accumulate, ConvLSTM, PerFrame, RepeatLastFrame


def encode_context(context: keras.KerasTensor, filters: int, kernel_size: int) -> tuple[keras.KerasTensor, ...]:
    """Half-resolution features of every context hour and the ConvLSTM encoder's final (h, c) state."""
    down = PerFrame(keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu"), name="downsample")(
        context
    )
    _, state_h, state_c = ConvLSTM(filters, kernel_size, name="encoder")(down)
    return down, state_h, state_c


def forcings_input(context_shape: tuple[int, int, int, int], forecast_steps: int, channels: int) -> keras.KerasTensor:
    """The second input of every network: the forcings of the forecast hours, (batch, forecast, lat, lon, forcings)."""
    return keras.Input(shape=(forecast_steps, *context_shape[1:3], channels), name="forcings")


def half_resolution(forcings: keras.KerasTensor) -> keras.KerasTensor:
    """The forcings on the grid of the encoded hours (a 3-D pooling: it also takes zero channels, a reshape does not)."""
    return keras.layers.AveragePooling3D((1, 2, 2), padding="same", name="forcings_half")(forcings)


def decode_change(
    forecast: keras.KerasTensor,
    context: keras.KerasTensor,
    forcings: keras.KerasTensor,
    forecast_steps: int,
    target_index: int,
    filters: int,
) -> keras.KerasTensor:
    """Full-resolution forecast of the target: last observed target frame plus the running sum of hourly changes,
    each decoded with its hour's forcings."""
    _, _, height, width, _ = context.shape
    up = PerFrame(
        keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu"), name="upsample"
    )(forecast)
    up = PerFrame(keras.layers.Cropping2D(((0, up.shape[2] - height), (0, up.shape[3] - width))), name="crop")(up)
    skip = RepeatLastFrame(forecast_steps, name="repeat_context")(context)
    merged = keras.layers.Concatenate(name="skip")([up, skip, forcings])
    hourly = PerFrame(keras.layers.Conv2D(1, 3, padding="same", kernel_initializer="zeros"), name="hourly_change")(
        merged
    )
    change = Accumulate(name="change")(hourly)
    base = RepeatLastFrame(forecast_steps, channel=target_index, name="persistence")(context)
    return keras.layers.Add(name="forecast")([base, change])


def build_convlstm(
    context_shape: tuple[int, int, int, int],
    forecast_steps: int,
    target_index: int,
    forcing_channels: int,
    filters: int,
    kernel_size: int,
) -> keras.Model:
    """A model mapping [(batch, context, lat, lon, channels), (batch, forecast, lat, lon, forcings)] to
    (batch, forecast, lat, lon, 1)."""
    context = keras.Input(shape=context_shape, name="context")
    forcings = forcings_input(context_shape, forecast_steps, forcing_channels)
    down, state_h, state_c = encode_context(context, filters, kernel_size)
    forecaster_input = keras.layers.Concatenate(name="with_forcings")(
        [RepeatLastFrame(forecast_steps, name="repeat_encoded")(down), half_resolution(forcings)]
    )
    forecast, _, _ = ConvLSTM(filters, kernel_size, return_sequences=True, name="forecaster")(
        forecaster_input, initial_state=[state_h, state_c]
    )
    outputs = decode_change(forecast, context, forcings, forecast_steps, target_index, filters)
    return keras.Model([context, forcings], outputs, name="convlstm")
