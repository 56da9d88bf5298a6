"""The normalization assignment in-process: rubric -> checks -> runner -> score, with the reference,
every catalogued mistake, and the sample class's own code (trusted: we wrote it) in place of a
student."""
import json

import numpy as np
import pytest

from assignment_harness import AssignmentHarness
from grader.checks import TrustedCode
from grader.result import Status
from reference import normalization
from reference.mistakes import by_id

NORMALIZATION = AssignmentHarness("normalization")
HERE, RUBRIC, SUITE, EXPECTED = NORMALIZATION.folder, NORMALIZATION.rubric, NORMALIZATION.suite, NORMALIZATION.expected
NOT_APPLICABLE, CATALOGUED = NORMALIZATION.not_applicable, NORMALIZATION.catalogued
APPLICABLE = NORMALIZATION.applicable
student, grade, grade_mistake = NORMALIZATION.student, NORMALIZATION.grade, NORMALIZATION.grade_mistake
function_for, checks_of, sample_code = NORMALIZATION.function_for, NORMALIZATION.checks_of, NORMALIZATION.sample_code


# --- the reference and the worked examples ----------------------------------------------------


def test_reference_solution_gets_full_marks():
    outcomes, result = grade(student())
    assert all(o.status is Status.PASSED for o in outcomes.values()), outcomes
    assert result.score == result.max_score == 14.0
    assert not result.errored


def test_worked_examples_agree_with_the_reference():
    for spec in SUITE:
        for case in spec.cases or ():
            arguments = {k: v for k, v in case.items() if k != "expected" and v is not None}
            if spec.function == "batchnorm_forward":
                arguments["training"] = spec.id == "batchnorm_forward.worked_examples"
            if spec.function.startswith("dropout"):
                arguments["training"] = True
            got = spec.call_reference_as_student(spec.reference, (), arguments)
            expected = case["expected"]
            for have, want in zip(got, expected) if isinstance(expected, tuple) else [(got, expected)]:
                np.testing.assert_allclose(have, want, rtol=1e-12, atol=1e-12, err_msg=spec.id)


def _shapes_seen(arrays):
    return {
        "(N, D)": any(a.ndim == 2 for a in arrays),
        "(N, C, H, W)": any(a.ndim == 4 for a in arrays),
        "non-square H, W": any(a.ndim == 4 and a.shape[2] != a.shape[3] for a in arrays),
        "N = 1 (images)": any(a.ndim == 4 and a.shape[0] == 1 for a in arrays),
        "N > 1": any(a.shape[0] > 1 for a in arrays),
        "C > 1": any(a.shape[1] > 1 for a in arrays),
        "negative values": any((a < 0).any() for a in arrays),
        "float64": all(a.dtype == np.float64 for a in arrays),
        "small": all(a.shape[0] <= 4 and max(a.shape[1:]) <= 4 and a.size <= 3 * 3 * 4 * 4 for a in arrays),
    }


