"""The loss mistakes added with the losses assignment do what their docstrings say: shown against
the reference on inputs where the answer is easy to see, and equal to it where the mistake cannot
show. (Their exhibits, signatures and input layouts are tested with every loss mistake, in
test_mistakes_losses.py.)"""
import numpy as np
import pytest

import reference.mistakes.losses as loss_mistakes
from reference import losses
from reference.mistakes import by_id

ADDED = [
    "sigmoid.sigmoid_as_exp_ratio",
    "softmax.softmax_over_batch_axis",
    "softmax.softmax_over_all_elements",
    "cross_entropy.cross_entropy_sum_instead_of_mean",
    "cross_entropy.cross_entropy_log_of_softmax",
    "nll_loss.nll_loss_takes_log",
    "cross_entropy_grad.cross_entropy_grad_one_hot_forgotten",
    "binary_cross_entropy.binary_cross_entropy_clips_probabilities",
    "binary_cross_entropy_with_logits.binary_cross_entropy_with_logits_via_clamped_bce",
    "sigmoid_focal_loss.sigmoid_focal_loss_negative_alpha_applied",
]

_rng = np.random.default_rng(2027)
Z = _rng.normal(size=(3, 4)) * 2  # moderate logits
Y = np.array([0, 3, 1])
T = (_rng.random((3, 4)) > 0.5).astype(float)




# mistake id -> arguments its reference refuses
REFUSED = {
    "sigmoid.sigmoid_as_exp_ratio": ("not valid",),
    "softmax.softmax_over_batch_axis": (Z, 2),  # no axis 2
    "softmax.softmax_over_all_elements": (Z, 2),
    "cross_entropy.cross_entropy_sum_instead_of_mean": (Z, np.array([0, 4, 1])),  # no class 4
    "cross_entropy.cross_entropy_log_of_softmax": (Z, np.array([0, 4, 1])),
    "nll_loss.nll_loss_takes_log": (Z, np.array([0, 4, 1])),
    "cross_entropy_grad.cross_entropy_grad_one_hot_forgotten": (Z, np.array([0, 4, 1])),
    "binary_cross_entropy.binary_cross_entropy_clips_probabilities": (np.array([1.5]), np.array([1.0])),
    "binary_cross_entropy_with_logits.binary_cross_entropy_with_logits_via_clamped_bce": (Z, T[:, :2]),
    "sigmoid_focal_loss.sigmoid_focal_loss_negative_alpha_applied": (Z, T, "0.25"),
}


def test_every_added_mistake_is_in_the_catalog():
    assert set(ADDED) <= {m.id for m in loss_mistakes.MISTAKES}
    assert set(REFUSED) == set(ADDED)


@pytest.mark.parametrize("mistake_id", ADDED)
def test_added_mistake_refuses_what_its_reference_refuses(mistake_id):
    m = by_id(mistake_id)
    reference = getattr(losses, m.reference.rsplit(".", 1)[1])
    for f in (reference, m):
        with pytest.raises((TypeError, ValueError)):
            f(*REFUSED[mistake_id])


def test_sigmoid_as_exp_ratio_is_nan_only_where_exp_overflows():
    m = by_id("sigmoid.sigmoid_as_exp_ratio")
    z = np.array([-1e4, -30.0, 0.0, 30.0, 709.0, 710.0, 1e4])
    got = m(z)
    np.testing.assert_allclose(got[:5], losses.sigmoid(z)[:5], rtol=1e-12)
    assert np.isnan(got[5:]).all()


def test_softmax_over_batch_axis_normalises_the_columns_whatever_dim_says():
    m = by_id("softmax.softmax_over_batch_axis")
    np.testing.assert_allclose(m(Z, 1), losses.softmax(Z, 0))
    np.testing.assert_allclose(m(Z, 1).sum(axis=0), np.ones(4))
    np.testing.assert_allclose(m(Z, 0), losses.softmax(Z, 0))  # dim 0: no difference
    np.testing.assert_allclose(m(Z[0], -1), losses.softmax(Z[0], -1))  # one sample: no difference


def test_softmax_over_all_elements_sums_to_one_over_the_whole_batch():
    m = by_id("softmax.softmax_over_all_elements")
    got = m(Z, 1)
    assert got.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(got, np.exp(Z) / np.exp(Z).sum())
    np.testing.assert_allclose(m(Z[0], 0), losses.softmax(Z[0], 0))  # 1-D: no difference


