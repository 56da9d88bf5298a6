"""Classification metrics with scikit-learn's semantics, in NumPy.

Every function takes the arguments of the ``sklearn.metrics`` function of the same name
(``labels``, ``pos_label``, ``average``, ``sample_weight``, ``zero_division``) and returns
what it returns. Where a ratio is 0/0 (a class never predicted, never true) the result is
``zero_division``; with the default 'warn' it is 0.0 and an :class:`UndefinedMetricWarning`
is issued. ``specificity_score`` has no scikit-learn counterpart; it is recall's mirror.

Averages over the classes: None (one value per label), 'binary' (``pos_label`` only),
'micro' (pool the counts), 'macro' (plain mean), 'weighted' (mean weighted by support,
the number of true samples of each class).
"""
from __future__ import annotations

import math

import numpy as np

from reference import _ranking
from reference._metric_inputs import (
    UndefinedMetricWarning,
    check_average,
    check_zero_division,
    chosen_labels,
    divide,
    labels_1d,
    nanaverage,
    one_vs_rest_counts,
    paired_labels,
    scores_1d,
    set_wise_labels,
    warn_undefined,
    weights,
)
from reference._validation import as_float64, one_of

__all__ = [
    "UndefinedMetricWarning",
    "accuracy_score",
    "average_precision_score",
    "balanced_accuracy_score",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "precision_recall_curve",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "roc_auc_score",
    "roc_curve",
    "specificity_score",
]


def confusion_matrix(y_true, y_pred, *, labels=None, sample_weight=None, normalize=None):
    """C[i, j] = (weighted) number of samples of true class i predicted as class j.

    Rows follow ``labels`` (default: the sorted union of both label arrays); samples whose
    true or predicted label is not in ``labels`` are left out. ``normalize`` divides by the
    row sums ('true'), column sums ('pred') or the total ('all'); 0/0 gives 0.
    Agrees with ``sklearn.metrics.confusion_matrix`` (int64 counts without weights).
    """
    t, p, w = paired_labels(y_true, y_pred, sample_weight)
    one_of(normalize, "normalize", (None, "true", "pred", "all"))
    if labels is None:
        labels = np.unique(np.concatenate([t, p]))
    else:
        labels = chosen_labels(labels, t)
        if not np.isin(t, labels).any():
            raise ValueError(f"at least one of labels={labels.tolist()!r} must occur in y_true")
    rows = (t[:, None] == labels[None, :]).astype(np.float64) * w[:, None]
    cm = rows.T @ (p[:, None] == labels[None, :])
    with np.errstate(invalid="ignore", divide="ignore"):
        if normalize == "true":
            cm = cm / cm.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            cm = cm / cm.sum(axis=0, keepdims=True)
        elif normalize == "all":
            cm = cm / cm.sum()
    cm = np.nan_to_num(cm)
    if sample_weight is None and normalize is None:
        return np.rint(cm).astype(np.int64)
    return cm


def accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None):
    """Fraction (or, with ``normalize=False``, weighted count) of exact matches.

    Agrees with ``sklearn.metrics.accuracy_score``.
    """
    t, p, w = paired_labels(y_true, y_pred, sample_weight)
    correct = w @ (t == p)
    return float(correct / w.sum()) if normalize else float(correct)


def _prf(y_true, y_pred, *, beta, labels, pos_label, average, sample_weight, zero_division,
         warn_for):
    """Per-label precision, recall, F-beta and support, averaged (sklearn's
    ``precision_recall_fscore_support`` without 'samples'; an average has support None)."""
    average = check_average(average)
    check_zero_division(zero_division)
    t, p, w = paired_labels(y_true, y_pred, sample_weight)
    labels = set_wise_labels(t, p, labels, pos_label, average)
    tp, pred, true, _ = one_vs_rest_counts(t, p, w, labels)
    if average == "micro":
        tp, pred, true = tp.sum(keepdims=True), pred.sum(keepdims=True), true.sum(keepdims=True)

    def message(metric, which):
        return (f"{metric} is ill-defined and being set to {check_zero_division(zero_division)}"
                f" in labels with no {which} samples." if metric in warn_for else None)

    precision = divide(tp, pred, zero_division, message("Precision", "predicted"))
    recall = divide(tp, true, zero_division, message("Recall", "true"))
    if math.isinf(beta):
        fscore = recall
    elif beta == 0:
        fscore = precision
    else:
        fscore = divide((1 + beta**2) * tp, beta**2 * true + pred, zero_division,
                        message("F-score", "true nor predicted"))
    if average is None:
        support = np.rint(true).astype(np.int64) if sample_weight is None else true
        return precision, recall, fscore, support
    weight = true if average == "weighted" else None
    return tuple(nanaverage(x, weight) for x in (precision, recall, fscore)) + (None,)


