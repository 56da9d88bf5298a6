"""feedback.md: the student's Markdown report (also the per-test text sent to Gradescope)."""
from __future__ import annotations

from typing import Iterable, Mapping

from grader.reports.escaping import markdown_block, markdown_code, markdown_text, neutralize_workflow_commands
from grader.reports.numbers import format_points
from grader.reports.visibility import shown_result
from grader.reports.wording import (
    GRADER_ERROR_NOTE,
    REVIEW_NOTE,
    STATUS_LABEL,
    has_details,
    hidden_note,
    late_text,
    score_text,
    smallest_input_text,
)
from grader.result import CheckOutcome, ItemResult, Problem, Status, StudentResult

_ICON = {Status.PASSED: "✅", Status.FAILED: "❌", Status.ERRORED: "⚠️", Status.SKIPPED: "⏭️"}


def feedback_markdown(result: StudentResult, *, reveal: Iterable[str] = frozenset(),
                      instructor: bool = False, figures: Mapping[str, str] | None = None) -> str:
    """The report; ``figures`` maps a check id to the relative path of its picture (written
    beside the file by ``reports.student``), linked under the check. Without it, no pictures:
    the text stays whole where images cannot be shown (Gradescope, JUnit)."""
    shown = shown_result(result, reveal=reveal, instructor=instructor)
    out = [f"# Feedback for {markdown_code(result.student_id)}", "", f"**{score_text(shown)}**"]
    if shown.held_back:
        out += ["", f"_{hidden_note(shown.held_back, shown.held_back_points)}_"]
    late = late_text(shown)
    if late:
        out += ["", late]
    if shown.needs_review:
        out += ["", f"> ⚠️ {REVIEW_NOTE}"]
    if result.problems:
        out += ["", "## Problems with your submission", ""]
        out += [f"- {problem_markdown(p)}" for p in result.problems]
    out += ["", "## Items"]
    for item in shown.items:
        out += ["", item_markdown(item, heading="###", instructor=instructor, figures=figures)]
    # Neutralised because a CI job may print this file to its log.
    return neutralize_workflow_commands("\n".join(out).rstrip("\n") + "\n")


def problem_markdown(problem: Problem) -> str:
    where = markdown_code(problem.file)
    if problem.cell is not None:
        where += f", cell {problem.cell}"
    if problem.line is not None:
        where += f", line {problem.line}"
    if "\n" in problem.message:
        return f"{where}:\n\n" + _indent(markdown_block(problem.message), "  ")
    return f"{where}: {markdown_code(problem.message)}"


def item_markdown(item: ItemResult, *, heading: str = "###", instructor: bool = False,
                  figures: Mapping[str, str] | None = None) -> str:
    title = (f"{heading} {_ICON[item.status]} {markdown_text(item.title)}: "
             f"{format_points(item.points)} / {format_points(item.max_points)} ({STATUS_LABEL[item.status]})")
    details = item_details_markdown(item, instructor=instructor, figures=figures)
    return f"{title}\n\n{details}" if details else title


def item_details_markdown(item: ItemResult, *, instructor: bool = False,
                          figures: Mapping[str, str] | None = None) -> str:
    """Everything about an item below its title: notes, feedback, and the checks that need words."""
    out = []
    if instructor and item.visibility != "visible":
        out.append(f"_Visibility for students: {markdown_text(item.visibility)}._")
    if item.status is Status.ERRORED:
        out.append(f"> ⚠️ {GRADER_ERROR_NOTE}")
    if item.feedback:
        out.append("  \n".join(markdown_text(line) for line in item.feedback.splitlines()))
    note = item.status is not Status.ERRORED  # said once for the item already
    out += [check_markdown(c, note=note, instructor=instructor, figures=figures)
            for c in item.checks if has_details(c) or instructor]
    return "\n\n".join(out)


def check_markdown(check: CheckOutcome, *, note: bool = True, instructor: bool = False,
                   figures: Mapping[str, str] | None = None) -> str:
    counts = f" ({check.cases_passed}/{check.cases_total} cases passed)" if check.cases_total else ""
    out = [f"**Check {markdown_code(check.check_id)}: {STATUS_LABEL[check.status]}**{counts}"]
    if check.status is Status.ERRORED and note:
        out += ["", f"> ⚠️ {GRADER_ERROR_NOTE}"]
    if check.message:
        out += ["", markdown_block(check.message)]
    if instructor and check.detail:
        out += ["", "For the instructor (the grader's own error):", "", markdown_block(check.detail)]
    if check.smallest_input is not None:
        shown, language = smallest_input_text(check.smallest_input)
        out += ["", "Smallest failing input:", "", markdown_block(shown, language)]
    if check.expected is not None:
        out += ["", "Expected:", "", markdown_block(check.expected)]
    if check.got is not None:
        out += ["", "Got:", "", markdown_block(check.got)]
    if figures and check.check_id in figures:
        title = markdown_text(str((check.figure or {}).get("title", "figure"))).replace("]", "\\]")
        out += ["", f"![{title}]({figures[check.check_id]})"]
    if check.misconception is not None:
        out += ["", f"**Likely misconception** ({markdown_code(check.misconception.id)}): "
                    f"{markdown_text(check.misconception.explanation)}"]
    return "\n".join(out)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.split("\n"))
