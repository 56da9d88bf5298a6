"""The convolution assignment in-process: rubric -> checks -> runner -> score, with the reference,
every catalogued mistake, and the sample class's own code (trusted: we wrote it) in place of a
student."""
import dataclasses
import functools

import numpy as np
import pytest
import yaml

from assignment_harness import AssignmentHarness
from grader.checks import CheckSuite, TrustedCode, run_checks
from grader.result import Status
from reference import conv
from reference.mistakes import by_id

CONVOLUTION = AssignmentHarness("convolution")
HERE, RUBRIC, SUITE, EXPECTED = CONVOLUTION.folder, CONVOLUTION.rubric, CONVOLUTION.suite, CONVOLUTION.expected
NOT_APPLICABLE, CATALOGUED, APPLICABLE = CONVOLUTION.not_applicable, CONVOLUTION.catalogued, CONVOLUTION.applicable
ADAPT_OF = CONVOLUTION.adapt_of
student, grade, grade_mistake = CONVOLUTION.student, CONVOLUTION.grade, CONVOLUTION.grade_mistake
function_for, checks_of, sample_code = CONVOLUTION.function_for, CONVOLUTION.checks_of, CONVOLUTION.sample_code

# The item that catches each applicable mistake: the first item, in rubric order, where it loses
# points; the diagnosis must name the mistake there. (Mistakes that need a stride or padding to
# show are caught by the *_stride_padding items.)
CAUGHT_BY = {
    "conv2d.flipped_kernel": "conv2d_forward",
    "conv2d.bias_forgotten": "conv2d_forward",
    "conv2d.padding_one_side": "conv2d_forward_stride_padding",
    "conv2d.stride_ignored": "conv2d_forward_stride_padding",
    "conv2d.stride_pair_swapped": "conv2d_forward_stride_padding",
    "conv2d.padding_pair_swapped": "conv2d_forward_stride_padding",
    "conv2d_backward.grad_weight_last_sample_only": "conv2d_backward",
    "conv2d_backward.grad_weight_averaged_over_batch": "conv2d_backward",
    "conv2d_backward.grad_input_unflipped_kernel": "conv2d_backward",
    "conv2d_backward.grad_bias_not_summed_over_positions": "conv2d_backward",
    "conv2d_backward.flipped_kernel_backward": "conv2d_backward",
    "conv2d_backward.grad_input_stride_ignored": "conv2d_backward_stride_padding",
    "conv2d_backward.grad_input_overwrite_overlaps": "conv2d_backward",
    "conv2d_backward.grad_input_cropped_at_top_left": "conv2d_backward_stride_padding",
    "conv2d_backward.grad_input_padding_kept": "conv2d_backward_stride_padding",
    "convolve2d.cross_correlation": "convolve2d",
    "convolve2d.kernel_flipped_upside_down": "convolve2d",
    "convolve2d.kernel_flipped_left_right": "convolve2d",
    "convolve2d.kernel_transposed": "convolve2d",
}


# --- the reference and the worked examples ----------------------------------------------------


def test_reference_solution_gets_full_marks():
    outcomes, result = grade(student())
    assert all(o.status is Status.PASSED for o in outcomes.values()), outcomes
    assert result.score == result.max_score == 16.0
    assert not result.errored


def test_worked_examples_agree_with_the_reference():
    listed = 0
    for spec in SUITE:
        for case in spec.cases or ():
            if "expected" not in case:
                continue  # the gradient check's cases have no answer to compare
            arguments = {k: v for k, v in case.items() if k != "expected"}
            got = spec.call_reference_as_student(spec.reference, (), arguments)
            expected = case["expected"]
            for g, e in zip(got, expected) if isinstance(expected, tuple) else [(got, expected)]:
                if e is None:
                    assert g is None, spec.id
                else:
                    np.testing.assert_allclose(g, e, rtol=0, atol=1e-12, err_msg=spec.id)
            listed += 1
    assert listed == 16


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


