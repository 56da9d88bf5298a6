"""The convolution mistakes added with the convolution assignment: each imitates its reference's
signature, differs from it on a concrete input, and does what its docstring says (shown against
the reference, or by hand, on inputs where the answer is easy to see)."""
import inspect

import numpy as np
import pytest

import reference.mistakes.conv as conv_mistakes
from reference import conv
from reference.mistakes import by_id

ADDED = [
    "conv2d.stride_pair_swapped",
    "conv2d.padding_pair_swapped",
    "conv2d_backward.flipped_kernel_backward",
    "conv2d_backward.grad_input_stride_ignored",
    "conv2d_backward.grad_input_overwrite_overlaps",
    "conv2d_backward.grad_input_cropped_at_top_left",
    "conv2d_backward.grad_input_padding_kept",
    "convolve2d.kernel_flipped_upside_down",
    "convolve2d.kernel_flipped_left_right",
    "convolve2d.kernel_transposed",
]

_rng = np.random.default_rng(2027)
X = _rng.normal(size=(2, 3, 6, 7))
W = _rng.normal(size=(2, 3, 3, 2))
B = _rng.normal(size=2)
IMAGE = np.arange(1.0, 21.0).reshape(4, 5)
KERNEL = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


def _grad_output(stride=1, padding=0):
    shape = conv.conv2d(X, W, stride=stride, padding=padding).shape
    return np.random.default_rng(5).normal(size=shape)


# mistake id -> (args, kwargs) on which the mistake and its reference disagree.
EXHIBITS = {
    "conv2d.stride_pair_swapped": ((X, W, B), dict(stride=(1, 2))),
    "conv2d.padding_pair_swapped": ((X, W, B), dict(padding=(0, 1))),
    "conv2d_backward.flipped_kernel_backward": ((_grad_output(), X, W), {}),
    "conv2d_backward.grad_input_stride_ignored": ((_grad_output(stride=2), X, W), dict(stride=2)),
    "conv2d_backward.grad_input_overwrite_overlaps": ((_grad_output(), X, W), {}),
    "conv2d_backward.grad_input_cropped_at_top_left": ((_grad_output(padding=1), X, W),
                                                       dict(padding=1)),
    "conv2d_backward.grad_input_padding_kept": ((_grad_output(padding=1), X, W), dict(padding=1)),
    "convolve2d.kernel_flipped_upside_down": ((IMAGE, KERNEL), {}),
    "convolve2d.kernel_flipped_left_right": ((IMAGE, KERNEL), {}),
    "convolve2d.kernel_transposed": ((IMAGE, KERNEL), {}),
}


def _reference(m):
    return getattr(conv, m.reference.rsplit(".", 1)[1])


def _differ(a, b) -> bool:
    if isinstance(a, tuple):
        return len(a) != len(b) or any(_differ(x, y) for x, y in zip(a, b))
    if a is None or b is None:
        return (a is None) != (b is None)
    a, b = np.asarray(a), np.asarray(b)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-9, atol=1e-12)


def test_every_added_mistake_is_in_the_catalog_with_an_exhibit():
    ids = [m.id for m in conv_mistakes.MISTAKES]
    assert set(ADDED) <= set(ids) and len(ids) == len(set(ids))
    assert set(EXHIBITS) == set(ADDED)


@pytest.mark.parametrize("mistake_id", ADDED)
def test_added_mistake_differs_from_the_reference_on_its_exhibit(mistake_id):
    m = by_id(mistake_id)
    args, kwargs = EXHIBITS[mistake_id]
    assert _differ(m(*args, **kwargs), _reference(m)(*args, **kwargs))


@pytest.mark.parametrize("mistake_id", ADDED)
def test_added_mistake_has_the_signature_of_its_reference_and_explains_itself(mistake_id):
    m = by_id(mistake_id)

    def parameters(function):
        return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]

    assert parameters(m.function) == parameters(_reference(m))
    assert inspect.getdoc(m.function)
    assert m.explanation.strip() and "\n" not in m.explanation


