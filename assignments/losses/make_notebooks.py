"""Write the losses notebooks: the student template, the solution and the sample class.

The notebooks are committed; this script is how they were made, so that a change to the
teaching text or to a sample is one edit here. Run: ``python assignments/losses/make_notebooks.py``.
Cell ids are numbered, not random, so that running it again gives the same bytes.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
if str(HERE.parent) not in sys.path:  # notebook_parts sits in assignments/, which is not a package
    sys.path.insert(0, str(HERE.parent))
from notebook_parts import AssignmentNotebooks, graded_function, self_check_source  # noqa: E402

ASSIGNMENT = "losses"
FUNCTIONS = ["sigmoid", "softmax", "log_softmax", "binary_cross_entropy", "binary_cross_entropy_with_logits",
             "cross_entropy", "nll_loss", "focal_loss"]

INTRO = r"""# Assignment: activations and losses

How a network's outputs become probabilities, and how a loss judges them. In this assignment you
write, in plain NumPy, what PyTorch's activations and classification losses compute, and the
gradient of the cross-entropy:

| function | returns |
|---|---|
| `sigmoid(z)` | $1 / (1 + e^{-z})$, the shape of `z` |
| `softmax(z, axis=-1)` | probabilities along `axis`, the shape of `z` |
| `log_softmax(z, axis=-1)` | log-probabilities along `axis`, the shape of `z` |
| `binary_cross_entropy(p, y)` | a float: the mean over all elements |
| `binary_cross_entropy_with_logits(z, y, pos_weight=None)` | a float: the mean over all elements |
| `cross_entropy(logits, y, label_smoothing=0.0)` | `(loss, dlogits)`: the mean over the batch, and its gradient (shape `(N, K)`) |
| `nll_loss(log_probs, y)` | a float: the mean over the batch |
| `focal_loss(logits, y, alpha=0.25, gamma=2.0)` | a float: the mean over all elements |

## The table of losses: what each one takes

PyTorch's classification losses differ in what they expect, and mixing them up is the most common
bug in a training loop: nothing crashes, and the network learns badly.

| PyTorch | takes | applies itself | here |
|---|---|---|---|
| `nn.BCELoss`, `F.binary_cross_entropy` | probabilities in $[0, 1]$ (after a sigmoid) | nothing | `binary_cross_entropy` |
| `nn.BCEWithLogitsLoss`, `F.binary_cross_entropy_with_logits` | logits (any real numbers) | the sigmoid | `binary_cross_entropy_with_logits` |
| `nn.NLLLoss`, `F.nll_loss` | log-probabilities (after a log-softmax) | nothing | `nll_loss` |
| `nn.CrossEntropyLoss`, `F.cross_entropy` | logits | the log-softmax | `cross_entropy` |
| `torchvision.ops.sigmoid_focal_loss` | logits | the sigmoid | `focal_loss` |

So, with your own functions,

- `cross_entropy(z, y)` equals `nll_loss(log_softmax(z, axis=1), y)`;
- `binary_cross_entropy_with_logits(z, y)` equals `binary_cross_entropy(sigmoid(z), y)` (as long as
  no probability rounds to exactly 0 or 1);
- with two classes, `cross_entropy` of the logits $(0, z)$ equals `binary_cross_entropy_with_logits(z, y)`:
  the softmax of $(0, z)$ gives class 1 the probability $\mathrm{sigmoid}(z)$.

One item of the grading asks exactly these questions of your functions. The "with logits" losses
fold the activation in, which lets them stay exact where the probability itself rounds to 0 or 1;
a network trained with `CrossEntropyLoss` or `BCEWithLogitsLoss` must therefore end with a plain
linear layer, without a softmax or a sigmoid.

## The rules, for every function

- Arrays are float64. For the multi-class losses the logits have shape `(N, K)` (a batch of $N$
  samples, $K$ classes) and `y` holds class indices `0..K-1`, an integer array of shape `(N,)`.
  For the binary losses `y` holds 0.0 or 1.0, in the shape of the predictions.
- **Stable for large logits.** $e^{710}$ is already `inf` in float64, and $e^{-746}$ is 0. Every
  function that takes logits must give the right finite answer for logits as large as $10^4$ in
  magnitude (a probability of exactly 0 or 1 is fine; `inf` or `nan` is not). The checks use such
  logits.
