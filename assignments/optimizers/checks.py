"""Checks for the optimizers assignment (ids as in rubrics/optimizers.yaml).

The student's functions (see the notebook); ``w`` and ``dw`` float64 arrays of one shape, ``state``
a dict the student owns ({} at the first step, afterwards what their previous step returned):

    sgd_step(w, dw, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False) -> (w, state)
    rmsprop_step(w, dw, state, lr=0.01, alpha=0.99, eps=1e-8) -> (w, state)
    adam_step(w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0) -> (w, state)
    adamw_step(w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2) -> (w, state)
    cosine_annealing_lr(base_lr, epoch, T_max, eta_min=0.0) -> lr
    step_lr(base_lr, epoch, step_size, gamma=0.1) -> lr
    linear_warmup(base_lr, epoch, warmup_epochs) -> lr
    early_stopping(val_losses, patience, min_delta=0.0) -> (best_epoch, stop_epoch)

The optimizers follow ``torch.optim`` (``reference.optimizers``, proven equal to it; the
``matches_torch`` checks also run ``torch.optim`` itself, in the grader's process). They are
checked over trajectories: several steps, each given the state the student's previous step
returned, unchanged. Only ``w`` is compared, never the state, so a student keeps in it what they
like; a step is judged on what it does to ``w`` given the history so far, and a mistake that only
shows from the second step on (a step count that never grows, a buffer never read back) is caught
there. The diagnosis replays each recorded step with the catalogued mistakes (each ``adapt`` hands
the student's state to a reference-like function): it can name a mistake when the student's state
is PyTorch's (the names the notebook suggests).

``w`` and ``state`` may be updated in place (``w -= lr * dw`` is how PyTorch works too), as long as
the new ones are returned: the optimizer checks declare them ``mutable``. ``dw`` must not change.
"""
import numpy as np
from hypothesis import strategies as st

import reference.optimizers as ref
from grader.checks import Mismatch, cases, check, curves, expect_equal, given
from reference.losses import binary_cross_entropy_with_logits, binary_cross_entropy_with_logits_grad


# --- the student's signatures -------------------------------------------------------------------


