"""An assignment's own settings: the rubric's ``options`` section, in force while its checks run.

A rubric may carry settings only its checks understand (the training check's dataset, budget,
device policy and accuracy bounds)::

    options:
      dataset: digits
      max_epochs: 8

``run_checks(..., options=rubric.options)`` puts them in force; a check reads them with
:func:`current` (a read-only mapping, empty by default) and validates what it reads, saying
what was expected and what the rubric holds.
"""
from __future__ import annotations

import contextlib
import contextvars
import types
from typing import Iterator, Mapping

__all__ = ["current", "in_force"]

_EMPTY: Mapping = types.MappingProxyType({})
_current: contextvars.ContextVar[Mapping] = contextvars.ContextVar("cnngrade_options", default=_EMPTY)


def current() -> Mapping:
    """The options in force (the rubric's while its checks run, else none)."""
    return _current.get()


@contextlib.contextmanager
def in_force(options: Mapping | None) -> Iterator[Mapping]:
    token = _current.set(types.MappingProxyType(dict(options or {})))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
