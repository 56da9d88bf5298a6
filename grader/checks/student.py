"""The student's code as a check sees it: calls by name, each one recorded.

The runner needs only an object with ``call(name, *args, **kwargs)`` (:class:`StudentCode`):
a ``grader.sandbox.Sandbox`` when grading, or :class:`TrustedCode` (in-process, for trusted
functions such as the reference and its mistakes) in tests and demos. Checks call
``student.conv_output_size(...)``; :class:`RecordingStudent` turns that into ``call`` and keeps
a :class:`Call` record (arguments, result or error) for the failure report and the diagnosis.
"""
from __future__ import annotations

import copy
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol, runtime_checkable

from grader.checks.compare import _short_repr
from grader.sandbox.errors import (
    MissingFunction,
    StudentError,
    StudentException,
    StudentTimeout,
)

__all__ = [
    "Call",
    "MissingFunction",
    "RecordingStudent",
    "StudentCode",
    "StudentError",
    "StudentException",
    "StudentTimeout",
    "TrustedCode",
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
        parts = [_short_repr(a) for a in self.args]
        parts += [f"{k}={_short_repr(v)}" for k, v in self.kwargs.items()]
        return f"{self.function}({', '.join(parts)})"

    def as_input(self) -> dict[str, Any]:
        """The call as plain data (``CheckOutcome.smallest_input``)."""
        return {"function": self.function, "args": _plain(self.args), "kwargs": _plain(self.kwargs)}


class RecordingStudent:
    """What a check's ``student`` argument is: ``student.f(...)`` calls and records ``f``.

    Arguments are deep-copied before the call, so a student who mutates them changes neither
    the check's values nor the record.
    """

    def __init__(self, code: StudentCode, calls: list[Call]):
        self._code = code
        self._calls = calls

    def __getattr__(self, name: str) -> Callable:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args, **kwargs):
            record_args, record_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
            try:
                result = self._code.call(name, *copy.deepcopy(args), **copy.deepcopy(kwargs))
            except StudentError as exc:
                self._calls.append(Call(name, record_args, record_kwargs, error=exc))
                raise
            self._calls.append(Call(name, record_args, record_kwargs, result=result))
            return result

        call.__name__ = name
        return call


class TrustedCode:
    """:class:`StudentCode` backed by trusted in-process functions (the reference, a mistake).

    Never for student code: it runs in the grader's process. An exception from a function is
    reported as :class:`StudentException`, a missing name as ``MissingFunction``, as the
    sandbox does.
    """

    def __init__(self, functions: Mapping[str, Callable], *, origin: str = "trusted code"):
        self._functions = dict(functions)
        self._origin = origin

    def call(self, name: str, *args, **kwargs):
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
