"""Write the optimizers notebooks: the student template, the solution and the sample class.

The notebooks are committed; this script is how they were made, so that a change to the
teaching text or to a sample is one edit here. Run: ``python assignments/optimizers/make_notebooks.py``.
Cell ids are numbered, not random, so that running it again gives the same bytes.
"""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).parent
if str(HERE.parent) not in sys.path:  # notebook_parts sits in assignments/, which is not a package
    sys.path.insert(0, str(HERE.parent))
from notebook_parts import AssignmentNotebooks, graded_function, self_check_source  # noqa: E402

ASSIGNMENT = "optimizers"
FUNCTIONS = ["sgd_step", "rmsprop_step", "adam_step", "adamw_step",
             "cosine_annealing_lr", "step_lr", "linear_warmup", "early_stopping"]

INTRO = r"""# Assignment: optimizers, learning-rate schedules and early stopping

Once the gradients are known, how do the weights move? In this assignment you write, in plain
NumPy, one step of each of PyTorch's classic optimizers (`torch.optim.SGD`, `RMSprop`, `Adam`,
`AdamW`), three learning-rate schedules (`torch.optim.lr_scheduler`) and the early-stopping rule
(Keras' `EarlyStopping`):

| function | returns |
|---|---|
| `sgd_step(w, dw, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False)` | `(w, state)` |
| `rmsprop_step(w, dw, state, lr=0.01, alpha=0.99, eps=1e-8)` | `(w, state)` |
| `adam_step(w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)` | `(w, state)` |
| `adamw_step(w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2)` | `(w, state)` |
| `cosine_annealing_lr(base_lr, epoch, T_max, eta_min=0.0)` | the learning rate of `epoch` |
| `step_lr(base_lr, epoch, step_size, gamma=0.1)` | the learning rate of `epoch` |
| `linear_warmup(base_lr, epoch, warmup_epochs)` | the learning rate of `epoch` |
| `early_stopping(val_losses, patience, min_delta=0.0)` | `(best_epoch, stop_epoch)` |

The rules, for every optimizer:

- `w` is a float64 array (any shape) and `dw` the gradient of the loss with respect to `w`, of the
  same shape. A call makes **one step** and returns the new weights and the new state.
- `state` is **yours**: a dict in which you keep what the optimizer needs from one step to the
  next (a step count, a momentum buffer, moving averages). The first step gets `{}`; every later
  step gets, unchanged, the dict your previous step returned. It is not graded: the grader runs
  your optimizer for several steps and checks only the weights. PyTorch's names are a good choice
  (`momentum_buffer` for SGD, `square_avg` for RMSprop, `step`, `exp_avg` and `exp_avg_sq` for
  Adam and AdamW): with them the grader can also tell you which classic mistake your numbers show.
- `lr` may change from one step to the next (a schedule sets it): use the `lr` of this call.
- You may update `w` and the arrays in your state in place (`w -= lr * dw` is what PyTorch does),
  as long as you return them. Never change `dw`: it is the caller's gradient.
- Plain NumPy only: `torch.optim` (optimizers and schedulers) and Keras' optimizers and callbacks
  do not work in this assignment.

Write your code only in the cells marked **graded** (they carry the tag `graded:<name>`). Keep the
function names and signatures. Run the self-check cell at the end as often as you like."""

SETUP_TEXT = r"""## Setup

Everything here needs only NumPy and the standard library's `math`."""

SETUP = """import math

import numpy as np"""

SGD_TEXT = r"""## 1. SGD with momentum, Nesterov and weight decay

As `torch.optim.SGD`. Weight decay is an L2 penalty: $\lambda w$ is added to the gradient first,
$g = dw + \lambda w$. Without momentum the step is $w \leftarrow w - \eta\, g$. With momentum
$\mu > 0$ a **buffer** $b$ remembers the past steps:

$$b \leftarrow g \ \text{ at the first step}, \qquad b \leftarrow \mu\, b + g \ \text{ afterwards}, \qquad
w \leftarrow w - \eta\, d, \quad d = \begin{cases} g + \mu\, b & \text{Nesterov} \\ b & \text{otherwise.} \end{cases}$$

The buffer holds gradients only; the learning rate multiplies the whole step. (Many course notes
write $v \leftarrow \mu v + \eta g$, $w \leftarrow w - v$: the same while $\eta$ is constant, but
not once a schedule changes it, and the checks change it.)

*Worked example.* $w = (1, -2)$, $dw = (0.5, 0.25)$, $\eta = 0.1$: plain SGD gives $(0.95, -2.025)$;
with `weight_decay=0.1`, $g = (0.6, 0.05)$ and $w = (0.94, -2.005)$; with `momentum=0.9` the first
step is the plain one (the first buffer is $g$), the second, with the same gradient, uses
$b = 1.9\,g$: $(0.855, -2.0725)$; with Nesterov the first step already moves by $1.9\,\eta\, g$:
$(0.905, -2.0475)$."""

