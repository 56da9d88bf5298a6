"""Classic wrong answers for output sizes, parameter counts and MACs of conv/pool layers.

Each mistake validates its arguments as the reference does and returns what a student with
that misconception would compute (which may be below 1: the student would not raise).
"""
from __future__ import annotations

import math

from reference import conv_arithmetic as ca
from reference._validation import int_tuple, is_int
from reference.mistakes import mistake

# --- conv_output_size ---------------------------------------------------------------------


def _conv(formula, size, kernel_size, stride, padding, dilation):
    """Apply ``formula(n, k, s, p, d)`` per dimension, with symmetric padding ``p``."""
    scalar, dims = ca.conv_dimensions(size, kernel_size, stride, padding, dilation)
    out = tuple(formula(n, k, s, pl, d) for n, k, s, pl, _, d in dims)
    return out[0] if scalar else out


def ceil_instead_of_floor(size, kernel_size, stride=1, padding=0, dilation=1):
    """Rounds the division by the stride up: a partial window at the end is counted."""
    return _conv(
        lambda n, k, s, p, d: -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1,
        size, kernel_size, stride, padding, dilation,
    )


def padding_on_one_side(size, kernel_size, stride=1, padding=0, dilation=1):
    """Adds the padding once instead of on both sides."""
    return _conv(
        lambda n, k, s, p, d: (n + p - d * (k - 1) - 1) // s + 1,
        size, kernel_size, stride, padding, dilation,
    )


def dilation_ignored(size, kernel_size, stride=1, padding=0, dilation=1):
    """Uses the kernel size as if the kernel were not dilated."""
    return _conv(
        lambda n, k, s, p, d: (n + 2 * p - k) // s + 1,
        size, kernel_size, stride, padding, dilation,
    )


def dilation_times_kernel_size(size, kernel_size, stride=1, padding=0, dilation=1):
    """Takes the dilated kernel to span dilation*kernel_size pixels instead of dilation*(k-1)+1."""
    return _conv(
        lambda n, k, s, p, d: (n + 2 * p - d * k) // s + 1,
        size, kernel_size, stride, padding, dilation,
    )


def forgot_plus_one(size, kernel_size, stride=1, padding=0, dilation=1):
    """Counts the steps the window can move but not its first position (missing + 1)."""
    return _conv(
        lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) // s,
        size, kernel_size, stride, padding, dilation,
    )


def stride_ignored(size, kernel_size, stride=1, padding=0, dilation=1):
    """Never divides by the stride, as if the window always moved one pixel."""
    return _conv(
        lambda n, k, s, p, d: n + 2 * p - d * (k - 1),
        size, kernel_size, stride, padding, dilation,
    )


def divides_before_subtracting_kernel(size, kernel_size, stride=1, padding=0, dilation=1):
    """Divides the padded size by the stride first and only then subtracts the kernel."""
    return _conv(
        lambda n, k, s, p, d: (n + 2 * p) // s - d * (k - 1),
        size, kernel_size, stride, padding, dilation,
    )


# --- pool_output_size ---------------------------------------------------------------------


def _pool(formula, size, kernel_size, stride, padding, dilation, ceil_mode):
    """Apply ``formula(n, k, s, p, d, ceil_mode)`` per dimension."""
    ceil_mode = ca._flag(ceil_mode, "ceil_mode")
    scalar, dims = ca.pool_dimensions(size, kernel_size, stride, padding, dilation)
    out = tuple(formula(n, k, s, p, d, ceil_mode) for n, k, s, p, d in dims)
    return out[0] if scalar else out


def _pool_span(n, k, p, d):
    return n + 2 * p - d * (k - 1) - 1


def stride_defaults_to_one(
    size, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False
):
    """Takes the default pooling stride to be 1; it is the kernel size."""
    return ca.pool_output_size(
        size, kernel_size, 1 if stride is None else stride, padding, dilation, ceil_mode
    )


