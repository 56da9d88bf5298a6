"""Write the metrics notebooks: the student template, the solution and the sample class.

The notebooks are committed; this script is how they were made, so that a change to the
teaching text or to a sample is one edit here. Run: ``python assignments/metrics/make_notebooks.py``.
Cell ids are numbered, not random, so that running it again gives the same bytes.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
if str(HERE.parent) not in sys.path:  # notebook_parts sits in assignments/, which is not a package
    sys.path.insert(0, str(HERE.parent))
from notebook_parts import AssignmentNotebooks, graded_function, self_check_source  # noqa: E402

ASSIGNMENT = "metrics"
FUNCTIONS = ["confusion_matrix", "precision_recall_f1", "specificity", "balanced_accuracy", "roc_curve",
             "roc_auc", "average_precision"]

INTRO = r"""# Assignment: judging a classifier

A model that calls every chest X-ray "healthy" is 99 % accurate on a screening population where
1 patient in 100 is sick, and it is useless. In this assignment you write, in plain NumPy, the
metrics that tell such models apart, as `sklearn.metrics` computes them:

| function | returns |
|---|---|
| `confusion_matrix(y_true, y_pred, num_classes)` | `(K, K)` integer counts: row = true class, column = predicted class |
| `precision_recall_f1(y_true, y_pred, num_classes, average="macro")` | `(precision, recall, f1)`, per class (`average=None`) or averaged (`"micro"`, `"macro"`, `"weighted"`) |
| `specificity(y_true, y_pred, num_classes)` | `(K,)`: the specificity of each class against the rest |
| `balanced_accuracy(y_true, y_pred, num_classes)` | a float: the mean of the per-class recalls |
| `roc_curve(y_true, scores)` | `(fpr, tpr)`: the ROC curve, from `(0, 0)` to `(1, 1)` |
| `roc_auc(y_true, scores)` | a float: the area under the ROC curve |
| `average_precision(y_true, scores)` | a float: scikit-learn's average precision |

The rules, for every function:

- `y_true` and `y_pred` are 1-D integer arrays of the same length (at least 1) with labels
  `0, 1, ..., K - 1`, `K = num_classes`. A class may have no samples, or never be predicted (a
  rare finding absent from a batch): it still has its row, its column and its place in a macro average.
- For the curves, `y_true` holds `0` (negative, e.g. healthy) and `1` (positive, the finding), and
  `scores` is a float array of the same length: higher means "more likely positive". Scores may be
  probabilities or any real numbers (logits), and samples may have the same score (ties).
- **0/0 is 0.** Where a ratio has nothing to divide by (a class never predicted has no precision,
  a class with no samples no recall), the answer is 0, as scikit-learn's `zero_division=0`. Not NaN.
- Counts are integers: `confusion_matrix` returns an integer array (`np.zeros((K, K), dtype=int)`).
- Never change the arrays you are given: the caller uses them again.
- Plain NumPy only: `sklearn.metrics`, `scipy.stats.mannwhitneyu` and the metrics of `torchmetrics`
  do not work in this assignment.

Write your code only in the cells marked **graded** (they carry the tag `graded:<name>`). Keep the
function names and signatures. Run the self-check cell at the end as often as you like."""

SETUP_TEXT = r"""## Setup

