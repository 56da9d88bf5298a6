"""Checks for the convolution assignment (ids as in rubrics/convolution.yaml).

The student's functions (see the notebook), float64 NumPy arrays:

    conv2d_forward(x, w, b, stride=1, padding=0) -> out                  # (N, F, OH, OW)
    conv2d_backward(dout, x, w, b, stride=1, padding=0) -> (dx, dw, db)  # db None when b is None
    convolve2d(image, kernel) -> out                                     # (H-KH+1, W-KW+1)

x is (N, C, H, W), w (F, C, KH, KW), b (F,) or None; stride and padding are ints or
(height, width) pairs. conv2d_forward is the cross-correlation of torch.nn.functional.conv2d;
convolve2d is the true convolution of the course notes (the kernel turned by 180 degrees), one
channel, 'valid'. Checks compare with ``reference.conv``, which the reference tests prove equal
to torch and scipy. Each ``adapt`` calls a reference-like function the way the student's function
is called, so that the catalogued mistakes (``reference.mistakes.conv``) can be compared with the
student's answers.

Generated inputs: shapes drawn with st.integers (a failure shrinks to the smallest layer), values
exact halves from a seeded generator (every product and sum is exact in float64, so any order of
summation gives the same bits, and a report reads easily). H and W are at least the larger side
of the kernel, so a kernel fits even when a student mixes up its height and width, and such a
mistake gives an answer to compare. Backward passes are compared with the reference (with the
finite-difference verdict on the student's own forward) and, separately, gradient-checked.
"""
import numpy as np
from hypothesis import strategies as st

import reference.conv as ref
from grader.checks import cases, check, expect_backward, expect_equal, expect_gradient_check, given


def forward_as_student(f, x, w, b, stride=1, padding=0):
    return f(x, w, b, stride, padding)


def backward_as_student(f, dout, x, w, b, stride=1, padding=0):
    return f(dout, x, w, stride=stride, padding=padding, bias=b is not None)


def convolve_as_student(f, image, kernel):
    return f(image, kernel)


def nchw(a):
    """One H x W channel of one sample, as (1, 1, H, W) float64."""
    return np.asarray(a, dtype=np.float64)[None, None]


def floats(a):
    return np.asarray(a, dtype=np.float64)


# --- generated inputs ---------------------------------------------------------------------------


@st.composite
def layers(draw, *, strided):
    """A layer and its input: x's shape (N, C, H, W), w's shape (F, C, KH, KW), whether there is
    a bias, and stride and padding (1 and 0 unless ``strided``; then each an int or a
    (height, width) pair). Kernels are up to 3 x 3, square or not; strides up to 3, below the
    kernel (overlapping windows), equal, or above it (gaps); padding up to 2."""
    n, c, f = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    side = max(kh, kw)
    h, w = draw(st.integers(side, 7)), draw(st.integers(side, 7))
    bias = draw(st.booleans())
    stride, padding = 1, 0
    if strided:
        stride = draw(st.integers(1, 3) | st.tuples(st.integers(1, 3), st.integers(1, 3)))
        padding = draw(st.integers(0, 2) | st.tuples(st.integers(0, 2), st.integers(0, 2)))
    return (n, c, h, w), (f, c, kh, kw), bias, stride, padding


def seeds():
    return st.integers(0, 255)


def halves(rng, shape, low=-9, high=9):
    """Integers / 2 in [low/2, high/2]: negative numbers, zeros and repeats."""
    return rng.integers(low, high + 1, shape) / 2


def upstream(rng, shape):
    """An upstream gradient with no zeros (a zero would hide a wrong gradient)."""
    return rng.choice([-1.0, 1.0], shape) * rng.integers(1, 10, shape) / 2


def arrays(layer, seed):
    """x, w, b (None without a bias) and an upstream gradient for the layer's output."""
    x_shape, w_shape, bias, stride, padding = layer
    rng = np.random.default_rng(seed)
    x, w = halves(rng, x_shape), halves(rng, w_shape)
    b = halves(rng, w_shape[:1]) if bias else None
    dout = upstream(rng, ref.conv2d(x, w, b, stride, padding).shape)
    return x, w, b, dout


def forward_of(student, stride, padding, *, strided):
    """The student's own forward, as a function of (x, w, b) (for finite differences)."""
    if strided:
        return lambda x, w, b: student.conv2d_forward(x, w, b, stride=stride, padding=padding)
    return lambda x, w, b: student.conv2d_forward(x, w, b)


