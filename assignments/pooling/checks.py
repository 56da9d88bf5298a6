"""Checks for the pooling assignment (ids as in rubrics/pooling.yaml).

The student's functions (see the notebook), NCHW float64 arrays, no padding:

    max_pool_forward(x, kernel_size, stride=None) -> out           # (N, C, OH, OW)
    max_pool_backward(dout, x, kernel_size, stride=None) -> dx     # (N, C, H, W)
    avg_pool_forward(x, kernel_size, stride=None) -> out
    avg_pool_backward(dout, x, kernel_size, stride=None) -> dx
    global_avg_pool(x) -> out                                      # (N, C)

kernel_size and stride are ints or (height, width) pairs; stride defaults to kernel_size.
Checks compare with ``reference.pooling``, which the reference tests prove equal to torch.
Each ``adapt`` calls a reference-like function the way the student's function is called, so that
the catalogued mistakes (``reference.mistakes.pooling``) can be compared with the student's answers.

Max-pool ties: the notebook's rule is torch's (the whole gradient goes to the first maximum in
row-major scan order); splitting it equally among the tied maxima is accepted too. Gradients are
compared with the reference on tie-free inputs (where both rules agree, so the diagnosis works
whatever rule a student follows), and on inputs with ties by ``max_pool_backward.ties``.
Gradient checks (finite differences of the student's own forward) use distinct values at least
0.5 apart, where max pooling is differentiable.
"""
import numpy as np
from hypothesis import strategies as st

import reference.pooling as ref
from grader.checks import (
    cases,
    check,
    expect_backward,
    expect_equal,
    expect_gradient_check,
    expect_one_of,
    given,
)
from reference.worked_examples import LECTURE_POOL3_INPUT, LECTURE_POOL_INPUT


def pool_as_student(f, x, kernel_size, stride=None):
    return f(x, kernel_size, stride)


def pool_backward_as_student(f, dout, x, kernel_size, stride=None):
    return f(dout, x, kernel_size, stride)


def global_as_student(f, x):
    return f(x)


def stride_option(stride):
    # stride=None is left out, so that the student's own default is what is tested
    return {} if stride is None else {"stride": stride}


def nchw(a):
    return np.asarray(a, dtype=np.float64)[None, None]


# --- generated inputs ---------------------------------------------------------------------------
# Shapes are drawn with st.integers, so a failure shrinks to the smallest layer and input; values
# come from a seeded generator and are exact halves, readable in a report.


def _pair(size):
    return (size, size) if isinstance(size, int) else size


@st.composite
def layers(draw, *, windows_of_one=True):
    """(x's shape, kernel_size, stride): ints or (height, width) pairs; stride None, smaller than
    the kernel (overlapping windows), equal, or larger (gaps); N = 1 to 3, C = 1 to 3.
    ``windows_of_one=False`` leaves out 1x1 windows (which cannot hold a tie)."""
    if windows_of_one:
        kernel = draw(st.integers(1, 3) | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    else:
        kernel = draw(st.integers(2, 3)
                      | st.tuples(st.integers(1, 3), st.integers(1, 3)).filter(lambda k: k != (1, 1)))
    stride = draw(st.none() | st.integers(1, 3) | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    # H, W >= the larger kernel side: the window fits even when its sides are mixed up, so
    # that mistake gives an answer to compare (a window that does not fit has none)
    side = max(_pair(kernel))
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)),
             draw(st.integers(side, 7)), draw(st.integers(side, 7)))
    return shape, kernel, stride


def seeds():
    return st.integers(0, 2**16 - 1)


def halves(rng, shape, low=-9, high=9):
    """Integers / 2 in [low/2, high/2]: negative numbers, zeros and ties."""
    return rng.integers(low, high + 1, shape) / 2


