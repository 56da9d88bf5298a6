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
    eps_outside_sqrt=False, update_running=True,
):
    """Batch norm with switches for each misconception (arguments validated by the reference)."""
    nm.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    x = as_float64(input, "input")
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


# --- dropout, dropout_backward ------------------------------------------------------------


def no_rescaling(input, mask, p):
    """Zeroes the dropped values but does not divide the kept ones by 1 - p."""
    nm.dropout(input, mask, p)
    return as_float64(input, "input") * as_float64(mask, "mask")


def scales_by_keep_probability(input, mask, p):
    """Multiplies the kept values by 1 - p (the test-time rule of non-inverted dropout)."""
    nm.dropout(input, mask, p)
    return as_float64(input, "input") * as_float64(mask, "mask") * (1 - p)


def mask_means_dropped(input, mask, p):
    """Reads the mask backwards: drops where it holds 1 and keeps where it holds 0."""
    nm.dropout(input, mask, p)
    return nm.dropout(input, 1 - as_float64(mask, "mask"), p)


def gradient_not_rescaled(grad_output, mask, p):
    """Masks the gradient but forgets the forward pass's factor 1/(1 - p)."""
    nm.dropout_backward(grad_output, mask, p)
    return as_float64(grad_output, "grad_output") * as_float64(mask, "mask")


def gradient_not_masked(grad_output, mask, p):
    """Scales the gradient by 1/(1 - p) but lets it through dropped units too."""
    nm.dropout_backward(grad_output, mask, p)
    g = as_float64(grad_output, "grad_output")
    return np.zeros_like(g) if p == 1 else g / (1 - p)


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
    mistake(mean_and_variance_as_constants, nm.batch_norm_backward,
            "The batch mean and variance depend on every input: their gradient terms must be subtracted."),
    mistake(variance_as_constant, nm.batch_norm_backward,
            "The batch variance depends on the inputs too: subtract xhat * mean(grad * xhat)."),
    mistake(no_rescaling, nm.dropout,
            "Inverted dropout divides the kept values by 1-p so the expected output equals the input."),
    mistake(scales_by_keep_probability, nm.dropout,
            "At training time inverted dropout divides by 1-p; multiplying by 1-p is the old test-time rule."),
    mistake(mask_means_dropped, nm.dropout,
            "A mask value of 1 keeps the unit and 0 drops it."),
    mistake(gradient_not_rescaled, nm.dropout_backward,
            "The backward pass multiplies by the same mask/(1-p) as the forward pass."),
    mistake(gradient_not_masked, nm.dropout_backward,
            "No gradient flows to dropped units: multiply the gradient by the mask."),
)
