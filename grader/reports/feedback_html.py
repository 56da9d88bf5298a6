"""feedback.html: one self-contained page (inline CSS, no scripts, no external assets)."""
from __future__ import annotations

import base64
from typing import Iterable

from grader.reports.escaping import html_text as escape
from grader.reports.escaping import neutralize_workflow_commands
from grader.reports.figures import figure_png, has_figure
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

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:52rem;margin:2rem auto;
padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}h3{font-size:1.05rem;margin:0}
.score{font-size:1.3rem;font-weight:600}
.item{border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;padding:.75rem 1rem;margin:1rem 0}
.passed{border-left-color:#1a7f37}.failed{border-left-color:#cf222e}
.errored{border-left-color:#bf8700}.skipped{border-left-color:#8c959f}
.note{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.5rem .75rem}
.check{margin-top:.75rem}
pre{background:#f6f8fa;border-radius:6px;padding:.5rem .75rem;overflow-x:auto;white-space:pre-wrap}
code{background:#f6f8fa;border-radius:4px;padding:0 .2rem}
.muted{color:#57606a;font-style:italic}
figure{margin:.5rem 0}figure img{max-width:100%;height:auto}
""".strip()


def feedback_html(result: StudentResult, *, reveal: Iterable[str] = frozenset(),
                  instructor: bool = False) -> str:
    shown = shown_result(result, reveal=reveal, instructor=instructor)
    sid = escape(result.student_id)
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>Feedback for {sid}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
           f"<h1>Feedback for <code>{sid}</code></h1>",
           f'<p class="score">{escape(score_text(shown))}</p>']
    if shown.held_back:
        out.append(f'<p class="muted">{escape(hidden_note(shown.held_back, shown.held_back_points))}</p>')
    late = late_text(shown)
    if late:
        out.append(f"<p>{escape(late)}</p>")
    if shown.needs_review:
        out.append(f'<p class="note">{escape(REVIEW_NOTE)}</p>')
    if result.problems:
        out += ["<h2>Problems with your submission</h2>", "<ul>"]
        out += [f"<li>{_problem(p)}</li>" for p in result.problems]
        out.append("</ul>")
    out.append("<h2>Items</h2>")
    out += [_item(item, instructor=instructor) for item in shown.items]
    out += ["</body>", "</html>"]
    # The page is text too (CI jobs cat it); no student line may read as a workflow command.
    return neutralize_workflow_commands("\n".join(out)) + "\n"


def _problem(problem: Problem) -> str:
    where = f"<code>{escape(problem.file)}</code>"
    if problem.cell is not None:
        where += f", cell {problem.cell}"
    if problem.line is not None:
        where += f", line {problem.line}"
    return f"{where}: <pre>{escape(problem.message)}</pre>"


def _item(item: ItemResult, *, instructor: bool) -> str:
    status = item.status.value
    out = [f'<section class="item {status}">',
           f"<h3>{escape(item.title)}: {format_points(item.points)} / {format_points(item.max_points)} "
           f"({escape(STATUS_LABEL[item.status])})</h3>"]
    if instructor and item.visibility != "visible":
        out.append(f'<p class="muted">Visibility for students: {escape(item.visibility)}.</p>')
    if item.status is Status.ERRORED:
        out.append(f'<p class="note">{escape(GRADER_ERROR_NOTE)}</p>')
    if item.feedback:
        out.append("<p>" + "<br>".join(escape(line) for line in item.feedback.splitlines()) + "</p>")
    note = item.status is not Status.ERRORED  # said once for the item already
    out += [_check(c, note=note) for c in item.checks if has_details(c) or instructor]
    out.append("</section>")
    return "\n".join(out)


def _check(check: CheckOutcome, *, note: bool) -> str:
    counts = f" ({check.cases_passed}/{check.cases_total} cases passed)" if check.cases_total else ""
    out = ['<div class="check">',
           f"<p><strong>Check <code>{escape(check.check_id)}</code>: "
           f"{escape(STATUS_LABEL[check.status])}</strong>{counts}</p>"]
    if check.status is Status.ERRORED and note:
        out.append(f'<p class="note">{escape(GRADER_ERROR_NOTE)}</p>')
    if check.message:
        out.append(f"<pre>{escape(check.message)}</pre>")
    if check.smallest_input is not None:
        shown, _ = smallest_input_text(check.smallest_input)
        out.append(f"<p>Smallest failing input:</p><pre>{escape(shown)}</pre>")
    if check.expected is not None:
        out.append(f"<p>Expected:</p><pre>{escape(check.expected)}</pre>")
    if check.got is not None:
        out.append(f"<p>Got:</p><pre>{escape(check.got)}</pre>")
    if has_figure(check):
        png = base64.b64encode(figure_png(check.figure)).decode("ascii")
        out.append(f'<figure><img alt="{escape(str(check.figure.get("title", "")))}" '
                   f'src="data:image/png;base64,{png}"></figure>')
    if check.misconception is not None:
        out.append(f"<p><strong>Likely misconception</strong> (<code>{escape(check.misconception.id)}</code>): "
                   f"{escape(check.misconception.explanation)}</p>")
    out.append("</div>")
    return "\n".join(out)
