"""The catalog of classic wrong answers.

Each mistake is a named, documented function with the same signature as the reference
function it imitates, and a one-line explanation a student would understand. The grader
compares a student's outputs with these to name the misconception behind a wrong answer,
and the tests prove every mistake differs from the reference on some input.

One module per area (``conv_arithmetic``, ``receptive_field``, ``conv``, ``pooling``,
``losses``, ``optimizers``, ``normalization``, ``metrics``) defines a tuple ``MISTAKES``.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

AREAS = (
    "conv_arithmetic",
    "receptive_field",
    "conv",
    "pooling",
    "losses",
    "optimizers",
    "normalization",
    "metrics",
)


@dataclass(frozen=True)
class Mistake:
    """A wrong answer: ``function`` imitates ``reference`` (a dotted name) and is wrong."""

    id: str  # e.g. "conv_output_size.ceil_instead_of_floor"
    reference: str  # e.g. "reference.conv_arithmetic.conv_output_size"
    function: Callable
    explanation: str  # one line, addressed to the student

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)


def mistake(function: Callable, reference: Callable, explanation: str) -> Mistake:
    """Build a catalog entry; the id is ``<reference name>.<mistake function name>``."""
    ref_name = f"{reference.__module__}.{reference.__name__}"
    return Mistake(
        id=f"{reference.__name__}.{function.__name__}",
        reference=ref_name,
        function=function,
        explanation=explanation,
    )


def catalog() -> tuple[Mistake, ...]:
    """Every mistake of every area that has a module, in a stable order."""
    found: list[Mistake] = []
    for area in AREAS:
        try:
            module = importlib.import_module(f"reference.mistakes.{area}")
        except ModuleNotFoundError as exc:
            if exc.name != f"reference.mistakes.{area}":
                raise
            continue
        found.extend(module.MISTAKES)
    return tuple(found)


def mistakes_for(reference: str | Callable) -> tuple[Mistake, ...]:
    """The mistakes that imitate one reference function (a callable or its dotted name)."""
    if callable(reference):
        reference = f"{reference.__module__}.{reference.__name__}"
    return tuple(m for m in catalog() if m.reference == reference)


def by_id(mistake_id: str) -> Mistake:
    for m in catalog():
        if m.id == mistake_id:
            return m
    raise KeyError(f"no mistake with id {mistake_id!r} in the catalog")
