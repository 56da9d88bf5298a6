"""Compare a student's value with the expected one, and say how they differ.

``expect_equal(got, expected)`` raises :class:`Mismatch` (an ``AssertionError``) whose message
reads like pytest's ``approx``: a shape difference stops early; otherwise the number of
mismatched elements, the largest absolute and relative differences, and a table of the first
few mismatches. ``values_match`` is the same comparison as a boolean (used by the diagnosis).

Rules, by the type of the *expected* value:

- ``int``: the value must be an int (Python or NumPy) and equal. ``3.0`` is not ``3``: the
  assignments ask for ints, and a student who computes in floats converts with ``int()``.
- ``float``: an int or a float, within ``atol + rtol * |expected|``. The tolerances follow the
  precision of what came back and are the rubric's (``grader.checks.tolerance``; by default
  float64 and Python floats ``rtol=1e-7, atol=1e-9``, float32 and float16 ``rtol=1e-5,
  atol=1e-6``). NaN where a number is expected is a mismatch and is
  named; NaN where NaN is expected matches (the reference itself says the answer is undefined).
- arrays (and lists or tuples of numbers): same shape; integer arrays exactly, with an integer
  dtype; float arrays element-wise as for floats.
- ``bool``, ``str``, ``None``: equal and of the same type. ``dict``: same keys, each value
  compared by these rules. Other lists and tuples: same length, compared element by element.

Only exact types are trusted: an ``int`` subclass whose ``__eq__`` always says yes is not an int.
"""
from __future__ import annotations

import math
import numbers
from typing import Callable, Mapping, Sequence

import numpy as np

from grader.checks import tolerance

__all__ = ["Mismatch", "expect_equal", "expect_one_of", "tolerances", "values_match"]

_TABLE_ROWS = 5


class Mismatch(AssertionError):
    """The student's value differs from the expected one.

    ``expected`` and ``got`` are reprs (plain strings, safe to store); ``expected_value`` and
    ``got_value`` are the objects themselves, for the runner to find the call that produced them.
    ``explain``, when given, is a costly addition to the message (more calls of the student's
    code: see ``gradients.expect_backward``), made the first time ``message`` is read (``str()``
    leaves it out). The runner reads only the message of the failure it reports, so the
    examples it merely counts or shrinks through never pay for it.
    """

    def __init__(self, message: str, *, expected, got, explain: Callable[[], str] | None = None,
                 figure: dict | None = None, credit: float | None = None):
        super().__init__(message)
        if credit is not None and not (isinstance(credit, (int, float)) and 0.0 <= credit <= 1.0):
            raise ValueError(f"Mismatch: credit must be a fraction between 0 and 1, got {credit!r}")
        # the share of the check's credit this answer still earns (an accuracy between the
        # rubric's bounds), instead of the share of cases passed
        self.credit = None if credit is None else float(credit)
        self._message = message
        self._explain = explain
        self.figure = figure  # a picture for the feedback (``grader.checks.figure.curves``), or None
        self.expected = _short_repr(expected)
        self.got = _short_repr(got)
        self.expected_value = expected
        self.got_value = got

    @property
    def message(self) -> str:
        if self._explain is not None:
            explain, self._explain = self._explain, None
            addition = explain()
            if addition:
                self._message += "\n" + addition
        return self._message

    def __str__(self) -> str:
        return self._message  # not explained: Hypothesis formats every failure it shrinks through


def tolerances(got) -> tuple[float, float]:
    """``(rtol, atol)`` for a value that came back from a student, by its precision (the
    tolerances in force: the rubric's while its checks run)."""
    return tolerance.current().for_dtype(getattr(got, "dtype", None))


def expect_equal(got, expected, *, rtol: float | None = None, atol: float | None = None,
                 names: Sequence[str] | None = None) -> None:
    """Raise :class:`Mismatch` unless ``got`` equals ``expected`` under the rules above.

    ``names`` name the components of a tuple result, ``("out", "cache")``: a wrong component is
    reported by its name (``new_running_var: ...``) rather than by its index, and a result of the
    wrong form as ``expected a tuple (out, cache), got ...``.
    """
    if names is None:
        message = _difference(got, expected, rtol, atol)
    else:
        message = _named_difference(got, expected, tuple(names), rtol, atol)
    if message is not None:
        raise Mismatch(message, expected=expected, got=got)


