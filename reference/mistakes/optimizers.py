"""Classic wrong answers for ``reference.optimizers``.

Each function has the signature of the reference function it imitates and runs the
reference's validation first (by calling it), so it fails only in the way its name says.
"""
from __future__ import annotations

import math

import numpy as np

from reference import optimizers as ref
from reference.mistakes import mistake

# --------------------------------------------------------------------------- SGD


def _sgd_inputs(param, grad, state, maximize):
    p, g = ref._param_and_grad(param, grad)
    state = ref._state(state)
    return p, (-g if maximize else g), state


def sgd_step_weight_decay_after_momentum(param, grad, state=None, *, lr=1e-3, momentum=0.0,
                                         dampening=0.0, weight_decay=0.0, nesterov=False,
                                         maximize=False):
    """b ← μb + (1 − τ)g, then d = b + λθ: the decay never enters the momentum buffer."""
    ref.sgd_step(param, grad, state, lr=lr, momentum=momentum, dampening=dampening,
                 weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
    p, g, state = _sgd_inputs(param, grad, state, maximize)
    new_state = {}
    if momentum != 0:
        if state.get("momentum_buffer") is None:
            buf = g.copy()
        else:
            buf = momentum * ref._buffer(state, "momentum_buffer", p.shape) + (1 - dampening) * g
        new_state["momentum_buffer"] = buf
        g = g + momentum * buf if nesterov else buf
    return p - lr * (g + weight_decay * p), new_state


def sgd_step_nesterov_ignored(param, grad, state=None, *, lr=1e-3, momentum=0.0,
                              dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    """Always the heavy-ball update θ ← θ − ηb, whatever ``nesterov`` says."""
    ref.sgd_step(param, grad, state, lr=lr, momentum=momentum, dampening=dampening,
                 weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
    return ref.sgd_step(param, grad, state, lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=False, maximize=maximize)


def sgd_step_dampening_on_first_step(param, grad, state=None, *, lr=1e-3, momentum=0.0,
                                     dampening=0.0, weight_decay=0.0, nesterov=False,
                                     maximize=False):
    """The first buffer is (1 − τ)g instead of g (torch starts the buffer undamped)."""
    ref.sgd_step(param, grad, state, lr=lr, momentum=momentum, dampening=dampening,
                 weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
    p, g, state = _sgd_inputs(param, grad, state, maximize)
    g = g + weight_decay * p
    new_state = {}
    if momentum != 0:
        previous = ref._buffer(state, "momentum_buffer", p.shape)
        buf = momentum * previous + (1 - dampening) * g
        new_state["momentum_buffer"] = buf
        g = g + momentum * buf if nesterov else buf
    return p - lr * g, new_state


def classical_momentum_step_velocity_sign_flipped(param, grad, state=None, *, lr=1e-3,
                                                  momentum=0.9):
    """v ← μv + ηg; θ ← θ + v: the step goes up the gradient instead of down."""
    ref.classical_momentum_step(param, grad, state, lr=lr, momentum=momentum)
    p, g = ref._param_and_grad(param, grad)
    velocity = momentum * ref._buffer(ref._state(state), "velocity", p.shape) + lr * g
    return p + velocity, {"velocity": velocity}


# --------------------------------------------------------------------------- Adam family


def _adam_variant(param, grad, state, lr, betas, eps, weight_decay, amsgrad, maximize, *,
                  decoupled, bias_correction=True, count_steps=True, eps_inside_sqrt=False):
    p, g = ref._param_and_grad(param, grad)
    state = ref._state(state)
    beta1, beta2 = betas
    step = ref._step_count(state) + 1
    t = step if count_steps else 1
    g = -g if maximize else g
    if decoupled:
        p = p * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * p
    m = beta1 * ref._buffer(state, "exp_avg", p.shape) + (1 - beta1) * g
    v = beta2 * ref._buffer(state, "exp_avg_sq", p.shape) + (1 - beta2) * g * g
    new_state = {"step": step, "exp_avg": m, "exp_avg_sq": v}
    if amsgrad:
        v = np.maximum(ref._buffer(state, "max_exp_avg_sq", p.shape), v)
        new_state["max_exp_avg_sq"] = v
    m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
    denom = np.sqrt(v_hat + eps) if eps_inside_sqrt else np.sqrt(v_hat) + eps
    return p - lr * m_hat / denom, new_state


def adam_step_without_bias_correction(param, grad, state=None, *, lr=1e-3, betas=(0.9, 0.999),
                                      eps=1e-8, weight_decay=0.0, amsgrad=False,
                                      maximize=False):
    """Uses m and v directly instead of m/(1 − β₁ᵗ) and v/(1 − β₂ᵗ)."""
    ref.adam_step(param, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                  amsgrad=amsgrad, maximize=maximize)
    return _adam_variant(param, grad, state, lr, betas, eps, weight_decay, amsgrad, maximize,
                         decoupled=False, bias_correction=False)


def adam_step_step_not_incremented(param, grad, state=None, *, lr=1e-3, betas=(0.9, 0.999),
                                   eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False):
    """Bias correction with t = 1 at every step: the step counter is never advanced."""
    ref.adam_step(param, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                  amsgrad=amsgrad, maximize=maximize)
    return _adam_variant(param, grad, state, lr, betas, eps, weight_decay, amsgrad, maximize,
                         decoupled=False, count_steps=False)


def adam_step_eps_inside_sqrt(param, grad, state=None, *, lr=1e-3, betas=(0.9, 0.999),
                              eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False):
    """Divides by √(v̂ + ε) instead of √v̂ + ε."""
    ref.adam_step(param, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                  amsgrad=amsgrad, maximize=maximize)
    return _adam_variant(param, grad, state, lr, betas, eps, weight_decay, amsgrad, maximize,
                         decoupled=False, eps_inside_sqrt=True)


def adamw_step_as_adam_with_l2(param, grad, state=None, *, lr=1e-3, betas=(0.9, 0.999),
                               eps=1e-8, weight_decay=1e-2, amsgrad=False, maximize=False):
    """Adds λθ to the gradient (Adam's L2) instead of decaying the weights directly."""
    ref.adamw_step(param, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                   amsgrad=amsgrad, maximize=maximize)
    return ref.adam_step(param, grad, state, lr=lr, betas=betas, eps=eps,
                         weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)


# --------------------------------------------------------------------------- RMSprop, Adagrad


def rmsprop_step_without_square_root(param, grad, state=None, *, lr=1e-2, alpha=0.99, eps=1e-8,
                                     weight_decay=0.0, momentum=0.0, centered=False,
                                     maximize=False):
    """Divides by the running mean of g² itself, not by its square root."""
    ref.rmsprop_step(param, grad, state, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                     momentum=momentum, centered=centered, maximize=maximize)
    p, g = ref._param_and_grad(param, grad)
    state = ref._state(state)
    g = (-g if maximize else g) + weight_decay * p
    square_avg = alpha * ref._buffer(state, "square_avg", p.shape) + (1 - alpha) * g * g
    new_state = {"step": ref._step_count(state) + 1, "square_avg": square_avg}
    if centered:
        grad_avg = alpha * ref._buffer(state, "grad_avg", p.shape) + (1 - alpha) * g
        new_state["grad_avg"] = grad_avg
        square_avg = square_avg - grad_avg * grad_avg
    d = g / (square_avg + eps)
    if momentum > 0:
        d = momentum * ref._buffer(state, "momentum_buffer", p.shape) + d
        new_state["momentum_buffer"] = d
    return p - lr * d, new_state


def adagrad_step_accumulates_gradient(param, grad, state=None, *, lr=1e-2, lr_decay=0.0,
                                      weight_decay=0.0, initial_accumulator_value=0.0,
                                      eps=1e-10, maximize=False):
    """Accumulates S ← S + g instead of S ← S + g² (and √S is NaN once S < 0)."""
    ref.adagrad_step(param, grad, state, lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                     initial_accumulator_value=initial_accumulator_value, eps=eps,
                     maximize=maximize)
    p, g = ref._param_and_grad(param, grad)
    state = ref._state(state)
    step = ref._step_count(state) + 1
    g = (-g if maximize else g) + weight_decay * p
    total = ref._buffer(state, "sum", p.shape, fill=initial_accumulator_value) + g
    with np.errstate(invalid="ignore"):
        new = p - lr / (1 + (step - 1) * lr_decay) * g / (np.sqrt(total) + eps)
    return new, {"step": step, "sum": total}


# --------------------------------------------------------------------------- schedules


def step_lr_decays_every_epoch(base_lr, epoch, step_size, gamma=0.1):
    """η₀·γ^e: multiplies by γ every epoch instead of every ``step_size`` epochs."""
    ref.step_lr(base_lr, epoch, step_size, gamma)
    return base_lr * gamma**epoch


def cosine_annealing_lr_t_max_off_by_one(base_lr, epoch, T_max, eta_min=0.0):
    """cos(π e / (T_max + 1)): anneals over T_max + 1 epochs, so η_min is not reached at T_max."""
    ref.cosine_annealing_lr(base_lr, epoch, T_max, eta_min)
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * epoch / (T_max + 1))) / 2


def linear_warmup_starts_at_zero(base_lr, epoch, warmup_epochs, start_factor=None):
    """η₀·min(e, W)/W: the learning rate of epoch 0 is 0, so the first epoch learns nothing."""
    ref.linear_warmup(base_lr, epoch, warmup_epochs, start_factor)
    return base_lr * min(epoch, warmup_epochs) / warmup_epochs


def early_stopping_patience_off_by_one(history, patience, mode="min", min_delta=0.0):
    """Stops only after patience + 1 epochs without improvement (``waited > patience``)."""
    ref.early_stopping(history, patience, mode, min_delta)
    return ref.early_stopping(history, patience + 1, mode, min_delta)


MISTAKES = (
    mistake(sgd_step_weight_decay_after_momentum, ref.sgd_step,
            "Weight decay must be added to the gradient before the momentum buffer is updated, "
            "not to the step afterwards."),
    mistake(sgd_step_nesterov_ignored, ref.sgd_step,
            "With nesterov=True the step is g + μ·b (a look-ahead), not the buffer b alone."),
    mistake(sgd_step_dampening_on_first_step, ref.sgd_step,
            "On the first step the momentum buffer is the gradient itself; dampening only "
            "applies from the second step on."),
    mistake(classical_momentum_step_velocity_sign_flipped, ref.classical_momentum_step,
            "The velocity update is v ← μv − ηg: subtract the gradient, or you climb the loss."),
    mistake(adam_step_without_bias_correction, ref.adam_step,
            "Adam divides m by 1 − β₁ᵗ and v by 1 − β₂ᵗ; without it the first steps are far "
            "too small."),
    mistake(adam_step_step_not_incremented, ref.adam_step,
            "The step count t must grow by one each step; bias correction with t = 1 every "
            "time keeps dividing by 1 − β."),
    mistake(adam_step_eps_inside_sqrt, ref.adam_step,
            "PyTorch adds ε after the square root: √v̂ + ε, not √(v̂ + ε)."),
    mistake(adamw_step_as_adam_with_l2, ref.adamw_step,
            "AdamW decays the weights directly (θ ← θ(1 − ηλ)); adding λθ to the gradient is "
            "Adam with L2, which the adaptive scaling weakens."),
    mistake(rmsprop_step_without_square_root, ref.rmsprop_step,
            "RMSprop divides by the square ROOT of the running mean of g², plus ε."),
    mistake(adagrad_step_accumulates_gradient, ref.adagrad_step,
            "Adagrad accumulates squared gradients (S ← S + g²), not the gradients."),
    mistake(step_lr_decays_every_epoch, ref.step_lr,
            "StepLR multiplies by γ once every step_size epochs: η₀·γ^⌊e/step_size⌋."),
    mistake(cosine_annealing_lr_t_max_off_by_one, ref.cosine_annealing_lr,
            "The cosine reaches η_min exactly at epoch T_max: use cos(π·e/T_max)."),
    mistake(linear_warmup_starts_at_zero, ref.linear_warmup,
            "Warm-up starts at start_factor·η₀ (1/W of it by default), not at 0."),
    mistake(early_stopping_patience_off_by_one, ref.early_stopping,
            "Training stops after exactly `patience` epochs in a row without improvement."),
)
