"""The losses assignment in-process: rubric -> checks -> runner -> score, with the reference, every
catalogued mistake, and the sample class's own code (trusted: we wrote it) in place of a student."""
import functools
import json

import numpy as np
import pytest

from assignment_harness import AssignmentHarness
from grader.checks import TrustedCode
from grader.result import Status
from reference import losses
from reference.mistakes import by_id

LOSSES = AssignmentHarness("losses")
HERE, RUBRIC, SUITE, EXPECTED = LOSSES.folder, LOSSES.rubric, LOSSES.suite, LOSSES.expected
NOT_APPLICABLE, CATALOGUED, APPLICABLE = LOSSES.not_applicable, LOSSES.catalogued, LOSSES.applicable
student, grade, grade_mistake = LOSSES.student, LOSSES.grade, LOSSES.grade_mistake
function_for, checks_of, sample_code = LOSSES.function_for, LOSSES.checks_of, LOSSES.sample_code
ADAPT = LOSSES.adapt_of


# --- the reference and the worked examples ----------------------------------------------------


def test_reference_solution_gets_full_marks():
    outcomes, result = grade(student())
    assert all(o.status is Status.PASSED for o in outcomes.values()), outcomes
    assert result.score == result.max_score == 25.0
    assert not result.errored


def test_worked_examples_agree_with_the_reference():
    for spec in SUITE:
        for case in spec.cases or ():
            arguments = {k: v for k, v in case.items() if k != "expected" and v is not None}
            got = spec.call_reference_as_student(spec.reference, (), arguments)
            if spec.function == "cross_entropy":  # (loss, dlogits): the part this check judges
                got = got[1] if spec.reference is losses.cross_entropy_grad else got[0]
            np.testing.assert_allclose(got, case["expected"], rtol=1e-12, atol=1e-12, err_msg=spec.id)


def test_cross_entropy_mistakes_play_a_student_whose_other_part_is_right():
    logits, y = np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([0, 0])
    right = losses.cross_entropy(logits, y), losses.cross_entropy_grad(logits, y)
    loss_mistake = by_id("cross_entropy.cross_entropy_sum_instead_of_mean").function
    grad_mistake = by_id("cross_entropy_grad.cross_entropy_grad_not_divided_by_n").function
    loss, grad = ADAPT["cross_entropy"](loss_mistake, logits, y)
    assert loss == pytest.approx(2 * right[0]) and np.allclose(grad, right[1])
    loss, grad = ADAPT["cross_entropy"](grad_mistake, logits, y)
    assert loss == pytest.approx(right[0]) and np.allclose(grad, 2 * right[1])


@pytest.mark.parametrize("function", ["sigmoid", "softmax", "log_softmax", "binary_cross_entropy_with_logits",
                                      "cross_entropy", "nll_loss", "focal_loss"])
def test_generated_logits_include_moderate_values_and_magnitudes_of_1e4(function):
    calls = LOSSES.generated_calls(function)
    magnitudes = [float(np.max(np.abs(args[0]))) for args, _ in calls]
    assert min(magnitudes) <= 5 and max(magnitudes) >= 1e4 - 5
    if function == "nll_loss":
        return  # log-probabilities: logits near 1e4 make moderate ones
    # close to each other and far from 0: where a softmax without the shift overflows
    assert any(np.ptp(args[0]) <= 10 and np.min(np.abs(args[0])) >= 1e4 - 5 for args, _ in calls)


@pytest.mark.parametrize("function", ["softmax", "log_softmax"])
def test_generated_softmax_cases_cover_the_default_axis_explicit_axes_and_batches(function):
    calls = LOSSES.generated_calls(function)
    axes = [kwargs.get("axis") for _, kwargs in calls]
    seen = {
        "default axis": any("axis" not in kwargs for _, kwargs in calls),
        "axis 0 of a batch": any(args[0].ndim >= 2 and kwargs.get("axis") in (0, -args[0].ndim)
                                 for args, kwargs in calls),
        "negative axis": any(a is not None and a < 0 for a in axes),
        "(N, K) with N > 1 along the classes": any(
            args[0].ndim == 2 and args[0].shape[0] > 1 and kwargs.get("axis", -1) in (1, -1)
            for args, kwargs in calls),
        "1-D and 3-D": {1, 3} <= {args[0].ndim for args, _ in calls},
    }
    assert all(seen.values()), [k for k, v in seen.items() if not v]


