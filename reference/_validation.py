"""Argument validation shared by the reference modules.

Errors name the argument, what was expected and what came, in Hypothesis' style:
``kernel_size must be a positive int, got 0``.
"""
from __future__ import annotations

import numbers

import numpy as np


def _describe(value) -> str:
    return f"{value!r} (type={type(value).__name__})"


def is_int(value) -> bool:
    """True for Python and NumPy integers, False for bools and floats."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def positive_int(value, name: str) -> int:
    if not is_int(value) or value <= 0:
        raise _error(value, name, "a positive int")
    return int(value)


def nonnegative_int(value, name: str) -> int:
    if not is_int(value) or value < 0:
        raise _error(value, name, "a non-negative int")
    return int(value)


def _error(value, name, expected):
    kind = TypeError if not is_int(value) else ValueError
    if kind is TypeError:
        return TypeError(f"{name} must be {expected}, got {_describe(value)}")
    return ValueError(f"{name} must be {expected}, got {value!r}")


def int_tuple(value, name: str, n: int, check=positive_int) -> tuple[int, ...]:
    """An int or a sequence of ``n`` ints, each validated by ``check``; returns an n-tuple."""
    if is_int(value):
        return (check(value, name),) * n
    if isinstance(value, (tuple, list)) and len(value) == n:
        return tuple(check(v, f"{name}[{i}]") for i, v in enumerate(value))
    raise TypeError(f"{name} must be an int or a sequence of {n} ints, got {_describe(value)}")


def one_of(value, name: str, allowed) -> object:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {tuple(allowed)!r}; got {value!r}")
    return value


def as_float64(x, name: str, ndim: int | None = None) -> np.ndarray:
    """A float64 copy of an array-like or a torch tensor (converted without importing torch)."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):
        x = x.detach().cpu().numpy()
    try:
        arr = np.array(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array, got {_describe(x)}") from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
    return arr


def as_int_array(x, name: str) -> np.ndarray:
    """An int64 array from integer-valued array-likes or tensors."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):
        x = x.detach().cpu().numpy()
    arr = np.asarray(x)
    if arr.dtype.kind not in "iub":
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            return arr.astype(np.int64)
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    return arr.astype(np.int64)
