"""Checks for the losses assignment (ids as in rubrics/losses.yaml).

The student's functions (see the notebook), NumPy float64:

    sigmoid(z) -> array of z's shape
    softmax(z, axis=-1), log_softmax(z, axis=-1) -> array of z's shape
    binary_cross_entropy(p, y) -> float            # mean over elements, each log clamped at -100
    binary_cross_entropy_with_logits(z, y, pos_weight=None) -> float
    cross_entropy(logits, y, label_smoothing=0.0) -> (loss, dlogits)   # logits (N, K), y (N,) ints
    nll_loss(log_probs, y) -> float
    focal_loss(logits, y, alpha=0.25, gamma=2.0) -> float   # torchvision's sigmoid_focal_loss, mean

Checks compare with ``reference.losses``, which the reference tests prove equal to torch. Each
``adapt`` calls a reference-like function the way the student's function is called, so that the
catalogued mistakes (``reference.mistakes.losses``) can be compared with the student's answers.
``cross_entropy`` returns the loss and its gradient: its checks judge one part each, and a
catalogued mistake of the loss (or of the gradient) plays a student whose other part is right.

Logits come in three magnitudes: moderate (|z| <= 4.5), some 1e4 away from the others (a class
that is certain), and all near +1e4 or -1e4 (close to each other: a softmax must shift by the
maximum, or exp overflows to inf or underflows to 0, and inf / inf or 0 / 0 is nan). Gradients
are compared with finite differences of the student's own loss on moderate logits only, where
the central difference is accurate (the loss is smooth, of the order of 1).
"""
import numpy as np
from hypothesis import strategies as st

import reference.losses as ref
from grader.checks import (
    Mismatch,
    cases,
    check,
    expect_backward,
    expect_equal,
    expect_gradient_check,
    given,
    values_match,
)
from reference.mistakes import mistakes_for


def sigmoid_as_student(f, z):
    return f(z)


def along_axis_as_student(f, z, axis=-1):
    return f(z, axis)


def bce_as_student(f, p, y):
    return f(p, y)


def bce_with_logits_as_student(f, z, y, pos_weight=None):
    return f(z, y, pos_weight=pos_weight)


# The gradient-like functions: the reference's gradient and its catalogued mistakes.
GRADIENTS = frozenset([ref.cross_entropy_grad, *(m.function for m in mistakes_for(ref.cross_entropy_grad))])


def cross_entropy_as_student(f, logits, y, label_smoothing=0.0):
    """(loss, dlogits) from ``f``, the loss (ref.cross_entropy or one of its mistakes) or the
    gradient (ref.cross_entropy_grad or one of its mistakes); the other part is the reference's."""
    loss, grad = (ref.cross_entropy, f) if f in GRADIENTS else (f, ref.cross_entropy_grad)
    return (loss(logits, y, label_smoothing=label_smoothing),
            grad(logits, y, label_smoothing=label_smoothing))


def nll_as_student(f, log_probs, y):
    return f(log_probs, y)


def focal_as_student(f, logits, y, alpha=0.25, gamma=2.0):
    return f(logits, y, alpha, gamma, "mean")


def options(**values):
    # an option of None is left out, so that the student's own default is what is tested
    return {k: v for k, v in values.items() if v is not None}


# --- cross_entropy's two results -----------------------------------------------------------------

RESULT = ("loss", "dlogits")


def part(result, name):
    """``name`` ("loss" or "dlogits") of cross_entropy's result; another form fails the check."""
    if not isinstance(result, (tuple, list)) or len(result) != len(RESULT):
        what = (f"a {type(result).__name__} of {len(result)} elements" if isinstance(result, (tuple, list))
                else f"{type(result).__name__} {result!r:.80}")
        raise Mismatch(f"expected a tuple (loss, dlogits), got {what}", expected="a tuple (loss, dlogits)",
                       got=result)
    return result[RESULT.index(name)]


def expect_part(result, expected, name):
    """One part of cross_entropy's result equals ``expected``; a wrong one is reported by name."""
    got = part(result, name)
    try:
        expect_equal(got, expected)
    except Mismatch as wrong:
        raise Mismatch(f"{name}: {wrong.message}", expected=expected, got=got) from None


