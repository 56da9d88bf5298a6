"""The metrics assignment in-process: rubric -> checks -> runner -> score, with the reference, every
catalogued mistake, and the sample class's own code (trusted: we wrote it) in place of a student;
and the ROC curve's comparison as a path, with its picture."""
import json
import math

import numpy as np
import pytest

from assignment_harness import AssignmentHarness
from grader.checks import Mismatch, TrustedCode
from grader.result import Status
from reference import metrics
from reference.mistakes import by_id

METRICS = AssignmentHarness("metrics")
HERE, RUBRIC, SUITE, EXPECTED = METRICS.folder, METRICS.rubric, METRICS.suite, METRICS.expected
NOT_APPLICABLE, CATALOGUED, APPLICABLE = METRICS.not_applicable, METRICS.catalogued, METRICS.applicable
student, grade, grade_mistake = METRICS.student, METRICS.grade, METRICS.grade_mistake
function_for, sample_code = METRICS.function_for, METRICS.sample_code
# the checks file is not a module one can import: its helpers, through a check's globals
expect_roc_curve = SUITE["roc_curve.matches_reference"].body.__globals__["expect_roc_curve"]


# --- the reference and the worked examples ----------------------------------------------------


def test_reference_solution_gets_full_marks():
    outcomes, result = grade(student())
    assert all(o.status is Status.PASSED for o in outcomes.values()), outcomes
    assert result.score == result.max_score == 18.0
    assert not result.errored


def _corners_agree(got, expected):
    expect_roc_curve(got, expected)  # raises if the paths differ
    return True


def test_worked_examples_agree_with_the_reference():
    for spec in SUITE:
        for case in spec.cases or ():
            arguments = {k: v for k, v in case.items()
                         if k != "expected" and not (isinstance(v, str) and v == "default")}
            got, expected = spec.call_reference_as_student(spec.reference, (), arguments), case["expected"]
            if spec.function == "roc_curve":
                assert _corners_agree(got, expected), spec.id
            elif isinstance(expected, float) and math.isnan(expected):
                assert math.isnan(got), spec.id
            else:
                for have, want in zip(got, expected) if isinstance(expected, tuple) else [(got, expected)]:
                    np.testing.assert_allclose(have, want, rtol=1e-12, atol=1e-12, err_msg=spec.id)


def test_the_worked_examples_are_the_courses():
    cases = {spec.id: spec.cases for spec in SUITE if spec.cases}
    binary, three = cases["confusion_matrix.worked_examples"][:2]
    assert binary["expected"].tolist() == [[3, 1], [2, 6]]  # TN FP / FN TP: TP=6, FN=2, FP=1, TN=3
    assert three["expected"].tolist() == [[40, 5, 5], [10, 20, 0], [15, 0, 5]]
    macro = next(c for c in cases["precision_recall_f1.worked_examples"] if c["average"] == "macro")
    assert round(macro["expected"][2], 3) == 0.585
    assert round(float(metrics.f1_score(three["y_true"], three["y_pred"], average="macro")), 3) == 0.585


def _classification_calls(function):
    calls = METRICS.generated_calls(function)
    return [(np.asarray(args[0]), np.asarray(args[1]), args[2], kwargs) for args, kwargs in calls]


@pytest.mark.parametrize("function", ["confusion_matrix", "precision_recall_f1", "specificity",
                                      "balanced_accuracy"])
def test_generated_classifications_cover_what_the_issue_lists(function):
    calls = _classification_calls(function)
    seen = {
        "K = 2": any(k == 2 for *_, k, _ in calls),
        "K >= 4": any(k >= 4 for *_, k, _ in calls),
        "a class with no samples": any(np.setdiff1d(np.arange(k), t).size for t, _, k, _ in calls),
        "a class never predicted": any(np.setdiff1d(np.arange(k), p).size for _, p, k, _ in calls),
        "a class in neither": any(np.setdiff1d(np.arange(k), np.r_[t, p]).size for t, p, k, _ in calls),
        "1 positive in 100": any(t.size == 100 and t.sum() == 1 and k == 2 for t, _, k, _ in calls),
        "a large class": any(t.size >= 10 and np.mean(t == 0) >= 0.7 and k > 2 for t, _, k, _ in calls),
        "labels in 0..K-1": all(t.max() < k and p.max() < k and t.min() >= 0 for t, p, k, _ in calls),
        "integer labels": all(t.dtype.kind == p.dtype.kind == "i" for t, p, _, _ in calls),
    }
    if function == "precision_recall_f1":
        averages = {kw.get("average", "default") for *_, kw in calls}
        seen["every average and the default"] = averages == {None, "micro", "macro", "weighted", "default"}
    assert all(seen.values()), [k for k, v in seen.items() if not v]


