"""Classic wrong answers for ``reference.losses``.

Each function has the signature of the reference function it imitates and reuses the
reference's validation, so it fails only in the way its name says.
"""
from __future__ import annotations

import numpy as np

from reference import _activations as act
from reference import losses as ref
from reference.mistakes import mistake

# --------------------------------------------------------------------------- activations


def _naive_exp(x, axis):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(x)
        return e / np.sum(e, axis=axis, keepdims=True)


def softmax_without_max_shift(input, dim):
    """exp(x) / sum(exp(x)) without subtracting the maximum: exp overflows for logits > 709."""
    return ref._along(input, dim, _naive_exp)


def log_softmax_as_log_of_softmax(input, dim):
    """log(softmax(x)): the softmax underflows to 0 for very unlikely classes, giving -inf."""
    with np.errstate(divide="ignore"):
        return np.log(ref.softmax(input, dim))


def log_softmax_without_max_shift(input, dim):
    """x - log(sum(exp(x))) without the shift: overflows to -inf/nan for large logits."""

    def kernel(x, axis):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return x - np.log(np.sum(np.exp(x), axis=axis, keepdims=True))

    return ref._along(input, dim, kernel)


def logsumexp_without_max_shift(input, dim, keepdim=False):
    """log(sum(exp(x))) computed directly: inf as soon as a logit exceeds about 709."""
    x = ref.as_float64(input, "input")
    ref.logsumexp(x, dim, keepdim)  # the reference's validation
    axes = tuple(dim) if isinstance(dim, (tuple, list)) else dim
    with np.errstate(over="ignore"):
        return np.log(np.sum(np.exp(x), axis=axes, keepdims=keepdim))


def log_sigmoid_as_log_of_sigmoid(input):
    """log(sigmoid(x)): sigmoid underflows to 0 for x below about -745, giving -inf."""
    with np.errstate(divide="ignore"):
        return np.log(ref.sigmoid(input))


def sigmoid_as_exp_ratio(input):
    """exp(x) / (1 + exp(x)): exp overflows for x above about 709, and inf / inf is nan."""
    x = ref.as_float64(input, "input")
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(x)
        return e / (1 + e)


def softmax_over_batch_axis(input, dim):
    """Normalises along axis 0 (the batch, for (N, K) logits) whatever dim says."""
    ref.softmax(input, dim)  # the reference's validation
    return ref.softmax(input, 0)


def softmax_over_all_elements(input, dim):
    """exp(x - max) / sum(exp(x - max)) with the sum over every element, not along dim."""
    x = ref.as_float64(input, "input")
    ref.softmax(x, dim)  # the reference's validation
    e = np.exp(x - np.max(x)) if x.size else x
    return e / np.sum(e)


# --------------------------------------------------------------------------- cross-entropy


def _problem(input, target, weight, ignore_index, reduction, label_smoothing):
    return ref._class_problem(
        input, target, weight, ignore_index, reduction, label_smoothing, allow_probabilities=True
    )


