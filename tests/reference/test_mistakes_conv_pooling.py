"""Every conv and pooling mistake imitates its reference's signature and gives a different
answer on a concrete input, shown here."""
import inspect

import numpy as np
import pytest

import reference.mistakes.conv as conv_mistakes
import reference.mistakes.pooling as pooling_mistakes
from reference import conv, pooling

MISTAKES = conv_mistakes.MISTAKES + pooling_mistakes.MISTAKES

_rng = np.random.default_rng(2024)
X = _rng.normal(size=(2, 2, 5, 5))
W = _rng.normal(size=(2, 2, 2, 2))
B = _rng.normal(size=2)
G = _rng.normal(size=(2, 2, 4, 4))  # a grad_output for conv2d(X, W)
G6 = _rng.normal(size=(2, 2, 6, 6))  # a grad_output for conv2d(X, W, padding=1)
EXAMPLE = np.array([[1, 1, 2, 5], [5, 7, 7, 8], [3, 1, 1, 0], [1, 2, 3, 4]], float)[None, None]
ONES = np.ones((1, 1, 4, 4))

# mistake id -> (args, kwargs) on which the mistake and its reference disagree.
EXHIBITS = {
    "conv2d.flipped_kernel": ((X, W, B), {}),
    "conv2d.bias_forgotten": ((X, W, B), {}),
    "conv2d.padding_one_side": ((X, W, B), dict(padding=1)),
    "conv2d.dilation_ignored": ((X, W), dict(dilation=2)),
    "conv2d.stride_ignored": ((X, W), dict(stride=2)),
    "conv2d.channels_summed_across_groups": ((X, W[:, :1]), dict(groups=2)),
    "conv2d.same_padding_extra_on_left": ((X, W), dict(padding="same")),
    "conv2d_backward.grad_weight_last_sample_only": ((G, X, W), {}),
    "conv2d_backward.grad_weight_averaged_over_batch": ((G, X, W), {}),
    "conv2d_backward.grad_input_unflipped_kernel": ((G, X, W), {}),
    "conv2d_backward.grad_bias_not_summed_over_positions": ((G, X, W), dict(bias=True)),
    "convolve2d.cross_correlation": ((X[0, 0], W[0, 0]), dict(mode="full")),
    "max_pool2d.zero_padding": ((-ONES, 3), dict(stride=1, padding=1)),
    "max_pool2d.ceil_mode_ignored": ((X, 2, 2), dict(ceil_mode=True)),
    "max_pool2d.max_dilation_ignored": ((X, 2, 1), dict(dilation=2)),
    "max_pool2d_backward.overwrite_overlaps": ((np.ones((1, 1, 2, 2)), EXAMPLE, 3, 1), {}),
    "max_pool2d_backward.max_backward_stride_ignored": ((np.ones((1, 1, 2, 2)), EXAMPLE, 2), {}),
    "max_pool2d_backward.all_ties_full_gradient": ((np.ones((1, 1, 2, 2)), ONES, 2), {}),
    "max_pool2d_backward.last_tie": ((np.ones((1, 1, 2, 2)), ONES, 2), {}),
    "avg_pool2d.full_kernel_divisor": ((X, 2, 2), dict(ceil_mode=True)),
    "avg_pool2d.count_include_pad_ignored": ((X, 3, 1), dict(padding=1)),
    "avg_pool2d_backward.no_division": ((np.ones((1, 1, 2, 2)), EXAMPLE, 2), {}),
    "avg_pool2d_backward.avg_backward_stride_ignored": ((np.ones((1, 1, 2, 2)), EXAMPLE, 2), {}),
    "adaptive_avg_pool2d.uniform_bins": ((X, 3), {}),
    "global_avg_pool2d.averages_channels_too": ((X,), {}),
    # added with the pooling assignment
    "max_pool2d.max_forward_stride_ignored": ((X, 2, 2), {}),
    "max_pool2d.max_stride_default_one": ((X, 2), {}),
    "max_pool2d.max_starts_at_zero": ((-ONES, 2), {}),
    "max_pool2d.max_height_for_width": ((X, (2, 3)), {}),
    "max_pool2d_backward.overwrite_windows": ((np.ones((1, 1, 2, 2)), EXAMPLE, 3, 1), {}),
    "avg_pool2d.avg_forward_stride_ignored": ((X, 2, 2), {}),
    "avg_pool2d.avg_stride_default_one": ((X, 2), {}),
    "avg_pool2d.avg_height_for_width": ((X, (2, 3)), {}),
    "avg_pool2d_backward.avg_overwrite_overlaps": ((np.ones((1, 1, 2, 2)), EXAMPLE, 3, 1), {}),
    # added with the convolution assignment
    "conv2d.stride_pair_swapped": ((X, W), dict(stride=(1, 2))),
    "conv2d.padding_pair_swapped": ((X, W), dict(padding=(0, 1))),
    "conv2d_backward.flipped_kernel_backward": ((G, X, W), {}),
    "conv2d_backward.grad_input_stride_ignored": ((G[..., :2, :2], X, W), dict(stride=2)),
    "conv2d_backward.grad_input_overwrite_overlaps": ((G, X, W), {}),
    "conv2d_backward.grad_input_cropped_at_top_left": ((G6, X, W), dict(padding=1)),
    "conv2d_backward.grad_input_padding_kept": ((G6, X, W), dict(padding=1)),
    "convolve2d.kernel_flipped_upside_down": ((X[0, 0], W[0, 0]), {}),
    "convolve2d.kernel_flipped_left_right": ((X[0, 0], W[0, 0]), {}),
    "convolve2d.kernel_transposed": ((X[0, 0], W[0, 0]), {}),
}