def test_generated_bce_cases_hold_predictions_of_exactly_0_and_1():
    calls = LOSSES.generated_calls("binary_cross_entropy")
    p = np.concatenate([args[0].ravel() for args, _ in calls])
    y = np.concatenate([args[1].ravel() for args, _ in calls])
    assert {0.0, 1.0} <= set(p) and ((p == 0) & (y == 1)).any() and ((p == 1) & (y == 0)).any()
    assert ((p == 0) & (y == 0)).any()  # certain and right: 0 * log(0) must not become nan


def test_generated_pos_weights_are_none_numbers_and_per_class_arrays():
    calls = LOSSES.generated_calls("binary_cross_entropy_with_logits")
    weights = [kwargs.get("pos_weight") for _, kwargs in calls]
    assert None in weights and any(isinstance(w, float) for w in weights)
    assert any(isinstance(w, np.ndarray) and args[0].ndim == 2 and w.shape == args[0].shape[-1:]
               for (args, _), w in zip(calls, weights))


def test_generated_cross_entropy_cases_cover_smoothing_batches_and_classes():
    calls = LOSSES.generated_calls("cross_entropy")
    smoothing = {kwargs.get("label_smoothing") for _, kwargs in calls}
    assert None in {kwargs.get("label_smoothing", None) for _, kwargs in calls} and {0.1, 0.2, 0.5} <= smoothing
    assert {2, 3} <= {args[0].shape[1] for args, _ in calls} and any(args[0].shape[0] > 1 for args, _ in calls)
    assert all(args[1].dtype.kind == "i" and args[1].shape == args[0].shape[:1] for args, _ in calls)


def test_generated_focal_cases_turn_the_weighting_off_and_vary_gamma():
    calls = LOSSES.generated_calls("focal_loss")
    assert any(kwargs.get("alpha", 0.25) < 0 for _, kwargs in calls)
    assert {0.0, 1.0} <= {kwargs.get("gamma") for _, kwargs in calls}
    assert any("alpha" not in kwargs and "gamma" not in kwargs for _, kwargs in calls)


# --- the catalog ----------------------------------------------------------------------------------


def test_every_not_applicable_mistake_is_a_catalogued_mistake_these_checks_cannot_tell():
    assert set(NOT_APPLICABLE) <= {m.id for m in CATALOGUED}
    for mistake_id in NOT_APPLICABLE:
        outcomes, _ = grade_mistake(by_id(mistake_id))
        assert all(o.status is Status.PASSED for o in outcomes.values()), (mistake_id, outcomes)


@pytest.mark.parametrize("mistake", APPLICABLE, ids=[m.id for m in APPLICABLE])
def test_catalogued_mistake_loses_points_and_is_named_on_the_item_it_affects(mistake):
    function = function_for(mistake)
    outcomes, _ = grade_mistake(mistake)
    # the first item (in the rubric's order) all of whose checks ran, with a failed check
    item = next((i for i in RUBRIC.items if set(i.checks) <= set(outcomes)
                 and any(outcomes[c].status is Status.FAILED for c in i.checks)), None)
    assert item is not None, f"{mistake.id} passes every check of {function}"
    first_failed = next(outcomes[c] for c in item.checks if outcomes[c].status is Status.FAILED)
    assert first_failed.misconception is not None, first_failed.message
    assert first_failed.misconception.id == mistake.id


def test_every_named_mistake_in_expected_is_catalogued_and_applicable():
    for stem, item, mistake_id in LOSSES.named_mistakes():
        assert by_id(mistake_id).id not in NOT_APPLICABLE, stem
        assert item in {i.id for i in RUBRIC.items}, stem


def test_an_unstable_softmax_fails_on_nan_and_is_named():
    outcomes, _ = grade_mistake(by_id("softmax.softmax_without_max_shift"))
    failed = outcomes["softmax.worked_examples"]
    assert failed.status is Status.FAILED and "NaN where a number was expected" in failed.message
    assert failed.misconception.id == "softmax.softmax_without_max_shift"