`divide(numerator, denominator)` divides element by element and gives 0 where the denominator
is 0: the rule "0/0 is 0" in one place. Use it, change it, or write your own."""

SETUP = '''import numpy as np


def divide(numerator, denominator):
    """numerator / denominator element by element, 0 where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    return np.divide(numerator, denominator, out=np.zeros(np.broadcast(numerator, denominator).shape),
                     where=denominator != 0)'''

CM_TEXT = r"""## 1. The confusion matrix

$C_{ij}$ is the number of samples of **true** class $i$ that were **predicted** as class $j$: one
row per true class, one column per predicted class (scikit-learn's convention; some textbooks
draw the transpose). The diagonal holds the right answers.

*Worked example.* A test for a finding (class 1) on 12 patients finds 6 of the 8 sick ones
(TP = 6, FN = 2) and raises 1 false alarm among the 4 healthy ones (FP = 1, TN = 3):

$$C = \begin{pmatrix} \text{TN} & \text{FP} \\ \text{FN} & \text{TP} \end{pmatrix}
    = \begin{pmatrix} 3 & 1 \\ 2 & 6 \end{pmatrix}.$$

For three classes, 50, 30 and 20 samples:
$$C = \begin{pmatrix} 40 & 5 & 5 \\ 10 & 20 & 0 \\ 15 & 0 & 5 \end{pmatrix}.$$

The matrix is $K \times K$ even when a class never occurs: its row and its column are zeros."""

PRF_TEXT = r"""## 2. Precision, recall and F1, and their averages

Each class $k$ against the rest: $\text{TP}_k = C_{kk}$, and

$$\text{precision}_k = \frac{\text{TP}_k}{\text{TP}_k + \text{FP}_k} = \frac{C_{kk}}{\sum_i C_{ik}} \;\text{(column)}, \qquad
\text{recall}_k = \frac{\text{TP}_k}{\text{TP}_k + \text{FN}_k} = \frac{C_{kk}}{\sum_j C_{kj}} \;\text{(row)},$$

$$F1_k = \frac{2\,\text{precision}_k\,\text{recall}_k}{\text{precision}_k + \text{recall}_k}
      = \frac{2\,\text{TP}_k}{2\,\text{TP}_k + \text{FP}_k + \text{FN}_k},$$

the **harmonic** mean (a classifier with precision 1 and recall 0 has F1 0, not 0.5). Recall is
also called sensitivity. 0/0 is 0: a class never predicted has precision 0, a class with no samples
recall 0, and a class with neither F1 0.

`average` says what to return:

- `None`: three arrays of shape `(K,)`, one value per class.
- `"macro"` (the default): the plain mean over **all K classes**, every class counting the same, a
  class absent from the data included (with its zeros), as scikit-learn with `labels=range(K)`.
- `"micro"`: pool the counts first, $\sum_k \text{TP}_k / \sum_k (\text{TP}_k + \text{FP}_k)$ and
  so on; with one label per sample, micro precision = micro recall = micro F1 = accuracy.
- `"weighted"`: the mean weighted by each class's **support**, its number of true samples (row sums).

The averages are three floats. Macro F1 is the mean of the per-class F1 scores (not the F1 of the
macro precision and macro recall).

*Worked example.* For the 3-class matrix above, per class: precision $40/65, 20/25, 5/10$, recall
$40/50, 20/30, 5/20$, F1 $0.696, 0.727, 0.333$; macro-F1 $= 0.585$, micro $= 0.65$ (65 right of 100).
For the binary one, class 1 has precision $6/7 = 0.857$, recall $0.75$ and F1 $0.80$."""

SPECIFICITY_TEXT = r"""## 3. Specificity

The share of the samples **not** of class $k$ that are not predicted as $k$, each class against the rest:

$$\text{specificity}_k = \frac{\text{TN}_k}{\text{TN}_k + \text{FP}_k}, \qquad
\text{FP}_k = \sum_i C_{ik} - C_{kk}, \quad \text{TN}_k = n - \text{TP}_k - \text{FP}_k - \text{FN}_k.$$

In the binary example the specificity of the finding is $3/4 = 0.75$ (and $1 - 0.75 = 0.25$ is its
false positive rate). Return one value per class, shape `(K,)`; 0/0 (every sample of class $k$) is 0.
Specificity is not recall: recall is about the samples **of** the class."""

BALANCED_TEXT = r"""## 4. Balanced accuracy

The mean of the per-class recalls: every class counts the same, however rare.

$$\text{balanced accuracy} = \frac{1}{|\{k : \text{class } k \text{ has samples}\}|} \sum_{k \text{ with samples}} \text{recall}_k.$$

As in scikit-learn, the mean is over the classes **that occur in `y_true`**: a class with no samples has
no recall and is left out (unlike macro recall above, which counts it as 0).

*Worked example.* Screening: 99 healthy patients and 1 sick one, and a model that says "healthy" to
everyone. Accuracy $= 0.99$; balanced accuracy $= (1 + 0) / 2 = 0.5$, the score of a coin toss. For
the 3-class matrix: $(0.8 + 0.667 + 0.25) / 3 = 0.572$, where accuracy is $0.65$."""

ROC_TEXT = r"""## 5. The ROC curve

Predict "positive" when `score >= threshold`. Each threshold gives a point
$(\text{FPR}, \text{TPR}) = (\text{FP} / \text{negatives},\ \text{TP} / \text{positives})$. Return
the points for a first threshold above every score (nothing predicted positive: $(0, 0)$) and then
**one point per distinct score**, from the highest down; the last, the lowest score, predicts
everything positive: $(1, 1)$. `fpr` and `tpr` are 1-D float arrays of the same length.

**Ties.** Samples with the same score share one threshold: they switch to "positive" together. A tie
between positives and negatives is one diagonal step of the curve, whatever order the samples come
in; one point per *sample* would turn it into a staircase that depends on the order.

Your points are compared as a path: points in the middle of a straight stretch (several thresholds in
a row that add only negatives, say) may be kept or left out. `y_true` always holds both classes here.

*Worked example.* `y_true = [1, 0, 1, 1, 0, 0]`, `scores = [0.9, 0.8, 0.7, 0.6, 0.3, 0.2]`:

`fpr = [0, 0, 1/3, 1/3, 1/3, 2/3, 1]`, `tpr = [0, 1/3, 1/3, 2/3, 1, 1, 1]`.

With a tie, `y_true = [1, 0, 1, 0]`, `scores = [0.8, 0.5, 0.5, 0.2]`: `fpr = [0, 0, 0.5, 1]`,
`tpr = [0, 0.5, 1, 1]`."""

AUC_TEXT = r"""## 6. The area under the ROC curve

The area under your curve by the trapezoid rule, which is also the probability that a random positive
scores higher than a random negative, a **tie counting one half**:

$$\text{AUC} = \frac{1}{P\,N} \sum_{i \in \text{pos}} \sum_{j \in \text{neg}}
\Big( [s_i > s_j] + \tfrac{1}{2} [s_i = s_j] \Big).$$

(The diagonal step of a tie has exactly the area of that half.) Return a float.

**One class only.** If `y_true` holds only positives or only negatives, there is no pair of a positive
and a negative to rank, and the false (or true) positive rate divides by zero: the AUC is undefined.
Return `float("nan")` then, as scikit-learn does (with a warning), not 0.5: a test set without a single
sick patient says nothing about how well a model ranks them.

*Worked examples.* $7/9 = 0.778$ for the first curve above; $(2 + 1 + \tfrac12)/4 = 0.875$ with the tie."""

AP_TEXT = r"""## 7. Average precision

Over the distinct scores as thresholds, from the highest down, with $P_n$ and $R_n$ the precision and
recall at the $n$-th threshold ($R_0 = 0$):

$$\text{AP} = \sum_n (R_n - R_{n-1})\, P_n,$$

a step sum: each gain in recall is weighted by the precision at which it was reached. It is not the
trapezoid area under the precision-recall curve, which interpolates linearly and is optimistic, nor
the interpolated precision of Pascal VOC. Tied samples count together, as one threshold.

*Worked example.* For the first example the positives come 1st, 3rd and 4th:
$\text{AP} = \tfrac13 \cdot 1 + \tfrac13 \cdot \tfrac23 + \tfrac13 \cdot \tfrac34 = 0.806$. With the
tie: $\tfrac12 \cdot 1 + \tfrac12 \cdot \tfrac23 = 0.833$.

**One class only**, as scikit-learn: without a single positive, AP is 0 (recall is undefined and no
threshold ever gains any); with only positives, every precision is 1 and AP is 1."""

SIGNATURES = {
    "confusion_matrix": (
        "def confusion_matrix(y_true, y_pred, num_classes):",
        '"""(K, K) integer counts: C[i, j] = samples of true class i predicted as class j."""'),
    "precision_recall_f1": (
        'def precision_recall_f1(y_true, y_pred, num_classes, average="macro"):',
        '"""(precision, recall, f1): (K,) arrays for average=None, else floats ("micro", "macro", "weighted")."""'),
    "specificity": (
        "def specificity(y_true, y_pred, num_classes):",
        '"""TN / (TN + FP) of each class against the rest, shape (K,)."""'),
    "balanced_accuracy": (
        "def balanced_accuracy(y_true, y_pred, num_classes):",
        '"""The mean recall over the classes that occur in y_true."""'),
    "roc_curve": (
        "def roc_curve(y_true, scores):",
        '"""(fpr, tpr): one point per distinct score (predicted positive when score >= it), from (0, 0) to (1, 1)."""'),
    "roc_auc": (
        "def roc_auc(y_true, scores):",
        '"""Area under the ROC curve (a tie counts one half); nan when y_true holds one class only."""'),
    "average_precision": (
        "def average_precision(y_true, scores):",
        '"""Sum over the distinct thresholds of (R_n - R_{n-1}) * P_n."""'),
}


def function(name: str, body: str) -> str:
    """A graded function: the contract's signature and docstring, then ``body``."""
    return graded_function(SIGNATURES[name], body)


def prf_source(*, averages: str, pooled: str = "micro",
               f1: str = "divide(2 * tp, predicted + support)") -> str:
    """precision_recall_f1 from the confusion matrix: the counts of the ``pooled`` average summed
    over the classes, then ``f1`` per class; ``averages`` returns the other averages."""
    return function("precision_recall_f1", f"""
        counts = confusion_matrix(y_true, y_pred, num_classes)
        tp = np.diag(counts)
        predicted, support = counts.sum(axis=0), counts.sum(axis=1)  # columns, rows
        if average == "{pooled}":
            tp, predicted, support = tp.sum(), predicted.sum(), support.sum()
        precision, recall = divide(tp, predicted), divide(tp, support)
        f1 = {f1}
        if average is None:
            return precision, recall, f1
        if average == "{pooled}":
            return float(precision), float(recall), float(f1)
        {averages}
    """)


TEMPLATE = {name: function(name, "# YOUR CODE HERE\nraise NotImplementedError()") for name in FUNCTIONS}

# The solution: everything from the confusion matrix; the curves by one threshold at a time.
SOLUTION = {
    "confusion_matrix": function("confusion_matrix", """
        counts = np.zeros((num_classes, num_classes), dtype=int)
        np.add.at(counts, (y_true, y_pred), 1)
        return counts
    """),
    "precision_recall_f1": prf_source(averages="""if average == "macro":
            return precision.mean(), recall.mean(), f1.mean()
        if average == "weighted":
            weights = support / support.sum()
            return (precision * weights).sum(), (recall * weights).sum(), (f1 * weights).sum()
        raise ValueError(f"average must be one of (None, 'micro', 'macro', 'weighted'); got {average!r}")"""),
    "specificity": function("specificity", """
        counts = confusion_matrix(y_true, y_pred, num_classes)
        tp = np.diag(counts)
        fp = counts.sum(axis=0) - tp
        fn = counts.sum(axis=1) - tp
        tn = counts.sum() - tp - fp - fn
        return divide(tn, tn + fp)
    """),
    "balanced_accuracy": function("balanced_accuracy", """
        counts = confusion_matrix(y_true, y_pred, num_classes)
        support = counts.sum(axis=1)
        present = support > 0  # classes with no samples have no recall
        return float(np.mean(np.diag(counts)[present] / support[present]))
    """),
    "roc_curve": function("roc_curve", """
        positive = np.asarray(y_true) == 1
        fpr, tpr = [0.0], [0.0]
        for threshold in np.unique(scores)[::-1]:  # distinct scores, highest first
            predicted = scores >= threshold
            tpr.append((predicted & positive).sum() / positive.sum())
            fpr.append((predicted & ~positive).sum() / (~positive).sum())
        return np.array(fpr), np.array(tpr)
    """),
    "roc_auc": function("roc_auc", """
        if np.unique(y_true).size < 2:
            return float("nan")  # no pair of a positive and a negative to rank
        fpr, tpr = roc_curve(y_true, scores)
        return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    """),
    "average_precision": function("average_precision", """
        positive = np.asarray(y_true) == 1
        if not positive.any():
            return 0.0
        ap, previous_recall = 0.0, 0.0
        for threshold in np.unique(scores)[::-1]:
            predicted = scores >= threshold
            tp = (predicted & positive).sum()
            recall = tp / positive.sum()
            ap += (recall - previous_recall) * tp / predicted.sum()
            previous_recall = recall
        return ap
    """),
}

TEXTS = {
    "confusion_matrix": CM_TEXT,
    "precision_recall_f1": PRF_TEXT,
    "specificity": SPECIFICITY_TEXT,
    "balanced_accuracy": BALANCED_TEXT,
    "roc_curve": ROC_TEXT,
    "roc_auc": AUC_TEXT,
    "average_precision": AP_TEXT,
}

EXAMPLES = {
    "confusion_matrix": """y_true = np.array([1] * 6 + [1] * 2 + [0] * 1 + [0] * 3)  # TP = 6, FN = 2, FP = 1, TN = 3
y_pred = np.array([1] * 6 + [0] * 2 + [1] * 1 + [0] * 3)
print(confusion_matrix(y_true, y_pred, 2))  # [[3 1] [2 6]]
print(confusion_matrix(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), 3))  # class 2 never occurs: zeros""",
    "precision_recall_f1": """print(precision_recall_f1(y_true, y_pred, 2, average=None))
# (array([0.6, 0.857]), array([0.75, 0.75]), array([0.667, 0.8]))
cm3 = [[40, 5, 5], [10, 20, 0], [15, 0, 5]]
y3_true = np.array([i for i, row in enumerate(cm3) for j, n in enumerate(row) for _ in range(n)])
y3_pred = np.array([j for i, row in enumerate(cm3) for j, n in enumerate(row) for _ in range(n)])
print(precision_recall_f1(y3_true, y3_pred, 3))                   # macro: (0.638, 0.572, 0.585)
print(precision_recall_f1(y3_true, y3_pred, 3, average="micro"))  # (0.65, 0.65, 0.65)""",
    "specificity": """print(specificity(y_true, y_pred, 2))    # [0.75 0.75]
print(specificity(y3_true, y3_pred, 3))  # [0.5 0.929 0.9375]""",
    "balanced_accuracy": """screened, all_healthy = np.r_[np.zeros(99, int), 1], np.zeros(100, int)
print(balanced_accuracy(screened, all_healthy, 2))  # 0.5 (accuracy 0.99)
print(balanced_accuracy(y3_true, y3_pred, 3))       # 0.572""",
    "roc_curve": """labels, scores = np.array([1, 0, 1, 1, 0, 0]), np.array([0.9, 0.8, 0.7, 0.6, 0.3, 0.2])
print(roc_curve(labels, scores))  # fpr [0 0 1/3 1/3 1/3 2/3 1], tpr [0 1/3 1/3 2/3 1 1 1]
tied_labels, tied_scores = np.array([1, 0, 1, 0]), np.array([0.8, 0.5, 0.5, 0.2])
print(roc_curve(tied_labels, tied_scores))  # fpr [0 0 0.5 1], tpr [0 0.5 1 1]""",
    "roc_auc": """print(roc_auc(labels, scores))            # 0.7777...
print(roc_auc(tied_labels, tied_scores))  # 0.875
print(roc_auc(np.array([1, 1, 1]), np.array([0.2, 0.5, 0.9])))  # nan""",
    "average_precision": """print(average_precision(labels, scores))            # 0.8055...
print(average_precision(tied_labels, tied_scores))  # 0.8333...""",
}


NOTEBOOKS = AssignmentNotebooks(
    ASSIGNMENT, FUNCTIONS, INTRO, TEXTS, EXAMPLES, TEMPLATE, SOLUTION,
    self_check=self_check_source(ASSIGNMENT, FUNCTIONS), setup_text=SETUP_TEXT, setup=SETUP,
    signatures=SIGNATURES,
)


# --- Correct solutions in other styles: each must get full marks ------------------------------

# A fresh notebook, pasted in: plain Python lists and loops, no vectorisation at all.
LOOPS_STYLE = '''
import numpy as np


