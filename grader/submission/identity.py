"""Who a file belongs to: student ids from LMS file names, Gradescope metadata, or a manifest.

A pattern is a regex with a named group ``student`` (and optionally ``name``), matched with
``re.match`` against a file name and then against each folder name above it, nearest first.
"""
from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePath
from types import MappingProxyType

# Ready patterns, keyed by the LMS whose export names files this way.
ID_PATTERNS: Mapping[str, str] = MappingProxyType(
    {
        # smithjohn_12345_6789012_conv_arithmetic.ipynb, smithjohn_late_12345_6789012_conv.ipynb
        "canvas": r"(?P<name>[^_/]+)_(?:LATE_|late_)?(?P<student>\d+)_(?P<submission>\d+)_(?P<file>.+)$",
        # "Jane Doe_12345_assignsubmission_file_/conv.ipynb" (folder) or "..._file_conv.ipynb"
        "moodle": r"(?P<name>[^/]+?)_(?P<student>\d+)_assignsubmission_(?:file|onlinetext)_",
        # "Homework 3_jsmith_attempt_2026-11-30-23-59-59_conv.ipynb" (and its .txt receipt)
        "blackboard": r"(?P<assignment>[^/]+)_(?P<student>[^_/]+)_attempt_"
                      r"(?P<submitted>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})(?:_(?P<file>.+)|\.txt)?$",
    }
)
PATTERN_CHOICES = ("auto", "canvas", "moodle", "blackboard", "gradescope", "manifest")
GRADESCOPE_FALLBACK_ID = "submission"


@dataclass(frozen=True)
class Identity:
    student_id: str
    name: str | None = None  # the student's name as the LMS wrote it, if it did
    source: str = "file name"  # which rule gave the id, for provenance
    submitted_at: datetime | None = None  # as the LMS recorded it (naive: the LMS's local time)
    due: datetime | None = None  # this student's own due date (an extension), if recorded

    @property
    def from_lms(self) -> bool:
        """Whether an LMS, a manifest or a pattern gave the id (not a guess from a name)."""
        return self.source not in ("file stem", "folder name")


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
        candidates = [re.compile(ID_PATTERNS[name]) for name in ("canvas", "moodle", "blackboard")]
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
                found = match.groupdict()
                label = next((k for k, v in ID_PATTERNS.items() if v == regex.pattern), "pattern")
                return Identity(match.group("student"), found.get("name"), f"{label} file name",
                                submitted_at=_blackboard_time(found.get("submitted")))
    return None


def _blackboard_time(text: str | None) -> datetime | None:
    return datetime.strptime(text, "%Y-%m-%d-%H-%M-%S") if text else None


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


def gradescope_export(data: bytes) -> dict[str, list[Identity]]:
    """Gradescope's "Export submissions" record, ``submission_metadata.yml``: each
    ``submission_<id>`` folder → one identity per submitter (a group submission counts for
    each member), by email, else SID, else name, with the submission time. Malformed: {}."""
    import yaml  # only Gradescope exports need it

    try:
        records = yaml.safe_load(data.decode("utf-8", "replace"))
    except yaml.YAMLError:
        return {}
    found: dict[str, list[Identity]] = {}
    for folder, record in records.items() if isinstance(records, dict) else ():
        if not isinstance(folder, str) or not isinstance(record, dict):
            continue
        submitted = parse_time(record.get(":created_at"))
        for person in record.get(":submitters") or ():
            if not isinstance(person, dict):
                continue
            student = next((str(person[k]) for k in (":email", ":sid", ":name") if person.get(k)), None)
            name = person.get(":name") if isinstance(person.get(":name"), str) else None
            if student:
                found.setdefault(folder, []).append(Identity(student, name, "gradescope export", submitted))
    return found


def parse_time(value) -> datetime | None:
    """A time as YAML, JSON or a CSV writes it: ISO 8601, or Ruby's ``2026-11-30 23:59:59 -0800``."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    for parse in (datetime.fromisoformat, lambda t: datetime.strptime(t, "%Y-%m-%d %H:%M:%S %z"),
                  lambda t: datetime.strptime(re.sub(r"(\.\d{6})\d+", r"\1", t), "%Y-%m-%d %H:%M:%S.%f %z")):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class Manifest:
    """A CSV with columns ``file,student`` (file names, or paths relative to the input) and,
    optionally, ``submitted_at`` (when that file was submitted), ``due`` (the student's own due
    date) and ``extension_days`` (days added to the rubric's due date for that student)."""

    path: Path
    students: Mapping[str, str]
    submitted: Mapping[str, datetime] = field(default_factory=dict)  # file key -> time
    dues: Mapping[str, datetime] = field(default_factory=dict)  # student -> own due date
    extensions: Mapping[str, float] = field(default_factory=dict)  # student -> days

    def identity(self, path: PurePath, *, exact: bool = False) -> Identity | None:
        """The student of ``path``; unless ``exact``, a row naming only its file name counts too."""
        key = self._key(path, exact=exact)
        if key is None:
            return None
        student = self.students[key]
        return Identity(student, None, "manifest", submitted_at=self.submitted.get(key), due=self.dues.get(student))

    def _key(self, path: PurePath, *, exact: bool) -> str | None:
        for key in (str(path), path.as_posix()) if exact else (str(path), path.as_posix(), path.name):
            if key in self.students:
                return key
        return None


_MANIFEST_TIMES = ("submitted_at", "due")


def read_manifest(path: str | Path) -> Manifest:
    """Read a manifest; a malformed manifest is the instructor's error, so it raises."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = tuple(reader.fieldnames or ())
        if "file" not in columns or "student" not in columns:
            raise ValueError(f"manifest {path} must have columns ('file', 'student'); got {columns}")
        students, submitted, dues, extensions = {}, {}, {}, {}
        for line, row in enumerate(reader, start=2):
            file, student = (row.get("file") or "").strip(), (row.get("student") or "").strip()
            if not (file and student):
                continue
            times = {}
            for column in _MANIFEST_TIMES:
                text = (row.get(column) or "").strip()
                if text:
                    times[column] = parse_time(text)
                    if times[column] is None:
                        raise ValueError(f"manifest {path}, line {line}: {column} must be an ISO 8601 time "
                                         f"like 2026-11-30T23:59:00+00:00; got {text!r}")
            extension = (row.get("extension_days") or "").strip()
            if extension:
                try:
                    extensions[student] = float(extension)
                except ValueError:
                    raise ValueError(f"manifest {path}, line {line}: extension_days must be a number of days; "
                                     f"got {extension!r}") from None
            if "due" in times:
                dues[student] = times["due"]
            for key in (file, Path(file).name):
                if key == file or key not in students:
                    students[key] = student
                    if "submitted_at" in times:
                        submitted[key] = times["submitted_at"]
    return Manifest(path, MappingProxyType(students), MappingProxyType(submitted), MappingProxyType(dues),
                    MappingProxyType(extensions))