def loss_array(result):
    """The loss of cross_entropy's result as a 0-d array, for finite differences (anything else
    is passed on, and reported as not an array)."""
    if isinstance(result, (tuple, list)) and len(result) == len(RESULT):
        loss = result[0]
        if isinstance(loss, (int, float, np.number)) or (isinstance(loss, np.ndarray) and loss.shape == ()):
            return np.asarray(loss)
        return loss
    return result


# --- generated inputs ---------------------------------------------------------------------------
# Shapes are drawn with st.integers, so a failure shrinks to the smallest input; values come from a
# seeded generator and are exact halves (plus 1e4 for the large ones), readable in a report.

MODERATE, APART, NEAR = "moderate", "1e4 apart", "near 1e4"


def magnitudes(*, moderate=True):
    """How large the logits are; a failure shrinks towards the first (moderate)."""
    return st.sampled_from([MODERATE, APART, NEAR] if moderate else [APART, NEAR])


def seeds():
    return st.integers(0, 2**16 - 1)


def halves(rng, shape, low=-9, high=9):
    """Integers / 2 in [low/2, high/2]: negative numbers, zeros and ties."""
    return rng.integers(low, high + 1, shape) / 2


def logits_of(rng, shape, magnitude):
    """Halves in [-4.5, 4.5]; APART: each moved by -1e4, 0 or +1e4; NEAR: all moved by one of
    -1e4 and +1e4 (classes close to each other, far from 0)."""
    z = halves(rng, shape)
    if magnitude == APART:
        z = z + rng.choice([-1e4, 0.0, 1e4], shape)
    elif magnitude == NEAR:
        z = z + rng.choice([-1e4, 1e4])
    return z


def batch_of(seed, shape, magnitude):
    """(N, K) logits of ``magnitude`` and their class indices y, shape (N,), from ``seed``."""
    rng = np.random.default_rng(seed)
    return logits_of(rng, shape, magnitude), rng.integers(0, shape[1], shape[0])


def labels(rng, shape):
    """Binary targets 0.0 / 1.0."""
    return rng.integers(0, 2, shape).astype(np.float64)


@st.composite
def arrays_with_axis(draw):
    """(shape, axis): 1 to 3 dimensions of 1 to 4 (mostly (N, K) batches), axis None (the
    default, -1) or a valid axis, negative or not."""
    ndim = draw(st.sampled_from([2, 2, 1, 3]))
    shape = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    axis = draw(st.none() | st.integers(-ndim, ndim - 1))
    return shape, axis


@st.composite
def batches(draw):
    """(N, K) with N = 1 to 4 and K = 2 to 5."""
    return draw(st.integers(1, 4)), draw(st.integers(2, 5))


@st.composite
def binary_shapes(draw):
    """(N,) or (N, K): one binary prediction per element."""
    n = draw(st.integers(1, 4))
    return (n,) if draw(st.booleans()) else (n, draw(st.integers(1, 4)))


def smoothings():
    return st.sampled_from([0.1, 0.2, 0.5])


# --- sigmoid ------------------------------------------------------------------------------------

SIGMOID = dict(function="sigmoid", reference=ref.sigmoid, adapt=sigmoid_as_student)
LN2, LN3 = np.log(2.0), np.log(3.0)


@check("sigmoid.worked_examples", **SIGMOID)
@cases(
    dict(z=np.array([0.0]), expected=np.array([0.5])),
    # sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4, and sigmoid(-z) = 1 - sigmoid(z)
    dict(z=np.array([LN3, -LN3]), expected=np.array([0.75, 0.25])),
    # far from 0: 0 and 1, never nan (exp(1e4) is inf in float64)
    dict(z=np.array([[-1e4, -800.0, 0.0, 800.0, 1e4]]), expected=np.array([[0.0, 0.0, 0.5, 1.0, 1.0]])),
)
def _(student, z, expected):
    expect_equal(student.sigmoid(z), expected)


