"""From cells to code chunks: remove IPython syntax, keep definitions, find missing functions.

Definitions-only mode keeps, from each code cell, imports, ``def`` and ``class`` statements
(with their decorators), ``name = lambda ...``, assignments of constant expressions, and
``try`` blocks made only of those; every other top-level statement (training runs, prints,
plots, ``if __name__ == "__main__":``) becomes blank lines, so line numbers stay the cell's.
Cells are compiled one at a time: a cell that does not parse costs only what it defines.

Marked cells (see ``markers``) are authoritative for the names they define; the other cells
still give imports, constants, and definitions of any other name (helpers, or graded
functions whose markers a student deleted). A name defined twice: the later cell wins.
"""
from __future__ import annotations

import ast
import copy
import functools
import re
import tokenize
import warnings
from dataclasses import dataclass


from grader.result import Problem

from .markers import Marking, comment_lines, find_marking, tokens_until_error
from .model import MODES, CodeChunk
from .notebook import Cell, Notebook

# Cell magics whose body is Python: only the magic line goes. Any other %% cell goes whole.
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})

_SOLUTION_MARKER = re.compile(r"#+\s*(?:BEGIN|END) SOLUTION\b")  # nbgrader's, as a comment
_DEF_LINE = re.compile(r"(?:async\s+)?def\s+([^\W\d]\w*)")  # read only where tokenizing stopped
_SAFE_UNARY = (ast.UAdd, ast.USub, ast.Invert, ast.Not)
_MAX_CONSTANT_DEPTH = 100

# IPython's own finders of special syntax (magic assignments, shell assignments, escaped
# commands, help), tried in its order; a cell with TRANSFORM_LOOP_LIMIT pieces IPython refuses.
# Imported on first need: most cells hold no IPython syntax, and importing IPython costs every
# grader process about 0.3 s.


@functools.cache
def _ipython():
    from IPython.core import inputtransformer2
    return inputtransformer2


@functools.cache
def _special_syntax() -> tuple:
    return tuple(_ipython().TransformerManager().token_transformers)


# Every piece those finders look for holds one of these: without any, tokenizing is skipped.
_MAYBE_SPECIAL = re.compile(r"[%!?]|^[ \t\f]*[,;/]", re.MULTILINE)
_MIN_RETOKENIZE_BUDGET = 1_000_000  # characters; and 8 times the cell, whichever is more
_INDENTATION = (tokenize.INDENT, tokenize.DEDENT)


def strip_ipython(source: str) -> str:
    """Blank IPython magics, shell escapes, help syntax and solution-marker comments; keep line numbers.

    IPython's own input transformer finds the special syntax, so it goes only where IPython
    sees it: at the start of a logical line, never inside brackets, a string or a
    backslash-continued expression. The lines a piece spans become blank, or ``pass`` where it
    was indented (a block's body must not become empty). Every other line is returned as it was.
    """
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    ends_in_newline = text.endswith("\n")
    # Lines as IPython's transform_cell makes them, each with its "\n" and none after the last;
    # but split at "\n" only, as Python does (str.splitlines also ends a line at a form feed).
    lines = [line + "\n" for line in (text if ends_in_newline else text + "\n").split("\n")[:-1]]
    magic = _cell_magic(lines)
    if magic is not None:
        if magic not in PYTHON_BODY_CELL_MAGICS:
            return "\n" * text.count("\n")
        first = next(i for i, line in enumerate(lines) if line.strip())
        lines[first] = "\n"
    if _MAYBE_SPECIAL.search(text):
        _blank_special_syntax(lines, budget=max(8 * len(text), _MIN_RETOKENIZE_BUDGET))
    stripped = "".join(lines) if ends_in_newline else "".join(lines)[:-1]
    if "SOLUTION" not in stripped:
        return stripped
    markers = {n for n, comment in comment_lines(stripped).items() if _SOLUTION_MARKER.match(comment)}
    return "\n".join("" if n in markers else line for n, line in enumerate(stripped.split("\n"), start=1))


