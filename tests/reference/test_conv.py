"""reference.conv agrees with torch.nn.functional.conv2d and torch.autograd (float64), and
convolve2d with scipy.signal.convolve2d."""
import subprocess
import sys

import numpy as np
import pytest
import scipy.signal
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from reference.conv import conv2d, conv2d_backward, convolve2d

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-12)


@st.composite
def conv_cases(draw):
    """A valid conv2d call: arrays and keyword arguments, shapes kept small."""
    groups = draw(st.integers(1, 3))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    kernel = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    dilation = draw(st.tuples(st.integers(1, 2), st.integers(1, 2)))
    style = draw(st.sampled_from(["int", "pair", "valid", "same"]))
    stride = (1, 1) if style == "same" else draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    if style == "int":
        padding = draw(st.integers(0, 2))
        pads = (padding, padding)
    elif style == "pair":
        pads = padding = draw(st.tuples(st.integers(0, 2), st.integers(0, 2)))
    else:
        padding, pads = style, (0, 0)
    size = []
    for k, d, p in zip(kernel, dilation, pads):
        smallest = max(1, d * (k - 1) + 1 - 2 * p)
        size.append(draw(st.integers(smallest, smallest + 4)))
    n = draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.normal(size=(n, c_in, *size))
    w = rng.normal(size=(c_out, c_in // groups, *kernel))
    b = rng.normal(size=c_out) if draw(st.booleans()) else None
    options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    return x, w, b, options


def torch_conv(x, w, b, options, grad_output=None):
    """Forward with torch, and the autograd gradients for ``grad_output`` if given."""
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    bt = None if b is None else torch.tensor(b, requires_grad=True)
    out = F.conv2d(xt, wt, bt, **options)
    if grad_output is None:
        return out.detach().numpy()
    out.backward(torch.tensor(grad_output))
    return xt.grad.numpy(), wt.grad.numpy(), None if bt is None else bt.grad.numpy()


@given(conv_cases())
def test_conv2d_matches_torch(case):
    x, w, b, options = case
    close(conv2d(x, w, b, **options), torch_conv(x, w, b, options))


@given(conv_cases(), st.integers(0, 2**32 - 1))
def test_conv2d_backward_matches_autograd(case, seed):
    x, w, b, options = case
    grad_output = np.random.default_rng(seed).normal(size=conv2d(x, w, b, **options).shape)
    expected = torch_conv(x, w, b, options, grad_output)
    actual = conv2d_backward(grad_output, x, w, **options, bias=b is not None)
    close(actual[0], expected[0])
    close(actual[1], expected[1])
    if b is None:
        assert actual[2] is None
    else:
        close(actual[2], expected[2])


def test_conv2d_accepts_unbatched_input_like_torch(rng):
    x, w, b = rng.normal(size=(2, 5, 4)), rng.normal(size=(3, 2, 2, 2)), rng.normal(size=3)
    expected = F.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), padding=1)
    close(conv2d(x, w, b, padding=1), expected.numpy())
    grad_output = rng.normal(size=expected.shape)
    grad_input, grad_weight, _ = conv2d_backward(grad_output, x, w, padding=1)
    batched = conv2d_backward(grad_output[None], x[None], w, padding=1)
    close(grad_input, batched[0][0])
    close(grad_weight, batched[1])


def test_conv2d_accepts_torch_tensors(rng):
    x, w = torch.tensor(rng.normal(size=(1, 1, 4, 4))), torch.tensor(rng.normal(size=(1, 1, 3, 3)))
    close(conv2d(x, w), F.conv2d(x, w).numpy())


@pytest.mark.parametrize("kernel", [(2, 2), (4, 3)], ids=["2x2", "4x3"])
def test_same_padding_with_even_kernel_puts_the_extra_zero_bottom_right(rng, kernel):
    x, w = rng.normal(size=(1, 1, 5, 6)), rng.normal(size=(1, 1, *kernel))
    out = conv2d(x, w, padding="same")
    assert out.shape == x.shape
    close(out, torch_conv(x, w, None, dict(padding="same")))


def test_worked_example_cross_correlation_does_not_flip_the_kernel():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    # out[i, j] = x[i, j] - x[i+1, j+1] = -4 everywhere.
    close(conv2d(x, w), np.full((1, 1, 2, 2), -4.0))
    close(convolve2d(x[0, 0], w[0, 0]), np.full((2, 2), 4.0))