def ceil_mode_without_last_window_rule(
    size, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False
):
    """Rounds up in ceil_mode but keeps a last window that would start in the right padding."""
    def rounded(n, k, s, p, d, ceil):
        span = _pool_span(n, k, p, d)
        return (-(-span // s) if ceil else span // s) + 1

    return _pool(rounded, size, kernel_size, stride, padding, dilation, ceil_mode)


def ceil_mode_ignored(size, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Always rounds down, even when ceil_mode asks to keep a partial last window."""
    return _pool(
        lambda n, k, s, p, d, c: _pool_span(n, k, p, d) // s + 1,
        size, kernel_size, stride, padding, dilation, ceil_mode,
    )


def always_ceil(size, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Always rounds up, as if ceil_mode were the default; pooling rounds down by default."""
    return ca.pool_output_size(size, kernel_size, stride, padding, dilation, True)


# --- conv_transpose_output_size -----------------------------------------------------------


def _transpose(formula, size, kernel_size, stride, padding, output_padding, dilation):
    # The reference validates; then recompute with the wrong formula per dimension.
    ref = ca.conv_transpose_output_size(size, kernel_size, stride, padding, output_padding, dilation)
    scalar = is_int(ref)
    n_dims = 1 if scalar else len(ref)
    args = [
        int_tuple(a, "", n_dims, check=lambda v, _: int(v))
        for a in (size, kernel_size, stride, padding, output_padding, dilation)
    ]
    out = tuple(formula(*dim) for dim in zip(*args))
    return out[0] if scalar else out


def padding_added_not_removed(size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1):
    """Adds the padding as in a convolution; a transposed convolution removes it from the output."""
    return _transpose(
        lambda n, k, s, p, op, d: (n - 1) * s + 2 * p + d * (k - 1) + op + 1,
        size, kernel_size, stride, padding, output_padding, dilation,
    )


def output_padding_ignored(size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1):
    """Leaves out output_padding, which adds rows on one side of the output."""
    return _transpose(
        lambda n, k, s, p, op, d: (n - 1) * s - 2 * p + d * (k - 1) + 1,
        size, kernel_size, stride, padding, output_padding, dilation,
    )


# --- conv_parameter_count, linear_parameter_count, conv_macs --------------------------------


def _count_args(in_channels, out_channels, kernel_size, bias, groups):
    ca.conv_parameter_count(in_channels, out_channels, kernel_size, bias=bias, groups=groups)
    return math.prod(ca._kernel_sizes(kernel_size))


def bias_forgotten(in_channels, out_channels, kernel_size, *, bias=True, groups=1):
    """Counts only the weights; each output channel also has a bias."""
    kernel = _count_args(in_channels, out_channels, kernel_size, bias, groups)
    return out_channels * (in_channels // groups) * kernel


def bias_per_input_channel(in_channels, out_channels, kernel_size, *, bias=True, groups=1):
    """Gives every input-channel slice of a filter its own bias; a filter has one bias."""
    kernel = _count_args(in_channels, out_channels, kernel_size, bias, groups)
    slices = out_channels * (in_channels // groups)
    return slices * kernel + (slices if bias else 0)


def groups_ignored(in_channels, out_channels, kernel_size, *, bias=True, groups=1):
    """Lets each filter see all input channels; with groups it sees in_channels/groups."""
    kernel = _count_args(in_channels, out_channels, kernel_size, bias, groups)
    return out_channels * in_channels * kernel + (out_channels if bias else 0)


def input_channels_ignored(in_channels, out_channels, kernel_size, *, bias=True, groups=1):
    """Counts one k x k kernel per filter; a filter spans every input channel."""
    kernel = _count_args(in_channels, out_channels, kernel_size, bias, groups)
    return out_channels * kernel + (out_channels if bias else 0)


def kernel_not_squared(in_channels, out_channels, kernel_size, *, bias=True, groups=1):
    """Counts kernel_size weights per kernel instead of kernel_size x kernel_size."""
    kernel = _count_args(in_channels, out_channels, kernel_size, bias, groups)
    if is_int(kernel_size):
        kernel = kernel_size
    return out_channels * (in_channels // groups) * kernel + (out_channels if bias else 0)


def weights_only(in_features, out_features, *, bias=True):
    """Counts only the weight matrix; each output also has a bias."""
    ca.linear_parameter_count(in_features, out_features, bias=bias)
    return in_features * out_features


def all_input_channels_summed(in_channels, out_channels, kernel_size, output_size, *, groups=1):
    """Multiplies by all input channels; in a grouped convolution each filter sees in_channels/groups."""
    return ca.conv_macs(in_channels, out_channels, kernel_size, output_size, groups=groups) * groups


MISTAKES = (
    mistake(ceil_instead_of_floor, ca.conv_output_size,
            "Round down: a window that does not fit entirely in the padded input produces no output."),
    mistake(padding_on_one_side, ca.conv_output_size,
            "Padding is added on both sides, so the padded size is size + 2*padding."),
    mistake(dilation_ignored, ca.conv_output_size,
            "A dilated kernel spans dilation*(kernel_size-1)+1 pixels, not kernel_size."),
    mistake(dilation_times_kernel_size, ca.conv_output_size,
            "Dilation spreads the kernel's k taps over dilation*(k-1)+1 pixels, not dilation*k."),
    mistake(forgot_plus_one, ca.conv_output_size,
            "Add 1: the window's first position counts as an output too."),
    mistake(stride_ignored, ca.conv_output_size,
            "Divide by the stride: the window moves stride pixels at a time."),
    mistake(divides_before_subtracting_kernel, ca.conv_output_size,
            "Subtract the kernel's span from the padded size before dividing by the stride."),
    mistake(stride_defaults_to_one, ca.pool_output_size,
            "A pooling layer's stride defaults to its kernel size, not 1."),
    mistake(ceil_mode_without_last_window_rule, ca.pool_output_size,
            "In ceil_mode a last window that would start in the right padding is dropped."),
    mistake(ceil_mode_ignored, ca.pool_output_size,
            "With ceil_mode=True the division is rounded up, keeping a partial last window."),
    mistake(always_ceil, ca.pool_output_size,
            "Pooling rounds down unless ceil_mode=True."),
    mistake(padding_added_not_removed, ca.conv_transpose_output_size,
            "A transposed convolution's padding removes 2*padding from the output size."),
    mistake(output_padding_ignored, ca.conv_transpose_output_size,
            "output_padding adds that many rows/columns to one side of the output."),
    mistake(bias_forgotten, ca.conv_parameter_count,
            "Each output channel has a bias: add out_channels when bias=True."),
    mistake(bias_per_input_channel, ca.conv_parameter_count,
            "A filter has one bias for all its input channels: the bias adds out_channels parameters."),
    mistake(groups_ignored, ca.conv_parameter_count,
            "With groups, each filter sees only in_channels/groups input channels."),
    mistake(input_channels_ignored, ca.conv_parameter_count,
            "Each filter spans every input channel: multiply its kernel by in_channels."),
    mistake(kernel_not_squared, ca.conv_parameter_count,
            "kernel_size=k means a k x k kernel: k*k weights per input channel."),
    mistake(weights_only, ca.linear_parameter_count,
            "A linear layer has a bias per output: add out_features when bias=True."),
    mistake(all_input_channels_summed, ca.conv_macs,
            "In a grouped convolution each output sums over in_channels/groups channels only."),
)
