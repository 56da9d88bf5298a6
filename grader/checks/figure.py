"""Pictures a check attaches to a failure: curves drawn side by side, described as plain data.

A check describes a figure and never draws it: the description is plain JSON data, stored with
the outcome in ``result.json`` (``CheckOutcome.figure``), and the reports draw it
(``grader.reports.figures``: a PNG in the HTML feedback and beside the Markdown). So a check
runs without a plotting library, and a report read back from ``result.json`` draws the same
picture. A check attaches one to a failure by raising ``Mismatch(..., figure=curves(...))``, or to its
outcome whatever it is (a training run's curves) with :func:`show`.

Values are the student's as much as the reference's, so :func:`curves` never raises on them:
what cannot be drawn (not numbers, x and y of different lengths) becomes an empty series with a
note saying why, and non-finite values become gaps (None).
"""
from __future__ import annotations

import contextlib
import contextvars
import math
import numbers
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

__all__ = ["MAX_POINTS", "bars", "curves", "matrix", "show"]

MAX_POINTS = 5000  # per series: a figure stays small in result.json


def curves(title: str, series: Mapping[str, Any], *, x_label: str = "", y_label: str = "",
           steps: bool = False, markers: bool = False, square: bool = False) -> dict:
    """A figure of one or more curves, e.g. the student's and the expected loss curve.

    Args:
        title: the figure's title.
        series: label -> ``(x, y)``, two sequences of numbers, or ``y`` alone (x is then
            0, 1, 2, ...). Drawn in order, the first in the first colour.
        x_label, y_label: the axes' labels.
        steps: draw each curve as steps (``drawstyle="steps-post"``: a precision-recall curve as
            average precision sums it) instead of straight segments.
        markers: mark every point (a curve of few points, whose points matter: ROC).
        square: equal axes from 0 to 1 (ROC and precision-recall curves).
    """
    if not isinstance(title, str) or not title:
        raise ValueError(f"curves: expected a title (a non-empty str), got {title!r}")
    if not isinstance(series, Mapping) or not series:
        raise ValueError("curves: expected at least one series, label -> (x, y)")
    return {
        "kind": "curves",
        "title": title,
        "x_label": str(x_label),
        "y_label": str(y_label),
        "steps": bool(steps),
        "markers": bool(markers),
        "square": bool(square),
        "series": [_series(str(label), value) for label, value in series.items()],
    }


def _series(label: str, value) -> dict:
    try:
        if isinstance(value, tuple) and len(value) == 2:
            x, y = _numbers(value[0]), _numbers(value[1])
        else:
            y = _numbers(value)
            x = [float(i) for i in range(len(y))]
    except (TypeError, ValueError) as exc:
        return {"label": label, "x": [], "y": [], "note": f"could not be drawn: {exc}"}
    if len(x) != len(y):
        return {"label": label, "x": [], "y": [],
                "note": f"could not be drawn: {len(x)} x values but {len(y)} y values"}
    out = {"label": label, "x": x[:MAX_POINTS], "y": y[:MAX_POINTS]}
    if len(x) > MAX_POINTS:
        out["note"] = f"the first {MAX_POINTS} of {len(x)} points"
    return out


def _numbers(values: Sequence) -> list[float | None]:
    """Plain floats (None for NaN and infinities), from a 1-D sequence or array of reals."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"expected a sequence of numbers, got {type(values).__name__}")
    array = np.asarray(values, dtype=object).reshape(-1) if not isinstance(values, np.ndarray) else values.reshape(-1)
    out = []
    for v in array.tolist():
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"expected numbers, got {type(v).__name__}")
        f = float(v)
        out.append(f if math.isfinite(f) else None)
    return out


def matrix(title: str, values, *, row_labels: Sequence[str] = (), column_labels: Sequence[str] = (),
           x_label: str = "", y_label: str = "") -> dict:
    """A figure of a matrix drawn as a grid of numbered cells (a confusion matrix: rows the true
    class, columns the predicted one). ``values``: a 2-D sequence of numbers."""
    if not isinstance(title, str) or not title:
        raise ValueError(f"matrix: expected a title (a non-empty str), got {title!r}")
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.size == 0 or array.shape[0] > 100 or array.shape[1] > 100:
        raise ValueError(f"matrix: expected a 2-D array of at most 100 x 100 numbers, got shape {array.shape}")
    return {
        "kind": "matrix",
        "title": title,
        "x_label": str(x_label),
        "y_label": str(y_label),
        "values": [[float(v) if math.isfinite(v) else None for v in row] for row in array.tolist()],
        "row_labels": [str(v) for v in row_labels],
        "column_labels": [str(v) for v in column_labels],
    }


def bars(title: str, labels: Sequence[str], values: Sequence[float], *, x_label: str = "",
         y_label: str = "") -> dict:
    """A bar chart (a distribution over the class: one bar per range)."""
    if not isinstance(title, str) or not title:
        raise ValueError(f"bars: expected a title (a non-empty str), got {title!r}")
    numbers = [float(v) for v in values]
    if len(numbers) != len(labels) or not numbers:
        raise ValueError(f"bars: expected one value per label, got {len(numbers)} values for {len(labels)} labels")
    return {"kind": "bars", "title": title, "x_label": str(x_label), "y_label": str(y_label),
            "labels": [str(v) for v in labels], "values": [v if math.isfinite(v) else None for v in numbers]}


_shown = contextvars.ContextVar("cnngrade_shown_figures", default=None)


def show(figure: dict) -> None:
    """Attach ``figure`` to the outcome of the check running now, passed or failed (the last one
    shown wins; a ``Mismatch`` carrying its own figure takes precedence). Outside a check run
    it does nothing."""
    shown = _shown.get()
    if shown is not None:
        shown[:] = [figure]


@contextlib.contextmanager
def collecting() -> Iterator[list]:
    """The runner's side of :func:`show`: what the block showed."""
    shown: list = []
    token = _shown.set(shown)
    try:
        yield shown
    finally:
        _shown.reset(token)
