"""Classic wrong answers for batch normalisation and dropout, forward and backward."""
from __future__ import annotations

import numpy as np

from reference import normalization as nm
from reference._validation import as_float64
from reference.mistakes import mistake

# --- batch_norm ---------------------------------------------------------------------------


def _batch_norm(
    input, running_mean, running_var, weight, bias, training, momentum, eps,
    *, normalise_ddof=0, running_ddof=1, keras_momentum=False, batch_stats_in_eval=False,
    eps_outside_sqrt=False, update_running=True, affine_in_eval=True, channels_last_reshape=False,
):
    """Batch norm with switches for each misconception (arguments validated by the reference)."""
    nm.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    x = as_float64(input, "input")
    if channels_last_reshape and x.ndim > 2:
        # (N, C, *spatial) read as rows of C values in memory order, without moving C last
        y, mean_out, var_out = _batch_norm(
            x.reshape(-1, x.shape[1]), running_mean, running_var, weight, bias, training, momentum,
            eps, normalise_ddof=normalise_ddof, running_ddof=running_ddof, keras_momentum=keras_momentum,
            batch_stats_in_eval=batch_stats_in_eval, eps_outside_sqrt=eps_outside_sqrt,
            update_running=update_running, affine_in_eval=affine_in_eval)
        return y.reshape(x.shape), mean_out, var_out
    axes = (0, *range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    copy = lambda v: None if v is None else as_float64(v, "")  # noqa: E731
    mean_out, var_out = copy(running_mean), copy(running_var)
    if training or batch_stats_in_eval:
        mean, var = x.mean(axis=axes), x.var(axis=axes, ddof=normalise_ddof)
        if training and mean_out is not None and update_running:
            batch_var = x.var(axis=axes, ddof=running_ddof)
            keep = momentum if keras_momentum else 1 - momentum
            mean_out = keep * mean_out + (1 - keep) * mean
            var_out = keep * var_out + (1 - keep) * batch_var
    else:
        mean, var = mean_out, var_out
    scale = np.sqrt(var) + eps if eps_outside_sqrt else np.sqrt(var + eps)
    y = (x - mean.reshape(shape)) / scale.reshape(shape)
    if not (training or affine_in_eval):
        return y, mean_out, var_out
    if weight is not None:
        y = y * as_float64(weight, "").reshape(shape)
    if bias is not None:
        y = y + as_float64(bias, "").reshape(shape)
    return y, mean_out, var_out


def unbiased_variance_in_normalisation(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """Normalises with the unbiased (m-1) batch variance."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps,
                       normalise_ddof=1)


def biased_variance_in_running_estimate(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """Updates the running variance with the biased (m) batch variance."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps,
                       running_ddof=0)


def keras_momentum(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """Applies momentum the Keras way: new = momentum*old + (1-momentum)*batch."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps,
                       keras_momentum=True)


def batch_statistics_in_eval(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """Normalises with the batch's statistics in evaluation mode too."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps,
                       batch_stats_in_eval=True)


def eps_outside_sqrt(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """Divides by sqrt(var) + eps instead of sqrt(var + eps)."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps,
                       eps_outside_sqrt=True)


def running_statistics_not_updated(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """Returns the running statistics unchanged after a training step."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps,
                       update_running=False)


def eval_without_affine(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """In evaluation mode, normalises with the running statistics but leaves out weight and bias."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps,
                       affine_in_eval=False)


def reshape_without_transpose(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """Reshapes (N, C, H, W) straight to (N*H*W, C), without moving the channels last first, so
    each "channel" of the 2-D batch norm gathers values from several channels and positions."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps,
                       channels_last_reshape=True)


# --- batch_norm_backward ------------------------------------------------------------------


def mean_and_variance_as_constants(grad_output, input, weight, eps=1e-5):
    """Back-propagates through (x - mean) / std as if mean and std did not depend on x."""
    _, grad_weight, grad_bias = nm.batch_norm_backward(grad_output, input, weight, eps)
    x, g = as_float64(input, "input"), as_float64(grad_output, "grad_output")
    axes, shape = (0, *range(2, x.ndim)), (1, -1) + (1,) * (x.ndim - 2)
    scale = 1.0 / np.sqrt(x.var(axis=axes) + eps)
    if weight is not None:
        scale = scale * as_float64(weight, "weight")
    return g * scale.reshape(shape), grad_weight, grad_bias


def variance_as_constant(grad_output, input, weight, eps=1e-5):
    """Keeps the gradient through the batch mean but treats the batch variance as a constant."""
    _, grad_weight, grad_bias = nm.batch_norm_backward(grad_output, input, weight, eps)
    x, g = as_float64(input, "input"), as_float64(grad_output, "grad_output")
    axes, shape = (0, *range(2, x.ndim)), (1, -1) + (1,) * (x.ndim - 2)
    scale = 1.0 / np.sqrt(x.var(axis=axes) + eps)
    if weight is not None:
        scale = scale * as_float64(weight, "weight")
    return (g - g.mean(axis=axes).reshape(shape)) * scale.reshape(shape), grad_weight, grad_bias


def gamma_forgotten_in_dx(grad_output, input, weight, eps=1e-5):
    """Computes grad_input as if weight were 1: the factor weight is missing from dx."""
    nm.batch_norm_backward(grad_output, input, weight, eps)
    grad_input, grad_weight, grad_bias = nm.batch_norm_backward(grad_output, input, None, eps)
    return grad_input, grad_weight, grad_bias


def param_grads_batch_axis_only(grad_output, input, weight, eps=1e-5):
    """Sums grad_weight and grad_bias over the batch axis alone (the (N, D) formula), so for
    (N, C, *spatial) input they keep the spatial axes: shape (C, *spatial), not (C,)."""
    grad_input, _, _ = nm.batch_norm_backward(grad_output, input, weight, eps)
    x, g = as_float64(input, "input"), as_float64(grad_output, "grad_output")
    axes, shape = (0, *range(2, x.ndim)), (1, -1) + (1,) * (x.ndim - 2)
    xhat = (x - x.mean(axis=axes).reshape(shape)) / np.sqrt(x.var(axis=axes) + eps).reshape(shape)
    return grad_input, (g * xhat).sum(axis=0), g.sum(axis=0)


def unbiased_variance(grad_output, input, weight, eps=1e-5):
    """The true gradient of batch norm that normalises with the unbiased (m-1) batch variance:
    the backward pass of ``batch_norm.unbiased_variance_in_normalisation``."""
    nm.batch_norm_backward(grad_output, input, weight, eps)
    x, g = as_float64(input, "input"), as_float64(grad_output, "grad_output")
    axes, shape = (0, *range(2, x.ndim)), (1, -1) + (1,) * (x.ndim - 2)
    m = x.size // x.shape[1]
    inv_std = 1.0 / np.sqrt(x.var(axis=axes, ddof=1) + eps)
    xhat = (x - x.mean(axis=axes).reshape(shape)) * inv_std.reshape(shape)
    grad_bias, grad_weight = g.sum(axis=axes), (g * xhat).sum(axis=axes)
    scale = inv_std if weight is None else as_float64(weight, "weight") * inv_std
    grad_input = (scale / m).reshape(shape) * (
        m * g - grad_bias.reshape(shape) - xhat * grad_weight.reshape(shape) * m / (m - 1))
    return grad_input, grad_weight, grad_bias


# --- dropout, dropout_backward ------------------------------------------------------------


def no_rescaling(input, mask, p, training=True):
    """Zeroes the dropped values but does not divide the kept ones by 1 - p."""
    out = nm.dropout(input, mask, p, training)
    return out if not training else as_float64(input, "input") * as_float64(mask, "mask")


def scales_by_keep_probability(input, mask, p, training=True):
    """Multiplies the kept values by 1 - p (the test-time rule of non-inverted dropout)."""
    out = nm.dropout(input, mask, p, training)
    return out if not training else as_float64(input, "input") * as_float64(mask, "mask") * (1 - p)


def mask_means_dropped(input, mask, p, training=True):
    """Reads the mask backwards: drops where it holds 1 and keeps where it holds 0."""
    out = nm.dropout(input, mask, p, training)
    return out if not training else nm.dropout(input, 1 - as_float64(mask, "mask"), p)


def applied_in_eval(input, mask, p, training=True):
    """Applies the mask and the factor 1/(1 - p) in evaluation mode too (training ignored)."""
    nm.dropout(input, mask, p, training)
    return nm.dropout(input, mask, p, True)


def eval_scales_by_keep_probability(input, mask, p, training=True):
    """Right in training, but multiplies by 1 - p in evaluation mode (the test-time rule of
    non-inverted dropout, applied on top of inverted dropout's training-time 1/(1 - p))."""
    out = nm.dropout(input, mask, p, training)
    return out if training else out * (1 - float(p))


def gradient_not_rescaled(grad_output, mask, p, training=True):
    """Masks the gradient but forgets the forward pass's factor 1/(1 - p)."""
    out = nm.dropout_backward(grad_output, mask, p, training)
    return out if not training else as_float64(grad_output, "grad_output") * as_float64(mask, "mask")


def gradient_not_masked(grad_output, mask, p, training=True):
    """Scales the gradient by 1/(1 - p) but lets it through dropped units too."""
    out = nm.dropout_backward(grad_output, mask, p, training)
    if not training:
        return out
    g = as_float64(grad_output, "grad_output")
    return np.zeros_like(g) if p == 1 else g / (1 - p)


def training_ignored(grad_output, mask, p, training=True):
    """Masks and rescales the gradient in evaluation mode too, where the forward pass was the
    identity and its gradient is grad_output itself."""
    nm.dropout_backward(grad_output, mask, p, training)
    return nm.dropout_backward(grad_output, mask, p, True)


MISTAKES = (
    mistake(unbiased_variance_in_normalisation, nm.batch_norm,
            "Normalise with the biased batch variance (divide by m); only the running estimate uses m-1."),
    mistake(biased_variance_in_running_estimate, nm.batch_norm,
            "The running variance is updated with the unbiased batch variance (divide by m-1)."),
    mistake(keras_momentum, nm.batch_norm,
            "In PyTorch, new = (1-momentum)*old + momentum*batch: momentum weights the new batch."),
    mistake(batch_statistics_in_eval, nm.batch_norm,
            "In evaluation mode batch norm uses the running mean and variance, not the batch's."),
    mistake(eps_outside_sqrt, nm.batch_norm,
            "eps goes inside the square root: divide by sqrt(var + eps)."),
    mistake(running_statistics_not_updated, nm.batch_norm,
            "A training step also updates running_mean and running_var with the batch statistics."),
    mistake(eval_without_affine, nm.batch_norm,
            "In evaluation mode the output is still scaled by gamma and shifted by beta: gamma * xhat + beta."),
    mistake(reshape_without_transpose, nm.batch_norm,
            "For (N, C, H, W) input, move the channels last (transpose) before reshaping to (N*H*W, C), "
            "or average over axes (0, 2, 3): x.reshape(-1, C) alone mixes channels and positions."),
    mistake(mean_and_variance_as_constants, nm.batch_norm_backward,
            "The batch mean and variance depend on every input: their gradient terms must be subtracted."),
    mistake(variance_as_constant, nm.batch_norm_backward,
            "The batch variance depends on the inputs too: subtract xhat * mean(grad * xhat)."),
    mistake(gamma_forgotten_in_dx, nm.batch_norm_backward,
            "The output is gamma * xhat + beta, so every path to x goes through gamma: dx has the factor gamma."),
    mistake(param_grads_batch_axis_only, nm.batch_norm_backward,
            "gamma and beta are shared by every position of a channel: sum dgamma and dbeta over N, H and W "
            "(axes (0, 2, 3)), so they have gamma's shape (C,)."),
    mistake(unbiased_variance, nm.batch_norm_backward,
            "Batch norm normalises with the biased batch variance (divide by m); this gradient is that of "
            "a forward pass dividing by m-1."),
    mistake(no_rescaling, nm.dropout,
            "Inverted dropout divides the kept values by 1-p so the expected output equals the input."),
    mistake(scales_by_keep_probability, nm.dropout,
            "At training time inverted dropout divides by 1-p; multiplying by 1-p is the old test-time rule."),
    mistake(mask_means_dropped, nm.dropout,
            "A mask value of 1 keeps the unit and 0 drops it."),
    mistake(applied_in_eval, nm.dropout,
            "In evaluation mode (training=False) dropout is the identity: return x unchanged, no mask, no 1/(1-p)."),
    mistake(eval_scales_by_keep_probability, nm.dropout,
            "Inverted dropout already divides by 1-p at training time, so evaluation returns x itself, "
            "not x * (1-p)."),
    mistake(gradient_not_rescaled, nm.dropout_backward,
            "The backward pass multiplies by the same mask/(1-p) as the forward pass."),
    mistake(gradient_not_masked, nm.dropout_backward,
            "No gradient flows to dropped units: multiply the gradient by the mask."),
    mistake(training_ignored, nm.dropout_backward,
            "In evaluation mode the forward pass is the identity, so its gradient is dout itself: no mask, no 1/(1-p)."),
)
