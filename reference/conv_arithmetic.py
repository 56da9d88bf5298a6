"""Shape and size arithmetic of convolution and pooling layers.

Sizes are ints, or per-dimension tuples: a function returns an int when every size-like
argument is an int, and a tuple (one entry per spatial dimension) when any of them is a
tuple or list. Errors mirror the ones PyTorch raises for the same layer.
"""
from __future__ import annotations

import math

from reference._validation import _describe, int_tuple, is_int, nonnegative_int, one_of, positive_int

__all__ = [
    "conv_dimensions",
    "conv_macs",
    "conv_output_size",
    "conv_parameter_count",
    "conv_transpose_output_size",
    "linear_parameter_count",
    "pool_dimensions",
    "pool_output_size",
]

PADDING_MODES = ("valid", "same")


def _ndim(**arguments) -> int | None:
    """The number of spatial dimensions named by the sequence arguments (None: all scalars)."""
    ndim, first = None, None
    for name, value in arguments.items():
        if isinstance(value, (tuple, list)):
            if ndim is None:
                ndim, first = len(value), name
            elif len(value) != ndim:
                raise ValueError(
                    f"{name} has {len(value)} dimensions but {first} has {ndim}: "
                    f"{name}={value!r}, {first}={arguments[first]!r}"
                )
    if ndim == 0:
        raise ValueError(f"{first} must not be empty")
    return ndim


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {_describe(value)}")
    return value


def _shape(values: tuple[int, ...], scalar: bool):
    return values[0] if scalar else values


def _check_fits(out: tuple[int, ...], size: tuple[int, ...], what: str) -> None:
    if any(o < 1 for o in out):
        raise ValueError(
            f"{what} does not fit: input size {_shape(size, len(size) == 1)!r} gives output "
            f"size {_shape(out, len(out) == 1)!r}, which is too small (must be at least 1)"
        )


