"""Which items a reader may see: Gradescope's semantics for students, everything for instructors.

``shown_result`` is the one rule every student view follows: while any item is held back, nothing
shown depends on its result (no total, no clamped late penalty, no review note for its error).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from grader.reports.wording import item_errored, needs_review
from grader.result import ItemResult, StudentResult

REVEALABLE = frozenset({"after_due_date", "after_published"})
_DIGITS = 6  # as grader.score rounds points, so that sums compare exactly


def checked_reveal(reveal: Iterable[str]) -> frozenset[str]:
    reveal = frozenset(reveal)
    unknown = sorted(reveal - REVEALABLE)
    if unknown:
        raise ValueError(f"reveal must hold only {sorted(REVEALABLE)}; got {unknown}")
    return reveal


def is_shown(visibility: str, *, reveal: frozenset[str], instructor: bool) -> bool:
    """visible: always; hidden: instructors only; after_*: when revealed. Unknown values stay hidden."""
    if instructor or visibility == "visible":
        return True
    return visibility in REVEALABLE and visibility in reveal


def shown_items(items: Iterable[ItemResult], *, reveal: Iterable[str] = frozenset(),
                instructor: bool = False) -> tuple[list[ItemResult], int]:
    """The items to show, in order, and how many were held back."""
    reveal = checked_reveal(reveal)
    items = list(items)
    shown = [i for i in items if is_shown(i.visibility, reveal=reveal, instructor=instructor)]
    return shown, len(items) - len(shown)


@dataclass(frozen=True)
class ShownResult:
    """What a reader may see of one result.

    With nothing held back (``complete``), ``score`` and ``max_score`` are the result's total.
    Otherwise they are the points of the items shown (before any late penalty), and
    ``held_back`` / ``held_back_points`` say how many items, worth how much, are not shown: their
    number and points are not secret, their results are.

    ``late_penalty`` is what may be said of the late penalty: the points it removes, or None when
    a penalty applies but its amount cannot be said without telling something about held-back
    items; ``late_applies`` is False when nothing may be said (or there is none).
    """

    items: tuple[ItemResult, ...]
    held_back: int
    held_back_points: float
    score: float
    max_score: float
    complete: bool
    needs_review: bool
    late_applies: bool
    late_penalty: float | None


def shown_result(result: StudentResult, *, reveal: Iterable[str] = frozenset(),
                 instructor: bool = False) -> ShownResult:
    """The student's view of ``result`` under ``reveal`` (the instructor's: everything).

    The late penalty is ``min(raw, policy)`` and raw includes held-back items, so its amount may
    only be shown when it cannot be clamped: when the points shown exceed it, the penalty is the
    policy's own (``shown > min(raw, policy)`` holds exactly when ``shown > policy``, whatever the
    held-back items scored). When the shown points are at most the penalty, a penalty applies
    (if they are above 0) but its amount stays unsaid; with 0 points shown nothing is said, as
    whether any penalty was taken then depends on the held-back items.
    """
    reveal = checked_reveal(reveal)
    items, hidden = [], []
    for item in result.items:
        (items if is_shown(item.visibility, reveal=reveal, instructor=instructor) else hidden).append(item)
    if not hidden:
        return ShownResult(
            items=tuple(items), held_back=0, held_back_points=0.0, score=result.score,
            max_score=result.max_score, complete=True, needs_review=needs_review(result),
            late_applies=bool(result.late_penalty), late_penalty=result.late_penalty)
    score = round(sum(i.points for i in items), _DIGITS)
    if score > result.late_penalty:  # the policy's own penalty (0: none), whatever `hidden` scored
        late_applies, late_penalty = bool(result.late_penalty), result.late_penalty
    else:  # at least `score` comes off; how much more depends on `hidden`
        late_applies, late_penalty = score > 0, None
    return ShownResult(
        items=tuple(items), held_back=len(hidden),
        held_back_points=round(sum(i.max_points for i in hidden), _DIGITS),
        score=score, max_score=round(sum(i.max_points for i in items), _DIGITS), complete=False,
        needs_review=any(item_errored(i) for i in items), late_applies=late_applies,
        late_penalty=late_penalty if late_applies else None)