- Never change the arrays you are given (`z -= z.max()` changes the caller's array): compute new ones.
- Plain NumPy only: the library versions (`torch.nn.functional.cross_entropy`, `torch.sigmoid`,
  `scipy.special.softmax`, `scipy.special.logsumexp`, ...) do not work in this assignment.

Write your code only in the cells marked **graded** (they carry the tag `graded:<name>`). Keep the
function names and signatures. Run the self-check cell at the end as often as you like."""

SETUP_TEXT = r"""## Setup

NumPy is all you need: every function takes NumPy arrays and returns an array, or a float for a
loss (a Python float or a NumPy float64, such as `np.mean` returns)."""

SETUP = "import numpy as np"

SIGMOID_TEXT = r"""## 1. Sigmoid

$$\mathrm{sigmoid}(z) = \frac{1}{1 + e^{-z}} = \frac{e^{z}}{1 + e^{z}}.$$

Both forms are right on paper; in float64 each overflows on one side: $e^{-z}$ for $z < -709$
(harmless here: $1 / \infty = 0$, with a warning) and $e^{z}$ for $z > 709$ ($\infty / \infty$ is
`nan`). Use the first form for $z \ge 0$ and the second for $z < 0$; then the exponent is never
positive (`np.exp(-np.abs(z))` serves both).

*Worked example.* $\mathrm{sigmoid}(0) = 1/2$, $\mathrm{sigmoid}(\ln 3) = 3/4$,
$\mathrm{sigmoid}(-\ln 3) = 1/4$; $\mathrm{sigmoid}(\pm 10^4) = 1$ and $0$."""

SOFTMAX_TEXT = r"""## 2. Softmax

Along `axis` (the class axis: the last one, `-1`, by default; each row of an $(N, K)$ batch is one
sample), with $m$ the largest value along that axis:

$$\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}} = \frac{e^{z_i - m}}{\sum_j e^{z_j - m}}.$$

Subtracting $m$ changes nothing on paper and everything in float64: the largest exponent is then
0, so nothing overflows, and the sum is at least 1, so nothing divides by 0. Use
`keepdims=True` for the maximum and the sum, so that they broadcast back along `axis`.

*Worked example.* $\mathrm{softmax}(0, \ln 3) = (1/4, 3/4)$, and the same for
$(10^4, 10^4 + \ln 3)$, where $e^{10^4}$ is `inf`. For the batch
`[[0, ln 3], [ln 2, ln 2]]` each row sums to 1: `[[0.25, 0.75], [0.5, 0.5]]`."""

LOG_SOFTMAX_TEXT = r"""## 3. Log-softmax

The logarithm of the softmax, computed without the softmax (the log-sum-exp trick):

$$\log \mathrm{softmax}(z)_i = z_i - \log \sum_j e^{z_j} = (z_i - m) - \log \sum_j e^{z_j - m}.$$

`np.log(softmax(z))` is right only while no probability underflows to 0: for $z = (10^4, 0)$ the
second probability, $e^{-10^4}$, is 0 in float64 and its log `-inf`, while the log-probability is
exactly $-10^4$. Losses are sums of log-probabilities, so this is the function the losses are
built on.

*Worked example.* $\log \mathrm{softmax}(0, \ln 3) = (\ln \tfrac14, \ln \tfrac34)$;
$\log \mathrm{softmax}(10^4, 0) = (0, -10^4)$."""

BCE_TEXT = r"""## 4. Binary cross-entropy of probabilities

For predicted probabilities $p$ and targets $y \in \{0, 1\}$, the mean over **all** elements of

$$\ell = -\big(y \log p + (1 - y) \log(1 - p)\big).$$

A prediction of exactly 0 or 1 makes a log `-inf` (and $0 \cdot (-\infty)$ is `nan`). PyTorch's
`binary_cross_entropy` clamps each log at $-100$: $\max(\log p, -100)$ and $\max(\log(1 - p), -100)$,
so a certain and wrong prediction costs 100, and a certain and right one 0. Do the same.
(`np.log(0)` warns; `with np.errstate(divide="ignore"):` silences it.)

*Worked example.* $p = (0.25, 0.75)$, $y = (0, 1)$: both elements cost $-\ln 0.75$, and so does their
mean, $0.2877$. $p = (0, 1)$, $y = (1, 0)$: 100. $p = (0, 1)$, $y = (0, 1)$: 0."""

BCE_LOGITS_TEXT = r"""## 5. Binary cross-entropy of logits

The same loss of $p = \mathrm{sigmoid}(z)$, computed from the logits $z$ so that it stays exact: with

$$\log \mathrm{sigmoid}(z) = \min(z, 0) - \log\big(1 + e^{-|z|}\big), \qquad
\log\big(1 - \mathrm{sigmoid}(z)\big) = \log \mathrm{sigmoid}(-z) = \log \mathrm{sigmoid}(z) - z$$

(`np.log1p(x)` is $\log(1 + x)$, accurate for small $x$). For $z = 10^4$ and $y = 0$ the loss is
$10^4$: not `inf`, and not the clamped 100 of `binary_cross_entropy(sigmoid(z), y)`.

`pos_weight` weights the positive term only, as PyTorch's does (to up-weight a rare positive class):

$$\ell = -\big(w_+\, y \log \mathrm{sigmoid}(z) + (1 - y) \log(1 - \mathrm{sigmoid}(z))\big).$$

`pos_weight` is `None` (weight 1), a number, or for $(N, K)$ logits an array of shape $(K,)$: one
weight per class of the last axis. The result is the mean over all elements.

