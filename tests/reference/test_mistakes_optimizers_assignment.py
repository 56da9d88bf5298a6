"""The optimizer mistakes added with the optimizers assignment do what their docstrings say, shown
against the reference on runs where the answer is easy to see. (Their exhibits, signatures and
validation are tested with the other optimizer mistakes in test_mistakes_optim_metrics.py.)"""
import numpy as np
import pytest

from reference import optimizers as ref
from reference.mistakes import by_id
from reference.mistakes import optimizers as optimizer_mistakes

ADDED = [
    "sgd_step.sgd_step_momentum_buffer_not_kept",
    "sgd_step.sgd_step_lr_inside_buffer",
    "sgd_step.sgd_step_momentum_as_moving_average",
    "adam_step.adam_step_step_never_incremented",
    "adam_step.adam_step_bias_correction_only_once",
    "adam_step.adam_step_decoupled_weight_decay",
    "adamw_step.adamw_step_decay_not_scaled_by_lr",
    "step_lr.step_lr_decays_one_epoch_early",
    "cosine_annealing_lr.cosine_annealing_lr_epoch_off_by_one",
    "cosine_annealing_lr.cosine_annealing_lr_clamped_after_t_max",
    "linear_warmup.linear_warmup_reaches_base_one_epoch_early",
    "early_stopping.early_stopping_ties_improve",
    "early_stopping.early_stopping_epochs_counted_from_one",
]

_rng = np.random.default_rng(2031)
W0 = _rng.normal(size=(2, 3))
GRADS = [_rng.normal(size=(2, 3)) for _ in range(4)]


def run(step, lrs=(0.1,) * 4, grads=GRADS, **hyper):
    """(w after each step, the states) of ``step`` fed its own state, one lr per step."""
    w, state, ws, states = W0, None, [], []
    for lr, g in zip(lrs, grads):
        w, state = step(w, g, state, lr=lr, **hyper)
        ws.append(w)
        states.append(state)
    return ws, states


def test_every_added_mistake_is_in_the_catalog():
    ids = {m.id for m in optimizer_mistakes.MISTAKES}
    assert set(ADDED) <= ids


# --- first step right, later steps wrong -----------------------------------------------------------

TRAJECTORY = [
    ("sgd_step.sgd_step_momentum_buffer_not_kept", ref.sgd_step, dict(momentum=0.9)),
    ("adam_step.adam_step_step_never_incremented", ref.adam_step, {}),
    ("adam_step.adam_step_bias_correction_only_once", ref.adam_step, {}),
]


@pytest.mark.parametrize("mistake_id, reference, hyper", TRAJECTORY, ids=[t[0] for t in TRAJECTORY])
def test_trajectory_mistake_takes_the_first_step_right_and_the_second_wrong(mistake_id, reference, hyper):
    wrong, _ = run(by_id(mistake_id), **hyper)
    right, _ = run(reference, **hyper)
    np.testing.assert_allclose(wrong[0], right[0], rtol=1e-12)
    assert not np.allclose(wrong[1], right[1])


def test_a_buffer_not_kept_makes_every_step_plain_sgd():
    wrong, states = run(by_id("sgd_step.sgd_step_momentum_buffer_not_kept"), momentum=0.9)
    plain, _ = run(ref.sgd_step)
    np.testing.assert_allclose(wrong, plain, rtol=1e-12)
    np.testing.assert_array_equal(states[-1]["momentum_buffer"], GRADS[-1])  # the last gradient alone


def test_lr_inside_the_buffer_is_torchs_sgd_while_lr_is_constant_only():
    m = by_id("sgd_step.sgd_step_lr_inside_buffer")
    for hyper in (dict(momentum=0.9), dict(momentum=0.5, nesterov=True, weight_decay=0.1)):
        np.testing.assert_allclose(run(m, **hyper)[0], run(ref.sgd_step, **hyper)[0], rtol=1e-12)
    halving = (0.1, 0.05, 0.025, 0.0125)
    wrong, right = run(m, halving, momentum=0.9)[0], run(ref.sgd_step, halving, momentum=0.9)[0]
    np.testing.assert_allclose(wrong[0], right[0], rtol=1e-12)
    assert not np.allclose(wrong[1], right[1])


def test_momentum_as_a_moving_average_starts_with_a_step_1_minus_mu_times_too_short():
    m = by_id("sgd_step.sgd_step_momentum_as_moving_average")
    w, state = m(W0, GRADS[0], None, lr=0.1, momentum=0.9)
    np.testing.assert_allclose(W0 - w, 0.1 * 0.1 * GRADS[0], rtol=1e-12)
    np.testing.assert_allclose(state["momentum_buffer"], 0.1 * GRADS[0], rtol=1e-12)
    assert m(W0, GRADS[0], None, lr=0.1)[1] == ref.sgd_step(W0, GRADS[0], None, lr=0.1)[1] == {}


def test_a_step_count_never_incremented_stays_at_one_and_corrects_every_step_as_the_first():
    wrong, states = run(by_id("adam_step.adam_step_step_never_incremented"))
    assert [s["step"] for s in states] == [1, 1, 1, 1]
    t_is_one, _ = run(by_id("adam_step.adam_step_step_not_incremented"))  # t = 1, the count kept
    np.testing.assert_allclose(wrong, t_is_one, rtol=1e-12)


