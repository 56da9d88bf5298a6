"""Checks for the metrics assignment (ids as in rubrics/metrics.yaml).

The student's functions (see the notebook); labels are integer arrays with values 0..K-1, scores
float arrays, y_true of a binary problem holds 0 (negative) and 1 (positive):

    confusion_matrix(y_true, y_pred, num_classes) -> (K, K) integer counts, rows true, columns predicted
    precision_recall_f1(y_true, y_pred, num_classes, average="macro") -> (precision, recall, f1)
    specificity(y_true, y_pred, num_classes) -> (K,)        # each class against the rest
    balanced_accuracy(y_true, y_pred, num_classes) -> float
    roc_curve(y_true, scores) -> (fpr, tpr)                  # from (0, 0) to (1, 1)
    roc_auc(y_true, scores) -> float                         # nan with one class in y_true
    average_precision(y_true, scores) -> float

Checks compare with ``reference.metrics``, which the reference tests prove equal to scikit-learn
(``labels=range(K)``, ``zero_division=0``; balanced accuracy over the classes present in y_true,
as scikit-learn's). Each ``adapt`` calls a reference function the way the student's function is
called, so that the catalogued mistakes (``reference.mistakes.metrics``) can be compared with the
student's answers.

ROC curves are compared as paths: any representation with the same corners is right (a student may
keep collinear points, one per distinct threshold as the notebook asks, or drop them as
scikit-learn does), but the curve must start at (0, 0), end at (1, 1) and never go back. The
diagnosis compares the student's points with the catalogued mistakes' one per distinct threshold
(the notebook's rule), so a mistake is named for a curve in that form.
"""
import warnings

import numpy as np
from hypothesis import strategies as st

import reference.metrics as ref
from grader.checks import Mismatch, cases, check, curves, expect_equal, given
from grader.checks.compare import tolerances


