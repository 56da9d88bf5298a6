"""The words shared by every student-facing rendering."""
from __future__ import annotations

import json

from grader.reports.escaping import encodable
from grader.reports.numbers import format_points
from grader.result import CheckOutcome, ItemResult, Status, StudentResult

GRADER_ERROR_NOTE = ("The grader had a problem here; a person will review it, "
                     "this is not counted against you.")
REVIEW_NOTE = ("Part of this result needs a person to look at it before the score stands: "
               "the grader had a problem, which is not counted against you.")
STATUS_LABEL = {
    Status.PASSED: "passed",
    Status.FAILED: "failed",
    Status.ERRORED: "grader problem, under review",
    Status.SKIPPED: "skipped: something it depends on did not pass",
}


def needs_review(result: StudentResult) -> bool:
    """Whether any part of the whole result needs a person (the instructor's view; a student's
    is ``visibility.shown_result(...).needs_review``, which counts only the items shown)."""
    return result.errored or any(item_errored(item) for item in result.items)


def item_errored(item: ItemResult) -> bool:
    return item.status is Status.ERRORED or any(c.status is Status.ERRORED for c in item.checks)


def has_details(check: CheckOutcome) -> bool:
    """A check worth showing: one that did not pass, or one with a picture (training curves)."""
    return check.status is not Status.PASSED or check.figure is not None


def score_text(shown, *, noun: str = "item") -> str:
    """``shown`` is a ``visibility.ShownResult``: the total, or only the points of what is shown."""
    points = f"{format_points(shown.score)} / {format_points(shown.max_score)}"
    return f"Score: {points}" if shown.complete else f"Score on the {noun}s shown: {points}"


def hidden_note(count: int, points: float, *, noun: str = "item") -> str:
    """What a student may know of held-back items: how many and their points, never their results."""
    verb, pronoun = ("is", "it") if count == 1 else ("are", "they")
    plural = "" if count == 1 else "s"
    return (f"{count} more {noun}{plural} {verb} not shown here yet ({format_points(points)} points); "
            f"{pronoun} will count in your final score.")


def late_text(shown, *, noun: str = "item") -> str | None:
    """The late penalty as ``shown`` (a ``visibility.ShownResult``) allows it to be said, or None."""
    if not shown.late_applies:
        return None
    if shown.late_penalty is None:
        return ("A late penalty applies: the late policy's penalty comes off your final score "
                "(which never goes below 0).")
    points = format_points(shown.late_penalty)
    if shown.complete:
        return f"Late penalty: {points} points were removed (already taken out of the score above)."
    return (f"Late penalty: {points} points were removed from your final score "
            f"(the points of the {noun}s shown are before the penalty).")


def smallest_input_text(smallest: dict) -> tuple[str, str]:
    """The smallest failing input as the call a student would type, and a code language.

    ``{"function": "f", "args": [4, 2], "kwargs": {"stride": 1}}`` reads ``f(4, 2, stride=1)``;
    anything else is shown as JSON.
    """
    smallest = _encodable_data(smallest)  # as result.json stores it, so a re-run renders the same
    if set(smallest) == {"function", "args", "kwargs"} and isinstance(smallest["function"], str):
        args = [_canonical_repr(a) for a in smallest["args"] or ()]
        args += [f"{k}={_canonical_repr(v)}" for k, v in sorted((smallest["kwargs"] or {}).items())]
        return f"{smallest['function']}({', '.join(args)})", "python"
    return json.dumps(smallest, indent=2, sort_keys=True, default=repr, ensure_ascii=False), "json"


def _encodable_data(value):
    """``value`` with every string, keys too, made ``encodable``."""
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, dict):
        return {_encodable_data(k): _encodable_data(v) for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_encodable_data(v) for v in value)
    return value


def _canonical_repr(value) -> str:
    """``repr`` with dict keys sorted at every depth: a result read back from result.json
    (stored with sorted keys) renders exactly like one fresh from grading."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_canonical_repr(v)}" for k, v in sorted(value.items(), key=repr)) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_canonical_repr(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(_canonical_repr(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)
