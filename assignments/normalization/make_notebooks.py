"""Write the normalization notebooks: the student template, the solution and the sample class.

The notebooks are committed; this script is how they were made, so that a change to the
teaching text or to a sample is one edit here. Run: ``python assignments/normalization/make_notebooks.py``.
Cell ids are numbered, not random, so that running it again gives the same bytes.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
if str(HERE.parent) not in sys.path:  # notebook_parts sits in assignments/, which is not a package
    sys.path.insert(0, str(HERE.parent))
from notebook_parts import AssignmentNotebooks, graded_function, self_check_source  # noqa: E402

ASSIGNMENT = "normalization"
FUNCTIONS = ["batchnorm_forward", "batchnorm_backward", "dropout_forward", "dropout_backward"]

INTRO = r"""# Assignment: batch normalisation and dropout

Two layers that behave differently while a network trains and when it is evaluated. In this
assignment you write, in plain NumPy, what `torch.nn.BatchNorm1d`/`BatchNorm2d` and
`torch.nn.Dropout` compute, and their backward passes:

| function | returns |
|---|---|
| `batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5)` | `(out, new_running_mean, new_running_var)` |
| `batchnorm_backward(dout, x, gamma, eps=1e-5)` | `(dx, dgamma, dbeta)`, for training mode |
| `dropout_forward(x, p, mask, training)` | `out`, the shape of `x` |
| `dropout_backward(dout, p, mask, training)` | `dx`, the shape of `dout` |

The rules, for every function:

- `x` is a float64 array of shape `(N, D)` (a batch of feature vectors) or `(N, C, H, W)` (a
  batch of images). Batch norm keeps one mean and one variance **per feature** `d`, or **per
  channel** `c`, taken over the batch and, for images, over every position: over axis `0` of
  an `(N, D)` batch, over axes `(0, 2, 3)` of an `(N, C, H, W)` batch.
- `gamma`, `beta`, `running_mean`, `running_var`, `dgamma` and `dbeta` have shape `(D,)` or `(C,)`.
- `dout` is the gradient of the loss with respect to the forward's output (same shape as `x`).
- Never change the arrays you are given (`x`, `gamma`, `beta`, `dout`, `mask`): the caller uses
  them again. The one exception is PyTorch's: in training mode you may update `running_mean` and
  `running_var` in place, as long as you return the new ones. In evaluation mode leave them alone.
- Plain NumPy only: the library versions (`torch.nn.functional.batch_norm`,
  `torch.nn.functional.dropout`, `torch.nn.BatchNorm2d`, automatic differentiation, ...) do not
  work in this assignment.

Write your code only in the cells marked **graded** (they carry the tag `graded:<name>`). Keep the
function names and signatures. Run the self-check cell at the end as often as you like."""

SETUP_TEXT = r"""## Setup

`channel_axes(x)` gives the axes the statistics are taken over, and the shape a per-channel
vector must take to broadcast against `x`. Use it, change it, or write your own."""

SETUP = '''import numpy as np


def channel_axes(x):
    """((0,), (1, D)) for an (N, D) batch; ((0, 2, 3), (1, C, 1, 1)) for (N, C, H, W)."""
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    return axes, shape'''

BN_FORWARD_TEXT = r"""## 1. Batch normalisation, forward

**Training** (`training=True`). With $m$ the number of values of a channel ($N$ for an $(N, D)$
batch, $N H W$ for an $(N, C, H, W)$ batch), each channel is normalised with the batch's own
mean and **biased** variance (divided by $m$), then scaled and shifted:

$$\mu = \frac{1}{m} \sum x, \qquad \sigma^2 = \frac{1}{m} \sum (x - \mu)^2, \qquad
\hat{x} = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad \text{out} = \gamma\,\hat{x} + \beta.$$

The running statistics, which evaluation mode will use, move a step `momentum` towards the
batch's; the running variance tracks the **unbiased** variance (divided by $m - 1$):