RMSPROP_TEXT = r"""## 2. RMSprop

As `torch.optim.RMSprop`: a running mean $s$ of the squared gradients (starting at 0) scales each
coordinate's step:

$$s \leftarrow \alpha\, s + (1 - \alpha)\, dw^2, \qquad w \leftarrow w - \eta\, \frac{dw}{\sqrt{s} + \epsilon}.$$

$\epsilon$ is added **after** the square root. *Worked example.* With the defaults ($\eta = 0.01$,
$\alpha = 0.99$), the first step has $s = 0.01\, dw^2$, $\sqrt{s} = 0.1\,|dw|$: each coordinate moves
by about $0.1$ against its gradient's sign, $(1, -2) \to (0.9, -2.1)$."""

ADAM_TEXT = r"""## 3. Adam

As `torch.optim.Adam` (Kingma & Ba, 2015). A step count $t$ (0 before the first step) and two
moving averages, $m$ of the gradients and $v$ of their squares, both starting at 0; `weight_decay`
is L2, as in SGD:

$$t \leftarrow t + 1, \qquad g = dw + \lambda w, \qquad m \leftarrow \beta_1 m + (1 - \beta_1)\, g, \qquad
v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2,$$

$$\hat m = \frac{m}{1 - \beta_1^{\,t}}, \qquad \hat v = \frac{v}{1 - \beta_2^{\,t}}, \qquad
w \leftarrow w - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}.$$

The **bias correction** $1 - \beta^t$ undoes the start at 0, at every step with that step's $t$.

*Worked example.* At the first step $\hat m = g$ and $\hat v = g^2$, so every coordinate moves by
about $\eta$ against the sign of its gradient: $w = (1, -2)$, $dw = (0.5, 0.25)$, $\eta = 0.1$ gives
$(0.9, -2.1)$. With `weight_decay=0.5`, $g = (1, -0.75)$ and $w = (0.9, -1.9)$. With the same
gradient at every step, every step is that $\eta$: $(0.8, -2.2)$, then $(0.7, -2.3)$."""

ADAMW_TEXT = r"""## 4. AdamW

As `torch.optim.AdamW` (Loshchilov & Hutter, 2019): the weight decay is **decoupled** from the
gradient. The weights decay first, by the learning rate times $\lambda$, then Adam runs on $dw$
alone (no $\lambda w$ in $g$):

$$w \leftarrow w\,(1 - \eta \lambda), \qquad \text{then Adam's step with } g = dw.$$

(In Adam, the L2 term $\lambda w$ is divided by $\sqrt{\hat v}$ like the rest of the gradient, which
weakens it where gradients are large; AdamW's decay is the same for every weight.)

*Worked example.* $w = (1, -2)$, $dw = (0.5, 0.25)$, $\eta = 0.1$, $\lambda = 0.5$: the decay gives
$(0.95, -1.9)$, then Adam's first step $(0.85, -2.0)$."""

COSINE_TEXT = r"""## 5. Cosine annealing

As `torch.optim.lr_scheduler.CosineAnnealingLR`. Epochs count from 0; epoch 0 uses `base_lr`:

$$\eta_e = \eta_{min} + (\eta_0 - \eta_{min})\,\frac{1 + \cos(\pi e / T_{max})}{2}.$$

It reaches $\eta_{min}$ at epoch $T_{max}$ and does **not** stop there: past $T_{max}$ the same
formula rises again towards $\eta_0$ (no clamping, no restart).

*Worked example.* $\eta_0 = 0.1$, $T_{max} = 10$: epochs 0, 5, 10, 15, 20 get 0.1, 0.05, 0, 0.05, 0.1."""