@pytest.mark.parametrize("function", ["conv2d_forward", "conv2d_backward"])
def test_generated_layers_cover_what_the_issue_lists(function):
    layers = []
    for args, kwargs in CONVOLUTION.generated_calls(function):
        x, w, b = args[1:4] if function == "conv2d_backward" else args[:3]
        layers.append((x, w, b, kwargs.get("stride", 1), kwargs.get("padding", 0)))
    stride = [_pair(s) for *_, s, _ in layers]
    padding = [_pair(p) for *_, p in layers]
    seen = {
        "N = 1": any(x.shape[0] == 1 for x, *_ in layers),
        "N > 1": any(x.shape[0] > 1 for x, *_ in layers),
        "C > 1": any(x.shape[1] > 1 for x, *_ in layers),
        "F > 1": any(w.shape[0] > 1 for _, w, *_ in layers),
        "non-square input": any(x.shape[2] != x.shape[3] for x, *_ in layers),
        "non-square kernel": any(w.shape[2] != w.shape[3] for _, w, *_ in layers),
        "b None": any(b is None for _, _, b, *_ in layers),
        "b given": any(b is not None for _, _, b, *_ in layers),
        "stride pair (h != w)": any(isinstance(s, tuple) and s[0] != s[1] for *_, s, _ in layers),
        "padding pair (h != w)": any(isinstance(p, tuple) and p[0] != p[1] for *_, p in layers),
        "stride > 1 with padding > 0": any(max(s) > 1 and max(p) > 0 for s, p in zip(stride, padding)),
        "padding 0 with stride > 1": any(max(s) > 1 and max(p) == 0 for s, p in zip(stride, padding)),
        "overlap (stride < kernel)": any(s[0] < w.shape[2] or s[1] < w.shape[3]
                                         for (_, w, *_), s in zip(layers, stride)),
        "gaps (stride > kernel)": any(s[0] > w.shape[2] or s[1] > w.shape[3]
                                      for (_, w, *_), s in zip(layers, stride)),
        "negative inputs": any((x < 0).any() for x, *_ in layers),
        "float64": all(x.dtype == w.dtype == np.float64 for x, w, *_ in layers),
    }
    assert all(seen.values()), [k for k, v in seen.items() if not v]
    assert max(max(x.shape[2:]) for x, *_ in layers) <= 7
    assert max(max(x.shape[:2]) for x, *_ in layers) <= 3 and max(w.shape[0] for _, w, *_ in layers) <= 3


def test_the_gradient_check_cases_cover_the_layer_features_too():
    spec = SUITE["conv2d_backward.gradient_check"]
    layers = [case["layer"] for case in spec.cases]
    assert any(x[0] > 1 for x, *_ in layers) and any(b is False for _, _, b, _, _ in layers)
    assert any(isinstance(s, tuple) for *_, s, _ in layers) and any(isinstance(p, tuple) for *_, p in layers)
    assert any(w[2] != w[3] for _, w, *_ in layers)


def test_generated_convolve2d_cases_have_non_square_kernels_and_images():
    calls = CONVOLUTION.generated_calls("convolve2d")
    assert any(k.shape[0] != k.shape[1] for (_, k), _ in calls)
    assert any(i.shape[0] != i.shape[1] for (i, _), _ in calls)
    assert all(i.shape[0] >= max(k.shape) and i.shape[1] >= max(k.shape) for (i, k), _ in calls)


# --- the catalog ----------------------------------------------------------------------------------


def test_every_not_applicable_mistake_is_a_catalogued_mistake_of_these_references():
    assert set(NOT_APPLICABLE) <= {m.id for m in CATALOGUED}
    assert set(CAUGHT_BY) == {m.id for m in APPLICABLE}


@pytest.mark.parametrize("mistake", APPLICABLE, ids=[m.id for m in APPLICABLE])
def test_catalogued_mistake_loses_points_and_is_named_on_the_item_it_affects(mistake):
    function = function_for(mistake)
    outcomes, _ = grade_mistake(mistake)
    items = [i for i in RUBRIC.items if SUITE[i.checks[0]].function == function]
    lost = [i.id for i in items if any(outcomes[c].status is not Status.PASSED for c in i.checks)]
    assert lost and lost[0] == CAUGHT_BY[mistake.id], lost
    item = RUBRIC.item(CAUGHT_BY[mistake.id])
    first_failed = next(outcomes[c] for c in item.checks if outcomes[c].status is Status.FAILED)
    assert first_failed.misconception is not None, first_failed.message
    assert first_failed.misconception.id == mistake.id
    assert f"{mistake.id}" in {outcomes[c].misconception.id for c in item.checks if outcomes[c].misconception}


@pytest.mark.parametrize("mistake_id", sorted(NOT_APPLICABLE))
def test_not_applicable_mistake_equals_the_reference_on_the_contracts_inputs(mistake_id):
    outcomes, _ = grade_mistake(by_id(mistake_id))
    assert all(o.status is Status.PASSED for o in outcomes.values()), outcomes


