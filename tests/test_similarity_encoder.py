"""Similarity encoder: output shapes per scale, unit embeddings, and batched numpy embedding."""

from __future__ import annotations

import keras
import numpy as np

from ambs.similarity.encoder import EMBEDDING, build_encoder, embed, feature_keys

WINDOW = (4, 9, 10, 2)  # odd grid: the strided scales round up


def test_scales_and_embedding_shapes() -> None:
    keras.utils.set_random_seed(0)
    encoder = build_encoder(WINDOW, filters=(3, 4, 5), embedding_dim=6)
    out = encoder(np.random.default_rng(0).normal(size=(2, *WINDOW)).astype("float32"))
    assert feature_keys(encoder) == ["scale0", "scale1", "scale2"]
    assert [tuple(out[k].shape) for k in feature_keys(encoder)] == [(2, 4, 9, 10, 3), (2, 2, 5, 5, 4), (2, 1, 3, 3, 5)]
    np.testing.assert_allclose(np.linalg.norm(keras.ops.convert_to_numpy(out[EMBEDDING]), axis=1), 1.0, rtol=1e-5)


def test_embed_matches_one_call_in_any_chunking() -> None:
    keras.utils.set_random_seed(0)
    encoder = build_encoder(WINDOW, filters=(3, 4), embedding_dim=6)
    x = np.random.default_rng(1).normal(size=(5, *WINDOW)).astype("float32")
    whole = keras.ops.convert_to_numpy(encoder(x)[EMBEDDING])
    np.testing.assert_allclose(embed(encoder, x, batch_size=2), whole, rtol=1e-5, atol=1e-6)
