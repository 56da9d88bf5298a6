"""reference.losses agrees with PyTorch (float64) on losses and activations.

The focal losses have no oracle installed here: they are checked against torchvision's and
Keras' formulas written with torch ops, and against hand-computed values.
"""
import math
import subprocess
import sys
import warnings
from pathlib import Path

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


def assert_matches(ours, theirs, rtol=1e-9, atol=1e-9):
    expected = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert isinstance(ours, (np.ndarray, np.floating)), type(ours)
    assert np.shape(ours) == expected.shape
    np.testing.assert_allclose(ours, expected, rtol=rtol, atol=atol)


# --------------------------------------------------------------------------- strategies


def values(shape, low=-1.0, high=1.0):
    return arrays(np.float64, shape, elements=st.floats(low, high))


@st.composite
def logits(draw, unbatched=True):
    """Logits of shape (C,) or (N, C, d1, ...), scaled up to magnitude 1e4."""
    classes = draw(st.integers(1, 5))
    if unbatched and draw(st.booleans()):
        shape = (classes,)
    else:
        extra = draw(st.lists(st.integers(1, 3), max_size=2))
        shape = (draw(st.integers(1, 4)), classes, *extra)
    return draw(values(shape)) * draw(st.sampled_from(SCALES))


def class_layout(x):
    """(number of classes, shape of a class-index target)."""
    if x.ndim == 1:
        return x.shape[0], ()
    return x.shape[1], (x.shape[0], *x.shape[2:])


@st.composite
def index_targets(draw, x):
    """Class indices, with ignore_index absent, present on some targets, or a real class."""
    classes, shape = class_layout(x)
    target = draw(arrays(np.int64, shape, elements=st.integers(0, classes - 1)))
    case = draw(st.sampled_from(["not used", "on some targets", "a class"]))
    ignore_index = -100
    if case == "on some targets":
        ignore_index = draw(st.sampled_from([-100, -1, classes + 3]))
        target = np.where(draw(arrays(np.bool_, shape)), ignore_index, target)
    elif case == "a class":
        ignore_index = draw(st.integers(0, classes - 1))
    return target, ignore_index


def class_weights(classes):
    return st.none() | arrays(np.float64, (classes,), elements=st.floats(0.1, 3.0))


label_smoothings = st.sampled_from([0.0, 0.1, 1.0]) | st.floats(0.0, 1.0)


# --------------------------------------------------------------------------- activations


@given(x=logits(), data=st.data())
def test_activations_match_torch(x, data):
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1), label="dim")
    t = tensor(x)
    assert_matches(losses.sigmoid(x), torch.sigmoid(t))
    assert_matches(losses.log_sigmoid(x), F.logsigmoid(t))
    assert_matches(losses.softmax(x, dim), torch.softmax(t, dim))
    assert_matches(losses.log_softmax(x, dim), torch.log_softmax(t, dim))


@given(x=logits(), keepdim=st.booleans(), data=st.data())
def test_logsumexp_matches_torch_over_one_or_several_dims(x, keepdim, data):
    dims = data.draw(
        st.integers(-x.ndim, x.ndim - 1)
        | st.lists(st.integers(0, x.ndim - 1), min_size=1, unique=True).map(tuple),
        label="dim",
    )
    assert_matches(losses.logsumexp(x, dims, keepdim), torch.logsumexp(tensor(x), dims, keepdim))


def test_activations_accept_a_scalar_and_a_torch_tensor():
    assert_matches(losses.softmax(3.0, 0), torch.softmax(torch.tensor(3.0), 0))
    assert_matches(losses.logsumexp(-2.0, -1), torch.logsumexp(torch.tensor(-2.0), -1))
    t = torch.tensor([[1.0, -2.0]], requires_grad=True)
    assert_matches(losses.log_softmax(t, 1), torch.log_softmax(t.double(), 1))