STEP_LR_TEXT = r"""## 6. Step decay

As `torch.optim.lr_scheduler.StepLR`: the rate is multiplied by $\gamma$ once every `step_size`
epochs, epochs counted from 0:

$$\eta_e = \eta_0\, \gamma^{\lfloor e / \text{step\_size} \rfloor}.$$

*Worked example.* $\eta_0 = 0.1$, `step_size=3`: epochs 0 to 2 get 0.1, epochs 3 to 5 get 0.01,
epoch 6 gets 0.001."""

WARMUP_TEXT = r"""## 7. Linear warm-up

As `torch.optim.lr_scheduler.LinearLR(start_factor=1/W, end_factor=1.0, total_iters=W)` with
$W$ = `warmup_epochs`: the rate starts at $\eta_0 / W$ at epoch 0 (never at 0, which would waste
the first epoch), grows in equal steps and stays at $\eta_0$ from epoch $W$ on:

$$\eta_e = \eta_0 \Big(s + (1 - s)\, \frac{\min(e, W)}{W}\Big), \qquad s = \frac{1}{W}.$$

*Worked example.* $\eta_0 = 0.1$, $W = 5$: epochs 0 to 5 get 0.02, 0.036, 0.052, 0.068, 0.084, 0.1,
and every later epoch 0.1. With $W = 1$ every epoch gets $\eta_0$."""

EARLY_TEXT = r"""## 8. Early stopping

As Keras' `EarlyStopping(monitor="val_loss", patience, min_delta)`, replayed over a list of
validation losses, one per epoch (epoch $e$ is `val_losses[e]`, counted from 0). The best loss so
far starts at $+\infty$; epoch $e$ **improves** when

$$\text{val\_losses}[e] + \text{min\_delta} < \text{best}$$

(strictly: a tie is not an improvement). Then `best` becomes that loss and the wait starts over;
otherwise the wait grows by one, and training stops at the epoch where it reaches `patience`
(`patience=0` counts as 1, as in Keras). Return `(best_epoch, stop_epoch)`: the epoch of the best
loss seen until training stopped, and the epoch it stopped at, or `None` if it never stops. An
empty list gives `(None, None)`.

*Worked example.* `[1.0, 0.8, 0.85, 0.9, 0.7]` with `patience=2`: epoch 1 is the best; epochs 2 and
3 do not improve on it, so training stops at epoch 3: `(1, 3)`. With `patience=3` it reaches epoch
4, which improves: `(4, None)`. `[1.0, 0.5, 0.5, 0.5]` with `patience=2` gives `(1, 3)`."""

SIGNATURES = {
    "sgd_step": (
        "def sgd_step(w, dw, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):",
        '"""One step of torch.optim.SGD: returns (new_w, new_state)."""'),
    "rmsprop_step": (
        "def rmsprop_step(w, dw, state, lr=0.01, alpha=0.99, eps=1e-8):",
        '"""One step of torch.optim.RMSprop: returns (new_w, new_state)."""'),
    "adam_step": (
        "def adam_step(w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):",
        '"""One step of torch.optim.Adam (weight decay as L2): returns (new_w, new_state)."""'),
    "adamw_step": (
        "def adamw_step(w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):",
        '"""One step of torch.optim.AdamW (decoupled weight decay): returns (new_w, new_state)."""'),
    "cosine_annealing_lr": (
        "def cosine_annealing_lr(base_lr, epoch, T_max, eta_min=0.0):",
        '"""The learning rate of epoch (from 0) under CosineAnnealingLR."""'),
    "step_lr": (
        "def step_lr(base_lr, epoch, step_size, gamma=0.1):",
        '"""The learning rate of epoch (from 0) under StepLR."""'),
    "linear_warmup": (
        "def linear_warmup(base_lr, epoch, warmup_epochs):",
        '"""The learning rate of epoch (from 0) under LinearLR(start_factor=1/warmup_epochs)."""'),
    "early_stopping": (
        "def early_stopping(val_losses, patience, min_delta=0.0):",
        '"""Replay early stopping over the losses: returns (best_epoch, stop_epoch or None)."""'),
}


