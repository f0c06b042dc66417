"""Loss terms of the stochastic and adversarial video-prediction models (keras.ops only, any backend)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops
from keras.src.losses.loss import scale_loss_for_distribution


def per_replica(loss: Any) -> Any:
    """A loss term computed by hand, scaled as Keras scales its compiled losses under a ``tf.distribute`` strategy.

    Each replica's gradient is summed over all replicas (GPUs, workers); Keras divides its compiled and
    ``add_loss`` losses by the replicas in sync so that the sum is the global batch's mean, and logs them
    multiplied back. A term added in ``compute_loss`` needs the same division, or it weighs as many times
    more as there are replicas (and is logged that many times too large). One replica, other backends: as it is.
    """
    return scale_loss_for_distribution(loss)


def gradient_difference_loss(y_true: Any, y_pred: Any) -> Any:
    """Mean absolute difference of the spatial gradient magnitudes (Mathieu et al. 2016, alpha = 1).

    MSE alone is minimised by blurred forecasts; this term penalises fronts and
    edges whose sharpness differs from the truth. Arrays are (batch, time, lat, lon, channels).
    """
    lat_true, lat_pred = (ops.abs(a[:, :, 1:] - a[:, :, :-1]) for a in (y_true, y_pred))
    lon_true, lon_pred = (ops.abs(a[:, :, :, 1:] - a[:, :, :, :-1]) for a in (y_true, y_pred))
    return ops.mean(ops.abs(lat_true - lat_pred)) + ops.mean(ops.abs(lon_true - lon_pred))


def kl_to_standard_normal(mean: Any, log_var: Any) -> Any:
    """KL(N(mean, exp(log_var)) || N(0, 1)) per latent dimension, averaged over all of them."""
    return ops.mean(0.5 * (ops.square(mean) + ops.exp(log_var) - 1.0 - log_var))


def adversarial_terms(discriminator: keras.Model, real: Any, fake: Any) -> tuple[Any, Any, Any]:
    """Non-saturating GAN losses arranged so that one optimiser step trains both networks.

    Returns (generator_loss, discriminator_loss, generator_term). ``generator_term``
    has the value 0 and exactly the gradient of ``generator_loss`` with respect
    to the generator: the discriminator is scored once more on the detached
    fakes and that copy is subtracted, which cancels the generator objective's
    pull on the discriminator's weights. Minimising
    ``weight * generator_term + discriminator_loss`` therefore updates each
    network on its own objective only, within the standard Keras train step of
    every backend.
    """
    n_real, n_fake = ops.shape(real)[0], ops.shape(fake)[0]
    logits = discriminator(ops.concatenate([real, fake, ops.stop_gradient(fake)], axis=0))
    real_logits, fake_logits, detached_logits = (
        logits[:n_real],
        logits[n_real : n_real + n_fake],
        logits[n_real + n_fake :],
    )
    generator_loss = ops.mean(ops.softplus(-fake_logits))
    discriminator_loss = ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(detached_logits))
    generator_term = generator_loss - ops.mean(ops.softplus(-detached_logits))
    return generator_loss, discriminator_loss, generator_term
