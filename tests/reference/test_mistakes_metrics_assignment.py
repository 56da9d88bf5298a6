"""The metric mistakes added with the metrics assignment, and its reference
``precision_recall_fscore_support``: each mistake does what its docstring says, shown against the
reference on inputs where the answer is easy to see, and is right where its mistake cannot show.
(Their exhibits, signatures and argument checks are in test_mistakes_optim_metrics.py.)"""
import math
import warnings

import numpy as np
import pytest

from reference import metrics
from reference.mistakes import by_id
from reference.mistakes import metrics as metric_mistakes

PRFS = "precision_recall_fscore_support.precision_recall_fscore_support_"
ADDED = [PRFS + name for name in ("macro_micro_swapped", "macro_over_present_classes", "zero_division_nan",
                                  "zero_division_one", "weighted_by_predicted_counts", "f1_arithmetic_mean",
                                  "f1_of_averaged_precision_recall", "precision_recall_swapped")] + [
    "specificity_score.specificity_score_computes_recall",
    "roc_curve.roc_curve_ties_broken_by_order",
    "roc_curve.roc_curve_strictly_greater",
    "roc_curve.roc_curve_thresholds_ascending",
    "roc_auc_score.roc_auc_score_ties_count_zero",
    "roc_auc_score.roc_auc_score_ties_count_one",
    "roc_auc_score.roc_auc_score_trapezoid_unsorted",
    "roc_auc_score.roc_auc_score_single_class_half",
    "average_precision_score.average_precision_score_interpolated",
    "average_precision_score.average_precision_score_ties_broken_by_order",
]

# 3 classes and a 4th that never occurs: per class TP (3, 1, 1, 0), predicted (3, 2, 1, 0), true (4, 1, 1, 0)
Y_TRUE = np.array([0, 0, 0, 0, 1, 2])
Y_PRED = np.array([0, 0, 1, 0, 1, 2])
FOUR = dict(labels=[0, 1, 2, 3], zero_division=0)
PREDICTED, TRUE = np.array([3, 2, 1, 0]), np.array([4, 1, 1, 0])


def prfs(y_true=Y_TRUE, y_pred=Y_PRED, **kwargs):
    return metrics.precision_recall_fscore_support(y_true, y_pred, **{**FOUR, **kwargs})