$$\mathrm{new\_running\_mean} = (1 - \text{momentum})\,\mathrm{running\_mean} + \text{momentum}\;\mu,$$
$$\mathrm{new\_running\_var} = (1 - \text{momentum})\,\mathrm{running\_var} + \text{momentum}\;\frac{m}{m - 1}\,\sigma^2.$$

(This is PyTorch's convention: `momentum` weights the new batch. Keras' is the other way round.)

**Evaluation** (`training=False`). The batch's statistics are not used: normalise with the
running ones, and return them unchanged:

$$\text{out} = \gamma\,\frac{x - \mathrm{running\_mean}}{\sqrt{\mathrm{running\_var} + \epsilon}} + \beta.$$

*Worked example.* Take $\epsilon = 0$, $\gamma = (2, 0.5)$, $\beta = (1, -1)$ and

$$x = \begin{pmatrix} 1 & 0 \\ 3 & 0 \\ 1 & 4 \\ 3 & 4 \end{pmatrix}.$$

Column 0 has $\mu = 2$, $\sigma^2 = 1$, so $\hat{x} = (-1, 1, -1, 1)$ and $\text{out} = (-1, 3, -1, 3)$;
column 1 has $\mu = 2$, $\sigma^2 = 4$, $\hat{x} = (-1, -1, 1, 1)$, $\text{out} = (-1.5, -1.5, -0.5, -0.5)$.
From `running_mean = (0, 0)`, `running_var = (1, 1)` and momentum 0.1 the new running mean is
$(0.2, 0.2)$ and the new running variance $0.9 + 0.1 \cdot (4/3,\ 16/3) = (1.0\overline{3},\ 1.4\overline{3})$.

For an $(N, C, H, W)$ batch the same happens per channel, over $N$, $H$ and $W$ together:
`x.mean(axis=(0, 2, 3))`. (Reshaping `x` straight to $(N H W, C)$ mixes channels up: move the
channel axis last first.)"""

BN_BACKWARD_TEXT = r"""## 2. Batch normalisation, backward

The gradients of training-mode batch norm. The mean and the variance depend on every value of
the batch, so every $x$ receives gradient through them too. With sums over the $m$ values of
each channel, and $\hat{x}$ and $\sigma^2$ as in the forward pass (recompute them from `x`):

$$d\beta = \sum \text{dout}, \qquad d\gamma = \sum \text{dout}\cdot\hat{x}, \qquad
dx = \frac{\gamma}{m \sqrt{\sigma^2 + \epsilon}} \Big( m\,\text{dout} - \sum \text{dout} - \hat{x} \sum \text{dout}\cdot\hat{x} \Big).$$

$d\gamma$ and $d\beta$ have the shape of $\gamma$: for images, sum over $N$, $H$ and $W$. You may
derive $dx$ step by step through the computational graph instead (mean, centred values, variance,
inverse standard deviation, $\hat{x}$): the result is the same.

*Worked example.* One feature, $x = (1, 3, 1, 3)$ (so $\mu = 2$, $\sigma^2 = 1$, $\hat{x} = (-1, 1, -1, 1)$),
$\gamma = 2$, $\epsilon = 0$:

- $\text{dout} = (1, 1, 1, 1)$ gives $dx = 0$, $d\gamma = 0$, $d\beta = 4$: adding a constant to
  $x$ changes nothing after normalisation.
- $\text{dout} = (1, 0, 0, 0)$ gives $d\beta = 1$, $d\gamma = -1$ and
  $dx = \frac{2}{4}\big((4, 0, 0, 0) - 1 + (-1, 1, -1, 1)\big) = (1, 0, -1, 0)$."""

DROPOUT_TEXT = r"""## 3. Dropout, forward

**Inverted dropout.** In training, each value is kept with probability $1 - p$ and dropped
(set to 0) with probability $p$; the kept ones are divided by $1 - p$, so that the expected
output equals the input. The random choice is made for you: `mask` holds 1 where a value is
kept and 0 where it is dropped (a float array of the shape of `x`):

$$\text{out} = \frac{x \cdot \text{mask}}{1 - p} \quad \text{(training)}, \qquad \text{out} = x \quad \text{(evaluation)}.$$

