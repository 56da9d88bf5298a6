"""The optimizers assignment in-process: rubric -> checks -> runner -> score, with the reference,
every catalogued mistake, and the sample class's own code (trusted: we wrote it) in place of a
student."""
import functools
import json
import math

import numpy as np
import pytest

from assignment_harness import AssignmentHarness
from grader.result import Status
from reference import optimizers
from reference.mistakes import by_id

OPTIMIZERS = AssignmentHarness("optimizers")
HERE, RUBRIC, SUITE, EXPECTED = OPTIMIZERS.folder, OPTIMIZERS.rubric, OPTIMIZERS.suite, OPTIMIZERS.expected
NOT_APPLICABLE, APPLICABLE = OPTIMIZERS.not_applicable, OPTIMIZERS.applicable
student, grade, grade_mistake = OPTIMIZERS.student, OPTIMIZERS.grade, OPTIMIZERS.grade_mistake
function_for, checks_of, sample_code = OPTIMIZERS.function_for, OPTIMIZERS.checks_of, OPTIMIZERS.sample_code
STEPS = ("sgd_step", "rmsprop_step", "adam_step", "adamw_step")


# --- the reference and the worked examples ----------------------------------------------------


def test_reference_solution_gets_full_marks():
    outcomes, result = grade(student())
    assert all(o.status is Status.PASSED for o in outcomes.values()), outcomes
    assert result.score == result.max_score == 18.0
    assert not result.errored


def test_worked_examples_agree_with_the_reference():
    for spec in SUITE:
        if not spec.id.endswith(("worked_examples", "edge_cases")):
            continue
        for case in spec.cases:
            arguments = {k: v for k, v in case.items() if k not in ("expected", "hyper") and v is not None}
            if spec.function in STEPS:
                got = spec.call_reference_as_student(spec.reference, (np.array([1.0, -2.0]), np.array([0.5, 0.25]), {}),
                                                     case["hyper"])[0]
            else:
                got = spec.call_reference_as_student(spec.reference, (), arguments)
            np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(case["expected"], dtype=float),
                                       rtol=1e-12, atol=1e-12, err_msg=spec.id)


@functools.lru_cache(maxsize=None)
def calls_of(function, check_id):
    return OPTIMIZERS.generated_calls(function, [check_id])


def test_trajectories_cover_what_the_issue_lists():
    sgd = [kw for _, kw in calls_of("sgd_step", "sgd_step.trajectories")]
    adam = [kw for _, kw in calls_of("adam_step", "adam_step.trajectories")]
    seen = {
        "runs start from {} and go on from the student's own state": all(
            any(args[2] == {} for args, _ in calls_of(f, f"{f}.trajectories")) and
            any(args[2] for args, _ in calls_of(f, f"{f}.trajectories")) for f in STEPS),
        "momentum and Nesterov": any(kw.get("momentum") for kw in sgd) and any(kw.get("nesterov") for kw in sgd),
        "momentum with weight decay": any(kw.get("momentum") and kw.get("weight_decay") for kw in sgd),
        "an lr that changes between steps": len({kw["lr"] for kw in sgd}) > 3,
        "Adam with weight decay and a large eps": any(kw.get("weight_decay") for kw in adam) and any(
            kw.get("eps", 0) >= 1e-3 for kw in adam),
        "Adam's defaults": any(not kw for kw in adam),
    }
    assert all(seen.values()), [k for k, v in seen.items() if not v]


def test_schedules_and_early_stopping_cover_what_the_issue_lists():
    cosine = calls_of("cosine_annealing_lr", "cosine_annealing_lr.matches_reference")
    warmup = calls_of("linear_warmup", "linear_warmup.matches_reference")
    stopping = [args for spec in ("early_stopping.matches_reference", "early_stopping.edge_cases")
                for args, _ in calls_of("early_stopping", spec)]
    seen = {
        "cosine at epoch 0": any(args[1] == 0 for args, _ in cosine),
        "cosine beyond T_max": any(args[1] > args[2] for args, _ in cosine),
        "warm-up at epoch 0 and past it": {True, False} <= {args[1] > args[2] for args, _ in warmup}
                                          and any(args[1] == 0 for args, _ in warmup),
        "early stopping with no epochs": any(args[0] == [] for args in stopping),
        "patience 0": any(args[1] == 0 for args in stopping),
        "ties": any(len(set(args[0])) < len(args[0]) for args in stopping),
        "runs that stop and runs that do not": {True, False} <= {
            optimizers.early_stopping(args[0], max(args[1], 1)).stop_epoch is None for args in stopping if args[0]},
    }
    assert all(seen.values()), [k for k, v in seen.items() if not v]


# --- the catalog ----------------------------------------------------------------------------------