def mistake(name, y_true=Y_TRUE, y_pred=Y_PRED, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return by_id(PRFS + name if "." not in name else name)(y_true, y_pred, **{**FOUR, **kwargs})


def test_every_added_mistake_is_in_the_catalog_once():
    ids = [m.id for m in metric_mistakes.MISTAKES]
    assert set(ADDED) <= set(ids) and len(ids) == len(set(ids))


def test_precision_recall_fscore_support_per_class_and_averaged():
    precision, recall, f1, support = prfs(average=None)
    np.testing.assert_allclose(precision, [1, 1 / 2, 1, 0])
    np.testing.assert_allclose(recall, [3 / 4, 1, 1, 0])
    np.testing.assert_allclose(f1, [6 / 7, 2 / 3, 1, 0])
    assert support.tolist() == [4, 1, 1, 0] and support.dtype == np.int64
    macro = prfs(average="macro")
    assert macro[:3] == pytest.approx((2.5 / 4, 2.75 / 4, (6 / 7 + 2 / 3 + 1) / 4)) and macro[3] is None
    assert prfs(average="micro")[:3] == pytest.approx((5 / 6, 5 / 6, 5 / 6))
    assert prfs(average="weighted", sample_weight=np.ones(6))[3] is None
    assert prfs(average=None, sample_weight=np.full(6, 0.5))[3].tolist() == [2.0, 0.5, 0.5, 0.0]


# --- precision, recall and F ------------------------------------------------------------------


def test_macro_micro_swapped_exchanges_the_two_averages_only():
    assert mistake("macro_micro_swapped", average="macro") == prfs(average="micro")
    assert mistake("macro_micro_swapped", average="micro") == prfs(average="macro")
    assert mistake("macro_micro_swapped", average="weighted") == prfs(average="weighted")


def test_macro_over_present_classes_leaves_out_the_class_that_never_occurs():
    got = mistake("macro_over_present_classes", average="macro")
    assert got[:3] == pytest.approx(prfs(labels=[0, 1, 2], average="macro")[:3])
    assert got[2] == pytest.approx(prfs(average="macro")[2] * 4 / 3)
    assert mistake("macro_over_present_classes", average="macro", labels=[0, 1, 2]) == \
        prfs(labels=[0, 1, 2], average="macro")  # every class occurs: no difference


def test_zero_division_nan_leaves_numpys_nan_in_and_the_average_spreads_it():
    precision, recall, f1, _ = mistake("zero_division_nan", average=None)
    np.testing.assert_allclose(precision[:3], [1, 1 / 2, 1])
    assert math.isnan(precision[3]) and math.isnan(recall[3]) and math.isnan(f1[3])
    assert all(math.isnan(x) for x in mistake("zero_division_nan", average="macro")[:3])
    # F1 from P and R: 0/0 where a class has samples and predictions but no true positive
    f1 = mistake("zero_division_nan", np.array([0, 1]), np.array([1, 0]), labels=[0, 1], average=None)[2]
    assert np.isnan(f1).all()
    assert mistake("zero_division_nan", average="micro")[:3] == pytest.approx(prfs(average="micro")[:3])


def test_zero_division_one_gives_a_perfect_score_to_the_class_that_never_occurs():
    got = mistake("zero_division_one", average=None)
    for have, want in zip(got[:3], prfs(average=None)[:3]):
        np.testing.assert_allclose(have, np.r_[want[:3], 1.0])
    with pytest.raises(ValueError):
        mistake("zero_division_one", zero_division=2)


def test_weighted_by_predicted_counts_uses_the_column_sums():
    precision, recall, f1, _ = prfs(average=None)
    got = mistake("weighted_by_predicted_counts", average="weighted")
    assert got[:3] == pytest.approx(tuple(np.average(x, weights=PREDICTED) for x in (precision, recall, f1)))
    assert prfs(average="weighted")[:3] == pytest.approx(tuple(np.average(x, weights=TRUE)
                                                              for x in (precision, recall, f1)))
    assert mistake("weighted_by_predicted_counts", average="macro") == prfs(average="macro")


def test_f1_arithmetic_mean_averages_precision_and_recall_per_class():
    precision, recall, f1, _ = mistake("f1_arithmetic_mean", average=None)
    np.testing.assert_allclose(f1, (precision + recall) / 2)
    assert mistake("f1_arithmetic_mean", average="macro")[2] == pytest.approx(np.mean((precision + recall) / 2))
    p, r = prfs(average=None, beta=2.0)[:2]
    np.testing.assert_allclose(mistake("f1_arithmetic_mean", average=None, beta=2.0)[2], (p + 4 * r) / 5)
    assert mistake("f1_arithmetic_mean", average="micro") == prfs(average="micro")  # P = R there


def test_f1_of_averaged_precision_recall_is_the_harmonic_mean_of_the_averages():
    p, r, f1, _ = mistake("f1_of_averaged_precision_recall", average="macro")
    assert (p, r) == prfs(average="macro")[:2] and f1 == pytest.approx(2 * p * r / (p + r))
    assert f1 != pytest.approx(prfs(average="macro")[2])
    assert mistake("f1_of_averaged_precision_recall", average=None)[2].tolist() == prfs(average=None)[2].tolist()


def test_precision_recall_swapped_exchanges_them_and_f_beta_with_f_one_over_beta():
    for average in (None, "macro", "weighted"):
        got, right = mistake("precision_recall_swapped", average=average), prfs(average=average)
        np.testing.assert_allclose(got[0], right[1])
        np.testing.assert_allclose(got[1], right[0])
        np.testing.assert_allclose(got[2], right[2])  # F1 is symmetric
    np.testing.assert_allclose(mistake("precision_recall_swapped", average=None, beta=2.0)[2],
                               prfs(average=None, beta=0.5)[2])
    np.testing.assert_allclose(mistake("precision_recall_swapped", average=None, beta=0.0)[2],
                               prfs(average=None)[1])  # F_0 is the precision: the swapped one, recall


def test_specificity_computes_recall():
    got = mistake("specificity_score.specificity_score_computes_recall", average=None)
    np.testing.assert_allclose(got, prfs(average=None)[1])
    np.testing.assert_allclose(metrics.specificity_score(Y_TRUE, Y_PRED, average=None, **FOUR), [1, 4 / 5, 1, 1])


# --- ROC curves and areas -------------------------------------------------------------------------

Y = np.array([1, 0, 1, 0])
S = np.array([0.8, 0.5, 0.5, 0.2])  # a positive and a negative tied at 0.5


def roc_mistake(name, y=Y, s=S, **kwargs):
    return by_id(f"roc_curve.roc_curve_{name}")(y, s, **kwargs)


def test_ties_broken_by_order_gives_one_point_per_sample_in_input_order():
    fpr, tpr, thresholds = roc_mistake("ties_broken_by_order", drop_intermediate=False)
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 0.5, 1])  # the negative at 0.5 comes first
    np.testing.assert_allclose(tpr, [0, 0.5, 0.5, 1, 1])
    np.testing.assert_allclose(thresholds, [np.inf, 0.8, 0.5, 0.5, 0.2])
    fpr, tpr, _ = roc_mistake("ties_broken_by_order", Y[[0, 2, 1, 3]], S[[0, 2, 1, 3]], drop_intermediate=False)
    np.testing.assert_allclose(tpr, [0, 0.5, 1, 1, 1])  # the positive first: up, then across
    distinct = np.array([0.9, 0.7, 0.5, 0.3])
    for have, want in zip(roc_mistake("ties_broken_by_order", s=distinct), metrics.roc_curve(Y, distinct)):
        np.testing.assert_allclose(have, want)  # no ties: no difference


