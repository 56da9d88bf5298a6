"""2-D pooling and its gradients: max, average, adaptive average and global pooling.

Layout is NCHW (unbatched CHW is accepted, as torch does). Window geometry follows torch:
``out = floor((H + 2*pad - dilation*(K-1) - 1) / stride) + 1`` (``ceil`` with ceil_mode, in
which case a last window that would start in the right padding is dropped), and the padding
may be at most half the kernel size. Windows that hang off the edge read padding: ``-inf``
for max pooling, nothing (but possibly counted in the divisor) for average pooling.
Overlapping windows accumulate gradients.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import _describe, int_tuple, is_int, nonnegative_int, one_of, positive_int
from ._windows import batched, gather, scatter, sliding_output_size, unbatch, window_taps

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "avg_pool2d_backward",
    "global_avg_pool2d",
    "global_max_pool2d",
    "max_pool2d",
    "max_pool2d_backward",
]

TIE_RULES = ("first", "split")


@dataclass(frozen=True)
class _Windows:
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    out: tuple[int, int]
    rows: np.ndarray  # (OH, KH) input rows, may lie in the padding
    cols: np.ndarray  # (OW, KW)


def _bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {_describe(value)}")
    return bool(value)


def _windows(shape, kernel_size, stride, padding, dilation, ceil_mode) -> _Windows:
    kernel = int_tuple(kernel_size, "kernel_size", 2)
    stride = kernel if stride is None else int_tuple(stride, "stride", 2)
    padding = int_tuple(padding, "padding", 2, check=nonnegative_int)
    dilation = int_tuple(dilation, "dilation", 2)
    ceil_mode = _bool(ceil_mode, "ceil_mode")
    if any(p > k // 2 for p, k in zip(padding, kernel)):
        raise ValueError(
            f"padding must be at most half the kernel size, got padding={padding}"
            f" for kernel_size={kernel}"
        )
    out = tuple(
        sliding_output_size(size, k, s, 2 * p, d, ceil_mode, pad_before=p)
        for size, k, s, p, d in zip(shape[-2:], kernel, stride, padding, dilation)
    )
    if min(out) < 1:
        raise ValueError(
            f"the window (kernel_size={kernel}, dilation={dilation}) is larger than the padded"
            f" input {tuple(s + 2 * p for s, p in zip(shape[-2:], padding))}"
        )
    rows = window_taps(out[0], kernel[0], stride[0], padding[0], dilation[0])
    cols = window_taps(out[1], kernel[1], stride[1], padding[1], dilation[1])
    return _Windows(kernel, stride, padding, dilation, out, rows, cols)


def _grad_output(grad_output, x_shape, win: _Windows, unbatched: bool) -> np.ndarray:
    g, g_unbatched = batched(grad_output, "grad_output")
    expected = x_shape[:2] + win.out
    if g.shape != expected or g_unbatched != unbatched:
        shown = expected[1:] if unbatched else expected
        got = g.shape[1:] if g_unbatched else g.shape
        raise ValueError(f"grad_output must have shape {shown}, got {got}")
    return g


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max pooling as ``torch.nn.functional.max_pool2d``.

    out[n, c, i, j] = max_{u, v} x_pad[n, c, i*s_h + u*d_h, j*s_w + v*d_w], x_pad padded with
    -inf (a window with NaN gives NaN).
    kernel_size, stride (default kernel_size), dilation: int or pair, positive;
    padding: int or pair, at most kernel_size // 2.
    """
    x, unbatched = batched(input, "input")
    win = _windows(x.shape, kernel_size, stride, padding, dilation, ceil_mode)
    windows, _ = gather(x, win.rows, win.cols, -np.inf)
    return unbatch(windows.max(axis=(-2, -1)), unbatched)


