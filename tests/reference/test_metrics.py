"""Classification metrics agree with scikit-learn, including undefined cases and labels."""
import math
import warnings

import numpy as np
import pytest
import sklearn.exceptions
import sklearn.metrics as skm
from hypothesis import assume, given
from hypothesis import strategies as st

from reference import metrics as M

VOCABULARIES = {
    "ints": [0, 1, 2, 3],
    "sparse-ints": [-1, 1, 3, 7],
    "strings": ["cat", "dog", "emu", "fox"],
}
ZERO_DIVISIONS = st.sampled_from(["warn", 0, 1, math.nan])


@st.composite
def predictions(draw, max_classes=4, weighted=None):
    """y_true, y_pred (labels drawn from a vocabulary; some classes may never occur) and
    optional sample weights."""
    vocabulary = VOCABULARIES[draw(st.sampled_from(sorted(VOCABULARIES)))]
    classes = vocabulary[: draw(st.integers(1, max_classes))]
    n = draw(st.integers(1, 20))
    labels = st.lists(st.sampled_from(classes), min_size=n, max_size=n)
    y_true, y_pred = np.array(draw(labels)), np.array(draw(labels))
    if weighted is None:
        weighted = draw(st.booleans())
    weight = None
    if weighted:
        weight = np.array(draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.5]), min_size=n,
                                        max_size=n)))
        assume(weight.sum() > 0)
    return y_true, y_pred, weight, vocabulary


