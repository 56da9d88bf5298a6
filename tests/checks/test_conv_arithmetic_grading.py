"""The first assignment end to end, in-process: rubric -> checks -> runner -> score."""
import functools
from pathlib import Path

import pytest

from grader.checks import TrustedCode, load_checks, run_checks
from grader.result import Status
from grader.rubric import load_rubric
from grader.score import score_submission
from reference.mistakes import by_id

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = load_rubric(ROOT / "rubrics" / "conv_arithmetic.yaml")
SUITE = load_checks(RUBRIC.assignment.checks_path)


def reference_solution(**replaced) -> TrustedCode:
    """The student's four functions, as the reference computes them (some replaced)."""
    functions = {}
    for spec in SUITE:
        functions[spec.function] = replaced.get(spec.function) or functools.partial(spec.adapt, spec.reference)
    return TrustedCode(functions)


def grade(code):
    outcomes = run_checks(SUITE, code, seed=RUBRIC.seed)
    return outcomes, score_submission(RUBRIC, outcomes, student_id="s", files=["s.ipynb"])


def test_reference_solution_gets_full_marks():
    outcomes, result = grade(reference_solution())
    assert all(o.status is Status.PASSED for o in outcomes.values()), outcomes
    assert result.score == result.max_score == 12.0
    assert not result.errored


def test_worked_examples_agree_with_the_reference():
    for spec in SUITE:
        for case in spec.cases or ():
            arguments = {k: v for k, v in case.items() if k != "expected"}
            assert spec.call_reference_as_student(spec.reference, (), arguments) == case["expected"], spec.id


def test_float_arithmetic_converted_with_int_is_correct():
    def float_style(n_in, kernel_size, stride=1, padding=0, dilation=1):
        return int((n_in + 2.0 * padding - dilation * (kernel_size - 1.0) - 1.0) / stride) + 1

    _, result = grade(reference_solution(conv_output_size=float_style))
    assert result.score == 12.0


def test_float_result_where_an_int_is_asked_fails_with_a_clear_message():
    def returns_float(n_in, kernel_size, stride=1, padding=0, dilation=1):
        return (n_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1.0

    outcomes, result = grade(reference_solution(conv_output_size=returns_float))
    outcome = outcomes["conv_output_size.worked_examples"]
    assert outcome.message == "conv_output_size(5, 3, stride=2, padding=1) is wrong: expected an int, got 3.0 (float)"
    assert result.items[0].points == 0.0


def test_ceil_mode_mistake_loses_only_the_ceil_mode_item():
    mistake = by_id("pool_output_size.ceil_mode_without_last_window_rule")

    def student(n_in, kernel_size, stride=None, ceil_mode=False):
        return mistake(n_in, kernel_size, stride, ceil_mode=ceil_mode)

    _, result = grade(reference_solution(pool_output_size=student))
    lost = {i.item_id: i for i in result.items if i.points < i.max_points}
    assert list(lost) == ["pool_output_size_ceil_mode"]
    feedback = lost["pool_output_size_ceil_mode"].feedback
    assert feedback.startswith("pool_output_size(2, 1, stride=2, ceil_mode=True) is wrong: expected 1, got 2")
    assert f"Hint: {mistake.explanation}" in feedback
    assert result.score == 11.0


def test_missing_function_costs_its_items_and_skips_what_depends_on_them():
    functions = {s.function: functools.partial(s.adapt, s.reference) for s in SUITE}
    del functions["receptive_field"]
    _, result = grade(TrustedCode(functions))
    statuses = {i.item_id: i.status for i in result.items}
    assert statuses["receptive_field"] is Status.FAILED
    assert statuses["receptive_field_dilation"] is Status.SKIPPED
    assert result.score == 9.0


@pytest.mark.parametrize("days, score", [(0, 12.0), (1, 10.8), (7, 6.0)], ids=["on-time", "a-day", "a-week"])
def test_late_policy_of_the_rubric_applies(days, score):
    from datetime import timedelta

    outcomes, _ = grade(reference_solution())
    result = score_submission(RUBRIC, outcomes, student_id="s",
                              submitted_at=RUBRIC.late_policy.due + timedelta(days=days))
    assert result.score == pytest.approx(score)
