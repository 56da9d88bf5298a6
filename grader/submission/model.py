"""The records that ``grader.submission`` produces: code chunks and submissions."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grader.result import Problem

MODES = ("definitions", "notebook")


@dataclass(frozen=True)
class CodeChunk:
    """One compile unit for the sandbox: the code of one notebook cell, or of one .py file.

    ``source`` keeps the cell's line numbers: dropped statements and removed magics are blank
    lines, so ``compile(source, origin, "exec")`` reports the line the student sees.
    """

    origin: str  # compile filename, e.g. "alice.ipynb, cell 3" or "alice.py"
    source: str  # Python source to execute (definitions only, by default)
    cell: int | None  # 1-based number among the notebook's code cells (None for .py files)
    names: tuple[str, ...]  # top-level names this chunk defines
    execution_count: int | None = None  # the "In [n]" Jupyter showed, if the cell was run
    label: str | None = None  # how the cell was marked as graded, e.g. "tag graded:conv"


@dataclass(frozen=True)
class Submission:
    """One student's code, ready for the sandbox. Built without running anything."""

    student_id: str
    path: Path  # the file (or folder) it came from; "x.zip/member" for a zip member
    chunks: tuple[CodeChunk, ...]  # in execution order; later definitions win
    problems: tuple[Problem, ...]
    file_sha256: str  # of the file; for several files, of their sorted "sha256  name" lines
    source_sha256: str  # of the extracted sources, joined by newlines in chunk order
    mode: str  # "definitions" | "notebook"
    defined: dict[str, str] = field(default_factory=dict)  # name -> origin of its final chunk
    files: tuple[Path, ...] = ()  # every file the submission was made of
    student_name: str | None = None  # as the LMS wrote it in the file name, if it did
    ignored: tuple[Path, ...] = ()  # files not graded: alternatives to the graded ones (see ``choice``)
    gradable: bool = True  # False: no file could be read as a notebook or .py (nothing to grade)
    input_problem: bool = False  # the input itself (a class zip) could not be read, not a student's file
    submitted_at: datetime | None = None  # as the LMS, the manifest or timestamp.txt recorded it
    due: datetime | None = None  # the student's own due date, where the LMS or manifest gives one
    extension_days: float = 0.0  # days added to the rubric's due date for this student (manifest)
    identity_source: str = ""  # which rule gave the id (LMS file name, manifest, folder name, ...)
    layout: str = ""  # how the input was read: "canvas inside class/submissions/", ...

    @property
    def source(self) -> str:
        """All chunk sources in execution order (what ``source_sha256`` is computed from)."""
        return "\n".join(chunk.source for chunk in self.chunks)
