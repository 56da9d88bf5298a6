"""Every optimizer and metric mistake imitates its reference and differs from it."""
import dataclasses
import inspect
import math
import warnings

import numpy as np
import pytest

from reference import mistakes
from reference.mistakes import metrics as metric_mistakes
from reference.mistakes import optimizers as optimizer_mistakes

MISTAKES = optimizer_mistakes.MISTAKES + metric_mistakes.MISTAKES
BY_ID = {m.id: m for m in MISTAKES}

P, G = np.array([1.0, -2.0]), np.array([0.5, 0.25])
ADAM_AFTER_ONE_STEP = {"step": 1, "exp_avg": np.array([0.05, 0.025]),
                       "exp_avg_sq": np.array([2.5e-4, 6.25e-5])}
# three classes, a class 2 that is rarely predicted and a large class 0
Y_TRUE = np.array([0, 0, 0, 0, 0, 0, 1, 1, 2, 2])
Y_PRED = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 0])
Y_BIN = np.array([0, 0, 0, 1, 1, 1])
SCORES = np.array([0.1, 0.4, 0.6, 0.55, 0.7, 0.9])

# mistake id -> (args, kwargs) on which the mistake and the reference disagree
EXHIBITS = {
    "sgd_step.sgd_step_weight_decay_after_momentum": (
        (P, G, {"momentum_buffer": np.array([1.0, 1.0])}),
        {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1}),
    "sgd_step.sgd_step_nesterov_ignored": ((P, G), {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    "sgd_step.sgd_step_dampening_on_first_step": ((P, G), {"lr": 0.1, "momentum": 0.9,
                                                           "dampening": 0.5}),
    "classical_momentum_step.classical_momentum_step_velocity_sign_flipped": ((P, G),
                                                                              {"lr": 0.1}),
    "adam_step.adam_step_without_bias_correction": ((P, G), {"lr": 0.1}),
    "adam_step.adam_step_step_not_incremented": ((P, G, ADAM_AFTER_ONE_STEP), {"lr": 0.1}),
    "adam_step.adam_step_eps_inside_sqrt": ((P, G), {"lr": 0.1, "eps": 0.1}),
    "adamw_step.adamw_step_as_adam_with_l2": ((P, G, ADAM_AFTER_ONE_STEP),
                                              {"lr": 0.1, "weight_decay": 0.5}),
    "rmsprop_step.rmsprop_step_without_square_root": ((P, G), {"lr": 0.1}),
    "adagrad_step.adagrad_step_accumulates_gradient": ((P, G), {"lr": 0.1}),
    "step_lr.step_lr_decays_every_epoch": ((0.1, 3, 10), {}),
    "cosine_annealing_lr.cosine_annealing_lr_t_max_off_by_one": ((0.1, 10, 10), {}),
    "linear_warmup.linear_warmup_starts_at_zero": ((0.1, 0, 5), {}),
    "early_stopping.early_stopping_patience_off_by_one": (([1.0, 0.5, 0.6, 0.7, 0.8], 2), {}),
    "precision_score.precision_score_computes_recall": ((Y_TRUE, Y_PRED), {"average": "macro"}),
    "recall_score.recall_score_computes_precision": ((Y_TRUE, Y_PRED), {"average": "macro"}),
    "confusion_matrix.confusion_matrix_transposed": ((Y_TRUE, Y_PRED), {}),
    "f1_score.f1_score_macro_micro_swapped": ((Y_TRUE, Y_PRED), {"average": "macro"}),
    "f1_score.f1_score_weighted_by_predicted_counts": ((Y_TRUE, Y_PRED), {"average": "weighted"}),
    "f1_score.f1_score_arithmetic_mean": ((Y_TRUE, Y_PRED), {"average": None}),
    "specificity_score.specificity_score_over_false_negatives": ((Y_TRUE, Y_PRED),
                                                                {"average": None}),
    "balanced_accuracy_score.balanced_accuracy_score_plain_accuracy": ((Y_TRUE, Y_PRED), {}),
    "roc_auc_score.roc_auc_score_from_thresholded_labels": ((Y_BIN, SCORES), {}),
    "average_precision_score.average_precision_score_trapezoid": ((Y_BIN, SCORES), {}),
}

# --- the metrics assignment's mistakes (precision_recall_fscore_support, specificity, curves) ---
Y_TIES = np.array([0, 1, 1, 0, 1, 0])  # ties between the classes at 0.9 and at 0.6
S_TIES = np.array([0.9, 0.9, 0.6, 0.6, 0.6, 0.2])
ALL_FOUR = {"labels": [0, 1, 2, 3], "zero_division": 0}  # class 3 never occurs
PRFS = "precision_recall_fscore_support.precision_recall_fscore_support_"
EXHIBITS.update({
    PRFS + "macro_micro_swapped": ((Y_TRUE, Y_PRED), {"average": "macro"}),
    PRFS + "macro_over_present_classes": ((Y_TRUE, Y_PRED), {"average": "macro", **ALL_FOUR}),
    PRFS + "zero_division_nan": ((Y_TRUE, Y_PRED), {"average": "macro", **ALL_FOUR}),
    PRFS + "zero_division_one": ((Y_TRUE, Y_PRED), {"average": None, **ALL_FOUR}),
    PRFS + "weighted_by_predicted_counts": ((Y_TRUE, Y_PRED), {"average": "weighted"}),
    PRFS + "f1_arithmetic_mean": ((Y_TRUE, Y_PRED), {"average": None}),
    PRFS + "f1_of_averaged_precision_recall": ((Y_TRUE, Y_PRED), {"average": "macro"}),
    PRFS + "precision_recall_swapped": ((Y_TRUE, Y_PRED), {"average": None}),
    "specificity_score.specificity_score_computes_recall": ((Y_TRUE, Y_PRED), {"average": None}),
    "roc_curve.roc_curve_ties_broken_by_order": ((Y_TIES, S_TIES), {"drop_intermediate": False}),
    "roc_curve.roc_curve_strictly_greater": ((Y_BIN, SCORES), {}),
    "roc_curve.roc_curve_thresholds_ascending": ((Y_BIN, SCORES), {}),
    "roc_auc_score.roc_auc_score_ties_count_zero": ((Y_TIES, S_TIES), {}),
    "roc_auc_score.roc_auc_score_ties_count_one": ((Y_TIES, S_TIES), {}),
    "roc_auc_score.roc_auc_score_trapezoid_unsorted": ((Y_BIN, SCORES), {}),
    "roc_auc_score.roc_auc_score_single_class_half": ((np.array([1, 1, 1]), SCORES[:3]), {}),
    "average_precision_score.average_precision_score_interpolated": (
        (np.array([0, 1, 1]), np.array([0.9, 0.8, 0.7])), {}),
    "average_precision_score.average_precision_score_ties_broken_by_order": ((Y_TIES, S_TIES), {}),
})
# Exhibits where the reference's answer is undefined by design (NaN, with a warning): the
# mistake is to answer a number there.
UNDEFINED_FOR_THE_REFERENCE = {"roc_auc_score.roc_auc_score_single_class_half"}
# --- end of the metrics assignment's block ---------------------------------------------------

# --- added with the optimizers assignment (assignments/optimizers): its trajectory mistakes differ
# from the reference only once the state of an earlier step comes in
MOMENTUM_AFTER_ONE_STEP = {"momentum_buffer": np.array([1.0, 1.0])}
EXHIBITS.update({
    "sgd_step.sgd_step_momentum_buffer_not_kept": ((P, G, MOMENTUM_AFTER_ONE_STEP),
                                                   {"lr": 0.1, "momentum": 0.9}),
    "sgd_step.sgd_step_lr_inside_buffer": ((P, G, MOMENTUM_AFTER_ONE_STEP),
                                           {"lr": 0.1, "momentum": 0.9}),
    "sgd_step.sgd_step_momentum_as_moving_average": ((P, G), {"lr": 0.1, "momentum": 0.9}),
    "adam_step.adam_step_step_never_incremented": ((P, G, ADAM_AFTER_ONE_STEP), {"lr": 0.1}),
    "adam_step.adam_step_bias_correction_only_once": ((P, G, ADAM_AFTER_ONE_STEP), {"lr": 0.1}),
    "adam_step.adam_step_decoupled_weight_decay": ((P, G), {"lr": 0.1, "weight_decay": 0.5}),
    "adamw_step.adamw_step_decay_not_scaled_by_lr": ((P, G), {"lr": 0.1, "weight_decay": 0.5}),
    "step_lr.step_lr_decays_one_epoch_early": ((0.1, 9, 10), {}),
    "cosine_annealing_lr.cosine_annealing_lr_epoch_off_by_one": ((0.1, 0, 10), {}),
    "cosine_annealing_lr.cosine_annealing_lr_clamped_after_t_max": ((0.1, 15, 10), {}),
    "linear_warmup.linear_warmup_reaches_base_one_epoch_early": ((0.1, 2, 5), {}),
    "early_stopping.early_stopping_ties_improve": (([1.0, 0.5, 0.5, 0.5], 2), {}),
    "early_stopping.early_stopping_epochs_counted_from_one": (([1.0, 0.5, 0.6, 0.7], 2), {}),
})
# --- end of the optimizers assignment's block ------------------------------------------------



def reference_of(m):
    module, _, name = m.reference.rpartition(".")
    return getattr(__import__(module, fromlist=[name]), name)


def _numbers(result, none=math.nan) -> np.ndarray:
    """Every number in a result (arrays, tuples, state dicts, frozen records), flattened; None
    (no value: a stop epoch never reached, the support of an average) reads as ``none``."""
    if dataclasses.is_dataclass(result):
        result = dataclasses.astuple(result)
    if isinstance(result, dict):
        result = [result[k] for k in sorted(result)]
    if isinstance(result, (tuple, list)):
        parts = [_numbers(r, none) for r in result]
        return np.concatenate(parts) if parts else np.zeros(0)
    return np.ravel(np.asarray(none if result is None else result, dtype=np.float64))


def test_every_mistake_has_an_exhibit_and_a_unique_id():
    assert len(BY_ID) == len(MISTAKES) >= 14
    assert set(BY_ID) == set(EXHIBITS)


def test_the_catalog_lists_the_optimizer_and_metric_mistakes():
    assert set(BY_ID) <= {m.id for m in mistakes.catalog()}


@pytest.mark.parametrize("mistake_id", list(EXHIBITS))
def test_mistake_differs_from_the_reference_on_its_exhibit(mistake_id):
    m = BY_ID[mistake_id]
    args, kwargs = EXHIBITS[mistake_id]
    undefined = mistake_id in UNDEFINED_FOR_THE_REFERENCE
    with warnings.catch_warnings():
        # otherwise the exhibit is a well-defined case for the reference
        warnings.simplefilter("ignore" if undefined else "error")
        result = reference_of(m)(*args, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrong = _numbers(m(*args, **kwargs))
    right = _numbers(result)
    assert np.all(np.isnan(right)) if undefined else not np.isnan(_numbers(result, none=0.0)).any()
    assert wrong.shape != right.shape or not np.allclose(wrong, right, equal_nan=True)


@pytest.mark.parametrize("mistake_id", list(EXHIBITS))
def test_mistake_has_the_reference_signature_a_docstring_and_a_one_line_explanation(mistake_id):
    m = BY_ID[mistake_id]
    assert inspect.signature(m.function) == inspect.signature(reference_of(m))
    assert m.function.__doc__
    assert m.explanation and "\n" not in m.explanation


# A bad argument each reference refuses; its mistakes must refuse it too.
BAD_ARGUMENT = {
    "sgd_step": ((P, G), {"lr": -1.0}),
    "classical_momentum_step": ((P, G), {"lr": -1.0}),
    "adam_step": ((P, G), {"lr": -1.0}),
    "adamw_step": ((P, G), {"lr": -1.0}),
    "rmsprop_step": ((P, G), {"lr": -1.0}),
    "adagrad_step": ((P, G), {"lr": -1.0}),
    "step_lr": ((0.1, -1, 10), {}),
    "cosine_annealing_lr": ((0.1, -1, 10), {}),
    "linear_warmup": ((0.1, -1, 5), {}),
    "early_stopping": (([1.0], 0), {}),
    "precision_score": ((Y_TRUE, Y_PRED), {"average": "mean"}),
    "recall_score": ((Y_TRUE, Y_PRED), {"average": "mean"}),
    "f1_score": ((Y_TRUE, Y_PRED), {"average": "mean"}),
    "specificity_score": ((Y_TRUE, Y_PRED), {"average": "mean"}),
    "confusion_matrix": ((Y_TRUE, Y_PRED), {"normalize": "rows"}),
    "balanced_accuracy_score": ((Y_TRUE, Y_PRED[:3]), {}),
    "roc_auc_score": ((Y_BIN, SCORES[:3]), {}),
    "average_precision_score": ((Y_BIN, SCORES), {"average": "mean"}),
}


@pytest.mark.parametrize("mistake_id", list(EXHIBITS))
def test_mistake_refuses_a_bad_argument_like_its_reference(mistake_id):
    m = BY_ID[mistake_id]
    args, kwargs = BAD_ARGUMENT[m.reference.rpartition(".")[2]]
    with pytest.raises(ValueError):
        reference_of(m)(*args, **kwargs)
    with pytest.raises(ValueError):
        m(*args, **kwargs)


# Inputs of every layout each reference accepts: a mistake must run on all of them and answer
# in the reference's shape, as the grader compares a student's answers with the mistakes'.
_rng = np.random.default_rng(7)
P2, G2 = _rng.normal(size=(2, 3)), _rng.normal(size=(2, 3))
OPTIMIZER_CASES = [((P2, G2), {}), ((P2, G2, {}), {"weight_decay": 0.1, "maximize": True})]
Y_T, Y_P = _rng.integers(0, 3, 30), _rng.integers(0, 3, 30)
W = _rng.random(30)
LABEL_CASES = [((Y_T, Y_P), {"average": a, "sample_weight": W})
               for a in (None, "micro", "macro", "weighted")]
LABEL_CASES += [((Y_T % 2, Y_P % 2), {}), ((Y_T, Y_P), {"average": "macro", "labels": [2, 0]})]
PROBS = _rng.dirichlet([1.0, 1.0, 1.0], 30)
GENERIC = {
    "sgd_step": [((P2, G2), {"momentum": 0.9, "nesterov": True}),
                 ((P2, G2, {}), {"momentum": 0.5, "dampening": 0.1, "weight_decay": 0.1})],
    "classical_momentum_step": [((P2, G2), {"momentum": 0.5})],
    "adam_step": OPTIMIZER_CASES + [((P2, G2), {"amsgrad": True})],
    "adamw_step": OPTIMIZER_CASES + [((P2, G2), {"amsgrad": True})],
    "rmsprop_step": OPTIMIZER_CASES + [((P2, G2), {"momentum": 0.9, "centered": True})],
    "adagrad_step": OPTIMIZER_CASES + [((P2, G2), {"lr_decay": 0.1,
                                                   "initial_accumulator_value": 1.0})],
    "step_lr": [((0.1, 7, 3), {"gamma": 0.5})],
    "cosine_annealing_lr": [((0.1, 7, 5), {"eta_min": 0.01})],
    "linear_warmup": [((0.1, 2, 5), {"start_factor": 0.5})],
    "early_stopping": [(([0.5, 0.6, 0.4, 0.45], 1), {"mode": "max", "min_delta": 0.01})],
    "precision_score": LABEL_CASES,
    "recall_score": LABEL_CASES,
    "f1_score": LABEL_CASES,
    "specificity_score": LABEL_CASES,
    "confusion_matrix": [((Y_T, Y_P), {"sample_weight": W, "normalize": "true"}),
                         ((Y_T, Y_P), {"labels": [2, 1]})],
    "balanced_accuracy_score": [((Y_T, Y_P), {"sample_weight": W, "adjusted": True})],
    "roc_auc_score": [((Y_T % 2, PROBS[:, 0]), {"sample_weight": W}),
                      ((Y_T, PROBS), {"multi_class": "ovr", "average": "weighted"}),
                      ((Y_T, PROBS), {"multi_class": "ovo"})],
    "average_precision_score": [((Y_T % 2, PROBS[:, 0]), {"sample_weight": W}),
                                ((Y_T, PROBS), {"average": None})],
}


@pytest.mark.parametrize("mistake_id", list(EXHIBITS))
def test_mistake_runs_on_every_input_layout_its_reference_accepts(mistake_id):
    m = BY_ID[mistake_id]
    for args, kwargs in GENERIC[m.reference.rpartition(".")[2]]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wrong, right = m(*args, **kwargs), reference_of(m)(*args, **kwargs)
        assert _numbers(wrong).shape == _numbers(right).shape


# --- the metrics assignment's block: its new references' bad arguments and input layouts -----
BAD_ARGUMENT["precision_recall_fscore_support"] = ((Y_TRUE, Y_PRED), {"average": "mean"})
BAD_ARGUMENT["roc_curve"] = ((Y_BIN, SCORES[:3]), {})
GENERIC["precision_recall_fscore_support"] = LABEL_CASES + [
    ((Y_T, Y_P), {"average": "macro", "labels": [0, 1, 2, 3], "beta": 2.0, "zero_division": 0})]
GENERIC["roc_curve"] = [((Y_T % 2, PROBS[:, 0]), {"sample_weight": W}),
                        ((Y_T % 2, PROBS[:, 0]), {"drop_intermediate": False})]
