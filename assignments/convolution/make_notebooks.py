"""Write the convolution notebooks: the student template, the solution and the sample class.

The notebooks are committed; this script is how they were made, so that a change to the
teaching text or to a sample is one edit here. Run: ``python assignments/convolution/make_notebooks.py``.
Cell ids are derived from the cells, not random, so that running it again gives the same bytes.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
if str(HERE.parent) not in sys.path:  # notebook_parts sits in assignments/, which is not a package
    sys.path.insert(0, str(HERE.parent))
from notebook_parts import AssignmentNotebooks, graded_function, hashed_ids, self_check_source  # noqa: E402

ASSIGNMENT = "convolution"
FUNCTIONS = ["conv2d_forward", "conv2d_backward", "convolve2d"]

INTRO = r"""# Assignment: convolution layers and their gradients

A convolution layer slides small learned filters over its input. In this assignment you write, in
plain NumPy, what `torch.nn.functional.conv2d` computes, its backward pass, and the true
convolution of the course notes:

| function | returns |
|---|---|
| `conv2d_forward(x, w, b, stride=1, padding=0)` | the layer's output, `(N, F, OH, OW)` |
| `conv2d_backward(dout, x, w, b, stride=1, padding=0)` | the gradients `(dx, dw, db)` |
| `convolve2d(image, kernel)` | the true 2-D convolution of one channel, `'valid'` |

The rules, for every function:

- `x` is a float64 array of shape `(N, C, H, W)`: $N$ samples of $C$ channels. `w` holds $F$
  filters, `(F, C, KH, KW)`; `b` is `(F,)`, or `None` for a layer without a bias.
- `stride` and `padding` are an int (the same in both directions) or a pair `(height, width)`:
  `stride=(2, 1)` steps 2 rows down and 1 column across; `padding=(0, 1)` adds no zero rows and
  one zero column on the left **and** one on the right.
- The output size (a window that does not fit is dropped):
  $OH = \lfloor (H + 2P_H - K_H) / S_H \rfloor + 1$, $OW = \lfloor (W + 2P_W - K_W) / S_W \rfloor + 1$.
- `dout` is the gradient of the loss with respect to the forward's output (same shape).
- Never change the arrays you are given (`x`, `w`, `b`, `dout`, `image`, `kernel`): the caller uses
  them again. Work on copies.
- Plain NumPy only: the library convolutions (`torch.nn.functional.conv2d`, `torch.nn.Conv2d`,
  `scipy.signal`, `scipy.ndimage`, `np.convolve`, `np.correlate`) and automatic differentiation
  do not work in this assignment.

Write your code only in the cells marked **graded** (they carry the tag `graded:<name>`). Keep the
function names and signatures. Run the self-check cell at the end as often as you like."""

SETUP_TEXT = r"""## Setup

`as_pair` turns a `stride` or a `padding` into `(height, width)`. Use it, change it, or write
your own."""

SETUP = '''import numpy as np


def as_pair(value):
    """(height, width) from an int or a pair: as_pair(2) == (2, 2), as_pair((2, 1)) == (2, 1)."""
    return (value, value) if isinstance(value, int) else tuple(value)'''

FORWARD_TEXT = r"""## 1. Convolution layer, forward

Deep-learning libraries call it convolution, but they slide the kernel **as it is** (strictly, a
cross-correlation). Pad $x$ with $P_H$ rows of zeros at the top and at the bottom and $P_W$
columns at the left and at the right, giving $x_\text{pad}$; then output $(i, j)$ of filter $f$
reads the window that starts at row $i\,S_H$ and column $j\,S_W$:

$$\text{out}[n, f, i, j] = b[f] + \sum_{c=0}^{C-1} \sum_{u=0}^{K_H-1} \sum_{v=0}^{K_W-1}
  w[f, c, u, v]\; x_\text{pad}[n, c,\ i S_H + u,\ j S_W + v].$$

