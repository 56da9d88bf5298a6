"""Loss functions, the activations they rest on, and the gradients of the logit losses.

Signatures, defaults and reductions follow ``torch.nn.functional`` (the focal losses follow
``torchvision.ops.sigmoid_focal_loss`` and Keras' ``CategoricalFocalCrossentropy``). Inputs
are array-likes or torch tensors; everything is computed in float64 and returned as NumPy
(``np.float64`` for a reduced loss). Gradients of a ``reduction='none'`` loss are those of the
sum of its elements (an upstream gradient of ones).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from reference import _activations as act
from reference._validation import as_float64, as_int_array, is_int, one_of

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
    "categorical_focal_loss",
    "cross_entropy",
    "cross_entropy_grad",
    "gaussian_nll_loss",
    "l1_loss",
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "mse_loss",
    "nll_loss",
    "sigmoid",
    "sigmoid_focal_loss",
    "softmax",
]

REDUCTIONS = ("none", "mean", "sum")
KERAS_REDUCTIONS = ("none", "sum", "sum_over_batch_size", "mean")
KERAS_EPSILON = 1e-7
BCE_LOG_CLAMP = -100.0


# --------------------------------------------------------------------------- validation


def _describe(value) -> str:
    return f"{value!r} (type={type(value).__name__})"


def _number(value, name: str, expected: str, ok) -> float:
    """A real number (not a bool) satisfying ``ok``; ``expected`` words the requirement."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {expected}, got {_describe(value)}")
    value = float(value)
    if not ok(value):
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return value