def function(name: str, body: str) -> str:
    """A graded function: the contract's signature and docstring, then ``body``."""
    return graded_function(SIGNATURES[name], body)


TEMPLATE = {name: function(name, "# YOUR CODE HERE\nraise NotImplementedError()") for name in FUNCTIONS}

# The solution: the formulas as they read, with PyTorch's names for the state.
SOLUTION_BODIES = {
    "sgd_step": """
        g = dw + weight_decay * w
        new_state = {}
        if momentum != 0:
            buf = state.get("momentum_buffer")
            buf = g.copy() if buf is None else momentum * buf + g
            new_state["momentum_buffer"] = buf
            g = g + momentum * buf if nesterov else buf
        return w - lr * g, new_state
    """,
    "rmsprop_step": """
        square_avg = alpha * state.get("square_avg", np.zeros_like(w)) + (1 - alpha) * dw * dw
        return w - lr * dw / (np.sqrt(square_avg) + eps), {"square_avg": square_avg}
    """,
    "adam_step": """
        t = state.get("step", 0) + 1
        g = dw + weight_decay * w
        m = beta1 * state.get("exp_avg", np.zeros_like(w)) + (1 - beta1) * g
        v = beta2 * state.get("exp_avg_sq", np.zeros_like(w)) + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"step": t, "exp_avg": m, "exp_avg_sq": v}
    """,
    "adamw_step": """
        t = state.get("step", 0) + 1
        w = w * (1 - lr * weight_decay)  # decoupled: the weights decay, the gradient does not change
        m = beta1 * state.get("exp_avg", np.zeros_like(w)) + (1 - beta1) * dw
        v = beta2 * state.get("exp_avg_sq", np.zeros_like(w)) + (1 - beta2) * dw * dw
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"step": t, "exp_avg": m, "exp_avg_sq": v}
    """,
    "cosine_annealing_lr": """
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * epoch / T_max)) / 2
    """,
    "step_lr": """
        return base_lr * gamma ** (epoch // step_size)
    """,
    "linear_warmup": """
        start = 1 / warmup_epochs
        return base_lr * (start + (1 - start) * min(epoch, warmup_epochs) / warmup_epochs)
    """,
    "early_stopping": """
        best, best_epoch, waited = math.inf, None, 0
        for epoch, loss in enumerate(val_losses):
            if loss + min_delta < best:
                best, best_epoch, waited = loss, epoch, 0
            else:
                waited += 1
                if waited >= patience:
                    return best_epoch, epoch
        return best_epoch, None
    """,
}
SOLUTION = {name: function(name, body) for name, body in SOLUTION_BODIES.items()}

TEXTS = {
    "sgd_step": SGD_TEXT,
    "rmsprop_step": RMSPROP_TEXT,
    "adam_step": ADAM_TEXT,
    "adamw_step": ADAMW_TEXT,
    "cosine_annealing_lr": COSINE_TEXT,
    "step_lr": STEP_LR_TEXT,
    "linear_warmup": WARMUP_TEXT,
    "early_stopping": EARLY_TEXT,
}