def _cell_magic(lines: list[str]) -> str | None:
    """The name of the cell magic ``lines`` start with, as IPython reads it, else None."""
    if not any("%%" in line for line in lines):
        return None
    cleaned = _ipython().leading_indent(_ipython().leading_empty_lines(lines))
    if not cleaned or not cleaned[0].startswith("%%") or re.match(r"%%\w+\?", cleaned[0]):
        return None  # "%%time?" asks for help, which the token pass below removes
    return cleaned[0][2:].rstrip().partition(" ")[0]


def _blank_special_syntax(lines: list[str], *, budget: int) -> None:
    """Blank, in place, each piece of IPython syntax, in the order IPython transforms them.

    The pieces are looked for in a shadow of the cell that holds IPython's own replacement
    for each piece, padded with blank lines to keep line numbers, so the search sees what
    IPython sees. IPython tokenizes the cell again after each piece; where the piece was a whole
    logical line and its replacement is one, the tokens after it cannot change and the search
    goes on from there. Otherwise the shadow is tokenized again, at most ``budget`` characters
    in all: past that, what is left stays, and the cell fails to compile.
    """
    shadow = list(lines)
    groups = _logical_lines(shadow)
    balanced = not any(map(_ipython().has_sunken_brackets, groups))  # a ")" too many carries on
    found: dict[type, _Piece | None] = {}  # each finder's first piece, as IPython's find gives it
    after = 0  # the groups before this one hold no special syntax IPython would transform
    for _ in range(_ipython().TRANSFORM_LOOP_LIMIT - 1):
        for finder in _special_syntax():
            if finder not in found:
                found[finder] = _find(finder, groups, after)
        candidates = sorted((p for p in found.values() if p is not None and not p.refused),
                            key=lambda p: p.piece.sortby())
        for candidate in candidates:
            replaced = _transform(candidate.piece, shadow)
            if replaced is not None:
                break
            candidate.refused = True  # until its line changes, IPython's find gives it again
        else:
            return
        start, end = candidate.piece.start_line, replaced[0]
        shadow[start : end + 1] = [replaced[1]] + ["\n"] * (end - start)
        line = lines[start]
        indent = line[: len(line) - len(line.lstrip(" \t\f"))]
        lines[start : end + 1] = [indent + "pass\n" if indent else "\n"] + ["\n"] * (end - start)
        tokens = groups[candidate.group] if candidate.located else []
        if balanced and _whole_logical_line(tokens, start, end) and _one_logical_line(replaced[1]):
            after = candidate.group + 1  # the finders whose piece was in this logical line look on
            found = {f: p for f, p in found.items() if p is None or p.group != candidate.group}
            continue
        budget -= sum(map(len, shadow))
        if budget < 0:
            return
        groups, found, after = _logical_lines(shadow), {}, 0
        balanced = not any(map(_ipython().has_sunken_brackets, groups))


@dataclass
class _Piece:
    """A piece of special syntax an IPython finder found, and the logical line it is in."""

    piece: object  # an IPython TokenTransformBase
    group: int  # index of the group of tokens the finder stopped at
    located: bool  # whether the piece's first token is in that group
    refused: bool = False  # IPython's transform raised SyntaxError on it


def _find(finder, groups: list, after: int) -> _Piece | None:
    """``finder``'s first piece in ``groups[after:]``."""
    index = after

    def scan():
        nonlocal index
        for index in range(after, len(groups)):
            yield groups[index]

    try:
        piece = finder.find(scan())
    except Exception:  # IPython's finders index past the end on some input ("= %"): nothing found
        return None
    if piece is None:
        return None
    located = any(t.start == (piece.start_line + 1, piece.start_col) for t in groups[index])
    return _Piece(piece, index, located)


def _transform(piece, lines: list[str]) -> tuple[int, str] | None:
    """The last line IPython's transform replaces for ``piece``, and the line it puts there;
    None if the transform refuses (then IPython tries the next finder's piece)."""
    start = piece.start_line
    last = max(_ipython().find_end_of_continued_line(lines, start), getattr(piece, "q_line", start))
    last = min(last, len(lines) - 1)
    local = copy.copy(piece)  # the same piece, on its own lines only: IPython copies the rest
    local.start_line = 0
    if hasattr(local, "q_line"):
        local.q_line -= start
    try:
        replaced = local.transform(lines[start : last + 1])
    except Exception:  # SyntaxError is IPython's refusal; anything else, IPython would fail on
        return None
    return last + 1 - len(replaced), replaced[0]


