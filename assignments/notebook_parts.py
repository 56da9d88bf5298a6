"""What every assignment's notebooks are made of, shared by the ``make_notebooks.py`` scripts.

A script keeps its assignment's texts, solution and sample class, and describes them with one
``AssignmentNotebooks``; this module builds the notebooks from them (the template, the solution,
the students of the sample class) and writes them so that running a script again gives the same
bytes. The scripts run directly (``python assignments/<name>/make_notebooks.py``) and are loaded by
path from the tests, so this folder is put on ``sys.path`` by each of them: ``assignments`` is not
a package.
"""
from __future__ import annotations

import hashlib
import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def numbered_ids(nb) -> None:
    """Cell ids ``cell-00``, ``cell-01``, ... (nbformat would draw random ones)."""
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:02d}"


def hashed_ids(nb) -> None:
    """Cell ids derived from each cell's place and source (nbformat would draw random ones)."""
    for index, cell in enumerate(nb.cells):
        cell.id = hashlib.sha256(f"{index}:{cell.source}".encode()).hexdigest()[:8]


def graded_cell(name: str, source: str):
    """A code cell tagged ``graded:<name>``: where the student writes ``name``."""
    return new_code_cell(source, metadata={"tags": [f"graded:{name}"]})


def graded_function(signature: tuple[str, str], body: str) -> str:
    """A graded function: its ``(def line, docstring)`` from the contract, then ``body``."""
    head, doc = signature
    return f"{head}\n    {doc}\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")


def self_check_source(assignment: str, functions: list[str]) -> str:
    """The last cell of a template: the visible checks of every function, run in a sandbox."""
    return f"""# Self-check: runs the visible checks on your functions, in a sandbox. Run it as often as you like.
try:
    from grader import check
except ImportError:
    print("cnngrade is not installed here: run `cnngrade check <this notebook> --assignment {assignment}`")
else:
    for name in {functions!r}:
        check(name, assignment="{assignment}")"""


@dataclass(frozen=True)
class AssignmentNotebooks:
    """One assignment's notebook parts, and the notebooks made of them.

    ``functions`` are the graded functions in notebook order; ``texts`` and ``examples`` hold, for
    each, the Markdown cell before its graded cell and the code cell after it. ``setup_text`` and
    ``setup`` (both or neither) are the cells between the introduction and the first function.
    ``template`` and ``solution`` (function -> source) fill the graded cells of ``student.ipynb``
    and ``solution.ipynb``; the sample students are the solution with changes, or their own code.
    ``signatures`` (function -> (def line, docstring)) lets ``own_style`` wrap bodies in them.
    ``cell_ids`` (``numbered_ids`` or ``hashed_ids``) gives the cells of every notebook written
    their ids; each assignment keeps the scheme its committed notebooks were written with.
    """

    assignment: str
    functions: list[str]
    intro: str
    texts: dict[str, str]
    examples: dict[str, str]
    template: dict[str, str]
    solution: dict[str, str]
    self_check: str
    setup_text: str | None = None
    setup: str | None = None
    signatures: dict[str, tuple[str, str]] | None = None
    cell_ids: Callable[[object], None] = numbered_ids

    def notebook(self, cells, *, declared: bool = True):
        """A notebook of ``cells``; ``declared``: it names its assignment, for ``cnngrade check``."""
        nb = new_notebook(cells=cells)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        if declared:
            nb.metadata["cnngrade"] = {"assignment": self.assignment}  # which rubric `cnngrade check` uses
        return nb

    def assignment_notebook(self, code: dict[str, str], *, setup: str | None = None, examples: bool = True):
        """The assignment's notebook with ``code`` (function -> source) in its graded cells."""
        cells = [new_markdown_cell(self.intro)]
        if self.setup is not None:
            cells += [new_markdown_cell(self.setup_text), new_code_cell(self.setup if setup is None else setup)]
        for name in self.functions:
            cells.append(new_markdown_cell(self.texts[name]))
            cells.append(graded_cell(name, code[name]))
            if examples:
                cells.append(new_code_cell(self.examples[name]))
        cells.append(new_markdown_cell("## Self-check"))
        cells.append(new_code_cell(self.self_check))
        return self.notebook(cells)

    def plain_notebook(self, *sources: str, declared: bool = False):
        """A notebook of untagged code cells; by default with no assignment metadata either: a
        student who pasted their code into a new notebook."""
        cells = [new_code_cell(textwrap.dedent(s).strip("\n")) for s in sources]
        return self.notebook(cells, declared=declared)

    def with_changes(self, **changes: str):
        """The solution with some graded functions replaced (a student with a classic mistake)."""
        return self.assignment_notebook({**self.solution, **changes}, examples=False)

    def own_style(self, setup: str, code: dict[str, str]):
        """A student who filled the graded cells in their own style (``code``: function -> body),
        with helpers in the setup cell."""
        return self.assignment_notebook(
            {name: graded_function(self.signatures[name], body) for name, body in code.items()},
            setup=textwrap.dedent(setup).strip("\n"), examples=False,
        )

    def write(self, nb, path: Path) -> None:
        """Write ``nb`` to ``path``, reproducibly: cell ids by ``cell_ids``, keys sorted."""
        self.cell_ids(nb)
        nbformat.validate(nb)
        path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")

    def write_all(self, out: Path, sample_class: dict[str, object]) -> None:
        """Write ``student.ipynb``, ``solution.ipynb`` and ``samples/<stem>.ipynb`` under ``out``."""
        out = Path(out)
        samples = out / "samples"
        samples.mkdir(parents=True, exist_ok=True)
        self.write(self.assignment_notebook(self.template), out / "student.ipynb")
        self.write(self.assignment_notebook(self.solution), out / "solution.ipynb")
        for stem, nb in sample_class.items():
            self.write(nb, samples / f"{stem}.ipynb")
