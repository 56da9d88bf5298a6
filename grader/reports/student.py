"""Per-student files: result.json, feedback.md and feedback.html."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from grader.reports.escaping import encodable, json_text
from grader.reports.feedback_html import feedback_html
from grader.reports.feedback_md import feedback_markdown
from grader.reports.figures import figure_file_name, figure_png, has_figure
from grader.reports.visibility import shown_result
from grader.result import StudentResult

RESULT_SCHEMA = "cnngrade.student_result/1"


def result_json(result: StudentResult) -> str:
    """``StudentResult.to_dict()`` with the schema marker: pretty, sorted keys, full provenance."""
    data = {"schema": RESULT_SCHEMA, **result.to_dict()}
    return json_text(data)


def write_student_reports(result: StudentResult, out_dir: str | Path, *,
                          reveal: Iterable[str] = frozenset()) -> dict[str, Path]:
    """Write one student's files into ``out_dir`` (the caller picks a safe per-student folder).

    ``feedback.md`` and ``feedback.html`` are the student's view: visible items, plus the
    ``after_due_date`` / ``after_published`` items named in ``reveal``; hidden items never.
    ``instructor.md`` shows every item; ``result.json`` holds everything, with provenance.
    The pictures of failures are PNG files: those of the student's view in ``figures/`` (which
    ``feedback.md`` links; ``feedback.html`` carries them inline), the others, for
    ``instructor.md`` alone, in ``instructor-figures/``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    student_view = {c.check_id for item in shown_result(result, reveal=reveal).items for c in item.checks}
    pictures = {c.check_id: c for item in result.items for c in item.checks if has_figure(c)}
    paths = {check_id: f"{'figures' if check_id in student_view else 'instructor-figures'}/{figure_file_name(check_id)}"
             for check_id in pictures}
    written = {}
    for check_id, relative in sorted(paths.items()):
        written[relative] = write_bytes(out_dir / relative, figure_png(pictures[check_id].figure))
    remove_stale_figures(out_dir, written)
    shown = {k: v for k, v in paths.items() if k in student_view}
    texts = {
        "result.json": result_json(result),
        "feedback.md": feedback_markdown(result, reveal=reveal, figures=shown),
        "feedback.html": feedback_html(result, reveal=reveal),
        "instructor.md": feedback_markdown(result, instructor=True, figures=paths),
    }
    return {**{name: write_text(out_dir / name, text) for name, text in texts.items()}, **written}


FIGURE_FOLDERS = ("figures", "instructor-figures")


def remove_stale_figures(out_dir: Path, kept, folders=FIGURE_FOLDERS) -> None:
    """Remove the pictures a previous grading left in ``out_dir``'s ``folders`` that are not in
    ``kept`` (paths relative to ``out_dir``): a regrade's figures replace the last one's."""
    for folder in folders:
        if (Path(out_dir) / folder).is_dir():
            for old in sorted((Path(out_dir) / folder).glob("*.png")):
                if f"{folder}/{old.name}" not in kept:
                    old.unlink()


def write_bytes(path: Path, data: bytes) -> Path:
    """Write all of ``data`` or nothing (as :func:`write_text`), making the folder if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def write_text(path: Path, text: str) -> Path:
    """Write all of ``text`` or nothing: an interrupted run never leaves a half-written report.

    Always valid UTF-8, whatever the student put in ``text`` (see ``escaping.encodable``).
    """
    return write_bytes(path, encodable(text).encode("utf-8"))