*Worked example.* $z = (\ln 3, -\ln 3)$, $y = (1, 0)$: $-\ln 0.75 = 0.2877$. $z = (0, 0)$,
$y = (1, 0)$, `pos_weight=3`: $(3 \ln 2 + \ln 2) / 2 = 2 \ln 2$."""

CROSS_ENTROPY_TEXT = r"""## 6. Cross-entropy of logits, and its gradient

For logits $z$ of shape $(N, K)$ and class indices $y$, with $\log p = \log \mathrm{softmax}(z)$
along the classes, the loss is the mean over the batch:

$$L = \frac{1}{N} \sum_n -\log p_{n, y_n}.$$

**Label smoothing** $\varepsilon$ (PyTorch's `label_smoothing`) replaces the one-hot target by
$q = (1 - \varepsilon)\,\mathrm{onehot}(y) + \varepsilon / K$: every one of the $K$ classes gets
$\varepsilon / K$ (the target class too), and the target class $1 - \varepsilon$ more. Then

$$L = \frac{1}{N} \sum_n \sum_k -q_{n,k} \log p_{n,k}.$$

**The gradient** with respect to the logits, the same shape as `logits`, is the famously simple

$$\frac{\partial L}{\partial z} = \frac{1}{N}\big(\mathrm{softmax}(z) - q\big)$$

(with $q$ the one-hot target when $\varepsilon = 0$). Do not forget the $1/N$ of the mean.
Return both: `return loss, dlogits`.

*Worked example.* $z = [[0, \ln 3]]$, $y = [1]$: $p = (1/4, 3/4)$, $L = -\ln 0.75 = 0.2877$,
$\partial L / \partial z = [[0.25, -0.25]]$. With three classes, $z = [[0, 0, \ln 2]]$ ($p = (1/4, 1/4, 1/2)$),
$y = [2]$ and $\varepsilon = 0.3$: $q = (0.1, 0.1, 0.8)$, $L = -(0.2 \ln \tfrac14 + 0.8 \ln \tfrac12) = 1.2 \ln 2$,
and the gradient is $p - q = [[0.15, 0.15, -0.3]]$."""

NLL_TEXT = r"""## 7. Negative log-likelihood of log-probabilities

`nll_loss` takes what `log_softmax` returns, log-probabilities of shape $(N, K)$, and picks the
target class's: the mean over the batch of $-\text{log\_probs}[n, y_n]$. It takes no log itself
(its input is a log already) and applies no softmax.

*Worked example.* `log_probs = np.log([[0.25, 0.75], [0.5, 0.5]])`, `y = [0, 1]`:
$(-\ln 0.25 - \ln 0.5) / 2 = 1.5 \ln 2 = 1.0397$."""

FOCAL_TEXT = r"""## 8. Focal loss

The binary focal loss of Lin et al. (2017), as `torchvision.ops.sigmoid_focal_loss` with
`reduction="mean"`, for logits and 0/1 targets of the same shape. With $p = \mathrm{sigmoid}(z)$,
the probability of the true label $p_t = p$ where $y = 1$ and $1 - p$ where $y = 0$, and
$\mathrm{ce}$ the binary cross-entropy of the logits per element (section 5, without `pos_weight`):

$$\ell = \alpha_t\,(1 - p_t)^{\gamma}\,\mathrm{ce}, \qquad \alpha_t = \alpha\, y + (1 - \alpha)(1 - y),$$

and the result is the mean of $\ell$ over all elements. The factor $(1 - p_t)^\gamma$ down-weights
the easy, well-classified examples; $\alpha$ weights the positives and $1 - \alpha$ the negatives.
As in torchvision, **a negative `alpha` turns the class weighting off** ($\alpha_t = 1$). With
$\gamma = 0$ and `alpha=-1` it is the plain binary cross-entropy. Compute $\mathrm{ce}$ from the
logits, so that large logits stay exact ($\mathrm{ce} = -\log p_t$, so $1 - p_t = 1 - e^{-\mathrm{ce}}$,
which `-np.expm1(-ce)` computes accurately).

*Worked example.* $z = 0$ ($p = 1/2$), $y = 1$: $0.25 \cdot (1/2)^2 \ln 2 = 0.0433$; for $y = 0$ the
weight is $0.75$: $0.1300$. With `alpha=-1`: $(1/2)^2 \ln 2 = 0.1733$."""

SIGNATURES = {
    "sigmoid": ("def sigmoid(z):", '"""1 / (1 + exp(-z)), element by element, finite for any z."""'),
    "softmax": ("def softmax(z, axis=-1):", '"""Probabilities along axis: exp(z) / sum(exp(z)), stable for large z."""'),
    "log_softmax": ("def log_softmax(z, axis=-1):", '"""log(softmax(z)) along axis, computed without the softmax."""'),
    "binary_cross_entropy": (
        "def binary_cross_entropy(p, y):",
        '"""Mean binary cross-entropy of probabilities p for 0/1 targets y, each log clamped at -100."""'),
    "binary_cross_entropy_with_logits": (
        "def binary_cross_entropy_with_logits(z, y, pos_weight=None):",
        '"""Mean binary cross-entropy of logits z for 0/1 targets y; pos_weight weights the positives."""'),
    "cross_entropy": (
        "def cross_entropy(logits, y, label_smoothing=0.0):",
        '"""Mean cross-entropy of (N, K) logits for class indices y: returns (loss, dlogits)."""'),
    "nll_loss": (
        "def nll_loss(log_probs, y):",
        '"""Mean negative log-likelihood: -log_probs[n, y[n]], averaged over the batch."""'),
    "focal_loss": (
        "def focal_loss(logits, y, alpha=0.25, gamma=2.0):",
        '"""Mean binary focal loss of logits for 0/1 targets (torchvision\'s sigmoid_focal_loss)."""'),
}