def _flag(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {_describe(value)}")
    return bool(value)


def _reduction(reduction) -> str:
    return one_of(reduction, "reduction", REDUCTIONS)


def _axis(dim, ndim: int, name: str = "dim") -> int:
    """A dimension index in [-n, n), n = max(ndim, 1) as torch allows dim 0 on a scalar."""
    if not is_int(dim):
        raise TypeError(f"{name} must be an int, got {_describe(dim)}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise ValueError(
            f"{name} must be in [{-n}, {n - 1}] for an input with {ndim} dimensions, got {dim}"
        )
    return int(dim) % n


def _same_shape(value, shape: tuple, name: str) -> np.ndarray:
    arr = as_float64(value, name)
    if arr.shape != shape:
        raise ValueError(f"{name} must have the input's shape {shape}, got shape {arr.shape}")
    return arr


def _broadcast_to_input(value, shape: tuple, name: str) -> np.ndarray | None:
    """An optional array that must broadcast to the input's shape without enlarging it."""
    if value is None:
        return None
    arr = as_float64(value, name)
    try:
        fits = np.broadcast_shapes(arr.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{name} must broadcast to the input's shape {shape}, got shape {arr.shape}"
        )
    return arr


def _reduce(loss: np.ndarray, reduction: str, denominator=None):
    """'none' keeps the elements; 'sum' adds them; 'mean' divides the sum by ``denominator``
    (the element count by default). 0 / 0 is nan, as in torch."""
    if reduction == "none":
        return loss
    total = np.sum(loss)
    if reduction == "sum":
        return total
    count = loss.size if denominator is None else denominator
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.float64(total) / np.float64(count)


# --------------------------------------------------------------------------- activations


def sigmoid(input):
    """Logistic function ``1 / (1 + exp(-x))``, stable for any x; agrees with ``torch.sigmoid``."""
    return act.sigmoid(as_float64(input, "input"))


def log_sigmoid(input):
    """``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))``; agrees with
    ``torch.nn.functional.logsigmoid``. Finite at x = -1e4, where log(sigmoid(x)) is -inf."""
    return act.log_sigmoid(as_float64(input, "input"))


def _along(input, dim, kernel):
    x = as_float64(input, "input")
    axis = _axis(dim, x.ndim)
    return kernel(np.atleast_1d(x), axis).reshape(x.shape)


def softmax(input, dim):
    """``exp(x_i - m) / sum_j exp(x_j - m)`` along ``dim``, m the maximum; agrees with
    ``torch.softmax(input, dim)``."""
    return _along(input, dim, act.softmax)


def log_softmax(input, dim):
    """``(x_i - m) - log(sum_j exp(x_j - m))`` along ``dim``; agrees with
    ``torch.log_softmax(input, dim)``."""
    return _along(input, dim, act.log_softmax)


def logsumexp(input, dim, keepdim=False):
    """``m + log(sum exp(x - m))`` over ``dim`` (an int or a tuple of ints); agrees with
    ``torch.logsumexp(input, dim, keepdim)``."""
    x = as_float64(input, "input")
    keepdim = _flag(keepdim, "keepdim")
    if isinstance(dim, (tuple, list)) and dim:
        axes = tuple(_axis(d, x.ndim, f"dim[{i}]") for i, d in enumerate(dim))
        if len(set(axes)) != len(axes):
            raise ValueError(f"dim must not repeat a dimension, got {tuple(dim)!r}")
    elif is_int(dim):
        axes = (_axis(dim, x.ndim),)
    else:
        raise TypeError(f"dim must be an int or a non-empty tuple of ints, got {_describe(dim)}")
    if x.ndim == 0:
        return act.logsumexp(x.reshape(1), 0, keepdims=False).reshape(())
    return act.logsumexp(x, axes, keepdims=keepdim)


# --------------------------------------------------------------------------- cross-entropy


@dataclass(frozen=True)
class _ClassProblem:
    """Validated arguments of cross_entropy / nll_loss, with the class axis moved last."""

    scores: np.ndarray  # (..., C): logits or log-probabilities
    target: np.ndarray  # (...) int class indices, or (..., C) float probabilities
    probabilities: bool
    weight: np.ndarray  # (C,), ones when none was given
    weighted: bool
    ignore_index: int
    reduction: str
    label_smoothing: float
    class_axis: int  # where the class axis was in the caller's layout

    @property
    def classes(self) -> int:
        return self.scores.shape[-1]


def _class_problem(
    input, target, weight, ignore_index, reduction, label_smoothing, *, allow_probabilities
) -> _ClassProblem:
    x = as_float64(input, "input")
    if x.ndim == 0:
        raise ValueError("input must have shape (C,) or (N, C, d1, ...), got a scalar")
    class_axis = 0 if x.ndim == 1 else 1
    classes = x.shape[class_axis]
    index_shape = x.shape[:class_axis] + x.shape[class_axis + 1 :]
    raw = target.detach().cpu().numpy() if hasattr(target, "detach") else np.asarray(target)
    if allow_probabilities and raw.shape == x.shape:
        probabilities, t = True, as_float64(raw, "target")
        t = np.moveaxis(t, class_axis, -1)
    elif raw.shape == index_shape:
        probabilities, t = False, as_int_array(raw, "target")
    else:
        expected = f"{index_shape} of class indices"
        if allow_probabilities:
            expected += f" or {x.shape} of class probabilities"
        raise ValueError(f"target must have shape {expected}, got shape {raw.shape}")
    if not is_int(ignore_index):
        raise TypeError(f"ignore_index must be an int, got {_describe(ignore_index)}")
    if not probabilities:
        used = t[t != ignore_index]
        bad = used[(used < 0) | (used >= classes)]
        if bad.size:
            raise ValueError(
                f"target must hold class indices in [0, {classes}) or "
                f"ignore_index={ignore_index}, got {int(bad[0])}"
            )
    if weight is None:
        w = np.ones(classes)
    else:
        w = as_float64(weight, "weight")
        if w.shape != (classes,):
            raise ValueError(
                f"weight must have one entry per class, shape ({classes},), got shape {w.shape}"
            )
    return _ClassProblem(
        scores=np.moveaxis(x, class_axis, -1),
        target=t,
        probabilities=probabilities,
        weight=w,
        weighted=weight is not None,
        ignore_index=int(ignore_index),
        reduction=_reduction(reduction),
        label_smoothing=_number(
            label_smoothing, "label_smoothing", "a number in [0.0, 1.0]", lambda v: 0 <= v <= 1
        ),
        class_axis=class_axis,
    )


def _index_parts(problem: _ClassProblem):
    """(valid mask, target with ignored entries set to class 0, w[y] with 0 where ignored)."""
    valid = problem.target != problem.ignore_index
    safe = np.where(valid, problem.target, 0)
    return valid, safe, np.where(valid, problem.weight[safe], 0.0)


def _smoothed(problem: _ClassProblem) -> np.ndarray:
    eps = problem.label_smoothing
    return problem.target * (1 - eps) + eps / problem.classes


def _class_loss(problem: _ClassProblem, logp: np.ndarray):
    """The cross-entropy given log-probabilities (class axis last), reduced."""
    w, eps, classes = problem.weight, problem.label_smoothing, problem.classes
    if problem.probabilities:
        loss = -np.sum(logp * w * _smoothed(problem), axis=-1)
        return _reduce(loss, problem.reduction, loss.size)
    valid, safe, w_y = _index_parts(problem)
    picked = np.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]
    loss = np.where(valid, -w_y * picked, 0.0)
    if eps:
        smooth = np.where(valid, -np.sum(logp * w, axis=-1), 0.0)
        loss = (1 - eps) * loss + (eps / classes) * smooth
    return _reduce(loss, problem.reduction, np.sum(w_y))


