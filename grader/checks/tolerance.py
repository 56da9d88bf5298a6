"""How close a student's floats must be: the rubric's ``tolerances`` section, in force while checks run.

A rubric states them (all keys optional; these are the defaults)::

    tolerances:
      float64: {rtol: 1.0e-7, atol: 1.0e-9}   # values that came back as float64 or Python floats
      float32: {rtol: 1.0e-5, atol: 1.0e-6}   # float32 and float16 values
      gradient: {step: 1.0e-6, rel_error: 1.0e-6}   # finite-difference checks of backward passes

``compare`` and ``gradients`` read the tolerances in force (:func:`current`); ``run_checks`` puts
the rubric's in force for the checks it runs (:func:`in_force`), so a checks file never hard-codes
them and one rubric can loosen or tighten every check at once.
"""
from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass
from typing import Iterator

__all__ = ["Tolerances", "current", "in_force"]


@dataclass(frozen=True)
class Tolerances:
    """``|got - expected| <= atol + rtol * |expected|``, by the precision of what came back; and the
    step and largest relative error of a central finite-difference gradient check."""

    float64_rtol: float = 1e-7
    float64_atol: float = 1e-9
    float32_rtol: float = 1e-5
    float32_atol: float = 1e-6
    gradient_step: float = 1e-6
    gradient_rel_error: float = 1e-6

    def for_dtype(self, dtype) -> tuple[float, float]:
        """``(rtol, atol)`` for a value of ``dtype`` (None: a Python float)."""
        if dtype is not None and getattr(dtype, "kind", "") == "f" and dtype.itemsize < 8:
            return self.float32_rtol, self.float32_atol
        return self.float64_rtol, self.float64_atol


DEFAULT = Tolerances()
_current: contextvars.ContextVar[Tolerances] = contextvars.ContextVar("cnngrade_tolerances", default=DEFAULT)


def current() -> Tolerances:
    """The tolerances in force (the rubric's while its checks run, else the defaults)."""
    return _current.get()


@contextlib.contextmanager
def in_force(tolerances: Tolerances | None) -> Iterator[Tolerances]:
    """Make ``tolerances`` (None: the defaults) the ones in force inside the block."""
    token = _current.set(tolerances or DEFAULT)
    try:
        yield _current.get()
    finally:
        _current.reset(token)