def expect_gradients(student, layer, seed, *, strided, against_reference):
    """conv2d_backward on a generated layer, compared with the reference (and, when wrong,
    judged by finite differences of the student's forward), or gradient-checked alone."""
    _, _, _, stride, padding = layer
    x, w, b, dout = arrays(layer, seed)
    if strided:
        got = student.conv2d_backward(dout, x, w, b, stride=stride, padding=padding)
    else:
        got = student.conv2d_backward(dout, x, w, b)
    options = dict(inputs={"x": x, "w": w, "b": b}, dout=dout, forward_name="conv2d_forward",
                   forward=forward_of(student, stride, padding, strided=strided),
                   grads=("dx", "dw", "db"))
    if against_reference:
        expected = ref.conv2d_backward(dout, x, w, stride=stride, padding=padding, bias=b is not None)
        expect_backward(got, expected, **options)
    else:
        expect_gradient_check(got, **options)


# --- conv2d_forward -----------------------------------------------------------------------------

FORWARD = dict(function="conv2d_forward", reference=ref.conv2d, adapt=forward_as_student)

# The UFLDL tutorial's "convolved feature": a 5x5 binary image and a 3x3 kernel of 0s and 1s.
UFLDL_IMAGE = [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]
UFLDL_KERNEL = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
# The vertical-edge detector of the lectures: bright left half, dark right half.
EDGE_IMAGE = [[10, 10, 10, 0, 0, 0]] * 6
EDGE_KERNEL = [[1, 0, -1]] * 3
# Two channels, two filters: filter 0 reads the top-left tap of channel 0, filter 1 sums
# channel 1 (all ones); biases 0.5 and -1.
TWO_CHANNELS = np.stack([np.arange(9.0).reshape(3, 3), np.ones((3, 3))])[None]
TWO_FILTERS = floats([[[[1, 0], [0, 0]], [[0, 0], [0, 0]]], [[[0, 0], [0, 0]], [[1, 1], [1, 1]]]])


@check("conv2d_forward.worked_examples", **FORWARD)
@cases(
    dict(x=nchw(UFLDL_IMAGE), w=nchw(UFLDL_KERNEL), b=None,
         expected=nchw([[4, 3, 4], [2, 4, 3], [2, 3, 4]])),
    # the kernel as it is, not flipped: +30 where bright meets dark (a flip would give -30)
    dict(x=nchw(EDGE_IMAGE), w=nchw(EDGE_KERNEL), b=None, expected=nchw([[0, 30, 30, 0]] * 4)),
    dict(x=TWO_CHANNELS, w=TWO_FILTERS, b=floats([0.5, -1]),
         expected=floats([[[[0.5, 1.5], [3.5, 4.5]], [[3, 3], [3, 3]]]])),
)
def _(student, x, w, b, expected):
    expect_equal(student.conv2d_forward(x, w, b), expected)


@check("conv2d_forward.matches_reference", depends_on=["conv2d_forward.worked_examples"],
       max_examples=25, **FORWARD)
@given(layer=layers(strided=False), seed=seeds())
def _(student, layer, seed):
    x, w, b, _ = arrays(layer, seed)
    expect_equal(student.conv2d_forward(x, w, b), ref.conv2d(x, w, b))


@check("conv2d_forward.stride_padding_examples", **FORWARD)
@cases(
    # CS231n's layout: a 3x3 window, stride 2, one ring of zeros: sums of 3x3 blocks of 0..24
    dict(x=nchw(np.arange(25).reshape(5, 5)), w=np.ones((1, 1, 3, 3)), b=None, stride=2, padding=1,
         expected=nchw([[12, 27, 24], [63, 108, 81], [72, 117, 84]])),
    # pairs are (height, width): step 2 down the rows, 1 across; zeros only left and right
    dict(x=nchw(np.arange(25).reshape(5, 5)), w=nchw([[1, 2, 3]]), b=None, stride=(2, 1),
         padding=(0, 1), expected=nchw([[3, 8, 14, 20, 11], [53, 68, 74, 80, 41], [103, 128, 134, 140, 71]])),
)
def _(student, x, w, b, stride, padding, expected):
    expect_equal(student.conv2d_forward(x, w, b, stride=stride, padding=padding), expected)


@check("conv2d_forward.stride_padding", depends_on=["conv2d_forward.stride_padding_examples"],
       max_examples=25, **FORWARD)
