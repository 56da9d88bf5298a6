"""Write the pooling notebooks: the student template, the solution and the sample class.

The notebooks are committed; this script is how they were made, so that a change to the
teaching text or to a sample is one edit here. Run: ``python assignments/pooling/make_notebooks.py``.
Cell ids are numbered, not random, so that running it again gives the same bytes.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
if str(HERE.parent) not in sys.path:  # notebook_parts sits in assignments/, which is not a package
    sys.path.insert(0, str(HERE.parent))
from notebook_parts import AssignmentNotebooks, graded_function, self_check_source  # noqa: E402

ASSIGNMENT = "pooling"
FUNCTIONS = ["max_pool_forward", "max_pool_backward", "avg_pool_forward", "avg_pool_backward",
             "global_avg_pool"]

INTRO = r"""# Assignment: pooling layers and their gradients

A pooling layer slides a small window over each channel of its input and keeps one number per
window: the largest (**max pooling**) or the mean (**average pooling**). In this assignment you
write, in plain NumPy, what `torch.nn.MaxPool2d` and `torch.nn.AvgPool2d` compute, and their
backward passes:

| function | returns |
|---|---|
| `max_pool_forward(x, kernel_size, stride=None)` | the maximum of each window, `(N, C, OH, OW)` |
| `max_pool_backward(dout, x, kernel_size, stride=None)` | the gradient with respect to `x`, `(N, C, H, W)` |
| `avg_pool_forward(x, kernel_size, stride=None)` | the mean of each window, `(N, C, OH, OW)` |
| `avg_pool_backward(dout, x, kernel_size, stride=None)` | the gradient with respect to `x`, `(N, C, H, W)` |
| `global_avg_pool(x)` | the mean of each channel, `(N, C)` |

The rules, for every function:

- `x` is a float64 array of shape `(N, C, H, W)`; there is no padding.
- `kernel_size` and `stride` are an int (the same in both directions) or a pair `(height, width)`.
  `stride=None` means `stride = kernel_size`: the windows sit side by side.
- A window that does not fit in the input is dropped:
  $OH = \lfloor (H - K_H) / S_H \rfloor + 1$ and $OW = \lfloor (W - K_W) / S_W \rfloor + 1$.
- `dout` is the gradient of the loss with respect to the forward's output (same shape).
- Never change the arrays you are given (`x`, `dout`): the caller uses them again. Work on copies.
- Plain NumPy only: the library pooling functions (`torch.nn.functional.max_pool2d` and friends,
  `scipy.ndimage`, `skimage.measure.block_reduce`) do not work in this assignment.

Write your code only in the cells marked **graded** (they carry the tag `graded:<name>`). Keep the
function names and signatures. Run the self-check cell at the end as often as you like."""

SETUP_TEXT = r"""## Setup

`as_pair` turns a `kernel_size` or a `stride` into `(height, width)`. Use it, change it, or write
your own."""

SETUP = '''import numpy as np


def as_pair(size):
    """(height, width) from an int or a pair: as_pair(2) == (2, 2), as_pair((2, 3)) == (2, 3)."""
    return (size, size) if isinstance(size, int) else tuple(size)'''

MAX_TEXT = r"""## 1. Max pooling, forward

Output $(i, j)$ of channel $c$ of sample $n$ is the largest value of the window that starts at
row $i\,S_H$ and column $j\,S_W$:

$$\text{out}[n, c, i, j] = \max_{0 \le u < K_H,\ 0 \le v < K_W} x[n, c,\ i S_H + u,\ j S_W + v].$$

