"""Integrity of a submission: nbgrader's locked-cell checksums, and sha256 fingerprints.

``nbgrader_checksum`` reproduces ``nbgrader.utils.compute_checksum`` exactly: the MD5 of the
UTF-8 bytes of, in order, the cell source, the cell type, ``str(is_grade)``,
``str(is_solution)``, ``str(is_locked)``, the ``grade_id`` and, for grade cells only,
``str(float(points))``. nbgrader's validator flags a locked cell whose stored checksum differs.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from grader.result import Problem

from .notebook import Cell, Notebook


def _is_grade(meta: Mapping[str, Any]) -> bool:
    return bool(meta.get("grade", False))


def _is_solution(meta: Mapping[str, Any]) -> bool:
    return bool(meta.get("solution", False))


def _is_locked(meta: Mapping[str, Any]) -> bool:
    """nbgrader's rule: solution cells are never locked, grade cells always are."""
    if _is_solution(meta):
        return False
    if _is_grade(meta):
        return True
    return bool(meta.get("locked", False))


def nbgrader_checksum(source: str, cell_type: str, nbgrader: Mapping[str, Any]) -> str:
    """MD5 hex digest, as ``nbgrader.utils.compute_checksum`` computes it for the same cell."""
    m = hashlib.md5()
    m.update(source.encode("utf-8"))
    m.update(cell_type.encode("utf-8"))
    m.update(str(_is_grade(nbgrader)).encode("utf-8"))
    m.update(str(_is_solution(nbgrader)).encode("utf-8"))
    m.update(str(_is_locked(nbgrader)).encode("utf-8"))
    m.update(str(nbgrader.get("grade_id", "")).encode("utf-8"))
    if _is_grade(nbgrader):
        m.update(str(float(nbgrader["points"])).encode("utf-8"))
    return m.hexdigest()


def compute_checksum(cell: Mapping[str, Any]) -> str:
    """The nbgrader checksum of an nbformat cell (a dict with source, cell_type, metadata)."""
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(source)
    return nbgrader_checksum(source, cell.get("cell_type", ""), cell.get("metadata", {}).get("nbgrader", {}))


def locked_cell_problems(notebook: Notebook) -> list[Problem]:
    """A ``locked_cell_edited`` problem for each locked cell whose checksum no longer matches,
    and a ``cell_type_changed`` problem where a student changed an nbgrader cell's type."""
    problems = []
    for cell in notebook.cells:
        meta = cell.nbgrader
        if not meta:
            continue
        original_type = meta.get("cell_type")
        if isinstance(original_type, str) and original_type != cell.cell_type:
            problems.append(
                Problem(
                    kind="cell_type_changed",
                    message=f"{_describe(cell)} was a {original_type} cell and is now a {cell.cell_type} cell; "
                    f"expected it to stay a {original_type} cell",
                    file=notebook.name,
                    cell=cell.number,
                )
            )
        stored = meta.get("checksum")
        if not (_is_locked(meta) and isinstance(stored, str)):
            continue
        try:
            actual = nbgrader_checksum(cell.source, cell.cell_type, meta)
        except (TypeError, ValueError):  # points that are not a number: the metadata was edited
            actual = None
        if actual != stored:
            problems.append(
                Problem(
                    kind="locked_cell_edited",
                    message=f"{_describe(cell)} is locked but was edited (nbgrader checksum {actual}, "
                    f"expected {stored}); expected the cell exactly as released",
                    file=notebook.name,
                    cell=cell.number,
                )
            )
    return problems


def _describe(cell: Cell) -> str:
    grade_id = cell.nbgrader.get("grade_id")
    named = f" {grade_id!r}" if grade_id else ""
    if cell.cell_type == "code":
        return f"{cell.where()}{named}"
    return f"{cell.cell_type} cell{named} at position {cell.position}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    # surrogatepass: a file name that is not UTF-8 on disk reaches us with lone surrogates
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def sha256_files(files: Iterable[tuple[str, bytes]]) -> str:
    """One file: its sha256. Several: the sha256 of their sorted ``"<sha256>  <name>"`` lines."""
    files = list(files)
    if len(files) == 1:
        return sha256_bytes(files[0][1])
    lines = sorted(f"{sha256_bytes(data)}  {name}\n" for name, data in files)
    return sha256_text("".join(lines))
