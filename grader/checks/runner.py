"""Run a suite of checks on one submission: outcomes that are fair, reproducible and explained.

Fair and reproducible: a generated check is run by Hypothesis with ``derandomize=True``, no
example database and a seed derived from the rubric's seed and the check id, so every student
gets the same inputs in any process, and the same submission always gets the same outcome.

A generated check runs in two passes:

1. *Count.* Up to ``max_examples`` generated examples (phase ``generate`` only) are each run
   once and never fail the Hypothesis test: a failure is recorded, not raised. The examples
   therefore do not depend on the student's answers, and ``cases_passed / cases_total`` is
   the share of those examples the student gets right (proportional partial credit).
2. *Shrink.* If any example failed, Hypothesis runs again (phases ``generate`` and
   ``shrink``), now raising on failure, and shrinks to a minimal failing example; it replays
   that example last, and that replay is what the outcome reports (the call, expected, got).

A check with ``@cases`` runs each listed case once (each is one case); a check with neither
``@given`` nor ``@cases`` is one case. The first failing case is reported.

What the check raised decides the outcome: a ``Mismatch`` or other ``AssertionError``, or a
``StudentError`` from the student's code (exception, timeout, crash, bad return value, banned
API, missing function), fails it; anything else is the grader's fault and the check is
*errored*, flagged for a person and never scored as a zero. A check whose prerequisite did not
pass is *skipped*. A failed check names the misconception behind it when a catalogued mistake
reproduces the student's answers (``grader.checks.diagnosis``).
"""
from __future__ import annotations

import copy
import hashlib
import time
import traceback
from dataclasses import dataclass, replace
from typing import Any, Callable, Collection, Mapping, Sequence

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

from grader.checks.compare import Mismatch, _short_repr
from grader.checks.diagnosis import diagnose
from grader.checks import figure, measures, options as assignment_options, tolerance
from grader.checks.generation import fixed_generation
from grader.checks.registry import Check, CheckSuite
from grader.checks.tolerance import Tolerances
from grader.checks.student import (
    Call,
    MissingFunction,
    RecordingStudent,
    StudentCode,
    StudentError,
    StudentTimeout,
    _plain,
)
from grader.result import CheckOutcome, Status

__all__ = ["DEFAULT_MAX_EXAMPLES", "check_seed", "run_checks"]

DEFAULT_MAX_EXAMPLES = 60
# After this many timeouts in one check, its remaining examples count as failed without being
# run: a student whose function loops forever should not hold a batch for minutes per check.
MAX_TIMEOUTS_PER_CHECK = 3


def run_checks(
    suite: CheckSuite,
    student: StudentCode,
    *,
    seed: int,
    only: Collection[str] | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    mistakes_for: Callable[[Callable], Sequence] | None = None,
    student_for: Callable[[str], StudentCode] | None = None,
    tolerances: Tolerances | None = None,
    options: Mapping[str, Any] | None = None,
    files: Sequence = (),
    rubric_dir=None,
) -> dict[str, CheckOutcome]:
    """Run the checks of ``suite`` on ``student``; return one outcome per check id.

    Args:
        seed: the rubric's seed; with the check id it seeds Hypothesis for each check.
        only: run just these check ids (and, so that skipping stays correct, their
            prerequisites); default all.
        max_examples: examples per generated check, unless the check sets its own.
        mistakes_for: the catalog lookup, ``reference -> mistakes``; default
            ``reference.mistakes.mistakes_for``.
        student_for: check id -> the code that check calls, when checks must not share one
            worker (a hidden check's inputs must never reach a visible check's feedback);
            default ``student`` for all.
        tolerances: the rubric's (``Rubric.tolerances``), in force while the checks and the
            diagnosis compare floats; default ``grader.checks.tolerance.Tolerances()``.
        options: the rubric's ``options`` (``Rubric.options``), which the checks read with
            ``grader.checks.options.current()``; default none.
        files: the submission's files (``options.submission_files()``), for checks that read
            more than its code (a weights file beside the notebook).
        rubric_dir: the rubric's folder, for relative paths in its options.
    """
    if type(seed) is not int:
        raise TypeError(f"seed must be an int, got {seed!r} (type={type(seed).__name__})")
    if type(max_examples) is not int or max_examples < 1:
        raise ValueError(f"max_examples must be a positive int, got {max_examples!r}")
    if mistakes_for is None:
        from reference.mistakes import mistakes_for
    selected = _with_prerequisites(suite, only)
    outcomes: dict[str, CheckOutcome] = {}
    for spec in suite:
        if spec.id not in selected:
            continue
        not_passed = [d for d in spec.depends_on if outcomes[d].status is not Status.PASSED]
        if not_passed:
            outcomes[spec.id] = CheckOutcome(
                spec.id,
                Status.SKIPPED,
                message=f"skipped because {' and '.join(not_passed)} did not pass",
            )
            continue
        started = time.perf_counter()
        with fixed_generation(), tolerance.in_force(tolerances), assignment_options.in_force(options, files, rubric_dir):
            code = student if student_for is None else student_for(spec.id)
            outcome = _run_check(spec, code, seed, spec.max_examples or max_examples, mistakes_for)
        outcomes[spec.id] = replace(outcome, duration_s=round(time.perf_counter() - started, 6))
    return outcomes


