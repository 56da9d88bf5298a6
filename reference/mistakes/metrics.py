"""Classic wrong answers for ``reference.metrics``.

Each function has the signature of the reference function it imitates and reuses the
reference's validation, so it fails only in the way its name says.
"""
from __future__ import annotations

import numpy as np

from reference import metrics as ref
from reference._metric_inputs import labels_1d, scores_1d, weights
from reference.mistakes import mistake


def precision_score_computes_recall(y_true, y_pred, *, labels=None, pos_label=1,
                                    average="binary", sample_weight=None, zero_division="warn"):
    """TP / (TP + FN) where TP / (TP + FP) was asked: precision and recall swapped."""
    return ref.recall_score(y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
                            sample_weight=sample_weight, zero_division=zero_division)


def recall_score_computes_precision(y_true, y_pred, *, labels=None, pos_label=1,
                                    average="binary", sample_weight=None, zero_division="warn"):
    """TP / (TP + FP) where TP / (TP + FN) was asked: recall and precision swapped."""
    return ref.precision_score(y_true, y_pred, labels=labels, pos_label=pos_label,
                               average=average, sample_weight=sample_weight,
                               zero_division=zero_division)


def confusion_matrix_transposed(y_true, y_pred, *, labels=None, sample_weight=None,
                                normalize=None):
    """Rows are predicted classes and columns true classes: the transpose of the convention."""
    return ref.confusion_matrix(y_true, y_pred, labels=labels, sample_weight=sample_weight,
                                normalize=normalize).T


def _counts(y, other, labels, sample_weight):
    """Weighted number of samples of ``y`` in each label (default labels: both arrays')."""
    y, other = labels_1d(y, "y"), labels_1d(other, "other")
    chosen = np.unique(np.concatenate([y, other])) if labels is None else np.asarray(labels)
    return weights(sample_weight, y.size) @ (y[:, None] == chosen[None, :])


_SWAPPED = {"macro": "micro", "micro": "macro"}


def f1_score_macro_micro_swapped(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                                 sample_weight=None, zero_division="warn"):
    """Pools the counts for 'macro' and averages per-class scores for 'micro'."""
    return ref.f1_score(y_true, y_pred, labels=labels, pos_label=pos_label,
                        average=_SWAPPED.get(average, average), sample_weight=sample_weight,
                        zero_division=zero_division)


def f1_score_weighted_by_predicted_counts(y_true, y_pred, *, labels=None, pos_label=1,
                                          average="binary", sample_weight=None,
                                          zero_division="warn"):
    """average='weighted' weights each class by how often it is predicted, not by support."""
    if average != "weighted":
        return ref.f1_score(y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
                            sample_weight=sample_weight, zero_division=zero_division)
    per_class = ref.f1_score(y_true, y_pred, labels=labels, average=None,
                             sample_weight=sample_weight, zero_division=zero_division)
    predicted = _counts(y_pred, y_true, labels, sample_weight)
    if predicted.sum() == 0:
        return float(np.mean(per_class))
    return float(np.average(per_class, weights=predicted))


def f1_score_arithmetic_mean(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                             sample_weight=None, zero_division="warn"):
    """(P + R) / 2 per class, the arithmetic mean, where F1 is the harmonic mean 2PR/(P + R)."""
    kwargs = dict(labels=labels, pos_label=pos_label, sample_weight=sample_weight,
                  zero_division=zero_division)
    inner = None if average in ("macro", "weighted") else average
    mean = (ref.precision_score(y_true, y_pred, average=inner, **kwargs)
            + ref.recall_score(y_true, y_pred, average=inner, **kwargs)) / 2
    if average == "macro":
        return float(np.mean(mean))
    if average == "weighted":
        support = _counts(y_true, y_pred, labels, sample_weight)
        if support.sum() == 0:
            return float(np.mean(mean))
        return float(np.average(mean, weights=support))
    return mean


