"""notebook/.py/folder/.zip → Submission: the entry points of ``grader.submission``."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path, PurePosixPath

from grader.result import Problem

from .archive import Group, collect, expand
from .choice import candidate, choose
from .extract import Extraction, extract_chunks, missing_functions
from .identity import (
    Identity,
    Manifest,
    compile_id_pattern,
    gradescope_identity,
    gradescope_root,
    identity_from_path,
    parse_time,
    read_manifest,
)
from .layout import base_name, without_copy_marks
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
    course_files: Iterable[str] = (),
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
        identity, problems = _identify_safely(group, id_pattern, None, depth=1)[0]
    return _build_safely(group, identity, problems, functions, mode, tuple(course_files))


class DuplicateStudent(ValueError):
    """Two submissions that the layout gives one student id, where nothing says they are one
    student's: the instructor must tell them apart (a manifest, or an id pattern)."""


def read_submissions(
    paths: str | Path | Iterable[str | Path],
    *,
    functions: Iterable[str] | None = None,
    id_pattern: str = "auto",
    manifest: str | Path | None = None,
    mode: str = "definitions",
    course_files: Iterable[str] = (),
    known: Mapping[str, str] | None = None,
) -> list[Submission]:
    """One submission per student from files, folders of submissions, or LMS exports.

    In a folder or zip, ``layout.find_level`` finds the level of the submissions (below any
    wrapper folders, recognising Canvas, Moodle, Blackboard, Gradescope exports and GitHub
    Classroom): each file there is a submission, each folder (or zip) one submission made of
    all its files. A Gradescope ``/autograder/submission`` folder is one submission.
    ``id_pattern="manifest"`` (or giving ``manifest``) takes ids from a CSV with columns
    ``file,student``. ``course_files``: names of files the course shipped (``public_tests.py``):
    not student code, not read. ``known``: resolved file path → student id from earlier results,
    so that regrading one file keeps the student it was graded for (unless a manifest or an
    explicit ``id_pattern`` says otherwise): names inside a student's own folder, graded alone,
    can never make it another student's.

    Files that an LMS or the manifest gives one id are one student's; two submissions whose ids
    are only guessed from names (a file stem, a folder name) and agree raise DuplicateStudent,
    listing both: students are never merged. Nothing one submission holds stops the others
    being read: whatever goes wrong while reading one, the grader's own failures included,
    becomes a problem of that submission.
    """
    functions = _function_names(functions)
    _check_mode(mode)
    kind, _ = compile_id_pattern(id_pattern)
    if kind == "manifest" and manifest is None:
        raise ValueError("id_pattern='manifest' needs manifest=<path of a CSV with columns file,student>; got manifest=None")
    table = read_manifest(manifest) if manifest is not None else None
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found: list[tuple[Group, Identity, list[Problem]]] = []
    loose: list[int] = []  # files given one by one: their folders may tell them apart
    for path in paths:
        path = Path(path)
        root = gradescope_root(path) if path.is_dir() and id_pattern in ("auto", "gradescope") else None
        groups = _groups(path, lambda: [collect(root)] if root is not None else expand(path, functions))
        single_file = path.is_file() and path.suffix.lower() != ".zip"  # its folder may name the student
        for group in groups:
            identities = _identify_safely(group, id_pattern, table, depth=1 if single_file else 0)
            for identity, problems in identities:
                if known and table is None and id_pattern == "auto" and len(identities) == 1:
                    identity = _earlier(group, identity, known)
                if single_file and not identity.from_lms:
                    loose.append(len(found))
                found.append((group, identity, problems))
    _tell_apart_by_folder(found, loose)
    by_student: dict[str, list[tuple[Group, Identity, list[Problem]]]] = {}
    for entry in found:
        by_student.setdefault(entry[1].student_id, []).append(entry)
    _refuse_guessed_duplicates(by_student)
    extensions = table.extensions if table is not None else {}
    return [_build_safely(_merge([g for g, _, _ in entries]), _one_identity(entries),
                          [p for _, _, ps in entries for p in ps], functions, mode, tuple(course_files),
                          extensions.get(student, 0.0))
            for student, entries in by_student.items()]


def _earlier(group: Group, identity: Identity, known: Mapping[str, str]) -> Identity:
    """The id an earlier result gave these very files, where they were all graded for one student."""
    ids = {known.get(str(Path(f.path).resolve())) for f in group.files} if group.files else {None}
    if len(ids) == 1 and None not in ids:
        return replace(identity, student_id=ids.pop(), source="earlier result")
    return identity