def _one_logical_line(line: str) -> bool:
    """Whether ``line`` tokenizes by itself as one complete logical line."""
    try:
        tokens = list(tokenize.generate_tokens(iter([line.lstrip(" \t\f")]).__next__))
    except (tokenize.TokenError, SyntaxError):
        return False
    ends = [t for t in tokens if t.type == tokenize.NEWLINE]
    return (len(ends) == 1 and not _ipython().has_sunken_brackets(tokens)
            and all(t.type != tokenize.ERRORTOKEN for t in tokens))


def _whole_logical_line(tokens: list, start: int, end: int) -> bool:
    """Whether ``tokens``, one logical line, are lines ``start`` to ``end`` (0-based) exactly."""
    code = next((t for t in tokens if t.type not in _INDENTATION), None)
    return (code is not None and code.start[0] - 1 == start and tokens[-1].start[0] - 1 == end
            and tokens[-1].type in (tokenize.NEWLINE, tokenize.NL))


def _logical_lines(lines: list[str]) -> list:
    """IPython's tokens grouped by logical line; where tokenizing stops (a dedent to no outer
    level), those of the lines before."""
    end = len(lines)
    while end:
        try:
            return _ipython().make_tokens_by_line(lines[:end])
        except (SyntaxError, ValueError) as error:  # IndentationError; null bytes
            line = getattr(error, "lineno", None) or 0
            end = line - 1 if 0 < line <= end else 0
    return []


@dataclass(frozen=True)
class _Parsed:
    cell: Cell
    origin: str
    source: str  # magics removed
    tree: ast.Module


@dataclass(frozen=True)
class Extraction:
    """What one file gave: chunks in order, problems, and the cells that did not parse."""

    chunks: tuple[CodeChunk, ...]
    problems: tuple[Problem, ...]
    unparsed: tuple[tuple[Cell, str, Problem], ...] = ()  # (cell, source without magics, its syntax error)
    is_script: bool = False  # a .py file: one cell, spoken of as the file


def extract_chunks(notebook: Notebook, *, mode: str = "definitions") -> Extraction:
    """The chunks of ``notebook`` to execute, in order, and the problems found on the way.

    ``mode="notebook"`` keeps every code cell whole (magics removed), for whole-notebook runs.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}; got {mode!r}")
    marking = find_marking(notebook)
    problems: list[Problem] = []
    parsed: list[_Parsed] = []
    unparsed: list[tuple[Cell, str, Problem]] = []
    for cell in notebook.code_cells:
        if mode == "definitions" and cell.position in marking.tests:
            continue
        origin = notebook.name if notebook.is_script else f"{notebook.name}, cell {cell.number}"
        source = strip_ipython(cell.source)
        tree, problem = _parse(source, origin, cell, notebook)
        if problem is not None:
            problems.append(problem)
            unparsed.append((cell, source, problem))
        else:
            parsed.append(_Parsed(cell, origin, source, tree))
    if mode == "definitions":
        chunks = _definition_chunks(parsed, marking)
    else:
        chunks = [_chunk(p, p.source, _bound_names(p.tree.body), marking) for p in parsed]
    return Extraction(tuple(chunks), tuple(problems), tuple(unparsed), is_script=notebook.is_script)


def _parse(source: str, origin: str, cell: Cell, notebook: Notebook) -> tuple[ast.Module | None, Problem | None]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings (e.g. "\d") are not our concern
            tree = ast.parse(source, filename=origin)
            compile(tree, origin, "exec", dont_inherit=True)  # the checks ast.parse skips
        return tree, None
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None)
        reason = f"{type(error).__name__}: {getattr(error, 'msg', None) or error}"
    except (RecursionError, MemoryError) as error:  # how the parser refuses 1+1+...+1, 100000 terms long
        line, reason = None, f"{type(error).__name__}: nested too deeply for Python to compile"
    where, this = (notebook.name, "this file") if notebook.is_script else (cell.where(), "this cell")
    at = f" at line {line}" if line else ""
    return None, Problem(
        kind="syntax_error",
        message=f"{where} does not parse: {reason}{at}; nothing {this} defines can be graded until it parses",
        file=notebook.name,
        cell=cell.number,
        line=line,
    )


def _names_bound_by(stmt: ast.stmt) -> set[str]:
    """The names a top-level statement binds: a def or class, or the plain names it assigns."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    targets = stmt.targets if isinstance(stmt, ast.Assign) else \
        [stmt.target] if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) else []
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _definition_chunks(parsed: list[_Parsed], marking: Marking) -> list[CodeChunk]:
    # Marked cells are authoritative for the names they define (a def, or f = lambda ...): a
    # scratch cell that binds one of them again (a test lambda, f = None) does not count.
    graded_names = {
        name
        for p in parsed
        if marking.label(p.cell) is not None
        for stmt in p.tree.body
        for name in _names_bound_by(stmt)
    }
    known: set[str] = set()  # imported or constant names: constants may refer to them
    chunks = []
    for p in parsed:
        graded_cell = marking.label(p.cell) is not None
        kept, names = [], []
        for stmt in p.tree.body:
            stmt_names = _keep(stmt, known)
            if stmt_names is None:
                continue
            is_def = isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            if not graded_cell and _names_bound_by(stmt) & graded_names:
                continue  # a marked cell defines this name; scratch copies elsewhere do not count
            kept.append(stmt)
            names.extend(stmt_names)
            if not is_def:
                known.update(stmt_names)
        if kept:
            source = _blank_except(p.source, p.tree.body, kept)
            chunks.append(_chunk(p, source, names, marking))
    return chunks