def test_logsumexp_of_all_minus_infinity_is_minus_infinity_as_in_torch():
    x = np.full((2, 3), -np.inf)
    assert_matches(losses.logsumexp(x, 1), torch.logsumexp(tensor(x), 1))


HUGE = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [1e4, 1e4, -1e4]])
HUGE_TARGET = np.array([1, 2, 0])
HUGE_BINARY = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 0.0, 0.0]])


def keras_focal_torch(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                      label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size"):
    """Keras' categorical_focal_crossentropy, line by line, with torch ops."""
    y_pred, y_true = tensor(y_pred), tensor(y_true)
    if label_smoothing:
        y_true = y_true * (1 - label_smoothing) + label_smoothing / y_true.shape[axis]
    if from_logits:
        y_pred = torch.softmax(y_pred, axis)
    output = y_pred / y_pred.sum(axis, keepdim=True)
    output = output.clamp(1e-7, 1 - 1e-7)
    loss = (alpha * (1 - output) ** gamma * (-y_true * torch.log(output))).sum(axis)
    return {"none": loss, "sum": loss.sum()}.get(reduction, loss.mean())


def torchvision_focal(inputs, targets, alpha=0.25, gamma=2, reduction="none"):
    """torchvision.ops.sigmoid_focal_loss, line by line."""
    inputs, targets = tensor(inputs), tensor(targets)
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


STABILITY = {
    "sigmoid": (lambda: losses.sigmoid(HUGE), lambda: torch.sigmoid(tensor(HUGE))),
    "log_sigmoid": (lambda: losses.log_sigmoid(HUGE), lambda: F.logsigmoid(tensor(HUGE))),
    "softmax": (lambda: losses.softmax(HUGE, 1), lambda: torch.softmax(tensor(HUGE), 1)),
    "log_softmax": (
        lambda: losses.log_softmax(HUGE, 1),
        lambda: torch.log_softmax(tensor(HUGE), 1),
    ),
    "logsumexp": (lambda: losses.logsumexp(HUGE, 1), lambda: torch.logsumexp(tensor(HUGE), 1)),
    "cross_entropy": (
        lambda: losses.cross_entropy(HUGE, HUGE_TARGET, reduction="none", label_smoothing=0.1),
        lambda: F.cross_entropy(
            tensor(HUGE), tensor(HUGE_TARGET), reduction="none", label_smoothing=0.1
        ),
    ),
    "binary_cross_entropy_with_logits": (
        lambda: losses.binary_cross_entropy_with_logits(
            HUGE, HUGE_BINARY, reduction="none", pos_weight=[2.0, 3.0, 0.5]
        ),
        lambda: F.binary_cross_entropy_with_logits(
            tensor(HUGE), tensor(HUGE_BINARY), reduction="none", pos_weight=tensor([2.0, 3.0, 0.5])
        ),
    ),
    "sigmoid_focal_loss": (
        lambda: losses.sigmoid_focal_loss(HUGE, HUGE_BINARY),
        lambda: torchvision_focal(HUGE, HUGE_BINARY),
    ),
    "categorical_focal_loss": (
        lambda: losses.categorical_focal_loss(
            HUGE_BINARY / HUGE_BINARY.sum(1, keepdims=True), HUGE, from_logits=True,
            reduction="none",
        ),
        lambda: keras_focal_torch(
            HUGE_BINARY / HUGE_BINARY.sum(1, keepdims=True), HUGE, from_logits=True,
            reduction="none",
        ),
    ),
}


@pytest.mark.parametrize("name", list(STABILITY))
def test_is_finite_and_equal_to_torch_at_logits_of_magnitude_1e4(name):
    ours, theirs = STABILITY[name]
    result = ours()
    assert np.all(np.isfinite(result))
    assert_matches(result, theirs())


# --------------------------------------------------------------------------- cross-entropy


def test_cross_entropy_of_two_equal_logits_is_log_2():
    assert losses.cross_entropy([[0.0, 0.0]], [1]) == pytest.approx(0.693, abs=5e-4)
    assert losses.cross_entropy([[3.0, 3.0]], [0]) == pytest.approx(math.log(2), rel=1e-15)


@given(x=logits(), reduction=st.sampled_from(REDUCTIONS), smoothing=label_smoothings, data=st.data())
def test_cross_entropy_with_class_indices_matches_torch(x, reduction, smoothing, data):
    target, ignore_index = data.draw(index_targets(x), label="target, ignore_index")
    weight = data.draw(class_weights(class_layout(x)[0]), label="weight")
    ours = losses.cross_entropy(x, target, weight, ignore_index, reduction, smoothing)
    theirs = F.cross_entropy(
        tensor(x), tensor(target), weight=tensor(weight), ignore_index=ignore_index,
        reduction=reduction, label_smoothing=smoothing,
    )
    assert_matches(ours, theirs)


@given(x=logits(), reduction=st.sampled_from(REDUCTIONS), smoothing=label_smoothings, data=st.data())
def test_cross_entropy_with_class_probabilities_matches_torch(x, reduction, smoothing, data):
    target = data.draw(values(x.shape, 0.0, 1.0), label="target")
    weight = data.draw(class_weights(class_layout(x)[0]), label="weight")
    ours = losses.cross_entropy(x, target, weight, reduction=reduction, label_smoothing=smoothing)
    theirs = F.cross_entropy(
        tensor(x), tensor(target), weight=tensor(weight), reduction=reduction,
        label_smoothing=smoothing,
    )
    assert_matches(ours, theirs)


@pytest.mark.parametrize("weight", [None, [1.0, 2.0, 0.5]], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2], ids=["no smoothing", "smoothing 0.2"])
def test_cross_entropy_with_every_target_ignored_is_nan_for_mean_and_zero_for_sum(
    weight, smoothing
):
    x, target = np.arange(6.0).reshape(2, 3), np.array([-100, -100])
    mean = losses.cross_entropy(x, target, weight, label_smoothing=smoothing)
    assert np.isnan(mean)
    assert np.isnan(F.cross_entropy(tensor(x), tensor(target), tensor(weight),
                                    label_smoothing=smoothing).item())
    assert losses.cross_entropy(x, target, weight, reduction="sum", label_smoothing=smoothing) == 0