@check("sigmoid.matches_reference", depends_on=["sigmoid.worked_examples"], max_examples=15, **SIGMOID)
@given(layout=arrays_with_axis(), magnitude=magnitudes(), seed=seeds())
def _(student, layout, magnitude, seed):
    z = logits_of(np.random.default_rng(seed), layout[0], magnitude)
    expect_equal(student.sigmoid(z), ref.sigmoid(z))


# --- softmax and log_softmax --------------------------------------------------------------------

SOFTMAX = dict(function="softmax", reference=ref.softmax, adapt=along_axis_as_student)
LOG_SOFTMAX = dict(function="log_softmax", reference=ref.log_softmax, adapt=along_axis_as_student)


@check("softmax.worked_examples", **SOFTMAX)
@cases(
    # exp(0) : exp(ln 3) = 1 : 3
    dict(z=np.array([0.0, LN3]), axis=None, expected=np.array([0.25, 0.75])),
    # each row of a batch sums to 1 (the default axis is the last)
    dict(z=np.array([[0.0, LN3], [LN2, LN2]]), axis=None, expected=np.array([[0.25, 0.75], [0.5, 0.5]])),
    # the same 1 : 3 near +1e4 and -1e4: exp overflows (inf / inf) or underflows (0 / 0) unless
    # the maximum is subtracted first
    dict(z=np.array([[1e4, 1e4 + LN3], [-1e4, -1e4 + LN3]]), axis=None,
         expected=np.array([[0.25, 0.75], [0.25, 0.75]])),
    dict(z=np.array([[1e4, 0.0, -1e4]]), axis=None, expected=np.array([[1.0, 0.0, 0.0]])),
    # axis=0: each column sums to 1
    dict(z=np.array([[0.0, LN2], [LN3, LN2]]), axis=0, expected=np.array([[0.25, 0.5], [0.75, 0.5]])),
)
def _(student, z, axis, expected):
    expect_equal(student.softmax(z, **options(axis=axis)), expected)


@check("softmax.matches_reference", depends_on=["softmax.worked_examples"], max_examples=20, **SOFTMAX)
@given(layout=arrays_with_axis(), magnitude=magnitudes(), seed=seeds())
def _(student, layout, magnitude, seed):
    shape, axis = layout
    z = logits_of(np.random.default_rng(seed), shape, magnitude)
    expect_equal(student.softmax(z, **options(axis=axis)), ref.softmax(z, -1 if axis is None else axis))


@check("log_softmax.worked_examples", **LOG_SOFTMAX)
@cases(
    dict(z=np.array([0.0, LN3]), axis=None, expected=np.log([0.25, 0.75])),
    # a class 1e4 below the best has log-probability -1e4 (its probability, exp(-1e4), is 0 in
    # float64: log(softmax) would give -inf)
    dict(z=np.array([[1e4, 0.0]]), axis=None, expected=np.array([[0.0, -1e4]])),
    # two equal logits near 1e4: log(1/2) each, where exp(1e4) overflows
    dict(z=np.array([[1e4, 1e4], [-1e4, -1e4]]), axis=None, expected=np.full((2, 2), -LN2)),
    dict(z=np.array([[0.0, 0.0], [LN3, 0.0]]), axis=0, expected=np.log([[0.25, 0.5], [0.75, 0.5]])),
)
def _(student, z, axis, expected):
    expect_equal(student.log_softmax(z, **options(axis=axis)), expected)


@check("log_softmax.matches_reference", depends_on=["log_softmax.worked_examples"], max_examples=20,
       **LOG_SOFTMAX)
@given(layout=arrays_with_axis(), magnitude=magnitudes(), seed=seeds())
def _(student, layout, magnitude, seed):
    shape, axis = layout
    z = logits_of(np.random.default_rng(seed), shape, magnitude)
    expect_equal(student.log_softmax(z, **options(axis=axis)), ref.log_softmax(z, -1 if axis is None else axis))


# --- binary_cross_entropy -----------------------------------------------------------------------

BCE = dict(function="binary_cross_entropy", reference=ref.binary_cross_entropy, adapt=bce_as_student)