@given(
    st.tuples(st.integers(1, 6), st.integers(1, 6)),
    st.tuples(st.integers(1, 4), st.integers(1, 4)),
    st.sampled_from(["full", "valid", "same"]),
    st.integers(0, 2**32 - 1),
)
def test_convolve2d_matches_scipy(shape, kernel_shape, mode, seed):
    rng = np.random.default_rng(seed)
    a, k = rng.normal(size=shape), rng.normal(size=kernel_shape)
    fits = all(s >= t for s, t in zip(shape, kernel_shape))
    swapped = all(t >= s for s, t in zip(shape, kernel_shape))
    if mode == "valid" and not (fits or swapped):
        with pytest.raises(ValueError, match="at least as large"):
            convolve2d(a, k, mode)
        return
    close(convolve2d(a, k, mode), scipy.signal.convolve2d(a, k, mode))


def test_importing_the_reference_never_imports_torch():
    code = (
        "import sys, reference.conv, reference.pooling, reference.mistakes.conv,"
        " reference.mistakes.pooling; sys.exit('torch' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


X = np.zeros((1, 2, 4, 4))
W = np.zeros((2, 2, 3, 3))

BAD_CONV2D = {
    "padding-unknown-word": (dict(padding="full"), ValueError, "padding must be one of"),
    "same-padding-with-stride": (dict(padding="same", stride=2), ValueError, "needs stride 1"),
    "negative-padding": (dict(padding=-1), ValueError, "non-negative int, got -1"),
    "float-padding": (dict(padding=1.0), TypeError, "padding must be an int or a sequence"),
    "zero-stride": (dict(stride=0), ValueError, "stride must be a positive int, got 0"),
    "zero-dilation": (dict(dilation=(1, 0)), ValueError, r"dilation\[1\] must be a positive"),
    "groups-not-dividing": (dict(groups=3), ValueError, "groups must divide"),
    "float-groups": (dict(groups=1.0), TypeError, "groups must be a positive int"),
    "kernel-larger-than-input": (dict(dilation=2), ValueError, "larger than the padded input"),
}


@pytest.mark.parametrize("options, error, message", BAD_CONV2D.values(), ids=BAD_CONV2D.keys())
def test_conv2d_rejects_bad_arguments(options, error, message):
    with pytest.raises(error, match=message):
        conv2d(X, W, **options)


@pytest.mark.parametrize(
    "x, w, b, message",
    [
        (np.zeros((4, 4)), W, None, "input must have 4 dimensions"),
        (np.zeros((1, 2, 0, 4)), W, None, "non-empty H and W"),
        (X, np.zeros((2, 2, 3)), None, "weight must have 4 dimensions"),
        (X, np.zeros((2, 1, 3, 3)), None, "C_in/groups = 2 channels"),
        (X, np.zeros((2, 2, 0, 3)), None, "non-empty kernel"),
        (X, W, np.zeros(3), r"bias must have shape \(2,\)"),
    ],
    ids=["2d-input", "empty-input", "3d-weight", "weight-channels", "empty-kernel", "bias-shape"],
)
def test_conv2d_rejects_bad_shapes(x, w, b, message):
    with pytest.raises(ValueError, match=message):
        conv2d(x, w, b)


def test_conv2d_backward_rejects_a_grad_output_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"grad_output must have shape \(1, 2, 2, 2\)"):
        conv2d_backward(np.zeros((1, 2, 3, 3)), X, W)
    with pytest.raises(ValueError, match=r"grad_output must have shape \(2, 2, 2\)"):
        conv2d_backward(np.zeros((1, 2, 2, 2)), X[0], W)


def test_conv2d_backward_wants_bias_as_a_bool():
    with pytest.raises(TypeError, match="bias must be a bool"):
        conv2d_backward(np.zeros((1, 2, 2, 2)), X, W, bias=np.zeros(2))


@pytest.mark.parametrize(
    "a, k, mode, error, message",
    [
        (np.zeros((3, 3)), np.zeros((2, 2)), "circular", ValueError, "mode must be one of"),
        (np.zeros((3, 0)), np.zeros((2, 2)), "full", ValueError, "input must not be empty"),
        (np.zeros((3, 3)), np.zeros((0, 2)), "full", ValueError, "kernel must not be empty"),
        (np.zeros((3, 3, 1)), np.zeros((2, 2)), "full", ValueError, "input must have 2 dim"),
        ("abc", np.zeros((2, 2)), "full", TypeError, "input must be a numeric array"),
        (np.zeros((3, 1)), np.zeros((1, 3)), "valid", ValueError, "at least as large"),
    ],
    ids=["unknown-mode", "empty-input", "empty-kernel", "3d-input", "text-input",
         "valid-with-neither-larger"],
)
def test_convolve2d_rejects_bad_arguments(a, k, mode, error, message):
    with pytest.raises(error, match=message):
        convolve2d(a, k, mode)
