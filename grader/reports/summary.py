"""The instructor's class summary: score distribution, item pass rates, common misconceptions,
submissions that need a person. Deterministic: the same results give the same bytes."""
from __future__ import annotations

import math
import re
import statistics
from typing import Iterable

from grader.reports.columns import ItemColumn
from grader.reports.escaping import (
    escape_controls,
    json_text,
    markdown_code,
    markdown_text,
    neutralize_workflow_commands,
)
from grader.reports.numbers import format_points
from grader.reports.wording import needs_review
from grader.result import RESULT_STATUSES, UNGRADABLE, Status, StudentResult

BINS = 10


def class_summary(results: Iterable[StudentResult], columns: tuple[ItemColumn, ...]) -> dict:
    results = sorted(results, key=lambda r: (r.student_id, r.files))
    ungradable = [r for r in results if r.status == UNGRADABLE]
    graded = [r for r in results if r.status != UNGRADABLE]
    scores = sorted(r.score for r in graded)  # an ungradable row is no score, not a 0
    max_score = sum(c.max_points for c in columns)
    return {
        "students": len(results),
        "statuses": {status: sum(r.status == status for r in results) for status in RESULT_STATUSES},
        "ungradable": [{"student": r.student_id, "problems": [str(p) for p in r.problems]} for r in ungradable],
        "max_score": _rounded(max_score),
        "score": _score_stats(scores),
        "histogram": _histogram(scores, max_score),
        "items": [_item_stats(column, graded) for column in columns],
        "misconceptions": _misconceptions(results),
        "needs_review": [r.student_id for r in results if needs_review(r)],
        "problems": [{"student": r.student_id, "problems": [str(p) for p in r.problems]}
                     for r in graded if r.problems],
        "layouts": _layouts(results),
        "late_policy_not_applied": [r.student_id for r in graded
                                    if (r.provenance.get("late") or {}).get("applied") is False],
        "measures": _measures(graded),
    }


def _measures(results: list[StudentResult]) -> list[dict]:
    """Per measure a check recorded (``measures.record``: a test accuracy), its distribution
    over the class: one value per student (the first check that measured it)."""
    values: dict[str, list[float]] = {}
    for result in results:
        seen = set()
        for item in result.items:
            for check in item.checks:
                for name, value in sorted((check.measures or {}).items()):
                    if name not in seen and isinstance(value, (int, float)):
                        seen.add(name)
                        values.setdefault(name, []).append(float(value))
    out = []
    for name in sorted(values):
        found = sorted(values[name])
        low, high = (0.0, 1.0) if 0 <= found[0] and found[-1] <= 1 else (found[0], found[-1])
        width = (high - low) / BINS or 1.0
        counts = [0] * BINS
        for v in found:
            counts[min(BINS - 1, max(0, math.floor(round((v - low) / width, 9))))] += 1
        out.append({"name": name, "students": len(found), **_score_stats(found),
                    "histogram": [{"range": f"{_fmt(low + i * width)}-{_fmt(low + (i + 1) * width)}", "count": n}
                                  for i, n in enumerate(counts)]})
    return out


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def summary_json(summary: dict) -> str:
    return json_text(summary)


