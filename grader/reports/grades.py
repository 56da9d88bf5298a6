"""grades.csv: one row per student, one column per rubric item, byte-identical for equal inputs."""
from __future__ import annotations

import csv
import io
from typing import Iterable

from grader.reports.columns import ItemColumn
from grader.reports.escaping import spreadsheet_cell
from grader.reports.numbers import format_points
from grader.result import UNGRADABLE, Status, StudentResult


def grades_csv(results: Iterable[StudentResult], columns: tuple[ItemColumn, ...]) -> str:
    """``student,status,score,max_score,<item ids>``; rows sorted by student id.

    ``status`` is ``graded``, ``ungradable`` (no readable submission) or ``errored`` (the
    grader's fault, for a person). An ungradable row has no score at all, and an item the
    grader could not grade (errored) or that a result lacks is left empty: a gradebook never
    shows an unreadable file or a grader fault as the student's zero.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "status", "score", "max_score", *(c.id for c in columns)])
    for result in sorted(results, key=lambda r: (r.student_id, r.files)):
        by_id = {item.item_id: item for item in result.items}
        ungradable = result.status == UNGRADABLE
        cells = []
        for column in columns:
            item = by_id.get(column.id)
            empty = ungradable or item is None or item.status is Status.ERRORED
            cells.append("" if empty else format_points(item.points))
        writer.writerow([spreadsheet_cell(result.student_id), result.status,
                         "" if ungradable else format_points(result.score), format_points(result.max_score), *cells])
    return buffer.getvalue()
