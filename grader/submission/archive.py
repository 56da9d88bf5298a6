"""Expand what an instructor hands us — a file, a folder, an LMS zip — into groups of files.

A group is one would-be submission: an entry at the level where ``layout`` finds the
submissions (below any wrapper folders). Who it belongs to is read from that entry's name (or
the LMS's own record), never from names a student chose inside it (see ``reader``). Zips are
read by ``zips``, within the limits of ``limits``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.result import Problem

from . import limits
from .identity import Identity, gradescope_export
from .layout import GRADESCOPE_EXPORT_METADATA, Level, complementary, find_level
from .limits import Budget, too_large
from .notebook import GRADEABLE_SUFFIXES
from .zips import METADATA_NAMES, BudgetFor, Entry, member_names, read_zip, skipped, wanted


@dataclass(frozen=True)
class SourceFile:
    path: Path  # where it is: a real path, or "<zip path>/<member>"
    name: str  # the name used in origins and problems: relative to the group's root
    data: bytes
    mtime: float | None = None  # when it was last changed, as its folder or zip records it


@dataclass(frozen=True)
class Group:
    """The files of one would-be submission."""

    path: Path  # the file or folder (or zip, or zip folder) they came from
    key: PurePosixPath  # path relative to the input, as its LMS named it (for the student id)
    files: tuple[SourceFile, ...]
    problems: tuple[Problem, ...] = ()
    is_folder: bool = False
    metadata: dict[str, bytes] = field(default_factory=dict)  # records beside the code (timestamp.txt)
    identities: tuple[Identity, ...] = ()  # who it belongs to, where the layout itself says so
    layout: str = ""  # as ``layout.find_level`` recognised it
    input_problem: bool = False  # the input itself could not be read (not one student's file)


def collect(path: str | Path) -> Group:
    """Everything under ``path`` (a file, a folder or a zip) as one group."""
    path = Path(path)
    budget = Budget.fresh()
    entries = _entries(path, lambda rel: budget)
    files = _code(entries, lambda rel: rel.as_posix())
    problems = tuple(e.problem for e in entries if e.problem is not None)
    if not files and not problems:
        problems = (_nothing_gradeable(path),)
    is_folder = path.is_dir() or _is_zip(path)
    return Group(path, PurePosixPath(path.name), files, problems, is_folder=is_folder,
                 metadata=_metadata(entries, depth=0))


def expand(path: str | Path, functions: tuple[str, ...] = ()) -> list[Group]:
    """A folder or zip of submissions: one group per submission at the level ``layout`` finds
    (through wrapper folders): each file there one group, each folder (a folder per student)
    or zip one group of all its files. A plain file: one group.

    Each group has its own budget of bytes and members, so one student's zip bomb costs only
    that student. A file that cannot be read still gives its group, with the problem.
    ``functions`` (the graded ones) tell a flat class in a wrapper folder from one student's
    folder of a notebook and its modules (see ``layout.Level.ambiguous``).
    """
    path = Path(path)
    if path.is_file() and not _is_zip(path):
        return [collect(path)]
    level = find_level(_names(path))
    depth = len(level.prefix)
    cut = depth if level.one_student else depth + 1
    budgets: dict[tuple[str, ...], Budget] = {}
    entries = _entries(path, lambda rel: budgets.setdefault(rel.parts[:cut], Budget.fresh()))
    whole = [e for e in entries if not e.rel.parts]  # problems of the input itself, e.g. a zip that does not open
    inside = [e for e in entries if len(e.rel.parts) > depth and e.rel.parts[:depth] == level.prefix]
    if level.ambiguous and functions and complementary([_defines(e, functions) for e in inside if e.data is not None]):
        level, depth = Level(level.prefix[:-1], "folders and files"), depth - 1
    if level.one_student:
        groups = [_one_student(path, level, inside)] if inside else []
    else:
        by_top: dict[str, list[Entry]] = {}
        for entry in inside:
            by_top.setdefault(entry.rel.parts[depth], []).append(entry)
        record = by_top.pop(GRADESCOPE_EXPORT_METADATA, []) if level.layout == "gradescope export" else []
        submitters = gradescope_export(record[0].data) if record and record[0].data is not None else {}
        groups = []
        for top, members in sorted(by_top.items()):
            if not any(e.data is not None and _is_code(e.rel) or e.problem is not None for e in members):
                continue  # only a record (a Blackboard receipt, a timestamp): nothing to grade
            found = tuple(submitters.get(top, ())) or _classroom_identity(level, top)
            groups.append(_group(level, top, members, found))
    if whole:
        problems = tuple(e.problem for e in whole if e.problem is not None)
        groups.append(Group(path, PurePosixPath(path.name), (), problems, is_folder=True, input_problem=True))
    return groups


def _defines(entry: Entry, functions: tuple[str, ...]) -> set[str]:
    """The graded functions a file seems to define: a look at its text, to tell a layout apart
    (the reader extracts the code itself later)."""
    text = entry.data.decode("utf-8", "replace")
    return {name for name in functions if re.search(rf"\bdef\s+{re.escape(name)}\s*\(", text)}


def _classroom_identity(level: Level, top: str) -> tuple[Identity, ...]:
    student = level.ids.get(top)
    return (Identity(student, None, "github classroom"),) if student else ()


def _group(level: Level, top: str, members: list[Entry], identities: tuple[Identity, ...]) -> Group:
    depth = len(level.prefix)
    first = members[0]
    key = PurePosixPath(*level.prefix, top)
    problems = tuple(e.problem for e in members if e.problem is not None)
    if all(len(e.rel.parts) == depth + 1 for e in members):  # a file at the level: one submission
        files = _code(members, lambda rel: rel.name)
        return Group(first.real, key, files, problems, identities=identities, layout=level.layout)
    files = _code(members, lambda rel: PurePosixPath(*rel.parts[depth + 1:]).as_posix())
    folder = _up(first.real, len(first.rel.parts) - depth - 1)
    return Group(folder, key, files, problems, is_folder=True, metadata=_metadata(members, depth=depth + 1),
                 identities=identities, layout=level.layout)


def _one_student(path: Path, level: Level, members: list[Entry]) -> Group:
    depth = len(level.prefix)
    first = members[0]
    folder = _up(first.real, len(first.rel.parts) - depth)
    key = PurePosixPath(*level.prefix) if level.prefix else PurePosixPath(path.name)
    files = _code(members, lambda rel: PurePosixPath(*rel.parts[depth:]).as_posix())
    problems = tuple(e.problem for e in members if e.problem is not None)
    return Group(folder, key, files, problems, is_folder=True, metadata=_metadata(members, depth=depth),
                 layout=level.layout)


def _code(entries: list[Entry], name) -> tuple[SourceFile, ...]:
    return tuple(SourceFile(e.real, name(e.rel), e.data, e.mtime) for e in entries
                 if e.data is not None and _is_code(e.rel))


def _metadata(entries: list[Entry], *, depth: int) -> dict[str, bytes]:
    """The records directly in the submission's own folder (never deeper: a student's choice)."""
    return {e.rel.name: e.data for e in entries
            if e.data is not None and len(e.rel.parts) == depth + 1 and e.rel.name in METADATA_NAMES}


def _is_code(rel: PurePosixPath) -> bool:
    return rel.suffix.lower() in GRADEABLE_SUFFIXES


def _up(real: Path, levels: int) -> Path:
    folder = real
    for _ in range(max(levels, 0)):
        folder = folder.parent
    return folder


def _names(path: Path) -> list[PurePosixPath]:
    """Every file under a folder or in a zip, relative to it, read no further than names."""
    if _is_zip(path):
        return member_names(path)
    return [PurePosixPath(f.relative_to(path).as_posix()) for f in sorted(path.rglob("*"))
            if not f.is_symlink() and f.is_file()]


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
            elif wanted(rel):
                entries.append(_read_file(file, rel))
        return entries
    if path.is_file():
        return [_read_file(path, PurePosixPath(path.name))]
    raise FileNotFoundError(f"expected a notebook, .py file, folder or .zip; got {str(path)!r}, which does not exist")


def _read_file(file: Path, rel: PurePosixPath) -> Entry:
    """A file's bytes, read no further than the limit (the file may grow while we read it)."""
    try:
        stat = file.stat()
        size, mtime = stat.st_size, stat.st_mtime
        if size > limits.MAX_FILE_BYTES:
            return Entry(rel, file, problem=too_large(rel, f"{size} bytes"))
        with file.open("rb") as handle:
            data = handle.read(limits.MAX_FILE_BYTES + 1)
    except OSError as error:
        message = f"{rel} could not be read ({type(error).__name__}: {error}); expected a file the grader may read"
        return Entry(rel, file, problem=Problem(kind="unreadable", message=message, file=rel.as_posix()))
    if len(data) > limits.MAX_FILE_BYTES:
        return Entry(rel, file, problem=too_large(rel, f"more than {limits.MAX_FILE_BYTES} bytes"))
    return Entry(rel, file, data, mtime=mtime)


def _is_zip(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".zip"


def _nothing_gradeable(path: Path) -> Problem:
    return Problem(kind="no_gradeable_files", message=f"{path.name} holds no .ipynb or .py file; expected the student's notebook", file=path.name)