def summary_markdown(summary: dict) -> str:
    s = summary["score"]
    counts = summary["statuses"]
    out = ["# Class summary", "",
           f"{summary['students']} submissions ({counts['graded']} graded, {counts['ungradable']} ungradable, "
           f"{counts['errored']} errored); maximum score {format_points(summary['max_score'])}.", "",
           *(f"Read as: {_inline(e['layout'])} ({e['submissions']} submissions)."
             for e in summary.get("layouts", ())), "",
           "## Ungradable (no readable submission: no score, not a zero)", ""]
    for entry in summary["ungradable"]:
        out.append(f"- {_code(entry['student'])}")
        out += [f"  - {_code(p)}" for p in entry["problems"]]
    if not summary["ungradable"]:
        out.append("None.")
    out += ["", "## Needs a person (the grader had a problem)", ""]
    out += [f"- {_code(sid)}" for sid in summary["needs_review"]] or ["None."]
    out.append("")
    if s:
        out += ["| mean | median | min | max |", "|---:|---:|---:|---:|",
                f"| {' | '.join(format_points(s[k]) for k in ('mean', 'median', 'min', 'max'))} |", ""]
    width = max((b["count"] for b in summary["histogram"]), default=0)
    out += ["## Score distribution", "", "```text"]
    for b in summary["histogram"]:
        bar = "#" * (round(40 * b["count"] / width) if width else 0)
        out.append(f"{b['range']:>8} | {bar + ' ' if bar else ''}{b['count']}")
    out += ["```", "", "## Items", "",
            "| item | max | passed | failed | skipped | errored | pass rate | mean points |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for i in summary["items"]:
        rate = "-" if i["pass_rate"] is None else f"{100 * i['pass_rate']:.1f}%"
        mean = "-" if i["mean_points"] is None else format_points(i["mean_points"])
        out.append(f"| {markdown_text(i['id'])} | {format_points(i['max_points'])} | {i['passed']} | "
                   f"{i['failed']} | {i['skipped']} | {i['errored']} | {rate} | {mean} |")
    for m in summary.get("measures", ()):
        out += ["", f"## Distribution of {_inline(m['name'])}", "",
                f"{m['students']} students: mean {_fmt(m['mean'])}, median {_fmt(m['median'])}, "
                f"min {_fmt(m['min'])}, max {_fmt(m['max'])}.", "",
                f"![{_inline(m['name'])}](summary-figures/{measure_file_name(m['name'])})", "", "```text"]
        top = max((b["count"] for b in m["histogram"]), default=0)
        for b in m["histogram"]:
            bar = "#" * (round(40 * b["count"] / top) if top else 0)
            out.append(f"{b['range']:>12} | {bar + ' ' if bar else ''}{b['count']}")
        out.append("```")
    out += ["", "## Most common misconceptions", ""]
    if summary["misconceptions"]:
        out += ["| misconception | students | explanation |", "|---|---:|---|"]
        out += [f"| {_inline(m['id'])} | {m['students']} | {_inline(m['explanation'])} |"
                for m in summary["misconceptions"]]
    else:
        out.append("None recognised.")
    unknown = summary.get("late_policy_not_applied") or []
    if unknown:
        out += ["", "## Late policy not applied", "",
                f"{len(unknown)} submissions have no recorded submission time (the export does not say; give "
                "--manifest with a submitted_at column): " + ", ".join(_code(s) for s in unknown)]
    out += ["", "## Submissions with problems", ""]
    for entry in summary["problems"]:
        out.append(f"- {_code(entry['student'])}")
        out += [f"  - {_code(p)}" for p in entry["problems"]]
    if not summary["problems"]:
        out.append("None.")
    return neutralize_workflow_commands("\n".join(out) + "\n")


def measure_file_name(name: str) -> str:
    """``summary-figures/<this>`` for a measure: letters, digits, ``.``, ``_`` and ``-`` only."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") + ".png"


def _code(text: str) -> str:
    """Student text as one inline code span; its line breaks and controls shown as escapes."""
    return markdown_code(escape_controls(text))


def _inline(text: str) -> str:
    return markdown_text(escape_controls(text))


def _rounded(value: float) -> float:
    return round(float(value), 6)


def _score_stats(scores: list[float]) -> dict:
    if not scores:
        return {}
    return {"mean": _rounded(statistics.fmean(scores)), "median": _rounded(statistics.median(scores)),
            "min": _rounded(scores[0]), "max": _rounded(scores[-1])}


def _histogram(scores: list[float], max_score: float) -> list[dict]:
    counts = [0] * BINS
    for score in scores:
        fraction = score / max_score if max_score > 0 else 1.0
        # Round first so that 0.3 * 10 = 2.9999999999999996 lands in the 30% bin.
        counts[min(BINS - 1, max(0, math.floor(round(fraction * BINS, 9))))] += 1
    step = 100 // BINS
    return [{"range": f"{i * step}-{(i + 1) * step}%", "count": n} for i, n in enumerate(counts)]


def _item_stats(column: ItemColumn, results: list[StudentResult]) -> dict:
    tally = {status: 0 for status in Status}
    points = []
    missing = 0
    for result in results:
        item = next((i for i in result.items if i.item_id == column.id), None)
        if item is None:
            missing += 1
            continue
        tally[item.status] += 1
        if item.status is not Status.ERRORED:
            points.append(item.points)
    graded = tally[Status.PASSED] + tally[Status.FAILED] + tally[Status.SKIPPED]
    return {
        "id": column.id, "title": column.title, "max_points": _rounded(column.max_points),
        "passed": tally[Status.PASSED], "failed": tally[Status.FAILED], "skipped": tally[Status.SKIPPED],
        "errored": tally[Status.ERRORED], "missing": missing,
        "pass_rate": _rounded(tally[Status.PASSED] / graded) if graded else None,
        "mean_points": _rounded(statistics.fmean(sorted(points))) if points else None,
    }


def _layouts(results: list[StudentResult]) -> list[dict]:
    """How the input was read (``layout.find_level``), with the number of submissions read so."""
    counts: dict[str, int] = {}
    for result in results:
        layout = result.provenance.get("layout")
        if isinstance(layout, str) and layout:
            counts[layout] = counts.get(layout, 0) + 1
    return [{"layout": k, "submissions": counts[k]} for k in sorted(counts)]


def _misconceptions(results: list[StudentResult]) -> list[dict]:
    """Each misconception with the number of students showing it, most common first."""
    students: dict[str, set[str]] = {}
    explanations: dict[str, str] = {}
    for result in results:
        for item in result.items:
            for check in item.checks:
                if check.misconception is not None and check.status is Status.FAILED:
                    students.setdefault(check.misconception.id, set()).add(result.student_id)
                    explanations.setdefault(check.misconception.id, check.misconception.explanation)
    ranked = sorted(students, key=lambda m: (-len(students[m]), m))
    return [{"id": m, "students": len(students[m]), "explanation": explanations[m]} for m in ranked]