def test_strictly_greater_shifts_every_point_to_the_next_threshold():
    fpr, tpr, thresholds = roc_mistake("strictly_greater", drop_intermediate=False)
    np.testing.assert_allclose(fpr, [0, 0, 0, 0.5])
    np.testing.assert_allclose(tpr, [0, 0, 0.5, 1])
    np.testing.assert_allclose(thresholds, metrics.roc_curve(Y, S, drop_intermediate=False)[2])


def test_thresholds_ascending_runs_the_curve_backwards():
    right = metrics.roc_curve(Y, S)
    for have, want in zip(roc_mistake("thresholds_ascending"), right):
        np.testing.assert_allclose(have, want[::-1])


def auc_mistake(name, y=Y, s=S, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return by_id(f"roc_auc_score.roc_auc_score_{name}")(y, s, **kwargs)


def test_auc_ties_count_zero_or_one_instead_of_one_half():
    assert metrics.roc_auc_score(Y, S) == pytest.approx(3.5 / 4)
    assert auc_mistake("ties_count_zero") == pytest.approx(3 / 4)
    assert auc_mistake("ties_count_one") == pytest.approx(4 / 4)
    weight = np.array([1.0, 2.0, 1.0, 1.0])  # the tied negative counts twice
    assert auc_mistake("ties_count_zero", sample_weight=weight) == pytest.approx(4 / 6)
    assert metrics.roc_auc_score(Y, S, sample_weight=weight) == pytest.approx(5 / 6)
    distinct = np.array([0.9, 0.7, 0.5, 0.3])
    assert auc_mistake("ties_count_zero", s=distinct) == auc_mistake("ties_count_one", s=distinct) == \
        pytest.approx(metrics.roc_auc_score(Y, distinct))


def test_auc_trapezoid_unsorted_is_right_only_for_sorted_scores():
    ranked = np.array([0.9, 0.7, 0.5, 0.3])
    assert auc_mistake("trapezoid_unsorted", s=ranked) == pytest.approx(metrics.roc_auc_score(Y, ranked))
    # in input order 0.3 (everything positive, (1, 1)) comes before 0.9 ((0, 0.5))
    shuffled = np.array([0.3, 0.7, 0.5, 0.9])
    labels = np.array([0, 0, 1, 1])
    assert metrics.roc_auc_score(labels, shuffled) == pytest.approx(0.75)
    assert auc_mistake("trapezoid_unsorted", labels, shuffled) != pytest.approx(0.75)


def test_single_class_half_answers_a_number_where_the_auc_is_undefined():
    assert auc_mistake("single_class_half", np.array([1, 1]), np.array([0.2, 0.4])) == 0.5
    assert auc_mistake("single_class_half", np.array([0, 0]), np.array([0.2, 0.4])) == 0.5
    assert auc_mistake("single_class_half") == metrics.roc_auc_score(Y, S)


@pytest.mark.parametrize("name", ["ties_count_zero", "ties_count_one", "trapezoid_unsorted"])
def test_auc_mistakes_keep_the_undefined_case_undefined(name):
    assert math.isnan(auc_mistake(name, np.array([1, 1]), np.array([0.2, 0.4])))


def test_average_precision_interpolated_takes_the_best_precision_at_higher_recall():
    y, s = np.array([0, 1, 1]), np.array([0.9, 0.8, 0.7])  # precision 1/2 at recall 1/2, 2/3 at 1
    assert metrics.average_precision_score(y, s) == pytest.approx(1 / 2 * 1 / 2 + 1 / 2 * 2 / 3)
    ap = by_id("average_precision_score.average_precision_score_interpolated")
    assert ap(y, s) == pytest.approx(2 / 3)
    assert ap(np.array([1, 1, 0]), s) == pytest.approx(1.0)  # precision never rises: no difference


def test_average_precision_ties_broken_by_order_ranks_tied_samples_one_by_one():
    ap = by_id("average_precision_score.average_precision_score_ties_broken_by_order")
    assert metrics.average_precision_score(Y, S) == pytest.approx(1 / 2 + 1 / 2 * 2 / 3)
    assert ap(Y, S) == pytest.approx(1 / 2 * (1 + 2 / 3))  # the negative at 0.5 comes first: same here
    assert ap(Y[[0, 2, 1, 3]], S[[0, 2, 1, 3]]) == pytest.approx(1.0)  # the positive first: 2/2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ap(np.array([0, 0]), np.array([0.1, 0.2])) == 0.0  # no positives: as the reference