def cross_entropy_on_softmax_output(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """Passes softmax(x) to cross_entropy, so softmax is applied twice."""
    x = ref.as_float64(input, "input")
    probs = ref.softmax(x, 0 if x.ndim == 1 else 1) if x.ndim else x
    return ref.cross_entropy(probs, target, weight, ignore_index, reduction, label_smoothing)


def cross_entropy_mean_ignores_weights(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """With class weights, 'mean' divides by the number of targets, not the sum of their weights."""
    loss = ref.cross_entropy(input, target, weight, ignore_index, "none", label_smoothing)
    if ref._reduction(reduction) != "mean":
        return ref._reduce(loss, reduction)
    problem = _problem(input, target, weight, ignore_index, reduction, label_smoothing)
    count = np.sum(problem.target != ignore_index) if not problem.probabilities else loss.size
    return ref._reduce(loss, "mean", count)


def cross_entropy_counts_ignored_targets(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """Ignored targets give 0 loss but are still counted in the 'mean' denominator."""
    loss = ref.cross_entropy(input, target, weight, ignore_index, "none", label_smoothing)
    if ref._reduction(reduction) != "mean":
        return ref._reduce(loss, reduction)
    problem = _problem(input, target, weight, ignore_index, reduction, label_smoothing)
    if problem.probabilities:
        return ref._reduce(loss, "mean")
    safe = np.where(problem.target != ignore_index, problem.target, 0)
    return ref._reduce(loss, "mean", np.sum(problem.weight[safe]))


def cross_entropy_smoothing_over_other_classes(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """Label smoothing as 1 - eps on the true class and eps / (K - 1) on the others,
    instead of torch's (1 - eps) one-hot + eps / K on every class."""
    problem = _problem(input, target, weight, ignore_index, reduction, label_smoothing)
    if problem.probabilities or problem.classes < 2:
        return ref.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)
    eps, k = problem.label_smoothing, problem.classes
    logp = act.log_softmax(problem.scores, -1)
    valid, safe, w_y = ref._index_parts(problem)
    one_hot = np.arange(k) == safe[..., None]
    q = np.where(one_hot, 1 - eps, eps / (k - 1))
    loss = np.where(valid, -np.sum(problem.weight[safe][..., None] * q * logp, axis=-1), 0.0)
    return ref._reduce(loss, problem.reduction, np.sum(w_y))


def cross_entropy_smoothing_ignores_weight(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """The label-smoothing term sum_c -log p_c is left unweighted; torch weights it by w_c."""
    problem = _problem(input, target, weight, ignore_index, reduction, label_smoothing)
    if problem.probabilities or not problem.label_smoothing:
        return ref.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)
    eps, k = problem.label_smoothing, problem.classes
    logp = act.log_softmax(problem.scores, -1)
    valid, safe, w_y = ref._index_parts(problem)
    nll = np.where(valid, -w_y * np.take_along_axis(logp, safe[..., None], -1)[..., 0], 0.0)
    smooth = np.where(valid, -np.sum(logp, axis=-1), 0.0)
    loss = (1 - eps) * nll + eps / k * smooth
    return ref._reduce(loss, problem.reduction, np.sum(w_y))


def cross_entropy_sum_instead_of_mean(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """'mean' adds the per-sample losses instead of averaging them over the batch."""
    reduction = "sum" if reduction == "mean" else reduction
    return ref.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)


def cross_entropy_log_of_softmax(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """-log(softmax(x)[y]): the softmax underflows to 0 for a very unlikely target, giving inf."""
    problem = _problem(input, target, weight, ignore_index, reduction, label_smoothing)
    with np.errstate(divide="ignore", invalid="ignore"):
        return ref._class_loss(problem, np.log(act.softmax(problem.scores, -1)))


def nll_loss_negated(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Forgets the minus sign: returns w[y] * log p[y], which is never positive."""
    loss = ref.nll_loss(input, target, weight, ignore_index, reduction)
    return -loss


def nll_loss_takes_log(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Takes the log of its input as if it were probabilities: log of a log-probability is nan."""
    x = ref.as_float64(input, "input")
    ref.nll_loss(x, target, weight, ignore_index, reduction)  # the reference's validation
    with np.errstate(divide="ignore", invalid="ignore"):
        return ref.nll_loss(np.log(x), target, weight, ignore_index, reduction)


def nll_loss_mean_ignores_weights(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """With class weights, 'mean' divides by the number of targets, not the sum of their weights."""
    loss = ref.nll_loss(input, target, weight, ignore_index, "none")
    if ref._reduction(reduction) != "mean":
        return ref._reduce(loss, reduction)
    target = ref.as_int_array(target, "target")
    return ref._reduce(loss, "mean", np.sum(target != ignore_index))


def cross_entropy_grad_not_divided_by_n(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """Returns softmax(x) - y for 'mean' without dividing by the number of samples."""
    reduction = "sum" if reduction == "mean" else reduction
    return ref.cross_entropy_grad(input, target, weight, ignore_index, reduction, label_smoothing)


def cross_entropy_grad_without_smoothing(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """Uses the hard one-hot target (softmax - e_y) even when label smoothing is on."""
    return ref.cross_entropy_grad(input, target, weight, ignore_index, reduction, 0.0)


def cross_entropy_grad_one_hot_forgotten(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """Returns softmax(x), scaled as the loss, without subtracting the (smoothed) target:
    p instead of p - y."""
    problem = _problem(input, target, weight, ignore_index, reduction, label_smoothing)
    p = act.softmax(problem.scores, -1)
    w, eps, classes = problem.weight, problem.label_smoothing, problem.classes
    if problem.probabilities:
        grad = p * np.sum(w * ref._smoothed(problem), axis=-1, keepdims=True)
        denominator = grad[..., 0].size
    else:
        valid, _, w_y = ref._index_parts(problem)
        grad = ((1 - eps) * w_y[..., None] + eps / classes * np.sum(w)) * p
        grad = np.where(valid[..., None], grad, 0.0)
        denominator = np.sum(w_y) if valid.any() else 1.0
    if problem.reduction == "mean":
        grad = grad / denominator
    return np.moveaxis(grad, -1, problem.class_axis)


# --------------------------------------------------------------------------- binary


def binary_cross_entropy_without_clamp(input, target, weight=None, reduction="mean"):
    """log(p) without torch's clamp at -100: a prediction of exactly 0 or 1 gives inf."""
    x = ref.as_float64(input, "input")
    ref.binary_cross_entropy(x, target, weight, reduction)  # the reference's validation
    t = ref.as_float64(target, "target")
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = -(t * np.log(x) + (1 - t) * np.log(1 - x))
    if weight is not None:
        loss = loss * ref.as_float64(weight, "weight")
    return ref._reduce(loss, reduction)


def binary_cross_entropy_sum_instead_of_mean(input, target, weight=None, reduction="mean"):
    """'mean' adds the element losses instead of averaging them."""
    return ref.binary_cross_entropy(input, target, weight, "sum" if reduction == "mean" else reduction)


def binary_cross_entropy_clips_probabilities(input, target, weight=None, reduction="mean"):
    """Clips p to [1e-7, 1 - 1e-7] (Keras' epsilon) instead of clamping the logs at -100:
    a prediction of exactly 0 or 1 costs -log(1e-7) = 16.1, not 100."""
    x = ref.as_float64(input, "input")
    ref.binary_cross_entropy(x, target, weight, reduction)  # the reference's validation
    t = ref.as_float64(target, "target")
    p = np.clip(x, ref.KERAS_EPSILON, 1 - ref.KERAS_EPSILON)
    loss = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    if weight is not None:
        loss = loss * ref.as_float64(weight, "weight")
    return ref._reduce(loss, reduction)


def binary_cross_entropy_with_logits_naive(
    input, target, weight=None, reduction="mean", pos_weight=None
):
    """log(sigmoid(x)) and log(1 - sigmoid(x)) computed directly: inf for large |logits|."""
    x, t, w, reduction, pw = ref._logit_problem(input, target, weight, reduction, pos_weight)
    p = act.sigmoid(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = -((1.0 if pw is None else pw) * t * np.log(p) + (1 - t) * np.log(1 - p))
    return ref._reduce(loss if w is None else loss * w, reduction)


def binary_cross_entropy_with_logits_via_clamped_bce(
    input, target, weight=None, reduction="mean", pos_weight=None
):
    """binary_cross_entropy(sigmoid(x), t) with torch's clamp: once sigmoid rounds to 0 or 1
    (|x| above about 37) the loss is stuck at 100 instead of growing with |x|."""
    x, t, w, reduction, pw = ref._logit_problem(input, target, weight, reduction, pos_weight)
    p = act.sigmoid(x)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), ref.BCE_LOG_CLAMP)
        log_q = np.maximum(np.log1p(-p), ref.BCE_LOG_CLAMP)
    loss = -((1.0 if pw is None else pw) * t * log_p + (1 - t) * log_q)
    return ref._reduce(loss if w is None else loss * w, reduction)


def binary_cross_entropy_with_logits_pos_weight_on_negatives(
    input, target, weight=None, reduction="mean", pos_weight=None
):
    """pos_weight multiplies the negative term (1 - t) log(1 - p) instead of the positive one."""
    x, t, w, reduction, pw = ref._logit_problem(input, target, weight, reduction, pos_weight)
    pw = 1.0 if pw is None else pw
    loss = -(t * act.log_sigmoid(x) + pw * (1 - t) * act.log_sigmoid(-x))
    return ref._reduce(loss if w is None else loss * w, reduction)


def binary_cross_entropy_with_logits_pos_weight_on_both_terms(
    input, target, weight=None, reduction="mean", pos_weight=None
):
    """pos_weight multiplies the whole loss, like weight, instead of the positive term only."""
    x, t, w, reduction, pw = ref._logit_problem(input, target, weight, reduction, pos_weight)
    loss = ref.binary_cross_entropy_with_logits(x, t, w, "none")
    return ref._reduce(loss if pw is None else loss * pw, reduction)


def binary_cross_entropy_with_logits_grad_sign_flipped(
    input, target, weight=None, reduction="mean", pos_weight=None
):
    """Returns y - sigmoid(x), the negative gradient (the descent direction)."""
    return -ref.binary_cross_entropy_with_logits_grad(input, target, weight, reduction, pos_weight)


# --------------------------------------------------------------------------- regression


def mse_loss_sum_instead_of_mean(input, target, reduction="mean", weight=None):
    """'mean' adds the squared errors instead of averaging them."""
    return ref.mse_loss(input, target, "sum" if reduction == "mean" else reduction, weight)


def mse_loss_root_mean_square(input, target, reduction="mean", weight=None):
    """Takes the square root: that is the RMSE, not the MSE."""
    return np.sqrt(ref.mse_loss(input, target, reduction, weight))


def l1_loss_without_abs(input, target, reduction="mean", weight=None):
    """Forgets the absolute value, so positive and negative errors cancel."""
    x, t, w, reduction = ref._regression_problem(input, target, weight, reduction)
    return ref._weighted(x - t, w, reduction)


def gaussian_nll_loss_without_half(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Forgets the factor 0.5 in front of log(var) + (x - t)^2 / var."""
    return 2 * ref.gaussian_nll_loss(input, target, var, full, eps, reduction)


def gaussian_nll_loss_without_eps_clamp(
    input, target, var, full=False, eps=1e-6, reduction="mean"
):
    """Does not clamp var at eps: a zero variance gives inf or nan."""
    x = ref.as_float64(input, "input")
    ref.gaussian_nll_loss(x, target, var, full, eps, reduction)  # the reference's validation
    v = ref._variance(var, x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = 0.5 * (np.log(v) + (x - ref.as_float64(target, "target")) ** 2 / v)
    if full:
        loss = loss + 0.5 * np.log(2 * np.pi)
    return ref._reduce(loss, reduction)


# --------------------------------------------------------------------------- focal


def sigmoid_focal_loss_alpha_on_both_terms(inputs, targets, alpha=0.25, gamma=2, reduction="none"):
    """Multiplies every element by alpha, instead of alpha for positives and 1 - alpha for negatives."""
    ref.sigmoid_focal_loss(inputs, targets, alpha, gamma, reduction)  # the reference's validation
    loss = ref.sigmoid_focal_loss(inputs, targets, -1, gamma, "none")
    factor = alpha if alpha >= 0 else 1.0
    return ref._reduce(factor * loss, reduction)


def sigmoid_focal_loss_gamma_on_p(inputs, targets, alpha=0.25, gamma=2, reduction="none"):
    """Modulates with (1 - p)^gamma, p = sigmoid(x), instead of (1 - p_t)^gamma."""
    x = ref.as_float64(inputs, "inputs")
    ref.sigmoid_focal_loss(x, targets, alpha, gamma, reduction)  # the reference's validation
    t = ref.as_float64(targets, "targets")
    loss = ref.binary_cross_entropy_with_logits(x, t, reduction="none") * act.sigmoid(-x) ** gamma
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return ref._reduce(loss, reduction)


def sigmoid_focal_loss_negative_alpha_applied(inputs, targets, alpha=0.25, gamma=2, reduction="none"):
    """Weights by alpha t + (1 - alpha)(1 - t) even when alpha < 0, which torchvision reads as
    'no class weighting'."""
    ref.sigmoid_focal_loss(inputs, targets, alpha, gamma, reduction)  # the reference's validation
    t = ref.as_float64(targets, "targets")
    loss = ref.sigmoid_focal_loss(inputs, t, -1, gamma, "none") * (alpha * t + (1 - alpha) * (1 - t))
    return ref._reduce(loss, reduction)


def categorical_focal_loss_gamma_on_p(
    y_true,
    y_pred,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
    reduction="sum_over_batch_size",
):
    """Modulates with p^gamma instead of (1 - p)^gamma, which focuses on the easy examples."""
    ref.categorical_focal_loss(
        y_true, y_pred, alpha, gamma, from_logits, label_smoothing, axis, reduction
    )
    p = ref.as_float64(y_pred, "y_pred")
    y = ref.as_float64(y_true, "y_true")
    if label_smoothing:
        y = y * (1 - label_smoothing) + label_smoothing / p.shape[axis]
    if from_logits:
        p = act.softmax(p, axis)
    p = np.clip(p / np.sum(p, axis=axis, keepdims=True), ref.KERAS_EPSILON, 1 - ref.KERAS_EPSILON)
    loss = np.sum(alpha * p**gamma * (-y * np.log(p)), axis=axis)
    reduction = "none" if reduction is None else reduction
    return ref._reduce(loss, "mean" if reduction == "sum_over_batch_size" else reduction)


def categorical_focal_loss_logits_as_probabilities(
    y_true,
    y_pred,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
    reduction="sum_over_batch_size",
):
    """Ignores from_logits=True and treats the logits as probabilities (no softmax)."""
    return ref.categorical_focal_loss(
        y_true, y_pred, alpha, gamma, False, label_smoothing, axis, reduction
    )


MISTAKES = (
    mistake(softmax_without_max_shift, ref.softmax,
            "Subtract the largest logit before exp(); otherwise exp overflows to inf and softmax returns nan."),
    mistake(log_softmax_as_log_of_softmax, ref.log_softmax,
            "log(softmax(x)) gives -inf when a probability underflows to 0; compute x - max - log(sum(exp(x - max)))."),
    mistake(log_softmax_without_max_shift, ref.log_softmax,
            "x - log(sum(exp(x))) overflows for large logits; subtract the maximum first (log-sum-exp trick)."),
    mistake(logsumexp_without_max_shift, ref.logsumexp,
            "log(sum(exp(x))) overflows for large x; compute m + log(sum(exp(x - m))) with m the maximum."),
    mistake(log_sigmoid_as_log_of_sigmoid, ref.log_sigmoid,
            "log(sigmoid(x)) is -inf for very negative x; use min(x, 0) - log1p(exp(-|x|))."),
    mistake(sigmoid_as_exp_ratio, ref.sigmoid,
            "exp(x) / (1 + exp(x)) is inf / inf = nan for large x; use 1 / (1 + exp(-x)) for x >= 0 and exp(x) / (1 + exp(x)) only for x < 0."),
    mistake(softmax_over_batch_axis, ref.softmax,
            "Normalise along the class axis you are given (axis=-1 for (N, K) logits): each row, not each column, must sum to 1."),
    mistake(softmax_over_all_elements, ref.softmax,
            "np.sum without an axis adds every element of the batch; sum along the class axis with keepdims=True so each row sums to 1."),
    mistake(cross_entropy_on_softmax_output, ref.cross_entropy,
            "cross_entropy takes raw logits and applies log_softmax itself; do not apply softmax first."),
    mistake(cross_entropy_mean_ignores_weights, ref.cross_entropy,
            "With class weights, the 'mean' divides by the sum of the targets' weights, not by the number of targets."),
    mistake(cross_entropy_counts_ignored_targets, ref.cross_entropy,
            "Targets equal to ignore_index must also be left out of the 'mean' denominator."),
    mistake(cross_entropy_smoothing_over_other_classes, ref.cross_entropy,
            "Label smoothing mixes the one-hot target with the uniform eps/K over all K classes, not eps/(K-1) over the others."),
    mistake(cross_entropy_smoothing_ignores_weight, ref.cross_entropy,
            "The label-smoothing term is weighted too: eps/K * sum_c w_c * (-log p_c)."),
    mistake(cross_entropy_sum_instead_of_mean, ref.cross_entropy,
            "The cross-entropy is the mean over the batch: divide the sum of the per-sample losses by N."),
    mistake(cross_entropy_log_of_softmax, ref.cross_entropy,
            "-log(softmax(z)[y]) is inf when that probability underflows to 0; use log_softmax (z - max - log(sum(exp(z - max))))."),
    mistake(nll_loss_negated, ref.nll_loss,
            "The negative log-likelihood is minus the log-probability of the target class; check the sign."),
    mistake(nll_loss_takes_log, ref.nll_loss,
            "nll_loss takes log-probabilities already (the output of log_softmax): do not take their log again, just pick -log_probs[n, y_n]."),
    mistake(nll_loss_mean_ignores_weights, ref.nll_loss,
            "With class weights, the 'mean' divides by the sum of the targets' weights, not by the number of targets."),
    mistake(cross_entropy_grad_not_divided_by_n, ref.cross_entropy_grad,
            "With reduction='mean' the gradient softmax(x) - y must be divided by the mean's denominator (N without weights)."),
    mistake(cross_entropy_grad_without_smoothing, ref.cross_entropy_grad,
            "With label smoothing the gradient is softmax(x) minus the smoothed target, not the one-hot target."),
    mistake(cross_entropy_grad_one_hot_forgotten, ref.cross_entropy_grad,
            "The gradient of the cross-entropy with respect to the logits is softmax(z) minus the one-hot target (divided by N), not softmax(z) alone."),
    mistake(binary_cross_entropy_without_clamp, ref.binary_cross_entropy,
            "log(0) is -inf; PyTorch clamps the logs at -100, so a prediction of exactly 0 or 1 costs 100, not inf."),
    mistake(binary_cross_entropy_sum_instead_of_mean, ref.binary_cross_entropy,
            "reduction='mean' averages the element losses; you added them."),
    mistake(binary_cross_entropy_clips_probabilities, ref.binary_cross_entropy,
            "PyTorch clamps each log at -100 (a prediction of exactly 0 or 1 costs 100); clipping p to [1e-7, 1 - 1e-7] as Keras does gives 16.1 instead."),
    mistake(binary_cross_entropy_with_logits_naive, ref.binary_cross_entropy_with_logits,
            "log(sigmoid(x)) is -inf for large |x|; use the stable form (1 - t) x - log_sigmoid(x)."),
    mistake(binary_cross_entropy_with_logits_via_clamped_bce, ref.binary_cross_entropy_with_logits,
            "binary_cross_entropy(sigmoid(z), y) is stuck at 100 once sigmoid rounds to 0 or 1; compute from the logits: max(z, 0) - z y + log1p(exp(-|z|))."),
    mistake(binary_cross_entropy_with_logits_pos_weight_on_negatives, ref.binary_cross_entropy_with_logits,
            "pos_weight multiplies the positive term t * log(p), not the negative term (1 - t) * log(1 - p)."),
    mistake(binary_cross_entropy_with_logits_pos_weight_on_both_terms, ref.binary_cross_entropy_with_logits,
            "pos_weight multiplies only the positive term t * log(p), not the whole loss."),
    mistake(binary_cross_entropy_with_logits_grad_sign_flipped, ref.binary_cross_entropy_with_logits_grad,
            "The gradient of the loss is sigmoid(x) - t, not t - sigmoid(x)."),
    mistake(mse_loss_sum_instead_of_mean, ref.mse_loss,
            "reduction='mean' averages the squared errors; you added them."),
    mistake(mse_loss_root_mean_square, ref.mse_loss,
            "MSE is the mean of the squared errors, without a square root (that would be the RMSE)."),
    mistake(l1_loss_without_abs, ref.l1_loss,
            "The L1 loss averages |x - t|; without the absolute value errors of opposite signs cancel."),
    mistake(gaussian_nll_loss_without_half, ref.gaussian_nll_loss,
            "The Gaussian NLL is 0.5 * (log(var) + (x - t)^2 / var); you dropped the factor 0.5."),
    mistake(gaussian_nll_loss_without_eps_clamp, ref.gaussian_nll_loss,
            "Clamp the variance at eps before dividing and taking the log; a zero variance gives inf."),
    mistake(sigmoid_focal_loss_alpha_on_both_terms, ref.sigmoid_focal_loss,
            "alpha weights the positives and 1 - alpha the negatives: alpha_t = alpha*t + (1 - alpha)*(1 - t)."),
    mistake(sigmoid_focal_loss_gamma_on_p, ref.sigmoid_focal_loss,
            "The focal factor is (1 - p_t)^gamma with p_t the probability of the true label, not (1 - p)^gamma."),
    mistake(sigmoid_focal_loss_negative_alpha_applied, ref.sigmoid_focal_loss,
            "A negative alpha turns the class weighting off (torchvision's rule): use alpha_t only when alpha >= 0."),
    mistake(categorical_focal_loss_gamma_on_p, ref.categorical_focal_loss,
            "The focal factor is (1 - p)^gamma, which down-weights easy examples; p^gamma does the opposite."),
    mistake(categorical_focal_loss_logits_as_probabilities, ref.categorical_focal_loss,
            "With from_logits=True apply softmax to y_pred before the focal cross-entropy."),
)
