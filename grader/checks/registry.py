"""How instructors write checks, and how a checks file becomes a :class:`CheckSuite`.

A checks file sits next to the assignment and reads like pytest with Hypothesis::

    from hypothesis import strategies as st
    from grader.checks import cases, check, expect_equal, given
    import reference.conv_arithmetic as ref

    @check("conv_output_size.worked_examples", function="conv_output_size",
           reference=ref.conv_output_size)
    @cases(dict(n_in=5, kernel_size=3, stride=2, padding=1, expected=3))
    def _(student, n_in, kernel_size, stride, padding, expected):
        expect_equal(student.conv_output_size(n_in, kernel_size, stride, padding), expected)

    @check("conv_output_size.matches_torch", function="conv_output_size",
           reference=ref.conv_output_size, depends_on=["conv_output_size.worked_examples"])
    @given(n_in=st.integers(1, 64), kernel_size=st.integers(1, 7))
    def _(student, n_in, kernel_size):
        expect_equal(student.conv_output_size(n_in, kernel_size),
                     ref.conv_output_size(n_in, kernel_size))

The first argument, ``student``, calls the student's functions (through the sandbox when
grading). A check without ``@given`` or ``@cases`` is one case. ``@check`` goes on top.

``@check`` only labels the function; :func:`load_checks` imports the file (trusted instructor
code, in the grader's process) and collects the labelled functions in definition order into
a suite of its own, so two loads never share a registry.
"""
from __future__ import annotations

import contextvars
import hashlib
import importlib.util
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from hypothesis.strategies import SearchStrategy

__all__ = ["Check", "CheckDefinitionError", "CheckSuite", "cases", "check", "given", "load_checks"]

# The suite being collected by the load_checks call on this thread/context, if any.
_collecting: contextvars.ContextVar[list | None] = contextvars.ContextVar("_collecting", default=None)


class CheckDefinitionError(ValueError):
    """A checks file is malformed: the instructor's mistake, reported when the file loads."""


@dataclass(frozen=True)
class Check:
    """One check: a function of ``student`` plus, optionally, generated or listed arguments.

    ``reference`` and ``adapt`` serve the diagnosis of misconceptions: ``adapt(f, *args,
    **kwargs)`` calls a reference-like ``f`` (the reference or one of its catalogued mistakes)
    the way the student's ``function`` is called with ``*args, **kwargs``, and returns what the
    student's function would return. Without ``adapt``, ``f(*args, **kwargs)`` is used.
    """

    id: str
    body: Callable
    function: str | None = None
    reference: Callable | None = None
    adapt: Callable | None = None
    depends_on: tuple[str, ...] = ()
    strategies: Mapping[str, SearchStrategy] | None = None  # @given
    cases: tuple[Mapping[str, Any], ...] | None = None  # @cases
    max_examples: int | None = None
    origin: str = ""  # "path:line" of the definition, for error messages
    # Arguments (by the student's parameter names) the function may change in place; changing
    # any other array argument fails the call (grader.checks.student.MutatedInput).
    mutable: tuple[str, ...] = ()

    @property
    def generated(self) -> bool:
        return self.strategies is not None

    def call_reference_as_student(self, f: Callable, args: tuple, kwargs: dict):
        """What the student's function should return if it behaved like ``f``."""
        if self.adapt is None:
            return f(*args, **kwargs)
        return self.adapt(f, *args, **kwargs)


def given(**strategies: SearchStrategy) -> Callable:
    """Generate the check's keyword arguments with Hypothesis strategies (derandomized)."""
    for name, strategy in strategies.items():
        if not isinstance(strategy, SearchStrategy):
            raise CheckDefinitionError(
                f"given() expects Hypothesis strategies; got {name}={strategy!r} "
                f"(type={type(strategy).__name__})"
            )

    def decorate(fn: Callable) -> Callable:
        _set_label(fn, "__cnngrade_given__", dict(strategies), "@given")
        return fn

    return decorate


def cases(*listed: Mapping[str, Any]) -> Callable:
    """Run the check once per listed case (a dict of keyword arguments); each case counts."""
    for i, case in enumerate(listed):
        if not isinstance(case, Mapping):
            raise CheckDefinitionError(
                f"cases() expects dicts of keyword arguments; case {i} is {case!r} "
                f"(type={type(case).__name__})"
            )
    if not listed:
        raise CheckDefinitionError("cases() expects at least one case; got none")

    def decorate(fn: Callable) -> Callable:
        _set_label(fn, "__cnngrade_cases__", tuple(dict(c) for c in listed), "@cases")
        return fn

    return decorate


