"""Validation and sufficient statistics shared by the classification and ranking metrics.

Labels may be integers (bools and integral floats are read as integers) or strings; scores
are finite floats. Everything is checked here, before any metric computes.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from reference._validation import as_float64, as_int_array

AVERAGES = (None, "binary", "micro", "macro", "weighted")
ZERO_DIVISION = ("warn", 0, 1, math.nan)


class UndefinedMetricWarning(UserWarning):
    """A metric is undefined for this input (e.g. no predicted samples); a default was used.

    The counterpart of ``sklearn.exceptions.UndefinedMetricWarning``.
    """


def warn_undefined(message: str) -> None:
    warnings.warn(message, UndefinedMetricWarning, stacklevel=3)


def labels_1d(y, name: str) -> np.ndarray:
    """A 1-D array of integer or string class labels."""
    if hasattr(y, "detach") and hasattr(y, "cpu"):
        y = y.detach().cpu().numpy()
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {arr.shape}")
    if arr.dtype.kind in "US":
        return arr.astype(str)
    if arr.dtype.kind in "iubf" or arr.size == 0:
        return as_int_array(arr, name)
    raise TypeError(f"{name} must hold integer or string labels, got dtype {arr.dtype}")


def _kind(arr: np.ndarray) -> str:
    return "string" if arr.dtype.kind == "U" else "integer"


def paired_labels(y_true, y_pred, sample_weight=None):
    """Validated ``(y_true, y_pred, weights)``; weights are float64 (ones when not given)."""
    t = labels_1d(y_true, "y_true")
    p = labels_1d(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(
            f"y_true and y_pred must have the same length, got {t.shape[0]} and {p.shape[0]}")
    if t.size == 0:
        raise ValueError("y_true and y_pred must hold at least one sample, got 0")
    if _kind(t) != _kind(p):
        raise TypeError(
            f"y_true and y_pred must hold the same kind of labels, got {_kind(t)} labels in "
            f"y_true and {_kind(p)} labels in y_pred")
    return t, p, weights(sample_weight, t.shape[0])


def weights(sample_weight, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    w = as_float64(sample_weight, "sample_weight", ndim=1)
    if w.shape[0] != n:
        raise ValueError(f"sample_weight must have one weight per sample ({n}), got {w.shape[0]}")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("sample_weight must be finite, non-negative and not all zero, "
                         f"got {w!r}")
    return w


def scores_1d(y_score, n: int) -> np.ndarray:
    s = as_float64(y_score, "y_score")
    if s.ndim != 1:
        raise ValueError(f"y_score must be 1-D (one score per sample), got shape {s.shape}")
    if s.shape[0] != n:
        raise ValueError(f"y_score must have one score per sample ({n}), got {s.shape[0]}")
    if not np.all(np.isfinite(s)):
        raise ValueError("y_score must be finite, got NaN or infinity")
    return s


def chosen_labels(labels, like: np.ndarray) -> np.ndarray:
    """The ``labels`` argument: non-empty, unique, of the same kind as the data."""
    arr = labels_1d(labels, "labels")
    if arr.size == 0:
        raise ValueError("labels must contain at least one label, got an empty sequence")
    if _kind(arr) != _kind(like):
        raise TypeError(f"labels must be {_kind(like)} labels like y_true, got {arr!r}")
    if np.unique(arr).size != arr.size:
        raise ValueError(f"labels must not repeat a label, got {arr.tolist()!r}")
    return arr


def check_pos_label(pos_label, like: np.ndarray):
    """``pos_label`` must be a label of the same kind as ``like`` (an int or a str)."""
    wanted = str if _kind(like) == "string" else numbers.Integral
    if not isinstance(pos_label, wanted):
        raise TypeError(f"pos_label must be {_kind(like)} like the labels in y_true, "
                        f"got {pos_label!r} (type={type(pos_label).__name__})")
    return pos_label


def check_zero_division(zero_division) -> float:
    """The value used where a ratio is 0/0: 0.0 for 'warn' (and a warning), 0.0, 1.0 or NaN."""
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if (isinstance(zero_division, numbers.Real) and not isinstance(zero_division, bool)
            and (zero_division in (0, 1) or math.isnan(zero_division))):
        return float(zero_division)
    raise ValueError(f"zero_division must be one of ('warn', 0, 1, nan); got {zero_division!r}")


def check_average(average, allowed=AVERAGES):
    if not (average is None or isinstance(average, str)) or average not in allowed:
        raise ValueError(f"average must be one of {tuple(allowed)!r}; got {average!r}")
    return average


def set_wise_labels(t, p, labels, pos_label, average):
    """The labels a precision-like metric reports on, as scikit-learn chooses them."""
    present = np.unique(np.concatenate([t, p]))
    if average == "binary":
        check_pos_label(pos_label, t)
        if present.size > 2:
            raise ValueError(
                f"average='binary' needs at most 2 classes, but y_true and y_pred hold "
                f"{present.size}: {present.tolist()!r}; choose average from "
                "(None, 'micro', 'macro', 'weighted')")
        if pos_label not in present.tolist() and present.size == 2:
            raise ValueError(
                f"pos_label={pos_label!r} is not a valid label; it should be one of "
                f"{present.tolist()!r}")
        return np.array([pos_label], dtype=present.dtype)
    if labels is None:
        return present
    return chosen_labels(labels, t)


def one_vs_rest_counts(t, p, w, labels):
    """Weighted per-label TP, predicted count, true count, and the total weight."""
    is_true = t[:, None] == labels[None, :]
    is_pred = p[:, None] == labels[None, :]
    tp = w @ (is_true & is_pred)
    return tp, w @ is_pred, w @ is_true, w.sum()


def divide(numerator, denominator, zero_division, warn_message: str | None):
    """numerator / denominator, with ``zero_division`` where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    undefined = denominator == 0
    result = numerator / np.where(undefined, 1.0, denominator)
    if np.any(undefined):
        result[undefined] = check_zero_division(zero_division)
        if warn_message is not None and isinstance(zero_division, str):
            warn_undefined(warn_message + " Use the zero_division parameter to control this.")
    return result


def nanaverage(values: np.ndarray, weights: np.ndarray | None) -> float:
    """Average ignoring NaN (scikit-learn's ``_nanaverage``); all-zero weights mean equal."""
    keep = ~np.isnan(values)
    if not np.any(keep):
        return math.nan
    if weights is None or weights[keep].sum() == 0:
        return float(np.mean(values[keep]))
    return float(np.average(values[keep], weights=weights[keep]))
