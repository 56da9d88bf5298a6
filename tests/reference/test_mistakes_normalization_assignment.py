"""The normalisation mistakes added with the normalization assignment, and the dropout mistakes'
new ``training`` parameter: each imitates its reference's signature, differs from it on a
concrete input, and does what its docstring says (shown against the reference on inputs where the
answer is easy to see)."""
import inspect

import numpy as np
import pytest

import reference.mistakes.normalization as norm_mistakes
from reference import normalization
from reference.mistakes import by_id

ADDED = [
    "batch_norm.eval_without_affine",
    "batch_norm.reshape_without_transpose",
    "batch_norm_backward.gamma_forgotten_in_dx",
    "batch_norm_backward.param_grads_batch_axis_only",
    "batch_norm_backward.unbiased_variance",
    "dropout.applied_in_eval",
    "dropout.eval_scales_by_keep_probability",
    "dropout_backward.training_ignored",
]
DROPOUT_MISTAKES = [m.id for m in norm_mistakes.MISTAKES if m.id.startswith("dropout")]

_rng = np.random.default_rng(2026)
X2 = _rng.normal(size=(5, 3))
X4 = _rng.normal(size=(2, 3, 2, 4))
C3 = np.array([0.5, -1.0, 2.0])
VAR3 = np.array([1.0, 0.5, 2.0])
G4 = _rng.normal(size=X4.shape)
MASK = (_rng.random(X4.shape) > 0.5).astype(float)

# mistake id -> (args, kwargs) on which the mistake and its reference disagree.
EXHIBITS = {
    "batch_norm.eval_without_affine": ((X2, C3, VAR3, VAR3, C3, False), {}),
    "batch_norm.reshape_without_transpose": ((X4, C3, VAR3, VAR3, C3, True), {}),
    "batch_norm_backward.gamma_forgotten_in_dx": ((G4, X4, C3), {}),
    "batch_norm_backward.param_grads_batch_axis_only": ((G4, X4, C3), {}),
    "batch_norm_backward.unbiased_variance": ((G4, X4, C3), {}),
    "dropout.applied_in_eval": ((X4, MASK, 0.5, False), {}),
    "dropout.eval_scales_by_keep_probability": ((X4, MASK, 0.5, False), {}),
    "dropout_backward.training_ignored": ((G4, MASK, 0.5, False), {}),
}


def _reference(m):
    return getattr(normalization, m.reference.rsplit(".", 1)[1])


def _differ(a, b) -> bool:
    if isinstance(a, tuple):
        return any(_differ(x, y) for x, y in zip(a, b))
    a, b = np.asarray(a), np.asarray(b)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-9, atol=1e-12)


def test_every_added_mistake_is_in_the_catalog_with_an_exhibit():
    ids = [m.id for m in norm_mistakes.MISTAKES]
    assert set(ADDED) <= set(ids) and len(ids) == len(set(ids))
    assert set(EXHIBITS) == set(ADDED)


@pytest.mark.parametrize("mistake_id", ADDED)
def test_added_mistake_differs_from_the_reference_on_its_exhibit(mistake_id):
    m = by_id(mistake_id)
    args, kwargs = EXHIBITS[mistake_id]
    assert _differ(m(*args, **kwargs), _reference(m)(*args, **kwargs))


@pytest.mark.parametrize("mistake_id", ADDED + DROPOUT_MISTAKES)
def test_mistake_has_the_signature_of_its_reference_and_explains_itself(mistake_id):
    m = by_id(mistake_id)

    def parameters(function):
        return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]

    assert parameters(m.function) == parameters(_reference(m))
    assert inspect.getdoc(m.function)
    assert m.explanation.strip() and "\n" not in m.explanation


@pytest.mark.parametrize("mistake_id", ADDED)
def test_added_mistake_validates_its_arguments_like_the_reference(mistake_id):
    m = by_id(mistake_id)
    args, kwargs = EXHIBITS[mistake_id]
    with pytest.raises((TypeError, ValueError)):
        m("not valid", *args[1:], **kwargs)


# --- batch norm, forward --------------------------------------------------------------------------


def test_eval_without_affine_returns_the_normalised_input_in_evaluation_only():
    m = by_id("batch_norm.eval_without_affine")
    gamma, beta = np.array([2.0, 3.0, 4.0]), C3
    got, mean, var = m(X2, C3, VAR3, gamma, beta, False)
    np.testing.assert_allclose(got, normalization.batch_norm(X2, C3, VAR3, None, None, False)[0])
    np.testing.assert_array_equal(mean, C3)
    np.testing.assert_array_equal(var, VAR3)
    for want, have in zip(normalization.batch_norm(X2, C3, VAR3, gamma, beta, True),
                          m(X2, C3, VAR3, gamma, beta, True)):  # training: no difference
        np.testing.assert_allclose(have, want)


def test_reshape_without_transpose_is_the_2d_batch_norm_of_x_reshaped_straight_to_rows():
    m = by_id("batch_norm.reshape_without_transpose")
    rows = X4.reshape(-1, 3)  # no transpose: a "channel" is every third value in memory order
    y, mean, var = m(X4, C3, VAR3, VAR3, C3, True, 0.5)
    want_y, want_mean, want_var = normalization.batch_norm(rows, C3, VAR3, VAR3, C3, True, 0.5)
    np.testing.assert_allclose(y, want_y.reshape(X4.shape))
    np.testing.assert_allclose(mean, want_mean)
    np.testing.assert_allclose(var, want_var)
    # the right way: channels last, then rows
    channels_last = X4.transpose(0, 2, 3, 1).reshape(-1, 3)
    np.testing.assert_allclose(normalization.batch_norm(X4, C3, VAR3, training=True)[1],
                               normalization.batch_norm(channels_last, C3, VAR3, training=True)[1])
    for want, have in zip(normalization.batch_norm(X2, C3, VAR3, VAR3, C3, True),
                          m(X2, C3, VAR3, VAR3, C3, True)):  # (N, D): no difference
        np.testing.assert_allclose(have, want)
    one_channel = X4[:, :1]
    np.testing.assert_allclose(m(one_channel, C3[:1], VAR3[:1], training=True)[0],
                               normalization.batch_norm(one_channel, C3[:1], VAR3[:1], training=True)[0])


