"""Batch normalisation and (inverted) dropout, forward and backward, in float64.

Inputs are laid out as in PyTorch: ``(N, C)`` or ``(N, C, *spatial)``; statistics are per
channel, over the batch and every spatial position.
"""
from __future__ import annotations

import numbers

import numpy as np

from reference._validation import _describe, as_float64

__all__ = ["batch_norm", "batch_norm_backward", "dropout", "dropout_backward"]


def _real(value, name: str, *, low: float | None = None, high: float | None = None) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    value = float(value)
    if (low is not None and value < low) or (high is not None and value > high) or value != value:
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be {bounds}, got {value!r}")
    return value


def _batch_input(input, name: str = "input") -> np.ndarray:
    x = as_float64(input, name)
    if x.ndim < 2:
        raise ValueError(f"{name} must have shape (N, C) or (N, C, *spatial), got shape {x.shape}")
    return x


def _per_channel(value, name: str, channels: int) -> np.ndarray | None:
    if value is None:
        return None
    arr = as_float64(value, name)
    if arr.shape != (channels,):
        raise ValueError(f"{name} must have shape ({channels},) (one per channel), got shape {arr.shape}")
    return arr


def _reduce_axes(x: np.ndarray) -> tuple[int, ...]:
    return (0, *range(2, x.ndim))


def _as_channel(v: np.ndarray, ndim: int) -> np.ndarray:
    """Reshape a per-channel vector so it broadcasts against an (N, C, *spatial) array."""
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def _values_per_channel(x: np.ndarray) -> int:
    count = x.shape[0] * int(np.prod(x.shape[2:], dtype=np.int64))
    if count <= 1:
        raise ValueError(
            f"batch norm needs more than 1 value per channel when training, got input shape {x.shape}"
        )
    return count


def batch_norm(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training=False,
    momentum=0.1,
    eps=1e-5,
):
    """Batch normalisation; returns ``(output, new_running_mean, new_running_var)``.

    Training (statistics over N and the spatial positions, ``m`` values per channel)::

        mean = sum(x) / m,   var = sum((x - mean)^2) / m            (biased)
        y = (x - mean) / sqrt(var + eps) * weight + bias
        new_running_mean = (1 - momentum) * running_mean + momentum * mean
        new_running_var  = (1 - momentum) * running_var  + momentum * var * m / (m - 1)

    Evaluation normalises with ``running_mean``/``running_var`` and returns them unchanged.
    ``weight``/``bias`` of None mean 1/0; running statistics of None (training only) are
    not tracked and come back as None. Agrees with ``torch.nn.functional.batch_norm``, which
    updates the running statistics in place instead of returning them.

    Args:
        input: array ``(N, C)`` or ``(N, C, *spatial)``.
        running_mean, running_var, weight, bias: arrays ``(C,)`` or None.
        training: bool. momentum: real. eps: real, at least 0.
    """
    x = _batch_input(input)
    channels = x.shape[1]
    mean_in = _per_channel(running_mean, "running_mean", channels)
    var_in = _per_channel(running_var, "running_var", channels)
    w = _per_channel(weight, "weight", channels)
    b = _per_channel(bias, "bias", channels)
    if not isinstance(training, (bool, np.bool_)):
        raise TypeError(f"training must be a bool, got {_describe(training)}")
    momentum = _real(momentum, "momentum")
    eps = _real(eps, "eps", low=0.0)
    if (mean_in is None) != (var_in is None):
        raise ValueError("running_mean and running_var must both be arrays or both be None")

    if training:
        m = _values_per_channel(x)
        axes = _reduce_axes(x)
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)  # biased: divides by m
        if mean_in is not None:
            mean_out = (1 - momentum) * mean_in + momentum * mean
            var_out = (1 - momentum) * var_in + momentum * var * m / (m - 1)
        else:
            mean_out = var_out = None
    else:
        if mean_in is None:
            raise ValueError("running_mean and running_var must be given in evaluation mode")
        mean, var = mean_in, var_in
        mean_out, var_out = mean_in.copy(), var_in.copy()

    y = (x - _as_channel(mean, x.ndim)) / np.sqrt(_as_channel(var, x.ndim) + eps)
    if w is not None:
        y = y * _as_channel(w, x.ndim)
    if b is not None:
        y = y + _as_channel(b, x.ndim)
    return y, mean_out, var_out