In evaluation mode dropout does nothing at all: no mask, no factor. (Old, non-inverted dropout
multiplied by $1 - p$ at test time instead; with inverted dropout that factor is already in the
training pass.)

*Worked example.* $x = (1, -2, 3, 4)$, $\text{mask} = (1, 0, 1, 1)$, $p = 0.25$: $\text{out} = (4/3,\ 0,\ 4,\ 16/3)$."""

DROPOUT_BACKWARD_TEXT = r"""## 4. Dropout, backward

The forward pass multiplies each value by a constant ($\text{mask}/(1 - p)$ in training, 1 in
evaluation), so the gradient is multiplied by the same constant:

$$dx = \frac{\text{dout} \cdot \text{mask}}{1 - p} \quad \text{(training)}, \qquad dx = \text{dout} \quad \text{(evaluation)}.$$

*Worked example.* $\text{dout} = (3, 3, 3, -6)$ with the mask and $p$ above: $dx = (4, 0, 4, -8)$."""

SIGNATURES = {
    "batchnorm_forward": (
        "def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):",
        '"""Batch norm of x, (N, D) or (N, C, H, W): returns (out, new_running_mean, new_running_var)."""'),
    "batchnorm_backward": (
        "def batchnorm_backward(dout, x, gamma, eps=1e-5):",
        '"""Gradients of training-mode batch norm: returns (dx, dgamma, dbeta)."""'),
    "dropout_forward": (
        "def dropout_forward(x, p, mask, training):",
        '"""Inverted dropout: x * mask / (1 - p) when training, x itself when evaluating."""'),
    "dropout_backward": (
        "def dropout_backward(dout, p, mask, training):",
        '"""Gradient of dropout_forward with respect to x."""'),
}


def function(name: str, body: str) -> str:
    """A graded function: the contract's signature and docstring, then ``body``."""
    return graded_function(SIGNATURES[name], body)


TEMPLATE = {name: function(name, "# YOUR CODE HERE\nraise NotImplementedError()") for name in FUNCTIONS}

# The solution: the formulas as they read, on whole arrays.
SOLUTION = {
    "batchnorm_forward": function("batchnorm_forward", """
        axes, shape = channel_axes(x)
        if training:
            m = x.size // x.shape[1]  # values per channel
            mean, var = x.mean(axis=axes), x.var(axis=axes)  # biased variance
            new_mean = (1 - momentum) * running_mean + momentum * mean
            new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
        else:
            mean, var = running_mean, running_var
            new_mean, new_var = running_mean.copy(), running_var.copy()
        xhat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
        return gamma.reshape(shape) * xhat + beta.reshape(shape), new_mean, new_var
    """),
    "batchnorm_backward": function("batchnorm_backward", """
        axes, shape = channel_axes(x)
        m = x.size // x.shape[1]
        inv_std = 1 / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
        xhat = (x - x.mean(axis=axes, keepdims=True)) * inv_std
        dbeta = dout.sum(axis=axes)
        dgamma = (dout * xhat).sum(axis=axes)
        dx = gamma.reshape(shape) * inv_std / m * (
            m * dout - dbeta.reshape(shape) - xhat * dgamma.reshape(shape))
        return dx, dgamma, dbeta
    """),
    "dropout_forward": function("dropout_forward", """
        if not training:
            return x.copy()
        if p == 1:
            return np.zeros_like(x)  # everything dropped (and no division by 0)
        return x * mask / (1 - p)
    """),
    "dropout_backward": function("dropout_backward", """
        if not training:
            return dout.copy()
        if p == 1:
            return np.zeros_like(dout)
        return dout * mask / (1 - p)
    """),
}

TEXTS = {
    "batchnorm_forward": BN_FORWARD_TEXT,
    "batchnorm_backward": BN_BACKWARD_TEXT,
    "dropout_forward": DROPOUT_TEXT,
    "dropout_backward": DROPOUT_BACKWARD_TEXT,
}

