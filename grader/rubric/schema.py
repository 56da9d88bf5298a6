"""The rubric as typed, frozen objects: what ``grader.rubric.load`` builds from YAML.

Schema version 1. Every optional key has its default here, so a rubric file states only
what differs. Paths are resolved relative to the rubric file when loading.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from grader.checks.tolerance import Tolerances

SUPPORTED_SCHEMA_VERSIONS = (1,)
EXECUTION_MODES = ("definitions", "notebook")
PARTIAL_CREDIT_MODES = ("all_or_nothing", "proportional")
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


@dataclass(frozen=True)
class AssignmentInfo:
    id: str
    title: str
    checks_path: Path  # absolute; the rubric gives it relative to its own file


@dataclass(frozen=True)
class RubricLimits:
    """Per-submission limits for the sandbox (seconds and megabytes)."""

    call_timeout_s: float = 5.0
    memory_mb: int = 2048
    load_timeout_s: float = 30.0
    cpu_s: int = 60
    submission_timeout_s: float = 300.0  # every load, call and restart of the submission together


@dataclass(frozen=True)
class LatePolicy:
    """Penalty = min(max_penalty, penalty_per_day * days late, rounded up) * max score."""

    due: datetime  # timezone-aware
    penalty_per_day: float  # fraction of the maximum score, in [0, 1]
    max_penalty: float  # fraction of the maximum score, in [0, 1]


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    points: float
    checks: tuple[str, ...]
    partial_credit: str = "all_or_nothing"  # one of PARTIAL_CREDIT_MODES
    visibility: str = "visible"  # one of VISIBILITIES
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rubric:
    path: Path
    schema_version: int
    assignment: AssignmentInfo
    functions: tuple[str, ...]
    items: tuple[Item, ...]
    fingerprint: str  # sha256 of the rubric file and the checks file, as loaded
    seed: int = 0
    execution: str = "definitions"  # one of EXECUTION_MODES
    limits: RubricLimits = RubricLimits()
    banned_apis: tuple[str, ...] = ()
    late_policy: LatePolicy | None = None
    # Files the course ships into every student's folder (``public_tests.py``): not student code.
    course_files: tuple[str, ...] = ()
    # How close floats must be, and the finite-difference step of gradient checks.
    tolerances: Tolerances = Tolerances()
    # Modules every worker has imported before the student's code (NumPy always): [torch] for a
    # PyTorch assignment. Others are imported by the student's own import, in their worker.
    preload: tuple[str, ...] = ()
    # The assignment's own settings, which only its checks read (grader.checks.options): the
    # training check's dataset, budget, device policy and accuracy bounds. Plain YAML data.
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def max_score(self) -> float:
        return float(sum(item.points for item in self.items))

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        known = ", ".join(item.id for item in self.items)
        raise KeyError(f"no item {item_id!r} in {self.path}; items: {known}")
