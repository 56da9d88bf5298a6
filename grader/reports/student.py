"""Per-student files: result.json, feedback.md and feedback.html."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from grader.reports.escaping import encodable, json_text
from grader.reports.feedback_html import feedback_html
from grader.reports.feedback_md import feedback_markdown
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
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = {
        "result.json": result_json(result),
        "feedback.md": feedback_markdown(result, reveal=reveal),
        "feedback.html": feedback_html(result, reveal=reveal),
        "instructor.md": feedback_markdown(result, instructor=True),
    }
    return {name: write_text(out_dir / name, text) for name, text in texts.items()}


def write_text(path: Path, text: str) -> Path:
    """Write all of ``text`` or nothing: an interrupted run never leaves a half-written report.

    Always valid UTF-8, whatever the student put in ``text`` (see ``escaping.encodable``).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(encodable(text))
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
