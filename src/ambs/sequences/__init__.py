"""Sequences: sliding windows of normalised fields as TFRecord shards, and their TensorFlow-free metadata."""