def sgd_as_student(f, w, dw, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    return f(w, dw, state, lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov)


def rmsprop_as_student(f, w, dw, state, lr=0.01, alpha=0.99, eps=1e-8):
    w, state = f(w, dw, state, lr=lr, alpha=alpha, eps=eps)
    return w, {k: v for k, v in state.items() if k != "step"}  # torch's count, which RMSprop never reads


def adam_as_student(f, w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    return f(w, dw, state, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)


def adamw_as_student(f, w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    return f(w, dw, state, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)


def cosine_as_student(f, base_lr, epoch, T_max, eta_min=0.0):
    return f(base_lr, epoch, T_max, eta_min)


def step_lr_as_student(f, base_lr, epoch, step_size, gamma=0.1):
    return f(base_lr, epoch, step_size, gamma)


def warmup_as_student(f, base_lr, epoch, warmup_epochs):
    return f(base_lr, epoch, warmup_epochs)  # the reference's start_factor left at its default, 1/W


def early_stopping_as_student(f, val_losses, patience, min_delta=0.0):
    # patience 0 counts as 1, as in Keras (the wait is counted before it is compared)
    found = f(val_losses, max(patience, 1), "min", min_delta)
    return found.best_epoch, found.stop_epoch


def options(**values):
    # an option of None is left out, so that the student's own default is what is tested
    return {k: v for k, v in values.items() if v is not None}


OPTIMIZERS = {
    "sgd_step": dict(function="sgd_step", reference=ref.sgd_step, adapt=sgd_as_student),
    "rmsprop_step": dict(function="rmsprop_step", reference=ref.rmsprop_step, adapt=rmsprop_as_student),
    "adam_step": dict(function="adam_step", reference=ref.adam_step, adapt=adam_as_student),
    "adamw_step": dict(function="adamw_step", reference=ref.adamw_step, adapt=adamw_as_student),
}
IN_PLACE = ("w", "state")  # PyTorch updates both in place; allowed when the new ones are returned


def reference_step(function):
    """The reference optimizer, called and answering as the student's ``function``."""
    spec = OPTIMIZERS[function]
    return lambda w, dw, state, **hyper: spec["adapt"](spec["reference"], w, dw, state, **hyper)


# --- runs of several steps ----------------------------------------------------------------------


def split(result, where):
    """(w, state) from what a step returned, or a Mismatch saying what came instead."""
    if isinstance(result, (tuple, list)) and len(result) == 2:
        return result
    what = f"a {type(result).__name__} of {len(result)} elements" if isinstance(result, (tuple, list)) \
        else f"{type(result).__name__}"
    raise Mismatch(f"{where}: expected a tuple (w, state), got {what}", expected="(w, state)", got=result)


def where_in_run(step, steps):
    if step == 1:
        return f"at step 1 of {steps} (state {{}})"
    earlier = "step 1 was" if step == 2 else f"steps 1 to {step - 1} were"
    return f"at step {step} of {steps} ({earlier} right, each given the state the step before it returned)"


HINT = ("Look at what your state carries from one step to the next (the step count, the buffer or the "
        "moving averages), how the next step uses it, and that each step uses the lr it is given.")


def replay(function, w0, gradients, hyper_at):
    """The run as code the student can paste, up to its last (wrong) step."""
    lines = [f"w, state = np.array({w0.tolist()!r}), {{}}"]
    for k, dw in enumerate(gradients, 1):
        hyper = "".join(f", {name}={value!r}" for name, value in hyper_at(k).items())
        lines.append(f"w, state = {function}(w, np.array({dw.tolist()!r}), state{hyper})")
    return "To replay the run:\n" + "\n".join(f"    {line}" for line in lines)


def wrong_w(w, expected_w, where, hint=None, against=""):
    """None when w is right, else the Mismatch saying where and how it differs."""
    try:
        expect_equal(w, expected_w)
    except Mismatch as wrong:
        return Mismatch(f"{where}, w{against}: {wrong.message}" + (f"\n{hint}" if hint else ""),
                        expected=expected_w, got=w)
    return None


def follow(student, function, expected_ws, w0, gradients, hyper_at, against=""):
    """Run the student's ``function`` over ``gradients`` from (w0, {}), feeding each step the state
    the one before returned, and stop at the first step whose w is not ``expected_ws[k - 1]``
    (``against``: where those come from, when not the reference)."""
    w, state = w0, {}
    for k, dw in enumerate(gradients, 1):
        where = where_in_run(k, len(gradients))
        w, state = split(getattr(student, function)(w, dw, state, **hyper_at(k)), where)
        hint = None if k == 1 else f"{HINT}\n{replay(function, w0, gradients[:k], hyper_at)}"
        problem = wrong_w(w, expected_ws[k - 1], where, hint, against)
        if problem is not None:
            raise problem


def reference_run(function, w0, gradients, hyper_at):
    """The reference's w after each step, on the same gradients."""
    step, w, state, ws = reference_step(function), w0, {}, []
    for k, dw in enumerate(gradients, 1):
        w, state = step(w, dw, state, **hyper_at(k))
        ws.append(w)
    return ws


def constant(hyper):
    return lambda k: hyper


def halving(hyper, default_lr=None):
    """The hyperparameters with a learning rate that halves at every step (a schedule), from
    ``hyper["lr"]`` or, where the run leaves lr to the student's default, from ``default_lr``."""
    start = hyper.get("lr", default_lr)
    return lambda k: {**hyper, "lr": start * 0.5 ** (k - 1)}


# --- generated inputs ---------------------------------------------------------------------------
# Shapes and step counts are drawn with st.integers, so a failure shrinks to the shortest run on
# the smallest w; values come from a seeded generator and are exact quarters, readable in a report.


def seeds():
    return st.integers(0, 2**16 - 1)


def shapes():
    return st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple)


def steps():
    return st.integers(2, 5)


def quarters(rng, shape, low=-8, high=8):
    return rng.integers(low, high + 1, shape) / 4


def nonzero_gradients(rng, shape, count):
    """``count`` gradients with no zeros, in quarters from 0.25 to 2 (a zero would hide a step)."""
    return [rng.choice([-1.0, 1.0], shape) * rng.integers(1, 9, shape) / 4 for _ in range(count)]


def run_inputs(shape, count, seed):
    rng = np.random.default_rng(seed)
    return quarters(rng, shape), nonzero_gradients(rng, shape, count)


@st.composite
def sgd_settings(draw):
    """lr, momentum (none, 0.5, 0.9), weight decay, Nesterov (only with momentum, as torch requires)."""
    momentum = draw(st.sampled_from([None, 0.5, 0.9]))
    nesterov = draw(st.sampled_from([None, False, True])) if momentum else None
    return options(lr=draw(st.sampled_from([0.5, 0.1, 0.01])), momentum=momentum,
                   weight_decay=draw(st.sampled_from([None, 0.1])), nesterov=nesterov)


@st.composite
def rmsprop_settings(draw):
    return options(lr=draw(st.sampled_from([None, 0.1, 0.001])), alpha=draw(st.sampled_from([None, 0.9, 0.5])),
                   eps=draw(st.sampled_from([None, 0.1])))


@st.composite
def adam_settings(draw, decays=(None, 0.0, 0.1)):
    return options(lr=draw(st.sampled_from([None, 0.1, 0.01])), beta1=draw(st.sampled_from([None, 0.5])),
                   beta2=draw(st.sampled_from([None, 0.9])), eps=draw(st.sampled_from([None, 1e-3, 0.1])),
                   weight_decay=draw(st.sampled_from(decays)))


# --- the optimizers: one step from {} -----------------------------------------------------------

W = np.array([1.0, -2.0])
DW = np.array([0.5, 0.25])


def one_step(student, function, w, dw, hyper, expected):
    w_new, _ = split(getattr(student, function)(w, dw, {}, **hyper), "one step from state {}")
    expect_equal(w_new, expected)


@check("sgd_step.worked_examples", mutable=IN_PLACE, **OPTIMIZERS["sgd_step"])
@cases(
    # w - lr * dw
    dict(hyper=dict(lr=0.1), expected=np.array([0.95, -2.025])),
    # weight decay adds 0.1 * w to the gradient: g = (0.6, 0.05)
    dict(hyper=dict(lr=0.1, weight_decay=0.1), expected=np.array([0.94, -2.005])),
    # the first momentum buffer is the gradient itself: the same step as without momentum
    dict(hyper=dict(lr=0.1, momentum=0.9), expected=np.array([0.95, -2.025])),
    # Nesterov steps along g + 0.9 * b = 1.9 * g
    dict(hyper=dict(lr=0.1, momentum=0.9, nesterov=True), expected=np.array([0.905, -2.0475])),
)
def _(student, hyper, expected):
    one_step(student, "sgd_step", W, DW, hyper, expected)


@check("rmsprop_step.worked_examples", mutable=IN_PLACE, **OPTIMIZERS["rmsprop_step"])
@cases(
    # the defaults: s = 0.01 * dw**2, so sqrt(s) = 0.1 * |dw| and the step is about 0.1 * sign(dw)
    dict(hyper={}, expected=W - 0.01 * DW / (0.1 * np.abs(DW) + 1e-8)),
    dict(hyper=dict(lr=0.1, alpha=0.9, eps=0.1), expected=W - 0.1 * DW / (np.sqrt(0.1 * DW**2) + 0.1)),
)
def _(student, hyper, expected):
    one_step(student, "rmsprop_step", W, DW, hyper, expected)


@check("adam_step.worked_examples", mutable=IN_PLACE, **OPTIMIZERS["adam_step"])
@cases(
    # bias-corrected, the first m-hat is dw and v-hat is dw**2: a step of lr * sign(dw)
    dict(hyper=dict(lr=0.1), expected=W - 0.1 * DW / (np.abs(DW) + 1e-8)),
    dict(hyper={}, expected=W - 1e-3 * DW / (np.abs(DW) + 1e-8)),
    # L2: g = dw + 0.5 * w = (1, -0.75), so the step is about 0.1 * sign(g): (0.9, -1.9)
    dict(hyper=dict(lr=0.1, weight_decay=0.5), expected=W - 0.1 * (DW + 0.5 * W) / (np.abs(DW + 0.5 * W) + 1e-8)),
)
def _(student, hyper, expected):
    one_step(student, "adam_step", W, DW, hyper, expected)


@check("adamw_step.worked_examples", mutable=IN_PLACE, **OPTIMIZERS["adamw_step"])
@cases(
    # decoupled: w * (1 - 0.1 * 0.5) = (0.95, -1.9), then the Adam step 0.1 * sign(dw): (0.85, -2.0)
    dict(hyper=dict(lr=0.1, weight_decay=0.5), expected=W * 0.95 - 0.1 * DW / (np.abs(DW) + 1e-8)),
    dict(hyper={}, expected=W * (1 - 1e-3 * 1e-2) - 1e-3 * DW / (np.abs(DW) + 1e-8)),
)
def _(student, hyper, expected):
    one_step(student, "adamw_step", W, DW, hyper, expected)


# --- the optimizers: trajectories ---------------------------------------------------------------


def trajectory(student, function, shape, count, seed, hyper_at):
    w0, gradients = run_inputs(shape, count, seed)
    follow(student, function, reference_run(function, w0, gradients, hyper_at), w0, gradients, hyper_at)


# A learning rate that changes between steps tells torch's b <- mu*b + g, w <- w - lr*b from the
# course-notes form with lr inside the buffer (the same while lr is constant).
@check("sgd_step.trajectories", depends_on=["sgd_step.worked_examples"], max_examples=16,
       mutable=IN_PLACE, **OPTIMIZERS["sgd_step"])
@given(shape=shapes(), count=steps(), seed=seeds(), hyper=sgd_settings(), schedule=st.booleans())
def _(student, shape, count, seed, hyper, schedule):
    trajectory(student, "sgd_step", shape, count, seed, (halving if schedule else constant)(hyper))


@check("rmsprop_step.trajectories", depends_on=["rmsprop_step.worked_examples"], max_examples=10,
       mutable=IN_PLACE, **OPTIMIZERS["rmsprop_step"])
@given(shape=shapes(), count=steps(), seed=seeds(), hyper=rmsprop_settings(), schedule=st.booleans())
def _(student, shape, count, seed, hyper, schedule):
    # the lr of each call, not one kept from the first: a schedule changes it between steps
    trajectory(student, "rmsprop_step", shape, count, seed, halving(hyper, 0.01) if schedule else constant(hyper))


@check("adam_step.trajectories", depends_on=["adam_step.worked_examples"], max_examples=16,
       mutable=IN_PLACE, **OPTIMIZERS["adam_step"])
@given(shape=shapes(), count=steps(), seed=seeds(), hyper=adam_settings(), schedule=st.booleans())
def _(student, shape, count, seed, hyper, schedule):
    trajectory(student, "adam_step", shape, count, seed, halving(hyper, 1e-3) if schedule else constant(hyper))


@check("adamw_step.trajectories", depends_on=["adamw_step.worked_examples"], max_examples=12,
       mutable=IN_PLACE, **OPTIMIZERS["adamw_step"])
@given(shape=shapes(), count=steps(), seed=seeds(), hyper=adam_settings(decays=(None, 0.0, 0.5)),
       schedule=st.booleans())
def _(student, shape, count, seed, hyper, schedule):
    trajectory(student, "adamw_step", shape, count, seed, halving(hyper, 1e-3) if schedule else constant(hyper))


# --- the optimizers against torch.optim itself ----------------------------------------------------


TORCH_NAMES = {"sgd_step": "SGD", "rmsprop_step": "RMSprop", "adam_step": "Adam", "adamw_step": "AdamW"}


def torch_run(function, w0, gradients, hyper_at):
    """torch.optim's w after each step, on a float64 parameter given the same gradients."""
    import torch  # here, not at the top: only these checks need it, in the grader's process

    def arguments(hyper):
        hyper = dict(hyper)
        if "beta1" in hyper or "beta2" in hyper:
            hyper["betas"] = (hyper.pop("beta1", 0.9), hyper.pop("beta2", 0.999))
        return hyper

    kind = getattr(torch.optim, TORCH_NAMES[function])
    p = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    optimizer = kind([p], **arguments(hyper_at(1)))
    ws = []
    for k, g in enumerate(gradients, 1):
        optimizer.param_groups[0]["lr"] = hyper_at(k).get("lr", optimizer.defaults["lr"])
        p.grad = torch.tensor(g, dtype=torch.float64)
        optimizer.step()
        ws.append(p.detach().numpy().copy())
    return ws


TORCH_RUNS = [
    dict(function="sgd_step", hyper=dict(lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True), schedule=True),
    dict(function="sgd_step", hyper=dict(lr=0.5, momentum=0.5), schedule=False),
    dict(function="rmsprop_step", hyper=dict(lr=0.1, alpha=0.9), schedule=True),
    dict(function="rmsprop_step", hyper={}, schedule=False),
    dict(function="adam_step", hyper=dict(lr=0.1, weight_decay=0.1, eps=1e-3), schedule=True),
    dict(function="adam_step", hyper={}, schedule=False),
    dict(function="adamw_step", hyper=dict(lr=0.1, beta1=0.5, weight_decay=0.5), schedule=True),
    dict(function="adamw_step", hyper={}, schedule=False),
]


def torch_check(student, function, hyper, schedule, seed):
    hyper_at = (halving if schedule else constant)(hyper)
    w0, gradients = run_inputs((2, 3), 6, seed)
    follow(student, function, torch_run(function, w0, gradients, hyper_at), w0, gradients, hyper_at,
           against=f" (compared with torch.optim.{TORCH_NAMES[function]} on the same gradients)")


for _function in OPTIMIZERS:  # one check per optimizer, on its runs of TORCH_RUNS
    @check(f"{_function}.matches_torch", mutable=IN_PLACE, **OPTIMIZERS[_function])
    @cases(*[dict(r, seed=i) for i, r in enumerate(TORCH_RUNS) if r["function"] == _function])
    def _(student, function, hyper, schedule, seed):
        torch_check(student, function, hyper, schedule, seed)


# --- training a tiny model: the loss curves -------------------------------------------------------
# A logistic regression on fixed data (a fixed seed), w from 0, trained with the student's optimizer
# on the gradients of their own weights; its loss curve is compared with the reference's, and a
# failure shows both curves. Nothing here assumes the student's weights stay finite: a diverging
# curve is drawn with gaps where it is not.


def logistic_data(seed=2026, n=32):
    """(features with a bias column, 0/1 labels): two features, labels from a noisy linear rule."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    noisy = x @ np.array([1.5, -2.0]) + 0.5 + rng.normal(scale=0.75, size=n)
    return np.hstack([x, np.ones((n, 1))]), (noisy > 0).astype(np.float64)


FEATURES, LABELS = logistic_data()
TRAINING_STEPS = 25


def loss_of(w):
    with np.errstate(all="ignore"):
        return float(binary_cross_entropy_with_logits(FEATURES @ w, LABELS))


def gradient_of(w):
    with np.errstate(all="ignore"):
        return FEATURES.T @ binary_cross_entropy_with_logits_grad(FEATURES @ w, LABELS)


def trainable(w) -> bool:
    """w can be trained on (a vector of numbers of the features' length), right or wrong."""
    try:
        return np.asarray(w, dtype=np.float64).shape == FEATURES.shape[1:]
    except (TypeError, ValueError):
        return False


def cosine_from(base_lr, hyper):
    return lambda k: {**hyper, "lr": ref.cosine_annealing_lr(base_lr, k - 1, TRAINING_STEPS)}


TRAINING = {  # optimizer -> (what the message says about the run, hyperparameters at step k)
    "sgd_step": (f"sgd_step(momentum=0.9, weight_decay=0.01) with lr = cosine_annealing_lr(0.5, "
                 f"step - 1, {TRAINING_STEPS})", cosine_from(0.5, dict(momentum=0.9, weight_decay=0.01))),
    "rmsprop_step": ("rmsprop_step(lr=0.05)", constant(dict(lr=0.05))),
    "adam_step": ("adam_step(lr=0.1)", constant(dict(lr=0.1))),
    "adamw_step": ("adamw_step(lr=0.1, weight_decay=0.1)", constant(dict(lr=0.1, weight_decay=0.1))),
}


def train(student, function):
    description, hyper_at = TRAINING[function]
    step, expected_step = getattr(student, function), reference_step(function)
    w = expected_w = np.zeros(FEATURES.shape[1])
    state, expected_state = {}, {}
    losses, expected_losses = [loss_of(w)], [loss_of(w)]
    first_wrong = None  # (step, its inputs, how w differs)
    for k in range(1, TRAINING_STEPS + 1):
        where = where_in_run(k, TRAINING_STEPS)
        inputs = (w, gradient_of(w), state)
        w, state = split(step(*inputs, **hyper_at(k)), where)
        expected_w, expected_state = expected_step(expected_w, gradient_of(expected_w), expected_state, **hyper_at(k))
        expected_losses.append(loss_of(expected_w))
        problem = wrong_w(w, expected_w, where)
        if problem is not None and not trainable(w):
            raise problem
        losses.append(loss_of(w))
        if problem is not None and first_wrong is None:
            first_wrong = (k, inputs, problem)
    if first_wrong is None:
        return
    k, inputs, problem = first_wrong
    step(*inputs, **hyper_at(k))  # that step once more, so that the report shows its call
    raise Mismatch(
        f"training a logistic regression ({len(LABELS)} points, 2 features and a bias, w from 0, on the "
        f"gradients of the mean binary cross-entropy) for {TRAINING_STEPS} steps of {description}: "
        f"your weights leave the reference's at step {k}, where your loss is {losses[k]:.6g} and the "
        f"reference's {expected_losses[k]:.6g}; after the last step they are {losses[-1]:.6g} and "
        f"{expected_losses[-1]:.6g}. The picture shows both loss curves.\n{problem.message}",
        expected=problem.expected_value, got=problem.got_value,
        figure=curves(f"Loss while training a logistic regression with {function}",
                      {"yours": losses, "reference": expected_losses}, x_label="step", y_label="loss"),
    )


for _function in OPTIMIZERS:
    @check(f"{_function}.trains_logistic_regression", mutable=IN_PLACE, **OPTIMIZERS[_function])
    @cases(dict(function=_function))
    def _(student, function):
        train(student, function)


# --- learning-rate schedules --------------------------------------------------------------------

COSINE = dict(function="cosine_annealing_lr", reference=ref.cosine_annealing_lr, adapt=cosine_as_student)


@check("cosine_annealing_lr.worked_examples", **COSINE)
@cases(
    dict(base_lr=0.1, epoch=0, T_max=10, eta_min=None, expected=0.1),
    dict(base_lr=0.1, epoch=5, T_max=10, eta_min=None, expected=0.05),
    dict(base_lr=0.1, epoch=10, T_max=10, eta_min=None, expected=0.0),
    dict(base_lr=0.1, epoch=10, T_max=10, eta_min=0.01, expected=0.01),
    # past T_max the same cosine rises again (no restart, no clamping)
    dict(base_lr=0.1, epoch=15, T_max=10, eta_min=None, expected=0.05),
    dict(base_lr=0.1, epoch=20, T_max=10, eta_min=None, expected=0.1),
)
def _(student, base_lr, epoch, T_max, eta_min, expected):
    expect_equal(student.cosine_annealing_lr(base_lr, epoch, T_max, **options(eta_min=eta_min)), expected)


def base_rates():
    return st.sampled_from([0.1, 1.0, 0.05])


@st.composite
def periods(draw, low, high, last_epoch):
    """(a schedule's length in epochs, from low to high; an epoch from 0 to last_epoch(length))."""
    length = draw(st.integers(low, high))
    return length, draw(st.integers(0, last_epoch(length)))


@check("cosine_annealing_lr.matches_reference", depends_on=["cosine_annealing_lr.worked_examples"],
       max_examples=20, **COSINE)
@given(base_lr=base_rates(), period=periods(1, 12, lambda T_max: 3 * T_max),
       eta_min=st.sampled_from([None, 0.0, 1e-3]))
def _(student, base_lr, period, eta_min):
    T_max, epoch = period
    expect_equal(student.cosine_annealing_lr(base_lr, epoch, T_max, **options(eta_min=eta_min)),
                 ref.cosine_annealing_lr(base_lr, epoch, T_max, **options(eta_min=eta_min)))


STEP_LR = dict(function="step_lr", reference=ref.step_lr, adapt=step_lr_as_student)


@check("step_lr.worked_examples", **STEP_LR)
@cases(
    dict(base_lr=0.1, epoch=0, step_size=3, gamma=None, expected=0.1),
    dict(base_lr=0.1, epoch=2, step_size=3, gamma=None, expected=0.1),
    dict(base_lr=0.1, epoch=3, step_size=3, gamma=None, expected=0.01),
    dict(base_lr=0.1, epoch=7, step_size=3, gamma=None, expected=0.001),
    dict(base_lr=0.1, epoch=4, step_size=2, gamma=0.5, expected=0.025),
)
def _(student, base_lr, epoch, step_size, gamma, expected):
    expect_equal(student.step_lr(base_lr, epoch, step_size, **options(gamma=gamma)), expected)


@check("step_lr.matches_reference", depends_on=["step_lr.worked_examples"], max_examples=20, **STEP_LR)
@given(base_lr=base_rates(), epoch=st.integers(0, 20), step_size=st.integers(1, 5),
       gamma=st.sampled_from([None, 0.5, 0.9]))
def _(student, base_lr, epoch, step_size, gamma):
    expect_equal(student.step_lr(base_lr, epoch, step_size, **options(gamma=gamma)),
                 ref.step_lr(base_lr, epoch, step_size, **options(gamma=gamma)))


WARMUP = dict(function="linear_warmup", reference=ref.linear_warmup, adapt=warmup_as_student)


@check("linear_warmup.worked_examples", **WARMUP)
@cases(
    # 5 warm-up epochs: 1/5 of the rate at epoch 0, then 4/5 of the rest spread over 5 epochs
    dict(base_lr=0.1, epoch=0, warmup_epochs=5, expected=0.02),
    dict(base_lr=0.1, epoch=2, warmup_epochs=5, expected=0.052),
    dict(base_lr=0.1, epoch=4, warmup_epochs=5, expected=0.084),
    dict(base_lr=0.1, epoch=5, warmup_epochs=5, expected=0.1),
    dict(base_lr=0.1, epoch=9, warmup_epochs=5, expected=0.1),
    dict(base_lr=0.1, epoch=0, warmup_epochs=1, expected=0.1),
)
def _(student, base_lr, epoch, warmup_epochs, expected):
    expect_equal(student.linear_warmup(base_lr, epoch, warmup_epochs), expected)


@check("linear_warmup.matches_reference", depends_on=["linear_warmup.worked_examples"], max_examples=20,
       **WARMUP)
@given(base_lr=base_rates(), period=periods(1, 8, lambda warmup_epochs: 2 * warmup_epochs + 2))
def _(student, base_lr, period):
    warmup_epochs, epoch = period
    expect_equal(student.linear_warmup(base_lr, epoch, warmup_epochs),
                 warmup_as_student(ref.linear_warmup, base_lr, epoch, warmup_epochs))


# --- early stopping -----------------------------------------------------------------------------

EARLY = dict(function="early_stopping", reference=ref.early_stopping, adapt=early_stopping_as_student)


def expect_epochs(got, expected):
    expect_equal(got, expected, names=("best_epoch", "stop_epoch"))


@check("early_stopping.worked_examples", **EARLY)
@cases(
    # the best is epoch 1; epochs 2 and 3 do not improve on it: patience 2 is used up at epoch 3
    dict(val_losses=[1.0, 0.8, 0.85, 0.9, 0.7], patience=2, min_delta=None, expected=(1, 3)),
    # with patience 3 the run reaches epoch 4, which improves: training never stops
    dict(val_losses=[1.0, 0.8, 0.85, 0.9, 0.7], patience=3, min_delta=None, expected=(4, None)),
    # a tie is not an improvement
    dict(val_losses=[1.0, 0.5, 0.5, 0.5], patience=2, min_delta=None, expected=(1, 3)),
    # min_delta: 0.8 is not 0.25 better than 1.0; 0.7 is
    dict(val_losses=[1.0, 0.8, 0.7, 0.6], patience=2, min_delta=0.25, expected=(2, None)),
)
def _(student, val_losses, patience, min_delta, expected):
    expect_epochs(student.early_stopping(val_losses, patience, **options(min_delta=min_delta)), expected)


@st.composite
def loss_histories(draw):
    """1 to 10 losses in quarters from 0.25 to 2: exact sums with min_delta, and ties."""
    return draw(st.lists(st.integers(1, 8), min_size=1, max_size=10).map(lambda q: [v / 4 for v in q]))


@check("early_stopping.matches_reference", depends_on=["early_stopping.worked_examples"],
       max_examples=20, **EARLY)
@given(val_losses=loss_histories(), patience=st.integers(1, 4), min_delta=st.sampled_from([None, 0.0, 0.25]))
def _(student, val_losses, patience, min_delta):
    expect_epochs(student.early_stopping(val_losses, patience, **options(min_delta=min_delta)),
                  early_stopping_as_student(ref.early_stopping, val_losses, patience, **options(min_delta=min_delta)))


@check("early_stopping.edge_cases", **EARLY)
@cases(
    # no epochs: no best epoch, nothing to stop
    dict(val_losses=[], patience=1, expected=(None, None)),
    dict(val_losses=[0.5], patience=1, expected=(0, None)),
    # the first epoch is the best: equal losses never improve on it
    dict(val_losses=[1.0, 1.0, 1.0], patience=1, expected=(0, 1)),
    # patience 0 counts as 1, as in Keras: stop at the first epoch that does not improve
    dict(val_losses=[1.0, 0.9, 0.95, 0.8], patience=0, expected=(1, 2)),
)
def _(student, val_losses, patience, expected):
    expect_epochs(student.early_stopping(val_losses, patience), expected)