def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                    sample_weight=None, zero_division="warn"):
    """Precision = TP / (TP + FP): of the samples predicted as the class, the share that are.

    ``labels``: the classes to report on (default: all present); ``pos_label``: the class
    scored with ``average='binary'`` (the default; needs at most two classes).
    Agrees with ``sklearn.metrics.precision_score``.
    """
    return _prf(y_true, y_pred, beta=1.0, labels=labels, pos_label=pos_label, average=average,
                sample_weight=sample_weight, zero_division=zero_division,
                warn_for=("Precision",))[0]


def recall_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                 sample_weight=None, zero_division="warn"):
    """Recall (sensitivity) = TP / (TP + FN): of the samples of the class, the share found.

    ``labels`` and ``pos_label`` as in :func:`precision_score`. Agrees with
    ``sklearn.metrics.recall_score``.
    """
    return _prf(y_true, y_pred, beta=1.0, labels=labels, pos_label=pos_label, average=average,
                sample_weight=sample_weight, zero_division=zero_division,
                warn_for=("Recall",))[1]


def fbeta_score(y_true, y_pred, *, beta, labels=None, pos_label=1, average="binary",
                sample_weight=None, zero_division="warn"):
    """F_β = (1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP), the weighted harmonic mean of
    precision and recall (β = 0 gives precision, β = ∞ recall).

    ``labels`` and ``pos_label`` as in :func:`precision_score`. Agrees with
    ``sklearn.metrics.fbeta_score``.
    """
    return _prf(y_true, y_pred, beta=_checked_beta(beta), labels=labels, pos_label=pos_label,
                average=average, sample_weight=sample_weight, zero_division=zero_division,
                warn_for=("F-score",))[2]


def _checked_beta(beta) -> float:
    if isinstance(beta, bool) or not isinstance(beta, (int, float, np.floating, np.integer)):
        raise TypeError(f"beta must be a non-negative float, got {beta!r} "
                        f"(type={type(beta).__name__})")
    if math.isnan(beta) or beta < 0:
        raise ValueError(f"beta must be a non-negative float, got {beta!r}")
    return float(beta)


_WARN_FOR = {"precision": "Precision", "recall": "Recall", "f-score": "F-score"}


def precision_recall_fscore_support(y_true, y_pred, *, beta=1.0, labels=None, pos_label=1,
                                    average=None, warn_for=("precision", "recall", "f-score"),
                                    sample_weight=None, zero_division="warn"):
    """(precision, recall, F_β, support) in one pass: per label (the default, ``average=None``;
    support is the number of true samples of each label) or averaged (support is then None).

    Each is computed as by :func:`precision_score`, :func:`recall_score` and
    :func:`fbeta_score`; ``warn_for`` names the metrics ('precision', 'recall', 'f-score')
    whose 0/0 issues a warning. Agrees with ``sklearn.metrics.precision_recall_fscore_support``.
    """
    if isinstance(warn_for, str) or not isinstance(warn_for, (list, tuple, set, frozenset)):
        raise TypeError(f"warn_for must be a list, tuple or set of metric names, got {warn_for!r}")
    return _prf(y_true, y_pred, beta=_checked_beta(beta), labels=labels, pos_label=pos_label,
                average=average, sample_weight=sample_weight, zero_division=zero_division,
                warn_for=tuple(_WARN_FOR[w] for w in warn_for if w in _WARN_FOR))


def f1_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
             zero_division="warn"):
    """F1 = 2·TP / (2·TP + FN + FP) = 2PR / (P + R), the harmonic mean of precision and recall.

    ``labels`` and ``pos_label`` as in :func:`precision_score`. Agrees with
    ``sklearn.metrics.f1_score``.
    """
    return fbeta_score(y_true, y_pred, beta=1.0, labels=labels, pos_label=pos_label,
                       average=average, sample_weight=sample_weight,
                       zero_division=zero_division)


