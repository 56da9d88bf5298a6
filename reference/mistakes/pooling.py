"""Classic wrong answers for pooling and its gradients."""
from __future__ import annotations

import dataclasses

import numpy as np

from .. import pooling as ref
from .._validation import int_tuple, one_of
from .._windows import batched, gather, scatter, unbatch, window_taps
from . import mistake


def _setup(grad_output, input, kernel_size, stride, padding, dilation, ceil_mode):
    """Validated (g, x, windows, unbatched), as the reference backward functions see them."""
    x, unbatched = batched(input, "input")
    win = ref._windows(x.shape, kernel_size, stride, padding, dilation, ceil_mode)
    return ref._grad_output(grad_output, x.shape, win, unbatched), x, win, unbatched


def _stride_one(win):
    """The same windows, but placed one pixel apart."""
    return dataclasses.replace(
        win,
        rows=window_taps(win.out[0], win.kernel[0], 1, win.padding[0], win.dilation[0]),
        cols=window_taps(win.out[1], win.kernel[1], 1, win.padding[1], win.dilation[1]),
    )


def _height_for_width(kernel_size, stride):
    """The first number of each (height, width) pair, for both directions."""
    kernel = int_tuple(kernel_size, "kernel_size", 2)[0]
    return kernel, None if stride is None else int_tuple(stride, "stride", 2)[0]


def _assign_windows(per_tap, win, shape):
    """Write each window's (..., OH, OW, KH, KW) gradient into an array of ``shape`` with =,
    windows in row-major order, so where windows overlap the last one written survives."""
    grad = np.zeros(shape)
    height, width = shape[-2:]
    for i in range(win.out[0]):
        for j in range(win.out[1]):
            for u, r in enumerate(win.rows[i]):
                for v, c in enumerate(win.cols[j]):
                    if 0 <= r < height and 0 <= c < width:
                        grad[..., r, c] = per_tap[..., i, j, u, v]
    return grad


# --- max_pool2d ----------------------------------------------------------------------------

