"""Classic wrong answers for the receptive field of a stack of layers.

Each mistake parses ``layers`` as the reference does and gets ``jump`` and ``start`` right;
only the receptive field follows the wrong rule.
"""
from __future__ import annotations

from reference import receptive_field as rf
from reference.mistakes import mistake


def _stack(grow, layers):
    """Records where ``r_out = grow(r_in, j_in, s_prev, k, s, p, d)``; jump and start are right."""
    square, per_layer = rf.layer_parameters(layers)
    ndim = len(per_layer[0]) if per_layer else 1
    state = [(1, 1, 0.0, 1)] * ndim  # r, j, start, stride of the previous layer
    records = []
    for dims in per_layer:
        state = [
            (grow(r, j, s_prev, k, s, p, d), j * s, start + ((k - 1) * d / 2 - p) * j, s)
            for (r, j, start, s_prev), (k, s, p, d) in zip(state, dims)
        ]
        records.append(rf.make_record([st[:3] for st in state], square))
    return records


def sums_without_jump(layers):
    """Adds (k-1)*d per layer, as if every earlier layer had stride 1."""
    return _stack(lambda r, j, s_prev, k, s, p, d: r + (k - 1) * d, layers)


def multiplies_kernel_sizes(layers):
    """Multiplies the kernel sizes of the layers together."""
    return _stack(lambda r, j, s_prev, k, s, p, d: r * k, layers)


def dilation_ignored(layers):
    """Grows the field by (k-1)*jump, ignoring the gaps a dilated kernel leaves."""
    return _stack(lambda r, j, s_prev, k, s, p, d: r + (k - 1) * j, layers)


def previous_stride_only(layers):
    """Scales a layer's growth by the previous layer's stride, not the product of all earlier strides."""
    return _stack(lambda r, j, s_prev, k, s, p, d: r + (k - 1) * d * s_prev, layers)


def own_stride_included(layers):
    """Scales a layer's growth by the jump after its own stride instead of before it."""
    return _stack(lambda r, j, s_prev, k, s, p, d: r + (k - 1) * d * j * s, layers)


def padding_subtracted(layers):
    """Lets padding shrink the receptive field; padding only shifts where units are centred."""
    return _stack(lambda r, j, s_prev, k, s, p, d: r + ((k - 1) * d - 2 * p) * j, layers)


MISTAKES = (
    mistake(sums_without_jump, rf.receptive_field,
            "After a strided layer, one step of the next kernel covers `jump` input pixels: "
            "add (k-1)*d*jump."),
    mistake(multiplies_kernel_sizes, rf.receptive_field,
            "Receptive fields grow by adding (k-1)*d*jump per layer, not by multiplying kernel sizes."),
    mistake(dilation_ignored, rf.receptive_field,
            "A dilated kernel spans (k-1)*d+1 positions of its input: use (k-1)*d."),
    mistake(previous_stride_only, rf.receptive_field,
            "The jump is the product of the strides of all earlier layers, not just the last one."),
    mistake(own_stride_included, rf.receptive_field,
            "A layer's own stride only affects the layers after it: use the jump before it."),
    mistake(padding_subtracted, rf.receptive_field,
            "Padding does not change the receptive field's size, only where units sit."),
)