@pytest.mark.parametrize("function", ["roc_curve", "roc_auc", "average_precision"])
def test_generated_scores_cover_what_the_issue_lists(function):
    calls = [(np.asarray(args[0]), np.asarray(args[1])) for args, _ in METRICS.generated_calls(function)]
    both = [(y, s) for y, s in calls if np.unique(y).size == 2]
    seen = {
        "ties across the classes": any(np.intersect1d(s[y == 1], s[y == 0]).size for y, s in both),
        "distinct scores": any(np.unique(s).size == s.size > 5 for _, s in both),
        "negative scores (logits)": any((s < 0).any() for _, s in both),
        "1 positive in 100": any(y.size == 100 and y.sum() == 1 for y, _ in both),
        "0/1 labels": all(set(np.unique(y)) <= {0, 1} for y, _ in calls),
    }
    single = any(np.unique(y).size == 1 for y, _ in calls)
    if function == "roc_auc":
        seen["a single class"] = single
    else:  # roc_curve needs both classes; average precision's one class is a check of its own
        assert not single
    assert all(seen.values()), [k for k, v in seen.items() if not v]


# --- the catalog ----------------------------------------------------------------------------------


def test_every_catalogued_mistake_of_these_references_applies():
    assert NOT_APPLICABLE == {} and len(APPLICABLE) == len(CATALOGUED) >= 20


@pytest.mark.parametrize("mistake", APPLICABLE, ids=[m.id for m in APPLICABLE])
def test_catalogued_mistake_loses_points_and_is_named_on_its_item(mistake):
    function = function_for(mistake)
    item = next(i for i in RUBRIC.items if SUITE[i.checks[0]].function == function)
    outcomes, _ = grade_mistake(mistake, only=item.checks)
    failed = [outcomes[c] for c in item.checks if outcomes[c].status is Status.FAILED]
    assert failed, f"{mistake.id} passes {item.id}"
    assert failed[0].misconception is not None, failed[0].message
    assert failed[0].misconception.id == mistake.id


def test_every_named_mistake_in_expected_is_catalogued_and_applicable():
    for stem, item, mistake_id in METRICS.named_mistakes():
        assert by_id(mistake_id).id not in NOT_APPLICABLE, stem
        assert item in {i.id for i in RUBRIC.items}, stem


# --- ROC curves: compared as paths, shown as a picture --------------------------------------------

# corners (0, 0), (1/4, 1/4) (a tie), (1/4, 1/2), then (1/2, 3/4) (a tie) on the way to (3/4, 1), (1, 1)
Y = np.array([1, 0, 1, 1, 0, 0, 1, 0])
S = np.array([0.9, 0.9, 0.8, 0.6, 0.6, 0.4, 0.4, 0.1])
POINTS = metrics.roc_curve(Y, S, drop_intermediate=False)[:2]
CORNERS = metrics.roc_curve(Y, S, drop_intermediate=True)[:2]


def _mismatch(got):
    with pytest.raises(Mismatch) as raised:
        expect_roc_curve(got, POINTS)
    return raised.value


@pytest.mark.parametrize("got", [
    POINTS, CORNERS, [list(POINTS[0]), list(POINTS[1])],
    # a point repeated, and an extra point in the middle of a straight stretch
    (np.insert(POINTS[0], 1, 0.0), np.insert(POINTS[1], 1, 0.0)),
    tuple(np.insert(rate, 2, (rate[1] + rate[2]) / 2) for rate in POINTS),
    (POINTS[0].astype(np.float32), POINTS[1].astype(np.float32)),
], ids=["one-per-threshold", "corners-only", "lists", "repeated-point", "collinear-point", "float32"])
def test_any_representation_of_the_same_path_is_accepted(got):
    expect_roc_curve(got, POINTS)
    expect_roc_curve(got, CORNERS)


@pytest.mark.parametrize("got, says", [
    ((POINTS[0][1:], POINTS[1][1:]), "must start at (0, 0)"),
    ((POINTS[0][:-1], POINTS[1][:-1]), "must end at (1, 1)"),
    ((POINTS[0][::-1], POINTS[1][::-1]), "must start at (0, 0)"),
    ((POINTS[1], POINTS[0]), "takes another path"),
    ((np.r_[0, 0.5, 0.25, 1], np.r_[0, 0.5, 0.75, 1]), "fpr must never decrease"),
    ((POINTS[0], POINTS[1][:-1]), "the same length"),
    ((POINTS[0], np.where(POINTS[1] > 0.5, np.nan, POINTS[1])), "tpr must hold finite numbers"),
    ((POINTS[0],), "expected a tuple (fpr, tpr)"),
    ((*POINTS, np.ones(6)), "got a tuple of 3 elements (return fpr and tpr, not the thresholds)"),
    ("not a curve", "expected a tuple (fpr, tpr)"),
    ((["a", "b"], [0, 1]), "fpr must be a 1-D array of numbers"),
    ((np.zeros((2, 2)), np.zeros((2, 2))), "fpr must be a 1-D array"),
    (([], []), "are empty"),
], ids=["no-origin", "no-end", "reversed", "axes-swapped", "goes-back", "lengths", "nan", "one-array",
        "thresholds", "a-string", "strings", "2-d", "empty"])
