"""Classic wrong answers for ``reference.metrics``.

Each function has the signature of the reference function it imitates and reuses the
reference's validation, so it fails only in the way its name says.
"""
from __future__ import annotations

import math

import numpy as np

from reference import _ranking
from reference import metrics as ref
from reference._metric_inputs import (
    check_zero_division,
    labels_1d,
    nanaverage,
    one_vs_rest_counts,
    paired_labels,
    scores_1d,
    set_wise_labels,
    weights,
)
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


# --- precision, recall and F together (the metrics assignment's precision_recall_f1) -----------

_WARN_FOR = ("precision", "recall", "f-score")


def _prfs(y_true, y_pred, beta, labels, pos_label, average, warn_for, sample_weight,
          zero_division):
    return ref.precision_recall_fscore_support(
        y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label, average=average,
        warn_for=warn_for, sample_weight=sample_weight, zero_division=zero_division)


def _support(y_true, y_pred, labels, pos_label, sample_weight):
    """The (weighted) number of true samples of each label the reference reports on."""
    t, p, w = paired_labels(y_true, y_pred, sample_weight)
    return one_vs_rest_counts(t, p, w, set_wise_labels(t, p, labels, pos_label, None))[2]


def _weighted_mean(precision, recall, beta):
    """(P + β²R) / (1 + β²): the arithmetic counterpart of F_β (P for β = 0, R for β = ∞)."""
    if math.isinf(beta):
        return recall
    return (precision + beta**2 * recall) / (1 + beta**2)


def _harmonic_mean(precision, recall, beta):
    """(1 + β²)PR / (β²P + R), 0 where P = R = 0."""
    if math.isinf(beta):
        return recall
    denominator = beta**2 * precision + recall
    return (1 + beta**2) * precision * recall / denominator if denominator > 0 else 0.0


def precision_recall_fscore_support_macro_micro_swapped(
        y_true, y_pred, *, beta=1.0, labels=None, pos_label=1, average=None,
        warn_for=_WARN_FOR, sample_weight=None, zero_division="warn"):
    """Pools the counts for 'macro' and averages the per-class scores for 'micro'."""
    return _prfs(y_true, y_pred, beta, labels, pos_label, _SWAPPED.get(average, average),
                 warn_for, sample_weight, zero_division)


def precision_recall_fscore_support_macro_over_present_classes(
        y_true, y_pred, *, beta=1.0, labels=None, pos_label=1, average=None,
        warn_for=_WARN_FOR, sample_weight=None, zero_division="warn"):
    """The macro average over the classes that occur in y_true or y_pred only: a class of
    ``labels`` that never occurs (no samples, never predicted) is left out instead of
    counting as 0."""
    right = _prfs(y_true, y_pred, beta, labels, pos_label, average, warn_for, sample_weight,
                  zero_division)
    if average != "macro" or labels is None:
        return right
    per_class = _prfs(y_true, y_pred, beta, labels, pos_label, None, warn_for, sample_weight,
                      zero_division)
    present = np.isin(labels_1d(labels, "labels"),
                      np.concatenate([labels_1d(y_true, "y_true"), labels_1d(y_pred, "y_pred")]))
    if not present.any():
        return right
    return tuple(nanaverage(x[present], None) for x in per_class[:3]) + (None,)


