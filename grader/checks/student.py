"""The student's code as a check sees it: calls by name, each one recorded.

The runner needs only an object with ``call(name, *args, **kwargs)`` (:class:`StudentCode`):
a ``grader.sandbox.Sandbox`` when grading, or :class:`TrustedCode` (in-process, for trusted
functions such as the reference and its mistakes) in tests and demos. Checks call
``student.conv_output_size(...)``; :class:`RecordingStudent` turns that into ``call`` and keeps
a :class:`Call` record (arguments, result or error) for the failure report and the diagnosis.
"""
from __future__ import annotations

import copy
import inspect
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Collection, Mapping, Protocol, runtime_checkable

import numpy as np

from grader.checks.compare import _short_repr
from grader.sandbox.errors import (
    MissingFunction,
    MutatedInput,
    StudentError,
    StudentException,
    StudentTimeout,
)

__all__ = [
    "Call",
    "MissingFunction",
    "MutatedInput",
    "RecordingStudent",
    "StudentCode",
    "StudentError",
    "StudentException",
    "StudentTimeout",
    "TrustedCode",
    "code_of",
    "student_run",
]


@runtime_checkable
class StudentCode(Protocol):
    def call(self, name: str, *args, **kwargs) -> Any:
        """Call the student's function ``name``; raise a StudentError if the student's code fails."""


@dataclass(frozen=True)
class Call:
    """One call of a student function: its arguments, and what it returned or raised."""

    function: str
    args: tuple
    kwargs: Mapping[str, Any]
    result: Any = None
    error: BaseException | None = None

    def render(self) -> str:
        """The call as the student would write it: ``conv_output_size(5, 3, stride=2)``."""
        parts = [_argument_text(a) for a in self.args]
        parts += [f"{k}={_argument_text(v)}" for k, v in self.kwargs.items()]
        return f"{self.function}({', '.join(parts)})"

    def as_input(self) -> dict[str, Any]:
        """The call as plain data (``CheckOutcome.smallest_input``)."""
        return {"function": self.function, "args": _plain(self.args), "kwargs": _plain(self.kwargs)}


class RecordingStudent:
    """What a check's ``student`` argument is: ``student.f(...)`` calls and records ``f``.

    Arguments are deep-copied before the call, so a student who mutates them changes neither
    the check's values nor the record. A function that changes one of its array arguments in
    place (where the code reports it: ``invoke(...).mutated``) fails that call with
    :class:`MutatedInput`, unless the check lists the argument as ``mutable``.
    """

    def __init__(self, code: StudentCode, calls: list[Call], *, mutable: Collection[str] = ()):
        self._code = code
        self._calls = calls
        self._mutable = frozenset(mutable)

    def __getattr__(self, name: str) -> Callable:
        if name.startswith("_"):
            raise AttributeError(name)

        def perform(args, kwargs):
            result, mutated = _invoke(self._code, name, args, kwargs)
            changed = [label for label in mutated if _argument_of(label) not in self._mutable]
            if changed:
                raise MutatedInput(_mutation_message(name, changed))
            return result

        def call(*args, **kwargs):
            return self._recorded(name, args, kwargs, copy.deepcopy, perform)

        call.__name__ = name
        return call

    def _recorded(self, name, args, kwargs, copied, perform):
        """``perform(args, kwargs)`` on copies (``copied``), recorded as a Call with its result or error."""
        record_args, record_kwargs = copied(args), copied(kwargs)
        try:
            result = perform(copied(args), copied(kwargs))
        except StudentError as exc:
            self._calls.append(Call(name, record_args, record_kwargs, error=exc))
            raise
        self._calls.append(Call(name, record_args, record_kwargs, result=result))
        return result


def code_of(student: RecordingStudent):
    """The code behind a check's ``student`` (the submission's ``Sandbox``): a key for what a
    check computes once per submission and later checks reuse (a trained model)."""
    return student._code


def student_run(student: RecordingStudent, name: str, args=(), kwargs=None, *, keep: str | None = None,
                namespace: str = "student", timeout_s: float | None = None):
    """Call ``name`` as ``student.name(*args, **kwargs)`` does, with what a plain call cannot
    ask for: ``keep`` (``"auto"``/``"all"``: what is not plain data stays in the worker and comes
    back as a ``Handle``, to pass to later calls), the harness's namespace (the grader's code in
    the worker: ``Sandbox(harness=...)``) and a timeout of its own (a training run). Calls of
    the student's functions are recorded like any other; calls of the harness are not the
    student's and are not recorded. The code must offer ``run`` (``Sandbox``, ``TrustedCode``)."""
    code = student._code
    run = getattr(code, "run", None)
    if run is None:
        raise TypeError(f"{type(code).__name__} cannot keep values or run the harness (it has no run())")
    kwargs = {} if kwargs is None else dict(kwargs)
    if namespace != "student":
        return run(name, tuple(args), kwargs, keep=keep, namespace=namespace, timeout_s=timeout_s).value
    return student._recorded(name, tuple(args), kwargs, _copied,
                             lambda a, k: run(name, a, k, keep=keep, timeout_s=timeout_s).value)


