"""Closed-form schedules agree with torch.optim.lr_scheduler; early stopping replays Keras."""
import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from reference import optimizers as opt

BASE_LRS = st.sampled_from([1.0, 0.1, 3e-4])
EPOCHS = st.integers(0, 40)


def _torch_lrs(make_scheduler, base_lr, n_epochs):
    """The learning rate torch uses in epochs 0 .. n_epochs."""
    p = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=base_lr)
    scheduler = make_scheduler(optimizer)
    lrs = [optimizer.param_groups[0]["lr"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n_epochs):
            optimizer.step()
            scheduler.step()
            lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


def _ours(schedule, base_lr, n_epochs, **kwargs):
    return [schedule(base_lr, epoch, **kwargs) for epoch in range(n_epochs + 1)]


@given(base_lr=BASE_LRS, n_epochs=EPOCHS, step_size=st.integers(1, 10),
       gamma=st.sampled_from([0.1, 0.5, 0.9]))
def test_step_lr_agrees_with_torch_steplr(base_lr, n_epochs, step_size, gamma):
    theirs = _torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size, gamma),
                        base_lr, n_epochs)
    ours = _ours(opt.step_lr, base_lr, n_epochs, step_size=step_size, gamma=gamma)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@given(base_lr=BASE_LRS, n_epochs=EPOCHS, gamma=st.sampled_from([0.5, 0.9, 0.99]))
def test_exponential_lr_agrees_with_torch_exponentiallr(base_lr, n_epochs, gamma):
    theirs = _torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma),
                        base_lr, n_epochs)
    ours = _ours(opt.exponential_lr, base_lr, n_epochs, gamma=gamma)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@given(base_lr=BASE_LRS, T_max=st.integers(1, 15), eta_min=st.sampled_from([0.0, 1e-5, 0.05]),
       periods=st.integers(1, 3))
def test_cosine_annealing_agrees_with_torch_within_and_beyond_t_max(base_lr, T_max, eta_min,
                                                                     periods):
    n_epochs = periods * T_max + 3
    theirs = _torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max, eta_min),
                        base_lr, n_epochs)
    ours = _ours(opt.cosine_annealing_lr, base_lr, n_epochs, T_max=T_max, eta_min=eta_min)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-15)


def test_cosine_annealing_reaches_eta_min_at_t_max_and_rises_after():
    assert opt.cosine_annealing_lr(0.1, 10, T_max=10, eta_min=0.01) == pytest.approx(0.01)
    assert opt.cosine_annealing_lr(0.1, 20, T_max=10, eta_min=0.01) == pytest.approx(0.1)
    assert opt.cosine_annealing_lr(0.1, 5, T_max=10) == pytest.approx(0.05)


@given(base_lr=BASE_LRS, n_epochs=EPOCHS, warmup=st.integers(1, 10),
       start_factor=st.sampled_from([None, 0.1, 0.5, 1.0]))
def test_linear_warmup_agrees_with_torch_linearlr(base_lr, n_epochs, warmup, start_factor):
    s = 1.0 / warmup if start_factor is None else start_factor
    theirs = _torch_lrs(lambda o: torch.optim.lr_scheduler.LinearLR(
        o, start_factor=s, end_factor=1.0, total_iters=warmup), base_lr, n_epochs)
    ours = _ours(opt.linear_warmup, base_lr, n_epochs, warmup_epochs=warmup,
                 start_factor=start_factor)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)


def test_linear_warmup_defaults_to_one_over_warmup_epochs():
    assert [opt.linear_warmup(1.0, e, 4) for e in range(6)] == pytest.approx(
        [0.25, 0.4375, 0.625, 0.8125, 1.0, 1.0])


BAD_SCHEDULE_ARGUMENTS = [
    ("negative-epoch", opt.step_lr, (0.1, -1, 5), ValueError, "epoch must be a non-negative int"),
    ("float-epoch", opt.exponential_lr, (0.1, 1.0, 0.9), TypeError, "epoch must be"),
    ("zero-step-size", opt.step_lr, (0.1, 3, 0), ValueError, "step_size must be a positive int"),
    ("negative-base-lr", opt.step_lr, (-0.1, 3, 2), ValueError, "base_lr"),
    ("negative-gamma", opt.exponential_lr, (0.1, 3, -0.5), ValueError, "gamma"),
    ("zero-t-max", opt.cosine_annealing_lr, (0.1, 3, 0), ValueError, "T_max"),
    ("negative-eta-min", opt.cosine_annealing_lr, (0.1, 3, 5, -1.0), ValueError, "eta_min"),
    ("zero-warmup", opt.linear_warmup, (0.1, 3, 0), ValueError, "warmup_epochs"),
    ("start-factor-zero", opt.linear_warmup, (0.1, 3, 5, 0.0), ValueError,
     r"start_factor must be a float in \(0, 1\]"),
    ("start-factor-above-one", opt.linear_warmup, (0.1, 3, 5, 1.5), ValueError, "start_factor"),
]