def quietly(f, *args, **kwargs):
    """``f`` without the reference's warnings about undefined metrics (the notebook states the
    conventions; the grader's log need not repeat them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ref.UndefinedMetricWarning)
        return f(*args, **kwargs)


def confusion_as_student(f, y_true, y_pred, num_classes):
    return f(y_true, y_pred, labels=np.arange(num_classes))


def prf_as_student(f, y_true, y_pred, num_classes, average="macro"):
    return tuple(quietly(f, y_true, y_pred, labels=np.arange(num_classes), average=average,
                         zero_division=0)[:3])


def specificity_as_student(f, y_true, y_pred, num_classes):
    return quietly(f, y_true, y_pred, labels=np.arange(num_classes), average=None, zero_division=0)


def balanced_as_student(f, y_true, y_pred, num_classes):
    return quietly(f, y_true, y_pred)  # scikit-learn's: over the classes present in y_true


def roc_curve_as_student(f, y_true, scores):
    fpr, tpr, _ = quietly(f, y_true, scores, drop_intermediate=False)
    return fpr, tpr


def scores_as_student(f, y_true, scores):
    return quietly(f, y_true, scores)


def average_option(average):
    # "default" is left out, so that the student's own default is what is tested
    return {} if average == "default" else {"average": average}


PRF = ("precision", "recall", "f1")

# --- the course's worked examples -----------------------------------------------------------------


def labels_from_confusion(cm):
    """(y_true, y_pred) with ``cm[i][j]`` samples of true class i predicted as j, in row order."""
    pairs = [(i, j) for i, row in enumerate(cm) for j, count in enumerate(row) for _ in range(count)]
    y_true, y_pred = zip(*pairs)
    return np.array(y_true), np.array(y_pred)


# The binary example: TP = 6, FN = 2, FP = 1, TN = 3 (class 1 is the finding, rows are true classes).
BINARY_CM = np.array([[3, 1], [2, 6]])
BINARY = labels_from_confusion(BINARY_CM)
# The 3-class example (tests/reference/test_worked_examples.py): macro-F1 0.585.
THREE_CM = np.array([[40, 5, 5], [10, 20, 0], [15, 0, 5]])
THREE = labels_from_confusion(THREE_CM)
# Class 2 of three never occurs: neither a sample nor a prediction.
ABSENT = (np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]))
# Screening: 99 healthy, 1 sick, and a model that says "healthy" to everyone.
SCREENING = (np.r_[np.zeros(99, int), 1], np.zeros(100, int))

# Per class of the 3-class example: TP, predicted (column sums), true (row sums).
TP3, PRED3, TRUE3 = np.array([40, 20, 5]), np.array([65, 25, 10]), np.array([50, 30, 20])
P3, R3, F3 = TP3 / PRED3, TP3 / TRUE3, 2 * TP3 / (PRED3 + TRUE3)  # F1 = 80/115, 40/55, 10/30

# --- generated inputs -------------------------------------------------------------------------
# Sizes are drawn with st.integers, so a failure shrinks to the smallest problem; labels and scores
# come from a seeded generator. Scores are tenths, fifths or halves: readable, and often tied.

CLASSIFICATIONS = ("uniform", "empty classes", "imbalanced", "screening")


def seeds():
    return st.integers(0, 2**16 - 1)


@st.composite
def classifications(draw):
    """(y_true, y_pred, num_classes): mostly right predictions, with K = 1 to 5 uniform classes;
    or a class with no samples and one never predicted (maybe the same); or a large class 0
    (80 %); or screening data, 1 positive in 100 with few positive predictions."""
    kind = draw(st.sampled_from(CLASSIFICATIONS))
    rng = np.random.default_rng(draw(seeds()))
    if kind == "screening":
        y_true, y_pred = np.zeros(100, int), (rng.random(100) < 0.05).astype(int)
        sick = rng.integers(100)
        y_true[sick], y_pred[sick] = 1, rng.integers(2)
        return y_true, y_pred, 2
    k = draw(st.integers(1 if kind == "uniform" else 2, 5))
    n = draw(st.integers(1, 30))
    right = rng.random(n) < 0.6
    if kind == "empty classes":
        no_samples, never_predicted = rng.integers(k), rng.integers(k)
        y_true = rng.choice(np.setdiff1d(np.arange(k), [no_samples]), n)
        guess = rng.choice(np.setdiff1d(np.arange(k), [never_predicted]), n)
        return y_true, np.where(right & (y_true != never_predicted), y_true, guess), k
    share = np.full(k, 1.0 / k) if kind == "uniform" else np.r_[0.8, np.full(k - 1, 0.2 / (k - 1))]
    y_true = rng.choice(k, n, p=share)
    return y_true, np.where(right, y_true, rng.integers(0, k, n)), k


def both_classes(rng, n):
    """n >= 2 binary labels with at least one of each, in random order."""
    return rng.permutation(np.r_[0, 1, rng.integers(0, 2, n - 2)])


SCORED = ("ties", "screening", "distinct", "logits")


@st.composite
def scored(draw, *, single_class=False):
    """(y_true, scores) of a binary problem with both classes: positives score higher on average;
    scores in fifths (ties across the classes), distinct, or halves of any sign (logits); or
    screening data (1 positive in 100). ``single_class``: also y_true of one class only."""
    kind = draw(st.sampled_from(SCORED + (("single class",) if single_class else ())))
    rng = np.random.default_rng(draw(seeds()))
    if kind == "screening":
        y = np.zeros(100, int)
        sick = rng.integers(100)
        y[sick] = 1
        scores = rng.integers(0, 90, 100) / 100
        scores[sick] = rng.integers(50, 100) / 100
        return y, scores
    if kind == "single class":
        n = draw(st.integers(1, 8))
        return np.full(n, rng.integers(2)), rng.integers(0, 11, n) / 10
    n = draw(st.integers(2, 20))
    y = both_classes(rng, n)
    if kind == "ties":
        return y, np.minimum(rng.integers(0, 5, n) + y, 5) / 5
    if kind == "logits":
        return y, (rng.integers(-6, 7, n) + 3 * y) / 2
    rank = np.argsort(np.argsort(y + 1.5 * rng.random(n)))
    return y, (rank + 1) / (n + 1)


# --- ROC curves as paths --------------------------------------------------------------------------


def corners(x: np.ndarray, y: np.ndarray, atol: float) -> list[tuple[float, float]]:
    """The points where a monotone path changes direction, its ends included: repeated points and
    points on the straight line between their neighbours are dropped."""
    distinct = [(x[0], y[0])]
    for point in zip(x[1:], y[1:]):
        if max(abs(point[0] - distinct[-1][0]), abs(point[1] - distinct[-1][1])) > atol:
            distinct.append(point)
    kept = [distinct[0]]
    for middle, after in zip(distinct[1:-1], distinct[2:]):
        (ax, ay), (bx, by), (cx, cy) = kept[-1], middle, after
        if abs((bx - ax) * (cy - by) - (by - ay) * (cx - bx)) > atol:
            kept.append(middle)
    if len(distinct) > 1:
        kept.append(distinct[-1])
    return [(float(a), float(b)) for a, b in kept]


def _points(points, limit=8) -> str:
    text = ", ".join(f"({a:.4g}, {b:.4g})" for a, b in points[:limit])
    return f"[{text}{', ...' if len(points) > limit else ''}] ({len(points)} corners)"


def _as_rates(got) -> tuple[tuple[np.ndarray, np.ndarray] | None, str | None]:
    """(fpr, tpr) as float arrays from a student's return value, or why it is not one."""
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        what = (f"a {type(got).__name__} of {len(got)} elements" if isinstance(got, (tuple, list))
                else repr(got)[:80])
        three = isinstance(got, (tuple, list)) and len(got) == 3
        hint = " (return fpr and tpr, not the thresholds)" if three else ""
        return None, f"expected a tuple (fpr, tpr) of two 1-D arrays, got {what}{hint}"
    rates = []
    for name, values in zip(("fpr", "tpr"), got):
        try:
            array = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            return None, f"{name} must be a 1-D array of numbers, got {repr(values)[:80]}"
        if array.ndim != 1:
            return None, f"{name} must be a 1-D array, got shape {array.shape}"
        bad = np.flatnonzero(~np.isfinite(array))
        if bad.size:
            return None, f"{name} must hold finite numbers, got {array[bad[0]]} at index {bad[0]}"
        rates.append(array)
    fpr, tpr = rates
    if fpr.size != tpr.size:
        return None, (f"fpr and tpr must have the same length (one point each), got {fpr.size} "
                      f"and {tpr.size}")
    if fpr.size == 0:
        return None, "fpr and tpr are empty: a curve from (0, 0) to (1, 1) has at least two points"
    return (fpr, tpr), None