# --- conv2d -----------------------------------------------------------------------------------


def test_swapped_stride_pair_steps_by_the_other_number_in_each_direction():
    m = by_id("conv2d.stride_pair_swapped")
    np.testing.assert_array_equal(m(X, W, B, stride=(1, 2)), conv.conv2d(X, W, B, stride=(2, 1)))
    np.testing.assert_array_equal(m(X, W, B, stride=2), conv.conv2d(X, W, B, stride=2))  # an int
    np.testing.assert_array_equal(m(X, W, B, stride=(2, 2), padding=(1, 0)),
                                  conv.conv2d(X, W, B, stride=2, padding=(1, 0)))


def test_swapped_padding_pair_pads_rows_and_columns_the_other_way():
    m = by_id("conv2d.padding_pair_swapped")
    got = m(X, W, B, padding=(0, 1))
    assert got.shape == (2, 2, 6, 6)  # 6 + 2 rows - 3 + 1 by 7 - 2 + 1, not 4 by 8
    np.testing.assert_array_equal(got, conv.conv2d(X, W, B, padding=(1, 0)))
    np.testing.assert_array_equal(m(X, W, B, padding=1), conv.conv2d(X, W, B, padding=1))


# --- conv2d_backward --------------------------------------------------------------------------


def _loss_gradient(forward, x, w, g, step=1e-6):
    """d sum(g * forward(x, w)) / dx and / dw by central differences (forward is linear)."""
    def numeric(a, f):
        grad = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            e = np.zeros_like(a)
            e[index] = step
            grad[index] = (np.sum(g * f(a + e)) - np.sum(g * f(a - e))) / (2 * step)
        return grad

    return numeric(x, lambda a: forward(a, w)), numeric(w, lambda a: forward(x, a))


def test_flipped_kernel_backward_is_the_exact_gradient_of_the_flipped_kernel_forward():
    m = by_id("conv2d_backward.flipped_kernel_backward")
    forward = by_id("conv2d.flipped_kernel")
    x, w = X[:1, :2, :4, :5], W[:, :2]
    g = np.random.default_rng(3).normal(size=forward(x, w, stride=(1, 2), padding=1).shape)
    dx, dw, db = m(g, x, w, stride=(1, 2), padding=1)
    numeric_dx, numeric_dw = _loss_gradient(
        lambda a, b: forward(a, b, stride=(1, 2), padding=1), x, w, g)
    np.testing.assert_allclose(dx, numeric_dx, atol=1e-6)
    np.testing.assert_allclose(dw, numeric_dw, atol=1e-6)
    np.testing.assert_allclose(db, g.sum(axis=(0, 2, 3)))
    # a kernel symmetric under a half turn hides the flip in dx, never in dw (x is not symmetric)
    sym = W + W[..., ::-1, ::-1]
    ref_dx, ref_dw, _ = conv.conv2d_backward(_grad_output(), X, sym)
    got_dx, got_dw, _ = m(_grad_output(), X, sym)
    np.testing.assert_allclose(got_dx, ref_dx)
    np.testing.assert_allclose(got_dw, ref_dw[..., ::-1, ::-1])


def test_grad_input_stride_ignored_sends_each_gradient_to_the_window_at_i_j():
    m = by_id("conv2d_backward.grad_input_stride_ignored")
    x, w = np.zeros((1, 1, 5, 5)), np.ones((1, 1, 2, 2))
    g = np.array([[1.0, 2.0], [3.0, 4.0]])[None, None]  # stride 3: windows at rows/columns 0 and 3
    dx, dw, db = m(g, x, w, stride=3)
    expected = np.zeros((5, 5))
    for i in range(2):
        for j in range(2):
            expected[i:i + 2, j:j + 2] += g[0, 0, i, j]  # windows one pixel apart, overlapping
    np.testing.assert_array_equal(dx[0, 0], expected)
    ref_dx, ref_dw, ref_db = conv.conv2d_backward(g, x, w, stride=3)
    assert ref_dx[0, 0, 3, 3] == 4 and dx[0, 0, 3, 3] == 0
    np.testing.assert_array_equal(dw, ref_dw)
    np.testing.assert_array_equal(db, ref_db)
    g1 = _grad_output()
    for got, want in zip(m(g1, X, W), conv.conv2d_backward(g1, X, W)):  # stride 1: no difference
        np.testing.assert_allclose(got, want)


