"""Checks: how instructors write them, how they run on a submission, how a mismatch reads.

Public surface (re-exports of small modules named by what they hold):

- ``registry``: :func:`check`, :func:`given`, :func:`cases`, :func:`load_checks`,
  :class:`Check`, :class:`CheckSuite`, :class:`CheckDefinitionError`
- ``compare``: :func:`expect_equal`, :func:`expect_one_of`, :func:`values_match`, :class:`Mismatch`
- ``gradients``: :func:`expect_backward`, :func:`expect_gradient_check` (backward passes, checked
  against the reference and by finite differences of the student's own forward)
- ``figure``: :func:`curves` (a picture of a failure, as plain data, for the feedback)
- ``tolerance``: :class:`Tolerances` (the rubric's, in force while checks run)
- ``runner``: :func:`run_checks`
- ``student``: :class:`StudentCode` (what the runner calls), :class:`TrustedCode`
- ``diagnosis``: :func:`diagnose` (misconceptions from the mistake catalog)
"""
from grader.checks.compare import Mismatch, expect_equal, expect_one_of, values_match
from grader.checks.figure import curves
from grader.checks.gradients import expect_backward, expect_gradient_check
from grader.checks.diagnosis import diagnose
from grader.checks.registry import (
    Check,
    CheckDefinitionError,
    CheckSuite,
    cases,
    check,
    given,
    load_checks,
)
from grader.checks.runner import DEFAULT_MAX_EXAMPLES, run_checks
from grader.checks.student import StudentCode, TrustedCode
from grader.checks.tolerance import Tolerances

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "Check",
    "CheckDefinitionError",
    "CheckSuite",
    "Mismatch",
    "StudentCode",
    "Tolerances",
    "TrustedCode",
    "cases",
    "check",
    "curves",
    "diagnose",
    "expect_backward",
    "expect_equal",
    "expect_gradient_check",
    "expect_one_of",
    "given",
    "load_checks",
    "run_checks",
    "values_match",
]
