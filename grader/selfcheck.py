"""The student's self-check: visible items only, a readable summary, from a shell or Jupyter.

In Jupyter::

    from grader import check
    check("conv_output_size")

collects the cells this kernel has run, extracts their definitions as the grader would, runs the
visible checks of that function in a sandboxed worker (never in the kernel) and displays the
result. Hidden checks are never loaded into the student's kernel's results.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from grader.reports.escaping import escape_controls, neutralize_workflow_commands
from grader.reports.visibility import shown_result
from grader.reports.wording import hidden_note, late_text
from grader.result import StudentResult

MARKS = {"passed": "✓", "failed": "✗", "errored": "!", "skipped": "–"}


def visible_checks(assignment, functions: Iterable[str] | None = None) -> tuple[str, ...]:
    """The check ids of visible items, limited to the items of ``functions`` if given."""
    wanted = set(functions or ())
    unknown = wanted - set(assignment.rubric.functions)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} is not graded in {assignment.rubric.assignment.id}; "
                         f"graded functions: {', '.join(assignment.rubric.functions)}")
    ids = []
    for item in assignment.rubric.items:
        if item.visibility != "visible":
            continue
        if wanted and not any(assignment.suite[c].function in wanted for c in item.checks):
            continue
        ids.extend(item.checks)
    return tuple(ids)


def render_check(result: StudentResult) -> str:
    """Plain text for a terminal: one line per item, then what to fix.

    Student text shows its control and bidi characters as escapes (``\\x1b``), never raw. The
    self-check grades visible items only; should ``result`` hold others, they are held back by
    the rule every student view follows (``visibility.shown_result``).
    """
    shown = shown_result(result)
    lines = [f"{escape_controls(result.student_id)}: {shown.score:g}/{shown.max_score:g} on the visible items"]
    for item in shown.items:
        mark = MARKS.get(item.status.value, "?")
        title, item_id = escape_controls(item.title), escape_controls(item.item_id)
        lines.append(f"  {mark} {title} ({item_id}): {item.points:g}/{item.max_points:g}")
        if item.status.value != "passed" and item.feedback:
            lines.extend("      " + line for line in escape_controls(item.feedback, lines=True).splitlines())
    if result.problems:
        lines.append("Problems with the notebook:")
        lines.extend(f"  - {escape_controls(str(p), lines=True)}" for p in result.problems)
    if shown.held_back:
        lines.append(hidden_note(shown.held_back, shown.held_back_points))
    late = late_text(shown)
    if late:
        lines.append(late)
    if shown.needs_review:
        lines.append("The grader itself had a problem on some check; this is not counted against you.")
    # Printed in CI logs: the student's own text must not read as a workflow command.
    return neutralize_workflow_commands("\n".join(lines))


def check(function: str | None = None, *, assignment: str | None = None,
          notebook: str | Path | None = None, python: str | None = None) -> StudentResult:
    """Run the visible checks of ``function`` (default: all graded functions) and show them.

    Code comes from ``notebook`` if given, else from the cells this IPython kernel has run.
    """
    from grader.pipeline import Assignment, find_rubric, grade_path

    name = assignment or _declared(notebook) or _assignment_for(function)
    loaded = Assignment.load(find_rubric(name))
    only = visible_checks(loaded, [function] if function else None)
    if notebook is not None:
        result = grade_path(notebook, loaded, only=only, python=python, student_id="you")
    else:
        with tempfile.TemporaryDirectory(prefix="cnngrade-check-") as tmp:
            path = _kernel_history_notebook(Path(tmp))
            result = grade_path(path, loaded, only=only, python=python, student_id="you")
    _display(result)
    return result


def _declared(notebook: str | Path | None) -> str | None:
    """The assignment named in the metadata of ``notebook``, or of the notebook this kernel runs
    (Jupyter Server and VS Code tell the kernel its path: ``JPY_SESSION_NAME``, ``__session__``)."""
    from grader.submission.notebook import declared_assignment

    for candidate in ([notebook] if notebook is not None else _kernel_notebook_paths()):
        name = declared_assignment(candidate) if candidate else None
        if name:
            return name
    return None


def _kernel_notebook_paths() -> list[str]:
    paths = [os.environ.get("JPY_SESSION_NAME", "")]
    try:
        from IPython import get_ipython
    except ImportError:
        return paths
    shell = get_ipython()
    if shell is not None:
        session = shell.user_ns.get("__session__")
        if isinstance(session, str):
            paths.append(session)
    return [p for p in paths if p]


def _assignment_for(function: str | None) -> str:
    """The one bundled assignment whose rubric grades ``function``; an error naming the
    candidates when none or several do (pass ``assignment=``)."""
    from grader.pipeline import REPO_ROOT
    from grader.rubric import load_rubric

    graders = [rubric.assignment.id for rubric in map(load_rubric, sorted((REPO_ROOT / "rubrics").glob("*.yaml")))
               if function is not None and function in rubric.functions]
    if len(graders) == 1:
        return graders[0]
    if function is None:
        raise ValueError("which assignment? pass assignment=... (e.g. check(assignment=\"convolution\"))")
    if not graders:
        raise ValueError(f"no bundled rubric grades a function named {function!r}; pass assignment=...")
    raise ValueError(f"{function} is graded in several assignments ({', '.join(graders)}); "
                     f"pass assignment=... to say which")


def _kernel_history_notebook(folder: Path) -> Path:
    """The cells this kernel ran, in order, as a notebook (later definitions win, as in Jupyter)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    sources = _kernel_history()
    nb = new_notebook(cells=[new_code_cell(src) for src in sources if src.strip()])
    path = folder / "notebook.ipynb"
    nbformat.write(nb, str(path))
    return path


def _kernel_history() -> Sequence[str]:
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    if shell is None:
        raise RuntimeError("check() without notebook= must run inside Jupyter/IPython; "
                           "from a shell, use `cnngrade check NOTEBOOK --assignment NAME`")
    history = list(shell.user_ns.get("In", []))
    # The cell running check() itself is the last entry; it defines nothing to grade.
    return history[1:-1] if len(history) > 1 else []


def _display(result: StudentResult) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:
        print(render_check(result))
        return
    if get_ipython() is None:
        print(render_check(result))
        return
    from grader.reports import feedback_html

    display(HTML(feedback_html(result)))