def function(name: str, body: str) -> str:
    """A graded function: the contract's signature and docstring, then ``body``."""
    return graded_function(SIGNATURES[name], body)


TEMPLATE = {name: function(name, "# YOUR CODE HERE\nraise NotImplementedError()") for name in FUNCTIONS}

# The solution: the formulas as they read, on whole arrays. cross_entropy builds on log_softmax.
SOLUTION_BODIES = {
    "sigmoid": """
        e = np.exp(-np.abs(z))  # never overflows
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    """,
    "softmax": """
        e = np.exp(z - np.max(z, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)
    """,
    "log_softmax": """
        shifted = z - np.max(z, axis=axis, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    """,
    "binary_cross_entropy": """
        with np.errstate(divide="ignore"):  # log(0) is -inf, then clamped
            log_p = np.maximum(np.log(p), -100)
            log_q = np.maximum(np.log(1 - p), -100)
        return -np.mean(y * log_p + (1 - y) * log_q)
    """,
    "binary_cross_entropy_with_logits": """
        log_p = np.minimum(z, 0) - np.log1p(np.exp(-np.abs(z)))  # log sigmoid(z)
        log_q = log_p - z  # log(1 - sigmoid(z))
        w = 1.0 if pos_weight is None else pos_weight
        return -np.mean(w * y * log_p + (1 - y) * log_q)
    """,
    "cross_entropy": """
        n, k = logits.shape
        log_p = log_softmax(logits, axis=1)
        rows = np.arange(n)
        loss = -np.mean(log_p[rows, y])
        if label_smoothing:
            loss = (1 - label_smoothing) * loss - label_smoothing * np.mean(log_p)
        q = np.full((n, k), label_smoothing / k)
        q[rows, y] += 1 - label_smoothing
        dlogits = (np.exp(log_p) - q) / n
        return loss, dlogits
    """,
    "nll_loss": """
        return -np.mean(log_probs[np.arange(len(y)), y])
    """,
    "focal_loss": """
        log_p = np.minimum(logits, 0) - np.log1p(np.exp(-np.abs(logits)))  # log sigmoid(z)
        ce = -(y * log_p + (1 - y) * (log_p - logits))
        loss = ce * (-np.expm1(-ce)) ** gamma  # 1 - p_t = 1 - exp(-ce)
        if alpha >= 0:
            loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
        return np.mean(loss)
    """,
}
SOLUTION = {name: function(name, body) for name, body in SOLUTION_BODIES.items()}

TEXTS = {
    "sigmoid": SIGMOID_TEXT,
    "softmax": SOFTMAX_TEXT,
    "log_softmax": LOG_SOFTMAX_TEXT,
    "binary_cross_entropy": BCE_TEXT,
    "binary_cross_entropy_with_logits": BCE_LOGITS_TEXT,
    "cross_entropy": CROSS_ENTROPY_TEXT,
    "nll_loss": NLL_TEXT,
    "focal_loss": FOCAL_TEXT,
}