EXAMPLES = {
    "sgd_step": """w, dw = np.array([1.0, -2.0]), np.array([0.5, 0.25])
print(sgd_step(w, dw, {}, lr=0.1)[0])                        # [ 0.95  -2.025]
print(sgd_step(w, dw, {}, lr=0.1, weight_decay=0.1)[0])      # [ 0.94  -2.005]
print(sgd_step(w, dw, {}, lr=0.1, momentum=0.9, nesterov=True)[0])  # [ 0.905  -2.0475]
state = {}
for step in range(3):  # the state of each step goes into the next
    w, state = sgd_step(w, dw, state, lr=0.1, momentum=0.9)
    print(w)           # [ 0.95  -2.025], [ 0.855  -2.0725], [ 0.7195  -2.14025]""",
    "rmsprop_step": """w, dw = np.array([1.0, -2.0]), np.array([0.5, 0.25])
state = {}
for step in range(3):
    w, state = rmsprop_step(w, dw, state)
    print(w)  # [ 0.9 -2.1], [ 0.829112 -2.170888], [ 0.771087 -2.228913]""",
    "adam_step": """w, dw = np.array([1.0, -2.0]), np.array([0.5, 0.25])
print(adam_step(w, dw, {}, lr=0.1, weight_decay=0.5)[0])  # [ 0.9 -1.9]
state = {}
for step in range(3):
    w, state = adam_step(w, dw, state, lr=0.1)
    print(w)  # [ 0.9 -2.1], [ 0.8 -2.2], [ 0.7 -2.3]""",
    "adamw_step": """w, dw = np.array([1.0, -2.0]), np.array([0.5, 0.25])
state = {}
for step in range(3):
    w, state = adamw_step(w, dw, state, lr=0.1, weight_decay=0.5)
    print(w)  # [ 0.85 -2.  ], [ 0.7075 -2.    ], [ 0.572125 -2.      ]""",
    "cosine_annealing_lr": """print([cosine_annealing_lr(0.1, e, T_max=10) for e in (0, 5, 10, 15, 20)])  # [0.1, 0.05, 0.0, 0.05, 0.1]""",
    "step_lr": """print([step_lr(0.1, e, step_size=3) for e in range(7)])  # [0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001]""",
    "linear_warmup": """print([linear_warmup(0.1, e, warmup_epochs=5) for e in range(7)])
# [0.02, 0.036, 0.052, 0.068, 0.084, 0.1, 0.1]""",
    "early_stopping": """print(early_stopping([1.0, 0.8, 0.85, 0.9, 0.7], patience=2))  # (1, 3)
print(early_stopping([1.0, 0.8, 0.85, 0.9, 0.7], patience=3))  # (4, None)
print(early_stopping([1.0, 0.5, 0.5, 0.5], patience=2))        # (1, 3)""",
}


NOTEBOOKS = AssignmentNotebooks(
    ASSIGNMENT, FUNCTIONS, INTRO, TEXTS, EXAMPLES, TEMPLATE, SOLUTION,
    self_check=self_check_source(ASSIGNMENT, FUNCTIONS), setup_text=SETUP_TEXT, setup=SETUP,
    signatures=SIGNATURES,
)


# --- Correct solutions in other styles: each must get full marks ------------------------------

# PyTorch's habit: w and the state's arrays are updated in place (allowed, as they are returned).
IN_PLACE_SETUP = """
import numpy as np
"""

IN_PLACE_STYLE = {
    "sgd_step": """
        g = dw + weight_decay * w if weight_decay else dw
        if momentum:
            if "momentum_buffer" in state:
                state["momentum_buffer"] *= momentum
                state["momentum_buffer"] += g
            else:
                state["momentum_buffer"] = np.array(g)
            g = g + momentum * state["momentum_buffer"] if nesterov else state["momentum_buffer"]
        w -= lr * g
        return w, state
    """,
    "rmsprop_step": """
        s = state.setdefault("square_avg", np.zeros_like(w))
        s *= alpha
        s += (1 - alpha) * dw ** 2
        w -= lr * dw / (np.sqrt(s) + eps)
        return w, state
    """,
    "adam_step": """
        state["step"] = state.get("step", 0) + 1
        t = state["step"]
        g = dw + weight_decay * w
        m = state.setdefault("exp_avg", np.zeros_like(w))
        v = state.setdefault("exp_avg_sq", np.zeros_like(w))
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g ** 2
        # torch's arrangement: the corrections folded into the step size and the denominator
        denom = np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps
        w -= lr / (1 - beta1 ** t) * m / denom
        return w, state
    """,
    "adamw_step": """
        w *= 1 - lr * weight_decay
        state["step"] = state.get("step", 0) + 1
        t = state["step"]
        m = state.setdefault("exp_avg", np.zeros_like(w))
        v = state.setdefault("exp_avg_sq", np.zeros_like(w))
        m += (1 - beta1) * (dw - m)
        v += (1 - beta2) * (dw ** 2 - v)
        w -= lr / (1 - beta1 ** t) * m / (np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps)
        return w, state
    """,
    "cosine_annealing_lr": """
        return float(eta_min + 0.5 * (base_lr - eta_min) * (1 + np.cos(np.pi * epoch / T_max)))
    """,
    "step_lr": """
        lr = base_lr
        for _ in range(epoch // step_size):
            lr *= gamma
        return lr
    """,
    "linear_warmup": """
        if epoch >= warmup_epochs:
            return base_lr
        return base_lr / warmup_epochs * (1 + epoch * (warmup_epochs - 1) / warmup_epochs)
    """,
    "early_stopping": """
        best_epoch, epoch, waited = None, 0, 0
        while epoch < len(val_losses):
            if best_epoch is None or val_losses[epoch] + min_delta < val_losses[best_epoch]:
                best_epoch, waited = epoch, 0
            else:
                waited += 1
                if waited >= max(patience, 1):
                    return best_epoch, epoch
            epoch += 1
        return best_epoch, None
    """,
}

