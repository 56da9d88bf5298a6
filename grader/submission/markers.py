"""Which cells hold the graded code, as the notebook's authoring tool marked them.

Marking styles are tried in this order; the first that marks any cell is the notebook's:

1. cell tags ``graded`` or ``graded:<name>``;
2. nbgrader solution cells (``metadata.nbgrader.solution``), labelled by ``grade_id``;
3. Coursera comments ``# GRADED FUNCTION: name`` (or ``# GRADED CLASS: name``);
4. Otter-Grader questions: code cells between raw cells ``# BEGIN QUESTION`` (YAML with
   ``name``) and ``# END QUESTION``.

Test cells are left out whatever the style: nbgrader grade cells that are not solution cells,
and Otter cells between ``# BEGIN TESTS`` and ``# END TESTS`` (and Otter master-notebook prompt
cells, between ``# BEGIN PROMPT`` and ``# END PROMPT``).
"""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

import yaml

from .notebook import Cell, Notebook

STYLES = ("tags", "nbgrader", "coursera", "otter")
_MAX_QUESTION_CONFIG = 10_000  # characters; an Otter question's YAML is a few lines

_COURSERA = re.compile(r"#+[ \t]*GRADED[ \t]+(?:FUNCTION|CLASS)[ \t]*:[ \t]*([A-Za-z_]\w*)")  # a comment's text
_COMMENT_LINE = re.compile(r"[ \t\f]*(#.*)")


@dataclass(frozen=True)
class Marking:
    """The result of looking for markers in one notebook."""

    style: str | None  # one of STYLES, or None when no cell is marked (every cell counts)
    graded: dict[int, str] = field(default_factory=dict)  # cell position -> label
    tests: frozenset[int] = frozenset()  # cell positions never taken as student code

    def label(self, cell: Cell) -> str | None:
        return self.graded.get(cell.position)


def find_marking(notebook: Notebook) -> Marking:
    """Find the graded cells of ``notebook`` (see the module docstring for the order)."""
    otter_graded, otter_excluded = _otter(notebook)
    tests = frozenset(_nbgrader_tests(notebook)) | otter_excluded
    for style, found in (
        ("tags", _tagged(notebook)),
        ("nbgrader", _nbgrader_solutions(notebook)),
        ("coursera", _coursera(notebook)),
        ("otter", otter_graded),
    ):
        found = {pos: label for pos, label in found.items() if pos not in tests}
        if found:
            return Marking(style=style, graded=found, tests=tests)
    return Marking(style=None, tests=tests)


def _tagged(notebook: Notebook) -> dict[int, str]:
    found = {}
    for cell in notebook.code_cells:
        for tag in cell.tags:
            if tag == "graded" or tag.startswith("graded:"):
                found[cell.position] = f"tag {tag}"
                break
    return found


def _nbgrader_solutions(notebook: Notebook) -> dict[int, str]:
    return {
        cell.position: f"nbgrader {cell.nbgrader.get('grade_id', 'solution')}"
        for cell in notebook.code_cells
        if cell.nbgrader.get("solution") is True
    }


def _nbgrader_tests(notebook: Notebook) -> list[int]:
    return [
        cell.position
        for cell in notebook.code_cells
        if cell.nbgrader.get("grade") is True and cell.nbgrader.get("solution") is not True
    ]


def _coursera(notebook: Notebook) -> dict[int, str]:
    found = {}
    for cell in notebook.code_cells:
        if "GRADED" not in cell.source:
            continue  # no marker to find: spare the tokenizer
        names = [m.group(1) for text in comment_lines(cell.source).values() if (m := _COURSERA.match(text))]
        if names:
            found[cell.position] = "GRADED FUNCTION: " + ", ".join(names)
    return found


def _otter(notebook: Notebook) -> tuple[dict[int, str], frozenset[int]]:
    """Graded cells of Otter questions, and the test and prompt cells to leave out."""
    graded: dict[int, str] = {}
    excluded: set[int] = set()
    question: str | None = None
    region: str | None = None  # "tests" | "prompt" | None
    for cell in notebook.cells:
        if cell.cell_type == "raw":
            first, _, rest = cell.source.strip().partition("\n")
            marker = first.strip().upper()
            if marker == "# BEGIN QUESTION":
                question = _question_name(rest, default=f"question at position {cell.position}")
            elif marker == "# END QUESTION":
                question, region = None, None
            elif marker in ("# BEGIN TESTS", "# BEGIN PROMPT"):
                region = marker.split()[-1].lower()
            elif marker in ("# END TESTS", "# END PROMPT"):
                region = None
            continue
        if cell.cell_type != "code" or question is None:
            continue
        if region is not None:
            excluded.add(cell.position)
        else:
            graded[cell.position] = f"otter {question}"
    return graded, frozenset(excluded)


def _question_name(config: str, *, default: str) -> str:
    if len(config) > _MAX_QUESTION_CONFIG:  # pure-Python YAML: a huge one would take minutes
        return default
    try:
        data = yaml.safe_load(config)
    except (yaml.YAMLError, RecursionError):  # PyYAML recurses through nested lists
        return default
    name = data.get("name") if isinstance(data, dict) else None
    return str(name) if name is not None else default


def comment_lines(source: str) -> dict[int, str]:
    """The comments that stand alone on their line, by 1-based line: never text in a string.

    Past the point where the tokenizer gives up (the code does not parse there), a line counts
    when it looks like a comment.
    """
    tokens, read = tokens_until_error(source)
    comments = {t.start[0]: t.string for t in tokens
                if t.type == tokenize.COMMENT and not t.line[: t.start[1]].strip()}
    for number, line in enumerate(source.split("\n")[read:], start=read + 1):
        match = _COMMENT_LINE.fullmatch(line)
        if match:
            comments[number] = match.group(1)
    return comments


def tokens_until_error(source: str) -> tuple[list[tokenize.TokenInfo], int]:
    """The tokens of ``source`` up to where the tokenizer gives up, and how many lines it read
    (all of them when it does not give up)."""
    tokens: list[tokenize.TokenInfo] = []
    try:
        tokens.extend(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, ValueError):  # IndentationError; null bytes (3.12)
        return tokens, tokens[-1].end[0] if tokens else 0
    return tokens, source.count("\n") + 1
