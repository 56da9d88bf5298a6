"""Read a student's file into cells: .ipynb (nbformat 4, older versions converted) or .py.

Bad student input never raises: it comes back as ``Problem`` records and fewer cells.
"""
from __future__ import annotations

import io
import re
import json
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from grader.result import Problem

from . import limits

NOTEBOOK_SUFFIXES = (".ipynb",)
SCRIPT_SUFFIXES = (".py",)
GRADEABLE_SUFFIXES = NOTEBOOK_SUFFIXES + SCRIPT_SUFFIXES
_JSON_TYPES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


@dataclass(frozen=True)
class Cell:
    """One notebook cell (or a whole .py file), with the numbers a student can see."""

    position: int  # 1-based among all cells
    number: int | None  # 1-based among code cells: the number used in messages (None for .py)
    cell_type: str  # "code" | "markdown" | "raw"
    source: str  # exactly as stored (nbgrader checksums need it); .py files: newlines "\n"
    metadata: dict[str, Any] = field(default_factory=dict)
    execution_count: int | None = None

    @property
    def tags(self) -> tuple[str, ...]:
        tags = self.metadata.get("tags", ())
        return tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else ()

    @property
    def nbgrader(self) -> dict[str, Any]:
        value = self.metadata.get("nbgrader", {})
        return value if isinstance(value, dict) else {}

    def where(self) -> str:
        """'cell 3 (In [7])' — how Jupyter shows the cell to the student."""
        text = f"cell {self.number}" if self.number is not None else f"cell at position {self.position}"
        if self.execution_count is not None:
            text += f" (In [{self.execution_count}])"
        return text


@dataclass(frozen=True)
class Notebook:
    name: str  # the file name used in origins and problems, e.g. "alice.ipynb"
    cells: tuple[Cell, ...]
    problems: tuple[Problem, ...] = ()
    is_script: bool = False

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.cell_type == "code")


def load_notebook(data: bytes, name: str) -> Notebook:
    """Parse ``data`` (the bytes of ``name``) as a notebook or, for ``.py`` names, a script."""
    if not data.strip():
        return _broken(name, "empty_file", f"{name} is empty; expected a notebook or Python file")
    if name.lower().endswith(SCRIPT_SUFFIXES):
        return _load_script(data, name)
    return _load_ipynb(data, name)


def _broken(name: str, kind: str, message: str, **where) -> Notebook:
    return Notebook(name=name, cells=(), problems=(Problem(kind=kind, message=message, file=name, **where),))


def _decode_error(name: str, error: UnicodeDecodeError) -> Notebook:
    byte = error.object[error.start : error.start + 1]
    return _broken(
        name,
        "not_utf8",
        f"{name} is not UTF-8 text: byte 0x{byte.hex()} at offset {error.start} cannot be decoded "
        f"({error.encoding}); expected a file saved as UTF-8",
    )


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _load_script(data: bytes, name: str) -> Notebook:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        return _decode_error(name, error)
    except (SyntaxError, LookupError) as error:  # a bad "# coding:" cookie
        return _broken(name, "not_utf8", f"{name} declares an unusable encoding: {error}")
    text = _normalise(text.removeprefix("\ufeff"))
    return Notebook(name=name, cells=(Cell(position=1, number=None, cell_type="code", source=text),), is_script=True)