# --- the gradient: the consistent student and the gradient-only mistake ----------------------------


def test_consistent_student_and_gradient_only_mistake_get_different_diagnoses():
    only = checks_of("cross_entropy")
    consistent, _ = grade(sample_code("tariq_smoothing_over_other_classes_both"), only=only)
    gradient_only, _ = grade(sample_code("malik_gradient_not_divided_by_n"), only=only)
    message = consistent["cross_entropy.gradient"].message
    assert "your backward pass is the true gradient of your forward pass" in message
    assert "Fix cross_entropy first" in message
    assert "the mistake is in the backward pass" in gradient_only["cross_entropy.gradient"].message
    # the consistent gradient agrees with its own loss; the other does not
    assert consistent["cross_entropy.gradient_check"].status is Status.PASSED
    assert gradient_only["cross_entropy.gradient_check"].status is Status.FAILED
    assert gradient_only["cross_entropy.loss"].status is Status.PASSED


# --- the table of losses ------------------------------------------------------------------------


def test_the_table_asks_the_students_own_functions_not_the_reference():
    # every loss sums over the batch instead of averaging: all wrong, and consistently so
    functions = {name: functools.partial(ADAPT[name], LOSSES.reference_of[name]) for name in RUBRIC.functions}
    summed = by_id("cross_entropy.cross_entropy_sum_instead_of_mean").function
    functions.update(
        cross_entropy=functools.partial(ADAPT["cross_entropy"], summed),
        nll_loss=lambda log_probs, y: losses.nll_loss(log_probs, y, reduction="sum"),
        binary_cross_entropy=lambda p, y: losses.binary_cross_entropy(p, y, reduction="sum"),
        binary_cross_entropy_with_logits=lambda z, y, pos_weight=None: losses.binary_cross_entropy_with_logits(
            z, y, reduction="sum", pos_weight=pos_weight),
    )
    only = checks_of("cross_entropy") + checks_of("binary_cross_entropy_with_logits")
    outcomes, _ = grade(TrustedCode(functions), only=only)
    assert outcomes["cross_entropy.worked_examples"].status is Status.FAILED
    table = [c for c in outcomes if c.startswith("loss_table.")]
    assert len(table) == 3 and all(outcomes[c].status is Status.PASSED for c in table)


def test_a_failed_identity_states_both_sides_without_blaming_one():
    outcomes, _ = grade(sample_code("petra_nll_takes_log"), only=checks_of("cross_entropy"))
    message = outcomes["loss_table.cross_entropy_is_nll_of_log_softmax"].message
    assert "your functions disagree: cross_entropy(z, y)[0] = " in message
    assert "but nll_loss(log_softmax(z, axis=1), y) = nan" in message
    assert "is wrong" not in message and "The last call was cross_entropy(" in message


# --- arguments changed in place -----------------------------------------------------------------


def test_shifting_the_logits_in_place_fails_with_a_message_that_says_so():
    outcomes, _ = grade(sample_code("yusuf_shifts_logits_in_place"), only=checks_of("softmax"))
    assert outcomes["softmax.worked_examples"].message.startswith("softmax changed its argument z in place")


# --- the sample class --------------------------------------------------------------------------

CORRECT = LOSSES.correct


@pytest.mark.parametrize("stem", CORRECT)
def test_correct_sample_style_gets_full_marks(stem):
    outcomes, result = grade(sample_code(stem))
    assert result.score == result.max_score, {k: o.message for k, o in outcomes.items() if o.message}


def test_expected_outcomes_list_every_sample_and_samples_declare_the_assignment():
    stems = sorted(p.stem for p in (HERE / "samples").glob("*.ipynb"))
    assert stems == sorted(EXPECTED["samples"])
    assert len(CORRECT) >= 4
    assert len({m for _, _, m in LOSSES.named_mistakes()}) >= 8
    for path in [HERE / "student.ipynb", HERE / "solution.ipynb", *(HERE / "samples").glob("*.ipynb")]:
        declared = json.loads(path.read_text(encoding="utf-8"))["metadata"].get("cnngrade")
        if path.stem != "dana_logaddexp_fresh_notebook":  # pasted into a fresh notebook, deliberately
            assert declared == {"assignment": "losses"}, path.name