def confusion_matrix(y_true, y_pred, num_classes):
    counts = [[0] * num_classes for _ in range(num_classes)]
    for t, p in zip(y_true, y_pred):
        counts[t][p] += 1
    return counts


def ratio(a, b):
    return a / b if b else 0.0


def per_class(y_true, y_pred, num_classes):
    counts = confusion_matrix(y_true, y_pred, num_classes)
    tp = [counts[k][k] for k in range(num_classes)]
    predicted = [sum(counts[i][k] for i in range(num_classes)) for k in range(num_classes)]
    support = [sum(counts[k]) for k in range(num_classes)]
    return tp, predicted, support


def precision_recall_f1(y_true, y_pred, num_classes, average="macro"):
    tp, predicted, support = per_class(y_true, y_pred, num_classes)
    if average == "micro":
        p, r = ratio(sum(tp), sum(predicted)), ratio(sum(tp), sum(support))
        return p, r, ratio(2 * p * r, p + r)
    precision = [ratio(t, n) for t, n in zip(tp, predicted)]
    recall = [ratio(t, n) for t, n in zip(tp, support)]
    f1 = [ratio(2 * p * r, p + r) for p, r in zip(precision, recall)]
    if average is None:
        return precision, recall, f1
    weights = [1 / num_classes] * num_classes if average == "macro" else [s / sum(support) for s in support]
    return tuple(sum(w * v for w, v in zip(weights, values)) for values in (precision, recall, f1))


