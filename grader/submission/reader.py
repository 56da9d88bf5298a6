"""notebook/.py/folder/.zip → Submission: the entry points of ``grader.submission``."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from grader.result import Problem

from .archive import Group, collect, expand
from .extract import Extraction, extract_chunks, missing_functions
from .identity import (
    Identity,
    Manifest,
    compile_id_pattern,
    gradescope_identity,
    gradescope_root,
    identity_from_path,
    read_manifest,
)
from .integrity import locked_cell_problems, sha256_files, sha256_text
from .model import MODES, Submission
from .notebook import load_notebook

_MAX_DETAIL = 300  # characters of an unexpected error's message shown in its problem


def read_submission(
    path: str | Path,
    *,
    functions: Iterable[str] | None = None,
    student_id: str | None = None,
    mode: str = "definitions",
    id_pattern: str = "auto",
) -> Submission:
    """One submission from a notebook, a .py file, a folder or a zip (all its files together).

    ``functions``: the graded function names; each one that no cell defines is a
    ``missing_function`` problem. ``student_id`` overrides the id found from the file name by
    ``id_pattern`` (see ``identity.ID_PATTERNS``; the fallback is the file stem). Bad student
    input never raises: it is recorded in ``Submission.problems``. Raises FileNotFoundError for
    a path that does not exist, and ValueError or TypeError for bad arguments.
    """
    functions = _function_names(functions)
    _check_mode(mode)
    compile_id_pattern(id_pattern)
    path = Path(path)
    (group,) = _groups(path, lambda: [collect(path)])
    if student_id is not None:
        identity, problems = Identity(student_id, None, "given"), []
    else:
        identity, problems = _identify_safely(group, id_pattern, None, depth=1)
    return _build_safely(group, identity, problems, functions, mode)


def read_submissions(
    paths: str | Path | Iterable[str | Path],
    *,
    functions: Iterable[str] | None = None,
    id_pattern: str = "auto",
    manifest: str | Path | None = None,
    mode: str = "definitions",
) -> list[Submission]:
    """One submission per student from files, folders of submissions, or LMS zips.

    In a folder or zip, each top-level file is a submission and each top-level folder (Moodle
    style) one submission made of all its files; files whose ids agree are merged. A Gradescope
    ``/autograder/submission`` folder is one submission. ``id_pattern="manifest"`` (or giving
    ``manifest``) takes ids from a CSV with columns ``file,student``.

    Nothing one submission holds stops the others being read: whatever goes wrong while
    reading one, the grader's own failures included, becomes a problem of that submission.
    """
    functions = _function_names(functions)
    _check_mode(mode)
    kind, _ = compile_id_pattern(id_pattern)
    if kind == "manifest" and manifest is None:
        raise ValueError("id_pattern='manifest' needs manifest=<path of a CSV with columns file,student>; got manifest=None")
    table = read_manifest(manifest) if manifest is not None else None
    if isinstance(paths, (str, Path)):
        paths = [paths]
    by_student: dict[str, tuple[list[Group], Identity, list[Problem]]] = {}
    for path in paths:
        path = Path(path)
        root = gradescope_root(path) if path.is_dir() and id_pattern in ("auto", "gradescope") else None
        groups = _groups(path, lambda: [collect(root)] if root is not None else expand(path))
        single_file = path.is_file() and path.suffix.lower() != ".zip"  # its folder may name the student
        for group in groups:
            identity, problems = _identify_safely(group, id_pattern, table, depth=1 if single_file else 0)
            entry = by_student.setdefault(identity.student_id, ([], identity, []))
            entry[0].append(group)
            entry[2].extend(problems)
    return [_build_safely(_merge(groups), identity, problems, functions, mode) for groups, identity, problems in by_student.values()]


def _function_names(functions) -> tuple[str, ...]:
    if functions is None:
        return ()
    if isinstance(functions, str):
        raise TypeError(f"Expected a list of function names but got functions={functions!r} (type=str)")
    names = tuple(functions)
    for name in names:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"Expected Python identifiers in functions but got {name!r} (type={type(name).__name__})")
    return names


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}; got {mode!r}")


# Defence in depth: the reader turns every bad input it knows into a problem, but a failure it
# does not know must cost only the submission it happened on, and say so for a person to see.


def _groups(path: Path, read: Callable[[], list[Group]]) -> list[Group]:
    """``read()``; if it fails, one group for ``path`` holding the failure."""
    try:
        return read()
    except Exception as error:
        if isinstance(error, FileNotFoundError) and not path.exists():
            raise  # the caller's mistake, not a student's
        is_folder = path.is_dir() or path.suffix.lower() == ".zip"
        return [Group(path, PurePosixPath(path.name), (), (_unreadable(path.name, error),), is_folder=is_folder)]


def _identify_safely(group: Group, id_pattern: str, manifest: Manifest | None, *, depth: int) -> tuple[Identity, list[Problem]]:
    try:
        return _identify(group, id_pattern, manifest, depth=depth)
    except Exception as error:
        return Identity(_fallback_id(group), None, "file stem"), [_unreadable(group.key.as_posix(), error)]


def _build_safely(group: Group, identity: Identity, problems: list[Problem], functions: tuple[str, ...], mode: str) -> Submission:
    try:
        return _build(group, identity, problems, functions, mode)
    except Exception as error:
        return Submission(
            student_id=identity.student_id,
            path=group.path,
            chunks=(),
            problems=(*group.problems, *problems, _unreadable(group.key.as_posix(), error)),
            file_sha256=sha256_files((f.name, f.data) for f in group.files),
            source_sha256=sha256_text(""),
            mode=mode,
            files=tuple(f.path for f in group.files),
            student_name=identity.name,
        )


def _unreadable(shown: str, error: Exception) -> Problem:
    detail = str(error)
    detail = detail if len(detail) <= _MAX_DETAIL else detail[:_MAX_DETAIL] + "..."
    return Problem(
        kind="unreadable",
        message=f"{shown} could not be read: the grader failed on it ({type(error).__name__}: {detail}); "
        "expected to read every submission, so a person should look at this one",
        file=shown,
    )


def _fallback_id(group: Group) -> str:
    return group.key.name if group.is_folder else PurePosixPath(group.key.name).stem


def _identify(group: Group, id_pattern: str, manifest: Manifest | None, *, depth: int) -> tuple[Identity, list[Problem]]:
    """Who ``group`` belongs to, from where it sits in the input: its top-level name (or, for a
    file given alone, its name and its folder's). Never from names inside a student's upload:
    a student could name a file like another student's and be merged with them."""
    fallback = _fallback_id(group)
    shown = group.key.as_posix()
    if manifest is not None:
        student = manifest.lookup(group.key)
        for file in group.files if student is None and group.is_folder else ():
            student = manifest.lookup(group.key / file.name, exact=True)  # a row for this very file
            if student is not None:
                break
        if student is not None:
            return Identity(student, None, "manifest"), []
        return Identity(fallback, None, "file stem"), [
            Problem(kind="unknown_student", message=f"{shown} is not listed in manifest {manifest.path.name}; expected a row file,student for it (using {fallback!r})", file=shown)
        ]
    root = gradescope_root(group.path) if id_pattern in ("auto", "gradescope") else None
    if root is not None:
        return gradescope_identity(root), []
    if id_pattern == "gradescope":
        return Identity(fallback, None, "file stem"), [
            Problem(kind="unmatched_file_name", message=f"{shown} is not in an autograder/submission folder; expected Gradescope's layout (using {fallback!r})", file=shown)
        ]
    key = PurePosixPath(group.path.as_posix()) if depth else group.key
    identity = identity_from_path(key, id_pattern, depth=depth)
    if identity is not None:
        return identity, []
    if id_pattern == "auto":
        return Identity(fallback, None, "file stem"), []
    return Identity(fallback, None, "file stem"), [
        Problem(kind="unmatched_file_name", message=f"{shown} does not match id_pattern {id_pattern!r}; the student id falls back to {fallback!r}", file=shown)
    ]


def _merge(groups: list[Group]) -> Group:
    if len(groups) == 1:
        return groups[0]
    files = tuple(f for g in groups for f in g.files)
    problems = tuple(p for g in groups for p in g.problems)
    return Group(groups[0].path, groups[0].key, files, problems, is_folder=True)


def _build(group: Group, identity: Identity, problems: list[Problem], functions: tuple[str, ...], mode: str) -> Submission:
    problems = list(group.problems) + list(problems)
    extractions: list[Extraction] = []
    for file in group.files:
        notebook = load_notebook(file.data, file.name)
        problems.extend(notebook.problems)
        if not notebook.is_script:
            problems.extend(locked_cell_problems(notebook))
        extraction = extract_chunks(notebook, mode=mode)
        problems.extend(extraction.problems)
        extractions.append(extraction)
    shown = group.files[0].name if len(group.files) == 1 else group.key.as_posix()
    problems.extend(missing_functions(functions, extractions, file=shown))
    chunks = tuple(chunk for e in extractions for chunk in e.chunks)
    defined = {name: chunk.origin for chunk in chunks for name in chunk.names}
    source = "\n".join(chunk.source for chunk in chunks)
    return Submission(
        student_id=identity.student_id,
        path=group.path,
        chunks=chunks,
        problems=tuple(problems),
        file_sha256=sha256_files((f.name, f.data) for f in group.files),
        source_sha256=sha256_text(source),
        mode=mode,
        defined=defined,
        files=tuple(f.path for f in group.files),
        student_name=identity.name,
    )