def conv_dimensions(size, kernel_size, stride=1, padding=0, dilation=1):
    """Validate ``conv_output_size``'s arguments.

    Returns ``(scalar, dims)``: ``scalar`` is True when the result is an int; ``dims`` holds
    one ``(n, k, s, pad_left, pad_right, d)`` tuple per spatial dimension, with ``'valid'``
    and ``'same'`` resolved to explicit padding the way ``torch.nn.functional.conv2d`` does
    (``'same'`` pads ``d*(k-1)`` in total, the odd one on the right).
    """
    string_padding = isinstance(padding, str)
    ndim = _ndim(
        size=size,
        kernel_size=kernel_size,
        stride=stride,
        dilation=dilation,
        **({} if string_padding else {"padding": padding}),
    )
    scalar, n_dims = ndim is None, ndim or 1
    n = int_tuple(size, "size", n_dims)
    k = int_tuple(kernel_size, "kernel_size", n_dims)
    s = int_tuple(stride, "stride", n_dims)
    d = int_tuple(dilation, "dilation", n_dims)
    if string_padding:
        one_of(padding, "padding", PADDING_MODES)
        if padding == "valid":
            left = right = (0,) * n_dims
        else:
            if any(si != 1 for si in s):
                raise ValueError(
                    f"padding='same' is only supported with stride 1 (as in torch), "
                    f"got stride={stride!r}"
                )
            total = tuple(di * (ki - 1) for di, ki in zip(d, k))
            left = tuple(t // 2 for t in total)
            right = tuple(t - t // 2 for t in total)
    elif is_int(padding) or isinstance(padding, (tuple, list)):
        left = right = int_tuple(padding, "padding", n_dims, check=nonnegative_int)
    else:
        raise TypeError(
            f"padding must be a non-negative int, a sequence of them, or one of "
            f"{PADDING_MODES!r}; got {_describe(padding)}"
        )
    return scalar, tuple(zip(n, k, s, left, right, d))


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    """Output size of a convolution, per spatial dimension.

        out = floor((size + pad_left + pad_right - dilation*(kernel_size-1) - 1) / stride) + 1

    with ``pad_left = pad_right = padding`` for an int; ``'valid'`` is no padding and
    ``'same'`` (stride 1 only, as in torch) keeps ``out = size``. Agrees with the output
    shape of ``torch.nn.functional.conv1d``/``conv2d``/``conv3d``.

    Args:
        size, kernel_size, stride, dilation: positive int or per-dimension tuple.
        padding: non-negative int, per-dimension tuple, ``'valid'`` or ``'same'``.

    Returns:
        An int when every argument is an int, else a tuple.
    """
    scalar, dims = conv_dimensions(size, kernel_size, stride, padding, dilation)
    out = tuple((n + pl + pr - d * (k - 1) - 1) // s + 1 for n, k, s, pl, pr, d in dims)
    _check_fits(out, tuple(dim[0] for dim in dims), "the kernel")
    return _shape(out, scalar)


def pool_dimensions(size, kernel_size, stride=None, padding=0, dilation=1):
    """Validate ``pool_output_size``'s arguments.

    Returns ``(scalar, dims)`` with one ``(n, k, s, p, d)`` tuple per spatial dimension;
    ``stride=None`` means ``stride = kernel_size``. Raises like torch when
    ``padding > kernel_size // 2``.
    """
    ndim = _ndim(
        size=size, kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation
    )
    scalar, n_dims = ndim is None, ndim or 1
    n = int_tuple(size, "size", n_dims)
    k = int_tuple(kernel_size, "kernel_size", n_dims)
    s = k if stride is None else int_tuple(stride, "stride", n_dims)
    p = int_tuple(padding, "padding", n_dims, check=nonnegative_int)
    d = int_tuple(dilation, "dilation", n_dims)
    for pi, ki in zip(p, k):
        if pi > ki // 2:
            raise ValueError(
                f"padding must be at most half of kernel_size (padding <= kernel_size // 2, "
                f"as in torch), got padding={padding!r} and kernel_size={kernel_size!r}"
            )
    return scalar, tuple(zip(n, k, s, p, d))


def pool_output_size(size, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Output size of max or average pooling, per spatial dimension (torch's rule).

        out = floor_or_ceil((size + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1

    With ``ceil_mode`` the last window must start inside the input or the left padding:
    if ``(out-1)*stride >= size + padding``, that window is dropped (``out -= 1``).
    ``stride`` defaults to ``kernel_size``; ``padding`` must be at most ``kernel_size // 2``.
    Agrees with the output shape of ``torch.nn.functional.max_pool2d`` (and ``avg_pool2d``,
    which has no dilation).

    Returns:
        An int when every argument is an int, else a tuple.
    """
    ceil_mode = _flag(ceil_mode, "ceil_mode")
    scalar, dims = pool_dimensions(size, kernel_size, stride, padding, dilation)
    out = []
    for n, k, s, p, d in dims:
        span = n + 2 * p - d * (k - 1) - 1
        o = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1
        out.append(o)
    _check_fits(tuple(out), tuple(dim[0] for dim in dims), "the pooling window")
    return _shape(tuple(out), scalar)


def conv_transpose_output_size(
    size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1
):
    """Output size of a transposed convolution, per spatial dimension.

        out = (size-1)*stride - 2*padding + dilation*(kernel_size-1) + output_padding + 1

    ``output_padding`` must be smaller than ``stride`` or ``dilation`` (as torch requires).
    Agrees with the output shape of ``torch.nn.functional.conv_transpose2d``.

    Returns:
        An int when every argument is an int, else a tuple.
    """
    ndim = _ndim(
        size=size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )
    scalar, n_dims = ndim is None, ndim or 1
    n = int_tuple(size, "size", n_dims)
    k = int_tuple(kernel_size, "kernel_size", n_dims)
    s = int_tuple(stride, "stride", n_dims)
    p = int_tuple(padding, "padding", n_dims, check=nonnegative_int)
    op = int_tuple(output_padding, "output_padding", n_dims, check=nonnegative_int)
    d = int_tuple(dilation, "dilation", n_dims)
    for opi, si, di in zip(op, s, d):
        if opi >= si and opi >= di:
            raise ValueError(
                f"output_padding must be smaller than either stride or dilation (as in torch), "
                f"got output_padding={output_padding!r}, stride={stride!r}, dilation={dilation!r}"
            )
    out = tuple(
        (ni - 1) * si - 2 * pi + di * (ki - 1) + opi + 1
        for ni, ki, si, pi, opi, di in zip(n, k, s, p, op, d)
    )
    _check_fits(out, n, "the padding")
    return _shape(out, scalar)


def _kernel_sizes(kernel_size) -> tuple[int, ...]:
    """Per-dimension kernel sizes; an int means a square 2-D kernel (as ``nn.Conv2d``)."""
    return int_tuple(kernel_size, "kernel_size", _ndim(kernel_size=kernel_size) or 2)


def _groups(in_channels: int, out_channels: int, groups) -> int:
    groups = positive_int(groups, "groups")
    for name, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
        if channels % groups:
            raise ValueError(
                f"{name} must be divisible by groups (as in torch), "
                f"got {name}={channels} and groups={groups}"
            )
    return groups


def conv_parameter_count(in_channels, out_channels, kernel_size, *, bias=True, groups=1):
    """Number of learnable parameters of a convolution layer.

        count = out_channels * (in_channels / groups) * prod(kernel_size) + (out_channels if bias)

    An int ``kernel_size`` means a square 2-D kernel ``k x k`` (as ``nn.Conv2d``); a tuple
    gives every dimension (length 1, 2 or 3 for ``Conv1d``/``Conv2d``/``Conv3d``). Agrees with
    ``sum(p.numel() for p in torch.nn.Conv2d(...).parameters())``.
    """
    in_channels = positive_int(in_channels, "in_channels")
    out_channels = positive_int(out_channels, "out_channels")
    kernel = _kernel_sizes(kernel_size)
    bias = _flag(bias, "bias")
    groups = _groups(in_channels, out_channels, groups)
    weights = out_channels * (in_channels // groups) * math.prod(kernel)
    return weights + (out_channels if bias else 0)


def linear_parameter_count(in_features, out_features, *, bias=True):
    """Number of learnable parameters of a fully connected layer.

        count = out_features * in_features + (out_features if bias)

    Agrees with ``sum(p.numel() for p in torch.nn.Linear(...).parameters())``.
    """
    in_features = positive_int(in_features, "in_features")
    out_features = positive_int(out_features, "out_features")
    bias = _flag(bias, "bias")
    return out_features * in_features + (out_features if bias else 0)


def conv_macs(in_channels, out_channels, kernel_size, output_size, *, groups=1):
    """Multiply-accumulate operations of one convolution on one sample (bias not counted).

        macs = prod(output_size) * out_channels * (in_channels / groups) * prod(kernel_size)

    ``kernel_size`` and ``output_size`` are ints (square, 2-D) or per-dimension tuples of the
    same length; an int next to a tuple is repeated to its length.
    """
    in_channels = positive_int(in_channels, "in_channels")
    out_channels = positive_int(out_channels, "out_channels")
    ndim = _ndim(kernel_size=kernel_size, output_size=output_size) or 2
    kernel = int_tuple(kernel_size, "kernel_size", ndim)
    output = int_tuple(output_size, "output_size", ndim)
    groups = _groups(in_channels, out_channels, groups)
    return math.prod(output) * out_channels * (in_channels // groups) * math.prod(kernel)
