"""The words shared by every student-facing rendering."""
from __future__ import annotations

from grader.result import CheckOutcome, Status, StudentResult

GRADER_ERROR_NOTE = ("The grader had a problem here; a person will review it, "
                     "this is not counted against you.")
REVIEW_NOTE = ("Part of this result needs a person to look at it before the score stands: "
               "the grader had a problem, which is not counted against you.")
STATUS_LABEL = {
    Status.PASSED: "passed",
    Status.FAILED: "failed",
    Status.ERRORED: "grader problem, under review",
    Status.SKIPPED: "skipped: an item it depends on did not pass",
}


def needs_review(result: StudentResult) -> bool:
    return result.errored or any(item.status is Status.ERRORED or any(
        c.status is Status.ERRORED for c in item.checks) for item in result.items)


def has_details(check: CheckOutcome) -> bool:
    return check.status is not Status.PASSED


def hidden_note(count: int) -> str:
    noun = "item is" if count == 1 else "items are"
    return f"{count} more {noun} not shown here yet; the score above includes them."

