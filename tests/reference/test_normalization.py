"""Batch norm and dropout, forward and backward, against PyTorch in float64."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from reference.normalization import batch_norm, batch_norm_backward, dropout, dropout_backward

VALUES = st.floats(-10, 10, allow_nan=False, width=64)


def close(got, expected):
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else expected
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


def tensor(a):
    return None if a is None else torch.tensor(a, dtype=torch.float64)


@st.composite
def batches(draw, min_values_per_channel=1):
    """An (N, C, *spatial) array with 0 to 2 spatial dimensions."""
    n = draw(st.integers(1, 4))
    c = draw(st.integers(1, 3))
    spatial = draw(st.lists(st.integers(1, 3), max_size=2))
    if n * int(np.prod(spatial)) < min_values_per_channel:
        n = min_values_per_channel
    return draw(arrays(np.float64, (n, c, *spatial), elements=VALUES))


def per_channel(channels, elements=VALUES):
    return arrays(np.float64, (channels,), elements=elements)


@given(data=st.data(), training=st.booleans(), affine=st.booleans(),
       momentum=st.floats(0, 1), eps=st.floats(1e-5, 1e-1))
def test_batch_norm_matches_torch_including_the_running_statistics(data, training, affine, momentum, eps):
    x = data.draw(batches(min_values_per_channel=2 if training else 1))
    c = x.shape[1]
    mean = data.draw(per_channel(c))
    var = data.draw(per_channel(c, st.floats(0.1, 10)))
    weight = data.draw(per_channel(c)) if affine else None
    bias = data.draw(per_channel(c)) if affine else None
    torch_mean, torch_var = tensor(mean), tensor(var)  # updated in place by torch
    expected = F.batch_norm(tensor(x), torch_mean, torch_var, tensor(weight), tensor(bias),
                            training, momentum, eps)

    y, new_mean, new_var = batch_norm(x, mean, var, weight, bias, training, momentum, eps)
    close(y, expected)
    close(new_mean, torch_mean)
    close(new_var, torch_var)


@given(x=batches(min_values_per_channel=2))
def test_batch_norm_in_training_without_running_statistics_tracks_none(x):
    y, new_mean, new_var = batch_norm(x, None, None, training=True)
    close(y, F.batch_norm(tensor(x), None, None, training=True))
    assert new_mean is None and new_var is None


def test_batch_norm_accepts_torch_tensors_and_does_not_change_its_inputs():
    x = torch.arange(12, dtype=torch.float64).reshape(4, 3)
    mean, var = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    _, new_mean, _ = batch_norm(x, mean, var, training=True, momentum=0.5)
    close(new_mean, np.array([2.25, 2.75, 3.25]))
    assert mean.tolist() == [0.0, 0.0, 0.0]


def test_batch_norm_normalises_with_the_biased_but_tracks_the_unbiased_variance():
    x = np.array([[0.0], [2.0]])  # mean 1, biased variance 1, unbiased variance 2
    y, _, new_var = batch_norm(x, np.zeros(1), np.zeros(1), training=True, momentum=1.0, eps=0.0)
    close(y, np.array([[-1.0], [1.0]]))
    close(new_var, np.array([2.0]))


@given(data=st.data(), affine=st.booleans(), eps=st.floats(1e-5, 1e-1))
def test_batch_norm_backward_matches_torch_autograd(data, affine, eps):
    x = data.draw(batches(min_values_per_channel=2))
    c = x.shape[1]
    weight = data.draw(per_channel(c)) if affine else None
    grad = data.draw(arrays(np.float64, x.shape, elements=VALUES))
    xt = tensor(x).requires_grad_()
    wt = (tensor(weight) if affine else torch.ones(c, dtype=torch.float64)).requires_grad_()
    bt = torch.zeros(c, dtype=torch.float64, requires_grad=True)
    F.batch_norm(xt, None, None, wt, bt, training=True, eps=eps).backward(tensor(grad))

    grad_input, grad_weight, grad_bias = batch_norm_backward(grad, x, weight, eps)
    close(grad_input, xt.grad)
    close(grad_weight, wt.grad)
    close(grad_bias, bt.grad)


@given(x=arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 5)), elements=st.floats(0.5, 2)),
       p=st.sampled_from([0.0, 0.2, 0.5, 0.9, 1.0]), seed=st.integers(0, 2**16))
def test_dropout_matches_torch_given_the_mask_torch_drew(x, p, seed):
    torch.manual_seed(seed)
    xt = tensor(x).requires_grad_()
    out = F.dropout(xt, p, training=True)
    mask = (out != 0).numpy()  # x is positive, so only dropped values are 0
    grad = np.arange(x.size, dtype=np.float64).reshape(x.shape) + 1
    out.backward(tensor(grad))

    close(dropout(x, mask, p), out)
    close(dropout_backward(grad, mask, p), xt.grad)


@given(seed=st.integers(0, 2**16), p=st.sampled_from([0.3, 0.7]))
def test_dropout_with_a_per_channel_mask_matches_torch_dropout2d(seed, p):
    x = np.linspace(1, 2, 2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    torch.manual_seed(seed)
    out = F.dropout2d(tensor(x), p, training=True)
    channel_mask = (out[:, :, :1, :1] != 0).numpy()
    close(dropout(x, channel_mask, p), out)


def test_dropout_with_p_1_gives_zeros_and_with_p_0_the_input():
    x = np.array([1.0, -2.0, 3.0])
    close(dropout(x, np.zeros(3), 1.0), np.zeros(3))
    close(dropout(x, np.ones(3), 0.0), x)
    close(dropout(x, np.array([True, False, True]), 0.5), np.array([2.0, 0.0, 6.0]))


@given(x=arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
                elements=VALUES),
       p=st.sampled_from([0.0, 0.25, 0.5, 1.0]), seed=st.integers(0, 2**16))
def test_dropout_in_evaluation_mode_is_the_identity_as_in_torch(x, p, seed):
    xt = tensor(x).requires_grad_()
    out = F.dropout(xt, p, training=False)
    grad = np.arange(x.size, dtype=np.float64).reshape(x.shape) - 2
    out.backward(tensor(grad))
    mask = np.random.default_rng(seed).integers(0, 2, x.shape).astype(np.float64)

    for given_mask in (mask, None):  # the mask is not used, and may be left out
        got = dropout(x, given_mask, p, training=False)
        close(got, out)
        close(dropout_backward(grad, given_mask, p, training=False), xt.grad)
    assert got.dtype == np.float64 and got is not x


def test_dropout_in_evaluation_mode_returns_a_float64_copy_and_leaves_its_inputs():
    x, g, mask = np.array([[1, -2], [3, 4]]), np.array([[0.5, 1.5], [2.0, -1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    out, grad = dropout(x, mask, 0.5, training=False), dropout_backward(g, mask, 0.5, training=False)
    assert out.dtype == np.float64 and out.tolist() == [[1.0, -2.0], [3.0, 4.0]]
    out[0, 0], grad[0, 0] = 99.0, 99.0  # copies: changing them changes nothing given
    assert x[0, 0] == 1 and g[0, 0] == 0.5 and mask.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    close(dropout(x, mask, 0.5), np.array([[2.0, 0.0], [0.0, 8.0]]))  # training is the default


X = np.ones((4, 3))
C3 = np.zeros(3)
BAD_ARGUMENTS = {
    "input-one-dimensional": (batch_norm, (np.ones(3), C3, C3), {}, ValueError,
                              "input must have shape (N, C) or (N, C, *spatial), got shape (3,)"),
    "input-not-numeric": (batch_norm, ("abc", C3, C3), {}, TypeError, "input must be a numeric array"),
    "running-mean-wrong-shape": (batch_norm, (X, np.zeros(2), C3), {}, ValueError,
                                 "running_mean must have shape (3,) (one per channel), got shape (2,)"),
    "weight-wrong-shape": (batch_norm, (X, C3, C3, np.ones(4)), {}, ValueError,
                           "weight must have shape (3,)"),
    "training-not-bool": (batch_norm, (X, C3, C3), {"training": "yes"}, TypeError,
                          "training must be a bool, got 'yes' (type=str)"),
    "momentum-not-real": (batch_norm, (X, C3, C3), {"momentum": "0.1"}, TypeError,
                          "momentum must be a real number"),
    "eps-negative": (batch_norm, (X, C3, C3), {"eps": -1.0}, ValueError, "eps must be at least 0.0, got -1.0"),
    "eps-nan": (batch_norm, (X, C3, C3), {"eps": float("nan")}, ValueError, "eps must be at least 0.0"),
    "only-one-running-statistic": (batch_norm, (X, C3, None), {"training": True}, ValueError,
                                   "running_mean and running_var must both be arrays or both be None"),
    "eval-without-running-statistics": (batch_norm, (X, None, None), {}, ValueError,
                                        "running_mean and running_var must be given in evaluation mode"),
    "one-value-per-channel-in-training": (batch_norm, (np.ones((1, 3)), C3, C3), {"training": True}, ValueError,
                                          "batch norm needs more than 1 value per channel when training"),
    "backward-one-value-per-channel": (batch_norm_backward, (np.ones((1, 3, 1)), np.ones((1, 3, 1)), None),
                                       {}, ValueError, "more than 1 value per channel"),
    "backward-grad-shape-differs": (batch_norm_backward, (np.ones((4, 2)), X, None), {}, ValueError,
                                    "grad_output must have the shape of input (4, 3), got shape (4, 2)"),
    "dropout-p-above-1": (dropout, (X, X, 1.5), {}, ValueError,
                          "dropout probability p must be between 0 and 1, got 1.5"),
    "dropout-p-not-real": (dropout, (X, X, "0.5"), {}, TypeError, "p must be a real number, got '0.5'"),
    "dropout-mask-not-0-or-1": (dropout, (X, 2 * X, 0.5), {}, ValueError,
                                "mask must hold only 0 (dropped) and 1 (kept)"),
    "dropout-mask-does-not-broadcast": (dropout, (X, np.ones((4, 2)), 0.5), {}, ValueError,
                                        "mask of shape (4, 2) does not broadcast to shape (4, 3)"),
    "dropout-mask-would-grow-input": (dropout, (np.ones(3), X, 0.5), {}, ValueError,
                                      "mask of shape (4, 3) does not broadcast to shape (3,)"),
    "dropout-backward-grad-not-numeric": (dropout_backward, ("abc", X, 0.5), {}, TypeError,
                                          "grad_output must be a numeric array"),
    "dropout-training-not-bool": (dropout, (X, X, 0.5), {"training": "no"}, TypeError,
                                  "training must be a bool, got 'no' (type=str)"),
    "dropout-backward-training-not-bool": (dropout_backward, (X, X, 0.5, 0), {}, TypeError,
                                           "training must be a bool, got 0 (type=int)"),
    "dropout-eval-p-still-checked": (dropout, (X, X, 1.5), {"training": False}, ValueError,
                                     "dropout probability p must be between 0 and 1, got 1.5"),
    "dropout-eval-mask-still-checked": (dropout_backward, (X, np.ones((4, 2)), 0.5, False), {}, ValueError,
                                        "mask of shape (4, 2) does not broadcast to shape (4, 3)"),
    "dropout-training-needs-a-mask": (dropout, (X, None, 0.5), {}, ValueError,
                                      "dropout needs a mask (1 keeps, 0 drops) when training, got None"),
}


@pytest.mark.parametrize("function, args, kwargs, error, message", BAD_ARGUMENTS.values(),
                         ids=BAD_ARGUMENTS.keys())
def test_bad_arguments_raise_saying_what_was_expected_and_what_came(function, args, kwargs, error, message):
    with pytest.raises(error) as info:
        function(*args, **kwargs)
    assert message in str(info.value)