def specificity(y_true, y_pred, num_classes):
    tp, predicted, support = per_class(y_true, y_pred, num_classes)
    n = len(y_true)
    result = []
    for k in range(num_classes):
        negatives = n - support[k]
        false_positives = predicted[k] - tp[k]
        result.append(ratio(negatives - false_positives, negatives))
    return result


def balanced_accuracy(y_true, y_pred, num_classes):
    tp, _, support = per_class(y_true, y_pred, num_classes)
    recalls = [t / s for t, s in zip(tp, support) if s > 0]
    return sum(recalls) / len(recalls)


def roc_curve(y_true, scores):
    positives = sum(1 for y in y_true if y == 1)
    negatives = len(y_true) - positives
    fpr, tpr = [0.0], [0.0]
    for threshold in sorted(set(scores), reverse=True):
        tp = sum(1 for y, s in zip(y_true, scores) if s >= threshold and y == 1)
        fp = sum(1 for y, s in zip(y_true, scores) if s >= threshold and y == 0)
        fpr.append(fp / negatives)
        tpr.append(tp / positives)
    return fpr, tpr


def roc_auc(y_true, scores):
    positive = [s for y, s in zip(y_true, scores) if y == 1]
    negative = [s for y, s in zip(y_true, scores) if y == 0]
    if not positive or not negative:
        return float("nan")
    wins = sum(1.0 if p > q else 0.5 if p == q else 0.0 for p in positive for q in negative)
    return wins / (len(positive) * len(negative))


