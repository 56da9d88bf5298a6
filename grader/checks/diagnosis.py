"""Name the misconception behind a wrong answer, from the catalog of classic mistakes.

A mistake *explains* a student's answers when, replayed on every recorded call of the graded
function, it reproduces every one of them (a value equal under ``compare``'s rules, or an
error where the student's code raised too), and the student is wrong on at least one call.
A mistake that raises where the student returned a value does not match that call. Calls
where the reference itself raises are left out: they cannot tell right from wrong. When
several mistakes explain the answers (each then matches every call), the first in catalog
order wins, so the diagnosis is the same on every run.
"""
from __future__ import annotations

import copy
from typing import Callable, Sequence

from grader.checks.compare import values_match
from grader.checks.registry import Check
from grader.checks.student import Call
from grader.result import Misconception

__all__ = ["diagnose"]

# Enough evidence to tell mistakes apart; bounded so a diagnosis stays cheap.
MAX_CALLS = 200


def diagnose(spec: Check, calls: Sequence[Call], mistakes: Sequence) -> Misconception | None:
    """The catalogued mistake (with ``id``, ``function``, ``explanation``) explaining ``calls``."""
    if spec.function is None or spec.reference is None or not mistakes:
        return None
    calls = [c for c in calls if c.function == spec.function][:MAX_CALLS]
    if not calls:
        return None
    expected = [_outcome(spec, spec.reference, c) for c in calls]
    usable = [(c, e) for c, e in zip(calls, expected) if not isinstance(e, _Raised)]
    if not usable or all(_agrees(c, e) for c, e in usable):
        return None  # the reference cannot judge these calls, or the student is right on all
    for mistake in mistakes:
        if all(_agrees(call, _outcome(spec, mistake.function, call)) for call, _ in usable):
            return Misconception(id=mistake.id, explanation=mistake.explanation)
    return None


class _Raised:
    """A reference-like function raised on a call's arguments."""

    def __init__(self, error: BaseException):
        self.error = error


def _outcome(spec: Check, f: Callable, call: Call):
    try:
        args, kwargs = copy.deepcopy((tuple(call.args), dict(call.kwargs)))
        return spec.call_reference_as_student(f, args, kwargs)
    except Exception as exc:  # a mistake may be undefined where the reference is not
        return _Raised(exc)


def _agrees(call: Call, outcome) -> bool:
    if call.error is not None:
        return isinstance(outcome, _Raised)
    if isinstance(outcome, _Raised):
        return False
    return values_match(call.result, outcome)