def specificity_score_over_false_negatives(y_true, y_pred, *, labels=None, pos_label=1,
                                           average="binary", sample_weight=None,
                                           zero_division="warn"):
    """TN / (TN + FN) (the negative predictive value) instead of TN / (TN + FP)."""
    ref.specificity_score(y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
                          sample_weight=sample_weight, zero_division=zero_division)
    # Swapping truth and prediction turns TN + FP (truly negative) into TN + FN.
    return ref.specificity_score(y_pred, y_true, labels=labels, pos_label=pos_label,
                                 average=average, sample_weight=sample_weight,
                                 zero_division=zero_division)


def balanced_accuracy_score_plain_accuracy(y_true, y_pred, *, sample_weight=None,
                                           adjusted=False):
    """The share of correct predictions, so a large class dominates; ignores ``adjusted``."""
    ref.balanced_accuracy_score(y_true, y_pred, sample_weight=sample_weight, adjusted=adjusted)
    return ref.accuracy_score(y_true, y_pred, sample_weight=sample_weight)


def roc_auc_score_from_thresholded_labels(y_true, y_score, *, average="macro",
                                          sample_weight=None, multi_class="raise", labels=None):
    """Binary AUC from the labels score ≥ 0.5 instead of from the scores: the ranking is lost."""
    if np.ndim(y_score) != 1:
        return ref.roc_auc_score(y_true, y_score, average=average, sample_weight=sample_weight,
                                 multi_class=multi_class, labels=labels)
    ref.roc_auc_score(y_true, y_score, average=average, sample_weight=sample_weight)
    thresholded = (scores_1d(y_score, np.size(y_true)) >= 0.5).astype(np.float64)
    return ref.roc_auc_score(y_true, thresholded, average=average, sample_weight=sample_weight)


def average_precision_score_trapezoid(y_true, y_score, *, average="macro", pos_label=1,
                                      sample_weight=None):
    """The trapezoid area under the PR curve, which interpolates linearly and is optimistic;
    AP is the step sum Σ (Rₙ − Rₙ₋₁)·Pₙ."""
    ref.average_precision_score(y_true, y_score, average=average, pos_label=pos_label,
                                sample_weight=sample_weight)
    t = labels_1d(y_true, "y_true")
    if np.unique(t).size > 2:
        return ref.average_precision_score(y_true, y_score, average=average,
                                           pos_label=pos_label, sample_weight=sample_weight)
    precision, recall, _ = ref.precision_recall_curve(y_true, y_score, pos_label=pos_label,
                                                      sample_weight=sample_weight)
    return float(-np.trapezoid(precision, recall))


MISTAKES = (
    mistake(precision_score_computes_recall, ref.precision_score,
            "Precision divides TP by everything PREDICTED positive (TP + FP), not by everything "
            "truly positive."),
    mistake(recall_score_computes_precision, ref.recall_score,
            "Recall divides TP by everything TRULY positive (TP + FN), not by everything "
            "predicted positive."),
    mistake(confusion_matrix_transposed, ref.confusion_matrix,
            "Rows are the true classes and columns the predicted classes."),
    mistake(f1_score_macro_micro_swapped, ref.f1_score,
            "Macro averages the per-class scores; micro pools TP, FP and FN over the classes "
            "first."),
    mistake(f1_score_weighted_by_predicted_counts, ref.f1_score,
            "average='weighted' weights each class by its support, the number of TRUE samples "
            "of that class."),
    mistake(f1_score_arithmetic_mean, ref.f1_score,
            "F1 is the harmonic mean 2PR/(P + R), which punishes a low precision or recall "
            "more than the arithmetic mean."),
    mistake(specificity_score_over_false_negatives, ref.specificity_score,
            "Specificity is TN / (TN + FP): of the truly negative samples, the share predicted "
            "negative."),
    mistake(balanced_accuracy_score_plain_accuracy, ref.balanced_accuracy_score,
            "Balanced accuracy is the mean of the per-class recalls, so every class counts the "
            "same."),
    mistake(roc_auc_score_from_thresholded_labels, ref.roc_auc_score,
            "ROC AUC needs the scores (probabilities), not the 0/1 predictions at threshold 0.5."),
    mistake(average_precision_score_trapezoid, ref.average_precision_score,
            "Average precision is the step sum Σ (Rₙ − Rₙ₋₁)·Pₙ, not the trapezoid area under "
            "the PR curve."),
)