def test_bias_correction_only_once_leaves_later_steps_uncorrected():
    once = by_id("adam_step.adam_step_bias_correction_only_once")
    never = by_id("adam_step.adam_step_without_bias_correction")
    w1, state = ref.adam_step(W0, GRADS[0], None, lr=0.1)
    np.testing.assert_allclose(once(W0, GRADS[0], None, lr=0.1)[0], w1, rtol=1e-12)
    np.testing.assert_allclose(once(w1, GRADS[1], state, lr=0.1)[0], never(w1, GRADS[1], state, lr=0.1)[0],
                               rtol=1e-12)


# --- weight decay -------------------------------------------------------------------------------


def test_adam_with_decoupled_decay_is_adamw_and_the_same_without_decay():
    m = by_id("adam_step.adam_step_decoupled_weight_decay")
    np.testing.assert_allclose(run(m, weight_decay=0.3)[0], run(ref.adamw_step, weight_decay=0.3)[0], rtol=1e-12)
    np.testing.assert_allclose(run(m)[0], run(ref.adam_step)[0], rtol=1e-12)
    assert not np.allclose(run(m, weight_decay=0.3)[0][0], run(ref.adam_step, weight_decay=0.3)[0][0])


def test_decay_not_scaled_by_lr_decays_by_lambda_alone_and_is_right_at_lr_one():
    m = by_id("adamw_step.adamw_step_decay_not_scaled_by_lr")
    w, _ = m(W0, GRADS[0], None, lr=0.1, weight_decay=0.5)
    adam, _ = ref.adam_step(W0, GRADS[0], None, lr=0.1)
    np.testing.assert_allclose(w, W0 * 0.5 + (adam - W0), rtol=1e-12)
    np.testing.assert_allclose(m(W0, GRADS[0], None, lr=1.0, weight_decay=0.5)[0],
                               ref.adamw_step(W0, GRADS[0], None, lr=1.0, weight_decay=0.5)[0], rtol=1e-12)


# --- schedules ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mistake_id, reference, args", [
    ("step_lr.step_lr_decays_one_epoch_early", ref.step_lr, (3,)),
    ("cosine_annealing_lr.cosine_annealing_lr_epoch_off_by_one", ref.cosine_annealing_lr, (10, 0.01)),
], ids=["step_lr", "cosine"])
def test_an_epoch_counted_from_one_gives_the_rate_of_the_next_epoch(mistake_id, reference, args):
    m = by_id(mistake_id)
    for epoch in range(25):
        assert m(0.1, epoch, *args) == pytest.approx(reference(0.1, epoch + 1, *args), rel=1e-12)


def test_a_clamped_cosine_is_right_up_to_t_max_and_stays_at_eta_min_after():
    m = by_id("cosine_annealing_lr.cosine_annealing_lr_clamped_after_t_max")
    for epoch in range(11):
        assert m(0.1, epoch, 10, 0.01) == ref.cosine_annealing_lr(0.1, epoch, 10, 0.01)
    assert [m(0.1, e, 10, 0.01) for e in (11, 15, 20)] == [0.01, 0.01, 0.01]
    assert ref.cosine_annealing_lr(0.1, 20, 10, 0.01) == pytest.approx(0.1)


def test_a_warmup_one_epoch_early_is_e_plus_1_over_w_and_right_at_its_ends():
    m = by_id("linear_warmup.linear_warmup_reaches_base_one_epoch_early")
    assert [m(0.1, e, 5) for e in range(7)] == pytest.approx([0.02, 0.04, 0.06, 0.08, 0.1, 0.1, 0.1])
    for epoch in (0, 5, 9):
        assert m(0.1, epoch, 5) == pytest.approx(ref.linear_warmup(0.1, epoch, 5))
    assert all(m(0.1, e, 1) == ref.linear_warmup(0.1, e, 1) for e in range(3))


# --- early stopping -------------------------------------------------------------------------------


def test_ties_improve_only_where_the_history_has_ties():
    m = by_id("early_stopping.early_stopping_ties_improve")
    assert m([1.0, 0.5, 0.5, 0.5], 2).best_epoch == 3 != ref.early_stopping([1.0, 0.5, 0.5, 0.5], 2).best_epoch
    # 0.75 + 0.25 ties the best, 1.0: an improvement with <=, not with <
    assert m([1.0, 0.75], 1, min_delta=0.25).stop_epoch is None
    assert ref.early_stopping([1.0, 0.75], 1, min_delta=0.25).stop_epoch == 1
    distinct = [1.0, 0.8, 0.85, 0.9, 0.7]
    for patience in (1, 2, 3):
        assert m(distinct, patience) == ref.early_stopping(distinct, patience)
    assert m([0.5, 0.4, 0.6], 1, mode="max") == ref.early_stopping([0.5, 0.4, 0.6], 1, mode="max")


def test_epochs_counted_from_one_shift_both_epochs_and_keep_none():
    m = by_id("early_stopping.early_stopping_epochs_counted_from_one")
    found = m([1.0, 0.8, 0.85, 0.9, 0.7], 2)
    assert (found.best_epoch, found.stop_epoch, found.best_value) == (2, 4, 0.8)
    assert m([1.0, 0.9], 3).stop_epoch is None
    assert m([], 1).best_epoch is None