# The state as PyTorch's optimizer.state_dict() nests it: per-parameter state under "state" (the
# parameter's index, 0, as the key), the hyperparameters under "param_groups".
NESTED_SETUP = '''
import math

import numpy as np


def param_state(state):
    """The per-parameter state of parameter 0 (empty at the first step)."""
    return state.get("state", {}).get(0, {})


def nested(param, **group):
    """A state_dict-like state: {"state": {0: param}, "param_groups": [group]}."""
    return {"state": {0: param}, "param_groups": [group]}
'''

NESTED_STYLE = {
    "sgd_step": """
        s = param_state(state)
        g = dw + weight_decay * w
        if momentum == 0:
            return w - lr * g, nested({}, lr=lr, momentum=momentum)
        buf = g if "momentum_buffer" not in s else momentum * s["momentum_buffer"] + g
        d = g + momentum * buf if nesterov else buf
        return w - lr * d, nested({"momentum_buffer": buf}, lr=lr, momentum=momentum, nesterov=nesterov)
    """,
    "rmsprop_step": """
        s = param_state(state)
        square_avg = alpha * s.get("square_avg", 0.0) + (1 - alpha) * dw ** 2
        return w - lr * dw / (np.sqrt(square_avg) + eps), nested({"square_avg": square_avg}, lr=lr, alpha=alpha)
    """,
    "adam_step": """
        s = param_state(state)
        step = s.get("step", 0) + 1
        g = dw + weight_decay * w
        m = beta1 * s.get("exp_avg", 0.0) + (1 - beta1) * g
        v = beta2 * s.get("exp_avg_sq", 0.0) + (1 - beta2) * g ** 2
        update = (m / (1 - beta1 ** step)) / (np.sqrt(v / (1 - beta2 ** step)) + eps)
        return w - lr * update, nested({"step": step, "exp_avg": m, "exp_avg_sq": v},
                                       lr=lr, betas=[beta1, beta2], eps=eps)
    """,
    "adamw_step": """
        s = param_state(state)
        step = s.get("step", 0) + 1
        m = beta1 * s.get("exp_avg", 0.0) + (1 - beta1) * dw
        v = beta2 * s.get("exp_avg_sq", 0.0) + (1 - beta2) * dw ** 2
        update = (m / (1 - beta1 ** step)) / (np.sqrt(v / (1 - beta2 ** step)) + eps)
        return w * (1 - lr * weight_decay) - lr * update, nested(
            {"step": step, "exp_avg": m, "exp_avg_sq": v}, lr=lr, weight_decay=weight_decay)
    """,
    "cosine_annealing_lr": SOLUTION_BODIES["cosine_annealing_lr"],
    "step_lr": SOLUTION_BODIES["step_lr"],
    "linear_warmup": """
        return base_lr * min(1.0, 1 / warmup_epochs + (1 - 1 / warmup_epochs) * epoch / warmup_epochs)
    """,
    "early_stopping": SOLUTION_BODIES["early_stopping"],
}