EXAMPLES = {
    "batchnorm_forward": """x = np.array([[1, 0], [3, 0], [1, 4], [3, 4]], float)
gamma, beta = np.array([2, 0.5]), np.array([1, -1.0])
out, new_mean, new_var = batchnorm_forward(x, gamma, beta, np.zeros(2), np.ones(2), True, eps=0)
print(out)       # [[-1.  -1.5] [ 3.  -1.5] [-1.  -0.5] [ 3.  -0.5]]
print(new_mean)  # [0.2 0.2]
print(new_var)   # [1.03333333 1.43333333]
out, _, _ = batchnorm_forward(x, gamma, beta, np.array([1, 0.0]), np.array([4, 1.0]), False, eps=0)
print(out)       # evaluation: [[ 1. -1.] [ 3. -1.] [ 1.  1.] [ 3.  1.]]""",
    "batchnorm_backward": """x1 = np.array([[1], [3], [1], [3]], float)
print(batchnorm_backward(np.ones((4, 1)), x1, np.array([2.0]), eps=0))  # dx = 0, dgamma = [0], dbeta = [4]
print(batchnorm_backward(np.array([[1], [0], [0], [0]], float), x1, np.array([2.0]), eps=0))
# dx = [[1] [0] [-1] [0]], dgamma = [-1], dbeta = [1]""",
    "dropout_forward": """x = np.array([[1, -2, 3, 4]], float)
mask = np.array([[1, 0, 1, 1]], float)
print(dropout_forward(x, 0.25, mask, True))   # [[1.33333333 0.  4.  5.33333333]]
print(dropout_forward(x, 0.25, mask, False))  # [[ 1. -2.  3.  4.]]""",
    "dropout_backward": """print(dropout_backward(np.array([[3, 3, 3, -6]], float), 0.25, mask, True))  # [[ 4.  0.  4. -8.]]""",
}


NOTEBOOKS = AssignmentNotebooks(
    ASSIGNMENT, FUNCTIONS, INTRO, TEXTS, EXAMPLES, TEMPLATE, SOLUTION,
    self_check=self_check_source(ASSIGNMENT, FUNCTIONS), setup_text=SETUP_TEXT, setup=SETUP,
    signatures=SIGNATURES,
)


# --- Correct solutions in other styles: each must get full marks ------------------------------

# cs231n's way: (N, C, H, W) becomes rows of C values (channels last), then the forward pass is a
# chain of small steps and the backward pass goes back through them one by one.
GRAPH_SETUP = '''
import numpy as np


def as_rows(a):
    """(N, D) stays; (N, C, H, W) becomes (N*H*W, C): move the channels last, then flatten."""
    return a if a.ndim == 2 else a.transpose(0, 2, 3, 1).reshape(-1, a.shape[1])


def as_input(rows, like):
    """Undo as_rows for an array shaped like ``like``."""
    if like.ndim == 2:
        return rows
    n, c, h, w = like.shape
    return rows.reshape(n, h, w, c).transpose(0, 3, 1, 2)
'''

