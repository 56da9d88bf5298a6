"""Every mistake in reference.mistakes.losses imitates its reference and differs from it."""
import inspect

import numpy as np
import pytest

from reference import mistakes
from reference.mistakes.losses import MISTAKES

# mistake id -> (args, kwargs) on which the mistake and the reference disagree
EXHIBITS = {
    "softmax.softmax_without_max_shift": (([[1000.0, 0.0]], 1), {}),
    "log_softmax.log_softmax_as_log_of_softmax": (([[1000.0, 0.0]], 1), {}),
    "log_softmax.log_softmax_without_max_shift": (([[1000.0, 0.0]], 1), {}),
    "logsumexp.logsumexp_without_max_shift": (([[1000.0, 0.0]], 1), {}),
    "log_sigmoid.log_sigmoid_as_log_of_sigmoid": (([-1000.0],), {}),
    "sigmoid.sigmoid_as_exp_ratio": (([1000.0],), {}),
    "softmax.softmax_over_batch_axis": (([[1.0, 0.0], [0.0, 0.0]], 1), {}),
    "softmax.softmax_over_all_elements": (([[1.0, 0.0], [0.0, 0.0]], 1), {}),
    "cross_entropy.cross_entropy_on_softmax_output": (([[2.0, 0.0]], [0]), {}),
    "cross_entropy.cross_entropy_mean_ignores_weights": (
        ([[1.0, 0.0], [0.0, 1.0]], [0, 0]), {"weight": [2.0, 1.0]},
    ),
    "cross_entropy.cross_entropy_counts_ignored_targets": (([[1.0, 0.0], [0.0, 1.0]], [0, -100]), {}),
    "cross_entropy.cross_entropy_smoothing_over_other_classes": (
        ([[1.0, 0.0, -1.0]], [0]), {"label_smoothing": 0.3},
    ),
    "cross_entropy.cross_entropy_smoothing_ignores_weight": (
        ([[1.0, 0.0, -1.0]], [0]), {"weight": [1.0, 2.0, 3.0], "label_smoothing": 0.3},
    ),
    "cross_entropy.cross_entropy_sum_instead_of_mean": (([[1.0, 0.0], [0.0, 1.0]], [0, 0]), {}),
    "cross_entropy.cross_entropy_log_of_softmax": (([[1000.0, 0.0]], [1]), {}),
    "nll_loss.nll_loss_negated": (([[-0.5, -1.0]], [0]), {}),
    "nll_loss.nll_loss_takes_log": (([[-0.5, -1.0]], [0]), {}),
    "nll_loss.nll_loss_mean_ignores_weights": (
        ([[-0.5, -1.0], [-0.2, -2.0]], [0, 0]), {"weight": [2.0, 1.0]},
    ),
    "cross_entropy_grad.cross_entropy_grad_not_divided_by_n": (
        ([[1.0, 0.0], [0.0, 1.0]], [0, 1]), {},
    ),
    "cross_entropy_grad.cross_entropy_grad_without_smoothing": (
        ([[1.0, 0.0]], [0]), {"label_smoothing": 0.2},
    ),
    "cross_entropy_grad.cross_entropy_grad_one_hot_forgotten": (([[1.0, 0.0]], [0]), {}),
    "binary_cross_entropy.binary_cross_entropy_without_clamp": (([0.0, 0.5], [1.0, 0.0]), {}),
    "binary_cross_entropy.binary_cross_entropy_sum_instead_of_mean": (
        ([0.2, 0.5], [1.0, 0.0]), {},
    ),
    "binary_cross_entropy.binary_cross_entropy_clips_probabilities": (([0.0, 0.5], [1.0, 0.0]), {}),
    "binary_cross_entropy_with_logits.binary_cross_entropy_with_logits_naive": (
        ([-1e4], [1.0]), {},
    ),
    "binary_cross_entropy_with_logits.binary_cross_entropy_with_logits_via_clamped_bce": (
        ([-1e4], [1.0]), {},
    ),
    "binary_cross_entropy_with_logits.binary_cross_entropy_with_logits_pos_weight_on_negatives": (
        ([1.0, -0.5], [1.0, 0.0]), {"pos_weight": [3.0]},
    ),
    "binary_cross_entropy_with_logits.binary_cross_entropy_with_logits_pos_weight_on_both_terms": (
        ([0.5, -0.5], [1.0, 0.0]), {"pos_weight": [3.0]},
    ),
    "binary_cross_entropy_with_logits_grad.binary_cross_entropy_with_logits_grad_sign_flipped": (
        ([0.5], [1.0]), {},
    ),
    "mse_loss.mse_loss_sum_instead_of_mean": (([1.0, 2.0], [0.0, 0.0]), {}),
    "mse_loss.mse_loss_root_mean_square": (([2.0, 2.0], [0.0, 0.0]), {}),
    "l1_loss.l1_loss_without_abs": (([1.0, -1.0], [0.0, 0.0]), {}),
    "gaussian_nll_loss.gaussian_nll_loss_without_half": (([1.0], [0.0], [2.0]), {}),
    "gaussian_nll_loss.gaussian_nll_loss_without_eps_clamp": (([1.0], [0.0], [0.0]), {}),
    "sigmoid_focal_loss.sigmoid_focal_loss_alpha_on_both_terms": (([0.5, -0.5], [1.0, 0.0]), {}),
    "sigmoid_focal_loss.sigmoid_focal_loss_gamma_on_p": (([0.5], [0.0]), {}),
    "sigmoid_focal_loss.sigmoid_focal_loss_negative_alpha_applied": (
        ([0.5, -0.5], [1.0, 0.0]), {"alpha": -1.0},
    ),
    "categorical_focal_loss.categorical_focal_loss_gamma_on_p": (([[0.0, 1.0]], [[0.2, 0.8]]), {}),
    "categorical_focal_loss.categorical_focal_loss_logits_as_probabilities": (
        ([[0.0, 1.0]], [[2.0, 1.0]]), {"from_logits": True},
    ),
}

