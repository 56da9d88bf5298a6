"""Naming the misconception: a catalogued mistake that reproduces every answer the student gave."""
import functools
from pathlib import Path

import pytest

from grader.checks import TrustedCode, load_checks, run_checks
from grader.checks.diagnosis import diagnose
from grader.checks.student import Call
from grader.result import Misconception, Status
from reference.mistakes import Mistake, by_id

ROOT = Path(__file__).resolve().parents[2]
SUITE = load_checks(ROOT / "assignments" / "conv_arithmetic" / "checks.py")
SEED = 20261123


def student_with(function: str, reference_like) -> TrustedCode:
    """Every function right (the reference, called as the student's), except ``function``."""
    functions = {}
    for spec in SUITE:
        f = reference_like if spec.function == function else spec.reference
        functions[spec.function] = functools.partial(spec.adapt, f)
    return TrustedCode(functions)


@pytest.mark.parametrize(
    "mistake_id, function, check_id",
    [
        ("conv_output_size.ceil_instead_of_floor", "conv_output_size", "conv_output_size.worked_examples"),
        ("conv_output_size.dilation_ignored", "conv_output_size", "conv_output_size.matches_torch"),
        ("pool_output_size.stride_defaults_to_one", "pool_output_size", "pool_output_size.worked_examples"),
        ("pool_output_size.ceil_mode_without_last_window_rule", "pool_output_size", "pool_output_size.ceil_mode"),
        ("conv_parameter_count.bias_forgotten", "conv_param_count", "conv_param_count.worked_examples"),
        ("receptive_field.sums_without_jump", "receptive_field", "receptive_field.worked_examples"),
        ("receptive_field.dilation_ignored", "receptive_field", "receptive_field.dilation"),
    ],
    ids=["conv-ceil", "conv-dilation", "pool-stride-one", "pool-ceil-no-rule", "params-bias",
         "rf-no-jump", "rf-dilation"],
)
def test_student_making_a_catalogued_mistake_is_told_which(mistake_id, function, check_id):
    outcomes = run_checks(SUITE, student_with(function, by_id(mistake_id).function), seed=SEED)
    outcome = outcomes[check_id]
    assert outcome.status is Status.FAILED
    assert outcome.misconception == Misconception(mistake_id, by_id(mistake_id).explanation)


def test_wrong_answer_that_no_mistake_explains_has_no_misconception():
    def off_by_seven(n_in, kernel_size, stride=1, padding=0, dilation=1):
        return 7

    outcome = run_checks(SUITE, student_with("conv_output_size", off_by_seven), seed=SEED)[
        "conv_output_size.worked_examples"
    ]
    assert outcome.status is Status.FAILED and outcome.misconception is None


SPEC = SUITE["conv_output_size.matches_torch"]


def call(args, result=None, error=None):
    return Call("conv_output_size", tuple(args), {}, result=result, error=error)


def catalogued(name, function):
    return Mistake(f"conv_output_size.{name}", "reference.conv_arithmetic.conv_output_size", function, name)


def test_first_in_catalog_order_wins_among_mistakes_that_all_fit():
    calls = [call((5, 3), result=0)]
    zero_a = catalogued("zero_a", lambda *a: 0)
    zero_b = catalogued("zero_b", lambda *a: 0)
    assert diagnose(SPEC, calls, [zero_a, zero_b]).id == "conv_output_size.zero_a"
    assert diagnose(SPEC, calls, [zero_b, zero_a]).id == "conv_output_size.zero_b"


def test_mistake_must_reproduce_every_call_not_just_the_wrong_one():
    calls = [call((5, 3), result=3), call((6, 3), result=0)]  # right, then wrong
    always_zero = catalogued("always_zero", lambda *a: 0)
    assert diagnose(SPEC, calls, [always_zero]) is None


def test_mistake_raising_where_student_returned_is_no_match():
    def raises(*args):
        raise ValueError("undefined")

    calls = [call((5, 3), result=0)]
    assert diagnose(SPEC, calls, [catalogued("raises", raises)]) is None


def test_student_right_on_every_call_gets_no_misconception():
    calls = [call((5, 3), result=3)]
    assert diagnose(SPEC, calls, [catalogued("right", lambda n, k, *r: n - k + 1)]) is None