@given(layer=layers(strided=True), seed=seeds())
def _(student, layer, seed):
    _, _, _, stride, padding = layer
    x, w, b, _ = arrays(layer, seed)
    expect_equal(student.conv2d_forward(x, w, b, stride=stride, padding=padding),
                 ref.conv2d(x, w, b, stride, padding))


@check("conv2d_forward.edge_cases", **FORWARD)
@cases(
    # a 1x1 kernel mixes channels pixel by pixel: out = 2*channel 0 - channel 1
    dict(x=floats([[[[1, 2, 3], [4, 5, 6]], [[1, 1, 1], [2, 2, 2]]]]), w=floats([[[[2]], [[-1]]]]),
         b=None, stride=1, padding=0, expected=floats([[[[1, 3, 5], [6, 8, 10]]]])),
    # a kernel as large as the input: one output, the dot product of the two, plus the bias
    dict(x=nchw([[1, 2], [3, 4]]), w=nchw([[1, -1], [2, -2]]), b=floats([0.5]), stride=1,
         padding=0, expected=nchw([[-2.5]])),
    # padding wider than the kernel: outputs that read only zeros are the bias alone
    dict(x=nchw([[1, 1], [1, 1]]), w=nchw([[2]]), b=floats([0.5]), stride=1, padding=1,
         expected=nchw([[0.5, 0.5, 0.5, 0.5], [0.5, 2.5, 2.5, 0.5], [0.5, 2.5, 2.5, 0.5],
                        [0.5, 0.5, 0.5, 0.5]])),
    # a stride wider than the kernel skips pixels: columns 0 and 3 of both rows
    dict(x=nchw([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]), w=nchw([[1]]), b=None, stride=(1, 3),
         padding=0, expected=nchw([[1, 4], [6, 9]])),
    # a kernel wider than the input, made to fit by padding the width only
    dict(x=nchw([[1], [2], [3]]), w=nchw([[1, 10, 100]]), b=None, stride=1, padding=(0, 1),
         expected=nchw([[10], [20], [30]])),
)
def _(student, x, w, b, stride, padding, expected):
    expect_equal(student.conv2d_forward(x, w, b, stride=stride, padding=padding), expected)


# --- conv2d_backward ----------------------------------------------------------------------------

BACKWARD = dict(function="conv2d_backward", reference=ref.conv2d_backward, adapt=backward_as_student)


@check("conv2d_backward.worked_examples", **BACKWARD)
@cases(
    # dout of ones: dx[r, c] adds up the kernel taps that touched x[r, c]; dw[u, v] the inputs
    # that tap (u, v) read (the 2x2 window sums of 1..9); db the four ones
    dict(dout=np.ones((1, 1, 2, 2)), x=nchw(np.arange(1, 10).reshape(3, 3)), w=nchw([[1, 2], [3, 4]]),
         b=floats([0]), expected=(nchw([[1, 3, 2], [4, 10, 6], [3, 7, 4]]), nchw([[12, 16], [24, 28]]),
                                  floats([4]))),
)
def _(student, dout, x, w, b, expected):
    expect_backward(student.conv2d_backward(dout, x, w, b), expected,
                    inputs={"x": x, "w": w, "b": b}, forward=forward_of(student, 1, 0, strided=False),
                    dout=dout, forward_name="conv2d_forward", grads=("dx", "dw", "db"))


@check("conv2d_backward.stride_padding_examples", **BACKWARD)
@cases(
    # 3x3 windows, stride 2: the windows share row 2 and column 2, which get the gradient of
    # both (+=, not =); there is no bias, so db is None
    dict(dout=np.ones((1, 1, 2, 2)), x=np.ones((1, 1, 5, 5)), w=np.ones((1, 1, 3, 3)), b=None,
         stride=2, padding=0,
         expected=(nchw(np.outer([1, 1, 2, 1, 1], [1, 1, 2, 1, 1])), np.full((1, 1, 3, 3), 4.0), None)),
    # padding 1 and a batch of two: dx drops the padding ring, dw adds up both samples (11, 22,
    # 33, 44 are their sums), db counts 2 x 4 ones
    dict(dout=np.ones((2, 1, 2, 2)), x=floats([[[[1, 2], [3, 4]]], [[[10, 20], [30, 40]]]]),
         w=nchw(np.arange(1, 10).reshape(3, 3)), b=floats([0]), stride=1, padding=1,
         expected=(floats([[[[12, 16], [24, 28]]]] * 2),
                   nchw([[11, 33, 22], [44, 110, 66], [33, 77, 44]]), floats([8]))),
)
def _(student, dout, x, w, b, stride, padding, expected):
    expect_backward(student.conv2d_backward(dout, x, w, b, stride=stride, padding=padding), expected,
                    inputs={"x": x, "w": w, "b": b},
                    forward=forward_of(student, stride, padding, strided=True),
                    dout=dout, forward_name="conv2d_forward", grads=("dx", "dw", "db"))