def curve_difference(got, expected) -> str | None:
    """Why the student's (fpr, tpr) is not the expected ROC curve, or None if it is (as paths)."""
    rates, problem = _as_rates(got)
    if problem:
        return problem
    (fpr, tpr), (want_fpr, want_tpr) = rates, expected
    atol = max(tolerances(np.asarray(part))[1] for part in got)  # by the precision that came back
    start, end = (fpr[0], tpr[0]), (fpr[-1], tpr[-1])
    if max(abs(start[0]), abs(start[1])) > atol:
        return (f"the curve must start at (0, 0), the threshold above every score (nothing predicted "
                f"positive); yours starts at ({start[0]:.4g}, {start[1]:.4g})")
    if max(abs(end[0] - 1), abs(end[1] - 1)) > atol:
        return (f"the curve must end at (1, 1), the lowest threshold (everything predicted positive); "
                f"yours ends at ({end[0]:.4g}, {end[1]:.4g})")
    for name, rate in (("fpr", fpr), ("tpr", tpr)):
        back = np.flatnonzero(np.diff(rate) < -atol)
        if back.size:
            i = int(back[0]) + 1
            return (f"{name} must never decrease along the curve (thresholds from the highest down): "
                    f"{name}[{i}] = {rate[i]:.4g} comes after {name}[{i - 1}] = {rate[i - 1]:.4g}")
    yours, wanted = corners(fpr, tpr, atol), corners(np.asarray(want_fpr), np.asarray(want_tpr), atol)
    first = next((i for i, (a, b) in enumerate(zip(yours, wanted))
                  if max(abs(a[0] - b[0]), abs(a[1] - b[1])) > atol), min(len(yours), len(wanted)))
    if len(yours) == len(wanted) and first == len(yours):
        return None
    where = (f"corner {first}: yours ({yours[first][0]:.4g}, {yours[first][1]:.4g}), expected "
             f"({wanted[first][0]:.4g}, {wanted[first][1]:.4g})" if first < min(len(yours), len(wanted))
             else f"after corner {first - 1}, one curve goes on and the other stops")
    return ("the curve starts and ends right but takes another path. Compared by its corners (the "
            "points where it changes direction; points on a straight stretch may be kept or dropped):\n"
            f"yours:    {_points(yours)}\nexpected: {_points(wanted)}\nfirst difference at {where}")


