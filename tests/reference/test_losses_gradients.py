"""The logit-loss gradients of reference.losses agree with torch.autograd (float64).

For reduction='none' the oracle is the gradient of the sum of the element losses.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from reference import losses

REDUCTIONS = ("none", "mean", "sum")
SCALES = (1.0, 30.0, 1e4)


def tensor(x):
    return None if x is None else torch.as_tensor(np.asarray(x))


def autograd(loss_fn, x, *args, **kwargs):
    """d(sum of loss_fn(x, ...))/dx."""
    leaf = torch.tensor(x, requires_grad=True)
    (grad,) = torch.autograd.grad(loss_fn(leaf, *args, **kwargs).sum(), leaf)
    return grad.numpy()


def assert_same_gradient(ours, theirs):
    assert isinstance(ours, np.ndarray)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def values(shape, low=-1.0, high=1.0):
    return arrays(np.float64, shape, elements=st.floats(low, high))


@st.composite
def logits(draw):
    classes = draw(st.integers(1, 5))
    if draw(st.booleans()):
        shape = (classes,)
    else:
        extra = draw(st.lists(st.integers(1, 3), max_size=2))
        shape = (draw(st.integers(1, 4)), classes, *extra)
    return draw(values(shape)) * draw(st.sampled_from(SCALES))


@st.composite
def class_targets(draw, x):
    """Probabilities, or class indices with ignore_index absent, on some targets, or a class."""
    classes, index_shape = (x.shape[0], ()) if x.ndim == 1 else (x.shape[1], x.shape[:1] + x.shape[2:])
    if draw(st.booleans()):
        return draw(values(x.shape, 0.0, 1.0)), -100
    target = draw(arrays(np.int64, index_shape, elements=st.integers(0, classes - 1)))
    case = draw(st.sampled_from(["not used", "on some targets", "a class"]))
    if case == "on some targets":
        target = np.where(draw(arrays(np.bool_, index_shape)), -100, target)
    return target, draw(st.integers(0, classes - 1)) if case == "a class" else -100


@given(x=logits(), reduction=st.sampled_from(REDUCTIONS),
       smoothing=st.sampled_from([0.0, 0.1, 1.0]) | st.floats(0.0, 1.0), data=st.data())
def test_cross_entropy_grad_matches_autograd(x, reduction, smoothing, data):
    target, ignore_index = data.draw(class_targets(x), label="target, ignore_index")
    classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    weight = data.draw(st.none() | values((classes,), 0.1, 3.0), label="weight")
    ours = losses.cross_entropy_grad(x, target, weight, ignore_index, reduction, smoothing)
    theirs = autograd(
        F.cross_entropy, x, tensor(target), weight=tensor(weight), ignore_index=ignore_index,
        reduction=reduction, label_smoothing=smoothing,
    )
    assert_same_gradient(ours, theirs)


@pytest.mark.parametrize("weight", [None, [1.0, 2.0, 0.5]], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2], ids=["no smoothing", "smoothing 0.2"])
def test_cross_entropy_grad_is_zero_when_every_target_is_ignored_as_in_torch(weight, smoothing):
    x, target = np.arange(6.0).reshape(2, 3), np.array([-100, -100])
    ours = losses.cross_entropy_grad(x, target, weight, label_smoothing=smoothing)
    theirs = autograd(F.cross_entropy, x, tensor(target), tensor(weight), label_smoothing=smoothing)
    assert_same_gradient(ours, theirs)
    assert not ours.any()


def test_cross_entropy_grad_of_one_sample_is_softmax_minus_one_hot():
    x = np.array([[2.0, 1.0, 0.1]])
    expected = losses.softmax(x, 1) - np.array([[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(losses.cross_entropy_grad(x, [0]), expected, rtol=1e-15)


@st.composite
def binary_case(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    x = draw(values(shape)) * draw(st.sampled_from(SCALES))
    target = draw(values(shape, 0.0, 1.0) | arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    broadcastable = st.sampled_from([shape, shape[-1:], (1,) * len(shape)])
    weight = draw(st.none() | broadcastable.flatmap(lambda s: values(s, 0.0, 3.0)))
    pos_weight = draw(st.none() | broadcastable.flatmap(lambda s: values(s, 0.0, 5.0)))
    return x, target, weight, pos_weight


@given(case=binary_case(), reduction=st.sampled_from(REDUCTIONS))
def test_binary_cross_entropy_with_logits_grad_matches_autograd(case, reduction):
    x, target, weight, pos_weight = case
    ours = losses.binary_cross_entropy_with_logits_grad(x, target, weight, reduction, pos_weight)
    theirs = autograd(
        F.binary_cross_entropy_with_logits, x, tensor(target), tensor(weight),
        reduction=reduction, pos_weight=tensor(pos_weight),
    )
    assert_same_gradient(ours, theirs)


def test_binary_cross_entropy_with_logits_grad_without_weights_is_sigmoid_minus_target():
    x, t = np.array([-3.0, 0.0, 2.0]), np.array([1.0, 0.0, 1.0])
    np.testing.assert_allclose(
        losses.binary_cross_entropy_with_logits_grad(x, t, reduction="sum"),
        losses.sigmoid(x) - t,
        rtol=1e-12,
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: losses.cross_entropy_grad([[1.0, 2.0]], [0], label_smoothing=2.0),
        lambda: losses.binary_cross_entropy_with_logits_grad([1.0], [1.0, 0.0]),
        lambda: losses.binary_cross_entropy_with_logits_grad([1.0], [1.0], reduction="avg"),
    ],
    ids=["label smoothing above 1", "target of another shape", "unknown reduction"],
)
def test_gradients_refuse_the_arguments_their_losses_refuse(call):
    with pytest.raises(ValueError):
        call()
