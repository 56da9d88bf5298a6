"""Backward passes: compared with the reference, and checked against the student's own forward.

A backward function is judged twice:

- :func:`expect_backward` compares what it returned with the reference's gradients. When a
  gradient is wrong it also asks the student's *own* forward, by central finite differences,
  which of three things happened, and says so: the backward pass disagrees with the student's
  forward (the mistake is in the backward pass); it agrees with it (the forward pass computes
  something else than asked, and the backward pass is its faithful gradient: a consistent
  misconception); or the forward itself fails on these inputs. That verdict costs six forward
  calls, so it is made when the failure's message is first read: for the one failure a check
  reports, not for every failing example it counts or shrinks through.
- :func:`expect_gradient_check` needs no reference: each returned gradient must agree with
  central finite differences of the student's own forward.

The finite differences are directional: for the gradient ``g`` with respect to an input ``a``
and a fixed random direction ``v`` (the same for every student),

    numeric  = (L(a + h v) - L(a - h v)) / (2 h),   L = sum(dout * forward(...)),
    analytic = sum(g * v),
    relative error = |numeric - analytic| / max(|numeric|, |analytic|, 1e-8),

over a few directions (the largest error is reported). Two forward calls per direction keep the
check cheap for any input size, and a wrong gradient is caught unless its error is exactly
orthogonal to every direction. ``h`` and the largest relative error allowed are the rubric's
``tolerances.gradient`` (``step``, ``rel_error``). The forward is evaluated in float64; one that
returns lower precision is told so, since its differences would be rounding noise.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from grader.checks import tolerance
from grader.checks.compare import Mismatch, _difference, _short_repr
from grader.sandbox.errors import StudentError

__all__ = ["expect_backward", "expect_gradient_check", "finite_difference_errors"]

DIRECTIONS = 3
_DIRECTION_SEED = 20261203  # the same directions for every student and every run
_TINY = 1e-8


def expect_backward(got, expected, *, inputs: Mapping[str, Any], forward: Callable[..., Any], dout,
                    forward_name: str, grads: Sequence[str]) -> None:
    """Raise :class:`Mismatch` unless the student's gradients ``got`` equal the reference's.

    Args:
        got: what the student's backward returned: a tuple or list with one gradient per name in
            ``grads`` (one array when ``grads`` has a single name).
        expected: the reference's gradients, in the same form; a None component (``db`` without
            a bias) requires None.
        inputs: the forward's differentiable inputs in order, ``{"x": x, "w": w, "b": b}``: the
            i-th gradient is with respect to the i-th input.
        forward: ``forward(**inputs)`` runs the student's own forward and returns its output.
        dout: the upstream gradient (the loss is ``sum(dout * out)``).
        forward_name: the student's forward function, as named in messages.
        grads: the names of the returned gradients, e.g. ``("dx", "dw", "db")``.
    """
    names = list(inputs)
    if len(names) != len(grads):
        raise ValueError(f"expect_backward: {len(grads)} gradient names {list(grads)} for {len(names)} inputs {names}")
    got_parts = _components(got, grads)
    expected_parts = _components(expected, grads)
    if expected_parts is None:
        raise ValueError(f"expect_backward: the expected value is not {_form(grads)}: {_short_repr(expected)}")
    if got_parts is None:
        raise Mismatch(f"expected {_form(grads)}, got {_describe(got)}", expected=expected, got=got)
    for name, grad_name, part, want in zip(names, grads, got_parts, expected_parts):
        message = _difference(part, want, None, None)
        if message is None:
            continue
        # six more forward calls: made only when the message is read (the failure reported)
        verdict = functools.partial(_verdict, forward, dict(inputs), dout, name, grad_name, part, forward_name)
        raise Mismatch(f"{grad_name}: {message}", expected=expected, got=got, explain=verdict)


def expect_gradient_check(got, *, inputs: Mapping[str, Any], forward: Callable[..., Any], dout,
                          forward_name: str, grads: Sequence[str]) -> None:
    """Raise :class:`Mismatch` unless every gradient in ``got`` agrees with central finite
    differences of the student's own ``forward`` (arguments as for :func:`expect_backward`).

    Inputs must be points where the forward is differentiable (max pooling: no ties, and gaps
    between values much larger than the step). An input of None (no bias) needs a None gradient.
    """
    names = list(inputs)
    if len(names) != len(grads):
        raise ValueError(f"expect_gradient_check: {len(grads)} gradient names for {len(names)} inputs")
    parts = _components(got, grads)
    if parts is None:
        raise Mismatch(f"expected {_form(grads)}, got {_describe(got)}", expected=_form(grads), got=got)
    limit = tolerance.current().gradient_rel_error
    for name, grad_name, part in zip(names, grads, parts):
        if inputs[name] is None:
            if part is not None:
                raise Mismatch(f"{grad_name}: expected None ({name} is None), got {_describe(part)}",
                               expected=None, got=got)
            continue
        shape = np.shape(inputs[name])
        if not isinstance(part, np.ndarray) or part.shape != shape or part.dtype.kind not in "iuf":
            raise Mismatch(f"{grad_name}: expected an array of shape {shape} (the shape of {name}), "
                           f"got {_describe(part)}", expected=f"an array of shape {shape}", got=got)
        errors = finite_difference_errors(forward, inputs, dout, name, part)
        if isinstance(errors, str):
            raise Mismatch(f"{grad_name} cannot be checked: {errors}", expected="a float64 forward", got=got)
        worst = max(errors)
        if worst > limit:
            raise Mismatch(
                f"{grad_name} disagrees with central finite differences of your own {forward_name}: "
                f"relative error {worst:.2e} (at most {limit:.0e} allowed). Either {grad_name} or "
                f"{forward_name} computes something other than the gradient of the other.",
                expected=f"{grad_name} consistent with {forward_name}", got=got)


def finite_difference_errors(forward: Callable[..., Any], inputs: Mapping[str, Any], dout, name: str,
                             grad: np.ndarray) -> list[float] | str:
    """The relative error of ``grad`` (the gradient with respect to ``inputs[name]``) along each
    direction, or why it cannot be measured (the forward's output is not a float64 array of
    ``dout``'s shape). StudentErrors of the forward propagate."""
    step = tolerance.current().gradient_step
    a = np.asarray(inputs[name], dtype=np.float64)
    d = np.asarray(dout, dtype=np.float64)
    g = np.asarray(grad, dtype=np.float64)
    rng = np.random.default_rng(_DIRECTION_SEED)
    errors = []
    for _ in range(DIRECTIONS):
        v = rng.standard_normal(a.shape)
        losses = []
        for sign in (1.0, -1.0):
            out = forward(**{**inputs, name: a + sign * step * v})
            problem = _unusable(out, d.shape)
            if problem:
                return problem
            losses.append(float(np.sum(d * out)))
        numeric = (losses[0] - losses[1]) / (2 * step)
        analytic = float(np.sum(g * v))
        if not (np.isfinite(numeric) and np.isfinite(analytic)):
            errors.append(float("inf") if np.isfinite(numeric) != np.isfinite(analytic) else 0.0)
            continue
        errors.append(abs(numeric - analytic) / max(abs(numeric), abs(analytic), _TINY))
    return errors


def _verdict(forward, inputs, dout, name, grad_name, part, forward_name) -> str:
    """Which of forward and backward the wrong gradient comes from, in a sentence."""
    if not isinstance(part, np.ndarray) or part.shape != np.shape(inputs[name]) or part.dtype.kind not in "iuf":
        return ""
    try:
        errors = finite_difference_errors(forward, inputs, dout, name, part)
    except StudentError as exc:
        first = exc.message.splitlines()[0] if exc.message else type(exc).__name__
        return (f"(Your own {forward_name} fails on these inputs ({first}), so this {grad_name} could not be "
                f"compared with finite differences of it.)")
    if isinstance(errors, str):
        return f"(This {grad_name} could not be compared with finite differences of your {forward_name}: {errors}.)"
    worst = max(errors)
    if worst <= tolerance.current().gradient_rel_error:
        return (f"This {grad_name} agrees with central finite differences of your own {forward_name} "
                f"(relative error {worst:.1e}): your backward pass is the true gradient of your forward pass, "
                f"so the forward pass itself computes something other than what is asked. Fix {forward_name} "
                f"first, then its gradient.")
    return (f"This {grad_name} also disagrees with central finite differences of your own {forward_name} "
            f"(relative error {worst:.1e}): the mistake is in the backward pass.")


def _unusable(out, shape) -> str | None:
    if not isinstance(out, np.ndarray) or out.dtype.kind not in "iuf":
        return f"it returned {_describe(out)}, not an array"
    if out.shape != shape:
        return f"it returned shape {out.shape}, but dout has shape {shape}"
    if out.dtype != np.float64:
        return (f"it returns {out.dtype} values, and finite differences need float64 "
                "(keep the input's dtype)")
    return None


def _components(value, grads: Sequence[str]):
    if len(grads) == 1:
        return [value]
    if isinstance(value, (tuple, list)) and len(value) == len(grads):
        return list(value)
    return None


def _form(grads: Sequence[str]) -> str:
    if len(grads) == 1:
        return f"the gradient {grads[0]}"
    return f"a tuple ({', '.join(grads)})"


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} elements"
    return f"{_short_repr(value)} ({type(value).__name__})"
