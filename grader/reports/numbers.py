"""One fixed way to print points, so that equal inputs give byte-identical reports."""
from __future__ import annotations

import math


def format_points(value: float) -> str:
    """At most 4 decimals, trailing zeros stripped: 3.0 -> "3", 2.5 -> "2.5", 1/3 -> "0.3333"."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