def _chunk(p: _Parsed, source: str, names, marking: Marking) -> CodeChunk:
    return CodeChunk(
        origin=p.origin,
        source=source,
        cell=p.cell.number,
        names=tuple(dict.fromkeys(names)),
        execution_count=p.cell.execution_count,
        label=marking.label(p.cell),
    )


def _keep(stmt: ast.stmt, known: set[str]) -> list[str] | None:
    """The names ``stmt`` defines if definitions-only mode keeps it, else None."""
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in stmt.names if a.name != "*"]
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, ast.Assign) and all(_plain_target(t) for t in stmt.targets):
        if isinstance(stmt.value, ast.Lambda) or _constant(stmt.value, known):
            return [n for t in stmt.targets for n in _target_names(t)]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.simple:
        if stmt.value is None or isinstance(stmt.value, ast.Lambda) or _constant(stmt.value, known):
            return [stmt.target.id]
    if isinstance(stmt, ast.Try):
        body = stmt.body + stmt.orelse + stmt.finalbody + [s for h in stmt.handlers for s in h.body]
        names: list[str] = []
        for inner in body:
            if isinstance(inner, ast.Pass):
                continue
            inner_names = _keep(inner, known | set(names))
            if inner_names is None:
                return None
            names.extend(inner_names)
        return names
    return None


def _plain_target(target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return True
    return isinstance(target, (ast.Tuple, ast.List)) and all(_plain_target(e) for e in target.elts)


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    return [n for e in getattr(target, "elts", ()) for n in _target_names(e)]


def _constant(node: ast.expr, known: set[str], depth: int = 0) -> bool:
    """Literals, containers and arithmetic of them, and names/attributes of known names.

    Nested past ``_MAX_CONSTANT_DEPTH`` it is not a constant we keep: no one writes that, and
    the recursion must stop well before Python's does.
    """
    if depth > _MAX_CONSTANT_DEPTH:
        return False
    depth += 1
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_constant(e, known, depth) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _constant(k, known, depth) for k in node.keys) and all(
            _constant(v, known, depth) for v in node.values
        )
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, _SAFE_UNARY) and _constant(node.operand, known, depth)
    if isinstance(node, ast.BinOp):
        return _constant(node.left, known, depth) and _constant(node.right, known, depth)
    if isinstance(node, ast.Attribute):
        return _constant(node.value, known, depth)
    if isinstance(node, ast.Name):
        return node.id in known or node.id in ("True", "False", "None")
    return False


