"""Which items a reader may see: Gradescope's semantics for students, everything for instructors."""
from __future__ import annotations

from typing import Iterable

from grader.result import ItemResult

REVEALABLE = frozenset({"after_due_date", "after_published"})


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
