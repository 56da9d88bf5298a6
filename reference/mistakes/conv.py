"""Classic wrong answers for convolution and its gradients."""
from __future__ import annotations

import numpy as np

from .. import conv as ref
from .._validation import as_float64, int_tuple
from . import mistake


def flipped_kernel(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """conv2d computed as a true convolution: the kernel is flipped before sliding."""
    w = as_float64(weight, "weight", ndim=4)
    return ref.conv2d(input, w[..., ::-1, ::-1], bias, stride, padding, dilation, groups)


def bias_forgotten(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """conv2d that never adds the bias."""
    return ref.conv2d(input, weight, None, stride, padding, dilation, groups)


def padding_one_side(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """conv2d that puts all the padding (both sides' worth) at the bottom and right."""
    w = as_float64(weight, "weight", ndim=4)
    top, bottom, left, right = ref.conv_padding(
        padding, w.shape[-2:], int_tuple(stride, "stride", 2), int_tuple(dilation, "dilation", 2)
    )
    x = as_float64(input, "input")
    widths = [(0, 0)] * (x.ndim - 2) + [(0, top + bottom), (0, left + right)]
    return ref.conv2d(np.pad(x, widths), w, bias, stride, 0, dilation, groups)


def dilation_ignored(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """conv2d whose kernel taps are adjacent whatever the dilation."""
    return ref.conv2d(input, weight, bias, stride, padding, 1, groups)


def stride_ignored(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """conv2d that slides one pixel at a time whatever the stride."""
    return ref.conv2d(input, weight, bias, 1, padding, dilation, groups)


def channels_summed_across_groups(input, weight, bias=None, stride=1, padding=0, dilation=1,
                                  groups=1):
    """Grouped conv2d where every output channel reads every group of input channels (with
    the same C_in/groups weights) instead of its own group only."""
    ref.conv2d(input, weight, bias, stride, padding, dilation, groups)  # validates
    x = as_float64(input, "input")
    c_axis = x.ndim - 3
    chunks = np.split(x, groups, axis=c_axis)
    out = sum(ref.conv2d(chunk, weight, None, stride, padding, dilation, 1) for chunk in chunks)
    return out if bias is None else out + _channel_bias(bias, x.ndim)


def _channel_bias(bias, ndim):
    b = as_float64(bias, "bias", ndim=1)
    return b[:, None, None] if ndim == 3 else b[None, :, None, None]


def same_padding_extra_on_left(input, weight, bias=None, stride=1, padding=0, dilation=1,
                               groups=1):
    """padding='same' with an even kernel that puts the odd extra zero row/column at the
    top/left (torch puts it at the bottom/right)."""
    if padding != "same":
        return ref.conv2d(input, weight, bias, stride, padding, dilation, groups)
    w = as_float64(weight, "weight", ndim=4)
    top, bottom, left, right = ref.conv_padding(
        padding, w.shape[-2:], int_tuple(stride, "stride", 2), int_tuple(dilation, "dilation", 2)
    )
    x = as_float64(input, "input")
    widths = [(0, 0)] * (x.ndim - 2) + [(bottom, top), (right, left)]
    return ref.conv2d(np.pad(x, widths), w, bias, stride, 0, dilation, groups)


def grad_weight_last_sample_only(grad_output, input, weight, *, stride=1, padding=0,
                                 dilation=1, groups=1, bias=True):
    """grad_weight from a loop over the batch that assigns (=) instead of accumulating (+=),
    so only the last sample's contribution survives."""
    options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias)
    grad_input, grad_weight, grad_bias = ref.conv2d_backward(grad_output, input, weight, **options)
    x = as_float64(input, "input")
    if x.ndim == 4:
        g = as_float64(grad_output, "grad_output")
        _, grad_weight, _ = ref.conv2d_backward(g[-1:], x[-1:], weight, **options)
    return grad_input, grad_weight, grad_bias


def grad_weight_averaged_over_batch(grad_output, input, weight, *, stride=1, padding=0,
                                    dilation=1, groups=1, bias=True):
    """grad_weight divided by the batch size: the gradient of conv2d is a sum over the batch
    (any averaging belongs to the loss)."""
    grad_input, grad_weight, grad_bias = ref.conv2d_backward(
        grad_output, input, weight, stride=stride, padding=padding, dilation=dilation,
        groups=groups, bias=bias,
    )
    x = as_float64(input, "input")
    return grad_input, grad_weight / (x.shape[0] if x.ndim == 4 else 1), grad_bias


def grad_input_unflipped_kernel(grad_output, input, weight, *, stride=1, padding=0,
                                dilation=1, groups=1, bias=True):
    """grad_input as a full cross-correlation of grad_output with the kernel as it is: the
    kernel must be flipped (each output sends weight[u, v] back to the tap (u, v) it read)."""
    w = as_float64(weight, "weight", ndim=4)
    options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias)
    grad_input, _, _ = ref.conv2d_backward(grad_output, input, w[..., ::-1, ::-1], **options)
    _, grad_weight, grad_bias = ref.conv2d_backward(grad_output, input, w, **options)
    return grad_input, grad_weight, grad_bias


def grad_bias_not_summed_over_positions(grad_output, input, weight, *, stride=1, padding=0,
                                        dilation=1, groups=1, bias=True):
    """grad_bias summed over the batch but averaged over output positions: the bias is added
    at every position, so each position contributes its full gradient."""
    grad_input, grad_weight, grad_bias = ref.conv2d_backward(
        grad_output, input, weight, stride=stride, padding=padding, dilation=dilation,
        groups=groups, bias=bias,
    )
    if grad_bias is not None:
        g = as_float64(grad_output, "grad_output")
        grad_bias = grad_bias / (g.shape[-1] * g.shape[-2])
    return grad_input, grad_weight, grad_bias


def cross_correlation(input, kernel, mode="valid"):
    """convolve2d that slides the kernel without flipping it (what conv2d does)."""
    k = as_float64(kernel, "kernel", ndim=2)
    return ref.convolve2d(input, k[::-1, ::-1], mode)


MISTAKES = (
    mistake(flipped_kernel, ref.conv2d,
            "conv2d is a cross-correlation: slide the kernel as it is, without flipping it."),
    mistake(bias_forgotten, ref.conv2d,
            "Add bias[o] to every position of output channel o."),
    mistake(padding_one_side, ref.conv2d,
            "Padding p adds p zeros on each side (top and bottom, left and right), not 2p on one."),
    mistake(dilation_ignored, ref.conv2d,
            "With dilation d the kernel taps are d pixels apart: read x[i*s + u*d], not x[i*s + u]."),
    mistake(stride_ignored, ref.conv2d,
            "With stride s the window moves s pixels between outputs: read x[i*s + u], not x[i + u]."),
    mistake(channels_summed_across_groups, ref.conv2d,
            "With groups, output channel o only sees the input channels of its own group."),
    mistake(same_padding_extra_on_left, ref.conv2d,
            "padding='same' with an even kernel puts the extra zero at the bottom/right, as torch does."),
    mistake(grad_weight_last_sample_only, ref.conv2d_backward,
            "grad_weight adds up every sample's contribution (+=); assigning (=) keeps only the last."),
    mistake(grad_weight_averaged_over_batch, ref.conv2d_backward,
            "grad_weight is a sum over the batch, not a mean; any averaging belongs to the loss."),
    mistake(grad_input_unflipped_kernel, ref.conv2d_backward,
            "grad_input is a full convolution of grad_output with the kernel flipped by 180 degrees."),
    mistake(grad_bias_not_summed_over_positions, ref.conv2d_backward,
            "grad_bias[o] sums grad_output over the batch and over every position of channel o."),
    mistake(cross_correlation, ref.convolve2d,
            "A true convolution flips the kernel (by 180 degrees) before sliding it."),
)