def test_cross_entropy_sum_instead_of_mean_is_n_times_the_mean():
    m = by_id("cross_entropy.cross_entropy_sum_instead_of_mean")
    assert m(Z, Y, label_smoothing=0.1) == pytest.approx(3 * losses.cross_entropy(Z, Y, label_smoothing=0.1))
    assert m(Z[:1], Y[:1]) == pytest.approx(losses.cross_entropy(Z[:1], Y[:1]))  # N = 1: no difference
    assert m(Z, Y, reduction="none") == pytest.approx(losses.cross_entropy(Z, Y, reduction="none"))


def test_cross_entropy_log_of_softmax_is_inf_where_the_target_probability_underflows():
    m = by_id("cross_entropy.cross_entropy_log_of_softmax")
    assert m(Z, Y, label_smoothing=0.2) == pytest.approx(losses.cross_entropy(Z, Y, label_smoothing=0.2))
    assert m(np.array([[1e4, 0.0]]), np.array([1])) == np.inf
    assert losses.cross_entropy(np.array([[1e4, 0.0]]), np.array([1])) == pytest.approx(1e4)
    # smoothing puts eps / K on the underflowed class too
    assert m(np.array([[1e4, 0.0]]), np.array([0]), label_smoothing=0.1) == np.inf
    assert m(np.array([[1e4, 0.0]]), np.array([0])) == pytest.approx(0.0)


def test_nll_loss_takes_log_is_the_loss_of_the_log_of_its_input():
    m = by_id("nll_loss.nll_loss_takes_log")
    probs = losses.softmax(Z, 1)
    assert m(probs, Y) == pytest.approx(losses.nll_loss(np.log(probs), Y))  # right only for probabilities
    assert np.isnan(m(np.log(probs), Y))  # log of a negative number


def test_cross_entropy_grad_one_hot_forgotten_is_softmax_over_n():
    m = by_id("cross_entropy_grad.cross_entropy_grad_one_hot_forgotten")
    np.testing.assert_allclose(m(Z, Y), losses.softmax(Z, 1) / 3)
    np.testing.assert_allclose(m(Z, Y, label_smoothing=0.3), losses.softmax(Z, 1) / 3)
    right = losses.cross_entropy_grad(Z, Y, label_smoothing=0.3)
    np.testing.assert_allclose(m(Z, Y, label_smoothing=0.3) - right, (0.7 * np.eye(4)[Y] + 0.3 / 4) / 3)
    np.testing.assert_allclose(m(Z, Y, reduction="sum"), losses.softmax(Z, 1))


def test_bce_clips_probabilities_costs_16_not_100_for_a_certain_wrong_prediction():
    m = by_id("binary_cross_entropy.binary_cross_entropy_clips_probabilities")
    assert m(np.array([0.0]), np.array([1.0])) == pytest.approx(-np.log(1e-7))
    assert losses.binary_cross_entropy(np.array([0.0]), np.array([1.0])) == pytest.approx(100.0)
    p, y = np.array([0.1, 0.5, 0.9]), np.array([1.0, 0.0, 1.0])
    assert m(p, y) == pytest.approx(losses.binary_cross_entropy(p, y))


def test_bce_with_logits_via_clamped_bce_is_stuck_at_100_for_large_logits():
    m = by_id("binary_cross_entropy_with_logits.binary_cross_entropy_with_logits_via_clamped_bce")
    z, y = np.array([50.0, 1e4, -1e4]), np.array([0.0, 0.0, 1.0])
    np.testing.assert_allclose(m(z, y, reduction="none"), [100.0, 100.0, 100.0])
    np.testing.assert_allclose(losses.binary_cross_entropy_with_logits(z, y, reduction="none"), [50.0, 1e4, 1e4])
    weight = np.array([1.0, 2.0, 3.0, 0.5])  # moderate logits: no difference
    assert m(Z, T, pos_weight=weight) == pytest.approx(losses.binary_cross_entropy_with_logits(Z, T, pos_weight=weight))


def test_focal_negative_alpha_applied_weights_where_torchvision_does_not():
    m = by_id("sigmoid_focal_loss.sigmoid_focal_loss_negative_alpha_applied")
    unweighted = losses.sigmoid_focal_loss(Z, T, alpha=-1.0)
    np.testing.assert_allclose(m(Z, T, alpha=-1.0), (-T + 2 * (1 - T)) * unweighted)
    np.testing.assert_allclose(m(Z, T, alpha=0.75, gamma=0.5),  # alpha >= 0: no difference
                               losses.sigmoid_focal_loss(Z, T, alpha=0.75, gamma=0.5))