GRAPH_STYLE = {
    "batchnorm_forward": """
        rows = as_rows(x)
        m = rows.shape[0]
        if training:
            mu = rows.sum(axis=0) / m
            xmu = rows - mu
            sq = xmu ** 2
            var = sq.sum(axis=0) / m
            new_mean = (1 - momentum) * running_mean + momentum * mu
            new_var = (1 - momentum) * running_var + momentum * (m / (m - 1)) * var
        else:
            xmu = rows - running_mean
            var = running_var
            new_mean, new_var = running_mean.copy(), running_var.copy()
        sqrtvar = np.sqrt(var + eps)
        ivar = 1 / sqrtvar
        xhat = xmu * ivar
        gammax = gamma * xhat
        out = gammax + beta
        return as_input(out, x), new_mean, new_var
    """,
    "batchnorm_backward": """
        rows, g = as_rows(x), as_rows(dout)
        m = rows.shape[0]
        # forward again, keeping every step
        mu = rows.sum(axis=0) / m
        xmu = rows - mu
        sq = xmu ** 2
        var = sq.sum(axis=0) / m
        sqrtvar = np.sqrt(var + eps)
        ivar = 1 / sqrtvar
        xhat = xmu * ivar
        # and back
        dbeta = g.sum(axis=0)
        dgamma = (g * xhat).sum(axis=0)
        dxhat = g * gamma
        divar = (dxhat * xmu).sum(axis=0)
        dxmu1 = dxhat * ivar
        dsqrtvar = -divar / sqrtvar ** 2
        dvar = 0.5 * dsqrtvar / sqrtvar
        dsq = np.ones_like(sq) * dvar / m
        dxmu2 = 2 * xmu * dsq
        dx1 = dxmu1 + dxmu2
        dmu = -dx1.sum(axis=0)
        dx2 = np.ones_like(rows) * dmu / m
        return as_input(dx1 + dx2, x), dgamma, dbeta
    """,
    "dropout_forward": """
        if not training:
            return x.copy()
        keep = 1 - p
        return np.where(mask == 1, x / keep, 0.0) if keep > 0 else np.zeros_like(x)
    """,
    "dropout_backward": """
        if not training:
            return dout.copy()
        keep = 1 - p
        return np.where(mask == 1, dout / keep, 0.0) if keep > 0 else np.zeros_like(dout)
    """,
}

# Every sum over a channel's values as one np.einsum, on an (N, C, S) view (S = H*W, or 1).
EINSUM_SETUP = '''
import numpy as np


def flat(a):
    """(N, C, S): the positions of each channel in one axis (S = 1 for an (N, D) batch)."""
    return a.reshape(a.shape[0], a.shape[1], -1)


def channel_sum(a):
    return np.einsum("ncs->c", flat(a))


def channel_dot(a, b):
    return np.einsum("ncs,ncs->c", flat(a), flat(b))


def times_channel(a, v):
    """a (N, C, ...) times v (C,) along the channels."""
    return np.einsum("ncs,c->ncs", flat(a), v).reshape(a.shape)
'''

EINSUM_STYLE = {
    "batchnorm_forward": """
        m = x.size // x.shape[1]
        if training:
            mean = channel_sum(x) / m
            centred = x - times_channel(np.ones_like(x), mean)
            var = channel_dot(centred, centred) / m
            new_mean = (1 - momentum) * running_mean + momentum * mean
            new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
        else:
            mean, var = running_mean, running_var
            centred = x - times_channel(np.ones_like(x), mean)
            new_mean, new_var = np.array(running_mean), np.array(running_var)
        out = times_channel(centred, gamma / np.sqrt(var + eps)) + times_channel(np.ones_like(x), beta)
        return out, new_mean, new_var
    """,
    "batchnorm_backward": """
        m = x.size // x.shape[1]
        centred = x - times_channel(np.ones_like(x), channel_sum(x) / m)
        inv_std = 1 / np.sqrt(channel_dot(centred, centred) / m + eps)
        xhat = times_channel(centred, inv_std)
        dbeta = channel_sum(dout)
        dgamma = channel_dot(dout, xhat)
        inner = m * dout - times_channel(np.ones_like(x), dbeta) - times_channel(xhat, dgamma)
        return times_channel(inner, gamma * inv_std / m), dgamma, dbeta
    """,
    "dropout_forward": """
        if not training:
            return np.array(x)
        return np.einsum("...,...->...", x, mask) / (1 - p) if p < 1 else np.zeros_like(x)
    """,
    "dropout_backward": """
        if not training:
            return np.array(dout)
        return np.einsum("...,...->...", dout, mask) / (1 - p) if p < 1 else np.zeros_like(dout)
    """,
}

