"""How much of a submission the reader takes in; past a limit, what is left is a Problem.

A zip states its members' sizes, but nothing makes it tell the truth, and a few kilobytes can
expand to gigabytes. So members are read through a bounded read and counted as they come, and
each submission has its own budget: one student's zip bomb cannot crowd out another student.
Read as ``limits.NAME`` at call time, so a test can lower them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from grader.result import Problem

MAX_FILE_BYTES = 64 * 1024 * 1024  # a notebook larger than this is not a student's code
MAX_ARCHIVE_BYTES = 256 * 1024 * 1024  # all one submission's zip members, nested zips included
MAX_ARCHIVE_MEMBERS = 10_000  # members read from one submission's zips, nested zips included
MAX_JSON_DEPTH = 100  # nesting of a notebook's JSON; real notebooks stay near ten


@dataclass
class Budget:
    """What one submission's zips may still expand to. Mutable: every read draws on it."""

    bytes_left: int
    members_left: int
    spent: bool = False  # a limit was reached: later members are not read

    @classmethod
    def fresh(cls) -> "Budget":
        return cls(MAX_ARCHIVE_BYTES, MAX_ARCHIVE_MEMBERS)

    def read_limit(self) -> int:
        """The most bytes the next member may give (more means: too large, or over budget)."""
        return min(MAX_FILE_BYTES, self.bytes_left)

    def overrun(self, rel: PurePosixPath, *, members: bool) -> Problem:
        """The problem for ``rel``, the first member past a limit; the rest go unread."""
        self.spent = True
        if members:
            limit = f"hold more than {MAX_ARCHIVE_MEMBERS} notebooks, .py files and zips; expected at most {MAX_ARCHIVE_MEMBERS} in all"
        else:
            limit = f"expand to more than {MAX_ARCHIVE_BYTES} bytes; expected at most {MAX_ARCHIVE_BYTES} bytes in all"
        message = f"{rel} and the zip members after it were not read: this submission's zips {limit}"
        return Problem(kind="archive_too_large", message=message, file=rel.as_posix())


def too_large(rel: PurePosixPath, size: str) -> Problem:
    """``size``: e.g. "70000000 bytes", or "more than 67108864 bytes" when read only that far."""
    message = f"{rel} is {size}; expected at most {MAX_FILE_BYTES} bytes for a notebook or .py file"
    return Problem(kind="file_too_large", message=message, file=rel.as_posix())