@given(x=logits(), reduction=st.sampled_from(REDUCTIONS), data=st.data())
def test_nll_loss_matches_torch(x, reduction, data):
    target, ignore_index = data.draw(index_targets(x), label="target, ignore_index")
    weight = data.draw(class_weights(class_layout(x)[0]), label="weight")
    ours = losses.nll_loss(x, target, weight, ignore_index, reduction)
    theirs = F.nll_loss(tensor(x), tensor(target), tensor(weight), ignore_index=ignore_index,
                        reduction=reduction)
    assert_matches(ours, theirs)


def test_cross_entropy_reads_float_valued_indices_as_classes():
    x = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 1.0]])
    assert losses.cross_entropy(x, [2.0, 0.0]) == losses.cross_entropy(x, np.array([2, 0]))


# --------------------------------------------------------------------------- binary


@st.composite
def binary_case(draw, probabilities):
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    if probabilities:
        x = draw(arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0]) | st.floats(0, 1)))
    else:
        x = draw(values(shape)) * draw(st.sampled_from(SCALES))
    target = draw(arrays(np.float64, shape,
                         elements=st.sampled_from([0.0, 1.0]) | st.floats(0, 1)))
    weight_shapes = st.sampled_from([shape, shape[-1:], (1,) * len(shape)])
    weight = draw(st.none() | weight_shapes.flatmap(lambda s: values(s, 0.0, 3.0)))
    pos_weight = draw(st.none() | weight_shapes.flatmap(lambda s: values(s, 0.0, 5.0)))
    return x, target, weight, pos_weight