BY_ID = {m.id: m for m in MISTAKES}


def reference_of(m):
    module, _, name = m.reference.rpartition(".")
    return getattr(__import__(module, fromlist=[name]), name)


def test_every_mistake_has_an_exhibit_and_a_unique_id():
    assert len(BY_ID) == len(MISTAKES)
    assert set(BY_ID) == set(EXHIBITS)


def test_the_catalog_lists_the_loss_mistakes():
    assert set(BY_ID) <= {m.id for m in mistakes.catalog()}


@pytest.mark.parametrize("mistake_id", list(EXHIBITS))
def test_mistake_differs_from_the_reference_on_its_exhibit(mistake_id):
    m = BY_ID[mistake_id]
    args, kwargs = EXHIBITS[mistake_id]
    wrong = np.asarray(m(*args, **kwargs), dtype=np.float64)
    right = np.asarray(reference_of(m)(*args, **kwargs), dtype=np.float64)
    assert np.all(np.isfinite(right))
    assert wrong.shape != right.shape or not np.allclose(wrong, right, equal_nan=True)


@pytest.mark.parametrize("mistake_id", list(EXHIBITS))
def test_mistake_has_the_reference_signature_a_docstring_and_a_one_line_explanation(mistake_id):
    m = BY_ID[mistake_id]
    assert inspect.signature(m.function) == inspect.signature(reference_of(m))
    assert m.function.__doc__
    assert m.explanation and "\n" not in m.explanation


WITH_REDUCTION = [
    mistake_id for mistake_id, m in BY_ID.items()
    if "reduction" in inspect.signature(m.function).parameters
]


@pytest.mark.parametrize("mistake_id", WITH_REDUCTION)
def test_mistake_refuses_a_bad_reduction_like_its_reference(mistake_id):
    args, kwargs = EXHIBITS[mistake_id]
    with pytest.raises(ValueError, match="reduction must be one of"):
        BY_ID[mistake_id](*args, **{**kwargs, "reduction": "avg"})


# Inputs of every layout each reference accepts: a mistake must run on all of them, as the
# grader compares a student's answers with the mistakes' on arbitrary valid inputs.
_rng = np.random.default_rng(7)
X = _rng.normal(size=(2, 3, 2)) * 3
INDICES = np.array([[0, 2], [1, -100]])
PROBS = _rng.random((2, 3, 2))
W3 = np.array([0.5, 1.0, 2.0])
LOG_P = X - np.log(np.exp(X).sum(1, keepdims=True))
CLASS_CASES = [
    ((X, INDICES), {"weight": W3, "label_smoothing": 0.1}),
    ((X, PROBS), {"weight": W3, "label_smoothing": 0.2}),
    ((X[0, :, 0], 1), {"ignore_index": 2, "label_smoothing": 0.3}),
]
GENERIC = {
    "softmax": [((X, 1), {}), ((X[0, :, 0], -1), {})],
    "log_softmax": [((X, 1), {}), ((X[0, :, 0], -1), {})],
    "logsumexp": [((X, (0, 2)), {"keepdim": True}), ((X, -1), {})],
    "log_sigmoid": [((X,), {})],
    "sigmoid": [((X,), {})],
    "cross_entropy": CLASS_CASES,
    "cross_entropy_grad": CLASS_CASES,
    "nll_loss": [((LOG_P, INDICES), {"weight": W3}), ((LOG_P[0, :, 0], 1), {"ignore_index": 1})],
    "binary_cross_entropy": [((PROBS, PROBS.round()), {"weight": PROBS[0, 0]})],
    "binary_cross_entropy_with_logits": [((X, PROBS), {"weight": PROBS, "pos_weight": X[0, 0] ** 2})],
    "binary_cross_entropy_with_logits_grad": [((X, PROBS), {"pos_weight": X[0, 0] ** 2})],
    "mse_loss": [((X, PROBS), {"weight": PROBS}), ((X, PROBS[0, 0]), {})],
    "l1_loss": [((X, PROBS), {"weight": PROBS}), ((X, PROBS[0, 0]), {})],
    "gaussian_nll_loss": [((X, PROBS, PROBS[..., :1]), {"full": True}), ((X, PROBS, 0.0), {})],
    "sigmoid_focal_loss": [((X, PROBS.round()), {"alpha": -1.0}), ((X, PROBS), {"gamma": 0})],
    "categorical_focal_loss": [
        ((PROBS, X), {"from_logits": True, "axis": 1, "label_smoothing": 0.1}),
        ((PROBS, PROBS), {}),
    ],
}


@pytest.mark.parametrize("mistake_id", list(EXHIBITS))
def test_mistake_runs_on_every_input_layout_its_reference_accepts(mistake_id):
    m = BY_ID[mistake_id]
    reductions = [{}]
    if "reduction" in inspect.signature(m.function).parameters:
        reductions = [{"reduction": r} for r in ("none", "sum")]
    for args, kwargs in GENERIC[m.reference.rpartition(".")[2]]:
        for reduction in reductions:
            wrong = m(*args, **kwargs, **reduction)
            right = reference_of(m)(*args, **kwargs, **reduction)
            assert np.shape(wrong) == np.shape(right)