def test_every_not_applicable_mistake_is_a_catalogued_mistake_the_checks_cannot_tell_apart():
    assert set(NOT_APPLICABLE) <= {m.id for m in OPTIMIZERS.catalogued}
    for mistake_id in NOT_APPLICABLE:
        outcomes, _ = grade_mistake(by_id(mistake_id))
        assert all(o.status is Status.PASSED for o in outcomes.values()), (mistake_id, outcomes)


@pytest.mark.parametrize("mistake", APPLICABLE, ids=[m.id for m in APPLICABLE])
def test_catalogued_mistake_loses_points_and_is_named_on_the_item_it_affects(mistake):
    outcomes, _ = grade_mistake(mistake)
    item = next((i for i in RUBRIC.items if set(i.checks) <= set(outcomes)
                 and any(outcomes[c].status is Status.FAILED for c in i.checks)), None)
    assert item is not None, f"{mistake.id} passes every check of {function_for(mistake)}"
    first_failed = next(outcomes[c] for c in item.checks if outcomes[c].status is Status.FAILED)
    assert first_failed.misconception is not None, first_failed.message
    assert first_failed.misconception.id == mistake.id


def always(hyper):
    return True


# The mistakes of a step that is right from {} and wrong once a state comes back; with the
# hyperparameters where their first step is right (a Nesterov step already reads the buffer).
TRAJECTORY_ONLY = {
    "sgd_step.sgd_step_weight_decay_after_momentum": lambda hyper: not hyper.get("nesterov"),
    "sgd_step.sgd_step_momentum_buffer_not_kept": always,
    "sgd_step.sgd_step_lr_inside_buffer": always,
    "adam_step.adam_step_step_not_incremented": always,
    "adam_step.adam_step_step_never_incremented": always,
    "adam_step.adam_step_bias_correction_only_once": always,
}


@pytest.mark.parametrize("mistake_id", TRAJECTORY_ONLY)
def test_a_trajectory_mistake_is_right_for_one_step_and_caught_and_named_over_several(mistake_id):
    mistake = by_id(mistake_id)
    function = function_for(mistake)
    adapt, reference = OPTIMIZERS.adapt_of[function], OPTIMIZERS.reference_of[function]
    # every first step of the generated runs, from {}: the mistake's w is the reference's
    first_steps = [(args, kw) for args, kw in calls_of(function, f"{function}.trajectories")
                   if args[2] == {} and TRAJECTORY_ONLY[mistake_id](kw)]
    assert len(first_steps) >= 10
    for args, kw in first_steps:
        np.testing.assert_allclose(adapt(mistake.function, *args, **kw)[0], adapt(reference, *args, **kw)[0],
                                   rtol=1e-12, atol=1e-15)
    outcomes, _ = grade_mistake(mistake)
    assert outcomes[f"{function}.worked_examples"].status is Status.PASSED  # single steps from {}
    caught = outcomes[f"{function}.trajectories"]
    assert caught.status is Status.FAILED
    assert caught.misconception is not None and caught.misconception.id == mistake_id
    assert "step 1 was right" in caught.message or "were right" in caught.message
    assert "To replay the run:" in caught.message


def test_every_other_step_mistake_shows_in_a_single_step_from_an_empty_state():
    for mistake in APPLICABLE:
        function = function_for(mistake)
        if function not in STEPS or mistake.id in TRAJECTORY_ONLY:
            continue
        adapt, reference = OPTIMIZERS.adapt_of[function], OPTIMIZERS.reference_of[function]
        first_steps = [(args, kw) for args, kw in calls_of(function, f"{function}.trajectories") if args[2] == {}]
        assert any(not np.allclose(adapt(mistake.function, *args, **kw)[0], adapt(reference, *args, **kw)[0],
                                   rtol=1e-9, atol=1e-12) for args, kw in first_steps), mistake.id


# --- the loss curves ------------------------------------------------------------------------------


def test_a_wrong_optimizer_fails_the_training_item_with_both_loss_curves():
    outcomes, _ = grade_mistake(by_id("adam_step.adam_step_without_bias_correction"),
                                only=["adam_step.trains_logistic_regression"])
    outcome = outcomes["adam_step.trains_logistic_regression"]
    assert outcome.status is Status.FAILED
    assert "your weights leave the reference's at step 1" in outcome.message
    assert outcome.message.startswith("adam_step(array([0., 0., 0.])")  # the call of that step
    figure = outcome.figure
    assert figure["kind"] == "curves" and figure["x_label"] == "step" and figure["y_label"] == "loss"
    assert [s["label"] for s in figure["series"]] == ["yours", "reference"]
    yours, reference = (s["y"] for s in figure["series"])
    assert len(yours) == len(reference) == 26 and yours[0] == reference[0] == pytest.approx(math.log(2))
    assert yours != reference