def expect_roc_curve(got, expected) -> None:
    """Raise Mismatch, with both curves as a picture, unless ``got`` is the ROC curve ``expected``."""
    message = curve_difference(got, expected)
    if message is None:
        return
    yours = tuple(got) if isinstance(got, (tuple, list)) and len(got) == 2 else got
    figure = curves("ROC curve", {"yours": yours, "expected": tuple(expected)},
                    x_label="false positive rate", y_label="true positive rate", markers=True, square=True)
    raise Mismatch(message, expected=expected, got=got, figure=figure)


def matches_reference_on_classifications(spec: dict) -> None:
    """Declare ``<function>.matches_reference``: the student's function of (y_true, y_pred,
    num_classes) against the reference on generated classifications, after its worked examples."""
    function, reference, adapt = spec["function"], spec["reference"], spec["adapt"]

    def against_the_reference(student, problem):
        y_true, y_pred, k = problem
        expect_equal(getattr(student, function)(y_true, y_pred, k), adapt(reference, y_true, y_pred, k))

    check(f"{function}.matches_reference", depends_on=[f"{function}.worked_examples"], max_examples=15,
          **spec)(given(problem=classifications())(against_the_reference))


# --- confusion_matrix ---------------------------------------------------------------------------

CM = dict(function="confusion_matrix", reference=ref.confusion_matrix, adapt=confusion_as_student)


@check("confusion_matrix.worked_examples", **CM)
@cases(
    # TP = 6, FN = 2, FP = 1, TN = 3: row 0 the true negatives (3 right, 1 false alarm), row 1 the
    # true positives (2 missed, 6 found)
    dict(y_true=BINARY[0], y_pred=BINARY[1], num_classes=2, expected=BINARY_CM),
    dict(y_true=THREE[0], y_pred=THREE[1], num_classes=3, expected=THREE_CM),
    # class 2 never occurs: its row and column are zeros, the matrix is still 3 x 3
    dict(y_true=ABSENT[0], y_pred=ABSENT[1], num_classes=3,
         expected=np.array([[1, 1, 0], [0, 2, 0], [0, 0, 0]])),
)
def _(student, y_true, y_pred, num_classes, expected):
    expect_equal(student.confusion_matrix(y_true, y_pred, num_classes), expected)


matches_reference_on_classifications(CM)


# --- precision_recall_f1 --------------------------------------------------------------------------

PRF_CHECK = dict(function="precision_recall_f1", reference=ref.precision_recall_fscore_support,
                 adapt=prf_as_student)