@check("binary_cross_entropy.worked_examples", **BCE)
@cases(
    dict(p=np.array([0.5]), y=np.array([1.0]), expected=LN2),
    # -log(0.75) for both: the mean over the elements
    dict(p=np.array([0.25, 0.75]), y=np.array([0.0, 1.0]), expected=-np.log(0.75)),
    dict(p=np.array([[0.9, 0.2], [0.5, 0.6]]), y=np.array([[1.0, 0.0], [0.0, 1.0]]),
         expected=-np.mean(np.log([0.9, 0.8, 0.5, 0.6]))),
    # certain and wrong: log(0) is -inf, clamped at -100 as PyTorch does
    dict(p=np.array([0.0, 1.0]), y=np.array([1.0, 0.0]), expected=100.0),
    # certain and right: 0, not nan (0 * log(0) must not be computed unclamped)
    dict(p=np.array([0.0, 1.0]), y=np.array([0.0, 1.0]), expected=0.0),
)
def _(student, p, y, expected):
    expect_equal(student.binary_cross_entropy(p, y), expected)


@check("binary_cross_entropy.matches_reference", depends_on=["binary_cross_entropy.worked_examples"],
       max_examples=15, **BCE)
@given(shape=binary_shapes(), seed=seeds())
def _(student, shape, seed):
    rng = np.random.default_rng(seed)
    # exact 0 and 1 among the predictions, often
    p = rng.choice([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0], shape)
    y = labels(rng, shape)
    expect_equal(student.binary_cross_entropy(p, y), ref.binary_cross_entropy(p, y))


# --- binary_cross_entropy_with_logits -----------------------------------------------------------

BCE_LOGITS = dict(function="binary_cross_entropy_with_logits", reference=ref.binary_cross_entropy_with_logits,
                  adapt=bce_with_logits_as_student)


@check("binary_cross_entropy_with_logits.worked_examples", **BCE_LOGITS)
@cases(
    dict(z=np.array([0.0]), y=np.array([1.0]), pos_weight=None, expected=LN2),
    # sigmoid(ln 3) = 3/4 for the positive, 1 - sigmoid(-ln 3) = 3/4 for the negative
    dict(z=np.array([LN3, -LN3]), y=np.array([1.0, 0.0]), pos_weight=None, expected=-np.log(0.75)),
    # certain and wrong by 1e4: the loss is 1e4 (not inf, and not stuck at 100)
    dict(z=np.array([1e4, -1e4]), y=np.array([0.0, 1.0]), pos_weight=None, expected=1e4),
    dict(z=np.array([1e4, -1e4]), y=np.array([1.0, 0.0]), pos_weight=None, expected=0.0),
    # pos_weight multiplies the positive term only: (3 ln 2 + ln 2) / 2
    dict(z=np.array([0.0, 0.0]), y=np.array([1.0, 0.0]), pos_weight=3.0, expected=2 * LN2),
    # one pos_weight per class (the last axis): (1 ln 2 + 3 ln 2) / 2
    dict(z=np.array([[0.0, 0.0]]), y=np.array([[1.0, 1.0]]), pos_weight=np.array([1.0, 3.0]), expected=2 * LN2),
)
def _(student, z, y, pos_weight, expected):
    expect_equal(student.binary_cross_entropy_with_logits(z, y, **options(pos_weight=pos_weight)), expected)


@check("binary_cross_entropy_with_logits.matches_reference",
       depends_on=["binary_cross_entropy_with_logits.worked_examples"], max_examples=15, **BCE_LOGITS)
@given(shape=binary_shapes(), magnitude=magnitudes(), seed=seeds())
def _(student, shape, magnitude, seed):
    rng = np.random.default_rng(seed)
    z, y = logits_of(rng, shape, magnitude), labels(rng, shape)
    expect_equal(student.binary_cross_entropy_with_logits(z, y), ref.binary_cross_entropy_with_logits(z, y))


@check("binary_cross_entropy_with_logits.pos_weight",
       depends_on=["binary_cross_entropy_with_logits.worked_examples"], max_examples=15, **BCE_LOGITS)
