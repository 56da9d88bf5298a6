"""Expand what an instructor hands us — a file, a folder, an LMS zip — into groups of files.

A group is one would-be submission: a top-level entry of the folder or zip given. Who it
belongs to is read from that entry's name, never from names a student chose inside it (see
``reader``). Zips are read by ``zips``, within the limits of ``limits``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.result import Problem

from . import limits
from .limits import Budget, too_large
from .notebook import GRADEABLE_SUFFIXES
from .zips import BudgetFor, Entry, read_zip, skipped


@dataclass(frozen=True)
class SourceFile:
    path: Path  # where it is: a real path, or "<zip path>/<member>"
    name: str  # the name used in origins and problems: relative to the group's root
    data: bytes


@dataclass(frozen=True)
class Group:
    """The files of one would-be submission."""

    path: Path  # the file or folder (or zip, or zip folder) they came from
    key: PurePosixPath  # path relative to the input, as its LMS named it (for the student id)
    files: tuple[SourceFile, ...]
    problems: tuple[Problem, ...] = ()
    is_folder: bool = False


def collect(path: str | Path) -> Group:
    """Everything under ``path`` (a file, a folder or a zip) as one group."""
    path = Path(path)
    budget = Budget.fresh()
    entries = _entries(path, lambda rel: budget)
    files = tuple(SourceFile(e.real, e.rel.as_posix(), e.data) for e in entries if e.data is not None)
    problems = tuple(e.problem for e in entries if e.problem is not None)
    if not files and not problems:
        problems = (_nothing_gradeable(path),)
    is_folder = path.is_dir() or _is_zip(path)
    return Group(path, PurePosixPath(path.name), files, problems, is_folder=is_folder)


def expand(path: str | Path) -> list[Group]:
    """A folder or zip of submissions: each top-level file is one group, each top-level folder
    (a Moodle-style folder per student) or zip one group of all its files. A plain file: one group.

    Each group has its own budget of bytes and members, so one student's zip bomb costs only
    that student. A file that cannot be read still gives its group, with the problem.
    """
    path = Path(path)
    if path.is_file() and not _is_zip(path):
        return [collect(path)]
    budgets: dict[tuple[str, ...], Budget] = {}
    entries = _entries(path, lambda rel: budgets.setdefault(rel.parts[:1], Budget.fresh()))
    by_top: dict[str, list[Entry]] = {}
    for entry in entries:
        by_top.setdefault(entry.rel.parts[0] if entry.rel.parts else "", []).append(entry)
    whole = by_top.pop("", [])  # problems of the input itself, e.g. a zip that does not open
    groups = [_group(top, members) for top, members in by_top.items()]
    if whole:
        problems = tuple(e.problem for e in whole if e.problem is not None)
        groups.append(Group(path, PurePosixPath(path.name), (), problems, is_folder=True))
    return groups


def _group(top: str, members: list[Entry]) -> Group:
    first = members[0]
    problems = tuple(e.problem for e in members if e.problem is not None)
    if all(len(e.rel.parts) == 1 for e in members):  # a file at the top: one submission
        files = tuple(SourceFile(e.real, e.rel.name, e.data) for e in members if e.data is not None)
        return Group(first.real, first.rel, files, problems)
    files = tuple(SourceFile(e.real, _inside(e.rel), e.data) for e in members if e.data is not None)
    return Group(_folder_of(first.real, first.rel), PurePosixPath(top), files, problems, is_folder=True)


def _inside(rel: PurePosixPath) -> str:
    """The name of a file relative to its top-level folder."""
    return PurePosixPath(*rel.parts[1:]).as_posix() if len(rel.parts) > 1 else rel.name


def _folder_of(real: Path, rel: PurePosixPath) -> Path:
    folder = real
    for _ in range(len(rel.parts) - 1):
        folder = folder.parent
    return folder


def _entries(path: Path, budget_for: BudgetFor) -> list[Entry]:
    """Each gradeable file under ``path`` (its bytes, or a problem), sorted."""
    if _is_zip(path):
        return read_zip(path, path, PurePosixPath(), budget_for)
    if path.is_dir():
        entries = []
        for file in sorted(path.rglob("*")):
            rel = PurePosixPath(file.relative_to(path).as_posix())
            if file.is_symlink() or not file.is_file() or skipped(rel):
                continue
            if file.suffix.lower() == ".zip":
                entries += read_zip(file, file, rel.with_suffix(""), budget_for)
            elif file.suffix.lower() in GRADEABLE_SUFFIXES:
                entries.append(_read_file(file, rel))
        return entries
    if path.is_file():
        return [_read_file(path, PurePosixPath(path.name))]
    raise FileNotFoundError(f"expected a notebook, .py file, folder or .zip; got {str(path)!r}, which does not exist")


def _read_file(file: Path, rel: PurePosixPath) -> Entry:
    """A file's bytes, read no further than the limit (the file may grow while we read it)."""
    try:
        size = file.stat().st_size
        if size > limits.MAX_FILE_BYTES:
            return Entry(rel, file, problem=too_large(rel, f"{size} bytes"))
        with file.open("rb") as handle:
            data = handle.read(limits.MAX_FILE_BYTES + 1)
    except OSError as error:
        message = f"{rel} could not be read ({type(error).__name__}: {error}); expected a file the grader may read"
        return Entry(rel, file, problem=Problem(kind="unreadable", message=message, file=rel.as_posix()))
    if len(data) > limits.MAX_FILE_BYTES:
        return Entry(rel, file, problem=too_large(rel, f"more than {limits.MAX_FILE_BYTES} bytes"))
    return Entry(rel, file, data)


def _is_zip(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".zip"


def _nothing_gradeable(path: Path) -> Problem:
    return Problem(kind="no_gradeable_files", message=f"{path.name} holds no .ipynb or .py file; expected the student's notebook", file=path.name)
