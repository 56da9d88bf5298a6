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


def sgd_step_momentum_buffer_not_kept(param, grad, state=None, *, lr=1e-3, momentum=0.0,
                                      dampening=0.0, weight_decay=0.0, nesterov=False,
                                      maximize=False):
    """Every step starts the buffer afresh (b = g), as if it were the first: the buffer is stored
    but never read back (e.g. read under another key), so momentum never builds up."""
    ref.sgd_step(param, grad, state, lr=lr, momentum=momentum, dampening=dampening,
                 weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
    return ref.sgd_step(param, grad, None, lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)


def _sgd_decayed_inputs(param, grad, state, lr, momentum, dampening, weight_decay, nesterov,
                        maximize):
    """(θ, g + λθ, state) after the reference's validation of the same call."""
    ref.sgd_step(param, grad, state, lr=lr, momentum=momentum, dampening=dampening,
                 weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
    p, g, state = _sgd_inputs(param, grad, state, maximize)
    return p, g + weight_decay * p, state


def sgd_step_lr_inside_buffer(param, grad, state=None, *, lr=1e-3, momentum=0.0, dampening=0.0,
                              weight_decay=0.0, nesterov=False, maximize=False):
    """The course-notes form b ← μb + ηg, θ ← θ − b (η inside the buffer): torch's update while η
    is constant, but a new η scales only the newest gradient instead of the whole step."""
    p, g, state = _sgd_decayed_inputs(param, grad, state, lr, momentum, dampening, weight_decay,
                                      nesterov, maximize)
    if momentum == 0:
        return p - lr * g, {}
    if state.get("momentum_buffer") is None:
        buf = lr * g
    else:
        buf = momentum * ref._buffer(state, "momentum_buffer", p.shape) + (1 - dampening) * lr * g
    return p - (lr * g + momentum * buf if nesterov else buf), {"momentum_buffer": buf}


def sgd_step_momentum_as_moving_average(param, grad, state=None, *, lr=1e-3, momentum=0.0,
                                        dampening=0.0, weight_decay=0.0, nesterov=False,
                                        maximize=False):
    """b ← μb + (1 − μ)g from b = 0, a moving average of the gradients, instead of torch's
    b ← μb + g started at b = g: the steps are (1 − μ) times as long at first."""
    p, g, state = _sgd_decayed_inputs(param, grad, state, lr, momentum, dampening, weight_decay,
                                      nesterov, maximize)
    if momentum == 0:
        return p - lr * g, {}
    buf = momentum * ref._buffer(state, "momentum_buffer", p.shape) + (1 - momentum) * g
    return p - lr * (g + momentum * buf if nesterov else buf), {"momentum_buffer": buf}


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


def adam_step_step_never_incremented(param, grad, state=None, *, lr=1e-3, betas=(0.9, 0.999),
                                     eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False):
    """t is read from the state (1 when absent) and stored back without adding 1: the state's
    step stays 1, so every step is bias-corrected as the first."""
    ref.adam_step(param, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                  amsgrad=amsgrad, maximize=maximize)
    state = ref._state(state)
    t = ref._step_count(state) or 1
    return _adam_variant(param, grad, {**state, "step": t - 1}, lr, betas, eps, weight_decay,
                         amsgrad, maximize, decoupled=False)


def adam_step_bias_correction_only_once(param, grad, state=None, *, lr=1e-3, betas=(0.9, 0.999),
                                        eps=1e-8, weight_decay=0.0, amsgrad=False,
                                        maximize=False):
    """Divides m by 1 − β₁ and v by 1 − β₂ at the first step only; later steps use m and v as
    they are."""
    ref.adam_step(param, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                  amsgrad=amsgrad, maximize=maximize)
    first = ref._step_count(ref._state(state)) == 0
    return _adam_variant(param, grad, state, lr, betas, eps, weight_decay, amsgrad, maximize,
                         decoupled=False, bias_correction=first)


def adam_step_decoupled_weight_decay(param, grad, state=None, *, lr=1e-3, betas=(0.9, 0.999),
                                     eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False):
    """Adam with AdamW's decay, θ ← θ(1 − ηλ), instead of adding λθ to the gradient (L2)."""
    ref.adam_step(param, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                  amsgrad=amsgrad, maximize=maximize)
    return ref.adamw_step(param, grad, state, lr=lr, betas=betas, eps=eps,
                          weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)


def adamw_step_as_adam_with_l2(param, grad, state=None, *, lr=1e-3, betas=(0.9, 0.999),
                               eps=1e-8, weight_decay=1e-2, amsgrad=False, maximize=False):
    """Adds λθ to the gradient (Adam's L2) instead of decaying the weights directly."""
    ref.adamw_step(param, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                   amsgrad=amsgrad, maximize=maximize)
    return ref.adam_step(param, grad, state, lr=lr, betas=betas, eps=eps,
                         weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)


def adamw_step_decay_not_scaled_by_lr(param, grad, state=None, *, lr=1e-3, betas=(0.9, 0.999),
                                      eps=1e-8, weight_decay=1e-2, amsgrad=False,
                                      maximize=False):
    """θ ← θ(1 − λ) instead of θ(1 − ηλ): the decay is not multiplied by the learning rate."""
    ref.adamw_step(param, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                   amsgrad=amsgrad, maximize=maximize)
    decayed = ref._param_and_grad(param, grad)[0] * (1 - weight_decay)
    return ref.adam_step(decayed, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=0.0,
                         amsgrad=amsgrad, maximize=maximize)


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


def step_lr_decays_one_epoch_early(base_lr, epoch, step_size, gamma=0.1):
    """η₀·γ^⌊(e + 1)/step_size⌋: epochs counted from 1, so every decay comes one epoch early."""
    ref.step_lr(base_lr, epoch, step_size, gamma)
    return base_lr * gamma ** ((epoch + 1) // step_size)


def cosine_annealing_lr_epoch_off_by_one(base_lr, epoch, T_max, eta_min=0.0):
    """cos(π(e + 1)/T_max): epochs counted from 1, so epoch 0 already has a decayed rate and
    η_min comes at epoch T_max − 1."""
    ref.cosine_annealing_lr(base_lr, epoch, T_max, eta_min)
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * (epoch + 1) / T_max)) / 2


def cosine_annealing_lr_clamped_after_t_max(base_lr, epoch, T_max, eta_min=0.0):
    """η_min for every epoch from T_max on, where torch's cosine goes on and rises again."""
    lr = ref.cosine_annealing_lr(base_lr, epoch, T_max, eta_min)
    return eta_min if epoch >= T_max else lr


def linear_warmup_starts_at_zero(base_lr, epoch, warmup_epochs, start_factor=None):
    """η₀·min(e, W)/W: the learning rate of epoch 0 is 0, so the first epoch learns nothing."""
    ref.linear_warmup(base_lr, epoch, warmup_epochs, start_factor)
    return base_lr * min(epoch, warmup_epochs) / warmup_epochs


def linear_warmup_reaches_base_one_epoch_early(base_lr, epoch, warmup_epochs, start_factor=None):
    """η₀·min(s + e/W, 1): the factor grows by 1/W per epoch instead of (1 − s)/W, so with the
    default s = 1/W it is (e + 1)/W and reaches η₀ at epoch W − 1 instead of W."""
    ref.linear_warmup(base_lr, epoch, warmup_epochs, start_factor)
    s = 1.0 / warmup_epochs if start_factor is None else start_factor
    return base_lr * min(s + epoch / warmup_epochs, 1.0)


def early_stopping_patience_off_by_one(history, patience, mode="min", min_delta=0.0):
    """Stops only after patience + 1 epochs without improvement (``waited > patience``)."""
    ref.early_stopping(history, patience, mode, min_delta)
    return ref.early_stopping(history, patience + 1, mode, min_delta)


def early_stopping_ties_improve(history, patience, mode="min", min_delta=0.0):
    """An epoch improves when history[e] + min_delta <= best (≤, not <): a tie resets the wait."""
    ref.early_stopping(history, patience, mode, min_delta)
    values = ref.as_float64(history, "history", ndim=1)
    sign = 1.0 if mode == "min" else -1.0
    best, best_epoch, waited = math.inf, None, 0
    for epoch, value in enumerate(values):
        if sign * value + min_delta <= best:
            best, best_epoch, waited = sign * value, epoch, 0
            continue
        waited += 1
        if waited >= patience:
            return ref.EarlyStopping(epoch, best_epoch, ref._best(best, sign, best_epoch))
    return ref.EarlyStopping(None, best_epoch, ref._best(best, sign, best_epoch))


def early_stopping_epochs_counted_from_one(history, patience, mode="min", min_delta=0.0):
    """Epochs numbered from 1 (``enumerate(history, 1)``): best_epoch and stop_epoch one too high."""
    found = ref.early_stopping(history, patience, mode, min_delta)

    def one_based(epoch):
        return None if epoch is None else epoch + 1

    return ref.EarlyStopping(one_based(found.stop_epoch), one_based(found.best_epoch),
                             found.best_value)


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
    mistake(sgd_step_momentum_buffer_not_kept, ref.sgd_step,
            "The momentum buffer must carry over: read back the buffer the previous step stored "
            "and update it (b ← μb + g), or every step is a first step and momentum does nothing."),
    mistake(sgd_step_lr_inside_buffer, ref.sgd_step,
            "PyTorch's buffer holds gradients only (b ← μb + g) and the step is η·b; with η inside "
            "the buffer a changed learning rate no longer scales the whole step."),
    mistake(sgd_step_momentum_as_moving_average, ref.sgd_step,
            "PyTorch's momentum buffer is b ← μb + g, started at the first gradient, not a moving "
            "average μb + (1 − μ)g started at 0."),
    mistake(adam_step_step_never_incremented, ref.adam_step,
            "Store t + 1 in the state at every step: a step count that stays at 1 bias-corrects "
            "every step as the first."),
    mistake(adam_step_bias_correction_only_once, ref.adam_step,
            "Bias correction applies at every step, with the current t: m/(1 − β₁ᵗ) and "
            "v/(1 − β₂ᵗ), not only at the first one."),
    mistake(adam_step_decoupled_weight_decay, ref.adam_step,
            "Adam's weight_decay is L2: add λθ to the gradient before the moments; decaying the "
            "weights directly is AdamW."),
    mistake(adamw_step_decay_not_scaled_by_lr, ref.adamw_step,
            "AdamW decays the weights by θ ← θ(1 − ηλ): the decay is multiplied by the learning "
            "rate."),
    mistake(step_lr_decays_one_epoch_early, ref.step_lr,
            "Epochs count from 0: the rate of epoch e is η₀·γ^⌊e/step_size⌋, so the first decay "
            "is at epoch step_size."),
    mistake(cosine_annealing_lr_epoch_off_by_one, ref.cosine_annealing_lr,
            "Epochs count from 0: epoch 0 uses the base rate, cos(π·e/T_max) with e = 0."),
    mistake(cosine_annealing_lr_clamped_after_t_max, ref.cosine_annealing_lr,
            "PyTorch's cosine does not stop at T_max: past it the same formula rises again "
            "towards the base rate."),
    mistake(linear_warmup_reaches_base_one_epoch_early, ref.linear_warmup,
            "LinearLR goes from s·η₀ at epoch 0 to η₀ at epoch W in equal steps of (1 − s)/W: "
            "η₀·(s + (1 − s)·min(e, W)/W)."),
    mistake(early_stopping_ties_improve, ref.early_stopping,
            "An epoch improves only when loss + min_delta < best (strictly): a tie is not an "
            "improvement."),
    mistake(early_stopping_epochs_counted_from_one, ref.early_stopping,
            "Epochs are 0-based indices into the losses: the first epoch is epoch 0."),
)