def _max_weights(windows: np.ndarray, valid: np.ndarray, ties: str) -> np.ndarray:
    """The share of each window's gradient each tap gets, (..., OH, OW, KH, KW)."""
    flat = windows.reshape(windows.shape[:-2] + (-1,))
    inside = valid.reshape(valid.shape[:-2] + (-1,))
    nan = np.isnan(flat) & inside
    has_nan = nan.any(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        top = inside & (flat == flat.max(axis=-1, keepdims=True))
    # A NaN is the maximum of its window; only NaNs count as maxima when there are any.
    tied = np.where(has_nan, nan, top)
    if ties == "first":
        # torch's CPU scan keeps the first maximum (val > max), but every NaN replaces the
        # running maximum (isnan(val)), so the last NaN wins.
        taps = flat.shape[-1]
        last_nan = taps - 1 - np.argmax(nan[..., ::-1], axis=-1)
        pick = np.where(has_nan[..., 0], last_nan, np.argmax(tied, axis=-1))
        share = (np.arange(taps) == pick[..., None]) & tied
    else:
        count = tied.sum(axis=-1, keepdims=True)
        share = tied / np.maximum(count, 1)
    return share.reshape(windows.shape).astype(np.float64)


def max_pool2d_backward(grad_output, input, kernel_size, stride=None, padding=0, dilation=1,
                        ceil_mode=False, *, ties="first"):
    """Gradient of :func:`max_pool2d` with respect to its input.

    Each window sends its grad_output to its maximum; overlapping windows add up. Ties:
      ``'first'`` (default, what torch.autograd does on CPU): the first maximum in the
        window's row-major scan order gets it all; when a window holds NaN, its last NaN does.
      ``'split'``: the tied maxima (or the window's NaNs) share it equally.
    A dilated window can skip over the input and read padding only (output -inf); it sends
    nothing (torch's backward reads out of bounds there, so it has no defined answer).
    """
    one_of(ties, "ties", TIE_RULES)
    x, unbatched = batched(input, "input")
    win = _windows(x.shape, kernel_size, stride, padding, dilation, ceil_mode)
    g = _grad_output(grad_output, x.shape, win, unbatched)
    return unbatch(_max_backward(g, x, win, ties), unbatched)


def _max_backward(g: np.ndarray, x: np.ndarray, win: _Windows, ties: str) -> np.ndarray:
    windows, valid = gather(x, win.rows, win.cols, -np.inf)
    share = _max_weights(windows, valid, ties)
    return scatter(share * g[..., None, None], win.rows, win.cols, x.shape)


def _avg_divisor(shape, win: _Windows, count_include_pad: bool, divisor_override):
    """(OH, OW) divisors: torch counts padding taps (count_include_pad) but never the part of
    a ceil_mode window that hangs beyond the padding."""
    if divisor_override is not None:
        if not is_int(divisor_override) or divisor_override == 0:
            raise (TypeError if not is_int(divisor_override) else ValueError)(
                f"divisor_override must be a non-zero int or None,"
                f" got {_describe(divisor_override)}"
            )
        return np.full(win.out, float(divisor_override))
    counts = []
    for size, taps, pad in zip(shape[-2:], (win.rows, win.cols), win.padding):
        start, end = taps[:, 0], taps[:, -1] + 1
        if count_include_pad:
            counts.append(np.minimum(end, size + pad) - start)
        else:
            counts.append(np.minimum(end, size) - np.maximum(start, 0))
    return np.outer(counts[0], counts[1]).astype(np.float64)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Average pooling as ``torch.nn.functional.avg_pool2d``.

    out[n, c, i, j] = (sum of the window's input elements) / divisor, where divisor is
      ``divisor_override`` if given; else with count_include_pad the window's size clipped
      to the padded input, (min(h0 + KH, H + pad) - h0) * (same for W), h0 = i*s - pad;
      else the number of real input elements in the window.
    kernel_size, stride (default kernel_size): int or pair; padding at most kernel_size // 2.
    """
    x, unbatched = batched(input, "input")
    win = _windows(x.shape, kernel_size, stride, padding, 1, ceil_mode)
    count_include_pad = _bool(count_include_pad, "count_include_pad")
    divisor = _avg_divisor(x.shape, win, count_include_pad, divisor_override)
    windows, _ = gather(x, win.rows, win.cols, 0.0)
    return unbatch(windows.sum(axis=(-2, -1)) / divisor, unbatched)


def avg_pool2d_backward(grad_output, input, kernel_size, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True, divisor_override=None):
    """Gradient of :func:`avg_pool2d` with respect to its input: each real element of a
    window gets grad_output / divisor (the forward divisor); overlapping windows add up."""
    x, unbatched = batched(input, "input")
    win = _windows(x.shape, kernel_size, stride, padding, 1, ceil_mode)
    count_include_pad = _bool(count_include_pad, "count_include_pad")
    divisor = _avg_divisor(x.shape, win, count_include_pad, divisor_override)
    g = _grad_output(grad_output, x.shape, win, unbatched)
    return unbatch(_avg_backward(g, x.shape, win, divisor), unbatched)


def _avg_backward(g: np.ndarray, shape, win: _Windows, divisor) -> np.ndarray:
    per_tap = np.broadcast_to((g / divisor)[..., None, None], g.shape + win.kernel)
    return scatter(per_tap, win.rows, win.cols, shape)


def _adaptive_bins(size: int, out: int) -> list[tuple[int, int]]:
    # start = floor(i*size/out), end = ceil((i+1)*size/out), in exact integer arithmetic.
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


def adaptive_avg_pool2d(input, output_size):
    """Adaptive average pooling as ``torch.nn.functional.adaptive_avg_pool2d``.

    Output cell (i, j) averages rows [floor(i*H/OH), ceil((i+1)*H/OH)) and columns
    [floor(j*W/OW), ceil((j+1)*W/OW)); bins may overlap. output_size: int or pair of
    positive ints, where None keeps that input dimension.
    """
    x, unbatched = batched(input, "input")
    if is_int(output_size):
        output_size = (output_size, output_size)
    if not isinstance(output_size, (tuple, list)) or len(output_size) != 2:
        raise TypeError(
            f"output_size must be an int or a pair of ints (or None), got {_describe(output_size)}"
        )
    oh, ow = (
        size if o is None else positive_int(o, f"output_size[{i}]")
        for i, (o, size) in enumerate(zip(output_size, x.shape[-2:]))
    )
    rows = np.stack([x[..., a:b, :].mean(axis=-2) for a, b in _adaptive_bins(x.shape[-2], oh)], -2)
    out = np.stack([rows[..., a:b].mean(axis=-1) for a, b in _adaptive_bins(x.shape[-1], ow)], -1)
    return unbatch(out, unbatched)


def global_avg_pool2d(input, *, keepdim=False):
    """Mean over H and W of each channel: ``input.mean(dim=(-2, -1), keepdim=keepdim)``.

    (N, C, H, W) -> (N, C), or (N, C, 1, 1) with keepdim (= adaptive_avg_pool2d(input, 1)).
    """
    x, unbatched = batched(input, "input")
    return unbatch(x.mean(axis=(-2, -1), keepdims=_bool(keepdim, "keepdim")), unbatched)


def global_max_pool2d(input, *, keepdim=False):
    """Maximum over H and W of each channel: ``input.amax(dim=(-2, -1), keepdim=keepdim)``
    (NaN if the channel holds one). (N, C, H, W) -> (N, C), or (N, C, 1, 1) with keepdim."""
    x, unbatched = batched(input, "input")
    return unbatch(x.max(axis=(-2, -1), keepdims=_bool(keepdim, "keepdim")), unbatched)
