"""Members of a zip, and of the zips inside it one level down, read in memory within limits.

Members are never extracted, so no member name can write outside a folder. The zip is read
from its file; each member through a bounded read, whatever its header says about its size.
A member's path is ``<zip path>/<member name>``.
"""
from __future__ import annotations

import calendar
import contextlib
import io
import lzma
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from grader.result import Problem

from . import limits
from .limits import Budget, too_large
from .notebook import GRADEABLE_SUFFIXES


@dataclass(frozen=True)
class Entry:
    """One thing found under the input: a file's bytes, or a problem about it."""

    rel: PurePosixPath  # relative to the input; no parts: the input itself
    real: Path  # a real path, or "<zip path>/<member>"
    data: bytes | None = None
    problem: Problem | None = None
    mtime: float | None = None  # when it was last changed, as its folder or zip records it


BudgetFor = Callable[[PurePosixPath], Budget]  # the budget of the submission a path is part of

# What opening a zip, or reading a member, can raise: zipfile's own checks, and each
# decompressor's errors (zlib.error for corrupt deflate data is none of zipfile's types).
_NOT_A_ZIP = (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, ValueError, struct.error)
_UNREADABLE = _NOT_A_ZIP + (RuntimeError, zlib.error, lzma.LZMAError)
_JUNK_PARTS = ("__MACOSX",)
# Records kept beside submissions: nbgrader's and many LMS's submission time, Gradescope's
# export of who submitted what and when.
METADATA_NAMES = frozenset({"timestamp.txt", "submission_metadata.yml"})

# The zip format, for the one repair zipfile cannot make (see _open).
_UTF8_FLAG = 0x800  # general purpose bit 11: "the name is UTF-8"
_CENTRAL_RECORD = struct.Struct("<4s4B4HL2L5H2L")  # a central-directory entry, before its name
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_ZIP64_END_BYTES = 56 + 20  # zip64 end record and its locator, between the directory and the end record


def read_zip(
    source: Path | bytes, zip_path: Path, prefix: PurePosixPath, budget_for: BudgetFor, *, nested: bool = False
) -> list[Entry]:
    """The gradeable members of the zip in ``source`` (its file, or a nested zip's bytes).

    ``zip_path`` is the zip's own path (``outer.zip/inner.zip`` for a nested one); ``prefix``
    is where its members appear relative to the input (no parts: the zip is the input).
    """
    shown = prefix.as_posix() if prefix.parts else zip_path.name
    with contextlib.ExitStack() as stack:
        try:
            file = stack.enter_context(source.open("rb") if isinstance(source, Path) else io.BytesIO(source))
            archive, misnamed = _open(file)
        except _NOT_A_ZIP as error:
            message = f"{shown} is not a readable zip file ({error}); expected a .zip as exported by the LMS"
            return [Entry(prefix, zip_path, problem=Problem(kind="invalid_archive", message=message, file=shown))]
        with archive:
            return _members(archive, misnamed, zip_path, prefix, budget_for, nested=nested)


def _members(
    archive: zipfile.ZipFile,
    misnamed: dict[str, bytes],
    zip_path: Path,
    prefix: PurePosixPath,
    budget_for: BudgetFor,
    *,
    nested: bool,
) -> list[Entry]:
    entries: list[Entry] = []
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        rel = PurePosixPath(info.filename)
        if info.is_dir() or skipped(rel) or ".." in rel.parts or rel.is_absolute():
            continue
        suffix = rel.suffix.lower()
        if not wanted(rel) and not (suffix == ".zip" and not nested):
            continue
        full, real = prefix / rel, Path(zip_path, *rel.parts)
        budget = budget_for(full.with_suffix("") if suffix == ".zip" else full)  # where its members go
        if budget.spent:
            continue
        if info.orig_filename in misnamed:
            entries.append(_misnamed(misnamed[info.orig_filename], prefix, zip_path))
        elif budget.members_left <= 0:
            entries.append(Entry(full, real, problem=budget.overrun(full, members=True)))
        else:
            budget.members_left -= 1
            entries += _member(archive, info, zip_path, full, real, budget, budget_for)
    return entries


def _member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    zip_path: Path,
    full: PurePosixPath,
    real: Path,
    budget: Budget,
    budget_for: BudgetFor,
) -> list[Entry]:
    """One member's bytes (or, for a zip inside the zip, its members), or why not."""
    limit = budget.read_limit()
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)  # one byte more than allowed tells "too much" apart
    except _UNREADABLE as error:
        message = (f"{full} could not be read from {zip_path.name} ({_describe(error)}); "
                   "expected a member that the zip can decompress")
        return [Entry(full, real, problem=Problem(kind="invalid_archive", message=message, file=full.as_posix()))]
    budget.bytes_left = max(0, budget.bytes_left - len(data))  # decompressing costs, kept or not
    if len(data) > limit:
        if limit == limits.MAX_FILE_BYTES:
            return [Entry(full, real, problem=too_large(full, f"more than {limit} bytes uncompressed"))]
        return [Entry(full, real, problem=budget.overrun(full, members=False))]
    if full.suffix.lower() == ".zip":  # a student who zipped their folder inside the LMS zip
        return read_zip(data, real, full.with_suffix(""), budget_for, nested=True)
    return [Entry(full, real, data, mtime=calendar.timegm((*info.date_time, 0, 0, 0)))]