def test_a_wrong_or_malformed_curve_fails_with_a_reason_and_a_picture(got, says):
    failure = _mismatch(got)
    assert says in failure.message
    figure = failure.figure
    assert (figure["kind"], figure["title"]) == ("curves", "ROC curve")
    assert figure["square"] and figure["markers"]
    assert [s["label"] for s in figure["series"]] == ["yours", "expected"]
    assert figure["series"][1]["x"] == pytest.approx(list(POINTS[0]))
    json.dumps(figure)  # plain data, whatever the student returned


def test_a_tie_broken_by_sample_order_is_another_path():
    wrong = by_id("roc_curve.roc_curve_ties_broken_by_order")(Y, S, drop_intermediate=False)[:2]
    failure = _mismatch(wrong)
    assert "first difference at corner 1: yours (0, 0.25), expected (0.25, 0.25)" in failure.message
    # within a tie of one class only, one point per sample is collinear, and right
    same_class = np.array([0, 0, 1, 1]), np.array([0.9, 0.9, 0.5, 0.5])
    one_per_sample = by_id("roc_curve.roc_curve_ties_broken_by_order")(*same_class, drop_intermediate=False)
    expect_roc_curve(one_per_sample[:2], metrics.roc_curve(*same_class, drop_intermediate=False)[:2])


def test_the_failed_outcome_carries_the_picture_and_names_the_mistake():
    outcomes, _ = grade(sample_code("omar_roc_ties_by_order"), only=["roc_curve.worked_examples"])
    outcome = outcomes["roc_curve.worked_examples"]
    assert outcome.status is Status.FAILED
    assert outcome.misconception.id == "roc_curve.roc_curve_ties_broken_by_order"
    labels = outcome.figure["x_label"], outcome.figure["y_label"]
    assert labels == ("false positive rate", "true positive rate")
    yours, expected = outcome.figure["series"]
    assert (yours["x"], yours["y"]) == ([0, 0, 0.5, 0.5, 1], [0, 0.5, 0.5, 1, 1])
    assert (expected["x"], expected["y"]) == ([0, 0, 0.5, 1], [0, 0.5, 1, 1])


def test_a_student_curve_that_cannot_be_drawn_is_reported_not_crashed():
    def roc_curve(y_true, scores):
        return {"fpr": 1}, "tpr"

    outcomes, _ = grade(TrustedCode({"roc_curve": roc_curve}), only=["roc_curve.worked_examples"])
    outcome = outcomes["roc_curve.worked_examples"]
    assert outcome.status is Status.FAILED and "fpr must be a 1-D array of numbers" in outcome.message
    yours = outcome.figure["series"][0]
    assert yours["x"] == [] and "could not be drawn" in yours["note"]


# --- the sample class --------------------------------------------------------------------------

CORRECT = METRICS.correct


@pytest.mark.parametrize("stem", CORRECT)
def test_correct_sample_style_gets_full_marks(stem):
    outcomes, result = grade(sample_code(stem))
    assert result.score == result.max_score, {k: o.message for k, o in outcomes.items() if o.message}


def test_expected_outcomes_list_every_sample_and_samples_declare_the_assignment():
    stems = sorted(p.stem for p in (HERE / "samples").glob("*.ipynb"))
    assert stems == sorted(EXPECTED["samples"])
    assert len(CORRECT) >= 4
    assert len({m for _, _, m in METRICS.named_mistakes()}) >= 8
    for path in [HERE / "student.ipynb", HERE / "solution.ipynb", *(HERE / "samples").glob("*.ipynb")]:
        declared = json.loads(path.read_text(encoding="utf-8"))["metadata"].get("cnngrade")
        if path.stem != "bruno_plain_python":  # pasted into a fresh notebook, deliberately
            assert declared == {"assignment": "metrics"}, path.name


def test_float_counts_are_told_to_be_integers():
    outcomes, _ = grade(sample_code("vera_float_counts"), only=["confusion_matrix.worked_examples"])
    message = outcomes["confusion_matrix.worked_examples"].message
    assert "expected an array of integers, got dtype float64" in message
