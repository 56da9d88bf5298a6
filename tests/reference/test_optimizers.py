"""The optimizer steps follow torch.optim trajectories (float64) step by step."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from reference import optimizers as opt

SEEDS = st.integers(0, 2**32 - 1)
STEPS = st.integers(1, 6)
RATES = st.sampled_from([1e-3, 0.01, 0.1, 0.5])
DECAYS = st.sampled_from([0.0, 0.0, 1e-2, 0.3])
FLAGS = st.booleans()


def _trajectories(torch_cls, our_step, hparams, seed, n_steps):
    """Run both optimizers on the same parameter and gradient sequence."""
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 4, size=rng.integers(1, 3)))
    start = rng.normal(size=shape)
    grads = [rng.normal(size=shape) * rng.choice([0.01, 1.0, 10.0]) for _ in range(n_steps)]

    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    torch_opt = torch_cls([p], **hparams)
    ours, state = start.copy(), None
    theirs_traj, ours_traj = [], []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        torch_opt.step()
        theirs_traj.append(p.detach().numpy().copy())
        ours, state = our_step(ours, g, state, **hparams)
        ours_traj.append(ours)
    return np.array(ours_traj), np.array(theirs_traj), state, torch_opt.state[p]


def _assert_same_trajectory(ours, theirs):
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def _assert_same_state(our_state, torch_state, keys):
    for key in keys:
        expected = torch_state[key]
        expected = expected.item() if key == "step" else expected.numpy()
        np.testing.assert_allclose(our_state[key], expected, rtol=1e-10, atol=1e-14,
                                   err_msg=key)


@given(seed=SEEDS, n_steps=STEPS, lr=RATES, momentum=st.sampled_from([0.0, 0.5, 0.9]),
       dampening=st.sampled_from([0.0, 0.0, 0.3]), weight_decay=DECAYS, nesterov=FLAGS,
       maximize=FLAGS)
def test_sgd_follows_torch(seed, n_steps, lr, momentum, dampening, weight_decay, nesterov,
                           maximize):
    if nesterov and (momentum == 0 or dampening != 0):
        nesterov = False
    hp = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
              nesterov=nesterov, maximize=maximize)
    ours, theirs, state, tstate = _trajectories(torch.optim.SGD, opt.sgd_step, hp, seed, n_steps)
    _assert_same_trajectory(ours, theirs)
    _assert_same_state(state, tstate, ["momentum_buffer"] if momentum else [])


@pytest.mark.parametrize("torch_cls, our_step", [
    pytest.param(torch.optim.Adam, opt.adam_step, id="adam"),
    pytest.param(torch.optim.AdamW, opt.adamw_step, id="adamw"),
])
@given(seed=SEEDS, n_steps=STEPS, lr=RATES, beta1=st.sampled_from([0.0, 0.5, 0.9]),
       beta2=st.sampled_from([0.9, 0.999]), eps=st.sampled_from([1e-8, 1e-3]),
       weight_decay=DECAYS, amsgrad=FLAGS, maximize=FLAGS)
def test_adam_family_follows_torch(torch_cls, our_step, seed, n_steps, lr, beta1, beta2, eps,
                                   weight_decay, amsgrad, maximize):
    hp = dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
              maximize=maximize)
    ours, theirs, state, tstate = _trajectories(torch_cls, our_step, hp, seed, n_steps)
    _assert_same_trajectory(ours, theirs)
    keys = ["step", "exp_avg", "exp_avg_sq"] + (["max_exp_avg_sq"] if amsgrad else [])
    _assert_same_state(state, tstate, keys)


@given(seed=SEEDS, n_steps=STEPS, lr=RATES, alpha=st.sampled_from([0.5, 0.9, 0.99]),
       eps=st.sampled_from([1e-8, 1e-3]), weight_decay=DECAYS,
       momentum=st.sampled_from([0.0, 0.5, 0.9]), centered=FLAGS, maximize=FLAGS)
def test_rmsprop_follows_torch(seed, n_steps, lr, alpha, eps, weight_decay, momentum, centered,
                               maximize):
    hp = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
              centered=centered, maximize=maximize)
    ours, theirs, state, tstate = _trajectories(torch.optim.RMSprop, opt.rmsprop_step, hp, seed,
                                                n_steps)
    _assert_same_trajectory(ours, theirs)
    keys = ["step", "square_avg"] + (["momentum_buffer"] if momentum else [])
    _assert_same_state(state, tstate, keys + (["grad_avg"] if centered else []))


@given(seed=SEEDS, n_steps=STEPS, lr=RATES, lr_decay=st.sampled_from([0.0, 0.1]),
       weight_decay=DECAYS, initial=st.sampled_from([0.0, 0.1, 1.0]),
       eps=st.sampled_from([1e-10, 1e-3]), maximize=FLAGS)
def test_adagrad_follows_torch(seed, n_steps, lr, lr_decay, weight_decay, initial, eps,
                               maximize):
    hp = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
              initial_accumulator_value=initial, eps=eps, maximize=maximize)
    ours, theirs, state, tstate = _trajectories(torch.optim.Adagrad, opt.adagrad_step, hp, seed,
                                                n_steps)
    _assert_same_trajectory(ours, theirs)
    _assert_same_state(state, tstate, ["step", "sum"])


@given(seed=SEEDS, n_steps=STEPS, lr=RATES, momentum=st.sampled_from([0.0, 0.5, 0.9]))
def test_classical_momentum_is_torch_sgd_with_buffer_scaled_by_minus_lr(seed, n_steps, lr,
                                                                        momentum):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=3)
    p = torch.tensor(theta, requires_grad=True)
    torch_opt = torch.optim.SGD([p], lr=lr, momentum=momentum, dampening=0)
    state = None
    for _ in range(n_steps):
        g = rng.normal(size=3)
        p.grad = torch.tensor(g)
        torch_opt.step()
        theta, state = opt.classical_momentum_step(theta, g, state, lr=lr, momentum=momentum)
        np.testing.assert_allclose(theta, p.detach().numpy(), rtol=1e-10, atol=1e-12)
        if momentum:
            buffer = torch_opt.state[p]["momentum_buffer"].numpy()
            np.testing.assert_allclose(state["velocity"], -lr * buffer, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("step, state_key", [
    pytest.param(lambda p, g, s: opt.sgd_step(p, g, s, momentum=0.9), "momentum_buffer", id="sgd"),
    pytest.param(lambda p, g, s: opt.adam_step(p, g, s, amsgrad=True), "exp_avg", id="adam"),
    pytest.param(lambda p, g, s: opt.rmsprop_step(p, g, s, momentum=0.5, centered=True),
                 "grad_avg", id="rmsprop"),
    pytest.param(opt.adagrad_step, "sum", id="adagrad"),
    pytest.param(opt.classical_momentum_step, "velocity", id="classical-momentum"),
])
def test_steps_never_mutate_their_inputs(step, state_key):
    param, grad = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    _, state = step(param, grad, None)
    snapshot = {k: np.array(v, copy=True) for k, v in state.items()}
    step(param, grad, state)
    np.testing.assert_array_equal(param, [1.0, -2.0])
    np.testing.assert_array_equal(grad, [0.5, 0.25])
    for key, value in snapshot.items():
        np.testing.assert_array_equal(state[key], value)
    assert state_key in state


def test_state_from_torch_tensors_is_accepted():
    p, g = np.ones(2), np.full(2, 0.5)
    _, state = opt.adam_step(p, g)
    torch_like = {k: torch.tensor(v, dtype=torch.float64) for k, v in state.items()}
    np.testing.assert_allclose(opt.adam_step(p, g, torch_like)[0], opt.adam_step(p, g, state)[0])


def test_sgd_without_momentum_keeps_no_buffer():
    new, state = opt.sgd_step(np.array([1.0]), np.array([2.0]), {}, lr=0.1)
    np.testing.assert_allclose(new, [0.8])
    assert state == {}


BAD_ARGUMENTS = [
    ("lr-negative", opt.sgd_step, dict(lr=-0.1), ValueError, "lr must be a non-negative float"),
    ("lr-not-a-number", opt.sgd_step, dict(lr="0.1"), TypeError, "lr must be"),
    ("lr-bool", opt.adam_step, dict(lr=True), TypeError, "lr must be"),
    ("lr-nan", opt.adam_step, dict(lr=float("nan")), ValueError, "lr must be"),
    ("momentum-negative", opt.sgd_step, dict(momentum=-1.0), ValueError, "momentum"),
    ("nesterov-without-momentum", opt.sgd_step, dict(nesterov=True), ValueError,
     "nesterov=True requires momentum > 0"),
    ("nesterov-with-dampening", opt.sgd_step, dict(nesterov=True, momentum=0.9, dampening=0.1),
     ValueError, "dampening == 0"),
    ("nesterov-not-bool", opt.sgd_step, dict(nesterov=1), TypeError, "nesterov must be a bool"),
    ("betas-not-a-pair", opt.adam_step, dict(betas=0.9), TypeError, "betas must be a pair"),
    ("beta1-is-one", opt.adam_step, dict(betas=(1.0, 0.999)), ValueError, r"betas\[0\]"),
    ("beta2-negative", opt.adamw_step, dict(betas=(0.9, -0.1)), ValueError, r"betas\[1\]"),
    ("eps-negative", opt.rmsprop_step, dict(eps=-1e-8), ValueError, "eps"),
    ("alpha-negative", opt.rmsprop_step, dict(alpha=-0.5), ValueError, "alpha"),
    ("lr-decay-negative", opt.adagrad_step, dict(lr_decay=-0.1), ValueError, "lr_decay"),
    ("accumulator-negative", opt.adagrad_step, dict(initial_accumulator_value=-1.0), ValueError,
     "initial_accumulator_value"),
    ("weight-decay-negative", opt.adagrad_step, dict(weight_decay=-1.0), ValueError,
     "weight_decay"),
]


@pytest.mark.parametrize("step, kwargs, error, match",
                         [pytest.param(*row[1:], id=row[0]) for row in BAD_ARGUMENTS])
def test_bad_hyperparameters_are_named(step, kwargs, error, match):
    with pytest.raises(error, match=match):
        step(np.ones(2), np.ones(2), None, **kwargs)


def test_grad_of_another_shape_is_refused():
    with pytest.raises(ValueError,
                       match=r"grad must have the shape of param \(2,\), got shape \(3,\)"):
        opt.sgd_step(np.ones(2), np.ones(3))


def test_state_that_is_not_a_dict_is_refused():
    with pytest.raises(TypeError, match="state must be None or a dict"):
        opt.adam_step(np.ones(2), np.ones(2), [1, 2])


def test_state_buffer_of_another_shape_is_refused():
    with pytest.raises(ValueError, match=r"state\['exp_avg'\] must have the shape of param"):
        opt.adam_step(np.ones(2), np.ones(2), {"step": 1, "exp_avg": np.ones(3)})


@pytest.mark.parametrize("step", [pytest.param(-1, id="negative"),
                                  pytest.param(1.5, id="fraction")])
def test_bad_step_count_is_refused(step):
    with pytest.raises((TypeError, ValueError),
                       match=r"state\['step'\] must be a non-negative int"):
        opt.adagrad_step(np.ones(2), np.ones(2), {"step": step})


def test_public_names_are_exactly_those_in___all__():
    public = {name for name, value in vars(opt).items()
              if not name.startswith("_") and getattr(value, "__module__", None) == opt.__name__}
    assert public == set(opt.__all__)


def test_reference_optimizers_and_metrics_import_neither_torch_nor_sklearn():
    code = ("import sys, reference.optimizers, reference.metrics, reference.mistakes.optimizers, "
            "reference.mistakes.metrics; "
            "print(sorted(m for m in ('torch', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"
