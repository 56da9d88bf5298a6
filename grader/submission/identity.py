"""Who a file belongs to: student ids from LMS file names, Gradescope metadata, or a manifest.

A pattern is a regex with a named group ``student`` (and optionally ``name``), matched with
``re.match`` against a file name and then against each folder name above it, nearest first.
"""
from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from types import MappingProxyType

# Ready patterns, keyed by the LMS whose export names files this way.
ID_PATTERNS: Mapping[str, str] = MappingProxyType(
    {
        # smithjohn_12345_6789012_conv_arithmetic.ipynb, smithjohn_late_12345_6789012_conv.ipynb
        "canvas": r"(?P<name>[^_/]+)_(?:LATE_|late_)?(?P<student>\d+)_(?P<submission>\d+)_(?P<file>.+)$",
        # "Jane Doe_12345_assignsubmission_file_/conv.ipynb" (folder) or "..._file_conv.ipynb"
        "moodle": r"(?P<name>[^/]+?)_(?P<student>\d+)_assignsubmission_(?:file|onlinetext)_",
    }
)
PATTERN_CHOICES = ("auto", "canvas", "moodle", "gradescope", "manifest")
GRADESCOPE_FALLBACK_ID = "submission"


@dataclass(frozen=True)
class Identity:
    student_id: str
    name: str | None = None  # the student's name as the LMS wrote it, if it did
    source: str = "file name"  # which rule gave the id, for provenance


def compile_id_pattern(pattern: str) -> tuple[str, re.Pattern | None]:
    """Validate an ``id_pattern`` option: a name from PATTERN_CHOICES, or a regex with (?P<student>)."""
    if not isinstance(pattern, str):
        raise TypeError(f"Expected str but got id_pattern={pattern!r} (type={type(pattern).__name__})")
    if pattern in PATTERN_CHOICES:
        return pattern, re.compile(ID_PATTERNS[pattern]) if pattern in ID_PATTERNS else None
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise ValueError(f"id_pattern is neither one of {PATTERN_CHOICES} nor a valid regex ({error}); got {pattern!r}") from None
    if "student" not in compiled.groupindex:
        raise ValueError(
            f"id_pattern must be one of {PATTERN_CHOICES} or a regex with a named group "
            f"(?P<student>...); got {pattern!r}"
        )
    return "regex", compiled


def identity_from_path(path: PurePath, pattern: str = "auto", *, depth: int | None = None) -> Identity | None:
    """Match the pattern against the file name, then the folders above it (``depth`` of them).

    ``auto`` tries Canvas, then Moodle. Returns None when nothing matches.
    """
    kind, compiled = compile_id_pattern(pattern)
    if kind == "auto":
        candidates = [re.compile(ID_PATTERNS["canvas"]), re.compile(ID_PATTERNS["moodle"])]
    elif compiled is None:
        return None
    else:
        candidates = [compiled]
    parts = [path.name] + [p.name for p in path.parents if p.name]
    if depth is not None:
        parts = parts[: depth + 1]
    for part in parts:
        for regex in candidates:
            match = regex.match(part)
            if match and match.group("student"):
                name = match.groupdict().get("name")
                label = next((k for k, v in ID_PATTERNS.items() if v == regex.pattern), "pattern")
                return Identity(match.group("student"), name, f"{label} file name")
    return None


def gradescope_root(path: Path) -> Path | None:
    """The ``.../autograder/submission`` folder that ``path`` is in (or is), if any."""
    for candidate in (path, *path.parents):
        if candidate.name == "submission" and candidate.parent.name == "autograder":
            return candidate
    return None


def gradescope_identity(submission_dir: Path) -> Identity:
    """users[0] email (else name) from ``submission_metadata.json`` beside the submission folder."""
    metadata = submission_dir.parent / "submission_metadata.json"
    try:
        users = json.loads(metadata.read_text(encoding="utf-8")).get("users") or []
        user = users[0] if isinstance(users[0], dict) else {}
    except (OSError, ValueError, AttributeError, IndexError, KeyError, TypeError, RecursionError):
        return Identity(GRADESCOPE_FALLBACK_ID, None, "gradescope default")
    student = user.get("email") or user.get("name")
    if not isinstance(student, str) or not student:
        return Identity(GRADESCOPE_FALLBACK_ID, None, "gradescope default")
    return Identity(student, user.get("name") if isinstance(user.get("name"), str) else None, "gradescope metadata")


@dataclass(frozen=True)
class Manifest:
    """A CSV with columns ``file,student``: file names (or paths relative to the CSV) → ids."""

    path: Path
    students: Mapping[str, str]

    def lookup(self, path: PurePath, *, exact: bool = False) -> str | None:
        """The student of ``path``; unless ``exact``, a row naming only its file name counts too."""
        for key in (str(path), path.as_posix()) if exact else (str(path), path.as_posix(), path.name):
            if key in self.students:
                return self.students[key]
        return None


def read_manifest(path: str | Path) -> Manifest:
    """Read a manifest; a malformed manifest is the instructor's error, so it raises."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = tuple(reader.fieldnames or ())
        if "file" not in columns or "student" not in columns:
            raise ValueError(f"manifest {path} must have columns ('file', 'student'); got {columns}")
        students = {}
        for row in reader:
            file, student = (row.get("file") or "").strip(), (row.get("student") or "").strip()
            if file and student:
                students[file] = student
                students[Path(file).name] = students.get(Path(file).name, student)
    return Manifest(path, MappingProxyType(students))