@pytest.mark.parametrize("schedule, args, error, match",
                         [pytest.param(*row[1:], id=row[0]) for row in BAD_SCHEDULE_ARGUMENTS])
def test_bad_schedule_arguments_are_named(schedule, args, error, match):
    with pytest.raises(error, match=match):
        schedule(*args)


# -- early stopping --------------------------------------------------------------------------


def _simulate_keras(history, patience, mode, min_delta):
    """Keras' EarlyStopping.on_epoch_end, transcribed."""
    better = (lambda a, b: a - min_delta > b) if mode == "max" else (lambda a, b: a + min_delta < b)
    best = -math.inf if mode == "max" else math.inf
    best_epoch, wait = None, 0
    for epoch, value in enumerate(history):
        wait += 1
        if better(value, best):
            best, best_epoch, wait = value, epoch, 0
            continue
        if wait >= patience:
            return epoch, best_epoch
    return None, best_epoch


@given(history=st.lists(st.sampled_from([0.5, 0.4, 0.45, 0.3, 0.31, 0.2, 0.6, math.nan]),
                        max_size=25),
       patience=st.integers(1, 5), mode=st.sampled_from(["min", "max"]),
       min_delta=st.sampled_from([0.0, 0.01, 0.1]))
def test_early_stopping_matches_a_keras_simulation(history, patience, mode, min_delta):
    result = opt.early_stopping(history, patience, mode=mode, min_delta=min_delta)
    assert (result.stop_epoch, result.best_epoch) == _simulate_keras(history, patience, mode,
                                                                     min_delta)
    if result.best_epoch is not None:
        assert result.best_value == history[result.best_epoch]


@pytest.mark.parametrize("history, patience, mode, min_delta, stop, best", [
    pytest.param([1.0, 0.8, 0.9, 0.85, 0.95], 3, "min", 0.0, 4, 1, id="three-epochs-without-gain"),
    pytest.param([1.0, 0.8, 0.9, 0.7, 0.95], 3, "min", 0.0, None, 3, id="gain-resets-patience"),
    pytest.param([1.0, 0.99, 0.98, 0.97], 2, "min", 0.05, 2, 0, id="gains-below-min-delta"),
    pytest.param([0.5, 0.7, 0.6, 0.65], 2, "max", 0.0, 3, 1, id="accuracy-mode-max"),
    pytest.param([0.5], 1, "min", 0.0, None, 0, id="single-epoch"),
    pytest.param([0.4, 0.3], 1, "min", 0.1, 1, 0, id="gain-equal-to-min-delta-in-float"),
    pytest.param([], 1, "min", 0.0, None, None, id="empty-history"),
    pytest.param([math.nan, math.nan], 2, "min", 0.0, 1, None, id="nan-never-improves"),
])
def test_early_stopping_hand_examples(history, patience, mode, min_delta, stop, best):
    result = opt.early_stopping(history, patience, mode=mode, min_delta=min_delta)
    assert (result.stop_epoch, result.best_epoch) == (stop, best)


def test_early_stopping_record_is_frozen():
    result = opt.early_stopping([1.0, 2.0], 1)
    with pytest.raises(AttributeError):
        result.stop_epoch = 5


@pytest.mark.parametrize("kwargs, error, match", [
    pytest.param(dict(patience=0), ValueError, "patience must be a positive int",
                 id="zero-patience"),
    pytest.param(dict(patience=2, mode="lowest"), ValueError,
                 r"mode must be one of \('min', 'max'\); got 'lowest'", id="unknown-mode"),
    pytest.param(dict(patience=2, min_delta=-0.1), ValueError, "min_delta",
                 id="negative-min-delta"),
])
def test_bad_early_stopping_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        opt.early_stopping([1.0, 0.5], **kwargs)


def test_early_stopping_history_must_be_a_sequence_of_numbers():
    with pytest.raises(ValueError, match="history must have 1 dimensions"):
        opt.early_stopping([[1.0, 0.5]], 2)