def _reference(m):
    module, name = m.reference.rsplit(".", 1)
    return {"reference.conv": conv, "reference.pooling": pooling}[module].__dict__[name]


def _differ(a, b) -> bool:
    if isinstance(a, tuple):
        return any(_differ(x, y) for x, y in zip(a, b))
    if a is None or b is None:
        return (a is None) != (b is None)
    a, b = np.asarray(a), np.asarray(b)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("m", MISTAKES, ids=[m.id for m in MISTAKES])
def test_mistake_differs_from_the_reference_on_its_exhibit(m):
    args, kwargs = EXHIBITS[m.id]
    assert _differ(m(*args, **kwargs), _reference(m)(*args, **kwargs))


@pytest.mark.parametrize("m", MISTAKES, ids=[m.id for m in MISTAKES])
def test_mistake_has_the_signature_of_its_reference(m):
    def parameters(function):
        return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]

    assert parameters(m.function) == parameters(_reference(m))


@pytest.mark.parametrize("m", MISTAKES, ids=[m.id for m in MISTAKES])
def test_mistake_is_documented_with_a_one_line_explanation(m):
    assert m.function.__doc__ and m.function.__doc__.strip()
    assert m.explanation.strip() and "\n" not in m.explanation


def test_every_mistake_has_an_exhibit_and_ids_are_unique():
    ids = [m.id for m in MISTAKES]
    assert len(set(ids)) == len(ids)
    assert set(ids) == set(EXHIBITS)


ALWAYS_WRONG = {
    "conv2d.bias_forgotten",
    "conv2d_backward.grad_bias_not_summed_over_positions",
    "convolve2d.cross_correlation",
    "max_pool2d_backward.overwrite_overlaps",
    "avg_pool2d_backward.no_division",
    "adaptive_avg_pool2d.uniform_bins",
    "global_avg_pool2d.averages_channels_too",
    "max_pool2d.max_starts_at_zero",  # the benign input has all-negative windows
    "max_pool2d_backward.overwrite_windows",
    "avg_pool2d_backward.avg_overwrite_overlaps",
    "conv2d_backward.flipped_kernel_backward",  # grad_weight comes out turned by a half turn
    "conv2d_backward.grad_input_overwrite_overlaps",  # a 3x3 kernel at stride 1 overlaps
    "convolve2d.kernel_flipped_upside_down",
    "convolve2d.kernel_flipped_left_right",
    "convolve2d.kernel_transposed",
}


@pytest.mark.parametrize(
    "m", [m for m in MISTAKES if m.id not in ALWAYS_WRONG],
    ids=[m.id for m in MISTAKES if m.id not in ALWAYS_WRONG],
)
def test_mistake_agrees_with_the_reference_where_its_error_does_not_matter(m):
    """A batch of one, no bias, stride 1, no padding, dilation, groups or ceil_mode, a kernel
    symmetric under a half turn and no ties: these mistakes all vanish."""
    rng = np.random.default_rng(7)
    x, w = rng.normal(size=(1, 2, 4, 4)), rng.normal(size=(2, 2, 3, 3))
    w = w + w[..., ::-1, ::-1]
    benign = {
        "conv2d": ((x, w), {}),
        "conv2d_backward": ((rng.normal(size=(1, 2, 2, 2)), x, w), dict(bias=False)),
        "max_pool2d": ((x, 2, 1), {}),
        "max_pool2d_backward": ((rng.normal(size=(1, 2, 3, 3)), x, 2, 1), {}),
        "avg_pool2d": ((x, 2, 1), {}),
        "avg_pool2d_backward": ((rng.normal(size=(1, 2, 3, 3)), x, 2, 1), {}),
    }
    args, kwargs = benign[m.id.split(".")[0]]
    assert not _differ(m(*args, **kwargs), _reference(m)(*args, **kwargs))
