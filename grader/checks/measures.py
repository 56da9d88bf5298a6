"""Numbers a check measures about a submission (a trained model's test accuracy), kept with its
outcome (``CheckOutcome.measures``) so that the class summary can show their distribution.

    measures.record("test accuracy", 0.934)

A measure describes, it does not score: points come from the check's outcome and credit.
Outside a check run ``record`` does nothing.
"""
from __future__ import annotations

import contextlib
import contextvars
import math
from typing import Iterator

__all__ = ["collecting", "record"]

_recorded = contextvars.ContextVar("cnngrade_measures", default=None)


def record(name: str, value: float) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(f"a measure needs a name (a non-empty str), got {name!r}")
    number = float(value)
    found = _recorded.get()
    if found is not None:
        found[name] = number if math.isfinite(number) else None


@contextlib.contextmanager
def collecting() -> Iterator[dict]:
    """The runner's side: what the block recorded, name -> value (None where not finite)."""
    found: dict = {}
    token = _recorded.set(found)
    try:
        yield found
    finally:
        _recorded.reset(token)