@given(shape=binary_shapes(), magnitude=magnitudes(), seed=seeds(), per_class=st.booleans())
def _(student, shape, magnitude, seed, per_class):
    rng = np.random.default_rng(seed)
    z, y = logits_of(rng, shape, magnitude), labels(rng, shape)
    # a number, or for (N, K) one weight per class of the last axis (PyTorch's shape (K,))
    if per_class and len(shape) == 2:
        pos_weight = rng.choice([0.5, 2.0, 3.0], shape[-1])
    else:
        pos_weight = float(rng.choice([0.5, 2.0, 3.0]))
    expect_equal(student.binary_cross_entropy_with_logits(z, y, pos_weight=pos_weight),
                 ref.binary_cross_entropy_with_logits(z, y, pos_weight=pos_weight))


# --- cross_entropy: the loss --------------------------------------------------------------------

CROSS_ENTROPY = dict(function="cross_entropy", reference=ref.cross_entropy, adapt=cross_entropy_as_student)
# p = softmax([0, 0, ln 2]) = (1/4, 1/4, 1/2); smoothing 0.3 over K = 3 classes puts 0.1 on each
# class and 0.7 more on the target: q = (0.1, 0.1, 0.8)
Z3 = np.array([[0.0, 0.0, LN2]])


@check("cross_entropy.worked_examples", **CROSS_ENTROPY)
@cases(
    dict(logits=np.array([[0.0, LN3]]), y=np.array([1]), expected=-np.log(0.75)),
    # the mean over the batch: (-log(1/4) - log(1/2)) / 2
    dict(logits=np.array([[0.0, LN3], [LN2, LN2]]), y=np.array([0, 1]), expected=1.5 * LN2),
    # the target 1e4 below the best class: the loss is 1e4 (-log(softmax) would be inf)
    dict(logits=np.array([[1e4, 0.0]]), y=np.array([1]), expected=1e4),
    dict(logits=np.array([[1e4, 1e4 + LN3]]), y=np.array([1]), expected=-np.log(0.75)),
)
def _(student, logits, y, expected):
    expect_part(student.cross_entropy(logits, y), expected, "loss")


@check("cross_entropy.loss", depends_on=["cross_entropy.worked_examples"], max_examples=15, **CROSS_ENTROPY)
@given(shape=batches(), magnitude=magnitudes(), seed=seeds())
def _(student, shape, magnitude, seed):
    logits, y = batch_of(seed, shape, magnitude)
    expect_part(student.cross_entropy(logits, y), ref.cross_entropy(logits, y), "loss")


@check("cross_entropy.label_smoothing_worked_examples", **CROSS_ENTROPY)
@cases(
    # K = 2, eps = 0.2: q = (0.1, 0.9)
    dict(logits=np.array([[0.0, LN3]]), y=np.array([1]), label_smoothing=0.2,
         expected=-(0.1 * np.log(0.25) + 0.9 * np.log(0.75))),
    # K = 3, eps = 0.3: q = (0.1, 0.1, 0.8), so -(0.2 log(1/4) + 0.8 log(1/2)) = 1.2 ln 2
    dict(logits=Z3, y=np.array([2]), label_smoothing=0.3, expected=1.2 * LN2),
    # label_smoothing=0.0 is no smoothing
    dict(logits=Z3, y=np.array([2]), label_smoothing=0.0, expected=LN2),
)
def _(student, logits, y, label_smoothing, expected):
    expect_part(student.cross_entropy(logits, y, label_smoothing=label_smoothing), expected, "loss")


@check("cross_entropy.label_smoothing", depends_on=["cross_entropy.label_smoothing_worked_examples"],
       max_examples=15, **CROSS_ENTROPY)
@given(shape=batches(), magnitude=magnitudes(), seed=seeds(), label_smoothing=smoothings())
def _(student, shape, magnitude, seed, label_smoothing):
    logits, y = batch_of(seed, shape, magnitude)
    expect_part(student.cross_entropy(logits, y, label_smoothing=label_smoothing),
                ref.cross_entropy(logits, y, label_smoothing=label_smoothing), "loss")


# --- cross_entropy: the gradient ----------------------------------------------------------------

CROSS_ENTROPY_GRAD = dict(function="cross_entropy", reference=ref.cross_entropy_grad,
                          adapt=cross_entropy_as_student)


