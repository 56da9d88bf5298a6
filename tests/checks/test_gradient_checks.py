"""Backward passes judged against the reference and against finite differences of the student's own
forward: the verdict tells apart a wrong backward pass from a consistent misconception."""
import numpy as np
import pytest

from grader.checks import (Mismatch, Tolerances, TrustedCode, cases, check, expect_backward,
                           expect_gradient_check, run_checks)
from grader.checks.registry import CheckSuite
from grader.sandbox.errors import StudentException
from reference import conv as C
from reference.mistakes import by_id

RNG = np.random.default_rng(7)
X = RNG.standard_normal((2, 2, 5, 4))
W = RNG.standard_normal((3, 2, 3, 2))
B = RNG.standard_normal(3)
OPTIONS = dict(stride=(2, 1), padding=1)
DOUT = RNG.standard_normal(C.conv2d(X, W, B, **OPTIONS).shape)
INPUTS = {"x": X, "w": W, "b": B}
GRADS = ("dx", "dw", "db")
EXPECTED = C.conv2d_backward(DOUT, X, W, **OPTIONS)


def forward(x, w, b):
    return C.conv2d(x, w, b, **OPTIONS)


def flipped_forward(x, w, b):
    return by_id("conv2d.flipped_kernel")(x, w, b, **OPTIONS)


def backward_of_flipped():
    dx, dw, db = C.conv2d_backward(DOUT, X, W[..., ::-1, ::-1], **OPTIONS)
    return dx, dw[..., ::-1, ::-1], db


def judge(got, own_forward=forward):
    expect_backward(got, EXPECTED, inputs=INPUTS, forward=own_forward, dout=DOUT,
                    forward_name="conv2d_forward", grads=GRADS)


def test_the_reference_gradients_pass_both_judgements():
    judge(EXPECTED)
    expect_gradient_check(EXPECTED, inputs=INPUTS, forward=forward, dout=DOUT, forward_name="conv2d_forward",
                          grads=GRADS)


def test_a_wrong_backward_pass_is_blamed_on_the_backward_pass():
    wrong = by_id("conv2d_backward.grad_weight_averaged_over_batch")(DOUT, X, W, **OPTIONS)
    with pytest.raises(Mismatch) as raised:
        judge(wrong)
    message = raised.value.message
    assert message.startswith("dw: Mismatched elements: 36 / 36")
    assert "also disagrees with central finite differences of your own conv2d_forward" in message
    assert "the mistake is in the backward pass" in message


def test_a_backward_pass_consistent_with_a_wrong_forward_is_told_to_fix_the_forward_first():
    with pytest.raises(Mismatch) as raised:
        judge(backward_of_flipped(), own_forward=flipped_forward)
    message = raised.value.message
    assert message.startswith("dx: ")
    assert "agrees with central finite differences of your own conv2d_forward" in message
    assert "Fix conv2d_forward first" in message
    # and the gradient check alone sees nothing wrong with it: it is the true gradient of that forward
    expect_gradient_check(backward_of_flipped(), inputs=INPUTS, forward=flipped_forward, dout=DOUT,
                          forward_name="conv2d_forward", grads=GRADS)


def test_a_forward_that_raises_is_named_in_the_verdict():
    def broken(x, w, b):
        raise StudentException("IndexError: index 5 is out of bounds")

    wrong = by_id("conv2d_backward.grad_weight_averaged_over_batch")(DOUT, X, W, **OPTIONS)
    with pytest.raises(Mismatch) as raised:
        judge(wrong, own_forward=broken)
    assert "Your own conv2d_forward fails on these inputs (IndexError" in raised.value.message


def test_the_gradient_check_reports_the_relative_error_of_an_inconsistent_gradient():
    wrong = by_id("conv2d_backward.grad_bias_not_summed_over_positions")(DOUT, X, W, **OPTIONS)
    with pytest.raises(Mismatch, match=r"db disagrees with central finite differences of your own conv2d_forward: "
                                       r"relative error \d\.\d\de[+-]\d\d \(at most 1e-06 allowed\)"):
        expect_gradient_check(wrong, inputs=INPUTS, forward=forward, dout=DOUT, forward_name="conv2d_forward",
                              grads=GRADS)


def test_a_float32_forward_is_told_that_finite_differences_need_float64():
    with pytest.raises(Mismatch, match="returns float32 values, and finite differences need float64"):
        expect_gradient_check(EXPECTED, inputs=INPUTS, forward=lambda **k: forward(**k).astype(np.float32),
                              dout=DOUT, forward_name="conv2d_forward", grads=GRADS)


def test_a_missing_bias_needs_a_none_gradient():
    expected = C.conv2d_backward(DOUT, X, W, **OPTIONS, bias=False)
    no_bias = {"x": X, "w": W, "b": None}
    expect_backward(expected, expected, inputs=no_bias, forward=forward, dout=DOUT, forward_name="f", grads=GRADS)
    with pytest.raises(Mismatch, match=r"db: expected None \(NoneType\), got array"):
        expect_backward(EXPECTED, expected, inputs=no_bias, forward=forward, dout=DOUT, forward_name="f", grads=GRADS)


def test_a_result_of_the_wrong_form_says_what_was_expected():
    with pytest.raises(Mismatch, match=r"expected a tuple \(dx, dw, db\), got an array of shape \(2, 2, 5, 4\)"):
        judge(EXPECTED[0])


def test_the_rubric_tolerances_decide_how_close_is_close_enough():
    nudged = (EXPECTED[0] * (1 + 1e-6), EXPECTED[1], EXPECTED[2])

    @check("backward.matches")
    @cases({})
    def body(student):
        judge(student.backward())

    suite = CheckSuite([body.__cnngrade_check__])
    code = TrustedCode({"backward": lambda: nudged})
    strict = run_checks(suite, code, seed=1)
    loose = run_checks(suite, code, seed=1, tolerances=Tolerances(float64_rtol=1e-5))
    assert strict["backward.matches"].status.value == "failed"
    assert loose["backward.matches"].status.value == "passed"


def test_the_verdict_runs_the_forward_only_for_the_failure_reported_not_for_every_failing_example():
    from hypothesis import strategies as st

    from grader.checks import given

    wrong = by_id("conv2d_backward.grad_weight_averaged_over_batch")
    forward_calls = []

    @check("backward.generated", function="backward")
    @given(scale=st.integers(1, 50))
    def body(student, scale):
        x = X * scale
        expect_backward(student.backward(DOUT, x, W), C.conv2d_backward(DOUT, x, W, **OPTIONS),
                        inputs={"x": x, "w": W, "b": B}, forward=student.forward, dout=DOUT,
                        forward_name="conv2d_forward", grads=GRADS)

    def counted_forward(x, w, b):
        forward_calls.append(1)
        return forward(x, w, b)

    code = TrustedCode({"backward": lambda dout, x, w: wrong(dout, x, w, **OPTIONS), "forward": counted_forward})
    outcome = run_checks(CheckSuite([body.__cnngrade_check__]), code, seed=3, max_examples=20)["backward.generated"]
    assert outcome.status.value == "failed" and outcome.cases_passed == 0 and outcome.cases_total == 20
    assert "the mistake is in the backward pass" in outcome.message
    assert len(forward_calls) == 2 * 3  # one verdict: two forward calls per direction, three directions