def distinct(rng, shape):
    """All values distinct, at least 0.5 apart, about half negative: no ties anywhere."""
    size = int(np.prod(shape))
    return (rng.permutation(size).reshape(shape) - size // 2) / 2


def upstream(rng, shape):
    """An upstream gradient with no zeros (a zero would hide a wrong gradient)."""
    return rng.choice([-1.0, 1.0], shape) * rng.integers(1, 10, shape) / 2


def with_a_tie(x, kernel_size):
    """x with its first window's maximum copied to another tap of that window (the last in scan
    order, or the first if the maximum is last), so at least one window ties."""
    x = x.copy()
    kh, kw = _pair(kernel_size)
    window = x[0, 0, :kh, :kw]
    top = int(np.argmax(window))
    other = window.size - 1 if top != window.size - 1 else 0
    window.flat[other] = window.flat[top]
    return x


# --- max_pool_forward ---------------------------------------------------------------------------

MAX = dict(function="max_pool_forward", reference=ref.max_pool2d, adapt=pool_as_student)


@check("max_pool_forward.worked_examples", **MAX)
@cases(
    # the lecture's 2x2 max pooling, stride left to its default (2), then given
    dict(x=nchw(LECTURE_POOL_INPUT), kernel_size=2, stride=None, expected=nchw([[7, 8], [3, 4]])),
    dict(x=nchw(LECTURE_POOL_INPUT), kernel_size=2, stride=2, expected=nchw([[7, 8], [3, 4]])),
    # the lecture's 3x3 max pooling with stride 1: windows overlap
    dict(x=nchw(LECTURE_POOL3_INPUT), kernel_size=3, stride=1,
         expected=nchw([[9, 8, 8], [9, 6, 6], [7, 7, 7]])),
    # the same numbers, all negative: the maximum of negative numbers is negative
    dict(x=nchw(LECTURE_POOL_INPUT - 10), kernel_size=2, stride=None,
         expected=nchw([[-3, -2], [-7, -6]])),
)
def _(student, x, kernel_size, stride, expected):
    expect_equal(student.max_pool_forward(x, kernel_size, **stride_option(stride)), expected)


@check("max_pool_forward.matches_reference", depends_on=["max_pool_forward.worked_examples"],
       max_examples=20, **MAX)
@given(layer=layers(), seed=seeds())
def _(student, layer, seed):
    shape, kernel_size, stride = layer
    x = halves(np.random.default_rng(seed), shape)
    expect_equal(student.max_pool_forward(x, kernel_size, **stride_option(stride)),
                 ref.max_pool2d(x, kernel_size, stride))


# --- max_pool_backward --------------------------------------------------------------------------

MAX_BACKWARD = dict(function="max_pool_backward", reference=ref.max_pool2d_backward,
                    adapt=pool_backward_as_student)


def max_forward_of(student, kernel_size, stride):
    """The student's own forward, as a function of x (for finite differences)."""
    return lambda x: student.max_pool_forward(x, kernel_size, **stride_option(stride))


@check("max_pool_backward.worked_examples", **MAX_BACKWARD)
@cases(
    # the lecture's 2x2 windows: each window's gradient goes to its maximum
    dict(dout=nchw([[1, 2], [3, 4]]), x=nchw(LECTURE_POOL_INPUT), kernel_size=2, stride=None,
         expected=nchw([[0, 0, 0, 0], [0, 1, 0, 2], [3, 0, 0, 0], [0, 0, 0, 4]]), split=None),
    # overlapping 3x3 windows: the 9, the first 8, the 6 and the first 7 are each the maximum of
    # two windows, and get both gradients (+=, not =)
    dict(dout=np.ones((1, 1, 3, 3)), x=nchw(LECTURE_POOL3_INPUT), kernel_size=3, stride=1,
         expected=nchw([[0, 0, 2, 0, 0], [2, 0, 0, 0, 0], [0, 0, 2, 0, 0], [0, 0, 0, 0, 0],
                        [0, 2, 0, 0, 1]]), split=None),
    # a tie: the first maximum in scan order gets it all (or the tied maxima share it)
    dict(dout=nchw([[1]]), x=nchw([[1, 3], [3, 2]]), kernel_size=2, stride=None,
         expected=nchw([[0, 1], [0, 0]]), split=nchw([[0, 0.5], [0.5, 0]])),
)
def _(student, dout, x, kernel_size, stride, expected, split):
    got = student.max_pool_backward(dout, x, kernel_size, **stride_option(stride))
    expect_one_of(got, {"first maximum": expected, **({} if split is None else {"split": split})})


# Not behind the worked examples: on its tie-free inputs a wrong gradient is also compared with
# finite differences of the student's own forward, which tells a backward-pass mistake from a
# forward pass with the same misconception.
@check("max_pool_backward.matches_reference", max_examples=20, **MAX_BACKWARD)
@given(layer=layers(), seed=seeds())
def _(student, layer, seed):
    shape, kernel_size, stride = layer
    rng = np.random.default_rng(seed)
    x = distinct(rng, shape)
    dout = upstream(rng, ref.max_pool2d(x, kernel_size, stride).shape)
    expect_backward(
        student.max_pool_backward(dout, x, kernel_size, **stride_option(stride)),
        ref.max_pool2d_backward(dout, x, kernel_size, stride),
        inputs={"x": x}, forward=max_forward_of(student, kernel_size, stride), dout=dout,
        forward_name="max_pool_forward", grads=("dx",),
    )


@check("max_pool_backward.ties", depends_on=["max_pool_backward.matches_reference"],
       max_examples=12, **MAX_BACKWARD)
@given(layer=layers(windows_of_one=False), seed=seeds())
def _(student, layer, seed):
    shape, kernel_size, stride = layer
    rng = np.random.default_rng(seed)
    x = with_a_tie(halves(rng, shape, -2, 2), kernel_size)  # five values: many windows tie
    dout = upstream(rng, ref.max_pool2d(x, kernel_size, stride).shape)
    expect_one_of(
        student.max_pool_backward(dout, x, kernel_size, **stride_option(stride)),
        {"first maximum": ref.max_pool2d_backward(dout, x, kernel_size, stride, ties="first"),
         "split": ref.max_pool2d_backward(dout, x, kernel_size, stride, ties="split")},
    )


@check("max_pool_backward.gradient_check", max_examples=6, **MAX_BACKWARD)
@given(layer=layers(), seed=seeds())
def _(student, layer, seed):
    shape, kernel_size, stride = layer
    rng = np.random.default_rng(seed)
    x = distinct(rng, shape)
    dout = upstream(rng, ref.max_pool2d(x, kernel_size, stride).shape)
    expect_gradient_check(
        student.max_pool_backward(dout, x, kernel_size, **stride_option(stride)),
        inputs={"x": x}, forward=max_forward_of(student, kernel_size, stride), dout=dout,
        forward_name="max_pool_forward", grads=("dx",),
    )


# --- avg_pool_forward ---------------------------------------------------------------------------

AVG = dict(function="avg_pool_forward", reference=ref.avg_pool2d, adapt=pool_as_student)


@check("avg_pool_forward.worked_examples", **AVG)
@cases(
    # the lecture's 2x2 mean pooling (stride left to its default, 2)
    dict(x=nchw(LECTURE_POOL_INPUT), kernel_size=2, stride=None,
         expected=nchw([[3.5, 5.5], [1.75, 2]])),
    # 3x3 windows with stride 1 over the second lecture input: window sums / 9
    dict(x=nchw(LECTURE_POOL3_INPUT), kernel_size=3, stride=1,
         expected=nchw([[45, 37, 38], [37, 29, 29], [34, 36, 34]]) / 9),
)
def _(student, x, kernel_size, stride, expected):
    expect_equal(student.avg_pool_forward(x, kernel_size, **stride_option(stride)), expected)


@check("avg_pool_forward.matches_reference", depends_on=["avg_pool_forward.worked_examples"],
       max_examples=20, **AVG)
@given(layer=layers(), seed=seeds())
def _(student, layer, seed):
    shape, kernel_size, stride = layer
    x = halves(np.random.default_rng(seed), shape)
    expect_equal(student.avg_pool_forward(x, kernel_size, **stride_option(stride)),
                 ref.avg_pool2d(x, kernel_size, stride))


# --- avg_pool_backward --------------------------------------------------------------------------

AVG_BACKWARD = dict(function="avg_pool_backward", reference=ref.avg_pool2d_backward,
                    adapt=pool_backward_as_student)


def avg_forward_of(student, kernel_size, stride):
    return lambda x: student.avg_pool_forward(x, kernel_size, **stride_option(stride))


@check("avg_pool_backward.worked_examples", **AVG_BACKWARD)
@cases(
    # 2x2 windows side by side: each input gets a quarter of its window's gradient
    dict(dout=nchw([[1, 2], [3, 4]]), x=nchw(LECTURE_POOL_INPUT), kernel_size=2, stride=None,
         expected=nchw([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]) / 4),
    # overlapping 3x3 windows: an input gets 1/9 from every window it is in (+=, not =)
    dict(dout=np.ones((1, 1, 3, 3)), x=nchw(LECTURE_POOL3_INPUT), kernel_size=3, stride=1,
         expected=nchw(np.outer([1, 2, 3, 2, 1], [1, 2, 3, 2, 1])) / 9),
)
def _(student, dout, x, kernel_size, stride, expected):
    expect_equal(student.avg_pool_backward(dout, x, kernel_size, **stride_option(stride)), expected)


# Not behind the worked examples, for the same reason as max_pool_backward.matches_reference.
@check("avg_pool_backward.matches_reference", max_examples=20, **AVG_BACKWARD)
@given(layer=layers(), seed=seeds())
def _(student, layer, seed):
    shape, kernel_size, stride = layer
    rng = np.random.default_rng(seed)
    x = halves(rng, shape)
    dout = upstream(rng, ref.avg_pool2d(x, kernel_size, stride).shape)
    expect_backward(
        student.avg_pool_backward(dout, x, kernel_size, **stride_option(stride)),
        ref.avg_pool2d_backward(dout, x, kernel_size, stride),
        inputs={"x": x}, forward=avg_forward_of(student, kernel_size, stride), dout=dout,
        forward_name="avg_pool_forward", grads=("dx",),
    )


@check("avg_pool_backward.gradient_check", max_examples=6, **AVG_BACKWARD)
@given(layer=layers(), seed=seeds())
def _(student, layer, seed):
    shape, kernel_size, stride = layer
    rng = np.random.default_rng(seed)
    x = halves(rng, shape)
    dout = upstream(rng, ref.avg_pool2d(x, kernel_size, stride).shape)
    expect_gradient_check(
        student.avg_pool_backward(dout, x, kernel_size, **stride_option(stride)),
        inputs={"x": x}, forward=avg_forward_of(student, kernel_size, stride), dout=dout,
        forward_name="avg_pool_forward", grads=("dx",),
    )


# --- global_avg_pool ----------------------------------------------------------------------------

GLOBAL = dict(function="global_avg_pool", reference=ref.global_avg_pool2d, adapt=global_as_student)


@check("global_avg_pool.worked_examples", **GLOBAL)
@cases(
    # the lecture input: 51 / 16
    dict(x=nchw(LECTURE_POOL_INPUT), expected=np.array([[3.1875]])),
    # one sample, two channels: one mean per channel
    dict(x=np.stack([LECTURE_POOL_INPUT, 2 * LECTURE_POOL_INPUT])[None],
         expected=np.array([[3.1875, 6.375]])),
)
def _(student, x, expected):
    expect_equal(student.global_avg_pool(x), expected)


@check("global_avg_pool.matches_reference", depends_on=["global_avg_pool.worked_examples"],
       max_examples=10, **GLOBAL)
@given(n=st.integers(1, 3), c=st.integers(1, 3), h=st.integers(1, 7), w=st.integers(1, 7),
       seed=seeds())
def _(student, n, c, h, w, seed):
    x = halves(np.random.default_rng(seed), (n, c, h, w))
    expect_equal(student.global_avg_pool(x), ref.global_avg_pool2d(x))
