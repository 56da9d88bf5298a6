"""Optimizer updates, learning-rate schedules and early stopping, as pure functions.

Every optimizer is ``step(param, grad, state=None, **hparams) -> (new_param, new_state)``
with the semantics and defaults of the ``torch.optim`` class of the same name (the maths of
its ``_single_tensor_*`` function). ``state`` is ``None`` or ``{}`` before the first step, and
afterwards the dict the previous call returned; inputs are never mutated. Schedules are closed
forms of ``(base_lr, epoch, ...)`` that agree with ``torch.optim.lr_scheduler`` stepped
``epoch`` times.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from reference._validation import as_float64, nonnegative_int, one_of, positive_int

__all__ = [
    "EarlyStopping",
    "adagrad_step",
    "adam_step",
    "adamw_step",
    "classical_momentum_step",
    "cosine_annealing_lr",
    "early_stopping",
    "exponential_lr",
    "linear_warmup",
    "rmsprop_step",
    "sgd_step",
    "step_lr",
]


# -- validation ------------------------------------------------------------------------------


def _real(value, name: str, *, low: float = 0.0, high: float | None = None,
          high_open: bool = False, what: str = "a non-negative float") -> float:
    """A real number in [low, high] (or [low, high) with ``high_open``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {what}, got {value!r} (type={type(value).__name__})")
    value = float(value)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not math.isfinite(value) or value < low or too_high:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return value


def _flag(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {value!r} (type={type(value).__name__})")
    return bool(value)


def _betas(betas) -> tuple[float, float]:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair of floats in [0, 1), got {betas!r}")
    return tuple(_real(b, f"betas[{i}]", high=1.0, high_open=True, what="a float in [0, 1)")
                 for i, b in enumerate(betas))


def _param_and_grad(param, grad) -> tuple[np.ndarray, np.ndarray]:
    p = as_float64(param, "param")
    g = as_float64(grad, "grad")
    if p.shape != g.shape:
        raise ValueError(f"grad must have the shape of param {p.shape}, got shape {g.shape}")
    return p, g


def _state(state) -> Mapping:
    if state is None:
        return {}
    if not isinstance(state, Mapping):
        raise TypeError(
            f"state must be None or a dict, got {state!r} (type={type(state).__name__})")
    return state


def _buffer(state: Mapping, key: str, shape: tuple, fill: float = 0.0) -> np.ndarray | None:
    """A float64 copy of ``state[key]`` (``fill`` when absent), checked against ``shape``."""
    if state.get(key) is None:
        return np.full(shape, fill, dtype=np.float64)
    buf = as_float64(state[key], f"state[{key!r}]")
    if buf.shape != shape:
        raise ValueError(f"state[{key!r}] must have the shape of param {shape}, got {buf.shape}")
    return buf


def _step_count(state: Mapping) -> int:
    """``state['step']``; torch keeps it as a float tensor, so integral floats are accepted."""
    step = state.get("step", 0)
    if hasattr(step, "item"):
        step = step.item()
    if isinstance(step, float) and step.is_integer():
        step = int(step)
    return nonnegative_int(step, "state['step']")


# -- optimizers ------------------------------------------------------------------------------


def sgd_step(param, grad, state=None, *, lr=1e-3, momentum=0.0, dampening=0.0,
             weight_decay=0.0, nesterov=False, maximize=False):
    """One step of ``torch.optim.SGD`` (same defaults).

    g ← ±grad + λθ;  b ← g on the first step, else μb + (1 − τ)g;
    d ← g + μb if nesterov else b (d = g when μ = 0);  θ ← θ − η d.
    State: ``momentum_buffer`` (only when μ ≠ 0).
    """
    lr = _real(lr, "lr")
    momentum = _real(momentum, "momentum")
    dampening = _real(dampening, "dampening", what="a finite float", low=-math.inf)
    weight_decay = _real(weight_decay, "weight_decay")
    nesterov, maximize = _flag(nesterov, "nesterov"), _flag(maximize, "maximize")
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError(
            f"nesterov=True requires momentum > 0 and dampening == 0, "
            f"got momentum={momentum!r}, dampening={dampening!r}")
    p, g = _param_and_grad(param, grad)
    state = _state(state)
    g = -g if maximize else g
    if weight_decay != 0:
        g = g + weight_decay * p
    new_state = {}
    if momentum != 0:
        if state.get("momentum_buffer") is None:
            buf = g.copy()
        else:
            buf = momentum * _buffer(state, "momentum_buffer", p.shape) + (1 - dampening) * g
        new_state["momentum_buffer"] = buf
        g = g + momentum * buf if nesterov else buf
    return p - lr * g, new_state


def classical_momentum_step(param, grad, state=None, *, lr=1e-3, momentum=0.9):
    """The momentum update of many course notes: v ← μv − ηg;  θ ← θ + v.

    With a constant η it equals ``torch.optim.SGD(momentum=μ, dampening=0)``: by induction
    v = −η·b where b is torch's ``momentum_buffer`` (v₀ = 0 gives v₁ = −ηg₁ = −ηb₁).
    State: ``velocity``.
    """
    lr = _real(lr, "lr")
    momentum = _real(momentum, "momentum")
    p, g = _param_and_grad(param, grad)
    velocity = momentum * _buffer(_state(state), "velocity", p.shape) - lr * g
    return p + velocity, {"velocity": velocity}


def _adam(param, grad, state, lr, betas, eps, weight_decay, amsgrad, maximize, decoupled):
    lr = _real(lr, "lr")
    beta1, beta2 = _betas(betas)
    eps = _real(eps, "eps")
    weight_decay = _real(weight_decay, "weight_decay")
    amsgrad, maximize = _flag(amsgrad, "amsgrad"), _flag(maximize, "maximize")
    p, g = _param_and_grad(param, grad)
    state = _state(state)
    step = _step_count(state) + 1
    g = -g if maximize else g
    if weight_decay != 0:
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
    m = _buffer(state, "exp_avg", p.shape)
    v = _buffer(state, "exp_avg_sq", p.shape)
    m = m + (1 - beta1) * (g - m)
    v = beta2 * v + (1 - beta2) * g * g
    new_state = {"step": step, "exp_avg": m, "exp_avg_sq": v}
    if amsgrad:
        v = np.maximum(_buffer(state, "max_exp_avg_sq", p.shape), v)
        new_state["max_exp_avg_sq"] = v
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    denom = np.sqrt(v) / math.sqrt(bias_correction2) + eps
    return p - (lr / bias_correction1) * m / denom, new_state


def adam_step(param, grad, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
              weight_decay=0.0, amsgrad=False, maximize=False):
    """One step of ``torch.optim.Adam`` (Kingma & Ba, 2015; same defaults).

    t ← t + 1;  g ← ±grad + λθ;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;
    v̂ ← max(v̂, v) with amsgrad, else v;  θ ← θ − η/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε).
    State: ``step``, ``exp_avg``, ``exp_avg_sq`` (and ``max_exp_avg_sq`` with amsgrad).
    """
    return _adam(param, grad, state, lr, betas, eps, weight_decay, amsgrad, maximize,
                 decoupled=False)


def adamw_step(param, grad, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
               weight_decay=1e-2, amsgrad=False, maximize=False):
    """One step of ``torch.optim.AdamW`` (Loshchilov & Hutter, 2019; same defaults).

    As :func:`adam_step` without λθ in the gradient; instead the weights decay first,
    θ ← θ(1 − ηλ), decoupled from the adaptive scaling.
    """
    return _adam(param, grad, state, lr, betas, eps, weight_decay, amsgrad, maximize,
                 decoupled=True)


def rmsprop_step(param, grad, state=None, *, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
                 momentum=0.0, centered=False, maximize=False):
    """One step of ``torch.optim.RMSprop`` (same defaults).

    g ← ±grad + λθ;  s ← αs + (1 − α)g²;
    with centered: ḡ ← αḡ + (1 − α)g and s̃ = s − ḡ², else s̃ = s;
    d = g / (√s̃ + ε);  with μ > 0: b ← μb + d, θ ← θ − ηb; else θ ← θ − ηd.
    State: ``step``, ``square_avg`` (and ``momentum_buffer``, ``grad_avg`` when used).
    """
    lr = _real(lr, "lr")
    alpha = _real(alpha, "alpha")
    eps = _real(eps, "eps")
    weight_decay = _real(weight_decay, "weight_decay")
    momentum = _real(momentum, "momentum")
    centered, maximize = _flag(centered, "centered"), _flag(maximize, "maximize")
    p, g = _param_and_grad(param, grad)
    state = _state(state)
    g = -g if maximize else g
    if weight_decay != 0:
        g = g + weight_decay * p
    square_avg = alpha * _buffer(state, "square_avg", p.shape) + (1 - alpha) * g * g
    new_state = {"step": _step_count(state) + 1, "square_avg": square_avg}
    if centered:
        grad_avg = _buffer(state, "grad_avg", p.shape)
        grad_avg = grad_avg + (1 - alpha) * (g - grad_avg)
        new_state["grad_avg"] = grad_avg
        avg = np.sqrt(square_avg - grad_avg * grad_avg) + eps
    else:
        avg = np.sqrt(square_avg) + eps
    if momentum > 0:
        buf = momentum * _buffer(state, "momentum_buffer", p.shape) + g / avg
        new_state["momentum_buffer"] = buf
        return p - lr * buf, new_state
    return p - lr * g / avg, new_state


def adagrad_step(param, grad, state=None, *, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10, maximize=False):
    """One step of ``torch.optim.Adagrad`` (Duchi et al., 2011; same defaults).

    t ← t + 1;  g ← ±grad + λθ;  η_t = η / (1 + (t − 1)·lr_decay);  S ← S + g²
    (S starts at ``initial_accumulator_value``);  θ ← θ − η_t g / (√S + ε).
    State: ``step``, ``sum``.
    """
    lr = _real(lr, "lr")
    lr_decay = _real(lr_decay, "lr_decay")
    weight_decay = _real(weight_decay, "weight_decay")
    initial = _real(initial_accumulator_value, "initial_accumulator_value")
    eps = _real(eps, "eps")
    maximize = _flag(maximize, "maximize")
    p, g = _param_and_grad(param, grad)
    state = _state(state)
    step = _step_count(state) + 1
    g = -g if maximize else g
    if weight_decay != 0:
        g = g + weight_decay * p
    clr = lr / (1 + (step - 1) * lr_decay)
    total = _buffer(state, "sum", p.shape, fill=initial) + g * g
    return p - clr * g / (np.sqrt(total) + eps), {"step": step, "sum": total}


# -- learning-rate schedules -----------------------------------------------------------------


def step_lr(base_lr, epoch, step_size, gamma=0.1):
    """η_e = η₀ · γ^⌊e / step_size⌋; agrees with ``lr_scheduler.StepLR(step_size, gamma)``."""
    base_lr = _real(base_lr, "base_lr")
    epoch = nonnegative_int(epoch, "epoch")
    step_size = positive_int(step_size, "step_size")
    gamma = _real(gamma, "gamma")
    return base_lr * gamma ** (epoch // step_size)


def exponential_lr(base_lr, epoch, gamma):
    """η_e = η₀ · γ^e; agrees with ``lr_scheduler.ExponentialLR(gamma)``."""
    base_lr = _real(base_lr, "base_lr")
    epoch = nonnegative_int(epoch, "epoch")
    gamma = _real(gamma, "gamma")
    return base_lr * gamma**epoch


def cosine_annealing_lr(base_lr, epoch, T_max, eta_min=0.0):
    """η_e = η_min + (η₀ − η_min)(1 + cos(π e / T_max)) / 2 (SGDR without restarts).

    Agrees with ``lr_scheduler.CosineAnnealingLR(T_max, eta_min)``. Torch updates the rate
    recursively from the previous one; its recursion is exact algebra for the same cosine, so
    the two agree to float rounding (relative 1e-9) for every epoch, including e > T_max where
    both rise again with period 2·T_max (no restart, no clamping at η_min).
    """
    base_lr = _real(base_lr, "base_lr")
    epoch = nonnegative_int(epoch, "epoch")
    T_max = positive_int(T_max, "T_max")
    eta_min = _real(eta_min, "eta_min")
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * epoch / T_max)) / 2


def linear_warmup(base_lr, epoch, warmup_epochs, start_factor=None):
    """η_e = η₀ · (s + (1 − s) · min(e, W) / W), with s = ``start_factor`` (default 1/W).

    Agrees with ``lr_scheduler.LinearLR(start_factor=s, end_factor=1.0, total_iters=W)``:
    epoch 0 uses η₀·s and every epoch from W on uses η₀.
    """
    base_lr = _real(base_lr, "base_lr")
    epoch = nonnegative_int(epoch, "epoch")
    warmup_epochs = positive_int(warmup_epochs, "warmup_epochs")
    if start_factor is None:
        start_factor = 1.0 / warmup_epochs
    s = _real(start_factor, "start_factor", high=1.0, what="a float in (0, 1]")
    if s == 0:
        raise ValueError(f"start_factor must be a float in (0, 1], got {start_factor!r}")
    return base_lr * (s + (1 - s) * min(epoch, warmup_epochs) / warmup_epochs)


# -- early stopping --------------------------------------------------------------------------


@dataclass(frozen=True)
class EarlyStopping:
    """Where early stopping ends a run; epochs are 0-based indices into the history."""

    stop_epoch: int | None  # the epoch after which training stops; None if it never does
    best_epoch: int | None  # the epoch of the best value seen up to stop_epoch
    best_value: float | None


def early_stopping(history, patience, mode="min", min_delta=0.0):
    """Replay Keras' ``EarlyStopping(patience, mode, min_delta)`` over a metric history.

    Epoch e improves when ``history[e] + min_delta < best`` (mode 'min') or
    ``history[e] - min_delta > best`` (mode 'max'); the first finite value always improves,
    and NaN never does. Training stops at the first epoch that ends ``patience`` epochs in a
    row without improvement. ``patience`` must be at least 1 (Keras treats 0 like 1).
    """
    values = as_float64(history, "history", ndim=1)
    patience = positive_int(patience, "patience")
    mode = one_of(mode, "mode", ("min", "max"))
    min_delta = _real(min_delta, "min_delta")
    sign = 1.0 if mode == "min" else -1.0
    best, best_epoch, waited = math.inf, None, 0
    for epoch, value in enumerate(values):
        # Keras' exact arithmetic: current + min_delta < best (not current < best - min_delta,
        # which rounds differently, e.g. 0.3 + 0.1 vs 0.4 - 0.1).
        if sign * value + min_delta < best:  # False for NaN
            best, best_epoch, waited = sign * value, epoch, 0
            continue
        waited += 1
        if waited >= patience:
            return EarlyStopping(epoch, best_epoch, _best(best, sign, best_epoch))
    return EarlyStopping(None, best_epoch, _best(best, sign, best_epoch))


def _best(best: float, sign: float, best_epoch: int | None) -> float | None:
    return None if best_epoch is None else sign * best