def _copied(value):
    """A copy of the plain data in ``value`` (lists, tuples, dicts, arrays); any other object
    as it is: a kept object is passed by reference (a Handle, or in-process the object itself)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if type(value) in (list, tuple):
        return type(value)(_copied(v) for v in value)
    if type(value) is dict:
        return {k: _copied(v) for k, v in value.items()}
    return value


def _invoke(code: StudentCode, name: str, args: tuple, kwargs: dict) -> tuple[Any, tuple[str, ...]]:
    """The call's value and the arguments it changed in place (when ``code`` can tell)."""
    invoke = getattr(code, "invoke", None)
    if invoke is None:
        return code.call(name, *args, **kwargs), ()
    outcome = invoke(name, *args, **kwargs)
    return outcome.value, tuple(outcome.mutated)


def _argument_of(label: str) -> str:
    """``cache[1]`` -> ``cache``: the parameter a watched array was passed in."""
    return label.partition("[")[0]


def _mutation_message(function: str, labels: list[str]) -> str:
    names = " and ".join(", ".join(labels).rsplit(", ", 1))
    which = "argument" if len(labels) == 1 else "arguments"
    a = labels[0]
    copied = f"{a} = {a}.copy()" if "[" not in a else f"x = {a}.copy()"
    return (
        f"{function} changed its {which} {names} in place. The arrays a caller passes in are not yours "
        "to change: the caller's later use of them (the next layer, the backward pass) would see the "
        f"changed values. Work on a copy instead: compute a new array (new = {a} * m, not {a} *= m or "
        f"{a}[i] = v), or copy it first ({copied})."
    )


@dataclass(frozen=True)
class Invoked:
    """What :meth:`TrustedCode.invoke` returns: the value and the arguments changed in place."""

    value: Any
    mutated: tuple[str, ...] = ()


class TrustedCode:
    """:class:`StudentCode` backed by trusted in-process functions (the reference, a mistake).

    Never for student code: it runs in the grader's process. An exception from a function is
    reported as :class:`StudentException`, a missing name as ``MissingFunction``, as the
    sandbox does.
    """

    def __init__(self, functions: Mapping[str, Callable], *, origin: str = "trusted code",
                 harness: Mapping[str, Callable] | None = None):
        self._functions = dict(functions)
        self._origin = origin
        self._harness = dict(harness or {})  # the harness's functions, for run(namespace="harness")

    def run(self, name: str, args=(), kwargs=None, *, keep: str | None = None, namespace: str = "student",
            timeout_s: float | None = None) -> Invoked:
        """``Sandbox.run`` in-process: objects are kept as they are (no handles needed), the
        harness's functions come from ``harness``, and ``timeout_s`` is not enforced."""
        kwargs = {} if kwargs is None else kwargs
        if namespace == "harness":
            if name not in self._harness:
                raise KeyError(f"the harness has no function {name}; it has {sorted(self._harness)}")
            return Invoked(self._harness[name](*args, **kwargs))
        return self.invoke(name, *args, **kwargs)

    def call(self, name: str, *args, **kwargs):
        return self.invoke(name, *args, **kwargs).value

    def invoke(self, name: str, *args, **kwargs) -> Invoked:
        """The value, and which array arguments the function changed in place (as the worker
        reports them for student code)."""
        watched = _watch(args, kwargs, _parameter_names(self._functions.get(name)))
        value = self._call(name, *args, **kwargs)
        return Invoked(value, tuple(label for label, a, before in watched if not _same(a, before)))

    def _call(self, name: str, *args, **kwargs):
        if name not in self._functions:
            raise MissingFunction(
                f"{name} is not defined in {self._origin}; defined: {sorted(self._functions)}"
            )
        try:
            return self._functions[name](*args, **kwargs)
        except Exception as exc:
            raise StudentException(
                f"{name} raised {type(exc).__name__}: {exc} ({self._origin})",
                traceback="".join(traceback.format_exception(exc)),
            ) from exc


def _parameter_names(function) -> list[str]:
    try:
        return [p.name for p in inspect.signature(function).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return []


def _watch(args: tuple, kwargs: dict, names: list[str]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    top = [(names[i] if i < len(names) else f"argument {i + 1}", a) for i, a in enumerate(args)]
    top += list(kwargs.items())
    found = []
    for label, value in top:
        if isinstance(value, np.ndarray):
            found.append((label, value))
        elif isinstance(value, (list, tuple)):
            found += [(f"{label}[{i}]", v) for i, v in enumerate(value) if isinstance(v, np.ndarray)]
        elif isinstance(value, dict):
            found += [(f"{label}[{k!r}]", v) for k, v in value.items() if isinstance(v, np.ndarray)]
    return [(label, a, a.copy()) for label, a in found]


def _same(a: np.ndarray, before: np.ndarray) -> bool:
    return a.shape == before.shape and a.dtype == before.dtype and a.tobytes() == before.tobytes()


_ARRAY_TEXT = 60  # longest array written out in a call; longer ones are named by their shape


def _argument_text(value) -> str:
    """One line per argument, so the call stays a headline: a small array as
    ``array([[1., 2.], [3., 4.]])``, a larger one as ``<float64 array of shape (2, 3, 5, 5)>``
    (the whole input is in ``smallest_input``)."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, separator=", ", max_line_width=10**6, threshold=64)
        text = " ".join(text.split())
        if len(text) <= _ARRAY_TEXT and "..." not in text:
            return f"array({text})"
        return f"<{value.dtype} array of shape {value.shape}>"
    if isinstance(value, (list, tuple)) and any(isinstance(v, np.ndarray) for v in value):
        inner = ", ".join(_argument_text(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    return _short_repr(value)


def _plain(value):
    """JSON-friendly copy: tuples become lists, NumPy arrays and scalars become Python values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        return value.tolist()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)