def zero_padding(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """max_pool2d that pads with zeros, so a window of negative numbers can return 0."""
    x, unbatched = batched(input, "input")
    win = ref._windows(x.shape, kernel_size, stride, padding, dilation, ceil_mode)
    windows, _ = gather(x, win.rows, win.cols, 0.0)
    return unbatch(windows.max(axis=(-2, -1)), unbatched)


def ceil_mode_ignored(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """max_pool2d that always rounds the output size down."""
    return ref.max_pool2d(input, kernel_size, stride, padding, dilation, False)


def max_dilation_ignored(input, kernel_size, stride=None, padding=0, dilation=1,
                         ceil_mode=False):
    """max_pool2d whose window taps are adjacent whatever the dilation."""
    return ref.max_pool2d(input, kernel_size, stride, padding, 1, ceil_mode)


def max_forward_stride_ignored(input, kernel_size, stride=None, padding=0, dilation=1,
                               ceil_mode=False):
    """max_pool2d that takes output (i, j) from the window at (i, j) instead of
    (i*stride, j*stride): the output size is right, the windows slide by 1."""
    x, unbatched = batched(input, "input")
    win = _stride_one(ref._windows(x.shape, kernel_size, stride, padding, dilation, ceil_mode))
    windows, _ = gather(x, win.rows, win.cols, -np.inf)
    return unbatch(windows.max(axis=(-2, -1)), unbatched)


def max_stride_default_one(input, kernel_size, stride=None, padding=0, dilation=1,
                           ceil_mode=False):
    """max_pool2d whose stride defaults to 1 instead of kernel_size."""
    return ref.max_pool2d(input, kernel_size, 1 if stride is None else stride, padding, dilation,
                          ceil_mode)


def max_starts_at_zero(input, kernel_size, stride=None, padding=0, dilation=1,
                       ceil_mode=False):
    """max_pool2d whose running maximum starts at 0 instead of at the window's first element
    (or -inf), so a window of negative numbers gives 0."""
    return np.maximum(ref.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode),
                      0.0)


def max_height_for_width(input, kernel_size, stride=None, padding=0, dilation=1,
                         ceil_mode=False):
    """max_pool2d that reads only the first number of a (height, width) kernel_size and
    stride and uses it for both directions, so a non-square window becomes square."""
    kernel, stride = _height_for_width(kernel_size, stride)
    return ref.max_pool2d(input, kernel, stride, padding, dilation, ceil_mode)


# --- max_pool2d_backward -------------------------------------------------------------------

def overwrite_overlaps(grad_output, input, kernel_size, stride=None, padding=0, dilation=1,
                       ceil_mode=False, *, ties="first"):
    """max-pool backward that assigns (=) the gradient instead of adding (+=), so where
    windows overlap only the last window's gradient survives."""
    one_of(ties, "ties", ref.TIE_RULES)
    g, x, win, unbatched = _setup(grad_output, input, kernel_size, stride, padding, dilation,
                                  ceil_mode)
    windows, valid = gather(x, win.rows, win.cols, -np.inf)
    share = ref._max_weights(windows, valid, ties)
    grad = np.zeros(x.shape)
    height, width = x.shape[-2:]
    for i in range(win.out[0]):
        for j in range(win.out[1]):
            for u, r in enumerate(win.rows[i]):
                for v, c in enumerate(win.cols[j]):
                    if 0 <= r < height and 0 <= c < width:
                        hit = share[..., i, j, u, v] > 0
                        grad[..., r, c] = np.where(
                            hit, share[..., i, j, u, v] * g[..., i, j], grad[..., r, c]
                        )
    return unbatch(grad, unbatched)


def overwrite_windows(grad_output, input, kernel_size, stride=None, padding=0, dilation=1,
                      ceil_mode=False, *, ties="first"):
    """max-pool backward that writes each window's whole gradient (grad_output at the maximum,
    zeros elsewhere) with = instead of adding it, so a later overlapping window wipes out an
    earlier window's gradient, even with its zeros."""
    one_of(ties, "ties", ref.TIE_RULES)
    g, x, win, unbatched = _setup(grad_output, input, kernel_size, stride, padding, dilation,
                                  ceil_mode)
    windows, valid = gather(x, win.rows, win.cols, -np.inf)
    share = ref._max_weights(windows, valid, ties)
    return unbatch(_assign_windows(share * g[..., None, None], win, x.shape), unbatched)


def max_backward_stride_ignored(grad_output, input, kernel_size, stride=None, padding=0,
                                dilation=1, ceil_mode=False, *, ties="first"):
    """max-pool backward that looks for output (i, j)'s maximum in the window at (i, j)
    instead of (i*stride, j*stride)."""
    one_of(ties, "ties", ref.TIE_RULES)
    g, x, win, unbatched = _setup(grad_output, input, kernel_size, stride, padding, dilation,
                                  ceil_mode)
    return unbatch(ref._max_backward(g, x, _stride_one(win), ties), unbatched)


def all_ties_full_gradient(grad_output, input, kernel_size, stride=None, padding=0,
                           dilation=1, ceil_mode=False, *, ties="first"):
    """max-pool backward that gives the full gradient to every tied maximum (the gradient
    of a window's output is counted several times)."""
    one_of(ties, "ties", ref.TIE_RULES)
    g, x, win, unbatched = _setup(grad_output, input, kernel_size, stride, padding, dilation,
                                  ceil_mode)
    windows, valid = gather(x, win.rows, win.cols, -np.inf)
    share = np.ceil(ref._max_weights(windows, valid, "split"))
    return unbatch(scatter(share * g[..., None, None], win.rows, win.cols, x.shape),
                   unbatched)


def last_tie(grad_output, input, kernel_size, stride=None, padding=0, dilation=1,
             ceil_mode=False, *, ties="first"):
    """max-pool backward that sends the gradient to the last tied maximum (a >= comparison)
    where torch picks the first (a > comparison)."""
    one_of(ties, "ties", ref.TIE_RULES)
    if ties == "split":
        return ref.max_pool2d_backward(grad_output, input, kernel_size, stride, padding,
                                       dilation, ceil_mode, ties=ties)
    g, x, win, unbatched = _setup(grad_output, input, kernel_size, stride, padding, dilation,
                                  ceil_mode)
    # The last maximum in scan order is the first one in the window read backwards.
    flipped = dataclasses.replace(win, rows=win.rows[:, ::-1], cols=win.cols[:, ::-1])
    return unbatch(ref._max_backward(g, x, flipped, "first"), unbatched)


# --- avg_pool2d ----------------------------------------------------------------------------

def full_kernel_divisor(input, kernel_size, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True, divisor_override=None):
    """avg_pool2d that divides by the full kernel area even where a ceil_mode window hangs
    off the padded input (torch counts padding, not the part beyond it)."""
    if not count_include_pad or divisor_override is not None:
        return ref.avg_pool2d(input, kernel_size, stride, padding, ceil_mode,
                              count_include_pad, divisor_override)
    kh, kw = int_tuple(kernel_size, "kernel_size", 2)
    return ref.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                          divisor_override=kh * kw)


