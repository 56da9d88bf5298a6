"""Gradescope's results.json (see /autograder/results/results.json in the interop notes)."""
from __future__ import annotations

from pathlib import Path

from grader.reports.escaping import json_text, markdown_code
from grader.reports.feedback_md import item_details_markdown, problem_markdown
from grader.reports.student import write_text
from grader.reports.visibility import shown_result
from grader.reports.wording import REVIEW_NOTE, hidden_note, late_text, needs_review, score_text
from grader.result import ItemResult, Status, StudentResult

_VISIBILITY = {"visible": "visible", "hidden": "hidden", "after_due_date": "after_due_date",
               "after_published": "after_published"}


def gradescope_results(result: StudentResult, *, execution_time: float | None = None) -> dict:
    """The results.json object. Gradescope itself hides tests by their ``visibility``."""
    data = {
        "score": result.score,
        "output": _top_output(result),
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [_test(number, item) for number, item in enumerate(result.items, start=1)],
        "extra_data": {
            "student_id": result.student_id,
            "max_score": result.max_score,
            "late_penalty": result.late_penalty,
            "needs_review": needs_review(result),
            "problems": [str(p) for p in result.problems],
            "provenance": result.provenance,
        },
    }
    if execution_time is not None:
        data["execution_time"] = execution_time
    return data


def write_gradescope_results(result: StudentResult, path: str | Path, *,
                             execution_time: float | None = None) -> Path:
    data = gradescope_results(result, execution_time=execution_time)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_text(path, json_text(data))


def _test(number: int, item: ItemResult) -> dict:
    output = item_details_markdown(item)  # an errored item's text opens with GRADER_ERROR_NOTE
    tags = [item.item_id] + sorted({c.misconception.id for c in item.checks if c.misconception})
    return {
        "name": item.title,
        "number": str(number),
        "score": item.points,
        "max_score": item.max_points,
        "status": "passed" if item.status is Status.PASSED else "failed",
        "output": output,
        "output_format": "md",
        "tags": tags,
        "visibility": _VISIBILITY.get(item.visibility, "hidden"),
        "extra_data": {"item_id": item.item_id, "status": item.status.value},
    }


def _top_output(result: StudentResult) -> str:
    """Always shown to the student. It is written once, so a test counts as held back unless it
    is ``visible`` now; Gradescope itself hides the total then ("If test cases are hidden,
    students will not be able to see their total score", autograder specifications)."""
    shown = shown_result(result)
    lines = [score_text(shown, noun="test")]
    if shown.held_back:
        lines.append(hidden_note(shown.held_back, shown.held_back_points, noun="test"))
    late = late_text(shown, noun="test")
    if late:
        lines.append(late)
    if shown.needs_review:
        lines.append(f"⚠️ {REVIEW_NOTE}")
    if result.problems:
        lines.append("Problems with your submission:")
        lines += [f"- {problem_markdown(p)}" for p in result.problems]
    if result.files:
        lines.append("Graded files: " + ", ".join(markdown_code(f) for f in result.files))
    return "\n\n".join(lines)
