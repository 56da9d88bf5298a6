"""Classic wrong answers for convolution and its gradients."""
from __future__ import annotations

import numpy as np

from .. import conv as ref
from .._validation import as_float64, int_tuple
from .._windows import batched, unbatch
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


# --- added with the convolution assignment ----------------------------------------------------

def _swapped(pair):
    """(width, height) for a (height, width) pair; an int (or a padding string) as it is."""
    return tuple(pair)[::-1] if isinstance(pair, (tuple, list)) else pair


def _options(stride, padding, dilation, groups, bias):
    return dict(stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias)


def _padded(input, weight, stride, padding, dilation):
    """x with its zero padding written out, and the (top, bottom, left, right) widths."""
    w = as_float64(weight, "weight", ndim=4)
    pads = ref.conv_padding(padding, w.shape[-2:], int_tuple(stride, "stride", 2),
                            int_tuple(dilation, "dilation", 2))
    x = as_float64(input, "input")
    widths = [(0, 0)] * (x.ndim - 2) + [(pads[0], pads[1]), (pads[2], pads[3])]
    return np.pad(x, widths), pads


def stride_pair_swapped(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """conv2d that reads a (height, width) stride as (width, height): the vertical step is
    taken across the columns and the horizontal one down the rows."""
    return ref.conv2d(input, weight, bias, _swapped(stride), padding, dilation, groups)


def padding_pair_swapped(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """conv2d that reads a (height, width) padding as (width, height): the zero rows go left
    and right, the zero columns top and bottom."""
    return ref.conv2d(input, weight, bias, stride, _swapped(padding), dilation, groups)


def flipped_kernel_backward(grad_output, input, weight, *, stride=1, padding=0, dilation=1,
                            groups=1, bias=True):
    """The exact gradients of :func:`flipped_kernel` (a true convolution): grad_input slides the
    unflipped kernel back, and grad_weight comes out flipped by 180 degrees. A backward pass that
    is consistent with a forward pass that flips the kernel."""
    w = as_float64(weight, "weight", ndim=4)
    options = _options(stride, padding, dilation, groups, bias)
    grad_input, grad_weight, grad_bias = ref.conv2d_backward(grad_output, input, w[..., ::-1, ::-1],
                                                             **options)
    return grad_input, grad_weight[..., ::-1, ::-1], grad_bias


def grad_input_stride_ignored(grad_output, input, weight, *, stride=1, padding=0, dilation=1,
                              groups=1, bias=True):
    """grad_input that sends grad_output[i, j] back to the window at (i, j) instead of
    (i*stride, j*stride), as if the windows slid one pixel at a time; grad_weight and grad_bias
    are right."""
    options = _options(stride, padding, dilation, groups, bias)
    grad_input, grad_weight, grad_bias = ref.conv2d_backward(grad_output, input, weight, **options)
    g = as_float64(grad_output, "grad_output")
    # stride 1 has every window of stride s and more: grad_output in its top-left corner, zeros
    # elsewhere, sends each grad_output[i, j] to the window at (i, j)
    out_1 = ref.conv2d(input, weight, None, 1, padding, dilation, groups).shape
    spread = np.zeros(out_1)
    spread[..., :g.shape[-2], :g.shape[-1]] = g
    grad_input, _, _ = ref.conv2d_backward(spread, input, weight, **{**options, "stride": 1})
    return grad_input, grad_weight, grad_bias


def grad_input_overwrite_overlaps(grad_output, input, weight, *, stride=1, padding=0, dilation=1,
                                  groups=1, bias=True):
    """grad_input from a loop over the output positions (row by row) that assigns (=) each
    window's gradient, sum_o grad_output[o, i, j] * weight[o], instead of adding it (+=): where
    windows overlap (stride < kernel size) the last window written wins."""
    options = _options(stride, padding, dilation, groups, bias)
    _, grad_weight, grad_bias = ref.conv2d_backward(grad_output, input, weight, **options)
    x, unbatched = batched(input, "input")
    w = as_float64(weight, "weight", ndim=4)
    geo = ref._geometry(x.shape, w.shape, stride, padding, dilation, groups)
    g = as_float64(grad_output, "grad_output")
    g = g[None] if unbatched else g
    n, c_out = x.shape[0], w.shape[0]
    gg = g.reshape(n, geo.groups, c_out // geo.groups, *geo.out)
    wg = w.reshape(geo.groups, c_out // geo.groups, *w.shape[1:])
    per_tap = np.einsum("ngohw,gocuv->ngchwuv", gg, wg).reshape(x.shape[:2] + (*geo.out, *w.shape[2:]))
    grad_input = np.zeros(x.shape)
    height, width = x.shape[-2:]
    for i in range(geo.out[0]):
        for j in range(geo.out[1]):
            for u, r in enumerate(geo.rows[i]):
                for v, c in enumerate(geo.cols[j]):
                    if 0 <= r < height and 0 <= c < width:
                        grad_input[..., r, c] = per_tap[..., i, j, u, v]
    return unbatch(grad_input, unbatched), grad_weight, grad_bias


def grad_input_cropped_at_top_left(grad_output, input, weight, *, stride=1, padding=0,
                                   dilation=1, groups=1, bias=True):
    """grad_input computed for the zero-padded input, then cut back to H x W from its top-left
    corner ([:H, :W]) instead of dropping the padding on every side ([p:p+H, p:p+W])."""
    options = _options(stride, padding, dilation, groups, bias)
    _, grad_weight, grad_bias = ref.conv2d_backward(grad_output, input, weight, **options)
    x_pad, _ = _padded(input, weight, stride, padding, dilation)
    grad_padded, _, _ = ref.conv2d_backward(grad_output, x_pad, weight, **{**options, "padding": 0})
    height, width = as_float64(input, "input").shape[-2:]
    return grad_padded[..., :height, :width], grad_weight, grad_bias


def grad_input_padding_kept(grad_output, input, weight, *, stride=1, padding=0, dilation=1,
                            groups=1, bias=True):
    """grad_input of the zero-padded input, returned with the padding still on: shape
    (H + 2p, W + 2p) instead of the input's (H, W)."""
    options = _options(stride, padding, dilation, groups, bias)
    _, grad_weight, grad_bias = ref.conv2d_backward(grad_output, input, weight, **options)
    x_pad, _ = _padded(input, weight, stride, padding, dilation)
    grad_padded, _, _ = ref.conv2d_backward(grad_output, x_pad, weight, **{**options, "padding": 0})
    return grad_padded, grad_weight, grad_bias


def kernel_flipped_upside_down(input, kernel, mode="valid"):
    """convolve2d that flips the kernel's rows only (kernel[::-1], np.flipud): a true
    convolution turns it by 180 degrees, rows and columns."""
    k = as_float64(kernel, "kernel", ndim=2)
    return ref.convolve2d(input, k[:, ::-1], mode)


def kernel_flipped_left_right(input, kernel, mode="valid"):
    """convolve2d that flips the kernel's columns only (kernel[:, ::-1], np.fliplr)."""
    k = as_float64(kernel, "kernel", ndim=2)
    return ref.convolve2d(input, k[::-1, :], mode)


def kernel_transposed(input, kernel, mode="valid"):
    """convolve2d that "flips" the kernel by transposing it (kernel.T) and then slides it
    without flipping: a transpose mirrors across the diagonal, not a half turn."""
    k = as_float64(kernel, "kernel", ndim=2)
    return ref.convolve2d(input, k.T[::-1, ::-1], mode)


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
    mistake(stride_pair_swapped, ref.conv2d,
            "A stride pair is (height, width): the first number is the step down the rows, the second across the columns."),
    mistake(padding_pair_swapped, ref.conv2d,
            "A padding pair is (height, width): the first number of zero rows goes top and bottom, the second number of zero columns left and right."),
    mistake(flipped_kernel_backward, ref.conv2d_backward,
            "These are the gradients of a true convolution (a flipped kernel); conv2d slides the kernel as it is, so its gradients use it unflipped."),
    mistake(grad_input_stride_ignored, ref.conv2d_backward,
            "grad_output[i, j] goes back to the window that produced it, at (i*stride, j*stride), not (i, j)."),
    mistake(grad_input_overwrite_overlaps, ref.conv2d_backward,
            "Windows overlap when stride < kernel size: add (+=) each window's gradient into dx; assigning (=) keeps only the last."),
    mistake(grad_input_cropped_at_top_left, ref.conv2d_backward,
            "Remove the padding from every side of the padded gradient: dx_pad[p:p+H, p:p+W], not dx_pad[:H, :W]."),
    mistake(grad_input_padding_kept, ref.conv2d_backward,
            "dx has the shape of x: compute it for the padded input, then drop the padding (dx_pad[p:p+H, p:p+W])."),
    mistake(kernel_flipped_upside_down, ref.convolve2d,
            "A true convolution turns the kernel by 180 degrees: flip both its rows and its columns (kernel[::-1, ::-1]), not the rows only."),
    mistake(kernel_flipped_left_right, ref.convolve2d,
            "A true convolution turns the kernel by 180 degrees: flip both its columns and its rows (kernel[::-1, ::-1]), not the columns only."),
    mistake(kernel_transposed, ref.convolve2d,
            "Flipping the kernel means turning it by 180 degrees (kernel[::-1, ::-1]); a transpose (kernel.T) mirrors it across the diagonal."),
)