def check_seed(seed: int, check_id: str) -> int:
    """The Hypothesis seed of one check: stable across processes (no ``hash()``)."""
    digest = hashlib.sha256(f"{seed}:{check_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


# --- one check ----------------------------------------------------------------------------------


@dataclass
class _Trial:
    """One run of a check's body on one set of arguments."""

    arguments: dict[str, Any]
    calls: list[Call]
    error: BaseException | None = None
    run: bool = True  # False: counted as failed without running (too many timeouts)
    figure: dict | None = None  # what the body showed (figure.show)
    measures: dict | None = None  # what the body measured (measures.record)

    @property
    def status(self) -> Status:
        if self.error is None:
            return Status.PASSED
        if isinstance(self.error, (AssertionError, StudentError)):
            return Status.FAILED
        return Status.ERRORED


class _Runner:
    """Runs one check's body on argument sets, recording each run as a trial."""

    def __init__(self, spec: Check, student: StudentCode):
        self.spec = spec
        self.student = student
        self.timeouts = 0
        self.last_timeout: StudentTimeout | None = None

    def trial(self, arguments: dict[str, Any]) -> _Trial:
        recorded = copy.deepcopy(arguments)
        if self.timeouts >= MAX_TIMEOUTS_PER_CHECK:
            return _Trial(recorded, [], self.last_timeout, run=False)
        calls: list[Call] = []
        with figure.collecting() as shown, measures.collecting() as measured:
            try:
                self.spec.body(RecordingStudent(self.student, calls, mutable=self.spec.mutable), **arguments)
            except HypothesisException:
                raise  # assume(), or Hypothesis' own errors: Hypothesis handles them
            except Exception as exc:
                if isinstance(exc, StudentTimeout):
                    self.timeouts += 1
                    self.last_timeout = exc
                return _Trial(recorded, calls, exc, figure=shown[-1] if shown else None, measures=dict(measured))
        return _Trial(recorded, calls, figure=shown[-1] if shown else None, measures=dict(measured))


def _run_check(spec, student, seed, max_examples, mistakes_for) -> CheckOutcome:
    runner = _Runner(spec, student)
    try:
        if spec.generated:
            trials = _count_generated(spec, runner, seed, max_examples)
        else:
            trials = [runner.trial(dict(case)) for case in (spec.cases or [{}])]
    except Exception as exc:  # Hypothesis could not run the check: health check, bad strategy
        return _errored(spec, exc, 0, 0)
    passed = sum(t.status is Status.PASSED for t in trials)
    total = len(trials)
    errored = next((t for t in trials if t.status is Status.ERRORED), None)
    if errored is not None:
        return _errored(spec, errored.error, passed, total)
    failed = next((t for t in trials if t.status is Status.FAILED), None)
    if failed is None:
        shown = next((t.figure for t in reversed(trials) if t.figure is not None), None)
        measured = next((t.measures for t in reversed(trials) if t.measures), {})
        return CheckOutcome(spec.id, Status.PASSED, cases_passed=passed, cases_total=total, figure=shown,
                            measures=measured)
    if spec.generated and not isinstance(failed.error, StudentTimeout):
        failed = _shrink(spec, runner, seed, max_examples) or failed
        if failed.status is Status.ERRORED:
            return _errored(spec, failed.error, passed, total)
    evidence = [c for t in trials for c in t.calls] + failed.calls
    not_run = sum(not t.run for t in trials)
    return _failed(spec, failed, passed, total, mistakes_for, evidence, not_run)


def _hypothesis_settings(max_examples: int, phases) -> settings:
    # Every setting that could change the examples is explicit, so no profile leaks in.
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=phases,
        report_multiple_bugs=False,
        print_blob=False,
        verbosity=Verbosity.quiet,
        suppress_health_check=[HealthCheck.too_slow],
    )


def _hypothesis_test(spec: Check, body, seed: int, max_examples: int, phases):
    test = hypothesis.given(arguments=st.fixed_dictionaries(dict(spec.strategies)))(body)
    test = _hypothesis_settings(max_examples, phases)(test)
    return hypothesis.seed(check_seed(seed, spec.id))(test)