*Worked example* (the lecture's). 2×2 max pooling with stride 2 of

$$\begin{pmatrix} 1 & 1 & 2 & 5 \\ 5 & 7 & 7 & 8 \\ 3 & 1 & 1 & 0 \\ 1 & 2 & 3 & 4 \end{pmatrix}
\quad\text{gives}\quad \begin{pmatrix} 7 & 8 \\ 3 & 4 \end{pmatrix}.$$

With 3×3 windows and stride 1 the windows overlap, and one input can be the maximum of several
windows. Careful with negative numbers: the maximum of $-3$ and $-5$ is $-3$, not $0$."""

MAX_BACKWARD_TEXT = r"""## 2. Max pooling, backward

Only the maximum of a window influences the output, so the window's gradient
$\text{dout}[n, c, i, j]$ goes to the position of its maximum and nowhere else:

$$dx[n, c, h, w] = \sum_{(i, j)\,:\ (h, w) \text{ is the maximum of window } (i, j)} \text{dout}[n, c, i, j].$$

Where windows overlap, a position can receive gradient from several windows: **add** (`+=`), do not
overwrite (`=`).

**Ties.** When a window holds its maximum more than once, the whole gradient goes to the
**first** maximum in row-major scan order (row by row, left to right), which is what PyTorch
does and what `np.argmax` gives you. (Splitting it equally among the tied maxima is also
accepted.)

*Worked example.* For the 4×4 input above, 2×2 windows, and $\text{dout} = \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$:

$$dx = \begin{pmatrix} 0 & 0 & 0 & 0 \\ 0 & 1 & 0 & 2 \\ 3 & 0 & 0 & 0 \\ 0 & 0 & 0 & 4 \end{pmatrix}.$$

A single 2×2 window $\begin{pmatrix} 1 & 3 \\ 3 & 2 \end{pmatrix}$ with $\text{dout} = 1$ gives
$\begin{pmatrix} 0 & 1 \\ 0 & 0 \end{pmatrix}$: the first 3 gets it all."""

AVG_TEXT = r"""## 3. Average pooling, forward

Output $(i, j)$ is the mean of the same window:

$$\text{out}[n, c, i, j] = \frac{1}{K_H K_W} \sum_{u=0}^{K_H-1} \sum_{v=0}^{K_W-1} x[n, c,\ i S_H + u,\ j S_W + v].$$

*Worked example* (the lecture's). 2×2 mean pooling of the 4×4 input above gives
$\begin{pmatrix} 3.5 & 5.5 \\ 1.75 & 2 \end{pmatrix}$."""

AVG_BACKWARD_TEXT = r"""## 4. Average pooling, backward

Every element of a window contributes $1/(K_H K_W)$ of it to the output, so each gets that share
of the window's gradient; with overlapping windows the shares **add up**:

$$dx[n, c,\ i S_H + u,\ j S_W + v] \mathrel{+}= \frac{\text{dout}[n, c, i, j]}{K_H K_W}.$$

*Worked example.* 2×2 windows side by side and $\text{dout} = \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$:
every element of the top-left window gets $1/4$, of the top-right window $2/4$, and so on."""

GLOBAL_TEXT = r"""## 5. Global average pooling

The mean of each channel over all of $H$ and $W$, one number per sample and channel, shape
$(N, C)$ (what `torch.nn.AdaptiveAvgPool2d(1)` computes, then flattened):

$$\text{out}[n, c] = \frac{1}{H W} \sum_{h, w} x[n, c, h, w].$$

*Worked example.* The 4×4 input above: $51 / 16 = 3.1875$."""

SIGNATURES = {
    "max_pool_forward": ('def max_pool_forward(x, kernel_size, stride=None):',
                         '"""Max pooling of x (N, C, H, W): the maximum of each window, (N, C, OH, OW)."""'),
    "max_pool_backward": ('def max_pool_backward(dout, x, kernel_size, stride=None):',
                          '"""Gradient of max_pool_forward with respect to x, (N, C, H, W)."""'),
    "avg_pool_forward": ('def avg_pool_forward(x, kernel_size, stride=None):',
                         '"""Average pooling of x (N, C, H, W): the mean of each window, (N, C, OH, OW)."""'),
    "avg_pool_backward": ('def avg_pool_backward(dout, x, kernel_size, stride=None):',
                          '"""Gradient of avg_pool_forward with respect to x, (N, C, H, W)."""'),
    "global_avg_pool": ('def global_avg_pool(x):',
                        '"""Mean of each channel of x (N, C, H, W) over H and W, (N, C)."""'),
}


def function(name: str, body: str) -> str:
    """A graded function: the contract's signature and docstring, then ``body``."""
    return graded_function(SIGNATURES[name], body)


TEMPLATE = {name: function(name, "# YOUR CODE HERE\nraise NotImplementedError()") for name in FUNCTIONS}

# The solution: explicit loops over the output positions, the way the formulas read.
SOLUTION = {
    "max_pool_forward": function("max_pool_forward", """
        kh, kw = as_pair(kernel_size)
        sh, sw = as_pair(kernel_size if stride is None else stride)
        n, c, h, w = x.shape
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        out = np.empty((n, c, oh, ow))
        for i in range(oh):
            for j in range(ow):
                window = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                out[:, :, i, j] = window.max(axis=(2, 3))
        return out
    """),
    "max_pool_backward": function("max_pool_backward", """
        kh, kw = as_pair(kernel_size)
        sh, sw = as_pair(kernel_size if stride is None else stride)
        n, c, oh, ow = dout.shape
        dx = np.zeros_like(x)
        for b in range(n):
            for ch in range(c):
                for i in range(oh):
                    for j in range(ow):
                        window = x[b, ch, i * sh:i * sh + kh, j * sw:j * sw + kw]
                        u, v = np.unravel_index(np.argmax(window), window.shape)  # the first maximum
                        dx[b, ch, i * sh + u, j * sw + v] += dout[b, ch, i, j]
        return dx
    """),
    "avg_pool_forward": function("avg_pool_forward", """
        kh, kw = as_pair(kernel_size)
        sh, sw = as_pair(kernel_size if stride is None else stride)
        n, c, h, w = x.shape
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        out = np.empty((n, c, oh, ow))
        for i in range(oh):
            for j in range(ow):
                out[:, :, i, j] = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].mean(axis=(2, 3))
        return out
    """),
    "avg_pool_backward": function("avg_pool_backward", """
        kh, kw = as_pair(kernel_size)
        sh, sw = as_pair(kernel_size if stride is None else stride)
        n, c, oh, ow = dout.shape
        dx = np.zeros_like(x)
        for i in range(oh):
            for j in range(ow):
                dx[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += dout[:, :, i, j, None, None] / (kh * kw)
        return dx
    """),
    "global_avg_pool": function("global_avg_pool", """
        return x.mean(axis=(2, 3))
    """),
}

TEXTS = {
    "max_pool_forward": MAX_TEXT,
    "max_pool_backward": MAX_BACKWARD_TEXT,
    "avg_pool_forward": AVG_TEXT,
    "avg_pool_backward": AVG_BACKWARD_TEXT,
    "global_avg_pool": GLOBAL_TEXT,
}

EXAMPLES = {
    "max_pool_forward": """x = np.array([[1, 1, 2, 5], [5, 7, 7, 8], [3, 1, 1, 0], [1, 2, 3, 4]], float)[None, None]
print(max_pool_forward(x, 2)[0, 0])     # [[7. 8.] [3. 4.]]
print(max_pool_forward(x, 3, stride=1)[0, 0])  # [[7. 8.] [7. 8.]]
print(max_pool_forward(x - 10, 2)[0, 0])  # [[-3. -2.] [-7. -6.]]""",
    "max_pool_backward": """dout = np.array([[1, 2], [3, 4]], float)[None, None]
print(max_pool_backward(dout, x, 2)[0, 0])  # 1, 2, 3, 4 at the positions of 7, 8, 3, 4
tie = np.array([[1, 3], [3, 2]], float)[None, None]
print(max_pool_backward(np.ones((1, 1, 1, 1)), tie, 2)[0, 0])  # [[0. 1.] [0. 0.]]""",
    "avg_pool_forward": """print(avg_pool_forward(x, 2)[0, 0])  # [[3.5  5.5 ] [1.75 2.  ]]
print(avg_pool_forward(x, (2, 4))[0, 0])  # [[4.5 ] [1.875]]""",
    "avg_pool_backward": """print(avg_pool_backward(dout, x, 2)[0, 0])  # quarters: 0.25 top left ... 1.0 bottom right""",
    "global_avg_pool": """print(global_avg_pool(x))  # [[3.1875]]""",
}


NOTEBOOKS = AssignmentNotebooks(
    ASSIGNMENT, FUNCTIONS, INTRO, TEXTS, EXAMPLES, TEMPLATE, SOLUTION,
    self_check=self_check_source(ASSIGNMENT, FUNCTIONS), setup_text=SETUP_TEXT, setup=SETUP,
    signatures=SIGNATURES,
)


# --- Correct solutions in other styles: each must get full marks ------------------------------

# Windows as a strided view; the backward adds, tap by tap, a strided slice of the gradient.
SLIDING_WINDOW_STYLE = '''
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def windows(x, kernel_size, stride):
    """(N, C, OH, OW, KH, KW) view of the windows, and the stride."""
    kh, kw = pair(kernel_size)
    sh, sw = pair(kernel_size if stride is None else stride)
    every = sliding_window_view(x, (kh, kw), axis=(2, 3))  # windows at every position
    return every[:, :, ::sh, ::sw], (sh, sw)


def add_windows(per_tap, shape, stride):
    """Add each window's (KH, KW) gradient back where the window came from."""
    sh, sw = stride
    n, c, oh, ow, kh, kw = per_tap.shape
    dx = np.zeros(shape)
    for u in range(kh):
        for v in range(kw):
            # tap (u, v) of the windows: distinct positions, so one slice += is safe
            dx[:, :, u:u + (oh - 1) * sh + 1:sh, v:v + (ow - 1) * sw + 1:sw] += per_tap[..., u, v]
    return dx


def max_pool_forward(x, kernel_size, stride=None):
    w, _ = windows(x, kernel_size, stride)
    return w.max(axis=(-2, -1))


def max_pool_backward(dout, x, kernel_size, stride=None):
    w, s = windows(x, kernel_size, stride)
    n, c, oh, ow, kh, kw = w.shape
    first = w.reshape(n, c, oh, ow, kh * kw).argmax(axis=-1)
    one_hot = (np.arange(kh * kw) == first[..., None]).reshape(w.shape)
    return add_windows(one_hot * dout[..., None, None], x.shape, s)


def avg_pool_forward(x, kernel_size, stride=None):
    w, _ = windows(x, kernel_size, stride)
    return w.mean(axis=(-2, -1))


def avg_pool_backward(dout, x, kernel_size, stride=None):
    w, s = windows(x, kernel_size, stride)
    kh, kw = w.shape[-2:]
    share = np.broadcast_to(dout[..., None, None] / (kh * kw), w.shape)
    return add_windows(share, x.shape, s)


def global_avg_pool(x):
    return x.mean(axis=(-2, -1))
'''

# Reshape when the windows tile the input, as_strided otherwise; argmax + unravel_index backward.
RESHAPE_SETUP = '''
import numpy as np
from numpy.lib.stride_tricks import as_strided


def geometry(x, kernel_size, stride):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    if stride is None:
        stride = (kh, kw)
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    n, c, h, w = x.shape
    return kh, kw, sh, sw, (h - kh) // sh + 1, (w - kw) // sw + 1


def tiles(x, kh, kw, sh, sw):
    """Windows side by side that cover the input exactly: a reshape finds them."""
    return (sh, sw) == (kh, kw) and x.shape[2] % kh == 0 and x.shape[3] % kw == 0


def windows(x, kernel_size, stride):
    kh, kw, sh, sw, oh, ow = geometry(x, kernel_size, stride)
    n, c = x.shape[:2]
    if tiles(x, kh, kw, sh, sw):
        return x.reshape(n, c, oh, kh, ow, kw).transpose(0, 1, 2, 4, 3, 5)
    x = np.ascontiguousarray(x)
    s0, s1, s2, s3 = x.strides
    return as_strided(x, (n, c, oh, ow, kh, kw), (s0, s1, s2 * sh, s3 * sw, s2, s3), writeable=False)
'''

RESHAPE_STYLE = {
    "max_pool_forward": """
        return windows(x, kernel_size, stride).max(axis=(4, 5))
    """,
    "max_pool_backward": """
        kh, kw, sh, sw, oh, ow = geometry(x, kernel_size, stride)
        n, c = x.shape[:2]
        flat = windows(x, kernel_size, stride).reshape(n, c, oh, ow, kh * kw)
        u, v = np.unravel_index(flat.argmax(axis=-1), (kh, kw))  # the first maximum of each window
        dx = np.zeros_like(x)
        nn, cc = np.indices((n, c))
        for i in range(oh):
            for j in range(ow):
                dx[nn, cc, i * sh + u[:, :, i, j], j * sw + v[:, :, i, j]] += dout[:, :, i, j]
        return dx
    """,
    "avg_pool_forward": """
        return windows(x, kernel_size, stride).mean(axis=(4, 5))
    """,
    "avg_pool_backward": """
        kh, kw, sh, sw, oh, ow = geometry(x, kernel_size, stride)
        if tiles(x, kh, kw, sh, sw):
            return np.repeat(np.repeat(dout, kh, axis=2), kw, axis=3) / (kh * kw)
        dx = np.zeros_like(x)
        for i in range(oh):
            for j in range(ow):
                dx[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += dout[:, :, i:i + 1, j:j + 1] / (kh * kw)
        return dx
    """,
    "global_avg_pool": """
        n, c = x.shape[:2]
        return x.reshape(n, c, -1).mean(axis=2)
    """,
}

# Windows picked by 0/1 selection matrices and np.einsum, forward and backward.
EINSUM_SETUP = '''
import numpy as np


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def taps(size, k, s):
    """T[u, i, h] = 1 where input row h is tap u of window i, that is h = i*s + u."""
    out = (size - k) // s + 1
    t = np.zeros((k, out, size))
    for u in range(k):
        t[u, np.arange(out), np.arange(out) * s + u] = 1.0
    return t


def selections(x, kernel_size, stride):
    (kh, kw), (sh, sw) = pair(kernel_size), pair(kernel_size if stride is None else stride)
    return taps(x.shape[2], kh, sh), taps(x.shape[3], kw, sw)
'''

EINSUM_STYLE = {
    "max_pool_forward": """
        th, tw = selections(x, kernel_size, stride)
        return np.einsum("uih,nchw,vjw->ncijuv", th, x, tw).max(axis=(4, 5))
    """,
    "max_pool_backward": """
        th, tw = selections(x, kernel_size, stride)
        w = np.einsum("uih,nchw,vjw->ncijuv", th, x, tw)
        n, c, oh, ow, kh, kw = w.shape
        first = np.eye(kh * kw)[w.reshape(n, c, oh, ow, kh * kw).argmax(axis=-1)].reshape(w.shape)
        return np.einsum("uih,ncij,ncijuv,vjw->nchw", th, dout, first, tw)
    """,
    "avg_pool_forward": """
        th, tw = selections(x, kernel_size, stride)
        return np.einsum("uih,nchw,vjw->ncij", th, x, tw) / (len(th) * len(tw))
    """,
    "avg_pool_backward": """
        th, tw = selections(x, kernel_size, stride)
        return np.einsum("uih,ncij,vjw->nchw", th, dout, tw) / (len(th) * len(tw))
    """,
    "global_avg_pool": """
        return np.einsum("nchw->nc", x) / (x.shape[2] * x.shape[3])
    """,
}

# Fancy indexing gathers every window at once; np.add.at scatters the gradient back.
ADD_AT_SETUP = '''
import numpy as np


def window_index(shape, kernel_size, stride):
    """Row and column index arrays, broadcasting to (OH, OW, KH, KW)."""
    kh, kw = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    sh, sw = (kh, kw) if stride is None else (stride,) * 2 if isinstance(stride, int) else stride
    oh, ow = (shape[2] - kh) // sh + 1, (shape[3] - kw) // sw + 1
    rows = (np.arange(oh) * sh)[:, None, None, None] + np.arange(kh)[None, None, :, None]
    cols = (np.arange(ow) * sw)[None, :, None, None] + np.arange(kw)[None, None, None, :]
    return np.broadcast_arrays(rows, cols)
'''

ADD_AT_STYLE = {
    "max_pool_forward": """
        rows, cols = window_index(x.shape, kernel_size, stride)
        return x[:, :, rows, cols].max(axis=(-2, -1))
    """,
    "max_pool_backward": """
        rows, cols = window_index(x.shape, kernel_size, stride)
        w = x[:, :, rows, cols]
        n, c, oh, ow, kh, kw = w.shape
        first = w.reshape(n, c, oh, ow, -1).argmax(axis=-1)
        hit = (np.arange(kh * kw) == first[..., None]).reshape(w.shape)
        dx = np.zeros_like(x)
        np.add.at(dx, (slice(None), slice(None), rows, cols), hit * dout[..., None, None])
        return dx
    """,
    "avg_pool_forward": """
        rows, cols = window_index(x.shape, kernel_size, stride)
        return x[:, :, rows, cols].mean(axis=(-2, -1))
    """,
    "avg_pool_backward": """
        rows, cols = window_index(x.shape, kernel_size, stride)
        kh, kw = rows.shape[-2:]
        share = np.broadcast_to(dout[..., None, None] / (kh * kw), dout.shape + (kh, kw))
        dx = np.zeros_like(x)
        np.add.at(dx, (slice(None), slice(None), rows, cols), share)
        return dx
    """,
    "global_avg_pool": """
        return x.sum(axis=(2, 3)) / (x.shape[2] * x.shape[3])
    """,
}

# The other tie rule: the tied maxima of a window share its gradient equally.
SPLIT_TIES = function("max_pool_backward", """
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    n, c, oh, ow = dout.shape
    dx = np.zeros_like(x)
    for i in range(oh):
        for j in range(ow):
            window = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            top = window == window.max(axis=(2, 3), keepdims=True)
            share = top / top.sum(axis=(2, 3), keepdims=True)
            dx[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += share * dout[:, :, i, j, None, None]
    return dx
""")


# --- Classic mistakes: each loses points on the right item, and the feedback names it -----------

STRIDE_IGNORED_FORWARD = function("max_pool_forward", """
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    n, c, h, w = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.empty((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = x[:, :, i:i + kh, j:j + kw].max(axis=(2, 3))
    return out
""")

STRIDE_IGNORED_BACKWARD = function("max_pool_backward", """
    kh, kw = as_pair(kernel_size)
    n, c, oh, ow = dout.shape
    dx = np.zeros_like(x)
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    window = x[b, ch, i:i + kh, j:j + kw]
                    u, v = np.unravel_index(np.argmax(window), window.shape)
                    dx[b, ch, i + u, j + v] += dout[b, ch, i, j]
    return dx
""")

MISTAKES = {
    "hana_stride_default_one": dict(max_pool_forward=function("max_pool_forward", """
        kh, kw = as_pair(kernel_size)
        sh, sw = as_pair(stride or 1)
        n, c, h, w = x.shape
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        out = np.empty((n, c, oh, ow))
        for i in range(oh):
            for j in range(ow):
                out[:, :, i, j] = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].max(axis=(2, 3))
        return out
    """)),
    "ivan_height_for_width": dict(avg_pool_forward=function("avg_pool_forward", """
        k = kernel_size if isinstance(kernel_size, int) else kernel_size[0]
        s = k if stride is None else stride if isinstance(stride, int) else stride[0]
        n, c, h, w = x.shape
        oh, ow = (h - k) // s + 1, (w - k) // s + 1
        out = np.empty((n, c, oh, ow))
        for i in range(oh):
            for j in range(ow):
                out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].mean(axis=(2, 3))
        return out
    """)),
    "julia_max_starts_at_zero": dict(max_pool_forward=function("max_pool_forward", """
        kh, kw = as_pair(kernel_size)
        sh, sw = as_pair(kernel_size if stride is None else stride)
        n, c, h, w = x.shape
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        out = np.zeros((n, c, oh, ow))  # running maximum
        for i in range(oh):
            for j in range(ow):
                for u in range(kh):
                    for v in range(kw):
                        out[:, :, i, j] = np.maximum(out[:, :, i, j], x[:, :, i * sh + u, j * sw + v])
        return out
    """)),
    "kofi_overwrite_overlaps": dict(max_pool_backward=function("max_pool_backward", """
        kh, kw = as_pair(kernel_size)
        sh, sw = as_pair(kernel_size if stride is None else stride)
        n, c, oh, ow = dout.shape
        dx = np.zeros_like(x)
        for b in range(n):
            for ch in range(c):
                for i in range(oh):
                    for j in range(ow):
                        window = x[b, ch, i * sh:i * sh + kh, j * sw:j * sw + kw]
                        u, v = np.unravel_index(np.argmax(window), window.shape)
                        dx[b, ch, i * sh + u, j * sw + v] = dout[b, ch, i, j]
        return dx
    """)),
    "lena_avg_assigns": dict(avg_pool_backward=function("avg_pool_backward", """
        kh, kw = as_pair(kernel_size)
        sh, sw = as_pair(kernel_size if stride is None else stride)
        n, c, oh, ow = dout.shape
        dx = np.zeros_like(x)
        for i in range(oh):
            for j in range(ow):
                dx[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] = dout[:, :, i, j, None, None] / (kh * kw)
        return dx
    """)),
    "malik_no_division": dict(avg_pool_backward=function("avg_pool_backward", """
        kh, kw = as_pair(kernel_size)
        sh, sw = as_pair(kernel_size if stride is None else stride)
        n, c, oh, ow = dout.shape
        dx = np.zeros_like(x)
        for i in range(oh):
            for j in range(ow):
                dx[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += dout[:, :, i, j, None, None]
        return dx
    """)),
    "nora_all_ties_get_it": dict(max_pool_backward=function("max_pool_backward", """
        kh, kw = as_pair(kernel_size)
        sh, sw = as_pair(kernel_size if stride is None else stride)
        n, c, oh, ow = dout.shape
        dx = np.zeros_like(x)
        for i in range(oh):
            for j in range(ow):
                window = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                mask = window == window.max(axis=(2, 3), keepdims=True)
                dx[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += mask * dout[:, :, i, j, None, None]
        return dx
    """)),
    "omar_last_tie": dict(max_pool_backward=function("max_pool_backward", """
        kh, kw = as_pair(kernel_size)
        sh, sw = as_pair(kernel_size if stride is None else stride)
        n, c, oh, ow = dout.shape
        dx = np.zeros_like(x)
        for b in range(n):
            for ch in range(c):
                for i in range(oh):
                    for j in range(ow):
                        best, at = -np.inf, (0, 0)
                        for u in range(kh):
                            for v in range(kw):
                                if x[b, ch, i * sh + u, j * sw + v] >= best:
                                    best, at = x[b, ch, i * sh + u, j * sw + v], (u, v)
                        dx[b, ch, i * sh + at[0], j * sw + at[1]] += dout[b, ch, i, j]
        return dx
    """)),
    "petra_avg_windows_slide_by_one": dict(avg_pool_forward=function("avg_pool_forward", """
        kh, kw = as_pair(kernel_size)
        sh, sw = as_pair(kernel_size if stride is None else stride)
        n, c, h, w = x.shape
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        out = np.empty((n, c, oh, ow))
        for i in range(oh):
            for j in range(ow):
                out[:, :, i, j] = x[:, :, i:i + kh, j:j + kw].mean(axis=(2, 3))
        return out
    """)),
}


def sample_class() -> dict[str, object]:
    """File stem -> notebook."""
    return {
        # correct, in different styles: all must get full marks
        "ada_loops": NOTEBOOKS.assignment_notebook(SOLUTION),
        "bruno_sliding_window": NOTEBOOKS.plain_notebook(SLIDING_WINDOW_STYLE),
        "chen_reshape_or_as_strided": NOTEBOOKS.own_style(RESHAPE_SETUP, RESHAPE_STYLE),
        "dana_einsum": NOTEBOOKS.own_style(EINSUM_SETUP, EINSUM_STYLE),
        "emeka_add_at": NOTEBOOKS.own_style(ADD_AT_SETUP, ADD_AT_STYLE),
        "uma_split_ties": NOTEBOOKS.with_changes(max_pool_backward=SPLIT_TIES),
        # a consistent misconception: forward and backward both slide the windows by 1, and the
        # backward is the true gradient of that forward
        "fatima_stride_ignored_both": NOTEBOOKS.with_changes(max_pool_forward=STRIDE_IGNORED_FORWARD,
                                                             max_pool_backward=STRIDE_IGNORED_BACKWARD),
        # the same backward with a right forward: the mistake is in the backward pass alone
        "goran_backward_stride_ignored": NOTEBOOKS.with_changes(max_pool_backward=STRIDE_IGNORED_BACKWARD),
        # one classic mistake each
        **{stem: NOTEBOOKS.with_changes(**changes) for stem, changes in MISTAKES.items()},
        # right values, but divides the caller's x in place
        "rosa_scales_x_in_place": NOTEBOOKS.with_changes(avg_pool_forward=function("avg_pool_forward", """
            kh, kw = as_pair(kernel_size)
            sh, sw = as_pair(kernel_size if stride is None else stride)
            n, c, h, w = x.shape
            oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
            x /= kh * kw  # scale once, then each window's sum is its mean
            out = np.empty((n, c, oh, ow))
            for i in range(oh):
                for j in range(ow):
                    out[:, :, i, j] = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].sum(axis=(2, 3))
            return out
        """)),
        # the library's pooling, which this assignment bans
        "sam_torch_max_pool": NOTEBOOKS.with_changes(max_pool_forward='''import torch
import torch.nn.functional as F


''' + function("max_pool_forward", """
            return F.max_pool2d(torch.from_numpy(x), kernel_size, stride).numpy()
        """)),
        "tariq_untouched_template": NOTEBOOKS.assignment_notebook(TEMPLATE),
    }


def main(out: Path = HERE) -> None:
    """Write the notebooks under ``out`` (default: this folder, where they are committed)."""
    NOTEBOOKS.write_all(out, sample_class())


if __name__ == "__main__":
    main()