*Worked example* (the lectures' vertical-edge detector). The 6×6 image whose left three columns are
10 and right three are 0, with the kernel $\begin{pmatrix} 1 & 0 & -1 \\ 1 & 0 & -1 \\ 1 & 0 & -1 \end{pmatrix}$,
gives 4 rows of $(0, 30, 30, 0)$: bright-to-dark edges light up with $+30$.

*Worked example* (CS231n's layout). A 5×5 input holding $0, 1, \dots, 24$ row by row, a 3×3 kernel
of ones, stride 2 and padding 1 give the 3×3 output of sums
$\begin{pmatrix} 12 & 27 & 24 \\ 63 & 108 & 81 \\ 72 & 117 & 84 \end{pmatrix}$."""

BACKWARD_TEXT = r"""## 2. Convolution layer, backward

With the loss $L$ and $\text{dout} = \partial L / \partial \text{out}$, differentiate the sum above
term by term:

$$db[f] = \sum_{n, i, j} \text{dout}[n, f, i, j], \qquad
dw[f, c, u, v] = \sum_{n, i, j} \text{dout}[n, f, i, j]\; x_\text{pad}[n, c,\ i S_H + u,\ j S_W + v],$$

$$dx_\text{pad}[n, c,\ i S_H + u,\ j S_W + v] \mathrel{+}= \text{dout}[n, f, i, j]\; w[f, c, u, v]
\quad\text{for every } f, i, j, u, v,$$

and $dx$ is $dx_\text{pad}$ without its padding: rows $P_H$ to $P_H + H - 1$, columns $P_W$ to
$P_W + W - 1$. Each output position sends its gradient back to the window it read. Windows overlap
when the stride is smaller than the kernel: **add** (`+=`), do not overwrite (`=`). The same holds
for `dw` across the samples of the batch: it is a sum, not the last sample's value and not a mean.
`db` is `None` when `b` is `None`. Return the tuple `(dx, dw, db)`.

*Worked example.* $x = \begin{pmatrix} 1 & 2 & 3 \\ 4 & 5 & 6 \\ 7 & 8 & 9 \end{pmatrix}$,
$w = \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$, $b = (0)$ and a `dout` of ones (2×2) give
$dx = \begin{pmatrix} 1 & 3 & 2 \\ 4 & 10 & 6 \\ 3 & 7 & 4 \end{pmatrix}$ (the kernel taps that
touched each pixel), $dw = \begin{pmatrix} 12 & 16 \\ 24 & 28 \end{pmatrix}$ (the window sums)
and $db = (4)$."""

CONVOLVE_TEXT = r"""## 3. True convolution

The convolution of the course notes (and of `scipy.signal.convolve2d`) turns the kernel by
180 degrees before sliding it: $\tilde k[u, v] = k[K_H - 1 - u,\ K_W - 1 - v]$, that is
`kernel[::-1, ::-1]`, both axes. One channel, no padding, stride 1 (`'valid'`):

$$\text{out}[i, j] = \sum_{u=0}^{K_H-1} \sum_{v=0}^{K_W-1} \text{image}[i + u,\ j + v]\;
  k[K_H - 1 - u,\ K_W - 1 - v], \qquad \text{shape } (H - K_H + 1,\ W - K_W + 1).$$

A transpose (`kernel.T`) is not a flip, and neither is flipping one axis only.

*Worked example* (the course notes'). $\begin{pmatrix} 1 & 2 & 3 \\ 4 & 5 & 6 \\ 7 & 8 & 9 \end{pmatrix}$
convolved with $\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$: the turned kernel is
$\begin{pmatrix} 4 & 3 \\ 2 & 1 \end{pmatrix}$, so $\text{out}[0, 0] = 4 + 6 + 8 + 5 = 23$, and
$\text{out} = \begin{pmatrix} 23 & 33 \\ 53 & 63 \end{pmatrix}$."""

SIGNATURES = {
    "conv2d_forward": ('def conv2d_forward(x, w, b, stride=1, padding=0):',
                       '"""Convolution layer (cross-correlation, as torch): x (N, C, H, W), w (F, C, KH, KW),\n'
                       '    b (F,) or None -> out (N, F, OH, OW)."""'),
    "conv2d_backward": ('def conv2d_backward(dout, x, w, b, stride=1, padding=0):',
                        '"""Gradients of conv2d_forward: (dx, dw, db), db None when b is None."""'),
    "convolve2d": ('def convolve2d(image, kernel):',
                   '"""True 2-D convolution (the kernel turned by 180 degrees) of one channel, \'valid\'."""'),
}


def function(name: str, body: str) -> str:
    """A graded function: the contract's signature and docstring, then ``body``."""
    return graded_function(SIGNATURES[name], body)


TEMPLATE = {name: function(name, "# YOUR CODE HERE\nraise NotImplementedError()") for name in FUNCTIONS}

# The solution: explicit loops over the output positions, the way the formulas read.
SOLUTION = {
    "conv2d_forward": function("conv2d_forward", """
        sh, sw = as_pair(stride)
        ph, pw = as_pair(padding)
        n, c, height, width = x.shape
        f, _, kh, kw = w.shape
        xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        oh, ow = (height + 2 * ph - kh) // sh + 1, (width + 2 * pw - kw) // sw + 1
        out = np.zeros((n, f, oh, ow))
        for i in range(oh):
            for j in range(ow):
                window = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]  # (N, C, KH, KW)
                for o in range(f):
                    out[:, o, i, j] = np.sum(window * w[o], axis=(1, 2, 3))
        if b is not None:
            out += b[None, :, None, None]
        return out
    """),
    "conv2d_backward": function("conv2d_backward", """
        sh, sw = as_pair(stride)
        ph, pw = as_pair(padding)
        n, c, height, width = x.shape
        f, _, kh, kw = w.shape
        oh, ow = dout.shape[2:]
        xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        dxp = np.zeros_like(xp)
        dw = np.zeros_like(w)
        for i in range(oh):
            for j in range(ow):
                rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
                for o in range(f):
                    g = dout[:, o, i, j][:, None, None, None]  # (N, 1, 1, 1)
                    dw[o] += np.sum(g * xp[:, :, rows, cols], axis=0)
                    dxp[:, :, rows, cols] += g * w[o]  # overlapping windows add up
        dx = dxp[:, :, ph:ph + height, pw:pw + width]
        db = None if b is None else dout.sum(axis=(0, 2, 3))
        return dx, dw, db
    """),
    "convolve2d": function("convolve2d", """
        kh, kw = kernel.shape
        flipped = kernel[::-1, ::-1]  # turned by 180 degrees
        oh, ow = image.shape[0] - kh + 1, image.shape[1] - kw + 1
        out = np.zeros((oh, ow))
        for i in range(oh):
            for j in range(ow):
                out[i, j] = np.sum(image[i:i + kh, j:j + kw] * flipped)
        return out
    """),
}

TEXTS = {"conv2d_forward": FORWARD_TEXT, "conv2d_backward": BACKWARD_TEXT, "convolve2d": CONVOLVE_TEXT}

EXAMPLES = {
    "conv2d_forward": """edge = np.array([[10, 10, 10, 0, 0, 0]] * 6, float)[None, None]
detector = np.array([[1, 0, -1]] * 3, float)[None, None]
print(conv2d_forward(edge, detector, None)[0, 0])  # 4 rows of [0. 30. 30. 0.]
grid = np.arange(25, dtype=float).reshape(1, 1, 5, 5)
print(conv2d_forward(grid, np.ones((1, 1, 3, 3)), None, stride=2, padding=1)[0, 0])  # [[12 27 24] [63 108 81] [72 117 84]]""",
    "conv2d_backward": """x3 = np.arange(1, 10, dtype=float).reshape(1, 1, 3, 3)
w2 = np.array([[1, 2], [3, 4]], float)[None, None]
dx, dw, db = conv2d_backward(np.ones((1, 1, 2, 2)), x3, w2, np.zeros(1))
print(dx[0, 0])  # [[ 1.  3.  2.] [ 4. 10.  6.] [ 3.  7.  4.]]
print(dw[0, 0], db)  # [[12. 16.] [24. 28.]] [4.]""",
    "convolve2d": """print(convolve2d(np.arange(1, 10, dtype=float).reshape(3, 3), np.array([[1, 2], [3, 4]], float)))  # [[23. 33.] [53. 63.]]""",
}


NOTEBOOKS = AssignmentNotebooks(
    ASSIGNMENT, FUNCTIONS, INTRO, TEXTS, EXAMPLES, TEMPLATE, SOLUTION,
    self_check=self_check_source(ASSIGNMENT, FUNCTIONS), setup_text=SETUP_TEXT, setup=SETUP,
    signatures=SIGNATURES, cell_ids=hashed_ids,
)


# --- Correct solutions in other styles: each must get full marks ------------------------------

# im2col: every window as a row of one matrix, the layer as one matrix product; col2im with
# np.add.at. Pasted into a fresh notebook.
IM2COL_STYLE = '''
import numpy as np


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def window_index(oh, ow, kh, kw, sh, sw):
    """Row and column of every tap of every window, broadcastable to (OH, OW, KH, KW)."""
    rows = (np.arange(oh) * sh)[:, None] + np.arange(kh)[None, :]   # (OH, KH)
    cols = (np.arange(ow) * sw)[:, None] + np.arange(kw)[None, :]   # (OW, KW)
    return rows[:, None, :, None], cols[None, :, None, :]


def im2col(x, kh, kw, stride, padding):
    sh, sw = pair(stride)
    ph, pw = pair(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, c, hp, wp = xp.shape
    oh, ow = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    r, q = window_index(oh, ow, kh, kw, sh, sw)
    patches = xp[:, :, r, q]                                   # (N, C, OH, OW, KH, KW)
    cols = patches.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * kh * kw)
    return cols, xp.shape, (oh, ow)


def conv2d_forward(x, w, b, stride=1, padding=0):
    f, c, kh, kw = w.shape
    cols, _, (oh, ow) = im2col(x, kh, kw, stride, padding)
    out = cols @ w.reshape(f, -1).T                            # (N*OH*OW, F)
    if b is not None:
        out = out + b
    return out.reshape(x.shape[0], oh, ow, f).transpose(0, 3, 1, 2)


def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    f, c, kh, kw = w.shape
    n = x.shape[0]
    cols, padded_shape, (oh, ow) = im2col(x, kh, kw, stride, padding)
    g = dout.transpose(0, 2, 3, 1).reshape(-1, f)              # (N*OH*OW, F)
    dw = (g.T @ cols).reshape(w.shape)
    dcols = (g @ w.reshape(f, -1)).reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 1, 2, 4, 5)
    sh, sw = pair(stride)
    ph, pw = pair(padding)
    r, q = window_index(oh, ow, kh, kw, sh, sw)
    dxp = np.zeros(padded_shape)
    np.add.at(dxp, (slice(None), slice(None), r, q), dcols)    # col2im: overlaps add up
    dx = dxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]
    db = None if b is None else g.sum(axis=0)
    return dx, dw, db


def convolve2d(image, kernel):
    # a true convolution is conv2d with the kernel turned by 180 degrees
    return conv2d_forward(image[None, None], kernel[::-1, ::-1][None, None], None)[0, 0]
'''

# sliding_window_view for the windows; dx as the full convolution of the dilated dout with the
# turned kernel.
SLIDING_SETUP = '''
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def padded(x, padding):
    ph, pw = pair(padding)
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def windows(xp, kh, kw, stride):
    """(N, C, OH, OW, KH, KW) view of the windows of the padded input."""
    sh, sw = pair(stride)
    return sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
'''

SLIDING_STYLE = {
    "conv2d_forward": """
        f, c, kh, kw = w.shape
        win = windows(padded(x, padding), kh, kw, stride)
        out = np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)
        return out if b is None else out + b[None, :, None, None]
    """,
    "conv2d_backward": """
        f, c, kh, kw = w.shape
        sh, sw = pair(stride)
        ph, pw = pair(padding)
        xp = padded(x, padding)
        n, _, oh, ow = dout.shape
        dw = np.tensordot(dout, windows(xp, kh, kw, stride), axes=([0, 2, 3], [0, 2, 3]))
        # dout with stride-1 zeros between its entries, then zero-padded by the kernel size - 1:
        # sliding the turned kernel over it is the full convolution that gives dx
        dilated = np.zeros((n, f, (oh - 1) * sh + 1, (ow - 1) * sw + 1))
        dilated[:, :, ::sh, ::sw] = dout
        ring = np.pad(dilated, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
        turned = w[:, :, ::-1, ::-1]
        reached = np.einsum("nfhwuv,fcuv->nchw", sliding_window_view(ring, (kh, kw), axis=(2, 3)), turned)
        dxp = np.zeros(xp.shape)
        dxp[:, :, :reached.shape[2], :reached.shape[3]] = reached  # rows no window read stay 0
        dx = dxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]
        db = None if b is None else dout.sum(axis=(0, 2, 3))
        return dx, dw, db
    """,
    "convolve2d": """
        win = sliding_window_view(image, kernel.shape)          # (OH, OW, KH, KW)
        return np.einsum("ijuv,uv->ij", win, kernel[::-1, ::-1])
    """,
}

# as_strided windows and np.einsum for the forward pass and dw; dx tap by tap.
EINSUM_SETUP = '''
import numpy as np
from numpy.lib.stride_tricks import as_strided


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def geometry(x, w, stride, padding):
    (sh, sw), (ph, pw) = pair(stride), pair(padding)
    kh, kw = w.shape[2:]
    oh = (x.shape[2] + 2 * ph - kh) // sh + 1
    ow = (x.shape[3] + 2 * pw - kw) // sw + 1
    return sh, sw, ph, pw, kh, kw, oh, ow


def strided_windows(x, w, stride, padding):
    """The padded input, and its windows as an (N, C, OH, OW, KH, KW) read-only view of it."""
    sh, sw, ph, pw, kh, kw, oh, ow = geometry(x, w, stride, padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    s0, s1, s2, s3 = xp.strides
    view = as_strided(xp, shape=(x.shape[0], x.shape[1], oh, ow, kh, kw),
                      strides=(s0, s1, s2 * sh, s3 * sw, s2, s3), writeable=False)
    return xp, view
'''

EINSUM_STYLE = {
    "conv2d_forward": """
        _, win = strided_windows(x, w, stride, padding)
        out = np.einsum("nchwuv,fcuv->nfhw", win, w)
        if b is not None:
            out = out + b.reshape(1, -1, 1, 1)
        return out
    """,
    "conv2d_backward": """
        sh, sw, ph, pw, kh, kw, oh, ow = geometry(x, w, stride, padding)
        xp, win = strided_windows(x, w, stride, padding)
        dw = np.einsum("nfhw,nchwuv->fcuv", dout, win)
        dxp = np.zeros_like(xp)
        for u in range(kh):
            for v in range(kw):
                # tap (u, v) of every window at once: a strided slice of the padded input
                dxp[:, :, u:u + sh * (oh - 1) + 1:sh, v:v + sw * (ow - 1) + 1:sw] += \\
                    np.einsum("nfhw,fc->nchw", dout, w[:, :, u, v])
        dx = dxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]
        return dx, dw, (None if b is None else np.einsum("nfhw->f", dout))
    """,
    "convolve2d": """
        kh, kw = kernel.shape
        image = np.ascontiguousarray(image)
        oh, ow = image.shape[0] - kh + 1, image.shape[1] - kw + 1
        s0, s1 = image.strides
        win = as_strided(image, shape=(oh, ow, kh, kw), strides=(s0, s1, s0, s1), writeable=False)
        return np.einsum("ijuv,uv->ij", win, np.flip(kernel))
    """,
}

# Vectorised over the output positions: one loop over the kernel taps, each a strided slice.
TAPS_STYLE = {
    "conv2d_forward": """
        sh, sw = as_pair(stride)
        ph, pw = as_pair(padding)
        f, c, kh, kw = w.shape
        xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        oh, ow = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
        out = np.zeros((x.shape[0], f, oh, ow))
        for u in range(kh):
            for v in range(kw):
                taps = xp[:, :, u:u + sh * oh:sh, v:v + sw * ow:sw][:, :, :oh, :ow]  # (N, C, OH, OW)
                out += np.einsum("nchw,fc->nfhw", taps, w[:, :, u, v])
        if b is not None:
            out += b[:, None, None]
        return out
    """,
    "conv2d_backward": """
        sh, sw = as_pair(stride)
        ph, pw = as_pair(padding)
        f, c, kh, kw = w.shape
        oh, ow = dout.shape[2:]
        xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        dxp = np.zeros(xp.shape)
        dw = np.empty(w.shape)
        for u in range(kh):
            for v in range(kw):
                rows, cols = slice(u, u + sh * (oh - 1) + 1, sh), slice(v, v + sw * (ow - 1) + 1, sw)
                dw[:, :, u, v] = np.einsum("nfhw,nchw->fc", dout, xp[:, :, rows, cols])
                dxp[:, :, rows, cols] += np.einsum("nfhw,fc->nchw", dout, w[:, :, u, v])
        dx = dxp[:, :, ph:dxp.shape[2] - ph, pw:dxp.shape[3] - pw]
        db = dout.sum(axis=(0, 2, 3)) if b is not None else None
        return dx, dw, db
    """,
    "convolve2d": """
        kh, kw = kernel.shape
        oh, ow = image.shape[0] - kh + 1, image.shape[1] - kw + 1
        out = np.zeros((oh, ow))
        for u in range(kh):
            for v in range(kw):
                out += kernel[kh - 1 - u, kw - 1 - v] * image[u:u + oh, v:v + ow]
        return out
    """,
}

# --- Students with one classic mistake (each a catalogued one) ---------------------------------

# Believes conv2d flips the kernel, and differentiates that forward pass correctly.
FLIPPED_FORWARD = function("conv2d_forward", """
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    n, c, height, width = x.shape
    f, _, kh, kw = w.shape
    k = w[:, :, ::-1, ::-1]  # "convolution flips the kernel"
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh, ow = (height + 2 * ph - kh) // sh + 1, (width + 2 * pw - kw) // sw + 1
    out = np.zeros((n, f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            for o in range(f):
                out[:, o, i, j] = np.sum(window * k[o], axis=(1, 2, 3))
    if b is not None:
        out += b[None, :, None, None]
    return out
""")

FLIPPED_BACKWARD = function("conv2d_backward", """
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    n, c, height, width = x.shape
    f, _, kh, kw = w.shape
    k = w[:, :, ::-1, ::-1]  # the kernel the forward pass slides
    oh, ow = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxp = np.zeros_like(xp)
    dk = np.zeros_like(w)
    for i in range(oh):
        for j in range(ow):
            rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
            for o in range(f):
                g = dout[:, o, i, j][:, None, None, None]
                dk[o] += np.sum(g * xp[:, :, rows, cols], axis=0)
                dxp[:, :, rows, cols] += g * k[o]
    dw = dk[:, :, ::-1, ::-1]  # chain rule through the flip
    dx = dxp[:, :, ph:ph + height, pw:pw + width]
    db = None if b is None else dout.sum(axis=(0, 2, 3))
    return dx, dw, db
""")


def backward_with(*, dw_line="dw[o] += np.sum(g * xp[:, :, rows, cols], axis=0)",
                  dx_line="dxp[:, :, rows, cols] += g * w[o]",
                  crop="dx = dxp[:, :, ph:ph + height, pw:pw + width]",
                  db="db = None if b is None else dout.sum(axis=(0, 2, 3))"):
    """The solution's backward pass with some lines replaced."""
    return function("conv2d_backward", f"""
        sh, sw = as_pair(stride)
        ph, pw = as_pair(padding)
        n, c, height, width = x.shape
        f, _, kh, kw = w.shape
        oh, ow = dout.shape[2:]
        xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        dxp = np.zeros_like(xp)
        dw = np.zeros_like(w)
        for i in range(oh):
            for j in range(ow):
                rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
                for o in range(f):
                    g = dout[:, o, i, j][:, None, None, None]  # (N, 1, 1, 1)
                    {dw_line}
                    {dx_line}
        {crop}
        {db}
        return dx, dw, db
    """)


def forward_with(*, pairs="sh, sw = as_pair(stride)\nph, pw = as_pair(padding)",
                 pad="xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))",
                 bias="if b is not None:\n    out += b[None, :, None, None]"):
    """The solution's forward pass with some lines replaced."""
    body = "\n".join([
        pairs,
        "n, c, height, width = x.shape",
        "f, _, kh, kw = w.shape",
        pad,
        "oh, ow = (height + 2 * ph - kh) // sh + 1, (width + 2 * pw - kw) // sw + 1",
        "out = np.zeros((n, f, oh, ow))",
        "for i in range(oh):",
        "    for j in range(ow):",
        "        window = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]  # (N, C, KH, KW)",
        "        for o in range(f):",
        "            out[:, o, i, j] = np.sum(window * w[o], axis=(1, 2, 3))",
        bias,
        "return out",
    ])
    return function("conv2d_forward", body)


# dw reset inside the loop over the batch: only the last sample's gradient survives.
DW_LAST_SAMPLE = function("conv2d_backward", """
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    n, c, height, width = x.shape
    f, _, kh, kw = w.shape
    oh, ow = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxp = np.zeros_like(xp)
    for s in range(n):
        dw = np.zeros_like(w)  # (should be before the loop over the samples)
        for i in range(oh):
            for j in range(ow):
                rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
                for o in range(f):
                    dw[o] += dout[s, o, i, j] * xp[s, :, rows, cols]
                    dxp[s, :, rows, cols] += dout[s, o, i, j] * w[o]
    dx = dxp[:, :, ph:ph + height, pw:pw + width]
    db = None if b is None else dout.sum(axis=(0, 2, 3))
    return dx, dw, db
""")

# Each window's gradient, summed over the filters, assigned with = instead of added.
DX_ASSIGNED = function("conv2d_backward", """
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    n, c, height, width = x.shape
    f, _, kh, kw = w.shape
    oh, ow = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for i in range(oh):
        for j in range(ow):
            rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
            dw += np.einsum("nf,nckl->fckl", dout[:, :, i, j], xp[:, :, rows, cols])
            dxp[:, :, rows, cols] = np.einsum("nf,fckl->nckl", dout[:, :, i, j], w)
    dx = dxp[:, :, ph:ph + height, pw:pw + width]
    db = None if b is None else dout.sum(axis=(0, 2, 3))
    return dx, dw, db
""")


def convolve_with(flip: str) -> str:
    """The solution's convolve2d with another idea of flipping the kernel."""
    return function("convolve2d", f"""
        {flip}
        kh, kw = flipped.shape
        oh, ow = image.shape[0] - kh + 1, image.shape[1] - kw + 1
        out = np.zeros((oh, ow))
        for i in range(oh):
            for j in range(ow):
                out[i, j] = np.sum(image[i:i + kh, j:j + kw] * flipped)
        return out
    """)


def sample_class() -> dict[str, object]:
    return {
        # correct, in different styles: all must get full marks
        "ada_loops": NOTEBOOKS.assignment_notebook(SOLUTION),
        "bruno_im2col": NOTEBOOKS.plain_notebook(IM2COL_STYLE),
        "chen_sliding_window_view": NOTEBOOKS.own_style(SLIDING_SETUP, SLIDING_STYLE),
        "dana_einsum_as_strided": NOTEBOOKS.own_style(EINSUM_SETUP, EINSUM_STYLE),
        "emeka_loops_over_taps": NOTEBOOKS.own_style(SETUP, TAPS_STYLE),
        # consistent: the forward flips the kernel and the backward is its exact gradient
        "fatima_flipped_kernel_both": NOTEBOOKS.with_changes(conv2d_forward=FLIPPED_FORWARD,
                                                             conv2d_backward=FLIPPED_BACKWARD),
        # forward right, backward wrong: dx slides the turned kernel in the loop
        "goran_dx_turned_kernel": NOTEBOOKS.with_changes(conv2d_backward=backward_with(
            dx_line="dxp[:, :, rows, cols] += g * w[o, :, ::-1, ::-1]  # \"the backward flips\"")),
        "hana_bias_forgotten": NOTEBOOKS.with_changes(conv2d_forward=forward_with(bias="")),
        "ivan_padding_one_side": NOTEBOOKS.with_changes(conv2d_forward=forward_with(
            pad="xp = np.pad(x, ((0, 0), (0, 0), (0, 2 * ph), (0, 2 * pw)))  # 2p zeros, after")),
        "julia_stride_pair_swapped": NOTEBOOKS.with_changes(conv2d_forward=forward_with(
            pairs="sw, sh = as_pair(stride)\nph, pw = as_pair(padding)")),
        "kofi_dw_last_sample_only": NOTEBOOKS.with_changes(conv2d_backward=DW_LAST_SAMPLE),
        "lena_dx_assigns_windows": NOTEBOOKS.with_changes(conv2d_backward=DX_ASSIGNED),
        "malik_db_mean_over_positions": NOTEBOOKS.with_changes(conv2d_backward=backward_with(
            db="db = None if b is None else dout.mean(axis=(2, 3)).sum(axis=0)")),
        "nora_dx_stride_ignored": NOTEBOOKS.with_changes(conv2d_backward=backward_with(
            dx_line="dxp[:, :, i:i + kh, j:j + kw] += g * w[o]")),
        "omar_dx_cropped_top_left": NOTEBOOKS.with_changes(conv2d_backward=backward_with(
            crop="dx = dxp[:, :, :height, :width]")),
        "petra_convolve_without_flip": NOTEBOOKS.with_changes(convolve2d=convolve_with("flipped = kernel")),
        "quinn_kernel_transposed": NOTEBOOKS.with_changes(convolve2d=convolve_with(
            "flipped = kernel.T  # \"flip the kernel\"")),
        # right values, but flips the caller's kernel in place: every call of convolve2d fails
        "rosa_flips_kernel_in_place": NOTEBOOKS.with_changes(convolve2d=function("convolve2d", """
            kernel[:] = kernel[::-1, ::-1]  # turn it by 180 degrees (in place!)
            kh, kw = kernel.shape
            oh, ow = image.shape[0] - kh + 1, image.shape[1] - kw + 1
            out = np.zeros((oh, ow))
            for i in range(oh):
                for j in range(ow):
                    out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
            return out
        """)),
        # scipy.signal.convolve2d, banned: reported, and raises when called
        "sam_scipy_convolve2d": NOTEBOOKS.with_changes(convolve2d='''from scipy.signal import convolve2d as scipy_convolve2d


''' + function("convolve2d", """
            return scipy_convolve2d(image, kernel, mode="valid")
        """)),
        "tariq_untouched_template": NOTEBOOKS.assignment_notebook(TEMPLATE),
    }


def main(out: Path = HERE) -> None:
    """Write the notebooks under ``out`` (default: this folder, where they are committed)."""
    NOTEBOOKS.write_all(out, sample_class())


if __name__ == "__main__":
    main()