# A fresh notebook, pasted in: the state under the student's own names, NumPy for everything.
OWN_NAMES_STYLE = '''
import numpy as np


def sgd_step(w, dw, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    grad = dw + weight_decay * w
    if momentum == 0:
        return w - lr * grad, state
    velocity = grad if "velocity" not in state else momentum * state["velocity"] + grad
    direction = grad + momentum * velocity if nesterov else velocity
    return w - lr * direction, {"velocity": velocity}


def rmsprop_step(w, dw, state, lr=0.01, alpha=0.99, eps=1e-8):
    cache = alpha * state.get("cache", 0) + (1 - alpha) * np.square(dw)
    return w - lr * dw / (np.sqrt(cache) + eps), {"cache": cache}


def adam_moments(state, g, beta1, beta2):
    """The step count, the moving averages, and the bias-corrected m and sqrt(v)."""
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0) + (1 - beta1) * g
    v = beta2 * state.get("v", 0) + (1 - beta2) * np.square(g)
    return t, m, v, m / (1 - beta1 ** t), np.sqrt(v / (1 - beta2 ** t))


def adam_step(w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    t, m, v, m_hat, root_v_hat = adam_moments(state, dw + weight_decay * w, beta1, beta2)
    return w - lr * m_hat / (root_v_hat + eps), {"t": t, "m": m, "v": v}


def adamw_step(w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    t, m, v, m_hat, root_v_hat = adam_moments(state, dw, beta1, beta2)
    return w - lr * weight_decay * w - lr * m_hat / (root_v_hat + eps), {"t": t, "m": m, "v": v}


def cosine_annealing_lr(base_lr, epoch, T_max, eta_min=0.0):
    return eta_min + (base_lr - eta_min) * (np.cos(np.pi * epoch / T_max) + 1) / 2


def step_lr(base_lr, epoch, step_size, gamma=0.1):
    return base_lr * np.power(gamma, np.floor_divide(epoch, step_size))


def linear_warmup(base_lr, epoch, warmup_epochs):
    return base_lr * np.interp(epoch, [0, warmup_epochs], [1 / warmup_epochs, 1.0])


def early_stopping(val_losses, patience, min_delta=0.0):
    best = np.inf
    best_epoch = None
    bad_epochs = 0
    for epoch, loss in enumerate(val_losses):
        if loss + min_delta < best:
            best, best_epoch, bad_epochs = loss, epoch, 0
            continue
        bad_epochs += 1
        if bad_epochs >= patience:
            return best_epoch, epoch
    return best_epoch, None
'''


# --- Students with one classic mistake (or a few of one kind) -----------------------------------


def solution_with(name: str, *edits: tuple[str, str], body: str | None = None) -> str:
    """The solution's ``name`` (or ``body`` under its signature) with each (old, new) replaced once."""
    source = textwrap.dedent(SOLUTION_BODIES[name] if body is None else body)
    for old, new in edits:
        if source.count(old) != 1:
            raise ValueError(f"{name}: {old!r} is not in the solution exactly once")
        source = source.replace(old, new)
    return function(name, source)


def adam_variant(bias_correction: str, step: str = 't = state.get("step", 0) + 1') -> str:
    """The solution's adam_step with its step count and its bias correction replaced."""
    return solution_with("adam_step", ('t = state.get("step", 0) + 1', step),
                         ("m_hat = m / (1 - beta1 ** t)\nv_hat = v / (1 - beta2 ** t)", bias_correction))