def loss_of(student, y, label_smoothing):
    """The student's own loss, as a function of the logits (for finite differences)."""
    return lambda logits: loss_array(student.cross_entropy(logits, y, **options(label_smoothing=label_smoothing)))


@check("cross_entropy.gradient_worked_examples", **CROSS_ENTROPY_GRAD)
@cases(
    # softmax - one-hot: (1/4, 3/4) - (0, 1)
    dict(logits=np.array([[0.0, LN3]]), y=np.array([1]), label_smoothing=None, expected=np.array([[0.25, -0.25]])),
    # divided by N = 2, the mean's denominator
    dict(logits=np.array([[0.0, LN3], [LN2, LN2]]), y=np.array([0, 1]), label_smoothing=None,
         expected=np.array([[-0.375, 0.375], [0.25, -0.25]])),
    dict(logits=np.array([[1e4, 0.0]]), y=np.array([1]), label_smoothing=None, expected=np.array([[1.0, -1.0]])),
    # softmax - the smoothed target: (1/4, 1/4, 1/2) - (0.1, 0.1, 0.8)
    dict(logits=Z3, y=np.array([2]), label_smoothing=0.3, expected=np.array([[0.15, 0.15, -0.3]])),
)
def _(student, logits, y, label_smoothing, expected):
    expect_part(student.cross_entropy(logits, y, **options(label_smoothing=label_smoothing)), expected, "dlogits")


# Not behind the worked examples: on its inputs a wrong gradient is also compared with finite
# differences of the student's own loss, which tells a gradient mistake from a loss that computes
# something else (and whose gradient this faithfully is).
@check("cross_entropy.gradient", max_examples=15, **CROSS_ENTROPY_GRAD)
@given(shape=batches(), seed=seeds(), label_smoothing=st.none() | smoothings())
def _(student, shape, seed, label_smoothing):
    logits, y = batch_of(seed, shape, MODERATE)
    got = student.cross_entropy(logits, y, **options(label_smoothing=label_smoothing))
    expect_backward(
        part(got, "dlogits"), ref.cross_entropy_grad(logits, y, label_smoothing=label_smoothing or 0.0),
        inputs={"logits": logits}, forward=loss_of(student, y, label_smoothing), dout=np.array(1.0),
        forward_name="cross_entropy", grads=("dlogits",),
    )


@check("cross_entropy.gradient_large_logits", depends_on=["cross_entropy.gradient_worked_examples"],
       max_examples=10, **CROSS_ENTROPY_GRAD)
@given(shape=batches(), magnitude=magnitudes(moderate=False), seed=seeds(),
       label_smoothing=st.none() | smoothings())
def _(student, shape, magnitude, seed, label_smoothing):
    logits, y = batch_of(seed, shape, magnitude)
    expect_part(student.cross_entropy(logits, y, **options(label_smoothing=label_smoothing)),
                ref.cross_entropy_grad(logits, y, label_smoothing=label_smoothing or 0.0), "dlogits")


@check("cross_entropy.gradient_check", max_examples=6, **CROSS_ENTROPY_GRAD)
@given(shape=batches(), seed=seeds(), label_smoothing=st.none() | smoothings())
def _(student, shape, seed, label_smoothing):
    logits, y = batch_of(seed, shape, MODERATE)
    got = student.cross_entropy(logits, y, **options(label_smoothing=label_smoothing))
    expect_gradient_check(
        part(got, "dlogits"), inputs={"logits": logits}, forward=loss_of(student, y, label_smoothing),
        dout=np.array(1.0), forward_name="cross_entropy", grads=("dlogits",),
    )


# --- nll_loss -----------------------------------------------------------------------------------

NLL = dict(function="nll_loss", reference=ref.nll_loss, adapt=nll_as_student)