@check("precision_recall_f1.worked_examples", **PRF_CHECK)
@cases(
    # per class: class 0 (negative) has precision TN / (TN + FN) = 3/5 and recall 3/4; class 1
    # (positive) precision 6/7 = 0.857, recall 6/8 = 0.75, F1 = 12/15 = 0.80
    dict(y_true=BINARY[0], y_pred=BINARY[1], num_classes=2, average=None,
         expected=(np.array([3 / 5, 6 / 7]), np.array([3 / 4, 3 / 4]), np.array([6 / 9, 12 / 15]))),
    # per class of the 3-class matrix: F1 = 0.696, 0.727, 0.333
    dict(y_true=THREE[0], y_pred=THREE[1], num_classes=3, average=None, expected=(P3, R3, F3)),
    # macro: the plain mean over the classes, macro-F1 = 0.585
    dict(y_true=THREE[0], y_pred=THREE[1], num_classes=3, average="macro",
         expected=(P3.mean(), R3.mean(), F3.mean())),
    # the default is macro
    dict(y_true=THREE[0], y_pred=THREE[1], num_classes=3, average="default",
         expected=(P3.mean(), R3.mean(), F3.mean())),
    # micro: pooled counts, 65 right of 100 (every sample is predicted as exactly one class)
    dict(y_true=THREE[0], y_pred=THREE[1], num_classes=3, average="micro", expected=(0.65, 0.65, 0.65)),
    # class 2 never occurs: 0/0 gives 0, and macro still averages over 3 classes
    dict(y_true=ABSENT[0], y_pred=ABSENT[1], num_classes=3, average=None,
         expected=(np.array([1, 2 / 3, 0]), np.array([1 / 2, 1, 0]), np.array([2 / 3, 4 / 5, 0]))),
    dict(y_true=ABSENT[0], y_pred=ABSENT[1], num_classes=3, average="macro",
         expected=((1 + 2 / 3) / 3, (1 / 2 + 1) / 3, (2 / 3 + 4 / 5) / 3)),
)
def _(student, y_true, y_pred, num_classes, average, expected):
    expect_equal(student.precision_recall_f1(y_true, y_pred, num_classes, **average_option(average)),
                 expected, names=PRF)


@check("precision_recall_f1.per_class", depends_on=["precision_recall_f1.worked_examples"],
       max_examples=15, **PRF_CHECK)
@given(problem=classifications())
def _(student, problem):
    y_true, y_pred, k = problem
    expect_equal(student.precision_recall_f1(y_true, y_pred, k, average=None),
                 prf_as_student(ref.precision_recall_fscore_support, y_true, y_pred, k, None), names=PRF)


@check("precision_recall_f1.averages", depends_on=["precision_recall_f1.worked_examples"],
       max_examples=25, **PRF_CHECK)
@given(problem=classifications(), average=st.sampled_from(["macro", "micro", "default"]))
def _(student, problem, average):
    averages_match(student, problem, average)


# weighted on its own: drawn among the others it came up twice in 25 examples
@check("precision_recall_f1.weighted", depends_on=["precision_recall_f1.worked_examples"],
       max_examples=10, **PRF_CHECK)
@given(problem=classifications())
def _(student, problem):
    averages_match(student, problem, "weighted")


def averages_match(student, problem, average):
    y_true, y_pred, k = problem
    expected = prf_as_student(ref.precision_recall_fscore_support, y_true, y_pred, k,
                              "macro" if average == "default" else average)
    expect_equal(student.precision_recall_f1(y_true, y_pred, k, **average_option(average)), expected,
                 names=PRF)


# --- specificity ------------------------------------------------------------------------------------

SPECIFICITY = dict(function="specificity", reference=ref.specificity_score, adapt=specificity_as_student)