def _tell_apart_by_folder(found: list, loose: list[int]) -> None:
    """Files given one by one with one name (every student's ``hw3.ipynb``): named by their
    folders instead, where those differ."""
    by_id: dict[str, list[int]] = {}
    for index in loose:
        by_id.setdefault(found[index][1].student_id, []).append(index)
    for indices in by_id.values():
        folders = [found[i][0].path.parent.name for i in indices]
        if len(indices) > 1 and len(set(folders)) == len(folders) and all(folders):
            for i, folder in zip(indices, folders):
                group, identity, problems = found[i]
                found[i] = (group, replace(identity, student_id=folder, source="folder name"), problems)


def _refuse_guessed_duplicates(by_student: dict[str, list]) -> None:
    clashes = []
    for student, entries in sorted(by_student.items()):
        if len(entries) < 2 or all(identity.from_lms for _, identity, _ in entries):
            continue
        places = {(str(group.path.parent), base_name(group.key.name)) for group, _, _ in entries}
        if len(places) == 1:
            continue  # copies of one file in one folder (alice.ipynb, alice (1).ipynb): one student's
        shown = ", ".join(sorted(str(group.path) for group, _, _ in entries))
        clashes.append(f"{student!r}: {shown}")
    if clashes:
        raise DuplicateStudent(
            "two or more submissions would get the same student id, so they were not graded "
            "(students are never merged): " + "; ".join(clashes)
            + ". Expected one submission per student id: give --manifest CSV (columns file,student) "
            "or --id-pattern REGEX to name them, or grade them separately")


def _one_identity(entries: list) -> Identity:
    """One student's identity from several entries: the first, with the latest submission time."""
    identity = entries[0][1]
    times = [i.submitted_at for _, i, _ in entries if i.submitted_at is not None]
    if len(times) > 1:
        try:
            identity = replace(identity, submitted_at=max(times))
        except TypeError:  # naive and aware times mixed: keep the first
            pass
    return identity


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


def _identify_safely(group: Group, id_pattern: str, manifest: Manifest | None, *,
                     depth: int) -> list[tuple[Identity, list[Problem]]]:
    try:
        found = _identify(group, id_pattern, manifest, depth=depth)
    except Exception as error:
        found = [(Identity(_fallback_id(group), None, _fallback_source(group)), [_unreadable(group.key.as_posix(), error)])]
    return [(_with_timestamp(identity, group), problems) for identity, problems in found]


def _with_timestamp(identity: Identity, group: Group) -> Identity:
    """The submission time from ``timestamp.txt`` in the student's folder (nbgrader's record),
    where the LMS gave none."""
    text = group.metadata.get("timestamp.txt")
    if identity.submitted_at is not None or text is None:
        return identity
    line = text.decode("utf-8", "replace").strip().splitlines()[0] if text.strip() else ""
    moment = (parse_time(line) or parse_time(line.rsplit(" ", 1)[0])) if line else None
    return replace(identity, submitted_at=moment) if moment is not None else identity


def _build_safely(group: Group, identity: Identity, problems: list[Problem], functions: tuple[str, ...], mode: str,
                  course_files: tuple[str, ...] = (), extension_days: float = 0.0) -> Submission:
    try:
        return _build(group, identity, problems, functions, mode, course_files, extension_days)
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
            identity_source=identity.source,
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
    """A folder's name; a file's name without its suffix and copy marks (``alice (1).ipynb``)."""
    if group.is_folder:
        return group.key.name
    stem = PurePosixPath(group.key.name).stem
    return without_copy_marks(stem) or stem


def _fallback_source(group: Group) -> str:
    return "folder name" if group.is_folder else "file stem"


def _identify(group: Group, id_pattern: str, manifest: Manifest | None, *,
              depth: int) -> list[tuple[Identity, list[Problem]]]:
    """Who ``group`` belongs to, from where it sits in the input: its name at the submissions'
    level (or, for a file given alone, its name and its folder's), or the LMS's own record
    beside it. Never from names inside a student's upload: a student could name a file like
    another student's and be merged with them. Several identities: a group submission."""
    fallback = Identity(_fallback_id(group), None, _fallback_source(group))
    shown = group.key.as_posix()
    if manifest is not None:
        identity = manifest.identity(group.key) or manifest.identity(PurePosixPath(group.key.name))
        for file in group.files if identity is None and group.is_folder else ():
            identity = manifest.identity(group.key / file.name, exact=True)  # a row for this very file
            if identity is not None:
                break
        if identity is not None:
            return [(identity, [])]
        return [(fallback, [
            Problem(kind="unknown_student", message=f"{shown} is not listed in manifest {manifest.path.name}; expected a row file,student for it (using {fallback.student_id!r})", file=shown)
        ])]
    if group.identities and id_pattern in ("auto", "gradescope"):
        return [(identity, []) for identity in group.identities]
    root = gradescope_root(group.path) if id_pattern in ("auto", "gradescope") else None
    if root is not None:
        return [(gradescope_identity(root), [])]
    if id_pattern == "gradescope":
        return [(fallback, [
            Problem(kind="unmatched_file_name", message=f"{shown} is not in an autograder/submission folder; expected Gradescope's layout (using {fallback.student_id!r})", file=shown)
        ])]
    key = PurePosixPath(group.path.as_posix()) if depth else group.key
    identity = identity_from_path(key, id_pattern, depth=depth)
    if identity is not None:
        return [(identity, [])]
    if id_pattern == "auto":
        return [(fallback, [])]
    return [(fallback, [
        Problem(kind="unmatched_file_name", message=f"{shown} does not match id_pattern {id_pattern!r}; the student id falls back to {fallback.student_id!r}", file=shown)
    ])]