def test_batchnorm_forward_generated_cases_cover_what_the_issue_lists():
    calls = NORMALIZATION.generated_calls("batchnorm_forward")
    xs = [args[0] for args, _ in calls]
    seen = _shapes_seen(xs)
    training = [args[5] for args, _ in calls]
    seen.update({
        "training": any(t is True for t in training),
        "evaluation": any(t is False for t in training),
        "gamma, beta not 1, 0": all(not np.all(args[1] == 1) or not np.all(args[2] == 0) for args, _ in calls),
        "momentum default": any("momentum" not in kw for _, kw in calls),
        "momentum other": any(kw.get("momentum", 0.1) != 0.1 for _, kw in calls),
        "eps default": any("eps" not in kw for _, kw in calls),
        "eps other": any(kw.get("eps", 1e-5) != 1e-5 for _, kw in calls),
        "positive running_var": all((args[4] > 0).all() for args, _ in calls),
        "more than 1 value per channel in training": all(
            x.size // x.shape[1] >= 2 for x, t in zip(xs, training) if t),
    })
    assert all(seen.values()), [k for k, v in seen.items() if not v]


def test_batchnorm_backward_generated_cases_cover_what_the_issue_lists():
    calls = NORMALIZATION.generated_calls("batchnorm_backward")
    seen = _shapes_seen([args[1] for args, _ in calls])
    seen.update({
        "dout the shape of x": all(args[0].shape == args[1].shape for args, _ in calls),
        "at least 3 values per channel": all(args[1].size // args[1].shape[1] >= 3 for args, _ in calls),
        "distinct x": all(np.unique(args[1]).size == args[1].size for args, _ in calls),
        "eps default and other": {"eps" in kw for _, kw in calls} == {True, False},
    })
    assert all(seen.values()), [k for k, v in seen.items() if not v]


@pytest.mark.parametrize("function", ["dropout_forward", "dropout_backward"])
def test_dropout_generated_cases_cover_what_the_issue_lists(function):
    calls = NORMALIZATION.generated_calls(function)
    seen = _shapes_seen([args[0] for args, _ in calls])
    seen.update({
        "p in 0, 0.25, 0.5, 0.75": {0.0, 0.25, 0.5, 0.75} <= {args[1] for args, _ in calls},
        "float 0/1 masks of x's shape": all(
            args[2].dtype == np.float64 and args[2].shape == args[0].shape and np.isin(args[2], (0, 1)).all()
            for args, _ in calls),
        "some dropped": any((args[2] == 0).any() for args, _ in calls),
        "training": any(args[3] is True for args, _ in calls),
        "evaluation": any(args[3] is False for args, _ in calls),
        "evaluation with values dropped by the mask": any(
            (args[2] == 0).any() for args, _ in calls if args[3] is False),
    })
    assert all(seen.values()), [k for k, v in seen.items() if not v]


# --- the catalog ----------------------------------------------------------------------------------


def test_every_not_applicable_mistake_is_a_catalogued_mistake_of_these_references():
    assert set(NOT_APPLICABLE) <= {m.id for m in CATALOGUED}
    for mistake_id in NOT_APPLICABLE:  # none today: every catalogued mistake can be expressed
        outcomes, _ = grade_mistake(by_id(mistake_id))
        assert all(o.status is Status.PASSED for o in outcomes.values()), (mistake_id, outcomes)


@pytest.mark.parametrize("mistake", APPLICABLE, ids=[m.id for m in APPLICABLE])
def test_catalogued_mistake_loses_points_and_is_named_on_the_item_it_affects(mistake):
    function = function_for(mistake)
    outcomes, _ = grade_mistake(mistake)
    # the first item of this function (in the rubric's order) with a failed check
    item = next((i for i in RUBRIC.items if set(i.checks) <= set(outcomes)
                 and any(outcomes[c].status is Status.FAILED for c in i.checks)), None)
    assert item is not None, f"{mistake.id} passes every check of {function}"
    first_failed = next(outcomes[c] for c in item.checks if outcomes[c].status is Status.FAILED)
    assert first_failed.misconception is not None, first_failed.message
    assert first_failed.misconception.id == mistake.id


def test_every_named_mistake_in_expected_is_catalogued_and_applicable():
    for stem, item, mistake_id in NORMALIZATION.named_mistakes():
        assert by_id(mistake_id).id not in NOT_APPLICABLE, stem
        assert item in {i.id for i in RUBRIC.items}, stem


# --- backward passes: the consistent student and the backward-only mistake -------------------


def test_consistent_student_and_backward_only_mistake_get_different_diagnoses():
    only = checks_of("batchnorm_forward") + checks_of("batchnorm_backward")
    consistent, _ = grade(sample_code("fatima_unbiased_variance_both"), only=only)
    backward_only, _ = grade(sample_code("goran_backward_unbiased_only"), only=only)
    check_id = "batchnorm_backward.matches_reference"
    assert consistent[check_id].misconception.id == backward_only[check_id].misconception.id == \
        "batch_norm_backward.unbiased_variance"
    assert "your backward pass is the true gradient of your forward pass" in consistent[check_id].message
    assert "Fix batchnorm_forward first" in consistent[check_id].message
    assert "the mistake is in the backward pass" in backward_only[check_id].message
    assert consistent["batchnorm_forward.worked_examples"].misconception.id == \
        "batch_norm.unbiased_variance_in_normalisation"
    assert backward_only["batchnorm_forward.training"].status is Status.PASSED
    # the consistent backward agrees with its own forward; the other does not
    assert consistent["batchnorm_backward.gradient_check"].status is Status.PASSED
    assert backward_only["batchnorm_backward.gradient_check"].status is Status.FAILED


def test_consistent_dropout_student_is_told_to_fix_the_forward_pass():
    outcomes, _ = grade(sample_code("hana_no_rescaling_both"),
                        only=checks_of("dropout_forward") + checks_of("dropout_backward"))
    message = outcomes["dropout_backward.matches_reference"].message
    assert "Fix dropout_forward first" in message
    assert outcomes["dropout_backward.gradient_check"].status is Status.PASSED


# --- arguments changed in place -----------------------------------------------------------------


def test_changing_x_in_place_fails_with_a_message_that_says_so():
    outcomes, _ = grade(sample_code("uma_centres_x_in_place"), only=checks_of("batchnorm_forward"))
    for check_id in ("batchnorm_forward.worked_examples", "batchnorm_forward.evaluation_worked_examples"):
        assert outcomes[check_id].message.startswith("batchnorm_forward changed its argument x in place")


def test_running_statistics_may_change_in_place_when_training_but_not_when_evaluating():
    outcomes, _ = grade(sample_code("emeka_running_stats_in_place"), only=checks_of("batchnorm_forward"))
    assert all(o.status is Status.PASSED for o in outcomes.values())
    outcomes, _ = grade(sample_code("vera_aliased_running_var"), only=checks_of("batchnorm_forward"))
    assert outcomes["batchnorm_forward.training"].status is Status.PASSED
    message = outcomes["batchnorm_forward.evaluation_worked_examples"].message
    assert message.startswith("batchnorm_forward changed its argument running_var in place")


def in_place_student(argument) -> TrustedCode:
    """The reference, with ``argument`` zeroed in place after the right answer is computed."""

    def spoil(arguments):
        if argument in arguments:
            arguments[argument][...] = 0.0

    def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
        result = normalization.batch_norm(x, running_mean, running_var, gamma, beta, training, momentum, eps)
        spoil(locals())
        return result

    def batchnorm_backward(dout, x, gamma, eps=1e-5):
        result = normalization.batch_norm_backward(dout, x, gamma, eps)
        spoil(locals())
        return result

    def dropout_forward(x, p, mask, training):
        result = normalization.dropout(x, mask, p, training)
        spoil(locals())
        return result

    def dropout_backward(dout, p, mask, training):
        result = normalization.dropout_backward(dout, mask, p, training)
        spoil(locals())
        return result

    return TrustedCode({f.__name__: f for f in (batchnorm_forward, batchnorm_backward, dropout_forward,
                                                dropout_backward)})


@pytest.mark.parametrize("argument, function", [("gamma", "batchnorm_forward"), ("beta", "batchnorm_forward"),
                                                ("gamma", "batchnorm_backward"), ("dout", "batchnorm_backward"),
                                                ("mask", "dropout_forward"), ("dout", "dropout_backward"),
                                                ("mask", "dropout_backward")])
def test_the_other_arguments_must_never_change(argument, function):
    outcomes, _ = grade(in_place_student(argument), only=checks_of(function))
    first = outcomes[f"{function}.worked_examples"]
    assert first.status is Status.FAILED
    assert first.message.startswith(f"{function} changed its argument {argument} in place"), first.message


# --- the sample class --------------------------------------------------------------------------

CORRECT = NORMALIZATION.correct


@pytest.mark.parametrize("stem", CORRECT)
def test_correct_sample_style_gets_full_marks(stem):
    outcomes, result = grade(sample_code(stem))
    assert result.score == result.max_score, {k: o.message for k, o in outcomes.items() if o.message}


def test_expected_outcomes_list_every_sample_and_samples_declare_the_assignment():
    stems = sorted(p.stem for p in (HERE / "samples").glob("*.ipynb"))
    assert stems == sorted(EXPECTED["samples"])
    assert len(CORRECT) >= 4
    assert sum(bool(e.get("named")) for e in EXPECTED["samples"].values()) >= 8
    for path in [HERE / "student.ipynb", HERE / "solution.ipynb", *(HERE / "samples").glob("*.ipynb")]:
        declared = json.loads(path.read_text(encoding="utf-8"))["metadata"].get("cnngrade")
        if path.stem != "dana_loops_over_channels":  # pasted into a fresh notebook, deliberately
            assert declared == {"assignment": "normalization"}, path.name


def test_the_reference_dropout_in_evaluation_mode_is_what_the_checks_expect():
    x, mask = np.array([[1.0, -2.0]]), np.array([[0.0, 1.0]])
    np.testing.assert_array_equal(normalization.dropout(x, mask, 0.5, False), x)
    np.testing.assert_array_equal(normalization.dropout_backward(x, mask, 0.5, False), x)