def batch_norm_backward(grad_output, input, weight, eps=1e-5):
    """Gradients of training-mode batch norm: ``(grad_input, grad_weight, grad_bias)``.

    With ``xhat = (x - mean) / sqrt(var + eps)`` (biased ``var``), ``g = grad_output`` and sums
    over the ``m`` values of each channel::

        grad_bias   = sum(g)
        grad_weight = sum(g * xhat)
        grad_input  = weight / (m * sqrt(var + eps)) * (m*g - sum(g) - xhat * sum(g * xhat))

    ``weight=None`` means 1 (grad_weight and grad_bias are still returned). Agrees with
    ``torch.autograd`` through ``torch.nn.functional.batch_norm(..., training=True)``.
    """
    x = _batch_input(input)
    g = _batch_input(grad_output, "grad_output")
    if g.shape != x.shape:
        raise ValueError(f"grad_output must have the shape of input {x.shape}, got shape {g.shape}")
    w = _per_channel(weight, "weight", x.shape[1])
    eps = _real(eps, "eps", low=0.0)
    m = _values_per_channel(x)
    axes = _reduce_axes(x)
    mean = x.mean(axis=axes)
    inv_std = 1.0 / np.sqrt(x.var(axis=axes) + eps)
    xhat = (x - _as_channel(mean, x.ndim)) * _as_channel(inv_std, x.ndim)
    grad_bias = g.sum(axis=axes)
    grad_weight = (g * xhat).sum(axis=axes)
    scale = inv_std if w is None else w * inv_std
    grad_input = _as_channel(scale / m, x.ndim) * (
        m * g - _as_channel(grad_bias, x.ndim) - xhat * _as_channel(grad_weight, x.ndim)
    )
    return grad_input, grad_weight, grad_bias


def _dropout_mask(mask, shape: tuple[int, ...]) -> np.ndarray:
    mask = as_float64(mask, "mask")
    try:
        broadcast = np.broadcast_shapes(mask.shape, shape)
    except ValueError:
        broadcast = None
    if broadcast != shape:
        raise ValueError(f"mask of shape {mask.shape} does not broadcast to shape {shape}")
    if not np.all((mask == 0) | (mask == 1)):
        raise ValueError("mask must hold only 0 (dropped) and 1 (kept)")
    return mask


def _probability(p) -> float:
    if not isinstance(p, numbers.Real) or isinstance(p, (bool, np.bool_)):
        raise TypeError(f"p must be a real number, got {_describe(p)}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability p must be between 0 and 1, got {p!r}")
    return float(p)


def dropout(input, mask, p, training=True):
    """Inverted dropout with an explicit mask (1 keeps a value, 0 drops it).

    Training::

        output = input * mask / (1 - p),   and all zeros when p == 1

    Evaluation (``training=False``) is the identity: a float64 copy of ``input`` (``mask`` and
    ``p`` are still validated; ``mask`` may be None). ``mask`` must broadcast to ``input`` (a
    ``(N, C, 1, 1)`` mask gives ``dropout2d``). Agrees with
    ``torch.nn.functional.dropout(input, p, training)`` given, in training, the mask it drew
    (the positions of the nonzero outputs).

    Args:
        input: array. mask: array of 0 and 1 broadcasting to ``input`` (None allowed when not
        training). p: real, the probability of dropping, between 0 and 1. training: bool.
    """
    return _masked(as_float64(input, "input"), mask, p, training)


def dropout_backward(grad_output, mask, p, training=True):
    """Gradient of :func:`dropout` with respect to its input.

    Training: ``grad_input = grad_output * mask / (1 - p)``, and all zeros when p == 1.
    Evaluation (``training=False``): ``grad_input = grad_output`` (a float64 copy).
    Agrees with ``torch.autograd`` through ``torch.nn.functional.dropout(..., training)``.
    """
    return _masked(as_float64(grad_output, "grad_output"), mask, p, training)


def _masked(x: np.ndarray, mask, p, training) -> np.ndarray:
    if not isinstance(training, (bool, np.bool_)):
        raise TypeError(f"training must be a bool, got {_describe(training)}")
    p = _probability(p)
    if not training:
        if mask is not None:
            _dropout_mask(mask, x.shape)
        return x  # as_float64 made it a copy
    if mask is None:
        raise ValueError("dropout needs a mask (1 keeps, 0 drops) when training, got None")
    keep = _dropout_mask(mask, x.shape)
    if p == 1.0:
        return np.zeros_like(x)
    return x * keep / (1.0 - p)