def precision_recall_fscore_support_zero_division_nan(
        y_true, y_pred, *, beta=1.0, labels=None, pos_label=1, average=None,
        warn_for=_WARN_FOR, sample_weight=None, zero_division="warn"):
    """NumPy's 0/0 = NaN left in: P = TP / (TP + FP) is NaN for a class never predicted,
    R = TP / (TP + FN) for a class with no samples, F_β = (1 + β²)PR / (β²P + R) NaN with
    either (or where P = R = 0), and a plain mean spreads the NaN to the average."""
    right = _prfs(y_true, y_pred, beta, labels, pos_label, average, warn_for, sample_weight,
                  zero_division)
    t, p, w = paired_labels(y_true, y_pred, sample_weight)
    tp, pred, true, _ = one_vs_rest_counts(t, p, w, set_wise_labels(t, p, labels, pos_label,
                                                                    average))
    if average == "micro":
        tp, pred, true = tp.sum(keepdims=True), pred.sum(keepdims=True), true.sum(keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision, recall = tp / pred, tp / true
        if math.isinf(beta):
            fscore = recall
        else:
            fscore = (1 + beta**2) * precision * recall / (beta**2 * precision + recall)
    if average is None:
        return precision, recall, fscore, right[3]
    support = true if average == "weighted" and true.sum() > 0 else None
    return tuple(float(np.average(x, weights=support)) for x in (precision, recall, fscore)) + (None,)


def precision_recall_fscore_support_zero_division_one(
        y_true, y_pred, *, beta=1.0, labels=None, pos_label=1, average=None,
        warn_for=_WARN_FOR, sample_weight=None, zero_division="warn"):
    """An undefined ratio (a class never predicted, or with no samples) counts as 1, a
    perfect score, whatever ``zero_division`` says."""
    check_zero_division(zero_division)
    return _prfs(y_true, y_pred, beta, labels, pos_label, average, warn_for, sample_weight, 1)


def precision_recall_fscore_support_weighted_by_predicted_counts(
        y_true, y_pred, *, beta=1.0, labels=None, pos_label=1, average=None,
        warn_for=_WARN_FOR, sample_weight=None, zero_division="warn"):
    """average='weighted' weights each class by how often it is predicted, not by support."""
    right = _prfs(y_true, y_pred, beta, labels, pos_label, average, warn_for, sample_weight,
                  zero_division)
    if average != "weighted":
        return right
    per_class = _prfs(y_true, y_pred, beta, labels, pos_label, None, warn_for, sample_weight,
                      zero_division)
    t, p, w = paired_labels(y_true, y_pred, sample_weight)
    predicted = one_vs_rest_counts(t, p, w, set_wise_labels(t, p, labels, pos_label, None))[1]
    return tuple(nanaverage(x, predicted) for x in per_class[:3]) + (None,)


def precision_recall_fscore_support_f1_arithmetic_mean(
        y_true, y_pred, *, beta=1.0, labels=None, pos_label=1, average=None,
        warn_for=_WARN_FOR, sample_weight=None, zero_division="warn"):
    """F as the arithmetic mean (P + R) / 2 of each class's precision and recall ((P + β²R) /
    (1 + β²) for F_β), where F1 is the harmonic mean 2PR / (P + R)."""
    right = _prfs(y_true, y_pred, beta, labels, pos_label, average, warn_for, sample_weight,
                  zero_division)
    if average not in ("macro", "weighted"):
        return right[0], right[1], _weighted_mean(right[0], right[1], beta), right[3]
    precision, recall, _, _ = _prfs(y_true, y_pred, beta, labels, pos_label, None, warn_for,
                                    sample_weight, zero_division)
    support = (_support(y_true, y_pred, labels, pos_label, sample_weight)
               if average == "weighted" else None)
    return right[0], right[1], nanaverage(_weighted_mean(precision, recall, beta), support), None


def precision_recall_fscore_support_f1_of_averaged_precision_recall(
        y_true, y_pred, *, beta=1.0, labels=None, pos_label=1, average=None,
        warn_for=_WARN_FOR, sample_weight=None, zero_division="warn"):
    """Macro (weighted) F as the harmonic mean of the macro (weighted) precision and recall,
    where it is the mean of the per-class F scores."""
    right = _prfs(y_true, y_pred, beta, labels, pos_label, average, warn_for, sample_weight,
                  zero_division)
    if average not in ("macro", "weighted"):
        return right
    return right[0], right[1], float(_harmonic_mean(right[0], right[1], beta)), None


def precision_recall_fscore_support_precision_recall_swapped(
        y_true, y_pred, *, beta=1.0, labels=None, pos_label=1, average=None,
        warn_for=_WARN_FOR, sample_weight=None, zero_division="warn"):
    """TP / (TP + FN) as precision and TP / (TP + FP) as recall (rows and columns of the
    confusion matrix mixed up); F_β becomes F_{1/β}, and F1 is unchanged."""
    _prfs(y_true, y_pred, beta, labels, pos_label, average, warn_for, sample_weight,
          zero_division)
    inverse = math.inf if beta == 0 else 0.0 if math.isinf(beta) else 1 / beta
    precision, recall, fscore, support = _prfs(y_true, y_pred, inverse, labels, pos_label,
                                               average, warn_for, sample_weight, zero_division)
    return recall, precision, fscore, support


def specificity_score_computes_recall(y_true, y_pred, *, labels=None, pos_label=1,
                                      average="binary", sample_weight=None,
                                      zero_division="warn"):
    """TP / (TP + FN), the sensitivity of each class, where TN / (TN + FP) was asked."""
    ref.specificity_score(y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
                          sample_weight=sample_weight, zero_division=zero_division)
    return ref.recall_score(y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
                            sample_weight=sample_weight, zero_division=zero_division)


# --- ROC and precision-recall: thresholds, ties and areas ------------------------------------


def roc_curve_ties_broken_by_order(y_true, y_score, *, pos_label=None, sample_weight=None,
                                   drop_intermediate=True):
    """One point per sample, sorted by score with tied samples in input order, instead of
    one point per distinct score: inside a tie the curve goes up or right in steps that
    depend on the order of the samples, where it should go diagonally."""
    is_pos, s, w = ref._binary_truth_and_scores(y_true, y_score, pos_label, sample_weight)
    keep = w != 0
    is_pos, s, w = is_pos[keep], s[keep], w[keep]
    order = np.argsort(-s, kind="stable")
    is_pos, s, w = is_pos[order].astype(np.float64), s[order], w[order]
    fps, tps = np.cumsum((1 - is_pos) * w), np.cumsum(is_pos * w)
    return _ranking.roc_points(fps, tps, s, drop_intermediate=bool(drop_intermediate))


def roc_curve_strictly_greater(y_true, y_score, *, pos_label=None, sample_weight=None,
                               drop_intermediate=True):
    """Positive when score > threshold instead of score >= threshold: each point is the
    previous threshold's, the curve starts at (0, 0) twice and never reaches (1, 1)."""
    fpr, tpr, thresholds = ref.roc_curve(y_true, y_score, pos_label=pos_label,
                                         sample_weight=sample_weight,
                                         drop_intermediate=drop_intermediate)
    return np.r_[0.0, fpr[:-1]], np.r_[0.0, tpr[:-1]], thresholds


def roc_curve_thresholds_ascending(y_true, y_score, *, pos_label=None, sample_weight=None,
                                   drop_intermediate=True):
    """The thresholds from the lowest up: the curve runs from (1, 1) back to (0, 0)."""
    fpr, tpr, thresholds = ref.roc_curve(y_true, y_score, pos_label=pos_label,
                                         sample_weight=sample_weight,
                                         drop_intermediate=drop_intermediate)
    return fpr[::-1], tpr[::-1], thresholds[::-1]


def _binary_auc_inputs(y_true, y_score, sample_weight):
    """(is_pos, score, weight) of the samples that count, for a 1-D y_score with both classes
    (the larger label positive, as the reference); None where the reference answers
    otherwise (one class present, or multi-class scores)."""
    if np.ndim(y_score) != 1:
        return None
    t = labels_1d(y_true, "y_true")
    s, w = scores_1d(y_score, t.size), weights(sample_weight, t.size)
    is_pos = t == np.unique(t)[-1]
    keep = w != 0
    if np.unique(is_pos[keep]).size != 2:
        return None
    return is_pos[keep], s[keep], w[keep]


def _binary_auc_or_reference(area, y_true, y_score, average, sample_weight, multi_class, labels):
    """``area(is_pos, score, weight)`` for a 1-D y_score with both classes, else the reference's
    answer (which also validates the arguments)."""
    right = ref.roc_auc_score(y_true, y_score, average=average, sample_weight=sample_weight,
                              multi_class=multi_class, labels=labels)
    inputs = _binary_auc_inputs(y_true, y_score, sample_weight)
    return right if inputs is None else area(*inputs)


def _pairwise_auc(beats):
    """Σ w₊w₋·beats(s₊, s₋) / (W₊W₋) over the pairs of a positive and a negative."""
    def area(is_pos, s, w) -> float:
        pairs = np.outer(w[is_pos], w[~is_pos])
        return float(np.sum(pairs * beats(s[is_pos][:, None], s[~is_pos][None, :])) / pairs.sum())
    return area


def _trapezoid_in_input_order(is_pos, s, w) -> float:
    predicted = s[None, :] >= s[:, None]  # row i: the samples predicted positive at threshold s[i]
    tpr = predicted @ (w * is_pos) / np.sum(w * is_pos)
    fpr = predicted @ (w * ~is_pos) / np.sum(w * ~is_pos)
    return float(np.trapezoid(np.r_[0.0, tpr, 1.0], np.r_[0.0, fpr, 1.0]))


def roc_auc_score_ties_count_zero(y_true, y_score, *, average="macro", sample_weight=None,
                                  multi_class="raise", labels=None):
    """P(score of a positive > score of a negative): a tie counts 0 instead of ½."""
    return _binary_auc_or_reference(_pairwise_auc(np.greater), y_true, y_score, average,
                                    sample_weight, multi_class, labels)


def roc_auc_score_ties_count_one(y_true, y_score, *, average="macro", sample_weight=None,
                                 multi_class="raise", labels=None):
    """P(score of a positive >= score of a negative): a tie counts 1 instead of ½."""
    return _binary_auc_or_reference(_pairwise_auc(np.greater_equal), y_true, y_score, average,
                                    sample_weight, multi_class, labels)


def roc_auc_score_trapezoid_unsorted(y_true, y_score, *, average="macro", sample_weight=None,
                                     multi_class="raise", labels=None):
    """The trapezoid rule over the ROC points of each sample's score as the threshold, taken
    in the samples' order rather than sorted, between (0, 0) and (1, 1): the segments go back
    and forth and the area is wrong."""
    return _binary_auc_or_reference(_trapezoid_in_input_order, y_true, y_score, average,
                                    sample_weight, multi_class, labels)


def roc_auc_score_single_class_half(y_true, y_score, *, average="macro", sample_weight=None,
                                    multi_class="raise", labels=None):
    """0.5, the AUC of a coin toss, where y_true holds one class only and the AUC is undefined
    (NaN): no pair of a positive and a negative exists to rank."""
    right = ref.roc_auc_score(y_true, y_score, average=average, sample_weight=sample_weight,
                              multi_class=multi_class, labels=labels)
    return 0.5 if np.ndim(y_score) == 1 and math.isnan(right) else right


def _binary_ap_inputs(y_true, y_score, pos_label, sample_weight):
    """(is_pos, score, weight) for binary y_true; None for more classes (the reference's
    one-vs-rest average)."""
    t = labels_1d(y_true, "y_true")
    if np.unique(t).size > 2:
        return None
    is_pos = t == _ranking.resolve_pos_label(pos_label, t)
    return is_pos, scores_1d(y_score, t.size), weights(sample_weight, t.size)


def average_precision_score_interpolated(y_true, y_score, *, average="macro", pos_label=1,
                                         sample_weight=None):
    """Σ (Rₙ − Rₙ₋₁)·max_{R ≥ Rₙ} P: precision interpolated (the best precision at this recall
    or more, as Pascal VOC does), which is optimistic; AP uses the precision Pₙ itself."""
    right = ref.average_precision_score(y_true, y_score, average=average, pos_label=pos_label,
                                        sample_weight=sample_weight)
    if _binary_ap_inputs(y_true, y_score, pos_label, sample_weight) is None:
        return right
    precision, recall, _ = ref.precision_recall_curve(y_true, y_score, pos_label=pos_label,
                                                      sample_weight=sample_weight)
    at_least = recall[None, :] >= recall[:, None]
    interpolated = np.max(np.where(at_least, precision[None, :], -np.inf), axis=1)
    return float(max(0.0, -np.sum(np.diff(recall) * interpolated[:-1])))


def average_precision_score_ties_broken_by_order(y_true, y_score, *, average="macro",
                                                 pos_label=1, sample_weight=None):
    """The mean, over the positives, of the precision of the samples ranked up to each, with
    tied samples ranked in input order: a tie between a positive and a negative is won by
    whichever comes first, where AP counts the tied samples together."""
    right = ref.average_precision_score(y_true, y_score, average=average, pos_label=pos_label,
                                        sample_weight=sample_weight)
    inputs = _binary_ap_inputs(y_true, y_score, pos_label, sample_weight)
    if inputs is None:
        return right
    is_pos, s, w = inputs
    order = np.argsort(-s, kind="stable")
    is_pos, w = is_pos[order], w[order]
    positives = np.sum(w * is_pos)
    if positives == 0:
        return right
    seen = np.cumsum(w)
    precision = np.divide(np.cumsum(w * is_pos), seen, out=np.zeros_like(seen), where=seen > 0)
    return float(np.sum(w * is_pos * precision) / positives)


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
    mistake(precision_recall_fscore_support_macro_micro_swapped,
            ref.precision_recall_fscore_support,
            "Macro averages the per-class scores, so every class counts the same; micro pools "
            "TP, FP and FN over the classes first, so large classes dominate."),
    mistake(precision_recall_fscore_support_macro_over_present_classes,
            ref.precision_recall_fscore_support,
            "The macro average is over all K classes: a class with no samples and no "
            "predictions (a rare finding absent from this batch) counts, with 0."),
    mistake(precision_recall_fscore_support_zero_division_nan,
            ref.precision_recall_fscore_support,
            "Where a ratio is 0/0 (a class never predicted, or with no samples) the answer is 0 "
            "here, as scikit-learn's zero_division=0: not NaN, which then spreads to F1 and to "
            "the average."),
    mistake(precision_recall_fscore_support_zero_division_one,
            ref.precision_recall_fscore_support,
            "Where a ratio is 0/0 (a class never predicted, or with no samples) the answer is 0 "
            "here, as scikit-learn's zero_division=0: not 1, a perfect score for a class the "
            "model never got right."),
    mistake(precision_recall_fscore_support_weighted_by_predicted_counts,
            ref.precision_recall_fscore_support,
            "average='weighted' weights each class by its support, the number of TRUE samples "
            "of that class, not by how often it is predicted."),
    mistake(precision_recall_fscore_support_f1_arithmetic_mean,
            ref.precision_recall_fscore_support,
            "F1 is the harmonic mean 2PR/(P + R), which punishes a low precision or recall "
            "more than the arithmetic mean (P + R)/2."),
    mistake(precision_recall_fscore_support_f1_of_averaged_precision_recall,
            ref.precision_recall_fscore_support,
            "Macro F1 is the mean of the per-class F1 scores, not the F1 of the macro "
            "precision and the macro recall."),
    mistake(precision_recall_fscore_support_precision_recall_swapped,
            ref.precision_recall_fscore_support,
            "Precision divides TP by everything PREDICTED as the class (a column of the "
            "confusion matrix); recall by everything truly of the class (a row)."),
    mistake(specificity_score_computes_recall, ref.specificity_score,
            "Specificity is TN / (TN + FP), about the samples NOT of the class; TP / (TP + FN) "
            "is the sensitivity (recall)."),
    mistake(roc_curve_ties_broken_by_order, ref.roc_curve,
            "Samples with the same score share one threshold: a tie between positives and "
            "negatives is one diagonal step of the curve, whatever order the samples come in."),
    mistake(roc_curve_strictly_greater, ref.roc_curve,
            "A sample is predicted positive when its score is >= the threshold, so the lowest "
            "threshold predicts everything positive and the curve ends at (1, 1)."),
    mistake(roc_curve_thresholds_ascending, ref.roc_curve,
            "The ROC curve goes from the highest threshold (nothing positive, (0, 0)) down to "
            "the lowest (everything positive, (1, 1)): sort the scores in decreasing order."),
    mistake(roc_auc_score_ties_count_zero, ref.roc_auc_score,
            "AUC is the probability that a positive scores higher than a negative, where a tie "
            "counts one half (the diagonal step of the ROC curve), not 0."),
    mistake(roc_auc_score_ties_count_one, ref.roc_auc_score,
            "AUC is the probability that a positive scores higher than a negative, where a tie "
            "counts one half (the diagonal step of the ROC curve), not 1."),
    mistake(roc_auc_score_trapezoid_unsorted, ref.roc_auc_score,
            "The trapezoid rule needs the ROC points in order of decreasing threshold (sorted "
            "scores), from (0, 0) to (1, 1)."),
    mistake(roc_auc_score_single_class_half, ref.roc_auc_score,
            "With one class only in y_true no positive can be ranked against a negative: the "
            "AUC is undefined (nan), not 0.5."),
    mistake(average_precision_score_interpolated, ref.average_precision_score,
            "Average precision sums (Rₙ − Rₙ₋₁)·Pₙ with the precision at each threshold itself, "
            "not the interpolated (best later) precision."),
    mistake(average_precision_score_ties_broken_by_order, ref.average_precision_score,
            "Samples with the same score share one threshold: precision is counted once per "
            "distinct score, for all tied samples together, not sample by sample in input order."),
)