def _count_generated(spec: Check, runner: _Runner, seed: int, max_examples: int) -> list[_Trial]:
    trials: list[_Trial] = []

    def body(arguments):
        trials.append(runner.trial(arguments))  # records a failure, never raises it

    _hypothesis_test(spec, body, seed, max_examples, (Phase.generate,))()
    return trials


def _shrink(spec: Check, runner: _Runner, seed: int, max_examples: int) -> _Trial | None:
    """The minimal failing trial: Hypothesis replays it last, after shrinking."""
    last_failure: list[_Trial] = []

    def body(arguments):
        trial = runner.trial(arguments)
        if trial.error is not None:
            last_failure[:] = [trial]
            raise trial.error

    test = _hypothesis_test(spec, body, seed, max_examples, (Phase.generate, Phase.shrink))
    try:
        test()
    except Exception:
        pass  # the failure we shrank (or Hypothesis' report of a flaky one): see last_failure
    return last_failure[0] if last_failure else None


# --- outcomes -----------------------------------------------------------------------------------


def _failed(spec, trial: _Trial, passed, total, mistakes_for, evidence, not_run) -> CheckOutcome:
    error = trial.error
    call = _culprit(trial)
    expected = got = credit = None
    picture = trial.figure
    if isinstance(error, Mismatch):
        expected, got, credit = error.expected, error.got, error.credit
        picture = error.figure if error.figure is not None else picture
        detail = error.message
        if call is None:  # a judgement of more than one answer (an accuracy, a training run): said as it is
            message = detail
        else:
            message = f"{call.render()} is wrong:" + ("\n" if "\n" in detail else " ") + detail
    elif isinstance(error, StudentError):
        message = str(error)
        if call is not None and not isinstance(error, MissingFunction):
            message += f"\nThe call was {call.render()}."
            expected = _expected_repr(spec, call)
    else:  # a plain assert in the check
        message = f"check failed: {error}" if str(error) else "check failed (an assertion)"
        if call is not None:
            message += f"\nThe last call was {call.render()} -> {_short_repr(call.result)}."
    if not_run:
        message += (
            f"\nAfter {MAX_TIMEOUTS_PER_CHECK} timeouts, the remaining {not_run} example(s) of "
            "this check were counted as failed without being run."
        )
    misconception = None
    if spec.reference is not None:
        misconception = diagnose(spec, evidence, mistakes_for(spec.reference))
    return CheckOutcome(
        spec.id,
        Status.FAILED,
        message=message,
        smallest_input=call.as_input() if call else {"arguments": _plain(trial.arguments)},
        expected=expected,
        got=got,
        misconception=misconception,
        cases_passed=passed,
        cases_total=total,
        figure=picture,
        credit=credit,
        measures=trial.measures or {},
    )


def _errored(spec: Check, error: BaseException, passed: int, total: int) -> CheckOutcome:
    """The student sees that the grader failed, never the grader's traceback, the checks file's
    path or its source (``detail`` keeps them for the instructor's report)."""
    trace = "".join(traceback.format_exception(error)).rstrip()
    return CheckOutcome(
        spec.id,
        Status.ERRORED,
        message=(
            f"The check {spec.id} itself raised {type(error).__name__}. "
            f"This is a problem in the grader, not in the submission; a person will look at it."
        ),
        detail=f"{spec.id} ({spec.origin}) raised {type(error).__name__}: {error}\n{trace}",
        cases_passed=passed,
        cases_total=total,
    )


def _culprit(trial: _Trial) -> Call | None:
    """The student call the failure is about: the one that produced the wrong value or raised."""
    error = trial.error
    for call in reversed(trial.calls):
        if call.error is not None and call.error is error:
            return call
        if isinstance(error, Mismatch) and call.error is None and call.result is error.got_value:
            return call
    return trial.calls[-1] if trial.calls else None


def _expected_repr(spec: Check, call: Call) -> str | None:
    if spec.reference is None or spec.function != call.function:
        return None
    try:
        args, kwargs = copy.deepcopy((tuple(call.args), dict(call.kwargs)))
        return repr(spec.call_reference_as_student(spec.reference, args, kwargs))
    except Exception:
        return None


def _with_prerequisites(suite: CheckSuite, only: Collection[str] | None) -> set[str]:
    if only is None:
        return set(suite.ids)
    if isinstance(only, str):
        raise TypeError(f"only must be a collection of check ids, got the str {only!r}")
    unknown = sorted(set(only) - set(suite.ids))
    if unknown:
        raise ValueError(f"unknown check id(s) {unknown}; known: {sorted(suite.ids)}")
    selected: set[str] = set()
    pending = list(only)
    while pending:
        check_id = pending.pop()
        if check_id not in selected:
            selected.add(check_id)
            pending.extend(suite[check_id].depends_on)
    return selected
