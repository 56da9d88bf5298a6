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
from pathlib import Path
from typing import Iterator, Mapping

__all__ = ["current", "in_force", "rubric_dir", "submission_files"]

_EMPTY: Mapping = types.MappingProxyType({})
_current: contextvars.ContextVar[Mapping] = contextvars.ContextVar("cnngrade_options", default=_EMPTY)
_files: contextvars.ContextVar[tuple] = contextvars.ContextVar("cnngrade_submission_files", default=())
_rubric_dir: contextvars.ContextVar = contextvars.ContextVar("cnngrade_rubric_dir", default=None)


def rubric_dir() -> Path | None:
    """The rubric's folder, against which relative paths in its options are read (None outside
    a grading run)."""
    return _rubric_dir.get()


def current() -> Mapping:
    """The options in force (the rubric's while its checks run, else none)."""
    return _current.get()


def submission_files() -> tuple[Path, ...]:
    """The files the graded submission was made of (its notebook, and what lies beside it in its
    folder: a weights file), for checks that read more than code; empty outside a grading run.
    The grader reads them: the worker never sees the submission's folder."""
    return _files.get()


@contextlib.contextmanager
def in_force(options: Mapping | None, files=(), base: Path | None = None) -> Iterator[Mapping]:
    token = _current.set(types.MappingProxyType(dict(options or {})))
    files_token = _files.set(tuple(Path(f) for f in files))
    base_token = _rubric_dir.set(None if base is None else Path(base))
    try:
        yield _current.get()
    finally:
        _rubric_dir.reset(base_token)
        _files.reset(files_token)
        _current.reset(token)
