"""What grading produces: outcomes of checks, scored rubric items, one result per student.

Plain frozen dataclasses that round-trip through JSON (``to_dict`` / ``from_dict``), so the
reports, the resume-on-rerun logic and Gradescope all read the same record.
"""
from __future__ import annotations

import enum
import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any


class Status(str, enum.Enum):
    """check50's three outcomes, plus skipped (a prerequisite failed)."""

    PASSED = "passed"
    FAILED = "failed"  # the student's answer is wrong: costs points
    ERRORED = "errored"  # the grader's own fault: flagged for a person, never a zero
    SKIPPED = "skipped"  # not run because a prerequisite did not pass


@dataclass(frozen=True)
class Misconception:
    id: str  # a reference.mistakes id, e.g. "pool_output_size.ceil_instead_of_floor"
    explanation: str  # one line for the student


@dataclass(frozen=True)
class CheckOutcome:
    check_id: str
    status: Status
    message: str = ""  # student-facing: what went wrong (mismatch table, traceback, reason)
    smallest_input: dict[str, Any] | None = None  # the shrunk failing call, as plain data
    expected: str | None = None  # repr of the expected value on smallest_input
    got: str | None = None  # repr of the student's value on smallest_input
    misconception: Misconception | None = None
    cases_passed: int = 0
    cases_total: int = 0
    duration_s: float = 0.0
    detail: str = ""  # the instructor's only: the grader's own traceback when the check errored
    figure: dict | None = None  # a picture of the outcome, as plain data (grader.checks.figure)
    credit: float | None = None  # a failed check's share of credit when not cases_passed/cases_total
    measures: dict[str, float | None] = field(default_factory=dict)  # numbers it measured (test accuracy)

    @classmethod
    def from_dict(cls, data: dict) -> "CheckOutcome":
        data = dict(data)
        data["status"] = Status(data["status"])
        if data.get("misconception"):
            data["misconception"] = Misconception(**data["misconception"])
        return cls(**data)


@dataclass(frozen=True)
class ItemResult:
    item_id: str
    title: str
    points: float
    max_points: float
    status: Status
    visibility: str  # visible | hidden | after_due_date | after_published
    checks: tuple[CheckOutcome, ...] = ()
    feedback: str = ""  # one paragraph for the student

    @classmethod
    def from_dict(cls, data: dict) -> "ItemResult":
        data = dict(data)
        data["status"] = Status(data["status"])
        data["checks"] = tuple(CheckOutcome.from_dict(c) for c in data.get("checks", ()))
        return cls(**data)


@dataclass(frozen=True)
class Problem:
    """Something wrong with the submission itself, located as precisely as we can."""

    kind: str  # invalid_notebook | syntax_error | missing_function | locked_cell_edited | ...
    message: str
    file: str
    cell: int | None = None  # 1-based code-cell number as shown to the student
    line: int | None = None  # 1-based line within that cell (or file)

    def __str__(self) -> str:
        where = self.file
        if self.cell is not None:
            where += f", cell {self.cell}"
        if self.line is not None:
            where += f", line {self.line}"
        return f"{where}: {self.message}"


GRADED, UNGRADABLE, ERRORED = "graded", "ungradable", "errored"
RESULT_STATUSES = (GRADED, UNGRADABLE, ERRORED)


@dataclass(frozen=True)
class StudentResult:
    """``status``: ``graded``; ``ungradable`` (no readable submission: nothing was run, and the
    score is no grade, never a silent 0); ``errored`` (the grader's own fault on some check,
    for a person to look at)."""

    student_id: str
    files: tuple[str, ...]
    score: float
    max_score: float
    items: tuple[ItemResult, ...]
    problems: tuple[Problem, ...] = ()
    errored: bool = False  # some check errored: a person must look before the score stands
    late_penalty: float = 0.0  # points removed by the late policy (already out of score)
    provenance: dict[str, Any] = field(default_factory=dict)  # versions, seed, hashes, isolation, timings
    status: str = ""  # one of RESULT_STATUSES; "" (results written before it existed): derived

    def __post_init__(self):
        if self.status not in RESULT_STATUSES:
            if self.status:
                raise ValueError(f"status must be one of {RESULT_STATUSES}; got {self.status!r}")
            object.__setattr__(self, "status", ERRORED if self.errored else GRADED)

    def to_dict(self) -> dict:
        return _plain(asdict(self))

    @classmethod
    def from_dict(cls, data: dict) -> "StudentResult":
        names = {f.name for f in fields(cls)}
        data = {k: v for k, v in data.items() if k in names}
        data["files"] = tuple(data.get("files", ()))
        data["items"] = tuple(ItemResult.from_dict(i) for i in data.get("items", ()))
        data["problems"] = tuple(Problem(**p) for p in data.get("problems", ()))
        return cls(**data)


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def format_points(value: float) -> str:
    """Points as every report prints them: at most 4 decimals, trailing zeros stripped
    (3.0 -> "3", 2.5 -> "2.5", 1/3 -> "0.3333"), so equal inputs give byte-identical text."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