def _load_ipynb(data: bytes, name: str) -> Notebook:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return _decode_error(name, error)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        return _broken(
            name,
            "invalid_notebook",
            f"{name} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}; "
            "expected a Jupyter notebook (.ipynb) file",
            line=error.lineno,
        )
    except RecursionError:  # deeper than Python's parser follows, so deeper than our limit
        return Notebook(name=name, cells=(), problems=(_too_deep(name),))
    except ValueError as error:  # valid JSON that Python will not hold, e.g. a 5000-digit integer
        return _broken(name, "invalid_notebook", f"{name} is JSON that Python cannot read ({error}); expected a Jupyter notebook (.ipynb) file")
    if not isinstance(raw, dict):
        return _broken(name, "invalid_notebook", f"{name} is a JSON {_JSON_TYPES.get(type(raw), type(raw).__name__)}; "
                       "expected a Jupyter notebook, a JSON object with 'cells'")
    if _deeper_than(raw, limits.MAX_JSON_DEPTH):  # nbformat and we recurse through it
        return Notebook(name=name, cells=(), problems=(_too_deep(name, raw),))
    try:
        nb = nbformat.reads(text, as_version=4, capture_validation_error={})
    except Exception as error:  # nbformat raises several types for JSON that is no notebook
        return _broken(
            name, "invalid_notebook", f"{name} is JSON but not a Jupyter notebook ({type(error).__name__}: {error}); "
            "expected nbformat 4, or an older version to convert"
        )
    cells, problems = _cells(nb, name)
    if not cells:
        problems.append(Problem(kind="empty_notebook", message=f"{name} has no cells; expected the assignment's cells", file=name))
    elif not any(c.cell_type == "code" for c in cells):
        problems.append(Problem(kind="empty_notebook", message=f"{name} has no code cells; expected the assignment's code cells", file=name))
    return Notebook(name=name, cells=tuple(cells), problems=tuple(problems))


def _deeper_than(value: Any, depth: int) -> bool:
    """Whether lists and objects in ``value`` nest more than ``depth`` levels (no recursion)."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        node, level = stack.pop()
        if level > depth:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _too_deep(name: str, nb: Any = None) -> Problem:
    """The problem for JSON nested past the limit, naming the cell it is in where we can."""
    where, number = "", None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    code_number = 0
    for position, cell in enumerate(cells if isinstance(cells, list) else (), start=1):
        is_code = isinstance(cell, dict) and cell.get("cell_type") == "code"
        code_number += is_code
        if isinstance(cell, (dict, list)) and _deeper_than(cell, limits.MAX_JSON_DEPTH - 2):  # below notebook, cells
            where = f" in cell {code_number}" if is_code else f" in the cell at position {position}"
            number = code_number if is_code else None
            break
    return Problem(
        kind="invalid_notebook",
        message=f"{name} nests lists or objects more than {limits.MAX_JSON_DEPTH} levels deep{where}; "
        "expected a Jupyter notebook, whose JSON nests a few levels",
        file=name,
        cell=number,
    )


def _cells(nb: Any, name: str) -> tuple[list[Cell], list[Problem]]:
    raw_cells = nb.get("cells", []) if isinstance(nb, dict) else []
    if not isinstance(raw_cells, list):
        return [], [Problem(kind="invalid_notebook", message=f"{name}: 'cells' is a {type(raw_cells).__name__}; expected a list", file=name)]
    cells, problems, code_number = [], [], 0
    for position, raw in enumerate(raw_cells, start=1):
        if not isinstance(raw, dict):
            problems.append(Problem(kind="invalid_notebook", message=f"{name}: cell at position {position} is a {type(raw).__name__}; expected an object", file=name))
            continue
        cell_type = raw.get("cell_type", "")
        source = raw.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            source = ""
        number = None
        if cell_type == "code":
            code_number += 1
            number = code_number
        count = raw.get("execution_count")
        metadata = raw.get("metadata", {})
        cells.append(
            Cell(
                position=position,
                number=number,
                cell_type=cell_type,
                source=source,
                metadata=_plain(metadata) if isinstance(metadata, dict) else {},
                execution_count=count if isinstance(count, int) else None,
            )
        )
    return cells, problems


def _plain(value: Any) -> Any:
    """NotebookNode → dict, recursively, so that cells hold plain data."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


ASSIGNMENT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")


def declared_assignment(path) -> str | None:
    """The assignment a notebook says it belongs to, ``metadata.cnngrade.assignment`` (our
    templates carry it), or None: not a notebook, unreadable, or no such key. This only picks a
    rubric for a self-check; a student who edits it grades themselves against another rubric."""
    path = Path(path)
    if path.suffix.lower() != ".ipynb":
        return None
    try:
        if path.stat().st_size > limits.MAX_FILE_BYTES:
            return None
        raw = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return None
    metadata = raw.get("metadata") if isinstance(raw, dict) else None
    ours = metadata.get("cnngrade") if isinstance(metadata, dict) else None
    name = ours.get("assignment") if isinstance(ours, dict) else None
    return name if isinstance(name, str) and ASSIGNMENT_NAME.fullmatch(name) else None
