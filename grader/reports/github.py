"""GitHub Actions: ``::error``/``::warning`` annotations and a Markdown job summary.

Student-controlled text is escaped as actions/toolkit does (data: % CR LF; properties also
: and ,), so that it cannot end our command early or start one of its own.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Mapping

from grader.reports.escaping import (
    encodable,
    markdown_code,
    markdown_text,
    neutralize_workflow_commands,
    printable,
    workflow_data,
    workflow_property,
)
from grader.reports.numbers import format_points
from grader.reports.visibility import ShownResult, shown_result
from grader.reports.wording import GRADER_ERROR_NOTE, REVIEW_NOTE, STATUS_LABEL, hidden_note, late_text
from grader.result import ItemResult, Problem, Status, StudentResult

MESSAGE_LIMIT = 4000  # characters; GitHub truncates long annotations anyway


def github_annotations(results: Iterable[StudentResult], *, reveal: Iterable[str] = frozenset(),
                       instructor: bool = False) -> str:
    """One workflow command per line: problems, failed (error), errored (warning), skipped (notice)."""
    lines = []
    for result in sorted(results, key=lambda r: (r.student_id, r.files)):
        lines += [_problem_command(result.student_id, p) for p in result.problems]
        items = shown_result(result, reveal=reveal, instructor=instructor).items
        lines += [_item_command(result.student_id, item) for item in items if item.status is not Status.PASSED]
    return "".join(line + "\n" for line in lines)


def step_summary(results: Iterable[StudentResult], *, reveal: Iterable[str] = frozenset(),
                 instructor: bool = False) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``; safe to print to the log as well."""
    results = sorted(results, key=lambda r: (r.student_id, r.files))
    out = ["## cnngrade", ""]
    shown = [shown_result(r, reveal=reveal, instructor=instructor) for r in results]
    if len(results) > 1:
        out += ["| student | points | needs review |", "|---|---:|---|"]
        out += [f"| {markdown_text(r.student_id)} | {_points(s)}"
                f"{'' if s.complete else f' ({s.held_back} held back)'} | "
                f"{'yes' if s.needs_review else ''} |" for r, s in zip(results, shown)]
        out.append("")
    for result, view in zip(results, shown):
        out += [f"### {markdown_code(result.student_id)}: Points {_points(view)}"
                f"{'' if view.complete else ' on the items shown'}", ""]
        if view.held_back:
            out += [hidden_note(view.held_back, view.held_back_points), ""]
        late = late_text(view)
        if late:
            out += [late, ""]
        if view.needs_review:
            out += [f"> {REVIEW_NOTE}", ""]
        out += ["| item | status | points |", "|---|---|---:|"]
        out += [f"| {markdown_text(i.title)} | {STATUS_LABEL[i.status]} | "
                f"{format_points(i.points)}/{format_points(i.max_points)} |" for i in view.items]
        if result.problems:
            out += ["", "Problems:", ""]
            out += [f"- {markdown_code(str(p))}" for p in result.problems]
        out.append("")
    return neutralize_workflow_commands("\n".join(out).rstrip("\n") + "\n")


def append_step_summary(results: Iterable[StudentResult], path: str | Path | None = None, *,
                        environ: Mapping[str, str] | None = None, reveal: Iterable[str] = frozenset(),
                        instructor: bool = False) -> Path | None:
    """Append the summary to ``path`` or ``$GITHUB_STEP_SUMMARY``; None when neither is set."""
    target = path or (os.environ if environ is None else environ).get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    with open(target, "a", encoding="utf-8", newline="") as handle:
        handle.write(encodable(step_summary(results, reveal=reveal, instructor=instructor)))
    return Path(target)


def _points(shown: ShownResult) -> str:
    return f"{format_points(shown.score)}/{format_points(shown.max_score)}"


def _command(kind: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={workflow_property(printable(str(value)))}" for key, value in properties.items())
    message = printable(message)
    if len(message) > MESSAGE_LIMIT:
        message = message[:MESSAGE_LIMIT] + " [truncated]"
    return f"::{kind} {props}::{workflow_data(message)}"


def _problem_command(student_id: str, problem: Problem) -> str:
    properties: dict[str, object] = {"file": problem.file}
    where = ""
    if problem.cell is not None:
        # A notebook's line numbers count within a cell, which GitHub cannot place in the file.
        where = f"cell {problem.cell}" + (f", line {problem.line}" if problem.line is not None else "") + ": "
    elif problem.line is not None:
        properties["line"] = problem.line
    properties["title"] = f"{student_id}: {problem.kind}"
    return _command("error", properties, where + problem.message)


def _item_command(student_id: str, item: ItemResult) -> str:
    title = f"{student_id}: {item.title} ({format_points(item.points)}/{format_points(item.max_points)})"
    if item.status is Status.ERRORED:
        return _command("warning", {"title": title}, GRADER_ERROR_NOTE)
    if item.status is Status.SKIPPED:
        return _command("notice", {"title": title}, STATUS_LABEL[Status.SKIPPED])
    parts = [item.feedback] if item.feedback else []
    for check in item.checks:
        if check.status is Status.FAILED:
            parts.append(f"{check.check_id}: {check.message}".rstrip(": "))
            if check.expected is not None and check.got is not None:
                parts.append(f"expected {check.expected}, got {check.got}")
            if check.misconception is not None:
                parts.append(f"likely misconception: {check.misconception.explanation}")
    return _command("error", {"title": title}, "\n".join(parts) or STATUS_LABEL[item.status])