def count_include_pad_ignored(input, kernel_size, stride=None, padding=0, ceil_mode=False,
                              count_include_pad=True, divisor_override=None):
    """avg_pool2d that divides by the number of real elements even when count_include_pad
    asks to count the padding zeros too."""
    return ref.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, False,
                          divisor_override)


def avg_forward_stride_ignored(input, kernel_size, stride=None, padding=0, ceil_mode=False,
                               count_include_pad=True, divisor_override=None):
    """avg_pool2d that takes output (i, j) from the window at (i, j) instead of
    (i*stride, j*stride): the output size is right, the windows slide by 1."""
    x, unbatched = batched(input, "input")
    win = ref._windows(x.shape, kernel_size, stride, padding, 1, ceil_mode)
    divisor = ref._avg_divisor(x.shape, win, count_include_pad, divisor_override)
    slid = _stride_one(win)
    windows, _ = gather(x, slid.rows, slid.cols, 0.0)
    return unbatch(windows.sum(axis=(-2, -1)) / divisor, unbatched)


def avg_stride_default_one(input, kernel_size, stride=None, padding=0, ceil_mode=False,
                           count_include_pad=True, divisor_override=None):
    """avg_pool2d whose stride defaults to 1 instead of kernel_size."""
    return ref.avg_pool2d(input, kernel_size, 1 if stride is None else stride, padding,
                          ceil_mode, count_include_pad, divisor_override)


def avg_height_for_width(input, kernel_size, stride=None, padding=0, ceil_mode=False,
                         count_include_pad=True, divisor_override=None):
    """avg_pool2d that reads only the first number of a (height, width) kernel_size and
    stride and uses it for both directions, so a non-square window becomes square."""
    kernel, stride = _height_for_width(kernel_size, stride)
    return ref.avg_pool2d(input, kernel, stride, padding, ceil_mode, count_include_pad,
                          divisor_override)


# --- avg_pool2d_backward -------------------------------------------------------------------

def no_division(grad_output, input, kernel_size, stride=None, padding=0, ceil_mode=False,
                count_include_pad=True, divisor_override=None):
    """avg-pool backward that copies grad_output to the window without dividing by the
    window's size."""
    ref.avg_pool2d_backward(grad_output, input, kernel_size, stride, padding, ceil_mode,
                            count_include_pad, divisor_override)  # validates
    g, x, win, unbatched = _setup(grad_output, input, kernel_size, stride, padding, 1, ceil_mode)
    return unbatch(ref._avg_backward(g, x.shape, win, 1.0), unbatched)


def avg_backward_stride_ignored(grad_output, input, kernel_size, stride=None, padding=0,
                                ceil_mode=False, count_include_pad=True, divisor_override=None):
    """avg-pool backward that spreads output (i, j)'s gradient over the window at (i, j)
    instead of (i*stride, j*stride)."""
    ref.avg_pool2d_backward(grad_output, input, kernel_size, stride, padding, ceil_mode,
                            count_include_pad, divisor_override)  # validates
    g, x, win, unbatched = _setup(grad_output, input, kernel_size, stride, padding, 1, ceil_mode)
    divisor = ref._avg_divisor(x.shape, win, count_include_pad, divisor_override)
    return unbatch(ref._avg_backward(g, x.shape, _stride_one(win), divisor), unbatched)


def avg_overwrite_overlaps(grad_output, input, kernel_size, stride=None, padding=0,
                           ceil_mode=False, count_include_pad=True, divisor_override=None):
    """avg-pool backward that assigns (=) each window's share instead of adding it (+=), so
    where windows overlap only the last window's share survives."""
    ref.avg_pool2d_backward(grad_output, input, kernel_size, stride, padding, ceil_mode,
                            count_include_pad, divisor_override)  # validates
    g, x, win, unbatched = _setup(grad_output, input, kernel_size, stride, padding, 1, ceil_mode)
    divisor = ref._avg_divisor(x.shape, win, count_include_pad, divisor_override)
    per_tap = np.broadcast_to((g / divisor)[..., None, None], g.shape + win.kernel)
    return unbatch(_assign_windows(per_tap, win, x.shape), unbatched)


# --- adaptive and global pooling -----------------------------------------------------------