@given(case=binary_case(probabilities=True), reduction=st.sampled_from(REDUCTIONS))
def test_binary_cross_entropy_matches_torch_including_its_log_clamp(case, reduction):
    x, target, weight, _ = case
    ours = losses.binary_cross_entropy(x, target, weight, reduction)
    theirs = F.binary_cross_entropy(tensor(x), tensor(target), tensor(weight), reduction=reduction)
    assert_matches(ours, theirs)


def test_binary_cross_entropy_of_a_certain_wrong_prediction_is_100():
    ours = losses.binary_cross_entropy([0.0, 1.0], [1.0, 0.0], reduction="none")
    np.testing.assert_array_equal(ours, [100.0, 100.0])


@given(case=binary_case(probabilities=False), reduction=st.sampled_from(REDUCTIONS))
def test_binary_cross_entropy_with_logits_matches_torch(case, reduction):
    x, target, weight, pos_weight = case
    ours = losses.binary_cross_entropy_with_logits(x, target, weight, reduction, pos_weight)
    theirs = F.binary_cross_entropy_with_logits(
        tensor(x), tensor(target), tensor(weight), reduction=reduction,
        pos_weight=tensor(pos_weight),
    )
    assert_matches(ours, theirs)


@given(case=binary_case(probabilities=False), reduction=st.sampled_from(REDUCTIONS),
       alpha=st.sampled_from([-1.0, 0.0, 0.25, 1.0]) | st.floats(0, 1),
       gamma=st.sampled_from([0, 1, 2, 2.5]))
def test_sigmoid_focal_loss_matches_the_torchvision_formula(case, reduction, alpha, gamma):
    x, target, _, _ = case
    ours = losses.sigmoid_focal_loss(x, target, alpha, gamma, reduction)
    assert_matches(ours, torchvision_focal(x, target, alpha, gamma, reduction), atol=1e-10)


def test_sigmoid_focal_loss_with_gamma_0_and_no_alpha_is_binary_cross_entropy():
    x, t = np.array([-2.0, 0.5, 3.0]), np.array([1.0, 0.0, 1.0])
    assert_matches(
        losses.sigmoid_focal_loss(x, t, alpha=-1, gamma=0),
        losses.binary_cross_entropy_with_logits(x, t, reduction="none"),
        rtol=1e-15,
    )


# --------------------------------------------------------------------------- focal (Keras)


@given(x=logits(unbatched=False), from_logits=st.booleans(), smoothing=label_smoothings,
       alpha=st.sampled_from([0.25, 1.0]) | st.floats(0, 1), gamma=st.sampled_from([0.0, 2.0, 3.5]),
       reduction=st.sampled_from(("none", "sum", "sum_over_batch_size", "mean")), data=st.data())
def test_categorical_focal_loss_matches_the_keras_formula(
    x, from_logits, smoothing, alpha, gamma, reduction, data
):
    axis = data.draw(st.sampled_from([-1, 1]), label="axis")
    y_pred = x if from_logits else np.abs(x) + 0.01
    y_true = data.draw(values(x.shape, 0.0, 1.0), label="y_true")
    args = (y_true, y_pred, alpha, gamma, from_logits, smoothing, axis, reduction)
    assert_matches(losses.categorical_focal_loss(*args), keras_focal_torch(*args), atol=1e-10)


@pytest.mark.parametrize(
    "y_true, y_pred, expected",
    [
        ([0.0, 1.0], [0.5, 0.5], 0.25 * 0.5**2 * math.log(2)),
        ([1.0, 0.0, 0.0], [0.8, 0.1, 0.1], 0.25 * 0.2**2 * -math.log(0.8)),
        ([0.0, 1.0], [2.0, 2.0], 0.25 * 0.5**2 * math.log(2)),
        ([0.0, 1.0], [1.0, 0.0], 0.25 * (1 - 1e-7) ** 2 * -math.log(1e-7)),
    ],
    ids=["even guess", "confident right", "unnormalised prediction", "certain wrong, clipped"],
)
def test_categorical_focal_loss_by_hand(y_true, y_pred, expected):
    assert losses.categorical_focal_loss([y_true], [y_pred]) == pytest.approx(expected, rel=1e-12)