MISTAKES = {
    "fatima_adam_without_bias_correction": dict(adam_step=adam_variant("m_hat, v_hat = m, v")),
    # the exponent forgotten: 1 - beta1 instead of 1 - beta1 ** t (right at the first step only)
    "goran_adam_bias_correction_without_t": dict(adam_step=adam_variant(
        "m_hat = m / (1 - beta1)\nv_hat = v / (1 - beta2)")),
    # the step count is read, but never advanced
    "hana_adam_step_count_stuck": dict(adam_step=adam_variant(
        "m_hat = m / (1 - beta1 ** t)\nv_hat = v / (1 - beta2 ** t)",
        step='t = state.get("step", 1)  # the number of this step')),
    "ivan_adam_bias_correction_first_step_only": dict(adam_step=adam_variant(
        "if t == 1:  # m and v start at 0: correct them\n"
        "    m_hat, v_hat = m / (1 - beta1), v / (1 - beta2)\n"
        "else:\n"
        "    m_hat, v_hat = m, v")),
    # stored as "momentum_buffer", read back as "buffer": every step starts the buffer again
    "julia_momentum_buffer_never_read": dict(sgd_step=solution_with("sgd_step", (
        'buf = state.get("momentum_buffer")', 'buf = state.get("buffer")'))),
    "kofi_nesterov_ignored": dict(sgd_step=solution_with("sgd_step", (
        "g = g + momentum * buf if nesterov else buf", "g = buf  # nesterov: about the same"))),
    # Adam's decay decoupled and AdamW's added to the gradient: the two swapped
    "lena_weight_decays_swapped": dict(adam_step=solution_with("adam_step", body=SOLUTION_BODIES["adamw_step"]),
                                       adamw_step=solution_with("adamw_step", body=SOLUTION_BODIES["adam_step"])),
    "malik_rmsprop_without_square_root": dict(rmsprop_step=solution_with("rmsprop_step", (
        "np.sqrt(square_avg) + eps", "square_avg + eps"))),
    # the course-notes velocity, lr inside: right while lr is constant
    "nora_lr_inside_velocity": dict(sgd_step=function("sgd_step", """
        g = dw + weight_decay * w
        if momentum == 0:
            return w - lr * g, {}
        v = state.get("momentum_buffer")
        v = lr * g if v is None else momentum * v + lr * g
        step = lr * g + momentum * v if nesterov else v
        return w - step, {"momentum_buffer": v}
    """)),
    "omar_adam_eps_inside_sqrt": dict(adam_step=solution_with("adam_step", (
        "np.sqrt(v_hat) + eps", "np.sqrt(v_hat + eps)"))),
    # epochs counted from 1 in every schedule
    "quinn_epochs_from_one": dict(
        cosine_annealing_lr=solution_with("cosine_annealing_lr", ("epoch / T_max", "(epoch + 1) / T_max")),
        step_lr=solution_with("step_lr", ("(epoch // step_size)", "((epoch + 1) // step_size)")),
        linear_warmup=function("linear_warmup", """
            return base_lr * min((epoch + 1) / warmup_epochs, 1.0)
        """)),
    "rosa_warmup_from_zero_cosine_clamped": dict(
        cosine_annealing_lr=solution_with("cosine_annealing_lr", (
            "return", "if epoch >= T_max:\n    return eta_min  # annealed: stay at the minimum\nreturn")),
        linear_warmup=function("linear_warmup", """
            return base_lr * min(epoch, warmup_epochs) / warmup_epochs
        """)),
    "sam_early_stopping_ties_improve": dict(early_stopping=solution_with("early_stopping", (
        "loss + min_delta < best", "loss + min_delta <= best"))),
    "tara_patience_off_by_one": dict(early_stopping=solution_with("early_stopping", (
        "waited >= patience", "waited > patience"))),
    "uma_epochs_from_one": dict(early_stopping=solution_with("early_stopping", (
        "enumerate(val_losses)", "enumerate(val_losses, start=1)"))),
}


def sample_class() -> dict[str, object]:
    """File stem -> notebook."""
    return {
        # correct, in different styles: all must get full marks
        "ada_pytorch_names": NOTEBOOKS.assignment_notebook(SOLUTION),
        "bruno_in_place": NOTEBOOKS.own_style(IN_PLACE_SETUP, IN_PLACE_STYLE),
        "chen_state_dict_like_torch": NOTEBOOKS.own_style(NESTED_SETUP, NESTED_STYLE),
        "dana_own_state_names": NOTEBOOKS.plain_notebook(OWN_NAMES_STYLE),
        # one classic mistake each (or one of a kind in several functions)
        **{stem: NOTEBOOKS.with_changes(**changes) for stem, changes in MISTAKES.items()},
        # right values, but the weight decay is added to the caller's gradient in place
        "vera_gradient_changed_in_place": NOTEBOOKS.with_changes(sgd_step=solution_with("sgd_step", (
            "g = dw + weight_decay * w",
            "g = dw\ng += weight_decay * w  # g is dw itself: this changes the caller's gradient"))),
        # torch.optim.Adam, banned: reported, and raises when called
        "wei_torch_adam": NOTEBOOKS.with_changes(adam_step='''import torch


''' + function("adam_step", """
            p = torch.tensor(w, requires_grad=True)
            optimizer = torch.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)
            if state:
                optimizer.load_state_dict(state)
            p.grad = torch.tensor(dw)
            optimizer.step()
            return p.detach().numpy(), optimizer.state_dict()
        """)),
        "xena_untouched_template": NOTEBOOKS.assignment_notebook(TEMPLATE),
    }


def main(out: Path = HERE) -> None:
    """Write the notebooks under ``out`` (default: this folder, where they are committed)."""
    NOTEBOOKS.write_all(out, sample_class())


if __name__ == "__main__":
    main()