@check("nll_loss.worked_examples", **NLL)
@cases(
    dict(log_probs=np.log([[0.25, 0.75]]), y=np.array([1]), expected=-np.log(0.75)),
    # the mean over the batch of -log_probs[n, y[n]]
    dict(log_probs=np.log([[0.25, 0.75], [0.5, 0.5]]), y=np.array([0, 1]), expected=1.5 * LN2),
    # log-probabilities as log_softmax gives them for a class 1e4 below the best
    dict(log_probs=np.array([[0.0, -1e4]]), y=np.array([1]), expected=1e4),
)
def _(student, log_probs, y, expected):
    expect_equal(student.nll_loss(log_probs, y), expected)


@check("nll_loss.matches_reference", depends_on=["nll_loss.worked_examples"], max_examples=15, **NLL)
@given(shape=batches(), magnitude=magnitudes(), seed=seeds())
def _(student, shape, magnitude, seed):
    logits, y = batch_of(seed, shape, magnitude)
    log_probs = ref.log_softmax(logits, 1)
    expect_equal(student.nll_loss(log_probs, y), ref.nll_loss(log_probs, y))


# --- focal_loss ---------------------------------------------------------------------------------

FOCAL = dict(function="focal_loss", reference=ref.sigmoid_focal_loss, adapt=focal_as_student)


def focal(z, y, alpha, gamma):
    """One element's focal loss, from p = sigmoid(z), for the worked examples."""
    p = 1 / (1 + np.exp(-z))
    p_t = p if y else 1 - p
    alpha_t = 1.0 if alpha < 0 else (alpha if y else 1 - alpha)
    return -alpha_t * (1 - p_t) ** gamma * np.log(p_t)


@check("focal_loss.worked_examples", **FOCAL)
@cases(
    # p_t = 1/2: alpha_t (1/2)^2 ln 2, with alpha_t = 0.25 for a positive, 0.75 for a negative
    dict(logits=np.array([0.0]), y=np.array([1.0]), alpha=None, gamma=None, expected=0.0625 * LN2),
    dict(logits=np.array([0.0]), y=np.array([0.0]), alpha=None, gamma=None, expected=0.1875 * LN2),
    # p = 3/4: the positive is easy (p_t = 3/4), the negative hard (p_t = 1/4); the mean of both
    dict(logits=np.array([LN3, LN3]), y=np.array([1.0, 0.0]), alpha=None, gamma=None,
         expected=(focal(LN3, 1, 0.25, 2) + focal(LN3, 0, 0.25, 2)) / 2),
    # alpha < 0: no class weighting; gamma = 0: no focusing, the plain cross-entropy
    dict(logits=np.array([0.0]), y=np.array([1.0]), alpha=-1.0, gamma=None, expected=0.25 * LN2),
    dict(logits=np.array([LN3, LN3]), y=np.array([1.0, 0.0]), alpha=-1.0, gamma=0.0,
         expected=(-np.log(0.75) + np.log(4.0)) / 2),
    dict(logits=np.array([[LN3], [-LN3]]), y=np.array([[1.0], [1.0]]), alpha=0.5, gamma=1.0,
         expected=(focal(LN3, 1, 0.5, 1) + focal(-LN3, 1, 0.5, 1)) / 2),
    # any alpha < 0 turns the weighting off, not only -1; alpha = 0 weighs positives by 0
    dict(logits=np.array([0.0]), y=np.array([1.0]), alpha=-0.5, gamma=None, expected=0.25 * LN2),
    dict(logits=np.array([0.0, 0.0]), y=np.array([1.0, 0.0]), alpha=0.0, gamma=None, expected=0.25 * LN2 / 2),
)
def _(student, logits, y, alpha, gamma, expected):
    expect_equal(student.focal_loss(logits, y, **options(alpha=alpha, gamma=gamma)), expected)


def alphas():
    return st.none() | st.sampled_from([0.0, 0.5, 0.75, -1.0, -0.5])  # alpha < 0 (any) turns weighting off


def gammas():
    return st.none() | st.sampled_from([0.0, 0.5, 1.0, 3.0])


@check("focal_loss.matches_reference", depends_on=["focal_loss.worked_examples"], max_examples=15, **FOCAL)
@given(shape=binary_shapes(), seed=seeds(), alpha=alphas(), gamma=gammas())
def _(student, shape, seed, alpha, gamma):
    rng = np.random.default_rng(seed)
    logits, y = logits_of(rng, shape, MODERATE), labels(rng, shape)
    expect_equal(student.focal_loss(logits, y, **options(alpha=alpha, gamma=gamma)),
                 focal_as_student(ref.sigmoid_focal_loss, logits, y, **options(alpha=alpha, gamma=gamma)))