EXAMPLES = {
    "sigmoid": """print(sigmoid(np.array([0.0, np.log(3), -np.log(3)])))  # [0.5  0.75 0.25]
print(sigmoid(np.array([-1e4, 1e4])))  # [0. 1.], no nan""",
    "softmax": """print(softmax(np.array([[0, np.log(3)], [np.log(2), np.log(2)]])))  # [[0.25 0.75] [0.5  0.5 ]]
print(softmax(np.array([1e4, 1e4 + np.log(3)])))  # [0.25 0.75]""",
    "log_softmax": """print(log_softmax(np.array([0, np.log(3)])))  # [-1.38629436 -0.28768207]
print(log_softmax(np.array([[1e4, 0.0]])))  # [[     0. -10000.]]""",
    "binary_cross_entropy": """print(binary_cross_entropy(np.array([0.25, 0.75]), np.array([0.0, 1.0])))  # 0.28768... (-ln 0.75)
print(binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0])))  # 100.0""",
    "binary_cross_entropy_with_logits": """z, y = np.array([np.log(3), -np.log(3)]), np.array([1.0, 0.0])
print(binary_cross_entropy_with_logits(z, y))  # 0.28768... (-ln 0.75)
print(binary_cross_entropy_with_logits(np.array([1e4]), np.array([0.0])))  # 10000.0
print(binary_cross_entropy_with_logits(np.zeros(2), y, pos_weight=3.0))  # 1.38629... (2 ln 2)""",
    "cross_entropy": """loss, dlogits = cross_entropy(np.array([[0, np.log(3)]]), np.array([1]))
print(loss, dlogits)  # 0.28768... [[ 0.25 -0.25]]
loss, dlogits = cross_entropy(np.array([[0, 0, np.log(2)]]), np.array([2]), label_smoothing=0.3)
print(loss, dlogits)  # 0.83177... (1.2 ln 2) [[ 0.15  0.15 -0.3 ]]""",
    "nll_loss": """print(nll_loss(np.log([[0.25, 0.75], [0.5, 0.5]]), np.array([0, 1])))  # 1.03972... (1.5 ln 2)
z, y = np.array([[2.0, -1.0, 0.5], [0.0, 3.0, 1.0]]), np.array([0, 2])
print(cross_entropy(z, y)[0], nll_loss(log_softmax(z, axis=1), y))  # the same number twice""",
    "focal_loss": """print(focal_loss(np.array([0.0]), np.array([1.0])))  # 0.04332... (0.25 * 0.25 * ln 2)
print(focal_loss(np.array([0.0]), np.array([0.0])))  # 0.12997... (0.75 * 0.25 * ln 2)
print(focal_loss(np.array([0.0]), np.array([1.0]), alpha=-1))  # 0.17329... (0.25 * ln 2)""",
}


NOTEBOOKS = AssignmentNotebooks(
    ASSIGNMENT, FUNCTIONS, INTRO, TEXTS, EXAMPLES, TEMPLATE, SOLUTION,
    self_check=self_check_source(ASSIGNMENT, FUNCTIONS), setup_text=SETUP_TEXT, setup=SETUP,
    signatures=SIGNATURES,
)


# --- Correct solutions in other styles: each must get full marks ------------------------------

# Loops: one row (or element) at a time with the math module; np.apply_along_axis gives the rows.
LOOPS_SETUP = '''
import math

import numpy as np


def row_max(values):
    best = values[0]
    for v in values[1:]:
        if v > best:
            best = v
    return best


def row_log_softmax(values):
    """log-softmax of one 1-D row, with Python loops."""
    m = row_max(values)
    total = 0.0
    for v in values:
        total += math.exp(v - m)
    return np.array([v - m - math.log(total) for v in values])


def log_sigmoid(v):
    """log(sigmoid(v)) for one number."""
    return min(v, 0.0) - math.log1p(math.exp(-abs(v)))
'''

LOOPS_STYLE = {
    "sigmoid": """
        out = np.empty(z.shape)
        for index, v in np.ndenumerate(z):
            out[index] = 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))
        return out
    """,
    "softmax": """
        return np.exp(np.apply_along_axis(row_log_softmax, axis, z))
    """,
    "log_softmax": """
        return np.apply_along_axis(row_log_softmax, axis, z)
    """,
    "binary_cross_entropy": """
        total = 0.0
        for p_i, y_i in zip(p.ravel(), y.ravel()):
            log_p = math.log(p_i) if p_i > 0 else -math.inf
            log_q = math.log(1 - p_i) if p_i < 1 else -math.inf
            total -= y_i * max(log_p, -100.0) + (1 - y_i) * max(log_q, -100.0)
        return total / p.size
    """,
    "binary_cross_entropy_with_logits": """
        weights = np.broadcast_to(1.0 if pos_weight is None else pos_weight, z.shape)
        total = 0.0
        for index, v in np.ndenumerate(z):
            if y[index] == 1:
                total -= weights[index] * log_sigmoid(v)
            else:
                total -= log_sigmoid(-v)
        return total / z.size
    """,
    "cross_entropy": """
        n, k = logits.shape
        loss, dlogits = 0.0, np.empty((n, k))
        for i in range(n):
            log_p = row_log_softmax(logits[i])
            for c in range(k):
                q = label_smoothing / k + (1 - label_smoothing) * (c == y[i])
                if q:  # 0 * log(p) would be nan where p underflows
                    loss -= q * log_p[c]
                dlogits[i, c] = (math.exp(log_p[c]) - q) / n
        return loss / n, dlogits
    """,
    "nll_loss": """
        total = 0.0
        for i, target in enumerate(y):
            total -= log_probs[i, target]
        return total / len(y)
    """,
    "focal_loss": """
        alpha_on = alpha >= 0
        total = 0.0
        for index, v in np.ndenumerate(logits):
            positive = y[index] == 1
            ce = -log_sigmoid(v if positive else -v)
            one_minus_pt = -math.expm1(-ce)
            weight = (alpha if positive else 1 - alpha) if alpha_on else 1.0
            total += weight * one_minus_pt ** gamma * ce
        return total / logits.size
    """,
}