def test_grad_input_overwrite_overlaps_keeps_the_last_window_written():
    m = by_id("conv2d_backward.grad_input_overwrite_overlaps")
    x, w = np.zeros((1, 1, 4, 4)), np.ones((2, 1, 2, 2))
    g = np.ones((1, 2, 3, 3))
    dx, _, _ = m(g, x, w)
    # each window writes sum_o g[o] * w[o] = 2 over the taps it covers; the reference adds one
    # 2 per window covering a tap: 2, 4, 4, 2 along each row of windows, times the same down
    np.testing.assert_array_equal(dx[0, 0], np.full((4, 4), 2.0))
    np.testing.assert_array_equal(conv.conv2d_backward(g, x, w)[0][0, 0],
                                  2 * np.outer([1, 2, 2, 1], [1, 2, 2, 1]))
    g2 = _grad_output(stride=(3, 2))
    for got, want in zip(m(g2, X, W, stride=(3, 2)), conv.conv2d_backward(g2, X, W, stride=(3, 2))):
        np.testing.assert_allclose(got, want)  # no overlap: no difference


def test_grad_input_cropped_at_top_left_is_the_padded_gradient_cut_from_its_corner():
    m = by_id("conv2d_backward.grad_input_cropped_at_top_left")
    kept = by_id("conv2d_backward.grad_input_padding_kept")
    g = _grad_output(padding=(1, 2))
    padded, dw, db = kept(g, X, W, padding=(1, 2))
    assert padded.shape == (2, 3, 8, 11)
    np.testing.assert_allclose(padded[..., 1:7, 2:9], conv.conv2d_backward(g, X, W, padding=(1, 2))[0])
    dx, dw2, _ = m(g, X, W, padding=(1, 2))
    np.testing.assert_allclose(dx, padded[..., :6, :7])
    np.testing.assert_allclose(dw, conv.conv2d_backward(g, X, W, padding=(1, 2))[1])
    np.testing.assert_allclose(dw2, dw)
    g0 = _grad_output()
    for mistake in (m, kept):  # no padding: no difference
        for got, want in zip(mistake(g0, X, W), conv.conv2d_backward(g0, X, W)):
            np.testing.assert_allclose(got, want)


# --- convolve2d -------------------------------------------------------------------------------


def _correlate(image, kernel):
    kh, kw = kernel.shape
    return np.array([[np.sum(image[i:i + kh, j:j + kw] * kernel)
                      for j in range(image.shape[1] - kw + 1)] for i in range(image.shape[0] - kh + 1)])


@pytest.mark.parametrize("mistake_id, flip", [
    ("convolve2d.kernel_flipped_upside_down", lambda k: k[::-1, :]),
    ("convolve2d.kernel_flipped_left_right", lambda k: k[:, ::-1]),
    ("convolve2d.kernel_transposed", lambda k: k.T),
], ids=["rows only", "columns only", "transpose"])
def test_convolve2d_mistake_slides_the_wrongly_flipped_kernel(mistake_id, flip):
    m = by_id(mistake_id)
    np.testing.assert_allclose(m(IMAGE, KERNEL), _correlate(IMAGE, flip(KERNEL)))
    np.testing.assert_allclose(conv.convolve2d(IMAGE, KERNEL), _correlate(IMAGE, KERNEL[::-1, ::-1]))


def test_a_transposed_kernel_gives_the_wrong_shape_when_it_is_not_square():
    m = by_id("convolve2d.kernel_transposed")
    assert m(IMAGE, KERNEL).shape == (2, 4) and conv.convolve2d(IMAGE, KERNEL).shape == (3, 3)