def average_precision(y_true, scores):
    positives = sum(1 for y in y_true if y == 1)
    if positives == 0:
        return 0.0
    total, previous = 0.0, 0.0
    for threshold in sorted(set(scores), reverse=True):
        chosen = [y for y, s in zip(y_true, scores) if s >= threshold]
        recall = sum(chosen) / positives
        total += (recall - previous) * sum(chosen) / len(chosen)
        previous = recall
    return total
'''

# Vectorised: counts by np.bincount, the curves by cumulative sums over the sorted scores, keeping
# the last sample of each run of tied scores.
VECTOR_SETUP = '''
import numpy as np


def divide(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))


def counts_at_thresholds(y_true, scores):
    """True and false positives when predicting positive for score >= each distinct score, highest first."""
    order = np.argsort(-scores, kind="stable")
    sorted_scores, positive = scores[order], (y_true[order] == 1)
    last_of_tie = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]
    return np.cumsum(positive)[last_of_tie], np.cumsum(~positive)[last_of_tie]
'''

VECTOR_STYLE = {
    "confusion_matrix": """
        flat = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
        return flat.reshape(num_classes, num_classes)
    """,
    "precision_recall_f1": """
        counts = confusion_matrix(y_true, y_pred, num_classes)
        tp, predicted, support = np.diag(counts), counts.sum(axis=0), counts.sum(axis=1)
        if average == "micro":
            accuracy = tp.sum() / counts.sum()
            return accuracy, accuracy, accuracy
        scores = np.stack([divide(tp, predicted), divide(tp, support), divide(2 * tp, predicted + support)])
        if average is None:
            return tuple(scores)
        weights = np.ones(num_classes) if average == "macro" else support
        return tuple(scores @ weights / weights.sum())
    """,
    "specificity": """
        counts = confusion_matrix(y_true, y_pred, num_classes)
        negatives = counts.sum() - counts.sum(axis=1)
        false_positives = counts.sum(axis=0) - np.diag(counts)
        return divide(negatives - false_positives, negatives)
    """,
    "balanced_accuracy": """
        counts = confusion_matrix(y_true, y_pred, num_classes)
        support = counts.sum(axis=1)
        return np.nanmean(np.where(support > 0, np.diag(counts) / np.maximum(support, 1), np.nan))
    """,
    "roc_curve": """
        tp, fp = counts_at_thresholds(y_true, scores)
        return np.r_[0, fp] / fp[-1], np.r_[0, tp] / tp[-1]
    """,
    "roc_auc": """
        tp, fp = counts_at_thresholds(y_true, scores)
        if tp[-1] == 0 or fp[-1] == 0:
            return np.nan
        return np.trapezoid(np.r_[0, tp] / tp[-1], np.r_[0, fp] / fp[-1])
    """,
    "average_precision": """
        tp, fp = counts_at_thresholds(y_true, scores)
        if tp[-1] == 0:
            return 0.0
        recall = np.r_[0, tp] / tp[-1]
        return np.sum(np.diff(recall) * tp / (tp + fp))
    """,
}

# scikit-learn's habit: only the corners of the ROC curve (collinear points dropped); AUC from the
# ranks of the scores (the Mann-Whitney statistic, ties given their mean rank).
CORNERS_SETUP = '''
import numpy as np