def test_every_named_mistake_in_expected_is_catalogued_and_applicable():
    for stem, item, mistake_id in CONVOLUTION.named_mistakes():
        assert by_id(mistake_id).id not in NOT_APPLICABLE, stem
        assert item in {i.id for i in RUBRIC.items}, stem


# --- backward passes: the consistent student and the backward-only mistake -------------------


def test_consistent_student_and_backward_only_mistake_get_different_diagnoses():
    consistent = sample_code("fatima_flipped_kernel_both")
    backward_only = sample_code("goran_dx_turned_kernel")
    a, _ = grade(consistent)
    b, _ = grade(backward_only)
    check_id = "conv2d_backward.matches_reference"
    assert a[check_id].misconception.id == "conv2d_backward.flipped_kernel_backward"
    assert b[check_id].misconception.id == "conv2d_backward.grad_input_unflipped_kernel"
    assert "your backward pass is the true gradient of your forward pass" in a[check_id].message
    assert "Fix conv2d_forward first" in a[check_id].message
    assert "the mistake is in the backward pass" in b[check_id].message
    assert a["conv2d_forward.worked_examples"].misconception.id == "conv2d.flipped_kernel"
    assert b["conv2d_forward.matches_reference"].status is Status.PASSED
    # the consistent backward is not gradient-checked against a wrong forward; the other one fails
    assert a["conv2d_backward.gradient_check"].status is Status.SKIPPED
    assert b["conv2d_backward.gradient_check"].status is Status.FAILED
    assert "disagrees with central finite differences" in b["conv2d_backward.gradient_check"].message


def test_the_consistent_backward_passes_a_gradient_check_against_its_own_forward():
    code = student(conv2d_forward=by_id("conv2d.flipped_kernel").function,
                   conv2d_backward=by_id("conv2d_backward.flipped_kernel_backward").function)
    # the check alone, without its prerequisites (the forward checks, which this student fails)
    alone = CheckSuite([dataclasses.replace(SUITE["conv2d_backward.gradient_check"], depends_on=())])
    outcomes = run_checks(alone, code, seed=RUBRIC.seed, tolerances=RUBRIC.tolerances)
    assert outcomes["conv2d_backward.gradient_check"].status is Status.PASSED


def test_changing_an_argument_in_place_fails_with_a_message_that_says_so():
    outcomes, _ = grade(sample_code("rosa_flips_kernel_in_place"), only=checks_of("convolve2d"))
    message = outcomes["convolve2d.worked_examples"].message
    assert message.startswith("convolve2d changed its argument kernel in place")


def test_a_missing_bias_gradient_must_be_none():
    def zeros_for_db(dout, x, w, b, stride=1, padding=0):
        dx, dw, db = conv.conv2d_backward(dout, x, w, stride=stride, padding=padding, bias=True)
        return dx, dw, (db if b is not None else np.zeros(w.shape[0]))

    code = TrustedCode({"conv2d_forward": functools.partial(ADAPT_OF["conv2d_forward"], conv.conv2d),
                        "conv2d_backward": zeros_for_db})
    outcomes, _ = grade(code, only=["conv2d_backward.stride_padding_examples"])
    assert "db: expected None" in outcomes["conv2d_backward.stride_padding_examples"].message


# --- the sample class --------------------------------------------------------------------------

CORRECT = CONVOLUTION.correct


@pytest.mark.parametrize("stem", CORRECT)
def test_correct_sample_style_gets_full_marks(stem):
    outcomes, result = grade(sample_code(stem))
    assert result.score == result.max_score, {k: o.message for k, o in outcomes.items() if o.message}


def test_expected_outcomes_list_every_sample_and_samples_declare_the_assignment():
    stems = sorted(p.stem for p in (HERE / "samples").glob("*.ipynb"))
    assert stems == sorted(EXPECTED["samples"])
    assert len(CORRECT) >= 4
    named = [e["named"] for e in EXPECTED["samples"].values() if e.get("named")]
    assert len({tuple(sorted(set(n.values()))) for n in named}) == len(named) >= 8
    for path in [HERE / "student.ipynb", HERE / "solution.ipynb", *(HERE / "samples").glob("*.ipynb")]:
        declared = yaml.safe_load(path.read_text(encoding="utf-8"))["metadata"].get("cnngrade")
        if path.stem != "bruno_im2col":  # pasted into a fresh notebook, deliberately
            assert declared == {"assignment": "convolution"}, path.name