def _bound_names(body: list[ast.stmt]) -> list[str]:
    """Every top-level name a cell binds (notebook mode: nothing is dropped)."""
    names: list[str] = []
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names.extend((a.asname or a.name).split(".")[0] for a in stmt.names if a.name != "*")
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(stmt.name)
        elif isinstance(stmt, ast.Assign):
            names.extend(n for t in stmt.targets for n in _target_names(t))
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) and isinstance(stmt.target, ast.Name):
            names.append(stmt.target.id)
    return names


def _blank_except(source: str, body: list[ast.stmt], kept: list[ast.stmt]) -> str:
    """``source`` with every statement of ``body`` not in ``kept`` blanked out.

    A dropped statement alone on its lines becomes blank lines. Where it shares a line with a
    kept one (``import numpy as np; train()``) its part of that line becomes ``pass``.
    """
    lines = [line.encode("utf-8") for line in source.split("\n")]
    kept_ids = {id(s) for s in kept}
    kept_lines = {n for s in kept for n in range(_first_line(s), s.end_lineno + 1)}
    edits: dict[int, list[tuple[int, int]]] = {}  # 0-based line -> byte spans to replace
    for stmt in body:
        if id(stmt) in kept_ids:
            continue
        for n in range(_first_line(stmt), stmt.end_lineno + 1):
            if n not in kept_lines:
                lines[n - 1] = b""
                continue
            start = stmt.col_offset if n == stmt.lineno else 0
            end = stmt.end_col_offset if n == stmt.end_lineno else len(lines[n - 1])
            edits.setdefault(n - 1, []).append((start, end))
    for index, spans in edits.items():
        line = lines[index]
        for start, end in sorted(spans, reverse=True):
            line = line[:start] + b"pass" + line[end:]
        lines[index] = line
    return "\n".join(line.decode("utf-8") for line in lines)


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None) or []
    return min([stmt.lineno] + [d.lineno for d in decorators])


def missing_functions(functions, extractions: list[Extraction], *, file: str) -> list[Problem]:
    """A ``missing_function`` problem for each requested name that no chunk defines.

    Where a cell (or .py file) that does not parse has ``def name`` at the top level, the
    problem points at that cell and the line of its syntax error: that is what to fix.
    """
    defined = {name for e in extractions for chunk in e.chunks for name in chunk.names}
    unparsed = [(e, cell, syntax, _top_level_defs(source))
                for e in extractions for cell, source, syntax in e.unparsed]
    problems = []
    for name in functions:
        if name in defined:
            continue
        message = f"{name} is not defined in {_searched(extractions, file)}; expected a function named {name}"
        broken = [(e, cell, syntax) for e, cell, syntax, defs in unparsed if name in defs]
        if not broken:
            problems.append(Problem(kind="missing_function", message=message, file=file))
            continue
        extraction, cell, syntax = broken[-1]  # the later definition is the one that would count
        where = syntax.file if extraction.is_script else cell.where()
        at = f" at line {syntax.line}" if syntax.line else ""
        message += f" ({where} has 'def {name}' but does not parse{at}: fix its syntax error)"
        problems.append(Problem(kind="missing_function", message=message, file=syntax.file,
                                cell=syntax.cell, line=syntax.line))
    return problems


def _searched(extractions: list[Extraction], file: str) -> str:
    """Where a function was looked for, as the student knows it: cells, or the file."""
    scripts = [e.is_script for e in extractions]
    if not any(scripts):
        return "any cell"
    if all(scripts):
        return file if len(scripts) == 1 else f"any file of {file}"
    return f"any cell or file of {file}"


def _top_level_defs(source: str) -> set[str]:
    """The names ``source`` (which does not parse) has a ``def`` or ``async def`` of at
    indentation 0, not in a string or a comment. Past where the tokenizer gives up, a line that
    reads so counts."""
    tokens, read = tokens_until_error(source)
    names = set()
    for before, keyword, defined in zip([None] + tokens, tokens, tokens[1:]):
        if (keyword.type, keyword.string, defined.type) != (tokenize.NAME, "def", tokenize.NAME):
            continue
        if keyword.start[1] == 0 or (before is not None and before.string == "async"
                                     and before.start == (keyword.start[0], 0)):
            names.add(defined.string)
    names.update(m.group(1) for line in source.split("\n")[read:] if (m := _DEF_LINE.match(line)))
    return names