def _named_difference(got, expected, names, rtol, atol) -> str | None:
    if not isinstance(expected, (tuple, list)) or len(expected) != len(names):
        raise ValueError(f"expect_equal: {len(names)} names {list(names)} for the expected value {_short_repr(expected)}")
    if not isinstance(got, (tuple, list)) or len(got) != len(names):
        what = f"a {type(got).__name__} of {len(got)} elements" if isinstance(got, (tuple, list)) else _describe(got)
        return f"expected a tuple ({', '.join(names)}), got {what}"
    for name, part, want in zip(names, got, expected):
        message = _difference(part, want, rtol, atol)
        if message is not None:
            return f"{name}: {message}"
    return None


def values_match(got, expected, *, rtol: float | None = None, atol: float | None = None) -> bool:
    """``expect_equal`` as a boolean."""
    return _difference(got, expected, rtol, atol) is None


def expect_one_of(got, accepted: Mapping[str, object], *, rtol: float | None = None,
                  atol: float | None = None) -> None:
    """Pass when ``got`` equals any of the ``accepted`` answers (label -> expected value), as
    where a rule leaves a choice (max-pool ties: the first maximum, or split among them).

    Otherwise raise :class:`Mismatch` against the first answer, naming the others accepted.
    """
    if not accepted:
        raise ValueError("expect_one_of needs at least one accepted answer")
    labels = list(accepted)
    first = accepted[labels[0]]
    message = _difference(got, first, rtol, atol)
    if message is None or any(_difference(got, accepted[label], rtol, atol) is None for label in labels[1:]):
        return
    if len(labels) > 1:
        others = ", ".join(labels[1:])
        message = f"{message}\n(compared with the {labels[0]} answer; the {others} answer is also accepted, and differs too)"
    raise Mismatch(message, expected=first, got=got)


# --- the comparison: None when equal, else the message ---------------------------------------


def _difference(got, expected, rtol, atol) -> str | None:
    if _is_int(expected):
        return _int_difference(got, expected)
    if _is_float(expected):
        return _float_difference(got, expected, rtol, atol)
    if isinstance(expected, np.ndarray) or _is_number_sequence(expected):
        return _array_difference(got, np.asarray(expected), rtol, atol)
    if isinstance(expected, dict):
        return _dict_difference(got, expected, rtol, atol)
    if isinstance(expected, (list, tuple)):
        return _sequence_difference(got, expected, rtol, atol)
    if type(got) is not type(expected) or got != expected:
        return f"expected {_describe(expected)}, got {_describe(got)}"
    return None


def _int_difference(got, expected) -> str | None:
    if isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind in "iu":
        got = got[()]  # a 0-d integer array is an int; a 0-d float array still is not
    if not _is_int(got):
        return f"expected an int, got {_describe(got)}"
    if int(got) != int(expected):
        return f"expected {int(expected)!r}, got {int(got)!r}"
    return None


def _float_difference(got, expected, rtol, atol) -> str | None:
    if isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind in "iuf":
        got = got[()]  # a 0-d array is a number (np.where, np.mean(..., keepdims) on scalars): its dtype's
    if not (_is_int(got) or _is_float(got)):
        return f"expected a number, got {_describe(got)}"
    got_f, expected_f = float(got), float(expected)
    if math.isnan(expected_f):
        return None if math.isnan(got_f) else f"expected nan, got {got_f!r}"
    if math.isnan(got_f):
        return f"expected {expected_f!r}, got nan (NaN where a number was expected)"
    default_rtol, default_atol = tolerances(got)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    if got_f == expected_f or abs(got_f - expected_f) <= atol + rtol * abs(expected_f):
        return None
    return (
        f"expected {expected_f!r} ± {atol + rtol * abs(expected_f):.1e}, got {got_f!r} "
        f"(absolute difference {abs(got_f - expected_f):.3g})"
    )