def uniform_bins(input, output_size):
    """adaptive_avg_pool2d as a plain avg_pool2d with stride = H // OH and
    kernel = H - (OH - 1) * stride; torch's bins run from floor(i*H/OH) to ceil((i+1)*H/OH)."""
    x, unbatched = batched(input, "input")
    if not isinstance(output_size, (tuple, list)):
        output_size = (output_size, output_size)
    sizes = tuple(s if o is None else o for o, s in zip(output_size, x.shape[-2:]))
    if any(o > s for o, s in zip(sizes, x.shape[-2:])):
        return ref.adaptive_avg_pool2d(input, output_size)
    strides = tuple(s // o for o, s in zip(sizes, x.shape[-2:]))
    kernel = tuple(s - (o - 1) * st for o, s, st in zip(sizes, x.shape[-2:], strides))
    win = ref._windows(x.shape, kernel, strides, 0, 1, False)
    windows, _ = gather(x, win.rows, win.cols, 0.0)
    return unbatch(windows.mean(axis=(-2, -1)), unbatched)


def averages_channels_too(input, *, keepdim=False):
    """Global average pooling that averages over the channels as well as H and W."""
    x, unbatched = batched(input, "input")
    reference = ref.global_avg_pool2d(x, keepdim=keepdim)
    mean = x.mean(axis=(1, 2, 3))
    out = np.broadcast_to(mean.reshape((-1,) + (1,) * (reference.ndim - 1)), reference.shape)
    return unbatch(out.copy(), unbatched)


MISTAKES = (
    mistake(zero_padding, ref.max_pool2d,
            "Max pooling pads with -inf, not 0, so padding can never be the maximum."),
    mistake(ceil_mode_ignored, ref.max_pool2d,
            "With ceil_mode=True the output size rounds up, keeping a last window that hangs off the edge."),
    mistake(max_dilation_ignored, ref.max_pool2d,
            "With dilation d the window's taps are d pixels apart."),
    mistake(overwrite_overlaps, ref.max_pool2d_backward,
            "Where windows overlap, an input gets gradient from each of them: use += not =."),
    mistake(max_backward_stride_ignored, ref.max_pool2d_backward,
            "Output (i, j) comes from the window starting at (i*stride, j*stride), not (i, j)."),
    mistake(all_ties_full_gradient, ref.max_pool2d_backward,
            "When several elements tie for the maximum, only one gets the gradient (torch: the first)."),
    mistake(last_tie, ref.max_pool2d_backward,
            "On ties torch sends the gradient to the first maximum in the window, not the last."),
    mistake(full_kernel_divisor, ref.avg_pool2d,
            "A ceil_mode window that hangs off the edge is divided by its size inside the padded input."),
    mistake(count_include_pad_ignored, ref.avg_pool2d,
            "With count_include_pad=True the padding zeros count in the divisor."),
    mistake(no_division, ref.avg_pool2d_backward,
            "Each element of a window gets grad_output divided by the window's size."),
    mistake(avg_backward_stride_ignored, ref.avg_pool2d_backward,
            "Output (i, j) comes from the window starting at (i*stride, j*stride), not (i, j)."),
    mistake(uniform_bins, ref.adaptive_avg_pool2d,
            "Adaptive pooling bins run from floor(i*H/OH) to ceil((i+1)*H/OH) and may differ in size."),
    mistake(averages_channels_too, ref.global_avg_pool2d,
            "Global average pooling averages each channel over H and W separately."),
    # Added with the pooling assignment (contract: no padding, dilation or ceil_mode).
    mistake(max_forward_stride_ignored, ref.max_pool2d,
            "Output (i, j) is the maximum of the window starting at (i*stride, j*stride), not (i, j)."),
    mistake(max_stride_default_one, ref.max_pool2d,
            "When stride is not given it defaults to kernel_size (windows side by side), not 1."),
    mistake(max_starts_at_zero, ref.max_pool2d,
            "Start the running maximum at the window's first element (or -inf): the maximum of negative numbers is negative, not 0."),
    mistake(max_height_for_width, ref.max_pool2d,
            "A (height, width) pair gives two sizes: the window is kernel_size[0] tall and kernel_size[1] wide, and likewise the stride."),
    mistake(overwrite_windows, ref.max_pool2d_backward,
            "Add each window's gradient into dx (+=); writing the window with = wipes out what an overlapping window put there."),
    mistake(avg_forward_stride_ignored, ref.avg_pool2d,
            "Output (i, j) is the mean of the window starting at (i*stride, j*stride), not (i, j)."),
    mistake(avg_stride_default_one, ref.avg_pool2d,
            "When stride is not given it defaults to kernel_size (windows side by side), not 1."),
    mistake(avg_height_for_width, ref.avg_pool2d,
            "A (height, width) pair gives two sizes: the window is kernel_size[0] tall and kernel_size[1] wide, and likewise the stride."),
    mistake(avg_overwrite_overlaps, ref.avg_pool2d_backward,
            "Where windows overlap, an input gets gradient from each of them: use += not =."),
)