def test_categorical_focal_loss_reads_none_as_no_reduction():
    y_true, y_pred = np.eye(2), np.array([[0.7, 0.3], [0.4, 0.6]])
    assert losses.categorical_focal_loss(y_true, y_pred, reduction=None).shape == (2,)


# --------------------------------------------------------------------------- regression


@st.composite
def regression_case(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    x = draw(values(shape, -100.0, 100.0))
    target_shape = draw(st.sampled_from([shape, shape[-1:], (1,) * len(shape)]))
    target = draw(values(target_shape, -100.0, 100.0))
    weight = draw(st.none() | values(shape, 0.1, 3.0))
    return x, target, weight


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@given(case=regression_case(), reduction=st.sampled_from(REDUCTIONS))
def test_regression_loss_matches_torch(name, case, reduction):
    x, target, weight = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns when the target broadcasts
        theirs = getattr(F, name)(tensor(x), tensor(target), reduction=reduction,
                                  weight=tensor(weight))
    assert_matches(getattr(losses, name)(x, target, reduction, weight), theirs)


@st.composite
def variances(draw, shape):
    kind = draw(st.sampled_from(["per element", "per row", "size-1 axis", "number", "zeros"]))
    if kind == "number":
        return draw(st.floats(0.0, 10.0))
    if kind == "per row":
        shape = shape[:-1]
    elif kind == "size-1 axis":
        axis = draw(st.integers(0, len(shape) - 1))
        shape = shape[:axis] + (1,) + shape[axis + 1:]
    var = draw(values(shape, 0.0, 10.0))
    return var * 0 if kind == "zeros" else var


@given(case=regression_case(), reduction=st.sampled_from(REDUCTIONS), full=st.booleans(),
       eps=st.sampled_from([1e-6, 0.5]), data=st.data())
def test_gaussian_nll_loss_matches_torch(case, reduction, full, eps, data):
    x, target, _ = case
    var = data.draw(variances(x.shape), label="var")
    ours = losses.gaussian_nll_loss(x, target, var, full, eps, reduction)
    theirs = F.gaussian_nll_loss(tensor(x), tensor(target),
                                 var if isinstance(var, float) else tensor(var),
                                 full=full, eps=eps, reduction=reduction)
    assert_matches(ours, theirs)


# --------------------------------------------------------------------------- validation

X = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 1.0]])
Y = np.array([2, 0])
P = np.array([[0.2, 0.3], [0.9, 0.1]])

