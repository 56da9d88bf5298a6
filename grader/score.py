"""Turn check outcomes into points with the rubric: items, prerequisites, late policy, feedback.

Per item, in the rubric's order:

- *skipped* (0 points) if a prerequisite item (``depends_on``) did not get full points;
- *errored* (0 points, and the result is flagged for a person) if any of its checks errored
  or has no outcome: a grader fault is never scored as the student's zero;
- *passed* (full points) if every check passed;
- otherwise *failed* (or *skipped*, when none failed but some were skipped because a
  prerequisite check did not pass), with
  ``all_or_nothing``: 0 points;
  ``proportional``: ``points * mean over its checks of cases_passed / cases_total`` (or the
  check's own ``credit``, a fraction it earned: an accuracy between two bounds), a skipped
  check counting 0. Each check weighs the same, so four worked examples are not drowned by
  sixty generated cases.

The late penalty is taken off the total: ``min(max_penalty, penalty_per_day * days late,
rounded up) * max_score``, and the score never goes below 0.
"""
from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Mapping, Sequence

from grader.result import CheckOutcome, ItemResult, Problem, Status, StudentResult, format_points

__all__ = ["days_late", "item_feedback", "late_penalty", "score_item", "score_submission"]

_DIGITS = 6  # points are rounded so that 3 * 2/3 reads 2.0, not 1.9999999999999998


def score_submission(
    rubric,
    outcomes: Mapping[str, CheckOutcome],
    *,
    student_id: str,
    files: Sequence[str] = (),
    problems: Sequence[Problem] = (),
    submitted_at: datetime | None = None,
    due: datetime | None = None,
    provenance: Mapping[str, Any] | None = None,
    status: str = "",
) -> StudentResult:
    """One student's result: scored items, late penalty, and the errored flag. ``due``: this
    student's own due date (an extension, or the LMS's), instead of the rubric's."""
    by_id = {item.id: item for item in rubric.items}
    scored: dict[str, ItemResult] = {}

    def score(item) -> ItemResult:
        if item.id not in scored:
            for dep in item.depends_on:
                if dep not in by_id:
                    raise ValueError(
                        f"item {item.id!r} depends on unknown item {dep!r}; items: {sorted(by_id)}"
                    )
            prerequisites = [score(by_id[dep]) for dep in item.depends_on]
            scored[item.id] = score_item(item, outcomes, prerequisites)
        return scored[item.id]

    items = tuple(score(item) for item in rubric.items)
    max_score = float(sum(item.points for item in rubric.items))
    raw = round(sum(item.points for item in items), _DIGITS)
    penalty = 0.0
    if submitted_at is not None and rubric.late_policy is not None:
        penalty = min(raw, late_penalty(submitted_at, rubric.late_policy, max_score, due=due))
    return StudentResult(
        student_id=student_id,
        files=tuple(files),
        score=round(raw - penalty, _DIGITS),
        max_score=max_score,
        items=items,
        problems=tuple(problems),
        errored=any(item.status is Status.ERRORED for item in items),
        late_penalty=round(penalty, _DIGITS),
        provenance=dict(provenance or {}),
        status=status,
    )


def score_item(
    item, outcomes: Mapping[str, CheckOutcome], prerequisites: Sequence[ItemResult] = ()
) -> ItemResult:
    """Score one rubric item from its checks' outcomes, given its prerequisite items' results."""
    mode = getattr(item.partial_credit, "value", item.partial_credit)
    if mode not in ("all_or_nothing", "proportional"):
        raise ValueError(
            f"item {item.id!r}: partial_credit must be one of ('all_or_nothing', "
            f"'proportional'); got {mode!r}"
        )
    checks = tuple(
        outcomes.get(check_id)
        or CheckOutcome(
            check_id,
            Status.ERRORED,
            message=f"no outcome for check {check_id}: it was not run (a grader problem)",
        )
        for check_id in item.checks
    )
    unmet = [p for p in prerequisites if p.points < p.max_points]
    if unmet:
        status, points = Status.SKIPPED, 0.0
    elif any(c.status is Status.ERRORED for c in checks):
        status, points = Status.ERRORED, 0.0
    elif all(c.status is Status.PASSED for c in checks):
        status, points = Status.PASSED, float(item.points)
    else:
        failed = any(c.status is Status.FAILED for c in checks)
        status = Status.FAILED if failed else Status.SKIPPED
        points = 0.0
        if mode == "proportional" and checks:
            share = sum(_fraction(c) for c in checks) / len(checks)
            points = round(item.points * share, _DIGITS)
    result = ItemResult(
        item_id=item.id,
        title=item.title,
        points=points,
        max_points=float(item.points),
        status=status,
        visibility=getattr(item.visibility, "value", item.visibility),
        checks=checks,
    )
    feedback = item_feedback(result, unmet_prerequisites=unmet)
    return ItemResult(**{**result.__dict__, "feedback": feedback})


def item_feedback(result: ItemResult, *, unmet_prerequisites: Sequence[ItemResult] = ()) -> str:
    """One paragraph for the student: what failed, on which input, and the likely mistake."""
    if unmet_prerequisites:
        names = " and ".join(f"“{p.title}”" for p in unmet_prerequisites)
        return f"Not graded: this part counts only once {names} gets full marks."
    if result.status is Status.ERRORED:
        return (
            "This part could not be graded automatically because of a problem in the grader, "
            "not in your code; an instructor will look at it."
        )
    if result.status is Status.PASSED:
        return "All checks passed."
    parts = []
    failed = next((c for c in result.checks if c.status is Status.FAILED), None)
    if failed is not None:
        # The first line says what went wrong; tables and tracebacks stay in the check's own text.
        headline = (failed.message.strip().splitlines() or [""])[0].rstrip()
        if headline and headline[-1] not in ".!?:":
            headline += "."
        parts.append(headline)
        if failed.misconception is not None:
            parts.append(f"Hint: {failed.misconception.explanation}")
    skipped = [c for c in result.checks if c.status is Status.SKIPPED]
    if skipped and failed is None:
        parts.append(skipped[0].message)
    cases_total = sum(c.cases_total for c in result.checks)
    if cases_total:
        cases_passed = sum(c.cases_passed for c in result.checks)
        parts.append(f"{cases_passed} of {cases_total} test cases passed.")
    parts.append(f"Score: {format_points(result.points)} / {format_points(result.max_points)}.")
    return "\n".join(parts)


def days_late(submitted_at: datetime, due: datetime) -> int:
    """Whole days late, any part of a day counting as a day; 0 if on time."""
    for name, moment in (("submitted_at", submitted_at), ("due", due)):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(
                f"{name} must be timezone-aware, got the naive datetime {moment.isoformat()}"
            )
    seconds = (submitted_at - due).total_seconds()
    return max(0, math.ceil(seconds / 86400))


def late_penalty(submitted_at: datetime, policy, max_score: float, *, due: datetime | None = None) -> float:
    """Points taken off: ``min(max_penalty, penalty_per_day * days late) * max_score``, days
    counted from ``due`` (a student's own due date) or else the policy's."""
    fraction = min(policy.max_penalty, policy.penalty_per_day * days_late(submitted_at, due or policy.due))
    return round(max(0.0, fraction) * max_score, _DIGITS)


def _fraction(outcome: CheckOutcome) -> float:
    if outcome.status is Status.PASSED:
        return 1.0
    if outcome.status is Status.SKIPPED:
        return 0.0
    if outcome.status is Status.FAILED and outcome.credit is not None:
        return outcome.credit
    if outcome.cases_total == 0:
        return 0.0
    return outcome.cases_passed / outcome.cases_total
