"""Which of a student's files are graded when there are several.

A student's folder often holds more than one answer: the finished notebook and an untouched
``-Copy1``, a ``.py`` export beside the ``.ipynb``, two attempts. Graded, documented rule:

1. Files that define none of the graded functions (helper modules, data loaders) are kept.
2. Of the files that define graded functions, the first in this order is graded: the most
   graded functions *implemented* (a body that is more than ``pass``, ``...``, a docstring,
   ``raise NotImplementedError`` or ``x = None; return x``), then the most defined, then the
   newest (as the folder or zip records it), then a notebook before a ``.py``, then by name.
3. Each further file in that order is graded too when it defines none of the graded functions
   already taken (the parts of one answer, like CS231n's ``layers.py`` and ``optim.py``);
   otherwise it is an alternative and is not graded.

The choice is a ``several_files`` problem of the submission: the student and the instructor
see which file was graded and why.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import PurePosixPath

from grader.result import Problem

from .model import CodeChunk


@dataclass(frozen=True)
class Candidate:
    name: str  # as shown: relative to the submission's folder
    mtime: float | None
    defined: frozenset[str]  # graded functions it defines
    implemented: frozenset[str]  # ... with a body that is more than a stub


@dataclass(frozen=True)
class Choice:
    kept: tuple[str, ...]  # file names to grade, in their original order
    ignored: tuple[str, ...]
    problem: Problem | None


def candidate(name: str, mtime: float | None, chunks: tuple[CodeChunk, ...], functions: tuple[str, ...]) -> Candidate:
    defined, implemented = set(), set()
    wanted = set(functions)
    for chunk in chunks:
        for name_defined, body in _function_bodies(chunk.source, wanted):
            defined.add(name_defined)
            if not _is_stub(body):
                implemented.add(name_defined)
            else:
                implemented.discard(name_defined)  # a later stub replaces an earlier answer
    return Candidate(name, mtime, frozenset(defined), frozenset(implemented))


def choose(candidates: list[Candidate], *, shown: str) -> Choice:
    """Apply the rule to the files of one submission (``shown``: its name in messages)."""
    answers = sorted((c for c in candidates if c.defined), key=_rank)
    taken: set[str] = set()
    graded, ignored = [], []
    for c in answers:
        if c.defined & taken:
            ignored.append(c)
            continue
        graded.append(c)
        taken |= c.defined
    kept = tuple(c.name for c in candidates if c not in ignored)
    if not ignored:
        return Choice(kept, (), None)
    message = (f"{shown} holds {len(answers)} files that define the graded functions; graded "
               + " and ".join(_described(c) for c in graded) + "; not graded: "
               + ", ".join(_described(c) for c in ignored)
               + ". The rule: the file with the most graded functions implemented, then the newest; "
               "keep one answer per function in your folder to choose it yourself")
    return Choice(kept, tuple(c.name for c in ignored), Problem(kind="several_files", message=message, file=shown))


def _rank(c: Candidate):
    is_script = PurePosixPath(c.name).suffix.lower() == ".py"
    return (-len(c.implemented), -len(c.defined), -(c.mtime or 0.0), is_script, c.name)


def _described(c: Candidate) -> str:
    return f"{c.name} ({len(c.implemented)} of {len(c.defined)} implemented)"


def _function_bodies(source: str, wanted: set[str]):
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in wanted:
            yield stmt.name, stmt.body


def _is_stub(body: list[ast.stmt]) -> bool:
    """``pass``, ``...``, a docstring, ``raise NotImplementedError``, names set to None and
    returned: what a template's function holds before the student writes it."""
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        if isinstance(stmt, ast.Raise) and _names_not_implemented(stmt.exc):
            continue
        if isinstance(stmt, ast.Assign) and _is_none(stmt.value):
            continue
        if isinstance(stmt, ast.Return) and (stmt.value is None or _is_none(stmt.value) or _only_names(stmt.value)):
            continue
        return False
    return True


def _names_not_implemented(exc: ast.expr | None) -> bool:
    target = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def _is_none(value: ast.expr) -> bool:
    if isinstance(value, ast.Tuple):
        return all(_is_none(v) for v in value.elts)
    return isinstance(value, ast.Constant) and value.value is None


def _only_names(value: ast.expr) -> bool:
    if isinstance(value, ast.Tuple):
        return all(_only_names(v) for v in value.elts)
    return isinstance(value, ast.Name)