def diverging_rmsprop(at_step):
    """The reference's RMSprop, whose w becomes inf at step ``at_step`` and nan after it."""

    def rmsprop(param, grad, state=None, **hyper):
        state = state or {}
        count = state.get("count", 0) + 1
        w, inner = optimizers.rmsprop_step(param, grad, state.get("inner"), **hyper)
        if count >= at_step:
            w = w * (np.inf if count == at_step else np.nan)
        return w, {"count": count, "inner": inner}

    return rmsprop


def test_a_diverging_curve_is_drawn_with_gaps_and_fails_without_a_grader_error():
    outcomes, _ = grade(student(rmsprop_step=diverging_rmsprop(at_step=5)),
                        only=["rmsprop_step.trains_logistic_regression"])
    outcome = outcomes["rmsprop_step.trains_logistic_regression"]
    assert outcome.status is Status.FAILED
    assert "at step 5" in outcome.message
    yours = outcome.figure["series"][0]["y"]
    assert all(v is not None for v in yours[:5]) and all(v is None for v in yours[5:])
    json.dumps(outcome.figure, allow_nan=False)  # plain data for result.json


def test_a_step_that_returns_no_state_is_told_what_was_expected():
    def sgd_without_state(param, grad, state=None, *, lr, **hyper):
        return optimizers.sgd_step(param, grad, state, lr=lr, **hyper)[0]

    outcomes, _ = grade(student(sgd_step=sgd_without_state),
                        only=["sgd_step.worked_examples", "sgd_step.trains_logistic_regression"])
    for outcome in outcomes.values():
        assert outcome.status is Status.FAILED
        assert "expected a tuple (w, state), got ndarray" in outcome.message


# --- arguments changed in place, and the state -----------------------------------------------------


def test_w_and_the_state_may_change_in_place_but_dw_may_not():
    outcomes, _ = grade(sample_code("bruno_in_place"))
    assert all(o.status is Status.PASSED for o in outcomes.values())
    outcomes, _ = grade(sample_code("vera_gradient_changed_in_place"), only=checks_of("sgd_step"))
    message = outcomes["sgd_step.worked_examples"].message
    assert message.startswith("sgd_step changed its argument dw in place")


@pytest.mark.parametrize("stem", ["chen_state_dict_like_torch", "dana_own_state_names"])
def test_the_state_is_the_students_own_whatever_its_form(stem):
    outcomes, result = grade(sample_code(stem))
    assert result.score == result.max_score, {k: o.message for k, o in outcomes.items() if o.message}


def test_the_checks_feed_back_the_returned_state_unchanged():
    seen = []

    def adam_with_more_state(param, grad, state=None, **hyper):
        """The reference's Adam, keeping a nested record of its own beside torch's state."""
        state = state or {}
        seen.append(state)
        mine = state.get("mine", {"calls": 0})
        w, inner = optimizers.adam_step(param, grad, {k: v for k, v in state.items() if k != "mine"}, **hyper)
        return w, {**inner, "mine": {"calls": mine["calls"] + 1, "nested": [1, (2, None)]}}

    outcomes, _ = grade(student(adam_step=adam_with_more_state), only=checks_of("adam_step"))
    assert all(o.status is Status.PASSED for o in outcomes.values())
    later = [s for s in seen if s]
    assert later and all(s["mine"]["nested"] == [1, (2, None)] for s in later)
    assert max(s["mine"]["calls"] for s in later) >= 4


# --- the sample class --------------------------------------------------------------------------

CORRECT = OPTIMIZERS.correct


@pytest.mark.parametrize("stem", CORRECT)
def test_correct_sample_style_gets_full_marks(stem):
    outcomes, result = grade(sample_code(stem))
    assert result.score == result.max_score, {k: o.message for k, o in outcomes.items() if o.message}


def test_expected_outcomes_list_every_sample_and_samples_declare_the_assignment():
    stems = sorted(p.stem for p in (HERE / "samples").glob("*.ipynb"))
    assert stems == sorted(EXPECTED["samples"])
    assert len(CORRECT) >= 4
    named = {m for e in EXPECTED["samples"].values() for m in (e.get("named") or {}).values()}
    assert len(named) >= 8
    for path in [HERE / "student.ipynb", HERE / "solution.ipynb", *(HERE / "samples").glob("*.ipynb")]:
        declared = json.loads(path.read_text(encoding="utf-8"))["metadata"].get("cnngrade")
        if path.stem != "dana_own_state_names":  # pasted into a fresh notebook, deliberately
            assert declared == {"assignment": "optimizers"}, path.name


def test_every_named_mistake_in_expected_is_catalogued_and_applicable():
    for stem, item, mistake_id in OPTIMIZERS.named_mistakes():
        assert by_id(mistake_id).id not in NOT_APPLICABLE, stem
        assert item in {i.id for i in RUBRIC.items}, stem

