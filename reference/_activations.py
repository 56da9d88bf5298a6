"""Numerically stable activation kernels on float64 arrays (no validation).

The public, validated versions live in ``reference.losses``; the loss functions and the
mistakes catalog call these kernels directly. Every kernel shifts by the maximum (or works
with ``exp(-|x|)``) so that logits of magnitude 1e4 give finite results, as PyTorch does.
"""
from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), written with exp(-|x|) so it never overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))."""
    return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))


def _shift(x: np.ndarray, axis) -> np.ndarray:
    # The maximum along axis; infinite maxima are replaced by 0 as torch.logsumexp does,
    # so that all -inf gives -inf instead of nan.
    m = np.max(x, axis=axis, keepdims=True)
    return np.where(np.isfinite(m), m, 0.0)


def logsumexp(x: np.ndarray, axis, keepdims: bool = False) -> np.ndarray:
    """log(sum(exp(x))) along axis, as m + log(sum(exp(x - m))) with m the maximum."""
    m = _shift(x, axis)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """(x - m) - log(sum(exp(x - m))): the shift keeps the small differences exact."""
    shifted = x - _shift(x, axis)
    with np.errstate(divide="ignore"):
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """exp(x - m) / sum(exp(x - m))."""
    e = np.exp(x - _shift(x, axis))
    with np.errstate(invalid="ignore"):
        return e / np.sum(e, axis=axis, keepdims=True)