# A fresh notebook, pasted in: one channel at a time, with a loop.
LOOPS_STYLE = '''
import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    out = np.empty_like(x)
    new_mean = np.array(running_mean, dtype=float)
    new_var = np.array(running_var, dtype=float)
    for c in range(x.shape[1]):
        values = x[:, c]  # (N,) or (N, H, W): every value of channel c
        if training:
            mean, var = values.mean(), values.var()
            m = values.size
            new_mean[c] = (1 - momentum) * running_mean[c] + momentum * mean
            new_var[c] = (1 - momentum) * running_var[c] + momentum * var * m / (m - 1)
        else:
            mean, var = running_mean[c], running_var[c]
        out[:, c] = gamma[c] * (values - mean) / np.sqrt(var + eps) + beta[c]
    return out, new_mean, new_var


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    dx = np.empty_like(x)
    dgamma = np.empty(x.shape[1])
    dbeta = np.empty(x.shape[1])
    for c in range(x.shape[1]):
        values, g = x[:, c], dout[:, c]
        m = values.size
        inv_std = 1 / np.sqrt(values.var() + eps)
        xhat = (values - values.mean()) * inv_std
        dbeta[c] = g.sum()
        dgamma[c] = (g * xhat).sum()
        dx[:, c] = gamma[c] * inv_std * (g - dbeta[c] / m - xhat * dgamma[c] / m)
    return dx, dgamma, dbeta


def dropout_forward(x, p, mask, training):
    if not training:
        return x.copy()
    out = np.zeros_like(x)
    kept = mask == 1
    if p < 1:
        out[kept] = x[kept] / (1 - p)
    return out


def dropout_backward(dout, p, mask, training):
    if not training:
        return dout.copy()
    dx = np.zeros_like(dout)
    kept = mask == 1
    if p < 1:
        dx[kept] = dout[kept] / (1 - p)
    return dx
'''

# PyTorch's own habit: the running statistics updated in place in training mode (allowed, since
# the new ones are returned too); left alone in evaluation mode.
IN_PLACE_RUNNING = function("batchnorm_forward", """
    axes, shape = channel_axes(x)
    if training:
        m = x.size // x.shape[1]
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        running_mean *= 1 - momentum
        running_mean += momentum * mean
        running_var *= 1 - momentum
        running_var += momentum * var * m / (m - 1)
    else:
        mean, var = running_mean, running_var
    xhat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * xhat + beta.reshape(shape), running_mean, running_var
""")


# --- Classic mistakes: each loses points on the right item, and the feedback names it -----------

UNBIASED_FORWARD = function("batchnorm_forward", """
    axes, shape = channel_axes(x)
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes, ddof=1)  # unbiased, for both
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var
    else:
        mean, var = running_mean, running_var
        new_mean, new_var = running_mean.copy(), running_var.copy()
    xhat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * xhat + beta.reshape(shape), new_mean, new_var
""")

UNBIASED_BACKWARD = function("batchnorm_backward", """
    axes, shape = channel_axes(x)
    m = x.size // x.shape[1]
    inv_std = 1 / np.sqrt(x.var(axis=axes, keepdims=True, ddof=1) + eps)
    xhat = (x - x.mean(axis=axes, keepdims=True)) * inv_std
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    # d var / d x = 2 (x - mean) / (m - 1)
    dx = gamma.reshape(shape) * inv_std * (
        dout - dbeta.reshape(shape) / m - xhat * dgamma.reshape(shape) / (m - 1))
    return dx, dgamma, dbeta
""")


def forward_variant(*, training_stats: str, running: str, normalise: str) -> str:
    """The solution's batchnorm_forward with some of its lines replaced."""
    return function("batchnorm_forward", f"""
        axes, shape = channel_axes(x)
        if training:
            m = x.size // x.shape[1]
            {training_stats}
            {running}
        else:
            mean, var = running_mean, running_var
            new_mean, new_var = running_mean.copy(), running_var.copy()
        {normalise}
    """)


PYTORCH_RUNNING = """new_mean = (1 - momentum) * running_mean + momentum * mean
            new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)"""

