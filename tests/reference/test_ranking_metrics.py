"""ROC and precision-recall curves and their areas agree with scikit-learn, ties included."""
import math
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import assume, given
from hypothesis import strategies as st

from reference import metrics as M

# few distinct scores, so that ties are common
SCORES = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0])
WEIGHTS = st.sampled_from([0.0, 0.5, 1.0, 3.0])


@st.composite
def scored_binary(draw, label_pairs=((0, 1), (-1, 1), ("neg", "pos"), (2, 5))):
    negative, positive = draw(st.sampled_from(label_pairs))
    n = draw(st.integers(1, 20))
    y_true = np.array(draw(st.lists(st.sampled_from([negative, positive]), min_size=n,
                                    max_size=n)))
    y_score = np.array(draw(st.lists(SCORES, min_size=n, max_size=n)))
    weight = None
    if draw(st.booleans()):
        weight = np.array(draw(st.lists(WEIGHTS, min_size=n, max_size=n)))
        assume(weight.sum() > 0)
    return y_true, y_score, weight, positive


@st.composite
def scored_multiclass(draw):
    n_classes = draw(st.integers(3, 4))
    n = draw(st.integers(n_classes, 20))
    y_true = np.array(draw(st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n)))
    assume(np.unique(y_true).size == n_classes)
    raw = np.array(draw(st.lists(st.lists(st.integers(1, 4), min_size=n_classes,
                                          max_size=n_classes), min_size=n, max_size=n)), float)
    return y_true, raw / raw.sum(axis=1, keepdims=True)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _assert_curves_equal(got, expected):
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=1e-12)


@given(data=scored_binary(), drop_intermediate=st.booleans())
def test_roc_curve_agrees_with_sklearn(data, drop_intermediate):
    y_true, y_score, weight, positive = data
    kwargs = dict(pos_label=positive, sample_weight=weight, drop_intermediate=drop_intermediate)
    _assert_curves_equal(_quiet(M.roc_curve, y_true, y_score, **kwargs),
                         _quiet(skm.roc_curve, y_true, y_score, **kwargs))


@given(data=scored_binary(label_pairs=((0, 1), (-1, 1))))
def test_roc_curve_infers_pos_label_one_for_01_and_pm1_labels(data):
    y_true, y_score, weight, _ = data
    _assert_curves_equal(_quiet(M.roc_curve, y_true, y_score, sample_weight=weight),
                         _quiet(skm.roc_curve, y_true, y_score, sample_weight=weight))


@given(data=scored_binary(), drop_intermediate=st.booleans())
def test_precision_recall_curve_agrees_with_sklearn(data, drop_intermediate):
    y_true, y_score, weight, positive = data
    kwargs = dict(pos_label=positive, sample_weight=weight, drop_intermediate=drop_intermediate)
    _assert_curves_equal(_quiet(M.precision_recall_curve, y_true, y_score, **kwargs),
                         _quiet(skm.precision_recall_curve, y_true, y_score, **kwargs))


@given(data=scored_binary())
def test_binary_roc_auc_agrees_with_sklearn(data):
    y_true, y_score, weight, _ = data
    got = _quiet(M.roc_auc_score, y_true, y_score, sample_weight=weight)
    expected = _quiet(skm.roc_auc_score, y_true, y_score, sample_weight=weight)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@given(data=scored_binary())
def test_binary_average_precision_agrees_with_sklearn(data):
    y_true, y_score, weight, positive = data
    got = _quiet(M.average_precision_score, y_true, y_score, pos_label=positive,
                 sample_weight=weight)
    expected = _quiet(skm.average_precision_score, y_true, y_score, pos_label=positive,
                      sample_weight=weight)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@given(data=scored_multiclass(),
       mode=st.sampled_from([("ovr", None), ("ovr", "micro"), ("ovr", "macro"),
                             ("ovr", "weighted"), ("ovo", "macro"), ("ovo", "weighted")]),
       weighted=st.booleans())
def test_multiclass_roc_auc_agrees_with_sklearn(data, mode, weighted):
    y_true, y_score = data
    multi_class, average = mode
    weight = np.linspace(0.5, 2.0, y_true.size) if weighted and multi_class == "ovr" else None
    got = M.roc_auc_score(y_true, y_score, multi_class=multi_class, average=average,
                          sample_weight=weight)
    expected = skm.roc_auc_score(y_true, y_score, multi_class=multi_class, average=average,
                                 sample_weight=weight)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@given(data=scored_multiclass(), average=st.sampled_from([None, "micro", "macro", "weighted"]))
def test_multiclass_average_precision_agrees_with_sklearn(data, average):
    y_true, y_score = data
    np.testing.assert_allclose(M.average_precision_score(y_true, y_score, average=average),
                               skm.average_precision_score(y_true, y_score, average=average),
                               rtol=1e-12)


def test_roc_auc_with_explicit_labels_orders_the_columns():
    y_true = np.array([3, 5, 7, 3, 5, 7])
    y_score = np.array([[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8],
                        [0.3, 0.4, 0.3], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6]])
    for multi_class in ("ovr", "ovo"):
        got = M.roc_auc_score(y_true, y_score, multi_class=multi_class, labels=[3, 5, 7])
        expected = skm.roc_auc_score(y_true, y_score, multi_class=multi_class, labels=[3, 5, 7])
        assert got == pytest.approx(expected, rel=1e-12)