def specificity_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                      sample_weight=None, zero_division="warn"):
    """Specificity = TN / (TN + FP), each class against the rest: of the samples NOT of the
    class, the share not predicted as it.

    ``labels``, ``pos_label``, ``average`` and ``zero_division`` behave as in
    :func:`recall_score` ('weighted' weights by each class's support). No scikit-learn
    function; in the binary case it equals ``recall_score`` with ``pos_label`` set to the
    other class.
    """
    average = check_average(average)
    check_zero_division(zero_division)
    t, p, w = paired_labels(y_true, y_pred, sample_weight)
    labels = set_wise_labels(t, p, labels, pos_label, average)
    tp, pred, true, total = one_vs_rest_counts(t, p, w, labels)
    negatives = total - true
    tn = negatives - (pred - tp)
    if average == "micro":
        tn, negatives = tn.sum(keepdims=True), negatives.sum(keepdims=True)
    value = check_zero_division(zero_division)
    spec = divide(tn, negatives, zero_division,
                  f"Specificity is ill-defined and being set to {value} in labels with no "
                  "negative samples.")
    if average is None:
        return spec
    return nanaverage(spec, true if average == "weighted" else None)


def balanced_accuracy_score(y_true, y_pred, *, sample_weight=None, adjusted=False):
    """Mean over the classes present in y_true of their recall.

    With ``adjusted``: (score − 1/K) / (1 − 1/K), so that chance scores 0 and perfect 1.
    Classes that occur only in y_pred are skipped (with a warning). Agrees with
    ``sklearn.metrics.balanced_accuracy_score``.
    """
    cm = confusion_matrix(y_true, y_pred, sample_weight=sample_weight).astype(np.float64)
    if not isinstance(adjusted, (bool, np.bool_)):
        raise TypeError(f"adjusted must be a bool, got {adjusted!r}")
    support = cm.sum(axis=1)
    if np.any(support == 0):
        warn_undefined("y_pred contains classes not in y_true; they are left out.")
    per_class = np.diag(cm)[support > 0] / support[support > 0]
    score = float(np.mean(per_class))
    if adjusted:
        chance = 1 / per_class.size
        if per_class.size == 1:
            warn_undefined("adjusted balanced accuracy is undefined with one class in y_true.")
        with np.errstate(divide="ignore", invalid="ignore"):
            score = float(np.float64(score - chance) / np.float64(1 - chance))
    return score


def _binary_truth_and_scores(y_true, y_score, pos_label, sample_weight):
    t = labels_1d(y_true, "y_true")
    if t.size == 0:
        raise ValueError("y_true must hold at least one sample, got 0")
    s = scores_1d(y_score, t.size)
    pos_label = _ranking.resolve_pos_label(pos_label, t)
    return t == pos_label, s, weights(sample_weight, t.size)


def roc_curve(y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=True):
    """(fpr, tpr, thresholds): predicting positive when score ≥ threshold, for each distinct
    score from the highest down, after a first threshold of +inf (the point (0, 0)).

    Tied scores share one threshold. ``drop_intermediate`` drops collinear points that do not
    change the curve's shape. Agrees with ``sklearn.metrics.roc_curve``.
    """
    is_pos, s, w = _binary_truth_and_scores(y_true, y_score, pos_label, sample_weight)
    return _ranking.roc_points(*_ranking.binary_clf_curve(is_pos, s, w),
                               drop_intermediate=bool(drop_intermediate))


def precision_recall_curve(y_true, y_score, *, pos_label=None, sample_weight=None,
                           drop_intermediate=False):
    """(precision, recall, thresholds) for each distinct score as the threshold, with recall
    decreasing; a last point (precision 1, recall 0) has no threshold.

    Agrees with ``sklearn.metrics.precision_recall_curve``.
    """
    is_pos, s, w = _binary_truth_and_scores(y_true, y_score, pos_label, sample_weight)
    return _ranking.pr_points(*_ranking.binary_clf_curve(is_pos, s, w),
                              drop_intermediate=bool(drop_intermediate))


