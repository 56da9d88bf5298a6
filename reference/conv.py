"""2-D convolution: the cross-correlation of deep-learning libraries, its gradients, and the
true (kernel-flipped) convolution of the course notes.

Layout is NCHW (unbatched CHW is accepted where torch accepts it); weights are
``(C_out, C_in / groups, KH, KW)``. Everything is computed in float64.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import _describe, as_float64, int_tuple, nonnegative_int, one_of, positive_int
from ._windows import batched, gather, scatter, sliding_output_size, unbatch, window_taps

__all__ = ["conv2d", "conv2d_backward", "convolve2d"]


@dataclass(frozen=True)
class _Geometry:
    """Where every window of a convolution reads: validated arguments and tap positions."""

    pads: tuple[int, int, int, int]  # top, bottom, left, right
    stride: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    out: tuple[int, int]
    rows: np.ndarray  # (OH, KH) input rows
    cols: np.ndarray  # (OW, KW) input columns


def conv_padding(padding, kernel: tuple[int, int], stride: tuple[int, int],
                 dilation: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) zeros for an int, a pair, ``'valid'`` or ``'same'``.

    ``'same'`` pads ``dilation*(kernel-1)`` in total, the odd one extra at the bottom/right,
    as torch does.
    """
    if isinstance(padding, str):
        one_of(padding, "padding", ("valid", "same"))
        if padding == "valid":
            return (0, 0, 0, 0)
        if stride != (1, 1):
            raise ValueError(f"padding='same' needs stride 1, got stride={stride}")
        (th, tw) = (d * (k - 1) for d, k in zip(dilation, kernel))
        return (th // 2, th - th // 2, tw // 2, tw - tw // 2)
    ph, pw = int_tuple(padding, "padding", 2, check=nonnegative_int)
    return (ph, ph, pw, pw)


def _geometry(x_shape, w_shape, stride, padding, dilation, groups) -> _Geometry:
    stride = int_tuple(stride, "stride", 2)
    dilation = int_tuple(dilation, "dilation", 2)
    groups = positive_int(groups, "groups")
    (_, c_in, height, width), (c_out, c_per_group, kh, kw) = x_shape, w_shape
    if c_in % groups or c_out % groups:
        raise ValueError(
            f"groups must divide both input channels ({c_in}) and output channels ({c_out}),"
            f" got groups={groups}"
        )
    if c_per_group * groups != c_in:
        raise ValueError(
            f"weight must have C_in/groups = {c_in // groups} channels in dimension 1"
            f" (input channels {c_in}, groups={groups}), got shape {tuple(w_shape)}"
        )
    if kh == 0 or kw == 0:
        raise ValueError(f"weight must have a non-empty kernel, got shape {tuple(w_shape)}")
    pads = conv_padding(padding, (kh, kw), stride, dilation)
    out_h = sliding_output_size(height, kh, stride[0], pads[0] + pads[1], dilation[0])
    out_w = sliding_output_size(width, kw, stride[1], pads[2] + pads[3], dilation[1])
    if out_h < 1 or out_w < 1:
        raise ValueError(
            f"the dilated kernel ({dilation[0] * (kh - 1) + 1} x {dilation[1] * (kw - 1) + 1})"
            f" is larger than the padded input"
            f" ({height + pads[0] + pads[1]} x {width + pads[2] + pads[3]})"
        )
    return _Geometry(
        pads=pads, stride=stride, dilation=dilation, groups=groups, out=(out_h, out_w),
        rows=window_taps(out_h, kh, stride[0], pads[0], dilation[0]),
        cols=window_taps(out_w, kw, stride[1], pads[2], dilation[1]),
    )


def _grouped_patches(x: np.ndarray, geo: _Geometry) -> np.ndarray:
    """(N, G, C_in/G, OH, OW, KH, KW) windows of x, zero where they read padding."""
    patches, _ = gather(x, geo.rows, geo.cols, 0.0)
    n, c_in = x.shape[:2]
    return patches.reshape(n, geo.groups, c_in // geo.groups, *patches.shape[2:])


def _inputs(input, weight):
    x, unbatched = batched(input, "input")
    w = as_float64(weight, "weight", ndim=4)
    return x, w, unbatched


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """Cross-correlation as ``torch.nn.functional.conv2d``.

    out[n, o, i, j] = bias[o] + sum_{c, u, v} weight[o, c, u, v]
                      * x_pad[n, g*C_in/G + c, i*s_h + u*d_h, j*s_w + v*d_w]
    where g = o // (C_out/G) is the group of output channel o and x_pad is x with zero padding.
    Output size: floor((H + pad_top + pad_bottom - d*(K-1) - 1) / s) + 1.

    input: (N, C_in, H, W) or (C_in, H, W); weight: (C_out, C_in/groups, KH, KW);
    bias: (C_out,) or None; stride, dilation: int or pair (positive);
    padding: int or pair (non-negative), ``'valid'`` (none) or ``'same'`` (stride 1 only).
    """
    x, w, unbatched = _inputs(input, weight)
    geo = _geometry(x.shape, w.shape, stride, padding, dilation, groups)
    c_out = w.shape[0]
    patches = _grouped_patches(x, geo)
    wg = w.reshape(geo.groups, c_out // geo.groups, *w.shape[1:])
    out = np.einsum("ngchwuv,gocuv->ngohw", patches, wg, optimize=True)
    out = out.reshape(x.shape[0], c_out, *geo.out)
    if bias is not None:
        b = as_float64(bias, "bias", ndim=1)
        if b.shape != (c_out,):
            raise ValueError(f"bias must have shape ({c_out},), got {b.shape}")
        out = out + b[None, :, None, None]
    return unbatch(out, unbatched)


def conv2d_backward(grad_output, input, weight, *, stride=1, padding=0, dilation=1, groups=1,
                    bias=True):
    """Gradients of :func:`conv2d` with respect to input, weight and bias, as torch.autograd.

    grad_weight[o, c, u, v] = sum_{n, i, j} grad_out[n, o, i, j] * x_pad[n, g*C_in/G + c,
                                                                      i*s_h + u*d_h, j*s_w + v*d_w]
    grad_input = the adjoint: every output position sends grad_out * weight back to the input
                 positions its window read (overlaps add; padding positions are dropped); for
                 stride 1 this is the full convolution of grad_out with the flipped kernel.
    grad_bias[o] = sum_{n, i, j} grad_out[n, o, i, j]   (None when ``bias`` is False).

    grad_output: (N, C_out, OH, OW) as conv2d returned it (CHW-style if input was CHW).
    Returns ``(grad_input, grad_weight, grad_bias)``.
    """
    x, w, unbatched = _inputs(input, weight)
    if not isinstance(bias, (bool, np.bool_)):
        raise TypeError(f"bias must be a bool (whether conv2d had a bias), got {_describe(bias)}")
    geo = _geometry(x.shape, w.shape, stride, padding, dilation, groups)
    n, c_out = x.shape[0], w.shape[0]
    expected = (n, c_out, *geo.out)
    g = as_float64(grad_output, "grad_output")
    shown = expected[1:] if unbatched else expected
    if g.shape != shown:
        raise ValueError(f"grad_output must have shape {shown}, got {g.shape}")
    if unbatched:
        g = g[None]
    gg = g.reshape(n, geo.groups, c_out // geo.groups, *geo.out)
    wg = w.reshape(geo.groups, c_out // geo.groups, *w.shape[1:])
    patches = _grouped_patches(x, geo)
    grad_weight = np.einsum("ngohw,ngchwuv->gocuv", gg, patches, optimize=True).reshape(w.shape)
    grad_patches = np.einsum("ngohw,gocuv->ngchwuv", gg, wg, optimize=True)
    grad_patches = grad_patches.reshape(x.shape[:2] + grad_patches.shape[3:])
    grad_input = scatter(grad_patches, geo.rows, geo.cols, x.shape)
    grad_bias = g.sum(axis=(0, 2, 3)) if bias else None
    return unbatch(grad_input, unbatched), grad_weight, grad_bias


def convolve2d(input, kernel, mode: str = "valid") -> np.ndarray:
    """True 2-D convolution (the kernel is flipped), single channel, as
    ``scipy.signal.convolve2d(input, kernel, mode)``.

    full[i, j] = sum_{u, v} input[i - u, j - v] * kernel[u, v]   (zero outside input),
    shape (H + KH - 1, W + KW - 1). ``'valid'`` keeps the positions where the kernel lies
    inside the input, (H - KH + 1, W - KW + 1); ``'same'`` keeps the input's shape, the
    centre of ``'full'`` starting at ((KH - 1) // 2, (KW - 1) // 2).
    Convolution commutes, so for ``'valid'`` a kernel larger than the input in both
    dimensions swaps roles with it, as scipy does.

    input: (H, W); kernel: (KH, KW); mode: ``'full'``, ``'valid'`` or ``'same'``.
    """
    a = as_float64(input, "input", ndim=2)
    k = as_float64(kernel, "kernel", ndim=2)
    one_of(mode, "mode", ("full", "valid", "same"))
    for name, arr in (("input", a), ("kernel", k)):
        if arr.size == 0:
            raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if mode == "valid" and not (a.shape[0] >= k.shape[0] and a.shape[1] >= k.shape[1]):
        if not (k.shape[0] >= a.shape[0] and k.shape[1] >= a.shape[1]):
            raise ValueError(
                "for mode='valid' one of input and kernel must be at least as large as the other"
                f" in every dimension, got shapes {a.shape} and {k.shape}"
            )
        a, k = k, a
    kh, kw = k.shape
    full = conv2d(a[None, None], k[::-1, ::-1][None, None], padding=(kh - 1, kw - 1))[0, 0]
    if mode == "full":
        return full
    if mode == "valid":
        return full[kh - 1: a.shape[0], kw - 1: a.shape[1]]
    top, left = (kh - 1) // 2, (kw - 1) // 2
    return full[top: top + a.shape[0], left: left + a.shape[1]]