# Each function built on the others: logsumexp once, then the table of losses as it reads.
COMPOSED_SETUP = '''
import numpy as np


def logsumexp(z, axis):
    m = np.max(z, axis=axis, keepdims=True)
    return m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))


def softplus(z):
    """log(1 + exp(z)), stable: the loss of a negative with logit z."""
    return np.logaddexp(0.0, z)
'''

COMPOSED_STYLE = {
    "sigmoid": """
        return 0.5 * (1 + np.tanh(z / 2))  # the same function, and tanh never overflows
    """,
    "softmax": """
        return np.exp(log_softmax(z, axis))
    """,
    "log_softmax": """
        return z - logsumexp(z, axis)
    """,
    "binary_cross_entropy": """
        return -np.mean(y * np.clip(np.log(np.where(p > 0, p, 1e-300)), -100, None)
                        + (1 - y) * np.clip(np.log(np.where(p < 1, 1 - p, 1e-300)), -100, None))
    """,
    "binary_cross_entropy_with_logits": """
        w = 1.0 if pos_weight is None else pos_weight
        return np.mean(w * y * softplus(-z) + (1 - y) * softplus(z))
    """,
    "cross_entropy": """
        n, k = logits.shape
        one_hot = np.eye(k)[y]
        q = (1 - label_smoothing) * one_hot + label_smoothing / k
        loss = (1 - label_smoothing) * nll_loss(log_softmax(logits, 1), y)
        if label_smoothing:
            loss += label_smoothing / k * -np.sum(log_softmax(logits, 1)) / n
        return loss, (softmax(logits, 1) - q) / n
    """,
    "nll_loss": """
        return -np.take_along_axis(log_probs, y[:, None], axis=1).mean()
    """,
    "focal_loss": """
        ce = y * softplus(-logits) + (1 - y) * softplus(logits)
        p = sigmoid(logits)
        p_t = p * y + (1 - p) * (1 - y)
        loss = ce * (1 - p_t) ** gamma
        if alpha >= 0:
            loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
        return loss.mean()
    """,
}

# A fresh notebook, pasted in: no tags, no assignment metadata; np.logaddexp does the log-sum-exp.
LOGADDEXP_STYLE = '''
import numpy as np


def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))


def log_softmax(z, axis=-1):
    return z - np.logaddexp.reduce(z, axis=axis, keepdims=True)


def softmax(z, axis=-1):
    return np.exp(log_softmax(z, axis))


def binary_cross_entropy(p, y):
    with np.errstate(divide="ignore"):
        return -np.mean(y * np.fmax(np.log(p), -100) + (1 - y) * np.fmax(np.log1p(-p), -100))


def binary_cross_entropy_with_logits(z, y, pos_weight=None):
    weight = 1.0 if pos_weight is None else 1 + (np.asarray(pos_weight) - 1) * y
    return np.mean((1 - y) * z + weight * np.logaddexp(0.0, -z))


def cross_entropy(logits, y, label_smoothing=0.0):
    n, k = logits.shape
    log_p = log_softmax(logits, axis=1)
    target = np.zeros((n, k))
    target[np.arange(n), y] = 1
    q = (1 - label_smoothing) * target + label_smoothing / k
    loss = -np.sum(np.where(q > 0, q * log_p, 0.0)) / n
    return loss, (np.exp(log_p) - q) / n


def nll_loss(log_probs, y):
    return -log_probs[np.arange(y.size), y].sum() / y.size


def focal_loss(logits, y, alpha=0.25, gamma=2.0):
    ce = np.logaddexp(0.0, np.where(y == 1, -logits, logits))
    loss = ce * (1 - np.exp(-ce)) ** gamma
    if alpha >= 0:
        loss = loss * np.where(y == 1, alpha, 1 - alpha)
    return float(np.mean(loss))
'''

# One-hot matrices and einsum throughout.
ONE_HOT_SETUP = '''
import numpy as np


def one_hot(y, k):
    return (y[:, None] == np.arange(k)).astype(float)
'''

