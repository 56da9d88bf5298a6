"""Sliding windows shared by ``conv`` and ``pooling``: output sizes, gathering and scattering.

A window is described by the input positions of its taps: ``rows[o, k] = o*stride - padding
+ k*dilation``. Positions outside ``[0, size)`` are padding. Gathering reads every tap at once
(padding taps get a fill value); scattering is its adjoint and adds a gradient back to every
tap, so overlapping windows accumulate.
"""
from __future__ import annotations

import numpy as np

from ._validation import as_float64


def batched(x, name: str) -> tuple[np.ndarray, bool]:
    """A float64 NCHW copy of ``x`` and whether ``x`` was unbatched (CHW), as torch allows."""
    arr = as_float64(x, name)
    if arr.ndim not in (3, 4):
        raise ValueError(
            f"{name} must have 4 dimensions (N, C, H, W) or 3 (C, H, W), got shape {arr.shape}"
        )
    if 0 in arr.shape[-2:]:
        raise ValueError(f"{name} must have non-empty H and W, got shape {arr.shape}")
    return (arr[None], True) if arr.ndim == 3 else (arr, False)


def unbatch(arr: np.ndarray, was_unbatched: bool) -> np.ndarray:
    return arr[0] if was_unbatched else arr


def sliding_output_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int,
                        ceil_mode: bool = False, pad_before: int = 0) -> int:
    """floor((size + pad_total - dilation*(kernel-1) - 1) / stride) + 1 (ceil with ceil_mode).

    With ceil_mode the last window must start inside the input or the left padding (torch's
    rule), so a window starting in the right padding alone is dropped.
    """
    span = size + pad_total - dilation * (kernel - 1) - 1
    if span < 0:
        return 0
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad_before:
        out -= 1
    return out


def window_taps(out: int, kernel: int, stride: int, padding: int, dilation: int) -> np.ndarray:
    """(out, kernel) input positions: ``o*stride - padding + k*dilation``."""
    return np.arange(out)[:, None] * stride - padding + np.arange(kernel)[None, :] * dilation


def gather(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, fill: float
           ) -> tuple[np.ndarray, np.ndarray]:
    """Windows of ``x`` (..., H, W) as (..., OH, OW, KH, KW), and the (OH, OW, KH, KW) mask
    of taps that fall inside the input; the other taps hold ``fill``."""
    height, width = x.shape[-2:]
    row_ok = (rows >= 0) & (rows < height)
    col_ok = (cols >= 0) & (cols < width)
    r = np.clip(rows, 0, height - 1)[:, None, :, None]
    c = np.clip(cols, 0, width - 1)[None, :, None, :]
    valid = row_ok[:, None, :, None] & col_ok[None, :, None, :]
    return np.where(valid, x[..., r, c], fill), valid


def scatter(grad_windows: np.ndarray, rows: np.ndarray, cols: np.ndarray,
            shape: tuple[int, ...]) -> np.ndarray:
    """Adjoint of :func:`gather`: add each tap of (..., OH, OW, KH, KW) back to its input
    position in an array of ``shape``; padding taps are dropped, overlaps accumulate."""
    height, width = shape[-2:]
    out = np.zeros(shape)
    for kh in range(rows.shape[1]):
        r_ok = (rows[:, kh] >= 0) & (rows[:, kh] < height)
        for kw in range(cols.shape[1]):
            c_ok = (cols[:, kw] >= 0) & (cols[:, kw] < width)
            # For one tap, distinct windows hit distinct positions (stride >= 1), so a
            # fancy-indexed += cannot lose an update.
            oh = np.flatnonzero(r_ok)[:, None]
            ow = np.flatnonzero(c_ok)[None, :]
            out[..., rows[oh, kh], cols[ow, kw]] += grad_windows[..., kh, kw][..., oh, ow]
    return out
