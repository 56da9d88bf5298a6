"""The rubric's items as report columns: id, title and maximum points, in rubric order."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from grader.rubric import Rubric


@dataclass(frozen=True)
class ItemColumn:
    id: str
    title: str
    max_points: float


def item_columns(rubric: Rubric | Iterable[tuple[str, str, float]]) -> tuple[ItemColumn, ...]:
    """Columns from a ``Rubric`` or from ``(id, title, max_points)`` triples."""
    if isinstance(rubric, Rubric):
        return tuple(ItemColumn(i.id, i.title, i.points) for i in rubric.items)
    columns = tuple(ItemColumn(*entry) for entry in rubric)
    ids = [c.id for c in columns]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"item ids must be unique; repeated: {duplicates}")
    return columns
