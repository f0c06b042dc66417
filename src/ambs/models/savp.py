"""SAVP, Stochastic Adversarial Video Prediction (Lee et al. 2018), in its VAE-GAN form.

A ConvLSTM encoder-forecaster (as in ``convlstm.py``, with its use of the forecast hours'
forcings) whose forecaster also receives a latent vector z_t per forecast hour, tiled over the grid. The prior
of z_t is the fixed unit Gaussian that SAVP uses (no learned prior). In
training a posterior encoder q(z_t | frames t, t+1) sees the truth (``fit``
passes it as y) and the losses are

* L1 between the truth and the forecast generated with posterior samples,
* ``kl_weight`` * KL(q || N(0, 1)),
* ``adversarial_weight`` * the non-saturating GAN loss of a small video
  discriminator (3-D convolutions over time, lat, lon) that judges the context
  followed by a forecast, applied to both the prior sample (SAVP's GAN term)
  and the posterior sample (its VAE-GAN term); SAVP uses two discriminators for
  these, one is shared here.

The discriminator keeps its own Adam moments but shares the compiled Adam
optimiser and is updated jointly with the generator in the same step (SAVP's
``joint_gan_optimization``), see ``losses.adversarial_terms``; this keeps the
standard Keras train step, so TensorFlow and JAX both work.

``predict`` returns ONE sample from the prior, drawn with the fixed inference
seed, so it is reproducible (also after save/reload) for a given batch split;
``sample`` draws an ensemble. The compiled loss ("mse") is not used: the model
brings its own losses and logs them as l1, kl, adv and d_loss.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from ambs.models.convlstm import decode_change, encode_context, forcings_input, half_resolution
from ambs.models.layers import ConvLSTM, PerFrame, RepeatLastFrame
from ambs.models.losses import adversarial_terms, kl_to_standard_normal, per_replica


def _generator(
    context_shape: tuple[int, int, int, int],
    forecast_steps: int,
    target_index: int,
    forcing_channels: int,
    filters: int,
    kernel_size: int,
    latent_channels: int,
) -> keras.Model:
    """(context, forcings of the forecast hours, z of shape (batch, forecast, latent)) -> forecast of the target."""
    context = keras.Input(shape=context_shape, name="context")
    forcings = forcings_input(context_shape, forecast_steps, forcing_channels)
    latent = keras.Input(shape=(forecast_steps, latent_channels), name="z")
    down, state_h, state_c = encode_context(context, filters, kernel_size)
    latent_maps = keras.layers.UpSampling3D((1, down.shape[2], down.shape[3]), name="tile_z")(
        keras.layers.Reshape((forecast_steps, 1, 1, latent_channels))(latent)
    )
    forecaster_input = keras.layers.Concatenate(name="with_z")(
        [RepeatLastFrame(forecast_steps, name="repeat_encoded")(down), latent_maps, half_resolution(forcings)]
    )
    forecast, _, _ = ConvLSTM(filters, kernel_size, return_sequences=True, name="forecaster")(
        forecaster_input, initial_state=[state_h, state_c]
    )
    outputs = decode_change(forecast, context, forcings, forecast_steps, target_index, filters)
    return keras.Model([context, forcings, latent], outputs, name="generator")


def _posterior(
    context_shape: tuple[int, int, int, int],
    forecast_steps: int,
    target_index: int,
    filters: int,
    kernel_size: int,
    latent_channels: int,
) -> keras.Model:
    """(context, truth) -> (mean, log variance) of q(z_t | target frames t, t+1), each (batch, forecast, latent)."""
    _, height, width, _ = context_shape
    context = keras.Input(shape=context_shape, name="context")
    truth = keras.Input(shape=(forecast_steps, height, width, 1), name="truth")
    frames = keras.layers.Concatenate(axis=1, name="frames")(
        [RepeatLastFrame(1, channel=target_index, name="last_target")(context), truth]
    )
    pairs = keras.layers.Conv3D(  # a kernel two frames long: output t sees frames t and t+1 ...
        filters, (2, kernel_size, kernel_size), strides=(1, 2, 2), padding="same", activation="relu", name="pairs"
    )(frames)
    pairs = keras.layers.Cropping3D(((0, 1), (0, 0), (0, 0)), name="drop_last")(pairs)  # ... and the last sees padding
    features = PerFrame(keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu"), name="reduce")(
        pairs
    )
    pooled = PerFrame(keras.layers.GlobalAveragePooling2D(), name="pool")(features)
    mean = keras.layers.Dense(latent_channels, name="mean")(pooled)
    log_var = keras.layers.Dense(latent_channels, name="log_var")(pooled)
    return keras.Model([context, truth], [mean, log_var], name="posterior")


def _discriminator(steps: int, height: int, width: int, filters: int) -> keras.Model:
    """A target-field video (batch, steps, lat, lon, 1) -> one real/fake logit per video."""
    video = keras.Input(shape=(steps, height, width, 1), name="video")
    hidden = video
    for channels, strides in ((filters, (1, 2, 2)), (2 * filters, 2)):
        hidden = keras.layers.Conv3D(channels, 3, strides=strides, padding="same", use_bias=False)(hidden)
        hidden = keras.layers.LeakyReLU(0.2)(hidden)  # no bias: TF cannot fuse Conv3D + bias + LeakyReLU
    logit = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling3D()(hidden))
    return keras.Model(video, logit, name="discriminator")


@keras.saving.register_keras_serializable(package="ambs")
class SAVP(keras.Model):
    """Maps [(batch, context, lat, lon, channels), (batch, forecast, lat, lon, forcings)] to one stochastic forecast
    (batch, forecast, lat, lon, 1)."""

    def __init__(
        self,
        context_shape: tuple[int, int, int, int],
        forecast_steps: int,
        target_index: int,
        forcing_channels: int,
        filters: int,
        kernel_size: int,
        latent_channels: int,
        kl_weight: float,
        adversarial_weight: float,
        inference_seed: int = 0,
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
        self.latent_channels = latent_channels
        self.kl_weight = kl_weight
        self.adversarial_weight = adversarial_weight
        self.inference_seed = inference_seed
        shapes, layers = (self.context_shape, forecast_steps, target_index), (filters, kernel_size, latent_channels)
        self.generator = _generator(*shapes, forcing_channels, *layers)
        self.posterior = _posterior(*shapes, *layers)  # q(z) reads the truth: the forcings add nothing to it
        self.discriminator = (
            _discriminator(steps + forecast_steps, height, width, filters) if adversarial_weight > 0 else None
        )
        self.noise = keras.random.SeedGenerator()
        logged = ("l1", "kl") if self.discriminator is None else ("l1", "kl", "adv", "d_loss")
        self.trackers = {name: keras.metrics.Mean(name=name) for name in logged}

    def call(self, inputs: Any, training: bool = False) -> Any:
        """A forecast with z from the prior: fresh noise in training, the fixed inference seed otherwise."""
        context, forcings = (ops.convert_to_tensor(part) for part in inputs)  # a sub-model call may not mix arrays
        shape = (ops.shape(context)[0], self.forecast_steps, self.latent_channels)
        z = keras.random.normal(shape, seed=self.noise if training else self.inference_seed)
        return self.generator([context, forcings, z])

    def compute_loss(
        self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None, training: bool = True
    ) -> Any:
        """L1 of the posterior forecast + weighted KL (+ the GAN terms on the prior and posterior forecasts)."""
        (context, forcings), y = (ops.convert_to_tensor(part) for part in x), ops.convert_to_tensor(y)
        mean, log_var = self.posterior([context, y])
        z = mean + ops.exp(0.5 * log_var) * keras.random.normal(ops.shape(mean), seed=self.noise)
        reconstruction = self.generator([context, forcings, z])
        l1 = ops.mean(ops.abs(reconstruction - y))
        kl = kl_to_standard_normal(mean, log_var)
        loss = l1 + self.kl_weight * kl
        self.trackers["l1"].update_state(l1)
        self.trackers["kl"].update_state(kl)
        if self.discriminator is not None:
            past = context[..., self.target_index : self.target_index + 1]
            real = ops.concatenate([past, y], axis=1)
            fake = ops.concatenate(
                [ops.concatenate([past, y_pred], axis=1), ops.concatenate([past, reconstruction], axis=1)], axis=0
            )
            adversarial, discriminator_loss, generator_term = adversarial_terms(self.discriminator, real, fake)
            loss = loss + self.adversarial_weight * generator_term + discriminator_loss
            self.trackers["adv"].update_state(adversarial)
            self.trackers["d_loss"].update_state(discriminator_loss)
        return per_replica(loss)

    def sample(self, x: list[np.ndarray], n: int, seed: int | None = None, batch_size: int = 32) -> np.ndarray:
        """``n`` forecasts per window of x = [context, forcings] with z from the prior: (n, batch, forecast, lat, lon,
        1), for ensemble scores."""
        context, forcings = x
        shape = (n, len(context), self.forecast_steps, self.latent_channels)
        z = ops.convert_to_numpy(keras.random.normal(shape, seed=seed))
        return np.stack(
            [self.generator.predict([context, forcings, z_i], batch_size=batch_size, verbose=0) for z_i in z]
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "context_shape": self.context_shape,
            "forecast_steps": self.forecast_steps,
            "target_index": self.target_index,
            "forcing_channels": self.forcing_channels,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "latent_channels": self.latent_channels,
            "kl_weight": self.kl_weight,
            "adversarial_weight": self.adversarial_weight,
            "inference_seed": self.inference_seed,
        }