def check(
    check_id: str,
    *,
    function: str | None = None,
    reference: Callable | None = None,
    adapt: Callable | None = None,
    depends_on: Sequence[str] = (),
    max_examples: int | None = None,
    mutable: Sequence[str] = (),
) -> Callable:
    """Declare a check. ``function`` names the student function it grades (for diagnosis);
    ``mutable`` the arguments the student's functions may change in place (none by default)."""
    if not isinstance(check_id, str) or not check_id:
        raise CheckDefinitionError(f"a check id must be a non-empty str; got {check_id!r}")
    if isinstance(depends_on, str):
        raise CheckDefinitionError(
            f"depends_on must be a list of check ids; got the str {depends_on!r}"
        )
    if isinstance(mutable, str) or not all(isinstance(m, str) and m.isidentifier() for m in mutable):
        raise CheckDefinitionError(
            f"mutable must be a list of argument names; got {mutable!r}"
        )
    if max_examples is not None and (type(max_examples) is not int or max_examples < 1):
        raise CheckDefinitionError(f"max_examples must be a positive int; got {max_examples!r}")

    def decorate(fn: Callable) -> Callable:
        if getattr(fn, "hypothesis", None) is not None:
            raise CheckDefinitionError(
                f"check {check_id!r}: use grader.checks.given, not hypothesis.given; the "
                "grader applies the seed and settings itself"
            )
        strategies = getattr(fn, "__cnngrade_given__", None)
        listed = getattr(fn, "__cnngrade_cases__", None)
        origin = _origin(fn)
        if strategies is not None and listed is not None:
            raise CheckDefinitionError(
                f"check {check_id!r} ({origin}) has both @given and @cases; use one"
            )
        _check_signature(check_id, origin, fn, strategies, listed)
        spec = Check(
            id=check_id,
            body=fn,
            function=function,
            reference=reference,
            adapt=adapt,
            depends_on=tuple(depends_on),
            strategies=strategies,
            cases=listed,
            max_examples=max_examples,
            origin=origin,
            mutable=tuple(mutable),
        )
        collected = _collecting.get()
        if collected is not None:
            collected.append(spec)
        fn.__cnngrade_check__ = spec
        return fn

    return decorate


class CheckSuite:
    """The checks of one checks file, by id, in an order where prerequisites come first."""

    def __init__(self, checks: Sequence[Check], *, path: Path | None = None, harness=(), worker_hidden=None):
        self.path = path
        # the checks file's ``worker_hidden(options, rubric_dir) -> paths``: files the workers
        # must not see beyond the grader's own (a training check's dataset), or None
        self.worker_hidden = worker_hidden
        # (origin, source) of the grader's code that runs in each worker beside the student's
        # (``Sandbox(harness=...)``): the checks file's ``WORKER_HARNESS``, a list of file paths
        self.harness: tuple[tuple[str, str], ...] = tuple(harness)
        by_id: dict[str, Check] = {}
        for spec in checks:
            if spec.id in by_id:
                raise CheckDefinitionError(
                    f"duplicate check id {spec.id!r}: defined at {by_id[spec.id].origin} "
                    f"and at {spec.origin}"
                )
            by_id[spec.id] = spec
        for spec in checks:
            unknown = [d for d in spec.depends_on if d not in by_id]
            if unknown:
                raise CheckDefinitionError(
                    f"check {spec.id!r} ({spec.origin}) depends on unknown check(s) "
                    f"{unknown}; known: {sorted(by_id)}"
                )
        self._by_id = by_id
        self.checks: tuple[Check, ...] = _prerequisites_first(checks, by_id)

    def __iter__(self) -> Iterator[Check]:
        return iter(self.checks)

    def __len__(self) -> int:
        return len(self.checks)

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._by_id

    def __getitem__(self, check_id: str) -> Check:
        try:
            return self._by_id[check_id]
        except KeyError:
            raise KeyError(f"no check {check_id!r}; known: {sorted(self._by_id)}") from None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(spec.id for spec in self.checks)

    def require(self, check_ids: Sequence[str]) -> None:
        """Raise CheckDefinitionError naming the ids (e.g. a rubric's) that no check defines."""
        missing = [c for c in check_ids if c not in self._by_id]
        if missing:
            where = f" in {self.path}" if self.path else ""
            raise CheckDefinitionError(
                f"no check defined for {missing}{where}; defined: {sorted(self._by_id)}"
            )