@check("specificity.worked_examples", **SPECIFICITY)
@cases(
    # TN / (TN + FP) = 3/4 for the finding; for class 0 the "negatives" are the 8 true positives,
    # 6 of them not predicted as class 0
    dict(y_true=BINARY[0], y_pred=BINARY[1], num_classes=2, expected=np.array([6 / 8, 3 / 4])),
    # class 0: 50 samples of other classes, 25 of them predicted as 0; class 1: 5 of 70; class 2: 5 of 80
    dict(y_true=THREE[0], y_pred=THREE[1], num_classes=3, expected=np.array([25 / 50, 65 / 70, 75 / 80])),
    # class 2 never occurs: every sample is a true negative for it
    dict(y_true=ABSENT[0], y_pred=ABSENT[1], num_classes=3, expected=np.array([1, 1 / 2, 1])),
)
def _(student, y_true, y_pred, num_classes, expected):
    expect_equal(student.specificity(y_true, y_pred, num_classes), expected)


matches_reference_on_classifications(SPECIFICITY)


# --- balanced_accuracy ----------------------------------------------------------------------------

BALANCED = dict(function="balanced_accuracy", reference=ref.balanced_accuracy_score,
                adapt=balanced_as_student)


@check("balanced_accuracy.worked_examples", **BALANCED)
@cases(
    # (sensitivity + specificity) / 2 = (0.75 + 0.75) / 2
    dict(y_true=BINARY[0], y_pred=BINARY[1], num_classes=2, expected=0.75),
    # the mean of the recalls 40/50, 20/30, 5/20 (accuracy would be 0.65)
    dict(y_true=THREE[0], y_pred=THREE[1], num_classes=3, expected=(0.8 + 2 / 3 + 0.25) / 3),
    # "healthy" for everyone: accuracy 0.99, balanced accuracy (1 + 0) / 2
    dict(y_true=SCREENING[0], y_pred=SCREENING[1], num_classes=2, expected=0.5),
    # class 2 has no samples (it is only predicted): no recall, left out of the mean
    dict(y_true=np.array([0, 0, 1]), y_pred=np.array([0, 2, 1]), num_classes=3, expected=0.75),
)
def _(student, y_true, y_pred, num_classes, expected):
    expect_equal(student.balanced_accuracy(y_true, y_pred, num_classes), expected)


matches_reference_on_classifications(BALANCED)


# --- roc_curve --------------------------------------------------------------------------------------

ROC = dict(function="roc_curve", reference=ref.roc_curve, adapt=roc_curve_as_student)
# Three positives and three negatives, no ties: AUC 7/9, AP (1 + 2/3 + 3/4) / 3.
RANKED = (np.array([1, 0, 1, 1, 0, 0]), np.array([0.9, 0.8, 0.7, 0.6, 0.3, 0.2]))
RANKED_ROC = (np.array([0, 0, 1, 1, 1, 2, 3]) / 3, np.array([0, 1, 1, 2, 3, 3, 3]) / 3)
SHUFFLED = np.array([3, 0, 5, 1, 4, 2])
# A positive and a negative tied at 0.5: one diagonal step. AUC 3.5/4, AP 1/2 + 1/2 * 2/3.
TIED = (np.array([1, 0, 1, 0]), np.array([0.8, 0.5, 0.5, 0.2]))
TIED_ROC = (np.array([0, 0, 0.5, 1]), np.array([0, 0.5, 1, 1]))


@check("roc_curve.worked_examples", **ROC)
@cases(
    # one point per threshold 0.9, 0.8, ..., 0.2 after the start at (0, 0)
    dict(y_true=RANKED[0], scores=RANKED[1], expected=RANKED_ROC),
    # the same samples in another order: the same curve
    dict(y_true=RANKED[0][SHUFFLED], scores=RANKED[1][SHUFFLED], expected=RANKED_ROC),
    # a tie between a positive and a negative at 0.5: one threshold, one diagonal step
    dict(y_true=TIED[0], scores=TIED[1], expected=TIED_ROC),
    dict(y_true=TIED[0][::-1], scores=TIED[1][::-1], expected=TIED_ROC),
)
def _(student, y_true, scores, expected):
    expect_roc_curve(student.roc_curve(y_true, scores), expected)


