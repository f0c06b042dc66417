"""Analog forecasts: the present plus the analogs' changes, a numpy reference agrees, the saved model scores like the others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
from helpers import no_forcings, split
from scipy import ndimage

from ambs.config import ConfigError, validate_config
from ambs.models.analog import analog_forecast, build_analog
from ambs.models.registry import load_model
from ambs.models.rollout import predict_horizon
from ambs.sequences.meta import context_part, future_target
from ambs.sequences.tfrecords import read_split
from ambs.similarity.encoder import build_encoder, embed
from ambs.similarity.lsim import LearnedDistance

WINDOW = (3, 8, 8, 2)
TARGET = 1  # channel of the target in the contexts


def _encoder() -> keras.Model:
    keras.utils.set_random_seed(0)
    return build_encoder(WINDOW, filters=(4, 8), embedding_dim=8)


def _archive(n: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Distinct smooth contexts, and successors that say whose they are: successor i is the constant field i."""
    noise = np.random.default_rng(0).normal(size=(n, *WINDOW))
    contexts = ndimage.gaussian_filter(noise, sigma=(0, 0, 1, 1, 0)).astype("float32")
    successors = np.broadcast_to(np.arange(n, dtype="float32")[:, None, None, None], (n, 2, 8, 8)).copy()
    return contexts / contexts.std(), successors


def test_a_query_equal_to_an_archive_state_gets_its_successor() -> None:
    contexts, successors = _archive()
    forecast = analog_forecast(_encoder(), contexts, successors, contexts[[3, 7]], k=1, target_index=TARGET)
    assert forecast.shape == (2, 2, 8, 8)
    np.testing.assert_allclose(forecast, successors[[3, 7]], atol=1e-6)


def test_analogs_that_do_not_change_forecast_persistence_of_the_query() -> None:
    contexts, _ = _archive()
    unchanged = np.repeat(contexts[:, -1:, :, :, TARGET], 2, axis=1)  # every successor is its context's last hour
    queries = contexts[:4] + 0.5 * np.random.default_rng(1).normal(size=contexts[:4].shape).astype("float32")
    forecast = analog_forecast(_encoder(), contexts, unchanged, queries, k=3, target_index=TARGET)
    np.testing.assert_allclose(forecast, np.repeat(queries[:, -1:, :, :, TARGET], 2, axis=1), atol=1e-6)


def test_k_analogs_add_the_mean_change_of_the_k_most_similar_embeddings_to_the_last_observed_hour() -> None:
    encoder = _encoder()
    contexts, successors = _archive()
    queries = contexts[:4] + 0.5 * np.random.default_rng(1).normal(size=contexts[:4].shape).astype("float32")
    similarity = embed(encoder, queries) @ embed(encoder, contexts).T  # independent reference: brute force in numpy
    changes = successors - contexts[:, -1:, :, :, TARGET]
    nearest = np.argsort(-similarity, axis=1)[:, :3]
    expected = queries[:, -1:, :, :, TARGET] + changes[nearest].mean(axis=1)
    forecast = analog_forecast(encoder, contexts, successors, queries, k=3, target_index=TARGET)
    np.testing.assert_allclose(forecast, expected, rtol=1e-5, atol=1e-6)


def test_built_model_loads_like_a_trained_model_and_rolls_out(tmp_path: Path) -> None:
    train = split(tmp_path, "train", "2017-07-01T00", 48, 1)
    meta, windows = read_split(train)
    keras.utils.set_random_seed(0)
    distance = LearnedDistance(build_encoder((meta.context, *meta.shape[1:]), filters=(4,), embedding_dim=4))
    distance.save(tmp_path / "context.keras")
    build_analog(tmp_path / "context.keras", train, 2, tmp_path / "analog.keras")
    model = load_model(tmp_path / "analog.keras")  # the evaluate rule's loader
    context = context_part(meta, windows)
    future = future_target(meta, windows)[..., 0]
    expected = analog_forecast(distance.encoder, context, future, context[:5], k=2, target_index=meta.target_index)
    np.testing.assert_allclose(
        model.predict([context[:5], no_forcings(context[:5], meta.forecast)], verbose=0)[..., 0], expected, rtol=1e-6
    )
    past_horizon = no_forcings(context[:5], 2 * meta.forecast)  # past the archive's horizon
    longer, _ = predict_horizon(model, context[:5], past_horizon, meta.target_index)
    np.testing.assert_allclose(longer[:, : meta.forecast], expected, rtol=1e-6)
    with pytest.raises(ValueError, match="hyperparameters.analog.k"):
        build_analog(tmp_path / "context.keras", train, meta.count + 1, tmp_path / "too_many.keras")


def test_analog_without_similarity_settings_is_a_config_error(test_config: dict[str, Any]) -> None:
    del test_config["hyperparameters"]["similarity"]
    with pytest.raises(ConfigError, match="hyperparameters.similarity"):
        validate_config(test_config)