def cross_entropy(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    r"""Cross-entropy of logits; agrees with ``torch.nn.functional.cross_entropy``.

    ``input``: logits, shape (C,) or (N, C, d1, ...). ``target``: class indices of shape
    (), (N, d1, ...) or class probabilities of the input's shape. With log p = log_softmax(x),
    w the class weights (ones by default), eps the label smoothing and K classes:

    * indices: ``l_n = (1 - eps) * w[y_n] * (-log p[n, y_n]) + eps / K * sum_c w_c (-log p[n, c])``,
      0 where ``y_n == ignore_index``; 'mean' divides the sum by ``sum_n w[y_n]`` over the
      non-ignored targets (nan when all are ignored, as torch).
    * probabilities: ``l_n = -sum_c w_c q[n, c] log p[n, c]`` with
      ``q = (1 - eps) * target + eps / K``; 'mean' divides by the number of l_n.
    """
    problem = _class_problem(
        input, target, weight, ignore_index, reduction, label_smoothing, allow_probabilities=True
    )
    return _class_loss(problem, act.log_softmax(problem.scores, -1))


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    r"""Negative log-likelihood of log-probabilities; agrees with ``torch.nn.functional.nll_loss``.

    ``l_n = -w[y_n] * input[n, y_n]`` (0 where ``y_n == ignore_index``), input of shape (C,) or
    (N, C, d1, ...); 'mean' divides by ``sum_n w[y_n]`` over the non-ignored targets.
    """
    problem = _class_problem(
        input, target, weight, ignore_index, reduction, 0.0, allow_probabilities=False
    )
    return _class_loss(problem, problem.scores)


def cross_entropy_grad(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    r"""Gradient of :func:`cross_entropy` with respect to ``input`` (same shape as input).

    With p = softmax(x), W = sum_c w_c and one-hot e_y:

    * indices: ``dl_n/dx = (1 - eps) w[y_n] (p - e_{y_n}) + eps / K (W p - w)``, 0 where ignored;
    * probabilities: ``dl_n/dx = p * sum_c w_c q_c - w * q``;

    divided by the 'mean' denominator of the loss. Agrees with ``torch.autograd`` through
    ``cross_entropy``, including zeros when every target is ignored.
    """
    problem = _class_problem(
        input, target, weight, ignore_index, reduction, label_smoothing, allow_probabilities=True
    )
    p = act.softmax(problem.scores, -1)
    w, eps, classes = problem.weight, problem.label_smoothing, problem.classes
    if problem.probabilities:
        q = _smoothed(problem)
        grad = p * np.sum(w * q, axis=-1, keepdims=True) - w * q
        denominator = grad[..., 0].size
    else:
        valid, safe, w_y = _index_parts(problem)
        one_hot = np.arange(classes) == safe[..., None]
        grad = (1 - eps) * w_y[..., None] * (p - one_hot)
        if eps:
            grad = grad + (eps / classes) * (np.sum(w) * p - w)
        grad = np.where(valid[..., None], grad, 0.0)
        denominator = np.sum(w_y) if valid.any() else 1.0  # torch: zeros if all ignored
    if problem.reduction == "mean":
        grad = grad / denominator
    return np.moveaxis(grad, -1, problem.class_axis)


# --------------------------------------------------------------------------- binary


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    r"""Binary cross-entropy of probabilities; agrees with
    ``torch.nn.functional.binary_cross_entropy``.

    ``l = -w * (t * max(log x, -100) + (1 - t) * max(log(1 - x), -100))``; the clamp is torch's,
    so x = 0 or 1 gives 100 instead of inf. 'mean' is over all elements.
    """
    x = as_float64(input, "input")
    t = _same_shape(target, x.shape, "target")
    w = _broadcast_to_input(weight, x.shape, "weight")
    reduction = _reduction(reduction)
    outside = ~((x >= 0) & (x <= 1))
    if outside.any():
        raise ValueError(
            "input must hold probabilities in [0, 1] (for logits use "
            f"binary_cross_entropy_with_logits), got {float(x[outside][0])!r}"
        )
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(x), BCE_LOG_CLAMP)
        log_q = np.maximum(np.log1p(-x), BCE_LOG_CLAMP)
    loss = -(t * log_p + (1 - t) * log_q)
    if w is not None:
        loss = loss * w
    return _reduce(loss, reduction)


def _logit_problem(input, target, weight, reduction, pos_weight):
    x = as_float64(input, "input")
    t = _same_shape(target, x.shape, "target")
    w = _broadcast_to_input(weight, x.shape, "weight")
    pw = _broadcast_to_input(pos_weight, x.shape, "pos_weight")
    return x, t, w, _reduction(reduction), pw


def binary_cross_entropy_with_logits(
    input, target, weight=None, reduction="mean", pos_weight=None
):
    r"""Binary cross-entropy of logits; agrees with
    ``torch.nn.functional.binary_cross_entropy_with_logits``.

    ``l = -w * (pos_weight * t * log sigmoid(x) + (1 - t) * log(1 - sigmoid(x)))``, computed as
    ``w * ((1 - t) x - (1 + (pos_weight - 1) t) log_sigmoid(x))`` so that |x| = 1e4 is exact.
    ``weight`` and ``pos_weight`` broadcast to the input (pos_weight per class, last axis).
    """
    x, t, w, reduction, pw = _logit_problem(input, target, weight, reduction, pos_weight)
    log_weight = 1.0 if pw is None else 1 + (pw - 1) * t
    loss = (1 - t) * x - log_weight * act.log_sigmoid(x)
    if w is not None:
        loss = loss * w
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits_grad(
    input, target, weight=None, reduction="mean", pos_weight=None
):
    r"""Gradient of :func:`binary_cross_entropy_with_logits` with respect to ``input``.

    ``dl/dx = w * ((1 - t) - (1 + (pos_weight - 1) t) * sigmoid(-x))``, which is
    ``w * (sigmoid(x) - t)`` without pos_weight; divided by the element count for 'mean'.
    Agrees with ``torch.autograd``.
    """
    x, t, w, reduction, pw = _logit_problem(input, target, weight, reduction, pos_weight)
    log_weight = 1.0 if pw is None else 1 + (pw - 1) * t
    grad = (1 - t) - log_weight * act.sigmoid(-x)
    if w is not None:
        grad = grad * w
    if reduction == "mean":
        grad = grad / x.size
    return grad


# --------------------------------------------------------------------------- regression


def _regression_problem(input, target, weight, reduction):
    x = as_float64(input, "input")
    t = as_float64(target, "target")
    try:
        np.broadcast_shapes(x.shape, t.shape)
    except ValueError:
        raise ValueError(
            f"target must broadcast with the input, got shapes {t.shape} and {x.shape}"
        ) from None
    w = None
    if weight is not None:
        w = _same_shape(weight, x.shape, "weight")
    return x, t, w, _reduction(reduction)


def _weighted(errors, w, reduction):
    if w is None:
        return _reduce(errors, reduction)
    weighted = errors * w
    return _reduce(weighted, reduction, np.sum(w))


def mse_loss(input, target, reduction="mean", weight=None):
    r"""Mean squared error ``(x - t)^2``; agrees with ``torch.nn.functional.mse_loss``.

    Input and target broadcast (torch warns when their shapes differ). With ``weight`` (the
    input's shape) the elements are ``w (x - t)^2`` and 'mean' divides by ``sum(w)``.
    """
    x, t, w, reduction = _regression_problem(input, target, weight, reduction)
    return _weighted((x - t) ** 2, w, reduction)


def l1_loss(input, target, reduction="mean", weight=None):
    r"""Mean absolute error ``|x - t|``; agrees with ``torch.nn.functional.l1_loss`` (weights
    and broadcasting as in :func:`mse_loss`)."""
    x, t, w, reduction = _regression_problem(input, target, weight, reduction)
    return _weighted(np.abs(x - t), w, reduction)


def _variance(var, shape: tuple) -> np.ndarray:
    if isinstance(var, numbers.Real) and not isinstance(var, (bool, np.bool_)):
        if var < 0:
            raise ValueError(f"var must be non-negative, got {var!r}")
        return np.full(shape, float(var))
    v = as_float64(var, "var")
    if (v < 0).any():
        raise ValueError(f"var must be non-negative, got {float(v[v < 0][0])!r}")
    if v.shape == shape:
        return v
    if v.shape == shape[:-1]:
        return v[..., None]  # one variance per row: homoscedastic along the last axis
    if v.ndim == len(shape) and sum(a != b for a, b in zip(shape, v.shape)) == 1:
        mismatch = [b for a, b in zip(shape, v.shape) if a != b]
        if mismatch == [1]:
            return v
    raise ValueError(
        f"var must have the input's shape {shape}, that shape without its last axis, or that "
        f"shape with one axis of size 1; got shape {v.shape}"
    )


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    r"""Gaussian negative log-likelihood; agrees with ``torch.nn.functional.gaussian_nll_loss``.

    ``l = 0.5 * (log(max(var, eps)) + (x - t)^2 / max(var, eps))``, plus ``0.5 log(2 pi)`` when
    ``full``. ``var`` is a non-negative number, an array of the input's shape, or one with the
    last axis dropped or one axis of size 1 (shared variance).
    """
    x = as_float64(input, "input")
    t = as_float64(target, "target")
    v = _variance(var, x.shape)
    full = _flag(full, "full")
    eps = _number(eps, "eps", "a non-negative number", lambda e: e >= 0)
    reduction = _reduction(reduction)
    v = np.maximum(v, eps)
    loss = 0.5 * (np.log(v) + (x - t) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# --------------------------------------------------------------------------- focal


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2, reduction="none"):
    r"""Binary focal loss of logits (Lin et al., 2017); agrees with
    ``torchvision.ops.sigmoid_focal_loss``.

    ``ce = binary_cross_entropy_with_logits(x, t, 'none')``, ``p = sigmoid(x)``,
    ``1 - p_t = p (1 - t) + (1 - p) t``; ``l = ce * (1 - p_t)^gamma``, multiplied by
    ``alpha t + (1 - alpha)(1 - t)`` when ``alpha >= 0`` (a negative alpha turns it off).
    The default reduction is 'none', as torchvision's.
    """
    x = as_float64(inputs, "inputs")
    t = _same_shape(targets, x.shape, "targets")
    alpha = _number(alpha, "alpha", "a number (negative to disable)", math.isfinite)
    gamma = _number(gamma, "gamma", "a non-negative number", lambda g: 0 <= g < math.inf)
    reduction = _reduction(reduction)
    ce = (1 - t) * x - act.log_sigmoid(x)
    # 1 - p_t from sigmoid(x) and sigmoid(-x): no cancellation when p_t is close to 1.
    one_minus_pt = act.sigmoid(x) * (1 - t) + act.sigmoid(-x) * t
    loss = ce * one_minus_pt**gamma
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return _reduce(loss, reduction)


def categorical_focal_loss(
    y_true,
    y_pred,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
    reduction="sum_over_batch_size",
):
    r"""Categorical focal cross-entropy; agrees with Keras'
    ``keras.losses.CategoricalFocalCrossentropy`` (without sample weights).

    Arguments in Keras' order: ``y_true`` (one-hot or probabilities), then ``y_pred``
    (probabilities, or logits when ``from_logits``). With p = y_pred (softmax-ed if logits),
    normalised to sum 1 along ``axis`` and clipped to [1e-7, 1 - 1e-7], and
    ``y = (1 - eps) y_true + eps / K``: ``l = sum_c alpha (1 - p_c)^gamma (-y_c log p_c)``.
    Reductions: 'sum_over_batch_size' (Keras' default) and 'mean' average the l, 'sum', 'none'
    (``None`` is read as 'none'). Keras smooths over the size of the last axis; here it is
    the size of ``axis``, the same for the default axis=-1.
    """
    p = as_float64(y_pred, "y_pred")
    y = _same_shape(y_true, p.shape, "y_true")
    if p.ndim == 0:
        raise ValueError("y_pred must have a class axis, got a scalar")
    alpha = _number(alpha, "alpha", "a finite number", math.isfinite)
    gamma = _number(gamma, "gamma", "a non-negative number", lambda g: 0 <= g < math.inf)
    from_logits = _flag(from_logits, "from_logits")
    eps = _number(
        label_smoothing, "label_smoothing", "a number in [0.0, 1.0]", lambda v: 0 <= v <= 1
    )
    axis = _axis(axis, p.ndim, "axis")
    reduction = one_of("none" if reduction is None else reduction, "reduction", KERAS_REDUCTIONS)
    if eps:
        y = y * (1 - eps) + eps / p.shape[axis]
    if from_logits:
        p = act.softmax(p, axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = p / np.sum(p, axis=axis, keepdims=True)
    p = np.clip(p, KERAS_EPSILON, 1 - KERAS_EPSILON)
    loss = np.sum(alpha * (1 - p) ** gamma * (-y * np.log(p)), axis=axis)
    return _reduce(loss, "mean" if reduction == "sum_over_batch_size" else reduction)