def member_names(path: Path) -> list[PurePosixPath]:
    """The names of a zip's files (not folders), without reading any member; [] where the zip
    cannot be opened (``read_zip`` then reports why)."""
    try:
        with path.open("rb") as file:
            archive, _ = _open(file)
            with archive:
                return [PurePosixPath(i.filename) for i in archive.infolist() if not i.is_dir()]
    except _NOT_A_ZIP:
        return []


def _describe(error: Exception) -> str:
    kind = type(error)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    return f"{name}: {error}"


def wanted(rel: PurePosixPath) -> bool:
    """A file the reader takes in: a notebook or .py file, or a record an LMS keeps beside the
    submissions (submission times, who submitted)."""
    return rel.suffix.lower() in GRADEABLE_SUFFIXES or rel.name in METADATA_NAMES


def skipped(rel: PurePosixPath) -> bool:
    """Hidden files and folders (checkpoints, .git) and macOS resource forks are not code."""
    return any(part.startswith(".") or part in _JUNK_PARTS for part in rel.parts)


def _misnamed(raw: bytes, prefix: PurePosixPath, zip_path: Path) -> Entry:
    error = _utf8_error(raw)
    at = error.start if error is not None else 0
    shown = raw.decode("utf-8", "backslashreplace")
    rel = prefix / shown
    message = (f"{rel}: the zip marks this file name as UTF-8, but byte 0x{raw[at]:02x} at position {at} "
               "is not UTF-8; expected UTF-8 file names, so the file was not read")
    return Entry(rel, Path(zip_path, shown), problem=Problem(kind="invalid_archive", message=message, file=rel.as_posix()))


def _open(file: BinaryIO) -> tuple[zipfile.ZipFile, dict[str, bytes]]:
    """The zip, and {name as read: raw name} of members flagged UTF-8 whose names are not.

    zipfile refuses a whole zip for one such name. Reading it through a view of the file in
    which those names' flags are cleared (the file itself is not changed) keeps the others.
    """
    try:
        return zipfile.ZipFile(file), {}
    except UnicodeDecodeError:
        patches, misnamed = _false_utf8_flags(file)
        return zipfile.ZipFile(_Patched(file, patches)), misnamed


def _false_utf8_flags(file: BinaryIO) -> tuple[dict[int, int], dict[str, bytes]]:
    """{offset: new byte} clearing the UTF-8 flag of names that are not UTF-8, and those names."""
    end = zipfile._EndRecData(file)  # zipfile's own reader of the end record (private, stable)
    if not end:
        raise zipfile.BadZipFile("File is not a zip file")
    size, location = end[5], end[9]  # bytes in the central directory; offset of the end record
    start = location - size - (_ZIP64_END_BYTES if end[0] == zipfile.stringEndArchive64 else 0)
    file.seek(start)
    directory = file.read(size)
    patches, misnamed, at = {}, {}, 0
    while at + _CENTRAL_RECORD.size <= len(directory):
        record = _CENTRAL_RECORD.unpack_from(directory, at)
        if record[0] != _CENTRAL_SIGNATURE:
            break
        flags, name_length = record[5], record[12]
        raw = directory[at + _CENTRAL_RECORD.size : at + _CENTRAL_RECORD.size + name_length]
        if flags & _UTF8_FLAG and _utf8_error(raw) is not None:
            patches[start + at + 9] = (flags & ~_UTF8_FLAG) >> 8  # the flags' high byte
            misnamed[raw.decode("cp437")] = raw  # how zipfile reads a name without the flag
        at += _CENTRAL_RECORD.size + name_length + record[13] + record[14]
    return patches, misnamed


def _utf8_error(raw: bytes) -> UnicodeDecodeError | None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return error
    return None


class _Patched:
    """A read-only view of a file with a few single bytes replaced."""

    def __init__(self, file: BinaryIO, patches: dict[int, int]):
        self._file, self._patches = file, patches

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        start = self._file.tell()
        data = self._file.read(size)
        hits = [(at, byte) for at, byte in self._patches.items() if start <= at < start + len(data)]
        if not hits:
            return data
        patched = bytearray(data)
        for at, byte in hits:
            patched[at - start] = byte
        return bytes(patched)