def load_checks(path: str | Path) -> CheckSuite:
    """Import a checks file by path (trusted instructor code) and collect its checks."""
    path = Path(path).resolve()
    if not path.is_file():
        raise CheckDefinitionError(f"checks file not found: expected a .py file at {path}")
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    module_name = f"_cnngrade_checks_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    collected: list[Check] = []
    token = _collecting.set(collected)
    # In sys.modules only while it executes (dataclasses and pickling in it may look it up).
    previous = sys.modules.get(module_name)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        _collecting.reset(token)
        if previous is None:
            sys.modules.pop(module_name, None)
        else:
            sys.modules[module_name] = previous
    hidden = getattr(module, "worker_hidden", None)
    if hidden is not None and not callable(hidden):
        raise CheckDefinitionError(f"{path}: worker_hidden must be a function (options, rubric_dir) -> paths")
    return CheckSuite(collected, path=path, harness=_harness(module, path), worker_hidden=hidden)


def _harness(module, path: Path) -> tuple[tuple[str, str], ...]:
    """The checks file's ``WORKER_HARNESS`` (paths relative to it) as (origin, source) chunks."""
    files = getattr(module, "WORKER_HARNESS", ())
    if isinstance(files, (str, Path)) or not all(isinstance(f, (str, Path)) for f in files):
        raise CheckDefinitionError(f"{path}: WORKER_HARNESS must be a list of file paths, got {files!r}")
    chunks = []
    for name in files:
        file = (path.parent / name).resolve()
        if not file.is_file():
            raise CheckDefinitionError(f"{path}: WORKER_HARNESS names {name}, but there is no file at {file}")
        chunks.append((f"<cnngrade harness: {file.name}>", file.read_text(encoding="utf-8")))
    return tuple(chunks)


# --- helpers ----------------------------------------------------------------------------------


def _set_label(fn: Callable, attribute: str, value, decorator: str) -> None:
    if getattr(fn, "__cnngrade_check__", None) is not None:
        raise CheckDefinitionError(
            f"{decorator} must come below @check (it was applied to {_origin(fn)} after @check)"
        )
    setattr(fn, attribute, value)


def _origin(fn: Callable) -> str:
    code = getattr(fn, "__code__", None)
    if code is None:
        return repr(fn)
    return f"{code.co_filename}:{code.co_firstlineno}"


def _check_signature(check_id, origin, fn, strategies, listed) -> None:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise CheckDefinitionError(f"check {check_id!r}: {fn!r} is not a function") from exc
    argument_sets = [strategies] if strategies is not None else list(listed or [{}])
    for i, arguments in enumerate(argument_sets):
        try:
            signature.bind(None, **arguments)
        except TypeError as exc:
            which = "@given" if strategies is not None else f"case {i}" if listed else "no arguments"
            raise CheckDefinitionError(
                f"check {check_id!r} ({origin}): the function {fn.__name__}{signature} cannot "
                f"take (student, **{sorted(arguments)}) from {which}: {exc}"
            ) from None


def _prerequisites_first(checks: Sequence[Check], by_id: Mapping[str, Check]) -> tuple[Check, ...]:
    ordered: list[Check] = []
    state: dict[str, str] = {}  # id -> "visiting" | "done"

    def visit(spec: Check, path: list[str]) -> None:
        if state.get(spec.id) == "done":
            return
        if state.get(spec.id) == "visiting":
            cycle = " -> ".join(path[path.index(spec.id):] + [spec.id])
            raise CheckDefinitionError(f"checks depend on each other in a cycle: {cycle}")
        state[spec.id] = "visiting"
        for dep in spec.depends_on:
            visit(by_id[dep], path + [spec.id])
        state[spec.id] = "done"
        ordered.append(spec)

    for spec in checks:
        visit(spec, [])
    return tuple(ordered)
