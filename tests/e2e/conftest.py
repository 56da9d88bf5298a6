"""End-to-end fixtures: the real ``cnngrade`` command, in real processes, on the real sample class.

The sample classes (assignments/*/samples) are graded once per session, by
``python -m grader.demo`` (what ``make demo`` runs: ``cnngrade grade ... --jobs 2`` for each
assignment); the tests assert on its files (``graded_class`` is conv_arithmetic's class,
``graded_class.of(name)`` another's). Nothing is mocked: notebooks are read from disk and student code runs in
the sandbox.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Folders that running Python or pytest may legitimately touch, and tests/, which developers
# edit while the suite runs; everything else in the repository (the rubrics, the assignments,
# the reference, the grader) must be exactly as it was after the class is graded.
_NOT_SNAPSHOTTED = {".git", ".venv", "__pycache__", ".hypothesis", ".pytest_cache", "demo-out"}
_NOT_SNAPSHOTTED_IN_REPO = (REPO / "tests",)

# A safety net against a hung process, not a speed assertion.
HANG_GUARD_S = 600


def cli_env() -> dict[str, str]:
    """The environment of a CI run: no progress bar, derandomized."""
    return {**os.environ, "CI": "true"}


def run_cnngrade(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``cnngrade ARGS`` in a fresh interpreter (``python -m grader``, as the console script)."""
    return run_python("-m", "grader", *args, cwd=cwd)


def run_python(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd or REPO, env=cli_env(),
                          capture_output=True, text=True, timeout=HANG_GUARD_S)


def tree_snapshot(root: Path, *, skip: tuple[Path, ...] = ()) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` (bar caches and ``skip``) with its size and modification time."""
    found = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = [d for d in dirs
                   if d not in _NOT_SNAPSHOTTED and not d.endswith(".egg-info") and here / d not in skip]
        for name in files:
            try:
                stat = (here / name).stat()
            except FileNotFoundError:  # removed while walking: absent from this snapshot
                continue
            found[str((here / name).relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return found


def snapshot_changes(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


class GradeOutputs:
    """What ``cnngrade grade --out OUT`` wrote, read back."""

    def __init__(self, out: Path):
        self.out = Path(out)

    @property
    def results(self) -> dict[str, dict]:
        """Student id -> its result.json."""
        # A folder starting with "." is one the grader was still writing when interrupted.
        return {p.parent.name: json.loads(p.read_text(encoding="utf-8"))
                for p in sorted((self.out / "students").glob("*/result.json"))
                if not p.parent.name.startswith(".")}

    @property
    def grades(self) -> dict[str, dict[str, str]]:
        """Student id -> its grades.csv row."""
        with open(self.out / "grades.csv", newline="", encoding="utf-8") as handle:
            return {row["student"]: row for row in csv.DictReader(handle)}

    def result(self, student: str) -> dict:
        return json.loads((self.out / "students" / student / "result.json").read_text(encoding="utf-8"))

    def items(self, student: str) -> dict[str, dict]:
        return {item["item_id"]: item for item in self.result(student)["items"]}

    def feedback(self, student: str) -> str:
        """What the student is given: visible items only (the demo reveals nothing)."""
        return (self.out / "students" / student / "feedback.md").read_text(encoding="utf-8")

    def instructor_feedback(self, student: str) -> str:
        """Every item, hidden ones included."""
        return (self.out / "students" / student / "instructor.md").read_text(encoding="utf-8")

    def read_bytes(self, name: str) -> bytes:
        return (self.out / name).read_bytes()


@dataclass(frozen=True)
class GradedClass(GradeOutputs):
    """The sample class graded by ``python -m grader.demo OUT``, and what that touched."""

    out: Path
    process: subprocess.CompletedProcess
    repo_changes: list[str]  # files of the repository created, changed or removed
    workdir_changes: list[str]  # the same, in the folder around the output folder
    root: Path  # the demo's output folder: one folder per assignment (``out`` is conv_arithmetic's)

    def of(self, assignment: str) -> GradeOutputs:
        """What the demo wrote for another assignment's sample class."""
        return GradeOutputs(self.root / assignment)


@pytest.fixture(scope="session")
def cnngrade():
    """Run ``cnngrade ARGS`` in a fresh process; returns the CompletedProcess."""
    return run_cnngrade


@pytest.fixture(scope="session")
def grade_outputs():
    """``grade_outputs(OUT)`` reads back what ``cnngrade grade --out OUT`` wrote."""
    return GradeOutputs


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory) -> GradedClass:
    work = tmp_path_factory.mktemp("course")
    # A grades file of an earlier term beside the output folder: a hostile notebook looks
    # for grades.csv files to append to.
    decoy = work / "last_term" / "grades.csv"
    decoy.parent.mkdir()
    decoy.write_text("student,score,max_score\nwei,0,12\n", encoding="utf-8")
    out = work / "out"
    repo_before = tree_snapshot(REPO, skip=_NOT_SNAPSHOTTED_IN_REPO)
    work_before = tree_snapshot(work)
    process = run_python("-m", "grader.demo", out, cwd=work)
    repo_after = tree_snapshot(REPO, skip=_NOT_SNAPSHOTTED_IN_REPO)
    work_after = tree_snapshot(work, skip=(out,))
    return GradedClass(
        out=out / "conv_arithmetic",
        root=out,
        process=process,
        repo_changes=snapshot_changes(repo_before, repo_after),
        workdir_changes=snapshot_changes(work_before, work_after),
    )
