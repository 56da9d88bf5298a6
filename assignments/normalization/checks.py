"""Checks for the normalization assignment (ids as in rubrics/normalization.yaml).

The student's functions (see the notebook), float64 arrays of shape (N, D) or (N, C, H, W),
statistics per feature / per channel (over N, H and W):

    batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5)
        -> (out, new_running_mean, new_running_var)
    batchnorm_backward(dout, x, gamma, eps=1e-5) -> (dx, dgamma, dbeta)      # training mode
    dropout_forward(x, p, mask, training) -> out                              # inverted dropout
    dropout_backward(dout, p, mask, training) -> dx

Checks compare with ``reference.normalization``, which the reference tests prove equal to torch.
Each ``adapt`` calls a reference-like function the way the student's function is called, so that
the catalogued mistakes (``reference.mistakes.normalization``) can be compared with the student's
answers.

PyTorch updates the running statistics in place; a student may too, in training mode, as long as
the new ones are returned: the training-mode checks declare them ``mutable``. In evaluation mode
they must be left as they are, and x, gamma, beta, dout and mask are never to be changed.

Backward passes are compared with the reference on batches of at least 3 values per channel with
distinct values: there batch norm's gradient is of the order of its inputs (with 2 values per
channel every output is about +-1 whatever the inputs, and the gradient nearly 0, so finite
differences could not tell a consistent misconception from a backward-pass mistake).
"""
import numpy as np
from hypothesis import strategies as st

import reference.normalization as ref
from grader.checks import (
    cases,
    check,
    expect_backward,
    expect_equal,
    expect_gradient_check,
    given,
)