BAD_ARGUMENTS = {
    "unknown reduction": (
        lambda: losses.cross_entropy(X, Y, reduction="avg"), ValueError,
        r"^reduction must be one of \('none', 'mean', 'sum'\); got 'avg'$",
    ),
    "unknown Keras reduction": (
        lambda: losses.categorical_focal_loss(P, P, reduction="avg"), ValueError,
        r"reduction must be one of \('none', 'sum', 'sum_over_batch_size', 'mean'\); got 'avg'",
    ),
    "label smoothing as text": (
        lambda: losses.cross_entropy(X, Y, label_smoothing="0.1"), TypeError,
        r"label_smoothing must be a number in \[0.0, 1.0\], got '0.1' \(type=str\)",
    ),
    "label smoothing above 1": (
        lambda: losses.cross_entropy(X, Y, label_smoothing=1.5), ValueError,
        r"label_smoothing must be a number in \[0.0, 1.0\], got 1.5",
    ),
    "keepdim not a bool": (
        lambda: losses.logsumexp(X, 1, keepdim=1), TypeError, r"keepdim must be a bool, got 1",
    ),
    "dim a float": (lambda: losses.softmax(X, 1.0), TypeError, r"dim must be an int, got 1.0"),
    "dim out of range": (
        lambda: losses.log_softmax(X, 2), ValueError,
        r"dim must be in \[-2, 1\] for an input with 2 dimensions, got 2",
    ),
    "logsumexp dim None": (
        lambda: losses.logsumexp(X, None), TypeError,
        r"dim must be an int or a non-empty tuple of ints, got None",
    ),
    "logsumexp dim tuple out of range": (
        lambda: losses.logsumexp(X, (0, 5)), ValueError, r"dim\[1\] must be in \[-2, 1\]",
    ),
    "logsumexp repeated dim": (
        lambda: losses.logsumexp(X, (1, -1)), ValueError,
        r"dim must not repeat a dimension, got \(1, -1\)",
    ),
    "cross-entropy on a scalar": (
        lambda: losses.cross_entropy(1.0, 0), ValueError, r"input must have shape \(C,\)",
    ),
    "cross-entropy target of the wrong shape": (
        lambda: losses.cross_entropy(X, [0, 1, 2]), ValueError,
        r"target must have shape \(2,\) of class indices or \(2, 3\) of class probabilities, "
        r"got shape \(3,\)",
    ),
    "nll target of the wrong shape": (
        lambda: losses.nll_loss(X, X), ValueError,
        r"target must have shape \(2,\) of class indices, got shape \(2, 3\)$",
    ),
    "fractional class indices": (
        lambda: losses.nll_loss(X, [0.5, 1.0]), TypeError, r"target must hold integers",
    ),
    "ignore_index a float": (
        lambda: losses.cross_entropy(X, Y, ignore_index=-100.0), TypeError,
        r"ignore_index must be an int, got -100.0 \(type=float\)",
    ),
    "class index out of range": (
        lambda: losses.cross_entropy(X, [3, -100]), ValueError,
        r"target must hold class indices in \[0, 3\) or ignore_index=-100, got 3",
    ),
    "negative class index": (
        lambda: losses.nll_loss(X, [-1, 0]), ValueError, r"in \[0, 3\).*got -1",
    ),
    "class weights of the wrong length": (
        lambda: losses.cross_entropy(X, Y, weight=[1.0, 2.0]), ValueError,
        r"weight must have one entry per class, shape \(3,\), got shape \(2,\)",
    ),
    "class weights as text": (
        lambda: losses.cross_entropy(X, Y, weight="heavy"), TypeError,
        r"weight must be a numeric array",
    ),
    "BCE target of another shape": (
        lambda: losses.binary_cross_entropy(P, P[0]), ValueError,
        r"target must have the input's shape \(2, 2\), got shape \(2,\)",
    ),
    "BCE input outside [0, 1]": (
        lambda: losses.binary_cross_entropy(X, X), ValueError,
        r"input must hold probabilities in \[0, 1\] \(for logits use "
        r"binary_cross_entropy_with_logits\), got 2.0$",
    ),
    "BCE input nan": (
        lambda: losses.binary_cross_entropy([np.nan], [1.0]), ValueError, r"got nan",
    ),
    "BCE weight that does not broadcast": (
        lambda: losses.binary_cross_entropy(P, P, weight=[1.0, 2.0, 3.0]), ValueError,
        r"weight must broadcast to the input's shape \(2, 2\), got shape \(3,\)",
    ),
    "pos_weight that would enlarge the input": (
        lambda: losses.binary_cross_entropy_with_logits(X[0], X[0], pos_weight=X), ValueError,
        r"pos_weight must broadcast to the input's shape \(3,\), got shape \(2, 3\)",
    ),
    "regression target that does not broadcast": (
        lambda: losses.mse_loss(X, P), ValueError,
        r"target must broadcast with the input, got shapes \(2, 2\) and \(2, 3\)",
    ),
    "regression weight of another shape": (
        lambda: losses.l1_loss(X, X, weight=X[0]), ValueError,
        r"weight must have the input's shape \(2, 3\), got shape \(3,\)",
    ),
    "negative variance number": (
        lambda: losses.gaussian_nll_loss(X, X, -1.0), ValueError,
        r"var must be non-negative, got -1.0",
    ),
    "negative variance entry": (
        lambda: losses.gaussian_nll_loss(X, X, -X), ValueError, r"var must be non-negative, got -",
    ),
    "variance of the wrong shape": (
        lambda: losses.gaussian_nll_loss(X, X, np.ones((3, 2))), ValueError,
        r"var must have the input's shape \(2, 3\).*got shape \(3, 2\)",
    ),
    "variance with two size-1 axes": (
        lambda: losses.gaussian_nll_loss(X, X, np.ones((1, 1))), ValueError, r"got shape \(1, 1\)",
    ),
    "variance with a wrong size on one axis": (
        lambda: losses.gaussian_nll_loss(X, X, np.ones((2, 2))), ValueError, r"got shape \(2, 2\)",
    ),
    "negative eps": (
        lambda: losses.gaussian_nll_loss(X, X, 1.0, eps=-1e-6), ValueError,
        r"eps must be a non-negative number, got -1e-06",
    ),
    "full not a bool": (
        lambda: losses.gaussian_nll_loss(X, X, 1.0, full="yes"), TypeError,
        r"full must be a bool, got 'yes' \(type=str\)",
    ),
    "focal targets of another shape": (
        lambda: losses.sigmoid_focal_loss(X, Y), ValueError, r"targets must have the input's shape",
    ),
    "negative gamma": (
        lambda: losses.sigmoid_focal_loss(X, X, gamma=-2), ValueError,
        r"gamma must be a non-negative number, got -2.0",
    ),
    "alpha nan": (
        lambda: losses.sigmoid_focal_loss(X, X, alpha=float("nan")), ValueError,
        r"alpha must be a number \(negative to disable\), got nan",
    ),
    "Keras alpha as a list": (
        lambda: losses.categorical_focal_loss(P, P, alpha=[0.25, 0.75]), TypeError,
        r"alpha must be a finite number, got \[0.25, 0.75\] \(type=list\)",
    ),
    "Keras prediction a scalar": (
        lambda: losses.categorical_focal_loss(1.0, 1.0), ValueError,
        r"y_pred must have a class axis, got a scalar",
    ),
    "Keras from_logits not a bool": (
        lambda: losses.categorical_focal_loss(P, P, from_logits=None), TypeError,
        r"from_logits must be a bool, got None",
    ),
    "Keras axis out of range": (
        lambda: losses.categorical_focal_loss(P, P, axis=2), ValueError,
        r"axis must be in \[-2, 1\] for an input with 2 dimensions, got 2",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ARGUMENTS))
def test_bad_argument_is_refused_with_a_message_naming_it(case):
    call, error, message = BAD_ARGUMENTS[case]
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("grad", [losses.cross_entropy_grad, losses.nll_loss])
def test_gradient_and_nll_validate_like_cross_entropy(grad):
    with pytest.raises(ValueError, match=r"reduction must be one of"):
        grad(X, Y, reduction="avg")


# --------------------------------------------------------------------------- module


def test_all_lists_exactly_the_public_functions():
    public = {
        name for name, value in vars(losses).items()
        if callable(value) and not name.startswith("_") and value.__module__ == losses.__name__
    }
    assert set(losses.__all__) == public


@pytest.mark.parametrize("name", losses.__all__)
def test_public_function_documents_the_library_function_it_agrees_with(name):
    doc = getattr(losses, name).__doc__
    assert doc and ("agrees with" in doc.lower() or "Agrees with" in doc)


def test_importing_the_losses_does_not_import_torch():
    code = "import sys, reference.losses, reference.mistakes.losses; print('torch' in sys.modules)"
    root = Path(losses.__file__).parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "False"