MISTAKES = {
    "ivan_keras_momentum": dict(batchnorm_forward=forward_variant(
        training_stats="mean, var = x.mean(axis=axes), x.var(axis=axes)",
        running="""new_mean = momentum * running_mean + (1 - momentum) * mean
            new_var = momentum * running_var + (1 - momentum) * var * m / (m - 1)""",
        normalise="""xhat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
        return gamma.reshape(shape) * xhat + beta.reshape(shape), new_mean, new_var""")),
    "julia_batch_stats_in_eval": dict(batchnorm_forward=function("batchnorm_forward", """
        axes, shape = channel_axes(x)
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        if training:
            m = x.size // x.shape[1]
            new_mean = (1 - momentum) * running_mean + momentum * mean
            new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
        else:
            new_mean, new_var = running_mean.copy(), running_var.copy()
        xhat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
        return gamma.reshape(shape) * xhat + beta.reshape(shape), new_mean, new_var
    """)),
    "kofi_eval_without_gamma_beta": dict(batchnorm_forward=function("batchnorm_forward", """
        axes, shape = channel_axes(x)
        if not training:
            # at test time just normalise with the running statistics
            xhat = (x - running_mean.reshape(shape)) / np.sqrt(running_var.reshape(shape) + eps)
            return xhat, running_mean.copy(), running_var.copy()
        m = x.size // x.shape[1]
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
        xhat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
        return gamma.reshape(shape) * xhat + beta.reshape(shape), new_mean, new_var
    """)),
    "lena_reshape_without_transpose": dict(batchnorm_forward=function("batchnorm_forward", """
        rows = x.reshape(-1, x.shape[1])  # (N*H*W, C) for images, (N, D) stays
        if training:
            m = rows.shape[0]
            mean, var = rows.mean(axis=0), rows.var(axis=0)
            new_mean = (1 - momentum) * running_mean + momentum * mean
            new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
        else:
            mean, var = running_mean, running_var
            new_mean, new_var = running_mean.copy(), running_var.copy()
        out = gamma * (rows - mean) / np.sqrt(var + eps) + beta
        return out.reshape(x.shape), new_mean, new_var
    """)),
    "malik_gamma_forgotten_in_dx": dict(batchnorm_backward=function("batchnorm_backward", """
        axes, shape = channel_axes(x)
        m = x.size // x.shape[1]
        inv_std = 1 / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
        xhat = (x - x.mean(axis=axes, keepdims=True)) * inv_std
        dbeta = dout.sum(axis=axes)
        dgamma = (dout * xhat).sum(axis=axes)
        dx = inv_std / m * (m * dout - dbeta.reshape(shape) - xhat * dgamma.reshape(shape))
        return dx, dgamma, dbeta
    """)),
    "nora_dgamma_over_batch_axis_only": dict(batchnorm_backward=function("batchnorm_backward", """
        axes, shape = channel_axes(x)
        m = x.size // x.shape[1]
        inv_std = 1 / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
        xhat = (x - x.mean(axis=axes, keepdims=True)) * inv_std
        dx = gamma.reshape(shape) * inv_std / m * (
            m * dout - dout.sum(axis=axes, keepdims=True) - xhat * (dout * xhat).sum(axis=axes, keepdims=True))
        dbeta = dout.sum(axis=0)  # as for (N, D)
        dgamma = (dout * xhat).sum(axis=0)
        return dx, dgamma, dbeta
    """)),
    "omar_dropout_in_eval": dict(dropout_forward=function("dropout_forward", """
        if p == 1:
            return np.zeros_like(x)
        return x * mask / (1 - p)
    """)),
    "quinn_backward_ignores_training": dict(dropout_backward=function("dropout_backward", """
        if p == 1:
            return np.zeros_like(dout)
        return dout * mask / (1 - p)
    """)),
    "rosa_eps_outside_sqrt": dict(batchnorm_forward=forward_variant(
        training_stats="mean, var = x.mean(axis=axes), x.var(axis=axes)",
        running=PYTORCH_RUNNING,
        normalise="""xhat = (x - mean.reshape(shape)) / (np.sqrt(var.reshape(shape)) + eps)
        return gamma.reshape(shape) * xhat + beta.reshape(shape), new_mean, new_var""")),
    "sam_eval_times_keep_probability": dict(dropout_forward=function("dropout_forward", """
        if not training:
            return x * (1 - p)  # expected value of the training output
        if p == 1:
            return np.zeros_like(x)
        return x * mask / (1 - p)
    """)),
}