def average_precision_score(y_true, y_score, *, average="macro", pos_label=1,
                            sample_weight=None):
    """AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the thresholds (a step integral, not the trapezoid).

    Binary y_true: one score per sample for ``pos_label``. More classes: y_score has one
    column per class (sorted labels) and the classes are scored one-vs-rest and averaged
    (``average`` in None, 'micro', 'macro', 'weighted'). Agrees with
    ``sklearn.metrics.average_precision_score``.
    """
    check_average(average, (None, "micro", "macro", "weighted"))
    t = labels_1d(y_true, "y_true")
    if t.size == 0:
        raise ValueError("y_true must hold at least one sample, got 0")
    w = weights(sample_weight, t.size)
    classes = np.unique(t)
    if classes.size <= 2:
        s = scores_1d(y_score, t.size)
        pos_label = _ranking.resolve_pos_label(pos_label, t)
        if classes.size == 2 and pos_label not in classes.tolist():
            raise ValueError(f"pos_label={pos_label!r} is not a valid label; it should be one "
                             f"of {classes.tolist()!r}")
        return _ranking.binary_average_precision(t == pos_label, s, w)
    if pos_label != 1:
        raise ValueError(f"pos_label must be 1 (its default) when y_true holds more than two "
                         f"classes, got pos_label={pos_label!r}")
    S = _score_matrix(y_score, t.size, classes.size)
    Y = t[:, None] == classes[None, :]
    return _ranking.average_over_columns(_ranking.binary_average_precision, Y, S, average, w)


def _score_matrix(y_score, n: int, n_classes: int) -> np.ndarray:
    S = as_float64(y_score, "y_score")
    if S.shape != (n, n_classes):
        raise ValueError(f"y_score must have shape (n_samples, n_classes) = {(n, n_classes)} "
                         f"when y_true holds {n_classes} classes, got shape {S.shape}")
    if not np.all(np.isfinite(S)):
        raise ValueError("y_score must be finite, got NaN or infinity")
    return S


def roc_auc_score(y_true, y_score, *, average="macro", sample_weight=None, multi_class="raise",
                  labels=None):
    """Area under the ROC curve (trapezoid rule) = P(score of a positive > score of a
    negative) + ½·P(tie).

    Binary (y_score 1-D): the larger label is the positive class. Multiclass (y_score of
    shape (n_samples, n_classes), rows summing to 1, columns ordered as ``labels`` or the
    sorted classes of y_true): ``multi_class='ovr'`` averages each class against the rest
    (average None, 'micro', 'macro', 'weighted' by support); ``'ovo'`` averages the pairs of
    classes (Hand & Till, 2001; 'macro', or 'weighted' by pair prevalence). NaN with a warning
    where a class has no positives or no negatives. Agrees with ``sklearn.metrics.roc_auc_score``.
    """
    t = labels_1d(y_true, "y_true")
    if t.size == 0:
        raise ValueError("y_true must hold at least one sample, got 0")
    w = weights(sample_weight, t.size)
    if np.ndim(y_score) == 1:
        check_average(average, (None, "micro", "macro", "weighted"))
        classes = np.unique(t)
        if classes.size > 2:
            raise ValueError(f"y_score must have shape (n_samples, n_classes) when y_true holds "
                             f"{classes.size} classes, got a 1-D y_score")
        s = scores_1d(y_score, t.size)
        return _ranking.binary_roc_auc(t == classes[-1], s, w)
    one_of(multi_class, "multi_class", ("ovr", "ovo"))
    allowed = ("macro", "weighted")
    if multi_class == "ovr":
        allowed = (None, "micro") + allowed
    check_average(average, allowed)
    if labels is None:
        classes = np.unique(t)
    else:
        classes = chosen_labels(labels, t)
        if not np.array_equal(classes, np.sort(classes)):
            raise ValueError(f"labels must be sorted, got {classes.tolist()!r}")
        if not np.isin(t, classes).all():
            raise ValueError(f"y_true holds labels not in labels={classes.tolist()!r}: "
                             f"{np.setdiff1d(t, classes).tolist()!r}")
    S = _score_matrix(y_score, t.size, classes.size)
    if not np.allclose(1, S.sum(axis=1)):
        raise ValueError("y_score must hold class probabilities for multiclass ROC AUC: "
                         "each row must sum to 1")
    if multi_class == "ovo":
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported with multi_class='ovo'; "
                             "pass sample_weight=None")
        return _ranking.one_vs_one_auc(np.searchsorted(classes, t), S, average)
    Y = t[:, None] == classes[None, :]
    return _ranking.average_over_columns(_ranking.binary_roc_auc, Y, S, average, w)