def _record(fn, *args, **kwargs):
    """The result and whether an undefined-metric warning was issued."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    undefined = (M.UndefinedMetricWarning, sklearn.exceptions.UndefinedMetricWarning)
    return result, any(issubclass(w.category, undefined) for w in caught)


SET_WISE = [
    pytest.param(M.precision_score, skm.precision_score, {}, id="precision"),
    pytest.param(M.recall_score, skm.recall_score, {}, id="recall"),
    pytest.param(M.f1_score, skm.f1_score, {}, id="f1"),
    pytest.param(M.fbeta_score, skm.fbeta_score, {"beta": 0.5}, id="fbeta-0.5"),
    pytest.param(M.fbeta_score, skm.fbeta_score, {"beta": 2.0}, id="fbeta-2"),
    pytest.param(M.fbeta_score, skm.fbeta_score, {"beta": 0.0}, id="fbeta-0-is-precision"),
    pytest.param(M.fbeta_score, skm.fbeta_score, {"beta": math.inf}, id="fbeta-inf-is-recall"),
]


@pytest.mark.parametrize("ours, theirs, extra", SET_WISE)
@given(data=predictions(), average=st.sampled_from([None, "micro", "macro", "weighted"]),
       zero_division=ZERO_DIVISIONS, subset=st.none() | st.sets(st.integers(0, 4), min_size=1))
def test_averaged_scores_agree_with_sklearn(ours, theirs, extra, data, average, zero_division,
                                            subset):
    y_true, y_pred, weight, vocabulary = data
    labels = None if subset is None else [vocabulary[i] for i in sorted(subset) if i < 4]
    assume(labels != [])
    kwargs = dict(extra, labels=labels, average=average, sample_weight=weight,
                  zero_division=zero_division)
    got, got_warned = _record(ours, y_true, y_pred, **kwargs)
    expected, expected_warned = _record(theirs, y_true, y_pred, **kwargs)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert got_warned == expected_warned


@given(data=predictions(), average=st.sampled_from([None, "micro", "macro", "weighted"]),
       beta=st.sampled_from([0.0, 0.5, 1.0, 2.0]), zero_division=ZERO_DIVISIONS,
       subset=st.none() | st.sets(st.integers(0, 4), min_size=1),
       warn_for=st.sampled_from([("precision", "recall", "f-score"), ("recall",), ()]))
def test_precision_recall_fscore_support_agrees_with_sklearn(data, average, beta, zero_division,
                                                             subset, warn_for):
    y_true, y_pred, weight, vocabulary = data
    labels = None if subset is None else [vocabulary[i] for i in sorted(subset) if i < 4]
    assume(labels != [])
    kwargs = dict(beta=beta, labels=labels, average=average, sample_weight=weight,
                  zero_division=zero_division, warn_for=warn_for)
    got, got_warned = _record(M.precision_recall_fscore_support, y_true, y_pred, **kwargs)
    expected, expected_warned = _record(skm.precision_recall_fscore_support, y_true, y_pred,
                                        **kwargs)
    np.testing.assert_allclose(got[:3], expected[:3], rtol=1e-12)
    if average is None:
        np.testing.assert_allclose(got[3], expected[3], rtol=1e-12)
        # counts without weights (sklearn gives floats when no label has a true positive)
        assert got[3].dtype == (np.int64 if weight is None else np.float64)
    else:
        assert got[3] is expected[3] is None
    assert got_warned == expected_warned


@pytest.mark.parametrize("ours, theirs, extra", SET_WISE)
@given(data=predictions(max_classes=2), zero_division=ZERO_DIVISIONS,
       pos_index=st.integers(0, 1))
def test_binary_scores_agree_with_sklearn_for_either_pos_label(ours, theirs, extra, data,
                                                               zero_division, pos_index):
    y_true, y_pred, weight, vocabulary = data
    pos_label = vocabulary[pos_index]
    kwargs = dict(extra, pos_label=pos_label, sample_weight=weight, zero_division=zero_division)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        present = set(np.concatenate([y_true, y_pred]).tolist())
        if len(present) == 2 and pos_label not in present:
            with pytest.raises(ValueError):
                theirs(y_true, y_pred, **kwargs)
            with pytest.raises(ValueError, match="is not a valid label"):
                ours(y_true, y_pred, **kwargs)
            return
    got, got_warned = _record(ours, y_true, y_pred, **kwargs)
    expected, expected_warned = _record(theirs, y_true, y_pred, **kwargs)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert got_warned == expected_warned


@given(data=predictions(), normalize=st.sampled_from([None, "true", "pred", "all"]),
       subset=st.none() | st.lists(st.integers(0, 3), min_size=1, max_size=4, unique=True))
def test_confusion_matrix_agrees_with_sklearn(data, normalize, subset):
    y_true, y_pred, weight, vocabulary = data
    labels = None if subset is None else [vocabulary[i] for i in subset]
    assume(labels is None or set(labels) & set(y_true.tolist()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns on a 1x1 matrix
        expected = skm.confusion_matrix(y_true, y_pred, labels=labels, sample_weight=weight,
                                        normalize=normalize)
    got = M.confusion_matrix(y_true, y_pred, labels=labels, sample_weight=weight,
                             normalize=normalize)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    if weight is None and normalize is None:
        assert got.dtype == np.int64


@given(data=predictions(), normalize=st.booleans())
def test_accuracy_agrees_with_sklearn(data, normalize):
    y_true, y_pred, weight, _ = data
    expected = skm.accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=weight)
    assert M.accuracy_score(y_true, y_pred, normalize=normalize,
                            sample_weight=weight) == pytest.approx(expected, rel=1e-12)


@given(data=predictions(), adjusted=st.booleans())
def test_balanced_accuracy_agrees_with_sklearn(data, adjusted):
    y_true, y_pred, weight, _ = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = skm.balanced_accuracy_score(y_true, y_pred, sample_weight=weight,
                                               adjusted=adjusted)
        got = M.balanced_accuracy_score(y_true, y_pred, sample_weight=weight, adjusted=adjusted)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


# -- specificity: no sklearn function; check against sklearn's one-vs-rest counts -------------


def _specificity_from_sklearn_counts(y_true, y_pred, labels, average, weight, zero_division):
    mcm = skm.multilabel_confusion_matrix(y_true, y_pred, labels=labels, sample_weight=weight)
    tn, fp = mcm[:, 0, 0].astype(float), mcm[:, 0, 1].astype(float)
    support = (mcm[:, 1, 0] + mcm[:, 1, 1]).astype(float)
    if average == "micro":
        tn, fp = tn.sum(keepdims=True), fp.sum(keepdims=True)
    fill = 0.0 if zero_division == "warn" else float(zero_division)
    negatives = tn + fp
    spec = np.where(negatives > 0, tn / np.where(negatives > 0, negatives, 1), fill)
    if average is None:
        return spec
    keep = ~np.isnan(spec)
    if not keep.any():
        return math.nan
    if average == "weighted" and support[keep].sum() > 0:
        return np.average(spec[keep], weights=support[keep])
    return spec[keep].mean()


@given(data=predictions(), average=st.sampled_from([None, "micro", "macro", "weighted"]),
       zero_division=ZERO_DIVISIONS, subset=st.none() | st.sets(st.integers(0, 3), min_size=1))
def test_specificity_matches_one_vs_rest_confusion_counts(data, average, zero_division, subset):
    y_true, y_pred, weight, vocabulary = data
    labels = None if subset is None else [vocabulary[i] for i in sorted(subset)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = M.specificity_score(y_true, y_pred, labels=labels, average=average,
                                  sample_weight=weight, zero_division=zero_division)
    expected = _specificity_from_sklearn_counts(y_true, y_pred, labels, average, weight,
                                                zero_division)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@given(data=predictions(max_classes=2, weighted=False))
def test_binary_specificity_is_sklearn_recall_with_flipped_labels(data):
    y_true, y_pred, _, vocabulary = data
    assume(len(set(y_true.tolist()) | set(y_pred.tolist())) == 2)
    pos, neg = vocabulary[1], vocabulary[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = M.specificity_score(y_true, y_pred, pos_label=pos)
        flipped = skm.recall_score(y_true, y_pred, pos_label=neg)
    assert got == pytest.approx(flipped, rel=1e-12)


def test_specificity_warns_when_a_class_has_no_negatives():
    with pytest.warns(M.UndefinedMetricWarning, match="Specificity is ill-defined"):
        assert M.specificity_score([1, 1], [1, 0]) == 0.0
    assert M.specificity_score([1, 1], [1, 0], zero_division=1) == 1.0


# -- worked examples -------------------------------------------------------------------------


def _from_confusion_matrix(cm, labels):
    y_true, y_pred = [], []
    for i, row in enumerate(cm):
        for j, count in enumerate(row):
            y_true += [labels[i]] * count
            y_pred += [labels[j]] * count
    return np.array(y_true), np.array(y_pred)


def test_worked_binary_example_tp6_fn2_fp1_tn3():
    # rows: true 0 (negative), true 1 (positive)
    y_true, y_pred = _from_confusion_matrix([[3, 1], [2, 6]], [0, 1])
    assert M.accuracy_score(y_true, y_pred) == pytest.approx(9 / 12)
    assert M.recall_score(y_true, y_pred) == pytest.approx(0.75)
    assert M.specificity_score(y_true, y_pred) == pytest.approx(0.75)
    assert M.precision_score(y_true, y_pred) == pytest.approx(6 / 7)
    assert round(M.precision_score(y_true, y_pred), 3) == 0.857
    assert M.f1_score(y_true, y_pred) == pytest.approx(0.80)
    assert 1 - M.specificity_score(y_true, y_pred) == pytest.approx(0.25)  # false positive rate


def test_worked_three_class_example():
    cm = [[40, 5, 5], [10, 20, 0], [15, 0, 5]]
    y_true, y_pred = _from_confusion_matrix(cm, [0, 1, 2])
    np.testing.assert_array_equal(M.confusion_matrix(y_true, y_pred), cm)
    np.testing.assert_allclose(M.f1_score(y_true, y_pred, average=None),
                               [0.696, 0.727, 0.333], atol=5e-4)
    assert M.f1_score(y_true, y_pred, average="macro") == pytest.approx(0.585, abs=5e-4)


def test_micro_average_over_all_classes_is_accuracy():
    y_true, y_pred = _from_confusion_matrix([[40, 5, 5], [10, 20, 0], [15, 0, 5]], [0, 1, 2])
    accuracy = M.accuracy_score(y_true, y_pred)
    for metric in (M.precision_score, M.recall_score, M.f1_score):
        assert metric(y_true, y_pred, average="micro") == pytest.approx(accuracy)


def test_zero_division_warns_only_when_asked_to():
    with pytest.warns(M.UndefinedMetricWarning, match="Precision is ill-defined"):
        assert M.precision_score([1, 0], [0, 0]) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(M.precision_score([1, 0], [0, 0], zero_division=math.nan))


def test_balanced_accuracy_warns_on_classes_only_predicted():
    with pytest.warns(M.UndefinedMetricWarning, match="y_pred contains classes not in y_true"):
        assert M.balanced_accuracy_score([0, 0, 1], [0, 2, 1]) == pytest.approx(0.75)


def test_adjusted_balanced_accuracy_with_one_true_class_warns():
    with pytest.warns(M.UndefinedMetricWarning, match="undefined with one class"):
        assert math.isnan(M.balanced_accuracy_score([1, 1], [1, 1], adjusted=True))


# -- bad arguments ---------------------------------------------------------------------------

BAD = [
    ("average-unknown", M.precision_score, ([0, 1], [0, 1]), dict(average="mean"), ValueError,
     r"average must be one of \(None, 'binary', 'micro', 'macro', 'weighted'\); got 'mean'"),
    ("average-not-a-string", M.recall_score, ([0, 1], [0, 1]), dict(average=2), ValueError,
     "average must be one of"),
    ("zero-division-unknown", M.f1_score, ([0, 1], [0, 1]), dict(zero_division=2), ValueError,
     r"zero_division must be one of \('warn', 0, 1, nan\); got 2"),
    ("zero-division-bool", M.specificity_score, ([0, 1], [0, 1]), dict(zero_division=True),
     ValueError, "zero_division must be one of"),
    ("binary-with-three-classes", M.precision_score, ([0, 1, 2], [0, 1, 1]), {}, ValueError,
     "average='binary' needs at most 2 classes"),
    ("pos-label-absent", M.recall_score, ([0, 2], [0, 2]), {}, ValueError,
     "pos_label=1 is not a valid label"),
    ("pos-label-wrong-kind", M.recall_score, (["a", "b"], ["a", "b"]), {}, TypeError,
     "pos_label must be string"),
    ("labels-empty", M.f1_score, ([0, 1], [0, 1]), dict(labels=[], average="macro"),
     ValueError, "labels must contain at least one label"),
    ("labels-repeated", M.f1_score, ([0, 1], [0, 1]), dict(labels=[1, 1], average="macro"),
     ValueError, "labels must not repeat"),
    ("labels-wrong-kind", M.f1_score, ([0, 1], [0, 1]), dict(labels=["a"], average="macro"),
     TypeError, "labels must be integer labels"),
    ("lengths-differ", M.accuracy_score, ([0, 1], [0]), {}, ValueError,
     "must have the same length, got 2 and 1"),
    ("no-samples", M.accuracy_score, ([], []), {}, ValueError, "at least one sample"),
    ("two-dimensional", M.accuracy_score, ([[0, 1]], [[0, 1]]), {}, ValueError,
     r"y_true must be a 1-D array of class labels, got shape \(1, 2\)"),
    ("fractional-labels", M.accuracy_score, ([0.5, 1], [0, 1]), {}, TypeError,
     "y_true must hold integers"),
    ("object-labels", M.accuracy_score, ([None, 1], [0, 1]), {}, TypeError,
     "y_true must hold integer or string labels"),
    ("mixed-kinds", M.accuracy_score, ([0, 1], ["a", "b"]), {}, TypeError,
     "same kind of labels"),
    ("weights-wrong-length", M.accuracy_score, ([0, 1], [0, 1]), dict(sample_weight=[1.0]),
     ValueError, r"one weight per sample \(2\), got 1"),
    ("weights-negative", M.accuracy_score, ([0, 1], [0, 1]), dict(sample_weight=[1.0, -1.0]),
     ValueError, "sample_weight must be finite, non-negative and not all zero"),
    ("weights-all-zero", M.confusion_matrix, ([0, 1], [0, 1]), dict(sample_weight=[0, 0]),
     ValueError, "not all zero"),
    ("normalize-unknown", M.confusion_matrix, ([0, 1], [0, 1]), dict(normalize="rows"),
     ValueError, r"normalize must be one of \(None, 'true', 'pred', 'all'\); got 'rows'"),
    ("labels-none-true", M.confusion_matrix, ([0, 1], [0, 1]), dict(labels=[5]), ValueError,
     r"at least one of labels=\[5\] must occur in y_true"),
    ("beta-negative", M.fbeta_score, ([0, 1], [0, 1]), dict(beta=-1.0), ValueError,
     "beta must be a non-negative float, got -1.0"),
    ("beta-string", M.fbeta_score, ([0, 1], [0, 1]), dict(beta="2"), TypeError,
     "beta must be a non-negative float"),
    ("warn-for-a-string", M.precision_recall_fscore_support, ([0, 1], [0, 1]),
     dict(warn_for="precision"), TypeError, "warn_for must be a list, tuple or set"),
    ("prfs-beta-negative", M.precision_recall_fscore_support, ([0, 1], [0, 1]), dict(beta=-1.0),
     ValueError, "beta must be a non-negative float, got -1.0"),
    ("adjusted-not-bool", M.balanced_accuracy_score, ([0, 1], [0, 1]), dict(adjusted="yes"),
     TypeError, "adjusted must be a bool"),
]


@pytest.mark.parametrize("metric, args, kwargs, error, match",
                         [pytest.param(*row[1:], id=row[0]) for row in BAD])
def test_bad_arguments_say_what_was_expected(metric, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        metric(*args, **kwargs)


def test_public_names_are_exactly_those_in___all__():
    public = {name for name, value in vars(M).items()
              if not name.startswith("_") and getattr(value, "__module__", None) == M.__name__}
    assert public | {"UndefinedMetricWarning"} == set(M.__all__)