def batchnorm_as_student(f, x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    return f(x, running_mean, running_var, gamma, beta, training, momentum, eps)


def batchnorm_backward_as_student(f, dout, x, gamma, eps=1e-5):
    return f(dout, x, gamma, eps)


def dropout_as_student(f, x, p, mask, training):
    return f(x, mask, p, training)


def dropout_backward_as_student(f, dout, p, mask, training):
    return f(dout, mask, p, training)


def options(momentum=None, eps=None):
    # an option of None is left out, so that the student's own default is what is tested
    return {k: v for k, v in (("momentum", momentum), ("eps", eps)) if v is not None}


OUTPUTS = ("out", "new_running_mean", "new_running_var")


def expect_outputs(got, expected):
    """batchnorm_forward's three results, each compared by name."""
    expect_equal(got, expected, names=OUTPUTS)


def first_output(result):
    """out from batchnorm_forward's tuple (anything else is passed on, and reported as not an array)."""
    if isinstance(result, (tuple, list)) and len(result) == len(OUTPUTS):
        return result[0]
    return result


# --- generated inputs ---------------------------------------------------------------------------
# Shapes are drawn with st.integers, so a failure shrinks to the smallest batch; values come from
# a seeded generator and are exact quarters or halves, readable in a report.


@st.composite
def batch_shapes(draw, *, values_per_channel=1):
    """(N, D) or (N, C, H, W) with N, C <= 3 (N <= 4 for (N, D), where N alone must give the
    values per channel), H, W <= 4 (not always square), and at least ``values_per_channel``
    values per channel (N * H * W)."""
    if draw(st.booleans()):
        n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        h = draw(st.integers(1, 4))
        w = draw(st.integers(min(4, max(1, -(-values_per_channel // (n * h)))), 4))
        return (n, c, h, w)
    return (draw(st.integers(max(2, values_per_channel), 4)), draw(st.integers(1, 3)))


def seeds():
    return st.integers(0, 2**16 - 1)


def momenta():
    return st.none() | st.sampled_from([0.25, 0.5, 0.9])


def epsilons():
    return st.none() | st.sampled_from([1e-3, 0.1, 0.5])


def keep_probabilities():
    return st.sampled_from([0.0, 0.25, 0.5, 0.75, 0.9])


def halves(rng, shape, low=-9, high=9):
    """Integers / 2 in [low/2, high/2]: negative numbers, zeros and repeated values."""
    return rng.integers(low, high + 1, shape) / 2


def distinct(rng, shape):
    """All values distinct, at least 0.5 apart, about half negative."""
    size = int(np.prod(shape))
    return (rng.permutation(size).reshape(shape) - size // 2) / 2


def upstream(rng, shape):
    """An upstream gradient with no zeros, in quarters (a zero would hide a wrong gradient)."""
    return rng.choice([-1.0, 1.0], shape) * rng.integers(1, 20, shape) / 4


def parameters(rng, channels):
    """gamma (nonzero, not all 1), beta, running_mean and running_var (positive), per channel."""
    gamma = rng.choice([-1.0, 1.0], channels) * rng.integers(1, 9, channels) / 4
    beta = rng.integers(-4, 5, channels) / 2
    running_mean = rng.integers(-4, 5, channels) / 2
    running_var = rng.integers(1, 9, channels) / 4
    return gamma, beta, running_mean, running_var


def keep_mask(rng, shape, p):
    """A float mask of 0 (dropped, with probability p) and 1 (kept)."""
    return (rng.random(shape) >= p).astype(np.float64)


# --- batchnorm_forward --------------------------------------------------------------------------

BN = dict(function="batchnorm_forward", reference=ref.batch_norm, adapt=batchnorm_as_student)
RUNNING = ("running_mean", "running_var")  # updated in place by torch; allowed when training

# The worked examples' numbers: column 0 has mean 2 and (biased) variance 1, column 1 mean 2 and
# variance 4; channel 0 of the (2, 2, 2, 2) batch has mean 2 and variance 1, channel 1 mean 2 and
# variance 4 (over N, H and W: 8 values each).
X2 = np.array([[1.0, 0.0], [3.0, 0.0], [1.0, 4.0], [3.0, 4.0]])
X4 = np.array([[[[1.0, 1.0], [3.0, 3.0]], [[0.0, 4.0], [4.0, 0.0]]],
               [[[1.0, 3.0], [3.0, 1.0]], [[0.0, 0.0], [4.0, 4.0]]]])
GAMMA, BETA = np.array([2.0, 0.5]), np.array([1.0, -1.0])
EPS = 1e-5


def channels(v):
    return np.asarray(v, dtype=np.float64).reshape(1, -1, 1, 1)


@check("batchnorm_forward.worked_examples", mutable=RUNNING, **BN)
@cases(
    # (N, D), eps=0 so the numbers are exact: xhat = [-1, 1, -1, 1] and [-1, -1, 1, 1], then
    # gamma * xhat + beta; the running variance tracks the unbiased variances 4/3 and 16/3
    dict(x=X2, gamma=GAMMA, beta=BETA, running_mean=np.zeros(2), running_var=np.ones(2),
         momentum=0.1, eps=0.0,
         expected=(np.array([[-1.0, -1.5], [3.0, -1.5], [-1.0, -0.5], [3.0, -0.5]]),
                   np.array([0.2, 0.2]), 0.9 + 0.1 * np.array([4.0, 16.0]) / 3)),
    # (N, C, H, W): one mean and variance per channel, over N, H and W; the default momentum and eps
    dict(x=X4, gamma=np.array([1.0, -1.0]), beta=np.array([0.0, 0.5]),
         running_mean=np.array([1.0, -1.0]), running_var=np.array([1.0, 2.0]), momentum=None, eps=None,
         expected=(channels([1, -1]) * (X4 - 2) / np.sqrt(channels([1, 4]) + EPS) + channels([0, 0.5]),
                   0.9 * np.array([1.0, -1.0]) + 0.1 * 2,
                   0.9 * np.array([1.0, 2.0]) + 0.1 * np.array([1.0, 4.0]) * 8 / 7)),
)
def _(student, x, gamma, beta, running_mean, running_var, momentum, eps, expected):
    expect_outputs(student.batchnorm_forward(x, gamma, beta, running_mean, running_var, True,
                                             **options(momentum, eps)), expected)


@check("batchnorm_forward.training", depends_on=["batchnorm_forward.worked_examples"],
       max_examples=20, mutable=RUNNING, **BN)
@given(shape=batch_shapes(values_per_channel=2), seed=seeds(), momentum=momenta(), eps=epsilons())
def _(student, shape, seed, momentum, eps):
    rng = np.random.default_rng(seed)
    x = halves(rng, shape)
    gamma, beta, running_mean, running_var = parameters(rng, shape[1])
    arguments = (x, gamma, beta, running_mean, running_var, True)
    expect_outputs(student.batchnorm_forward(*arguments, **options(momentum, eps)),
                   batchnorm_as_student(ref.batch_norm, *arguments, **options(momentum, eps)))


@check("batchnorm_forward.evaluation_worked_examples", **BN)
@cases(
    # (N, D), eps=0: (x - running_mean) / sqrt(running_var), then gamma * xhat + beta; the
    # running statistics come back unchanged (the batch's own mean and variance are not used)
    dict(x=X2, gamma=GAMMA, beta=BETA, running_mean=np.array([1.0, 0.0]), running_var=np.array([4.0, 1.0]),
         eps=0.0,
         expected=(np.array([[1.0, -1.0], [3.0, -1.0], [1.0, 1.0], [3.0, 1.0]]),
                   np.array([1.0, 0.0]), np.array([4.0, 1.0]))),
    # (N, C, H, W), the default eps
    dict(x=X4, gamma=GAMMA, beta=BETA, running_mean=np.array([1.0, 0.0]), running_var=np.array([4.0, 1.0]),
         eps=None,
         expected=(channels(GAMMA) * (X4 - channels([1, 0])) / np.sqrt(channels([4, 1]) + EPS) + channels(BETA),
                   np.array([1.0, 0.0]), np.array([4.0, 1.0]))),
)
def _(student, x, gamma, beta, running_mean, running_var, eps, expected):
    expect_outputs(student.batchnorm_forward(x, gamma, beta, running_mean, running_var, False,
                                             **options(eps=eps)), expected)


@check("batchnorm_forward.evaluation", depends_on=["batchnorm_forward.evaluation_worked_examples"],
       max_examples=15, **BN)
@given(shape=batch_shapes(), seed=seeds(), momentum=momenta(), eps=epsilons())
def _(student, shape, seed, momentum, eps):
    rng = np.random.default_rng(seed)
    x = halves(rng, shape)
    gamma, beta, running_mean, running_var = parameters(rng, shape[1])
    arguments = (x, gamma, beta, running_mean, running_var, False)
    expect_outputs(student.batchnorm_forward(*arguments, **options(momentum, eps)),
                   batchnorm_as_student(ref.batch_norm, *arguments, **options(momentum, eps)))


# --- batchnorm_backward -------------------------------------------------------------------------

BN_BACKWARD = dict(function="batchnorm_backward", reference=ref.batch_norm_backward,
                   adapt=batchnorm_backward_as_student)
GRADS = ("dx", "dgamma", "dbeta")


def batchnorm_forward_of(student, running_mean, running_var, eps):
    """The student's own training-mode forward, as a function of x, gamma and beta."""
    return lambda x, gamma, beta: first_output(
        student.batchnorm_forward(x, gamma, beta, running_mean, running_var, True, **options(eps=eps)))


# One feature, x = [1, 3, 1, 3]: mean 2, variance 1, xhat = [-1, 1, -1, 1]; gamma = 2; eps = 0.
X_COLUMN = np.array([[1.0], [3.0], [1.0], [3.0]])


@check("batchnorm_backward.worked_examples", **BN_BACKWARD)
@cases(
    # the same gradient for every value: shifting x shifts the mean with it, so dx = 0
    dict(dout=np.ones((4, 1)), x=X_COLUMN, gamma=np.array([2.0]), eps=0.0,
         expected=(np.zeros((4, 1)), np.array([0.0]), np.array([4.0]))),
    # dx = gamma / (m * std) * (m * dout - sum(dout) - xhat * sum(dout * xhat))
    #    = 2 / 4 * ([4, 0, 0, 0] - 1 + [-1, 1, -1, 1]) = [1, 0, -1, 0]
    dict(dout=np.array([[1.0], [0.0], [0.0], [0.0]]), x=X_COLUMN, gamma=np.array([2.0]), eps=0.0,
         expected=(np.array([[1.0], [0.0], [-1.0], [0.0]]), np.array([-1.0]), np.array([1.0]))),
    # (N, C, H, W): sums over N, H and W; dgamma and dbeta have gamma's shape (C,)
    dict(dout=np.arange(16.0).reshape(X4.shape) % 5 - 2, x=X4, gamma=np.array([1.0, -1.0]), eps=None,
         expected=ref.batch_norm_backward(np.arange(16.0).reshape(X4.shape) % 5 - 2, X4, np.array([1.0, -1.0]))),
)
def _(student, dout, x, gamma, eps, expected):
    expect_equal(student.batchnorm_backward(dout, x, gamma, **options(eps=eps)), expected, names=GRADS)


# Not behind the worked examples: on its inputs a wrong gradient is also compared with finite
# differences of the student's own forward, which tells a backward-pass mistake from a forward
# pass with the same misconception. The forward runs in training mode: it may update the running
# statistics in place.
@check("batchnorm_backward.matches_reference", max_examples=20, mutable=RUNNING, **BN_BACKWARD)
@given(shape=batch_shapes(values_per_channel=3), seed=seeds(), eps=epsilons())
def _(student, shape, seed, eps):
    rng = np.random.default_rng(seed)
    x = distinct(rng, shape)
    gamma, beta, running_mean, running_var = parameters(rng, shape[1])
    dout = upstream(rng, shape)
    expect_backward(
        student.batchnorm_backward(dout, x, gamma, **options(eps=eps)),
        batchnorm_backward_as_student(ref.batch_norm_backward, dout, x, gamma, **options(eps=eps)),
        inputs={"x": x, "gamma": gamma, "beta": beta},
        forward=batchnorm_forward_of(student, running_mean, running_var, eps), dout=dout,
        forward_name="batchnorm_forward", grads=GRADS,
    )


@check("batchnorm_backward.gradient_check", max_examples=6, mutable=RUNNING, **BN_BACKWARD)
@given(shape=batch_shapes(values_per_channel=3), seed=seeds(), eps=epsilons())
def _(student, shape, seed, eps):
    rng = np.random.default_rng(seed)
    x = distinct(rng, shape)
    gamma, beta, running_mean, running_var = parameters(rng, shape[1])
    dout = upstream(rng, shape)
    expect_gradient_check(
        student.batchnorm_backward(dout, x, gamma, **options(eps=eps)),
        inputs={"x": x, "gamma": gamma, "beta": beta},
        forward=batchnorm_forward_of(student, running_mean, running_var, eps), dout=dout,
        forward_name="batchnorm_forward", grads=GRADS,
    )


# --- dropout_forward ----------------------------------------------------------------------------

DROPOUT = dict(function="dropout_forward", reference=ref.dropout, adapt=dropout_as_student)


@check("dropout_forward.worked_examples", **DROPOUT)
@cases(
    # p = 0.25: the kept values are divided by 1 - p = 0.75, the dropped ones are 0
    dict(x=np.array([[1.0, -2.0, 3.0, 4.0]]), p=0.25, mask=np.array([[1.0, 0.0, 1.0, 1.0]]),
         expected=np.array([[4 / 3, 0.0, 4.0, 16 / 3]])),
    # p = 0.5: the kept values are doubled
    dict(x=np.array([[2.0, 4.0], [-6.0, 8.0]]), p=0.5, mask=np.array([[0.0, 1.0], [1.0, 1.0]]),
         expected=np.array([[0.0, 8.0], [-12.0, 16.0]])),
    # p = 0: nothing dropped, nothing scaled
    dict(x=np.array([[2.0, 4.0], [-6.0, 8.0]]), p=0.0, mask=np.ones((2, 2)),
         expected=np.array([[2.0, 4.0], [-6.0, 8.0]])),
)
def _(student, x, p, mask, expected):
    expect_equal(student.dropout_forward(x, p, mask, True), expected)


@check("dropout_forward.training", depends_on=["dropout_forward.worked_examples"], max_examples=15,
       **DROPOUT)
@given(shape=batch_shapes(), seed=seeds(), p=keep_probabilities())
def _(student, shape, seed, p):
    rng = np.random.default_rng(seed)
    x, mask = halves(rng, shape), keep_mask(rng, shape, p)
    expect_equal(student.dropout_forward(x, p, mask, True), ref.dropout(x, mask, p, True))


# Evaluation mode is the identity whatever p and the mask: no worked examples needed to see it.
@check("dropout_forward.evaluation", max_examples=10, **DROPOUT)
@given(shape=batch_shapes(), seed=seeds(), p=keep_probabilities())
def _(student, shape, seed, p):
    rng = np.random.default_rng(seed)
    x, mask = halves(rng, shape), keep_mask(rng, shape, max(p, 0.25))  # some dropped, always
    expect_equal(student.dropout_forward(x, p, mask, False), ref.dropout(x, mask, p, False))


# --- dropout_backward ---------------------------------------------------------------------------

DROPOUT_BACKWARD = dict(function="dropout_backward", reference=ref.dropout_backward,
                        adapt=dropout_backward_as_student)


def dropout_forward_of(student, p, mask, training):
    return lambda x: student.dropout_forward(x, p, mask, training)


@check("dropout_backward.worked_examples", **DROPOUT_BACKWARD)
@cases(
    # the gradient goes where the value was kept, times the same 1 / (1 - p)
    dict(dout=np.array([[3.0, 3.0, 3.0, -6.0]]), p=0.25, mask=np.array([[1.0, 0.0, 1.0, 1.0]]),
         expected=np.array([[4.0, 0.0, 4.0, -8.0]])),
    dict(dout=np.array([[1.0, 2.0], [3.0, 4.0]]), p=0.5, mask=np.array([[0.0, 1.0], [1.0, 0.0]]),
         expected=np.array([[0.0, 4.0], [6.0, 0.0]])),
)
def _(student, dout, p, mask, expected):
    expect_equal(student.dropout_backward(dout, p, mask, True), expected)


# Not behind the worked examples, for the same reason as batchnorm_backward.matches_reference.
@check("dropout_backward.matches_reference", max_examples=15, **DROPOUT_BACKWARD)
@given(shape=batch_shapes(), seed=seeds(), p=keep_probabilities())
def _(student, shape, seed, p):
    rng = np.random.default_rng(seed)
    x, mask, dout = halves(rng, shape), keep_mask(rng, shape, p), upstream(rng, shape)
    expect_backward(
        student.dropout_backward(dout, p, mask, True), ref.dropout_backward(dout, mask, p, True),
        inputs={"x": x}, forward=dropout_forward_of(student, p, mask, True), dout=dout,
        forward_name="dropout_forward", grads=("dx",),
    )


@check("dropout_backward.evaluation", max_examples=10, **DROPOUT_BACKWARD)
@given(shape=batch_shapes(), seed=seeds(), p=keep_probabilities())
def _(student, shape, seed, p):
    rng = np.random.default_rng(seed)
    x, mask, dout = halves(rng, shape), keep_mask(rng, shape, max(p, 0.25)), upstream(rng, shape)
    expect_backward(
        student.dropout_backward(dout, p, mask, False), ref.dropout_backward(dout, mask, p, False),
        inputs={"x": x}, forward=dropout_forward_of(student, p, mask, False), dout=dout,
        forward_name="dropout_forward", grads=("dx",),
    )


@check("dropout_backward.gradient_check", max_examples=6, **DROPOUT_BACKWARD)
@given(shape=batch_shapes(), seed=seeds(), p=keep_probabilities(), training=st.booleans())
def _(student, shape, seed, p, training):
    rng = np.random.default_rng(seed)
    x, mask, dout = halves(rng, shape), keep_mask(rng, shape, p), upstream(rng, shape)
    expect_gradient_check(
        student.dropout_backward(dout, p, mask, training),
        inputs={"x": x}, forward=dropout_forward_of(student, p, mask, training), dout=dout,
        forward_name="dropout_forward", grads=("dx",),
    )