def sample_class() -> dict[str, object]:
    """File stem -> notebook."""
    return {
        # correct, in different styles: all must get full marks
        "ada_compact_formula": NOTEBOOKS.assignment_notebook(SOLUTION),
        "bruno_computational_graph": NOTEBOOKS.own_style(GRAPH_SETUP, GRAPH_STYLE),
        "chen_einsum": NOTEBOOKS.own_style(EINSUM_SETUP, EINSUM_STYLE),
        "dana_loops_over_channels": NOTEBOOKS.plain_notebook(LOOPS_STYLE),
        "emeka_running_stats_in_place": NOTEBOOKS.with_changes(batchnorm_forward=IN_PLACE_RUNNING),
        # a consistent misconception: forward and backward both use the unbiased variance, and the
        # backward is the true gradient of that forward
        "fatima_unbiased_variance_both": NOTEBOOKS.with_changes(batchnorm_forward=UNBIASED_FORWARD,
                                                                batchnorm_backward=UNBIASED_BACKWARD),
        # the same backward with a right forward: the mistake is in the backward pass alone
        "goran_backward_unbiased_only": NOTEBOOKS.with_changes(batchnorm_backward=UNBIASED_BACKWARD),
        # a consistent misconception for dropout: no 1/(1 - p), forward and backward
        "hana_no_rescaling_both": NOTEBOOKS.with_changes(
            dropout_forward=function("dropout_forward", """
                if not training:
                    return x.copy()
                return x * mask
            """),
            dropout_backward=function("dropout_backward", """
                if not training:
                    return dout.copy()
                return dout * mask
            """)),
        # one classic mistake each
        **{stem: NOTEBOOKS.with_changes(**changes) for stem, changes in MISTAKES.items()},
        # right values, but centres the caller's x in place
        "uma_centres_x_in_place": NOTEBOOKS.with_changes(batchnorm_forward=function("batchnorm_forward", """
            axes, shape = channel_axes(x)
            if training:
                m = x.size // x.shape[1]
                mean, var = x.mean(axis=axes), x.var(axis=axes)
                new_mean = (1 - momentum) * running_mean + momentum * mean
                new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
            else:
                mean, var = running_mean, running_var
                new_mean, new_var = running_mean.copy(), running_var.copy()
            x -= mean.reshape(shape)  # centre
            x /= np.sqrt(var.reshape(shape) + eps)  # and scale, without a copy
            return gamma.reshape(shape) * x + beta.reshape(shape), new_mean, new_var
        """)),
        # in evaluation mode, var is running_var itself: += eps changes the caller's array
        "vera_aliased_running_var": NOTEBOOKS.with_changes(batchnorm_forward=function("batchnorm_forward", """
            axes, shape = channel_axes(x)
            if training:
                m = x.size // x.shape[1]
                mean, var = x.mean(axis=axes), x.var(axis=axes)
                new_mean = (1 - momentum) * running_mean + momentum * mean
                new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
            else:
                mean, var = running_mean, running_var
                new_mean, new_var = running_mean, running_var
            var += eps  # ready for the square root
            xhat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape))
            return gamma.reshape(shape) * xhat + beta.reshape(shape), new_mean, new_var
        """)),
        # the library's batch norm, which this assignment bans
        "wei_torch_batch_norm": NOTEBOOKS.with_changes(batchnorm_forward='''import torch
import torch.nn.functional as F


''' + function("batchnorm_forward", """
            new_mean, new_var = torch.tensor(running_mean), torch.tensor(running_var)  # updated in place
            out = F.batch_norm(torch.from_numpy(x), new_mean, new_var, torch.from_numpy(gamma),
                               torch.from_numpy(beta), training, momentum, eps)
            return out.numpy(), new_mean.numpy(), new_var.numpy()
        """)),
        "xena_untouched_template": NOTEBOOKS.assignment_notebook(TEMPLATE),
    }


def main(out: Path = HERE) -> None:
    """Write the notebooks under ``out`` (default: this folder, where they are committed)."""
    NOTEBOOKS.write_all(out, sample_class())


if __name__ == "__main__":
    main()