@check("roc_curve.matches_reference", depends_on=["roc_curve.worked_examples"], max_examples=20, **ROC)
@given(problem=scored())
def _(student, problem):
    y_true, scores = problem
    expect_roc_curve(student.roc_curve(y_true, scores), roc_curve_as_student(ref.roc_curve, y_true, scores))


# --- roc_auc ----------------------------------------------------------------------------------------

AUC = dict(function="roc_auc", reference=ref.roc_auc_score, adapt=scores_as_student)


@check("roc_auc.worked_examples", **AUC)
@cases(
    # 7 of the 9 (positive, negative) pairs are ranked right
    dict(y_true=RANKED[0], scores=RANKED[1], expected=7 / 9),
    dict(y_true=RANKED[0][SHUFFLED], scores=RANKED[1][SHUFFLED], expected=7 / 9),
    # the tied pair counts one half: (2 + 1 + 0.5) / 4
    dict(y_true=TIED[0], scores=TIED[1], expected=3.5 / 4),
    # every positive above every negative, then every one below
    dict(y_true=np.array([0, 0, 1, 1]), scores=np.array([0.1, 0.2, 0.3, 0.4]), expected=1.0),
    dict(y_true=np.array([1, 1, 0, 0]), scores=np.array([0.1, 0.2, 0.3, 0.4]), expected=0.0),
    # one class only: no pair to rank, the AUC is undefined
    dict(y_true=np.array([1, 1, 1]), scores=np.array([0.2, 0.5, 0.9]), expected=float("nan")),
)
def _(student, y_true, scores, expected):
    expect_equal(student.roc_auc(y_true, scores), expected)


@check("roc_auc.matches_reference", depends_on=["roc_auc.worked_examples"], max_examples=20, **AUC)
@given(problem=scored(single_class=True))
def _(student, problem):
    y_true, scores = problem
    expect_equal(student.roc_auc(y_true, scores), scores_as_student(ref.roc_auc_score, y_true, scores))


# --- average_precision ----------------------------------------------------------------------------

AP = dict(function="average_precision", reference=ref.average_precision_score, adapt=scores_as_student)


@check("average_precision.worked_examples", **AP)
@cases(
    # the positives come 1st, 3rd and 4th: precisions 1, 2/3, 3/4, each for a third of the recall
    dict(y_true=RANKED[0], scores=RANKED[1], expected=(1 + 2 / 3 + 3 / 4) / 3),
    dict(y_true=RANKED[0][SHUFFLED], scores=RANKED[1][SHUFFLED], expected=(1 + 2 / 3 + 3 / 4) / 3),
    # the tie at 0.5 is one threshold: recall 1/2 at precision 1, then 1/2 more at precision 2/3
    dict(y_true=TIED[0], scores=TIED[1], expected=1 / 2 + 1 / 2 * 2 / 3),
    dict(y_true=TIED[0][::-1], scores=TIED[1][::-1], expected=1 / 2 + 1 / 2 * 2 / 3),
)
def _(student, y_true, scores, expected):
    expect_equal(student.average_precision(y_true, scores), expected)


@check("average_precision.matches_reference", depends_on=["average_precision.worked_examples"],
       max_examples=15, **AP)
@given(problem=scored())
def _(student, problem):
    y_true, scores = problem
    expect_equal(student.average_precision(y_true, scores),
                 scores_as_student(ref.average_precision_score, y_true, scores))


# Its own check: scikit-learn's convention for one class (0 without positives, 1 with only
# positives) is stated in the notebook and is not what a formula gives by itself.
@check("average_precision.single_class", **AP)
@cases(
    dict(y_true=np.array([0, 0, 0]), scores=np.array([0.2, 0.5, 0.9]), expected=0.0),
    dict(y_true=np.array([1, 1]), scores=np.array([0.3, 0.7]), expected=1.0),
    dict(y_true=np.array([1, 1, 1]), scores=np.array([0.5, 0.5, 0.1]), expected=1.0),
)
def _(student, y_true, scores, expected):
    expect_equal(student.average_precision(y_true, scores), expected)