def _array_difference(got, expected: np.ndarray, rtol, atol) -> str | None:
    if isinstance(got, np.ndarray):
        got_arr = got
    elif _is_number_sequence(got) or _is_int(got) or _is_float(got):
        got_arr = np.asarray(got)
    else:
        return f"expected an array of shape {expected.shape}, got {_describe(got)}"
    if got_arr.shape != expected.shape:
        return (
            "Impossible to compare arrays with different shapes. "
            f"Shapes: {got_arr.shape} and {expected.shape}"
        )
    if got_arr.dtype.kind not in "iufb":
        return f"expected a numeric array, got dtype {got_arr.dtype}"
    if expected.dtype.kind in "iub":
        if got_arr.dtype.kind not in "iub":
            return f"expected an array of integers, got dtype {got_arr.dtype}"
        bad = got_arr != expected
        return _array_report(got_arr, expected, bad) if bad.any() else None
    default_rtol, default_atol = tolerances(got_arr)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    got_f, expected_f = got_arr.astype(np.float64), expected.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.abs(got_f - expected_f) <= atol + rtol * np.abs(expected_f)
    close |= got_f == expected_f  # equal infinities
    close |= np.isnan(got_f) & np.isnan(expected_f)
    bad = ~close
    return _array_report(got_f, expected_f, bad) if bad.any() else None


def _array_report(got: np.ndarray, expected: np.ndarray, bad: np.ndarray) -> str:
    lines = [f"Mismatched elements: {int(bad.sum())} / {bad.size}"]
    nan_got = np.isnan(got) & ~np.isnan(expected) if got.dtype.kind == "f" else np.zeros_like(bad)
    if nan_got.any():
        lines.append(f"NaN where a number was expected: {int(nan_got.sum())} element(s)")
    finite = bad & ~nan_got
    if finite.any():
        g = got[finite].astype(np.float64)
        e = expected[finite].astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            abs_diff = np.abs(g - e)
            rel_diff = abs_diff / np.abs(e)
        lines.append(f"Max absolute difference: {_fmt(np.max(abs_diff))}")
        lines.append(f"Max relative difference: {_fmt(np.max(rel_diff))}")
    rows = [("Index", "Got", "Expected")]
    for index in list(zip(*np.nonzero(bad)))[:_TABLE_ROWS]:
        index = tuple(int(i) for i in index)
        rows.append((str(index), _fmt(got[index]), _fmt(expected[index])))
    widths = [max(len(r[c]) for r in rows) for c in range(3)]
    for row in rows:
        lines.append(" | ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if int(bad.sum()) > _TABLE_ROWS:
        lines.append(f"... and {int(bad.sum()) - _TABLE_ROWS} more")
    return "\n".join(lines)


def _dict_difference(got, expected: dict, rtol, atol) -> str | None:
    if not isinstance(got, dict):
        return f"expected a dict, got {_describe(got)}"
    if set(got) != set(expected):
        missing = sorted(map(repr, set(expected) - set(got)))
        extra = sorted(map(repr, set(got) - set(expected)))
        return f"expected keys {sorted(map(repr, expected))}; missing {missing}, unexpected {extra}"
    for key, value in expected.items():
        message = _difference(got[key], value, rtol, atol)
        if message is not None:
            return f"at key {key!r}: {message}"
    return None


def _sequence_difference(got, expected, rtol, atol) -> str | None:
    if not isinstance(got, (list, tuple)):
        return f"expected a {type(expected).__name__} of length {len(expected)}, got {_describe(got)}"
    if len(got) != len(expected):
        return f"expected {len(expected)} elements, got {len(got)}"
    for i, (g, e) in enumerate(zip(got, expected)):
        message = _difference(g, e, rtol, atol)
        if message is not None:
            return f"at index {i}: {message}"
    return None


# --- types and formatting -------------------------------------------------------------------


def _is_int(value) -> bool:
    return type(value) is int or isinstance(value, np.integer)


def _is_float(value) -> bool:
    return type(value) is float or isinstance(value, np.floating)


def _is_number_sequence(value) -> bool:
    return (
        isinstance(value, (list, tuple))
        and len(value) > 0
        and all(_is_int(v) or _is_float(v) or _is_number_sequence(v) for v in value)
    )


def _describe(value) -> str:
    return f"{_short_repr(value)} ({type(value).__name__})"


def _short_repr(value, limit: int = 200) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # a student's object may fail to print itself
        text = f"<unprintable {type(value).__name__}: {type(exc).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fmt(x) -> str:
    if isinstance(x, (numbers.Integral, np.integer)):
        return str(int(x))
    return f"{float(x):.6g}"
