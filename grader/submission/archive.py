"""Expand what an instructor hands us — a file, a folder, an LMS zip — into groups of files.

Zip members are read in memory and never extracted, so no member name can write outside a
folder. A member's path is ``<zip path>/<member name>``.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.result import Problem

from .notebook import GRADEABLE_SUFFIXES

MAX_FILE_BYTES = 64 * 1024 * 1024  # a notebook larger than this is not a student's code
_JUNK_PARTS = ("__MACOSX",)


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
    entries, problems = _entries(path)
    if path.is_file() and not _is_zip(path):
        files = tuple(SourceFile(real, real.name, data) for _, real, data in entries)
    else:
        files = tuple(SourceFile(real, rel.as_posix(), data) for rel, real, data in entries)
    if not files and not problems:
        problems = [_nothing_gradeable(path)]
    is_folder = path.is_dir() or _is_zip(path)
    return Group(path, PurePosixPath(path.name), files, tuple(problems), is_folder=is_folder)


def expand(path: str | Path) -> list[Group]:
    """A folder or zip of submissions: each top-level file is one group, each top-level folder
    (a Moodle-style folder per student) one group of all its files. A plain file: one group."""
    path = Path(path)
    if path.is_file() and not _is_zip(path):
        return [collect(path)]
    entries, problems = _entries(path)
    groups: dict[str, list] = {}
    for rel, real, data in entries:
        groups.setdefault(rel.parts[0], []).append((rel, real, data))
    result = []
    if problems and not entries:
        return [Group(path, PurePosixPath(path.name), (), tuple(problems), is_folder=True)]
    for top, members in groups.items():
        first_rel, first_real, _ = members[0]
        if len(first_rel.parts) == 1:  # a file at the top: one submission
            rel, real, data = members[0]
            result.append(Group(real, rel, (SourceFile(real, rel.name, data),)))
            continue
        folder = _folder_of(first_real, first_rel)
        files = tuple(SourceFile(real, PurePosixPath(*rel.parts[1:]).as_posix(), data) for rel, real, data in members)
        result.append(Group(folder, PurePosixPath(top), files, is_folder=True))
    if problems and result:  # e.g. a member too large: attach to the group it belonged to
        result = [_with_problems(g, problems) for g in result]
    return result


def _with_problems(group: Group, problems: list[Problem]) -> Group:
    own = tuple(p for p in problems if p.file.split("/")[0] == group.key.parts[0])
    return Group(group.path, group.key, group.files, group.problems + own, group.is_folder) if own else group


def _folder_of(real: Path, rel: PurePosixPath) -> Path:
    folder = real
    for _ in range(len(rel.parts) - 1):
        folder = folder.parent
    return folder


def _entries(path: Path) -> tuple[list[tuple[PurePosixPath, Path, bytes]], list[Problem]]:
    """(path relative to ``path``, real path, bytes) of each gradeable file, sorted."""
    if _is_zip(path):
        return _zip_entries(path, path.read_bytes(), PurePosixPath())
    if path.is_dir():
        entries, problems = [], []
        for file in sorted(path.rglob("*")):
            rel = PurePosixPath(file.relative_to(path).as_posix())
            if file.is_symlink() or not file.is_file() or _skipped(rel):
                continue
            if file.suffix.lower() == ".zip":
                sub, sub_problems = _zip_entries(file, file.read_bytes(), rel.with_suffix(""))
                entries += sub
                problems += sub_problems
            elif file.suffix.lower() in GRADEABLE_SUFFIXES:
                if file.stat().st_size > MAX_FILE_BYTES:
                    problems.append(_too_large(rel.as_posix(), file.stat().st_size))
                    continue
                entries.append((rel, file, file.read_bytes()))
        return entries, problems
    if path.is_file():
        return [(PurePosixPath(path.name), path, path.read_bytes())], []
    raise FileNotFoundError(f"expected a notebook, .py file, folder or .zip; got {str(path)!r}, which does not exist")


def _zip_entries(zip_path: Path, data: bytes, prefix: PurePosixPath, *, nested: bool = False):
    """Members of a zip (and of zips inside it, one level down), read in memory.

    ``prefix`` is where the zip's members appear relative to the input; ``zip_path`` is the
    zip's own path (``outer.zip/inner.zip`` for a nested one).
    """
    shown = prefix.as_posix() if prefix.parts else zip_path.name
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        return [], [Problem(kind="invalid_archive", message=f"{shown} is not a readable zip file ({error}); expected a .zip as exported by the LMS", file=shown)]
    entries, problems = [], []
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            rel = PurePosixPath(info.filename)
            if info.is_dir() or _skipped(rel) or ".." in rel.parts or rel.is_absolute():
                continue
            suffix = rel.suffix.lower()
            if suffix not in GRADEABLE_SUFFIXES and not (suffix == ".zip" and not nested):
                continue
            full, real = prefix / rel, Path(zip_path, *rel.parts)
            if info.file_size > MAX_FILE_BYTES:
                problems.append(_too_large(full.as_posix(), info.file_size))
                continue
            try:
                content = archive.read(info)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
                problems.append(Problem(kind="invalid_archive", message=f"{full} could not be read from {zip_path.name}: {error}", file=full.as_posix()))
                continue
            if suffix == ".zip":  # a student who zipped their folder inside the LMS zip
                sub, sub_problems = _zip_entries(real, content, full.with_suffix(""), nested=True)
                entries += sub
                problems += sub_problems
            else:
                entries.append((full, real, content))
    return entries, problems


def _is_zip(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".zip"


def _skipped(rel: PurePosixPath) -> bool:
    return any(part.startswith(".") or part in _JUNK_PARTS for part in rel.parts)


def _too_large(name: str, size: int) -> Problem:
    return Problem(kind="file_too_large", message=f"{name} is {size} bytes; expected at most {MAX_FILE_BYTES} bytes for a notebook or .py file", file=name)


def _nothing_gradeable(path: Path) -> Problem:
    return Problem(kind="no_gradeable_files", message=f"{path.name} holds no .ipynb or .py file; expected the student's notebook", file=path.name)