ONE_HOT_STYLE = {
    "sigmoid": """
        positive = z >= 0
        out = np.empty_like(z)
        out[positive] = 1 / (1 + np.exp(-z[positive]))
        e = np.exp(z[~positive])
        out[~positive] = e / (1 + e)
        return out
    """,
    "softmax": """
        moved = np.moveaxis(z, axis, -1)
        e = np.exp(moved - moved.max(axis=-1, keepdims=True))
        return np.moveaxis(e / e.sum(axis=-1, keepdims=True), -1, axis)
    """,
    "log_softmax": """
        moved = np.moveaxis(z, axis, -1)
        shifted = moved - moved.max(axis=-1, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        return np.moveaxis(out, -1, axis)
    """,
    "binary_cross_entropy": """
        with np.errstate(divide="ignore"):
            terms = np.stack([np.log(p), np.log(1 - p)]).clip(min=-100)
        return -np.einsum("ij,ij->", np.stack([y, 1 - y]).reshape(2, -1), terms.reshape(2, -1)) / p.size
    """,
    "binary_cross_entropy_with_logits": """
        log_sig = lambda v: -(np.maximum(-v, 0) + np.log1p(np.exp(-np.abs(v))))
        pw = np.ones(z.shape[-1:]) if pos_weight is None else pos_weight * np.ones(z.shape[-1:])
        return -np.mean(pw * y * log_sig(z) + (1 - y) * log_sig(-z))
    """,
    "cross_entropy": """
        n, k = logits.shape
        q = one_hot(y, k) * (1 - label_smoothing) + label_smoothing / k
        log_p = log_softmax(logits, axis=-1)
        loss = -np.einsum("nk,nk->", q, np.where(q > 0, log_p, 0.0)) / n
        return loss, (softmax(logits, axis=-1) - q) / n
    """,
    "nll_loss": """
        return -np.einsum("nk,nk->", one_hot(y, log_probs.shape[1]), log_probs) / len(y)
    """,
    "focal_loss": """
        log_p = -(np.maximum(-logits, 0) + np.log1p(np.exp(-np.abs(logits))))  # log sigmoid
        log_q = log_p - logits
        ce = -(y * log_p + (1 - y) * log_q)
        one_minus_pt = y * np.exp(log_q) + (1 - y) * np.exp(log_p)  # sigmoid of the other label
        weight = alpha * y + (1 - alpha) * (1 - y) if alpha >= 0 else 1.0
        return np.mean(weight * one_minus_pt ** gamma * ce)
    """,
}


# --- Classic mistakes: each loses points on the right item, and the feedback names it -----------

def cross_entropy_variant(*, loss: str, gradient: str = "dlogits = (np.exp(log_p) - q) / n") -> str:
    """The solution's cross_entropy with the loss and the gradient lines replaced."""
    return function("cross_entropy", f"""
        n, k = logits.shape
        log_p = log_softmax(logits, axis=1)
        rows = np.arange(n)
        q = np.full((n, k), label_smoothing / k)
        q[rows, y] += 1 - label_smoothing
        {loss}
        {gradient}
        return loss, dlogits
    """)


SMOOTHED_LOSS = """loss = -np.mean(log_p[rows, y])
        if label_smoothing:
            loss = (1 - label_smoothing) * loss - label_smoothing * np.mean(log_p)"""

# label smoothing as 1 - eps on the target and eps / (K - 1) on each of the others
OTHER_CLASSES_Q = """q_other = np.full((n, k), label_smoothing / (k - 1))
        q_other[rows, y] = 1 - label_smoothing"""

