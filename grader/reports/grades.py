"""grades.csv: one row per student, one column per rubric item, byte-identical for equal inputs."""
from __future__ import annotations

import csv
import io
from typing import Iterable

from grader.reports.columns import ItemColumn
from grader.reports.escaping import spreadsheet_cell
from grader.reports.numbers import format_points
from grader.result import Status, StudentResult


def grades_csv(results: Iterable[StudentResult], columns: tuple[ItemColumn, ...]) -> str:
    """``student,score,max_score,<item ids>``; rows sorted by student id.

    An item the grader could not grade (errored) or that a result lacks is left empty rather
    than written as 0, so that a gradebook never shows a grader fault as the student's zero.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "score", "max_score", *(c.id for c in columns)])
    for result in sorted(results, key=lambda r: (r.student_id, r.files)):
        by_id = {item.item_id: item for item in result.items}
        cells = []
        for column in columns:
            item = by_id.get(column.id)
            cells.append("" if item is None or item.status is Status.ERRORED else format_points(item.points))
        writer.writerow([spreadsheet_cell(result.student_id), format_points(result.score),
                         format_points(result.max_score), *cells])
    return buffer.getvalue()
