"""reference.pooling agrees with torch.nn.functional pooling and torch.autograd (float64)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

from reference.pooling import (
    adaptive_avg_pool2d,
    avg_pool2d,
    avg_pool2d_backward,
    global_avg_pool2d,
    global_max_pool2d,
    max_pool2d,
    max_pool2d_backward,
)


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-12)


def as_4d(rows):
    return np.array(rows, dtype=np.float64)[None, None]


# --- worked examples -----------------------------------------------------------------------

EXAMPLE_4x4 = [[1, 1, 2, 5], [5, 7, 7, 8], [3, 1, 1, 0], [1, 2, 3, 4]]
EXAMPLE_5x5 = [[2, 4, 8, 3, 6], [9, 3, 4, 2, 5], [5, 4, 6, 3, 1], [2, 3, 1, 3, 4], [2, 7, 4, 5, 7]]


def test_worked_example_max_pool_2x2_stride_2():
    close(max_pool2d(as_4d(EXAMPLE_4x4), 2, 2), as_4d([[7, 8], [3, 4]]))


def test_worked_example_mean_pool_2x2_stride_2():
    close(avg_pool2d(as_4d(EXAMPLE_4x4), 2, 2), as_4d([[3.5, 5.5], [1.75, 2]]))


def test_worked_example_max_pool_3x3_stride_1():
    expected = as_4d([[9, 8, 8], [9, 6, 6], [7, 7, 7]])
    close(max_pool2d(as_4d(EXAMPLE_5x5), 3, 1), expected)


# --- geometry ------------------------------------------------------------------------------

@st.composite
def pool_cases(draw, dilated=True):
    """Valid pooling geometry (kernel, stride, padding, dilation, ceil_mode) and a small
    integer-valued input, so that windows often hold ties and negative numbers."""
    kernel = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = draw(st.tuples(st.integers(1, 2), st.integers(1, 2))) if dilated else (1, 1)
    size = []
    for k, d, p in zip(kernel, dilation, padding):
        smallest = max(1, d * (k - 1) + 1 - 2 * p)
        size.append(draw(st.integers(smallest, smallest + 4)))
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-3, 3, size=(n, c, *size)).astype(np.float64)
    options = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=draw(st.booleans()))
    if dilated:
        options["dilation"] = dilation
    # A dilated window can skip over the whole input; torch then returns -inf and its
    # backward reads out of bounds (garbage or an abort), so there is no oracle.
    out = max_pool2d(x, **options).shape[-2:]
    for n_out, size_, k, s, p, d in zip(out, size, kernel, stride or kernel, padding, dilation):
        taps = np.arange(n_out)[:, None] * s - p + np.arange(k)[None, :] * d
        assume(((taps >= 0) & (taps < size_)).any(axis=1).all())
    return x, options


def autograd(function, x, grad_output, **options):
    xt = torch.tensor(x, requires_grad=True)
    out = function(xt, **options)
    out.backward(torch.tensor(grad_output))
    return out.detach().numpy(), xt.grad.numpy()


CORNERS = {
    "size5-kernel2-stride2-ceil": (5, dict(kernel_size=2, stride=2, ceil_mode=True)),
    "size5-kernel3-stride2-pad1-ceil": (5, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    "size6-kernel3-stride2-pad1-ceil": (6, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    "size5-kernel2-stride3-pad1-ceil-drops-last": (5, dict(kernel_size=2, stride=3, padding=1, ceil_mode=True)),
    "size4-kernel4-stride3-pad2": (4, dict(kernel_size=4, stride=3, padding=2)),
    "size7-kernel3-stride1-pad1": (7, dict(kernel_size=3, stride=1, padding=1)),
}


# --- max pooling ---------------------------------------------------------------------------

@given(pool_cases(), st.integers(0, 2**32 - 1))
def test_max_pool2d_and_its_first_tie_gradient_match_autograd(case, seed):
    x, options = case
    out = max_pool2d(x, **options)
    grad_output = np.random.default_rng(seed).normal(size=out.shape)
    expected_out, expected_grad = autograd(F.max_pool2d, x, grad_output, **options)
    close(out, expected_out)
    close(max_pool2d_backward(grad_output, x, **options), expected_grad)


@pytest.mark.parametrize("size, options", CORNERS.values(), ids=CORNERS.keys())
def test_max_pool2d_ceil_mode_and_padding_corners_match_autograd(rng, size, options):
    x = rng.integers(-3, 3, size=(2, 2, size, size + 1)).astype(np.float64)
    out = max_pool2d(x, **options)
    grad_output = rng.normal(size=out.shape)
    expected_out, expected_grad = autograd(F.max_pool2d, x, grad_output, **options)
    close(out, expected_out)
    close(max_pool2d_backward(grad_output, x, **options), expected_grad)


def test_max_pool_ties_go_to_the_first_maximum_in_scan_order():
    x = as_4d([[1, 3, 3], [3, 0, 1], [2, 2, 2]])
    grad = max_pool2d_backward(np.ones((1, 1, 2, 2)), x, 2, 1)
    # Windows at (0,0) and (0,1) both pick x[0,1]; (1,0) picks x[1,0]; (1,1) picks x[2,1].
    close(grad, as_4d([[0, 2, 0], [1, 0, 0], [0, 1, 0]]))


def test_max_pool_split_ties_share_the_gradient_equally():
    x = as_4d([[1, 3, 3], [3, 0, 1], [2, 2, 2]])
    grad = max_pool2d_backward(np.ones((1, 1, 2, 2)), x, 2, 1, ties="split")
    # Windows: {x01, x10} tie, {x01, x02} tie, x10 alone, {x21, x22} tie.
    expected = as_4d([[0, 1, 0.5], [1.5, 0, 0], [0, 0.5, 0.5]])
    close(grad, expected)


@given(pool_cases(), st.integers(0, 2**32 - 1))
def test_both_tie_rules_conserve_the_total_gradient(case, seed):
    x, options = case
    grad_output = np.random.default_rng(seed).normal(size=max_pool2d(x, **options).shape)
    total = grad_output.sum()
    for ties in ("first", "split"):
        close(max_pool2d_backward(grad_output, x, **options, ties=ties).sum(), total)


def test_split_equals_first_when_there_are_no_ties(rng):
    x = rng.normal(size=(2, 3, 6, 5))
    grad_output = rng.normal(size=(2, 3, 3, 3))
    options = dict(kernel_size=3, stride=2, padding=1)
    close(max_pool2d_backward(grad_output, x, **options, ties="split"),
          max_pool2d_backward(grad_output, x, **options))


@pytest.mark.parametrize(
    "rows",
    [
        [[np.nan, 3, np.nan], [3, np.nan, 1], [2, 2, 2]],
        [[np.nan, 5, 1], [3, 7, 1], [2, 2, np.nan]],
        [[1, 5, 1], [3, 7, 1], [np.nan, 2, 2]],
    ],
    ids=["three-nans", "nan-in-two-windows", "one-nan"],
)
def test_nan_is_the_maximum_and_its_last_occurrence_gets_the_gradient(rows):
    x = as_4d(rows)
    out, grad = autograd(F.max_pool2d, x, np.ones((1, 1, 2, 2)), kernel_size=2, stride=1)
    close(max_pool2d(x, 2, 1), out)
    close(max_pool2d_backward(np.ones((1, 1, 2, 2)), x, 2, 1), grad)


def test_nan_windows_split_their_gradient_among_their_nans():
    x = as_4d([[np.nan, 1], [2, np.nan]])
    close(max_pool2d_backward(np.ones((1, 1, 1, 1)), x, 2, ties="split"), as_4d([[0.5, 0], [0, 0.5]]))


def test_window_reading_only_padding_gives_minus_infinity_and_no_gradient():
    # Rows -1 and 1 of a 1-row input: torch also returns -inf, but its backward is undefined.
    x = np.arange(3.0).reshape(1, 1, 1, 3)
    options = dict(kernel_size=(2, 1), stride=1, padding=(1, 0), dilation=(2, 1))
    close(max_pool2d(x, **options), np.full((1, 1, 1, 3), -np.inf))
    for ties in ("first", "split"):
        close(max_pool2d_backward(np.ones((1, 1, 1, 3)), x, **options, ties=ties), 0 * x)


def test_max_pool_pads_with_minus_infinity_not_zero():
    x = -np.ones((1, 1, 2, 2))
    close(max_pool2d(x, 2, 2, padding=1), -np.ones((1, 1, 2, 2)))


def test_max_pool_accepts_unbatched_input_like_torch(rng):
    x = rng.normal(size=(3, 5, 4))
    out, grad = autograd(F.max_pool2d, x, np.ones((3, 2, 2)), kernel_size=2)
    close(max_pool2d(x, 2), out)
    close(max_pool2d_backward(np.ones((3, 2, 2)), x, 2), grad)


# --- average pooling -----------------------------------------------------------------------

@given(
    pool_cases(dilated=False),
    st.booleans(),
    st.one_of(st.none(), st.integers(1, 5), st.integers(-3, -1)),
    st.integers(0, 2**32 - 1),
)
def test_avg_pool2d_and_its_gradient_match_autograd(case, count_include_pad, divisor, seed):
    x, options = case
    options.update(count_include_pad=count_include_pad, divisor_override=divisor)
    out = avg_pool2d(x, **options)
    grad_output = np.random.default_rng(seed).normal(size=out.shape)
    expected_out, expected_grad = autograd(F.avg_pool2d, x, grad_output, **options)
    close(out, expected_out)
    close(avg_pool2d_backward(grad_output, x, **options), expected_grad)


@pytest.mark.parametrize("count_include_pad", [True, False], ids=["count-pad", "real-only"])
@pytest.mark.parametrize("size, options", CORNERS.values(), ids=CORNERS.keys())
def test_avg_pool2d_divisor_rules_at_ceil_mode_and_padding_corners(rng, size, options,
                                                                  count_include_pad):
    x = rng.normal(size=(2, 2, size, size + 1))
    out = avg_pool2d(x, **options, count_include_pad=count_include_pad)
    grad_output = rng.normal(size=out.shape)
    expected_out, expected_grad = autograd(
        F.avg_pool2d, x, grad_output, **options, count_include_pad=count_include_pad
    )
    close(out, expected_out)
    close(avg_pool2d_backward(grad_output, x, **options, count_include_pad=count_include_pad),
          expected_grad)


def test_avg_pool_ceil_window_hanging_off_the_edge_is_divided_by_its_clipped_size():
    # 6x6 ones, kernel 3, stride 2, padding 1, ceil_mode: the last window covers one real
    # row and one padding row (the third row lies beyond the padding), so 1 / 2 per row.
    out = avg_pool2d(np.ones((1, 1, 6, 6)), 3, 2, padding=1, ceil_mode=True)
    assert out.shape == (1, 1, 4, 4)
    close(out[0, 0, -1, -1], 0.25)
    close(out[0, 0, 0, 0], 4 / 9)


# --- adaptive and global pooling -----------------------------------------------------------

@given(
    st.tuples(st.integers(1, 7), st.integers(1, 7)),
    st.one_of(
        st.integers(1, 8),
        st.tuples(st.one_of(st.none(), st.integers(1, 8)), st.one_of(st.none(), st.integers(1, 8))),
    ),
    st.integers(0, 2**32 - 1),
)
def test_adaptive_avg_pool2d_matches_torch(size, output_size, seed):
    x = np.random.default_rng(seed).normal(size=(2, 2, *size))
    expected = F.adaptive_avg_pool2d(torch.tensor(x), output_size).numpy()
    close(adaptive_avg_pool2d(x, output_size), expected)


def test_adaptive_bins_overlap_when_sizes_do_not_divide():
    # H = 5, OH = 3: bins [0, 2), [1, 4), [3, 5).
    x = np.array([0.0, 1, 2, 3, 4]).reshape(1, 1, 5, 1)
    close(adaptive_avg_pool2d(x, (3, 1))[0, 0, :, 0], [0.5, 2.0, 3.5])


@pytest.mark.parametrize("keepdim", [False, True], ids=["flat", "keepdim"])
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3, 4, 5)], ids=["batched", "unbatched"])
def test_global_pools_match_torch_reductions(rng, shape, keepdim):
    x = rng.normal(size=shape)
    xt = torch.tensor(x)
    close(global_avg_pool2d(x, keepdim=keepdim), xt.mean(dim=(-2, -1), keepdim=keepdim).numpy())
    close(global_max_pool2d(x, keepdim=keepdim), xt.amax(dim=(-2, -1), keepdim=keepdim).numpy())


def test_global_avg_pool_with_keepdim_is_adaptive_pool_to_one(rng):
    x = rng.normal(size=(2, 3, 4, 5))
    close(global_avg_pool2d(x, keepdim=True), adaptive_avg_pool2d(x, 1))


# --- bad arguments -------------------------------------------------------------------------

X = np.zeros((1, 1, 4, 4))

BAD_MAX_POOL = {
    "padding-over-half-kernel": (dict(kernel_size=2, padding=2), ValueError, "at most half"),
    "window-larger-than-input": (dict(kernel_size=3, dilation=3), ValueError, "larger than the padded"),
    "zero-kernel": (dict(kernel_size=0), ValueError, "kernel_size must be a positive int, got 0"),
    "zero-stride": (dict(kernel_size=2, stride=0), ValueError, "stride must be a positive int"),
    "negative-padding": (dict(kernel_size=2, padding=-1), ValueError, "non-negative int, got -1"),
    "int-ceil-mode": (dict(kernel_size=2, ceil_mode=1), TypeError, "ceil_mode must be a bool"),
}


@pytest.mark.parametrize("options, error, message", BAD_MAX_POOL.values(), ids=BAD_MAX_POOL.keys())
def test_max_pool2d_rejects_bad_arguments(options, error, message):
    with pytest.raises(error, match=message):
        max_pool2d(X, **options)


BAD_AVG_POOL = {
    "zero-divisor": (dict(divisor_override=0), ValueError, "non-zero int or None, got 0"),
    "float-divisor": (dict(divisor_override=2.0), TypeError, "divisor_override must be a non-zero"),
    "int-count-include-pad": (dict(count_include_pad=0), TypeError, "count_include_pad must be a bool"),
}


@pytest.mark.parametrize("options, error, message", BAD_AVG_POOL.values(), ids=BAD_AVG_POOL.keys())
def test_avg_pool2d_rejects_bad_arguments(options, error, message):
    with pytest.raises(error, match=message):
        avg_pool2d(X, 2, **options)


@pytest.mark.parametrize(
    "grad_output, x, message",
    [
        (np.zeros((1, 1, 3, 3)), X, r"grad_output must have shape \(1, 1, 2, 2\), got \(1, 1, 3, 3\)"),
        (np.zeros((1, 2, 2)), X, r"grad_output must have shape \(1, 1, 2, 2\), got \(1, 2, 2\)"),
        (np.zeros((1, 1, 2, 2)), X[0], r"grad_output must have shape \(1, 2, 2\), got \(1, 1, 2, 2\)"),
        (np.zeros((2, 2)), X, "grad_output must have 4 dimensions"),
    ],
    ids=["wrong-size", "unbatched-for-batched", "batched-for-unbatched", "2d"],
)
@pytest.mark.parametrize("backward", [max_pool2d_backward, avg_pool2d_backward],
                         ids=["max", "avg"])
def test_pool_backward_rejects_a_grad_output_of_the_wrong_shape(backward, grad_output, x, message):
    with pytest.raises(ValueError, match=message):
        backward(grad_output, x, 2)


def test_max_pool2d_backward_rejects_an_unknown_tie_rule():
    with pytest.raises(ValueError, match=r"ties must be one of \('first', 'split'\); got 'last'"):
        max_pool2d_backward(np.zeros((1, 1, 2, 2)), X, 2, ties="last")


@pytest.mark.parametrize(
    "output_size, error, message",
    [
        (0, ValueError, r"output_size\[0\] must be a positive int, got 0"),
        ((2, 2.0), TypeError, r"output_size\[1\] must be a positive int"),
        ((1, 2, 3), TypeError, "output_size must be an int or a pair"),
        ("2", TypeError, "output_size must be an int or a pair"),
    ],
    ids=["zero", "float-entry", "triple", "text"],
)
def test_adaptive_avg_pool2d_rejects_bad_output_sizes(output_size, error, message):
    with pytest.raises(error, match=message):
        adaptive_avg_pool2d(X, output_size)


@pytest.mark.parametrize("pool", [global_avg_pool2d, global_max_pool2d], ids=["avg", "max"])
def test_global_pools_reject_bad_input(pool):
    with pytest.raises(TypeError, match="keepdim must be a bool"):
        pool(X, keepdim=None)
    with pytest.raises(ValueError, match="non-empty H and W"):
        pool(np.zeros((1, 1, 0, 3)))