# Not behind the worked examples: on generated inputs a wrong gradient is also compared with
# finite differences of the student's own forward, which tells a backward-pass mistake from a
# forward pass with the same misconception.
@check("conv2d_backward.matches_reference", max_examples=20, **BACKWARD)
@given(layer=layers(strided=False), seed=seeds())
def _(student, layer, seed):
    expect_gradients(student, layer, seed, strided=False, against_reference=True)


@check("conv2d_backward.stride_padding", max_examples=20, **BACKWARD)
@given(layer=layers(strided=True), seed=seeds())
def _(student, layer, seed):
    expect_gradients(student, layer, seed, strided=True, against_reference=True)


# Listed, not generated: each case costs 19 calls (the backward, then two forward calls per
# direction for each of x, w and b), and a generated check would also pay them for every step of
# shrinking. Between them the cases have a batch, several channels and filters, a bias and none,
# non-square kernels, stride and padding pairs, overlapping windows and gaps.
@check("conv2d_backward.gradient_check",
       depends_on=["conv2d_forward.matches_reference", "conv2d_forward.stride_padding"], **BACKWARD)
@cases(
    dict(layer=((2, 2, 5, 6), (2, 2, 3, 2), True, (2, 1), (1, 0)), seed=1),
    dict(layer=((1, 3, 4, 4), (2, 3, 2, 2), False, 1, 0), seed=2),
    dict(layer=((3, 1, 7, 5), (1, 1, 3, 3), True, 2, 2), seed=3),
    dict(layer=((2, 2, 6, 7), (3, 2, 1, 3), True, (1, 3), (2, 1)), seed=4),
)
def _(student, layer, seed):
    expect_gradients(student, layer, seed, strided=True, against_reference=False)


# --- convolve2d ---------------------------------------------------------------------------------

CONVOLVE = dict(function="convolve2d", reference=ref.convolve2d, adapt=convolve_as_student)
DELTA_BOTTOM_RIGHT = [[0, 0, 0], [0, 0, 0], [0, 0, 1]]


@check("convolve2d.worked_examples", **CONVOLVE)
@cases(
    # the course notes' example: the kernel turned by 180 degrees is [[4, 3], [2, 1]], so
    # out[0, 0] = 1*4 + 2*3 + 4*2 + 5*1 (sliding it unflipped would give 37)
    dict(image=floats([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), kernel=floats([[1, 2], [3, 4]]),
         expected=floats([[23, 33], [53, 63]])),
    # a 1x2 kernel [1, -1] flips to [-1, 1]: each pixel's right neighbour minus the pixel
    dict(image=floats([[1, 2, 4], [8, 16, 32]]), kernel=floats([[1, -1]]),
         expected=floats([[1, 2], [8, 16]])),
    # a one at the bottom-right corner flips to the top-left: the top-left 2x2 of the image
    dict(image=floats(np.arange(16).reshape(4, 4)), kernel=floats(DELTA_BOTTOM_RIGHT),
         expected=floats([[0, 1], [4, 5]])),
)
def _(student, image, kernel, expected):
    expect_equal(student.convolve2d(image, kernel), expected)


@check("convolve2d.matches_reference", depends_on=["convolve2d.worked_examples"], max_examples=20,
       **CONVOLVE)
@given(kh=st.integers(1, 4), kw=st.integers(1, 4), extra_h=st.integers(0, 3),
       extra_w=st.integers(0, 3), seed=seeds())
def _(student, kh, kw, extra_h, extra_w, seed):
    # the image is at least the larger side of the kernel in both directions
    side = max(kh, kw)
    rng = np.random.default_rng(seed)
    image, kernel = halves(rng, (side + extra_h, side + extra_w)), halves(rng, (kh, kw))
    expect_equal(student.convolve2d(image, kernel), ref.convolve2d(image, kernel))