def test_auc_counts_a_tie_between_positive_and_negative_as_half():
    assert M.roc_auc_score([0, 1], [0.5, 0.5]) == pytest.approx(0.5)
    assert M.roc_auc_score([0, 1, 1], [0.5, 0.5, 0.9]) == pytest.approx(0.75)


def test_roc_auc_with_one_class_warns_and_is_nan():
    with pytest.warns(M.UndefinedMetricWarning, match="Only one class is present"):
        assert math.isnan(M.roc_auc_score([1, 1, 1], [0.2, 0.4, 0.9]))


def test_roc_curve_without_negatives_warns():
    with pytest.warns(M.UndefinedMetricWarning, match="No negative samples"):
        fpr, _, _ = M.roc_curve([1, 1], [0.2, 0.4])
    assert np.isnan(fpr).all()


def test_precision_recall_curve_without_positives_warns():
    with pytest.warns(M.UndefinedMetricWarning, match="No positive samples"):
        _, recall, _ = M.precision_recall_curve([0, 0], [0.2, 0.4])
    np.testing.assert_array_equal(recall, [1.0, 1.0, 0.0])


def test_one_vs_one_with_a_single_true_class_warns():
    with pytest.warns(M.UndefinedMetricWarning):
        assert math.isnan(M.roc_auc_score([0, 0], [[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]],
                                          multi_class="ovo", labels=[0, 1, 2]))


PROBS = [[0.5, 0.3, 0.2], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8]]
BAD = [
    ("pos-label-needed", M.roc_curve, ([1, 2], [0.1, 0.9]), {}, ValueError,
     r"y_true takes values in \[1, 2\] and pos_label is not given"),
    ("string-labels-need-pos-label", M.precision_recall_curve, (["a", "b"], [0.1, 0.9]), {},
     ValueError, "pos_label is not given"),
    ("pos-label-wrong-kind", M.roc_curve, ([0, 1], [0.1, 0.9]), dict(pos_label="1"),
     TypeError, "pos_label must be integer"),
    ("scores-2d", M.roc_curve, ([0, 1], [[0.1], [0.9]]), {}, ValueError, "y_score must be 1-D"),
    ("scores-too-few", M.roc_curve, ([0, 1], [0.1]), {}, ValueError,
     r"one score per sample \(2\), got 1"),
    ("scores-nan", M.roc_curve, ([0, 1], [0.1, math.nan]), {}, ValueError,
     "y_score must be finite"),
    ("curve-no-samples", M.roc_curve, ([], []), {}, ValueError, "at least one sample"),
    ("ap-no-samples", M.average_precision_score, ([], []), {}, ValueError, "at least one sample"),
    ("auc-no-samples", M.roc_auc_score, ([], []), {}, ValueError, "at least one sample"),
    ("ap-pos-label-absent", M.average_precision_score, ([0, 2], [0.1, 0.9]), {}, ValueError,
     "pos_label=1 is not a valid label"),
    ("ap-pos-label-multiclass", M.average_precision_score, ([0, 1, 2], PROBS),
     dict(pos_label=2), ValueError, "pos_label must be 1"),
    ("ap-average-unknown", M.average_precision_score, ([0, 1], [0.1, 0.9]),
     dict(average="binary"), ValueError, "average must be one of"),
    ("ap-scores-wrong-shape", M.average_precision_score, ([0, 1, 2], [0.1, 0.5, 0.9]), {},
     ValueError, r"y_score must have shape \(n_samples, n_classes\) = \(3, 3\)"),
    ("ap-scores-infinite", M.average_precision_score, ([0, 1, 2], [[math.inf, 0, 0]] * 3), {},
     ValueError, "y_score must be finite"),
    ("auc-1d-scores-multiclass", M.roc_auc_score, ([0, 1, 2], [0.1, 0.5, 0.9]), {}, ValueError,
     "when y_true holds 3 classes, got a 1-D y_score"),
    ("auc-multi-class-raise", M.roc_auc_score, ([0, 1, 2], PROBS), {}, ValueError,
     r"multi_class must be one of \('ovr', 'ovo'\); got 'raise'"),
    ("auc-ovo-average-none", M.roc_auc_score, ([0, 1, 2], PROBS),
     dict(multi_class="ovo", average=None), ValueError,
     r"average must be one of \('macro', 'weighted'\); got None"),
    ("auc-ovo-weights", M.roc_auc_score, ([0, 1, 2], PROBS),
     dict(multi_class="ovo", sample_weight=[1, 1, 1]), ValueError,
     "sample_weight is not supported with multi_class='ovo'"),
    ("auc-not-probabilities", M.roc_auc_score, ([0, 1, 2], [[1, 1, 1]] * 3),
     dict(multi_class="ovr"), ValueError, "each row must sum to 1"),
    ("auc-labels-unsorted", M.roc_auc_score, ([0, 1, 2], PROBS),
     dict(multi_class="ovr", labels=[2, 1, 0]), ValueError, "labels must be sorted"),
    ("auc-labels-missing-a-class", M.roc_auc_score, ([0, 1, 3], PROBS),
     dict(multi_class="ovr", labels=[0, 1, 2]), ValueError, r"y_true holds labels not in"),
]


@pytest.mark.parametrize("metric, args, kwargs, error, match",
                         [pytest.param(*row[1:], id=row[0]) for row in BAD])
def test_bad_arguments_say_what_was_expected(metric, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        metric(*args, **kwargs)