MISTAKES = {
    "fatima_softmax_overflows": dict(softmax=function("softmax", """
        e = np.exp(z)
        return e / np.sum(e, axis=axis, keepdims=True)
    """)),
    "goran_softmax_over_batch": dict(softmax=function("softmax", """
        e = np.exp(z - np.max(z, axis=0, keepdims=True))
        return e / np.sum(e, axis=0, keepdims=True)  # over the samples
    """)),
    # log(softmax): -inf once a probability underflows; the solution's cross_entropy uses it
    "hana_log_of_softmax": dict(log_softmax=function("log_softmax", """
        with np.errstate(divide="ignore"):
            return np.log(softmax(z, axis))
    """)),
    "ivan_bce_without_clamp": dict(binary_cross_entropy=function("binary_cross_entropy", """
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    """)),
    "julia_bce_of_sigmoid": dict(binary_cross_entropy_with_logits=function("binary_cross_entropy_with_logits", """
        p = sigmoid(z)  # then the binary cross-entropy of these probabilities, clamped
        w = 1.0 if pos_weight is None else pos_weight
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_q = np.maximum(np.log(1 - p), -100)
        return -np.mean(w * y * log_p + (1 - y) * log_q)
    """)),
    "kofi_pos_weight_on_negatives": dict(binary_cross_entropy_with_logits=function(
        "binary_cross_entropy_with_logits", """
        log_p = np.minimum(z, 0) - np.log1p(np.exp(-np.abs(z)))
        log_q = log_p - z
        w = 1.0 if pos_weight is None else pos_weight
        return -np.mean(y * log_p + w * (1 - y) * log_q)
    """)),
    "lena_cross_entropy_summed": dict(cross_entropy=cross_entropy_variant(loss="""loss = -np.sum(log_p[rows, y])
        if label_smoothing:
            loss = (1 - label_smoothing) * loss - label_smoothing * np.sum(log_p) / k""")),
    "malik_gradient_not_divided_by_n": dict(cross_entropy=cross_entropy_variant(
        loss=SMOOTHED_LOSS, gradient="dlogits = np.exp(log_p) - q")),
    "nora_gradient_without_one_hot": dict(cross_entropy=cross_entropy_variant(
        loss=SMOOTHED_LOSS, gradient="dlogits = np.exp(log_p) / n")),
    "omar_smoothing_over_other_classes": dict(cross_entropy=cross_entropy_variant(
        loss=OTHER_CLASSES_Q + """
        with np.errstate(invalid="ignore"):
            loss = -np.sum(np.where(q_other > 0, q_other * log_p, 0.0)) / n""")),
    "petra_nll_takes_log": dict(nll_loss=function("nll_loss", """
        probs = log_probs[np.arange(len(y)), y]
        with np.errstate(divide="ignore", invalid="ignore"):
            return -np.mean(np.log(probs))
    """)),
    "quinn_focal_alpha_on_both": dict(focal_loss=function("focal_loss", """
        log_p = np.minimum(logits, 0) - np.log1p(np.exp(-np.abs(logits)))
        ce = -(y * log_p + (1 - y) * (log_p - logits))
        loss = ce * (-np.expm1(-ce)) ** gamma
        if alpha >= 0:
            loss = alpha * loss
        return np.mean(loss)
    """)),
    "rosa_focal_gamma_on_p": dict(focal_loss=function("focal_loss", """
        log_p = np.minimum(logits, 0) - np.log1p(np.exp(-np.abs(logits)))
        ce = -(y * log_p + (1 - y) * (log_p - logits))
        loss = ce * (-np.expm1(log_p)) ** gamma  # (1 - p) ** gamma
        if alpha >= 0:
            loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
        return np.mean(loss)
    """)),
    "sam_sigmoid_exp_ratio": dict(sigmoid=function("sigmoid", """
        e = np.exp(z)
        return e / (1 + e)
    """)),
    "uma_bce_clips_like_keras": dict(binary_cross_entropy=function("binary_cross_entropy", """
        p = np.clip(p, 1e-7, 1 - 1e-7)  # Keras' epsilon
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    """)),
    "vera_nll_negated": dict(nll_loss=function("nll_loss", """
        return np.mean(log_probs[np.arange(len(y)), y])
    """)),
    "wei_focal_negative_alpha": dict(focal_loss=function("focal_loss", """
        log_p = np.minimum(logits, 0) - np.log1p(np.exp(-np.abs(logits)))
        ce = -(y * log_p + (1 - y) * (log_p - logits))
        loss = ce * (-np.expm1(-ce)) ** gamma
        return np.mean((alpha * y + (1 - alpha) * (1 - y)) * loss)
    """)),
}


def sample_class() -> dict[str, object]:
    """File stem -> notebook."""
    return {
        # correct, in different styles: all must get full marks
        "ada_whole_arrays": NOTEBOOKS.assignment_notebook(SOLUTION),
        "bruno_row_loops": NOTEBOOKS.own_style(LOOPS_SETUP, LOOPS_STYLE),
        "chen_builds_on_own_functions": NOTEBOOKS.own_style(COMPOSED_SETUP, COMPOSED_STYLE),
        "dana_logaddexp_fresh_notebook": NOTEBOOKS.plain_notebook(LOGADDEXP_STYLE),
        "emeka_one_hot_einsum": NOTEBOOKS.own_style(ONE_HOT_SETUP, ONE_HOT_STYLE),
        # one classic mistake each
        **{stem: NOTEBOOKS.with_changes(**changes) for stem, changes in MISTAKES.items()},
        # a consistent misconception: label smoothing over the K - 1 other classes in the loss and
        # in the gradient, which is the true gradient of that loss
        "tariq_smoothing_over_other_classes_both": NOTEBOOKS.with_changes(cross_entropy=cross_entropy_variant(
            loss=OTHER_CLASSES_Q + """
        with np.errstate(invalid="ignore"):
            loss = -np.sum(np.where(q_other > 0, q_other * log_p, 0.0)) / n""",
            gradient="dlogits = (np.exp(log_p) - q_other) / n")),
        # scipy's sigmoid, which this assignment bans
        "xena_scipy_expit": NOTEBOOKS.with_changes(sigmoid="from scipy.special import expit\n\n\n" + function(
            "sigmoid", "return expit(z)")),
        # right values, but shifts the caller's logits in place
        "yusuf_shifts_logits_in_place": NOTEBOOKS.with_changes(softmax=function("softmax", """
            z -= np.max(z, axis=axis, keepdims=True)  # stable, without a copy
            e = np.exp(z)
            return e / np.sum(e, axis=axis, keepdims=True)
        """)),
        "zoe_untouched_template": NOTEBOOKS.assignment_notebook(TEMPLATE),
    }


def main(out: Path = HERE) -> None:
    """Write the notebooks under ``out`` (default: this folder, where they are committed)."""
    NOTEBOOKS.write_all(out, sample_class())


if __name__ == "__main__":
    main()