def mean_ranks(values):
    """Ranks 1..n of the values, tied values sharing the mean of their ranks."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    for v in np.unique(values):
        ranks[values == v] = ranks[values == v].mean()
    return ranks
'''

CORNERS_STYLE = {
    "confusion_matrix": """
        counts = np.zeros((num_classes, num_classes), dtype=np.int64)
        for i in range(num_classes):
            for j in range(num_classes):
                counts[i, j] = np.sum((y_true == i) & (y_pred == j))
        return counts
    """,
    "precision_recall_f1": """
        classes = np.arange(num_classes)
        tp = np.array([np.sum((y_true == k) & (y_pred == k)) for k in classes])
        predicted = np.array([np.sum(y_pred == k) for k in classes])
        support = np.array([np.sum(y_true == k) for k in classes])
        if average == "micro":
            tp, predicted, support = tp.sum(keepdims=True), predicted.sum(keepdims=True), support.sum(keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            precision = np.nan_to_num(tp / predicted)
            recall = np.nan_to_num(tp / support)
            f1 = np.nan_to_num(2 * tp / (predicted + support))
        if average is None:
            return precision, recall, f1
        if average == "micro":
            return precision[0], recall[0], f1[0]
        weights = None if average == "macro" else support
        return tuple(np.average(x, weights=weights) for x in (precision, recall, f1))
    """,
    "specificity": """
        result = np.zeros(num_classes)
        for k in range(num_classes):
            negatives = y_true != k
            if negatives.any():
                result[k] = np.mean(y_pred[negatives] != k)
        return result
    """,
    "balanced_accuracy": """
        recalls = [np.mean(y_pred[y_true == k] == k) for k in range(num_classes) if np.any(y_true == k)]
        return float(np.mean(recalls))
    """,
    "roc_curve": """
        fpr, tpr = [0.0], [0.0]
        for threshold in np.sort(np.unique(scores))[::-1]:
            predicted = scores >= threshold
            point = (np.mean(predicted[y_true == 0]), np.mean(predicted[y_true == 1]))
            # drop the last point if it is on the line from the one before it to this one
            if len(fpr) >= 2 and np.isclose((fpr[-1] - fpr[-2]) * (point[1] - tpr[-1]),
                                            (tpr[-1] - tpr[-2]) * (point[0] - fpr[-1])):
                fpr.pop()
                tpr.pop()
            fpr.append(point[0])
            tpr.append(point[1])
        return np.array(fpr), np.array(tpr)
    """,
    "roc_auc": """
        n_pos, n_neg = np.sum(y_true == 1), np.sum(y_true == 0)
        if n_pos == 0 or n_neg == 0:
            return float("nan")
        rank_sum = mean_ranks(scores)[y_true == 1].sum()
        return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    """,
    "average_precision": """
        if not np.any(y_true == 1):
            return 0.0
        thresholds = np.unique(scores)[::-1]
        tp = np.array([np.sum((scores >= t) & (y_true == 1)) for t in thresholds])
        chosen = np.array([np.sum(scores >= t) for t in thresholds])
        recall = tp / tp[-1]
        return float(np.sum(np.diff(np.r_[0.0, recall]) * tp / chosen))
    """,
}


# --- Classic mistakes: each loses points on the right item, and the feedback names it -----------

# Pairwise ranking of positives against negatives: the AUC of every pair, a tie scored by `tie`.
def pairwise_auc(tie: str) -> str:
    return function("roc_auc", f"""
        positive, negative = scores[y_true == 1], scores[y_true == 0]
        if positive.size == 0 or negative.size == 0:
            return float("nan")
        higher = positive[:, None] > negative[None, :]
        tied = positive[:, None] == negative[None, :]
        return float(np.mean(higher + {tie} * tied))
    """)


MACRO_AND_WEIGHTED = """if average == "macro":
            return precision.mean(), recall.mean(), f1.mean()
        weights = support / support.sum()
        return (precision * weights).sum(), (recall * weights).sum(), (f1 * weights).sum()"""

MISTAKES = {
    "goran_accuracy_not_balanced": dict(balanced_accuracy=function("balanced_accuracy", """
        counts = confusion_matrix(y_true, y_pred, num_classes)
        return np.trace(counts) / counts.sum()  # the share of right answers
    """)),
    "hana_micro_for_macro": dict(precision_recall_f1=prf_source(pooled="macro", averages="""if average == "micro":
            # the mean of the per-class scores
            return precision.mean(), recall.mean(), f1.mean()
        weights = support / support.sum()
        return (precision * weights).sum(), (recall * weights).sum(), (f1 * weights).sum()""")),
    "ivan_macro_over_present_classes": dict(precision_recall_f1=prf_source(averages="""if average == "macro":
            present = np.unique(np.concatenate([y_true, y_pred]))  # the classes in this batch
            return precision[present].mean(), recall[present].mean(), f1[present].mean()
        weights = support / support.sum()
        return (precision * weights).sum(), (recall * weights).sum(), (f1 * weights).sum()""")),
    "julia_nan_for_undefined": dict(precision_recall_f1=function("precision_recall_f1", """
        counts = confusion_matrix(y_true, y_pred, num_classes)
        tp = np.diag(counts)
        predicted, support = counts.sum(axis=0), counts.sum(axis=1)
        if average == "micro":
            tp, predicted, support = tp.sum(), predicted.sum(), support.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            precision, recall = tp / predicted, tp / support
            f1 = 2 * precision * recall / (precision + recall)
        if average is None:
            return precision, recall, f1
        if average == "micro":
            return float(precision), float(recall), float(f1)
        if average == "macro":
            return precision.mean(), recall.mean(), f1.mean()
        return tuple(np.average(x, weights=support) for x in (precision, recall, f1))
    """)),
    "kofi_weighted_by_predictions": dict(precision_recall_f1=prf_source(averages="""if average == "macro":
            return precision.mean(), recall.mean(), f1.mean()
        weights = predicted / predicted.sum()  # by how often each class is predicted
        return (precision * weights).sum(), (recall * weights).sum(), (f1 * weights).sum()""")),
    "lena_specificity_is_sensitivity": dict(specificity=function("specificity", """
        counts = confusion_matrix(y_true, y_pred, num_classes)
        tp = np.diag(counts)
        fn = counts.sum(axis=1) - tp
        return divide(tp, tp + fn)
    """)),
    "malik_f1_arithmetic_mean": dict(precision_recall_f1=prf_source(
        f1="(precision + recall) / 2", averages=MACRO_AND_WEIGHTED)),
    "nora_macro_f1_of_macro_pr": dict(precision_recall_f1=prf_source(averages="""if average == "macro":
            p, r = precision.mean(), recall.mean()
        else:
            weights = support / support.sum()
            p, r = (precision * weights).sum(), (recall * weights).sum()
        return p, r, divide(2 * p * r, p + r)[()]""")),
    "omar_roc_ties_by_order": dict(
        roc_curve=function("roc_curve", """
            order = np.argsort(-scores, kind="stable")  # highest score first
            positive = y_true[order] == 1
            tpr = np.r_[0, np.cumsum(positive)] / positive.sum()
            fpr = np.r_[0, np.cumsum(~positive)] / (~positive).sum()
            return fpr, tpr  # one point per sample
        """),
        roc_auc=pairwise_auc("0.5")),
    "petra_auc_ties_count_zero": dict(roc_auc=pairwise_auc("0")),
    "quinn_auc_trapezoid_unsorted": dict(roc_auc=function("roc_auc", """
        positive = y_true == 1
        if positive.all() or not positive.any():
            return float("nan")
        fpr, tpr = [0.0], [0.0]
        for threshold in scores:  # each sample's score, as the samples come
            predicted = scores >= threshold
            tpr.append(np.mean(predicted[positive]))
            fpr.append(np.mean(predicted[~positive]))
        fpr.append(1.0)
        tpr.append(1.0)
        return float(np.trapezoid(tpr, fpr))
    """)),
    "rosa_auc_half_for_one_class": dict(roc_auc=function("roc_auc", """
        if np.unique(y_true).size < 2:
            return 0.5  # no information: as good as a coin toss
        fpr, tpr = roc_curve(y_true, scores)
        return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    """)),
    "sam_ap_trapezoid": dict(average_precision=function("average_precision", """
        positive = y_true == 1
        if not positive.any():
            return 0.0
        recall, precision = [0.0], [1.0]
        for threshold in np.unique(scores)[::-1]:
            predicted = scores >= threshold
            tp = (predicted & positive).sum()
            recall.append(tp / positive.sum())
            precision.append(tp / predicted.sum())
        return float(np.trapezoid(precision, recall))  # the area under the PR curve
    """)),
    "tariq_roc_strictly_greater": dict(roc_curve=function("roc_curve", """
        positive = y_true == 1
        fpr, tpr = [0.0], [0.0]
        for threshold in np.unique(scores)[::-1]:
            predicted = scores > threshold
            tpr.append((predicted & positive).sum() / positive.sum())
            fpr.append((predicted & ~positive).sum() / (~positive).sum())
        return np.array(fpr), np.array(tpr)
    """)),
    "uma_ap_interpolated": dict(average_precision=function("average_precision", """
        positive = y_true == 1
        if not positive.any():
            return 0.0
        thresholds = np.unique(scores)[::-1]
        tp = np.array([(scores >= t)[positive].sum() for t in thresholds])
        precision = tp / np.array([(scores >= t).sum() for t in thresholds])
        recall = tp / positive.sum()
        best_from_here = np.maximum.accumulate(precision[::-1])[::-1]  # Pascal VOC's interpolation
        return float(np.sum(np.diff(np.r_[0.0, recall]) * best_from_here))
    """)),
}

# Rows are the predicted classes, and the other functions read that matrix with the right
# formulas: precision and recall come out swapped, specificity as TN / (TN + FN).
TRANSPOSED = function("confusion_matrix", """
    counts = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(counts, (y_pred, y_true), 1)  # a row per prediction
    return counts
""")


def sample_class() -> dict[str, object]:
    """File stem -> notebook."""
    return {
        # correct, in different styles: all must get full marks
        "ada_from_the_confusion_matrix": NOTEBOOKS.assignment_notebook(SOLUTION),
        "bruno_plain_python": NOTEBOOKS.plain_notebook(LOOPS_STYLE),
        "chen_vectorised": NOTEBOOKS.own_style(VECTOR_SETUP, VECTOR_STYLE),
        "dana_corners_and_ranks": NOTEBOOKS.own_style(CORNERS_SETUP, CORNERS_STYLE),
        # a consistent misconception: the transposed matrix, read everywhere with the right formulas
        "fatima_rows_are_predictions": NOTEBOOKS.with_changes(confusion_matrix=TRANSPOSED),
        # one classic mistake each
        **{stem: NOTEBOOKS.with_changes(**changes) for stem, changes in MISTAKES.items()},
        # right counts, as floats
        "vera_float_counts": NOTEBOOKS.with_changes(confusion_matrix=function("confusion_matrix", """
            counts = np.zeros((num_classes, num_classes))
            for t, p in zip(y_true, y_pred):
                counts[t, p] += 1
            return counts
        """)),
        # the library's AUC, which this assignment bans
        "wei_sklearn_auc": NOTEBOOKS.with_changes(roc_auc='''from sklearn.metrics import roc_auc_score


''' + function("roc_auc", """
            return roc_auc_score(y_true, scores)
        """)),
        "xena_untouched_template": NOTEBOOKS.assignment_notebook(TEMPLATE),
    }


def main(out: Path = HERE) -> None:
    """Write the notebooks under ``out`` (default: this folder, where they are committed)."""
    NOTEBOOKS.write_all(out, sample_class())


if __name__ == "__main__":
    main()