# --- batch norm, backward -------------------------------------------------------------------------


def test_gamma_forgotten_in_dx_divides_dx_by_gamma_and_keeps_dgamma_and_dbeta():
    m = by_id("batch_norm_backward.gamma_forgotten_in_dx")
    dx, dgamma, dbeta = m(G4, X4, C3)
    want_dx, want_dgamma, want_dbeta = normalization.batch_norm_backward(G4, X4, C3)
    np.testing.assert_allclose(dx * C3.reshape(1, 3, 1, 1), want_dx)
    np.testing.assert_allclose(dgamma, want_dgamma)
    np.testing.assert_allclose(dbeta, want_dbeta)
    np.testing.assert_allclose(m(G4, X4, np.ones(3))[0], normalization.batch_norm_backward(G4, X4, None)[0])


def test_param_grads_over_the_batch_axis_only_keep_the_spatial_axes():
    m = by_id("batch_norm_backward.param_grads_batch_axis_only")
    dx, dgamma, dbeta = m(G4, X4, C3)
    want_dx, want_dgamma, want_dbeta = normalization.batch_norm_backward(G4, X4, C3)
    assert dgamma.shape == dbeta.shape == (3, 2, 4)
    np.testing.assert_allclose(dx, want_dx)
    np.testing.assert_allclose(dgamma.sum(axis=(1, 2)), want_dgamma)
    np.testing.assert_allclose(dbeta.sum(axis=(1, 2)), want_dbeta)
    g2 = _rng.normal(size=X2.shape)
    for want, have in zip(normalization.batch_norm_backward(g2, X2, C3), m(g2, X2, C3)):  # (N, D): the same
        np.testing.assert_allclose(have, want)


@pytest.mark.parametrize("x", [X2, X4], ids=["N-D", "N-C-H-W"])
def test_unbiased_variance_backward_is_the_gradient_of_the_unbiased_forward(x):
    forward = by_id("batch_norm.unbiased_variance_in_normalisation")
    backward = by_id("batch_norm_backward.unbiased_variance")
    g = _rng.normal(size=x.shape)
    gamma, beta, eps, h = np.array([1.5, -0.5, 2.0]), C3, 1e-3, 1e-6
    dx, dgamma, dbeta = backward(g, x, gamma, eps)

    def loss(x, gamma, beta):
        return float(np.sum(g * forward(x, None, None, gamma, beta, True, 0.1, eps)[0]))

    for k, (name, analytic) in enumerate([("x", dx), ("gamma", dgamma), ("beta", dbeta)]):
        point = [x, gamma, beta]
        v = _rng.normal(size=point[k].shape)
        plus, minus = list(point), list(point)
        plus[k], minus[k] = point[k] + h * v, point[k] - h * v
        numeric = (loss(*plus) - loss(*minus)) / (2 * h)
        assert numeric == pytest.approx(float(np.sum(analytic * v)), rel=1e-6), name
    # and it is not the gradient of the reference's forward
    assert _differ(dx, normalization.batch_norm_backward(g, x, gamma, eps)[0])


# --- dropout ----------------------------------------------------------------------------------------


def test_dropout_applied_in_eval_masks_and_rescales_whatever_training_says():
    m = by_id("dropout.applied_in_eval")
    np.testing.assert_allclose(m(X4, MASK, 0.5, False), X4 * MASK * 2)
    np.testing.assert_allclose(m(X4, MASK, 0.5, True), normalization.dropout(X4, MASK, 0.5, True))


def test_eval_scaled_by_keep_probability_multiplies_by_1_minus_p_in_evaluation_only():
    m = by_id("dropout.eval_scales_by_keep_probability")
    np.testing.assert_allclose(m(X4, MASK, 0.25, False), X4 * 0.75)
    np.testing.assert_allclose(m(X4, MASK, 0.25), normalization.dropout(X4, MASK, 0.25))
    np.testing.assert_allclose(m(X4, MASK, 0.0, False), X4)  # p = 0: no difference


def test_backward_training_ignored_masks_the_gradient_in_evaluation_too():
    m = by_id("dropout_backward.training_ignored")
    np.testing.assert_allclose(m(G4, MASK, 0.5, False), G4 * MASK * 2)
    np.testing.assert_allclose(m(G4, MASK, 0.5, True), normalization.dropout_backward(G4, MASK, 0.5, True))


@pytest.mark.parametrize("mistake_id", [i for i in DROPOUT_MISTAKES if i not in ADDED])
def test_training_mode_dropout_mistakes_are_right_in_evaluation_mode(mistake_id):
    """The existing dropout mistakes are about training; in evaluation they are the identity."""
    m = by_id(mistake_id)
    first = G4 if mistake_id.startswith("dropout_backward") else X4
    got = m(first, MASK, 0.5, False)
    np.testing.assert_array_equal(got, first)
    assert got is not first
    assert _differ(m(first, MASK, 0.5), _reference(m)(first, MASK, 0.5))  # still wrong when training