@check("focal_loss.large_logits", depends_on=["focal_loss.worked_examples"], max_examples=10, **FOCAL)
@given(shape=binary_shapes(), magnitude=magnitudes(moderate=False), seed=seeds(), alpha=alphas(), gamma=gammas())
def _(student, shape, magnitude, seed, alpha, gamma):
    rng = np.random.default_rng(seed)
    logits, y = logits_of(rng, shape, magnitude), labels(rng, shape)
    expect_equal(student.focal_loss(logits, y, **options(alpha=alpha, gamma=gamma)),
                 focal_as_student(ref.sigmoid_focal_loss, logits, y, **options(alpha=alpha, gamma=gamma)))


# --- the table of losses: the student's own functions agree with each other ------------------------
# No reference values here: each check asks one question of the table (which function takes
# logits, which probabilities, which log-probabilities) of the student's own functions, on
# moderate logits where stability does not matter. Which side of a failed identity is wrong cannot
# be told, so the failure states both (a plain assertion: the report shows the last call, not a
# "wrong" one); a catalogued mistake of the function the check is declared for is named when that
# function's answers show one.


def number_text(value) -> str:
    if isinstance(value, (int, float, np.number)):
        return repr(float(value))
    return f"{value!r:.60}"


def expect_same_loss(left, right, left_text, right_text, why):
    """``left`` equals ``right``, as PyTorch's table says; else an AssertionError with both sides."""
    if not values_match(left, right):
        raise AssertionError(
            f"your functions disagree: {left_text} = {number_text(left)}, but {right_text} = "
            f"{number_text(right)}. PyTorch's table says they are equal: {why}.")


@check("loss_table.cross_entropy_is_nll_of_log_softmax", max_examples=10, **CROSS_ENTROPY)
@given(shape=batches(), seed=seeds())
def _(student, shape, seed):
    logits, y = batch_of(seed, shape, MODERATE)
    nll = student.nll_loss(student.log_softmax(logits, axis=1), y)
    loss = part(student.cross_entropy(logits, y), "loss")
    expect_same_loss(loss, nll, "cross_entropy(z, y)[0]", "nll_loss(log_softmax(z, axis=1), y)",
                     "cross_entropy takes logits and applies log_softmax itself; nll_loss takes log-probabilities")


@check("loss_table.bce_with_logits_is_bce_of_sigmoid", max_examples=10, **BCE_LOGITS)
@given(shape=binary_shapes(), seed=seeds())
def _(student, shape, seed):
    rng = np.random.default_rng(seed)
    z, y = logits_of(rng, shape, MODERATE), labels(rng, shape)
    bce = student.binary_cross_entropy(student.sigmoid(z), y)
    loss = student.binary_cross_entropy_with_logits(z, y)
    expect_same_loss(loss, bce, "binary_cross_entropy_with_logits(z, y)", "binary_cross_entropy(sigmoid(z), y)",
                     "the with-logits loss takes logits and applies the sigmoid itself; binary_cross_entropy "
                     "takes probabilities")


@check("loss_table.two_class_cross_entropy_is_bce_with_logits", max_examples=10, **CROSS_ENTROPY)
@given(n=st.integers(1, 4), seed=seeds())
def _(student, n, seed):
    rng = np.random.default_rng(seed)
    z, y = logits_of(rng, (n,), MODERATE), labels(rng, (n,))
    bce = student.binary_cross_entropy_with_logits(z, y)
    loss = part(student.cross_entropy(np.stack([np.zeros(n), z], axis=1), y.astype(np.int64)), "loss")
    expect_same_loss(loss, bce, "cross_entropy(np.stack([0 * z, z], axis=1), y)[0]",
                     "binary_cross_entropy_with_logits(z, y)",
                     "the softmax of the two logits (0, z) gives class 1 the probability sigmoid(z)")