def _merge(groups: list[Group]) -> Group:
    if len(groups) == 1:
        return groups[0]
    files = tuple(f for g in groups for f in g.files)
    problems = tuple(p for g in groups for p in g.problems)
    metadata = {k: v for g in reversed(groups) for k, v in g.metadata.items()}  # the first group's wins
    return Group(groups[0].path, groups[0].key, files, problems, is_folder=True, metadata=metadata,
                 layout=groups[0].layout, input_problem=any(g.input_problem for g in groups))


def _build(group: Group, identity: Identity, problems: list[Problem], functions: tuple[str, ...], mode: str,
           course_files: tuple[str, ...] = (), extension_days: float = 0.0) -> Submission:
    problems = list(group.problems) + list(problems)
    shipped = {name.lower() for name in course_files}
    files = [f for f in group.files if PurePosixPath(f.name).name.lower() not in shipped]
    shown = files[0].name if len(files) == 1 else group.key.as_posix()
    read: list[tuple[object, Extraction]] = []
    readable = False
    for file in files:
        notebook = load_notebook(file.data, file.name)
        problems.extend(notebook.problems)
        if notebook.cells or not any(p.kind in _UNREADABLE_NOTEBOOK for p in notebook.problems):
            readable = True
        if not notebook.is_script:
            problems.extend(locked_cell_problems(notebook))
        extraction = extract_chunks(notebook, mode=mode)
        problems.extend(extraction.problems)
        read.append((file, extraction))
    choice = choose([candidate(f.name, f.mtime, e.chunks, functions) for f, e in read], shown=shown)
    kept = [(f, e) for f, e in read if f.name in choice.kept]
    if choice.problem is not None:
        problems.append(choice.problem)
    gradable = readable and bool(files)
    if gradable:
        problems.extend(missing_functions(functions, [e for _, e in kept], file=shown))
    elif not any(p.kind in _UNGRADABLE_KINDS for p in problems):
        problems.append(_nothing_gradeable_problem(group, shown))
    chunks = tuple(chunk for _, e in kept for chunk in e.chunks)
    defined = {name: chunk.origin for chunk in chunks for name in chunk.names}
    source = "\n".join(chunk.source for chunk in chunks)
    return Submission(
        student_id=identity.student_id,
        path=group.path,
        chunks=chunks,
        problems=tuple(problems),
        file_sha256=sha256_files((f.name, f.data) for f in files),
        source_sha256=sha256_text(source),
        mode=mode,
        defined=defined,
        files=tuple(f.path for f in files),
        student_name=identity.name,
        ignored=tuple(f.path for f, _ in read if f.name in choice.ignored),
        gradable=gradable,
        input_problem=group.input_problem,
        submitted_at=identity.submitted_at,
        due=identity.due,
        extension_days=extension_days,
        identity_source=identity.source,
        layout=_layout(group),
    )


_UNREADABLE_NOTEBOOK = ("invalid_notebook", "not_utf8")
# Problems that say why nothing could be read (so no second "nothing to grade" is added).
_UNGRADABLE_KINDS = frozenset({"unreadable", "invalid_notebook", "invalid_archive", "file_too_large",
                               "archive_too_large", "no_gradeable_files", "not_utf8"})


def _layout(group: Group) -> str:
    """How the input was read, for the instructor: the layout, and the wrapper folders above it."""
    wrappers = group.key.parent.as_posix()
    where = f" inside {wrappers}/" if wrappers not in (".", "") else ""
    return f"{group.layout or 'one submission'}{where}"


def _nothing_gradeable_problem(group: Group, shown: str) -> Problem:
    return Problem(kind="no_gradeable_files",
                   message=f"{shown} holds no .ipynb or .py file the grader could read; expected the student's notebook",
                   file=shown)
