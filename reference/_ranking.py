"""The maths behind the ranking metrics: threshold sweeps, areas, one-vs-rest / one-vs-one.

Transcribes scikit-learn's ``sklearn/metrics/_ranking.py`` and ``_base.py`` for 1-D labels.
"""
from __future__ import annotations

import math
from itertools import combinations

import numpy as np

from reference._metric_inputs import check_pos_label, warn_undefined


def resolve_pos_label(pos_label, y_true: np.ndarray):
    """``pos_label``, or 1 when y_true holds {0, 1} or {-1, 1} (or one of them)."""
    if pos_label is not None:
        return check_pos_label(pos_label, y_true)
    classes = np.unique(y_true)
    allowed = ([0, 1], [-1, 1], [0], [-1], [1])
    if classes.dtype.kind == "U" or not any(classes.tolist() == a for a in allowed):
        raise ValueError(
            f"y_true takes values in {classes.tolist()!r} and pos_label is not given: make "
            "y_true take values in {0, 1} or {-1, 1}, or pass pos_label")
    return 1


def binary_clf_curve(is_pos: np.ndarray, score: np.ndarray, w: np.ndarray):
    """Weighted false and true positives at each distinct threshold, highest score first.

    Samples with zero weight are dropped; ties in the score share one threshold.
    """
    keep = w != 0
    is_pos, score, w = is_pos[keep], score[keep], w[keep]
    order = np.argsort(score, kind="stable")[::-1]
    score, is_pos, w = score[order], is_pos[order].astype(np.float64), w[order]
    last_of_each_value = np.r_[np.nonzero(np.diff(score))[0], score.size - 1]
    tps = np.cumsum(is_pos * w)[last_of_each_value]
    fps = np.cumsum((1 - is_pos) * w)[last_of_each_value]
    return fps, tps, score[last_of_each_value]


def roc_points(fps, tps, thresholds, drop_intermediate: bool):
    if drop_intermediate and fps.size > 2:
        # keep only corners: points where either count changes its slope
        corner = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
        fps, tps, thresholds = fps[corner], tps[corner], thresholds[corner]
    fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
    thresholds = np.r_[np.inf, thresholds]
    if fps[-1] <= 0:
        warn_undefined("No negative samples in y_true; the false positive rate is undefined.")
        fpr = np.full(fps.shape, np.nan)
    else:
        fpr = fps / fps[-1]
    if tps[-1] <= 0:
        warn_undefined("No positive samples in y_true; the true positive rate is undefined.")
        tpr = np.full(tps.shape, np.nan)
    else:
        tpr = tps / tps[-1]
    return fpr, tpr, thresholds


def pr_points(fps, tps, thresholds, drop_intermediate: bool):
    if drop_intermediate and fps.size > 2:
        # keep the first and last point of each run with the same recall
        keep = np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    predicted = tps + fps
    precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted != 0)
    if tps[-1] == 0:
        warn_undefined("No positive samples in y_true; recall is set to 1 at every threshold.")
        recall = np.ones_like(tps)
    else:
        recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def binary_roc_auc(is_pos, score, w) -> float:
    if np.unique(is_pos[w != 0]).size != 2:
        warn_undefined("Only one class is present in y_true; ROC AUC is undefined (NaN).")
        return math.nan
    fpr, tpr, _ = roc_points(*binary_clf_curve(is_pos, score, w), drop_intermediate=True)
    return float(np.trapezoid(tpr, fpr))


def binary_average_precision(is_pos, score, w) -> float:
    precision, recall, _ = pr_points(*binary_clf_curve(is_pos, score, w), drop_intermediate=False)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def average_over_columns(binary_metric, Y: np.ndarray, S: np.ndarray, average, w: np.ndarray):
    """One-vs-rest: ``binary_metric`` on each column of the indicator matrix ``Y``, averaged.

    micro pools all (sample, class) pairs; weighted weights each class by its true support.
    """
    if average == "micro":
        return binary_metric(Y.ravel(), S.ravel(), np.repeat(w, Y.shape[1]))
    scores = np.array([binary_metric(Y[:, c], S[:, c], w) for c in range(Y.shape[1])])
    if average is None:
        return scores
    support = None
    if average == "weighted":
        support = w @ Y
        if np.isclose(support.sum(), 0.0):
            return 0.0
        scores[support == 0] = 0.0  # a class without support must not spread its NaN
    return float(np.average(scores, weights=support))


def one_vs_one_auc(encoded: np.ndarray, S: np.ndarray, average) -> float:
    """Hand & Till (2001): mean over pairs of classes present in y_true of the two AUCs."""
    pair_scores, prevalence = [], []
    for a, b in combinations(np.unique(encoded), 2):
        in_pair = (encoded == a) | (encoded == b)
        is_a = encoded[in_pair] == a
        ones = np.ones(is_a.size)
        auc_a = binary_roc_auc(is_a, S[in_pair, a], ones)
        auc_b = binary_roc_auc(~is_a, S[in_pair, b], ones)
        pair_scores.append((auc_a + auc_b) / 2)
        prevalence.append(in_pair.mean())
    if not pair_scores:
        warn_undefined("Only one class is present in y_true; ROC AUC is undefined (NaN).")
        return math.nan
    weights = prevalence if average == "weighted" else None
    return float(np.average(pair_scores, weights=weights))
