"""The grading pipeline, declared in one place.

    notebook ──read──▶ Submission ──sandbox──▶ worker ──checks──▶ outcomes ──score──▶ StudentResult ──reports

``grade_submission`` runs the steps for one submission; ``grade_batch`` runs them for many, in
parallel grader processes, writing each student's files as soon as they are graded so that an
interrupted run loses no finished result, and skipping submissions already graded with the
same file hash and rubric.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import json
import multiprocessing
import os
import platform
import re
import time
import traceback
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable, Sequence

from grader.checks import CheckSuite, load_checks, run_checks
from grader.reports import write_batch_reports, write_student_reports
from grader.reports.student import FIGURE_FOLDERS, remove_stale_figures
from grader.result import UNGRADABLE, CheckOutcome, Problem, Status, StudentResult
from grader.rubric import Rubric, load_rubric
from grader.sandbox import Budget, Limits, Pool, Sandbox
from grader.sandbox.backends import gpu_devices
from grader.sandbox.gpu import configured_slots
from grader.score import score_submission
from grader.submission import Submission, read_submission, read_submissions

STEPS = (
    ("read", "grader.submission: notebook, .py, folder or zip → Submission"),
    ("run", "grader.sandbox: the submission's code in an isolated worker process"),
    ("check", "grader.checks: the assignment's checks against reference/, mistakes named"),
    ("score", "grader.score: outcomes → points by the rubric, late policy"),
    ("report", "grader.reports: result.json, feedback.md/.html, grades.csv, JUnit, summary"),
)

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Assignment:
    """Everything the grader needs for one assignment, loaded once in the grader process."""

    rubric: Rubric
    suite: CheckSuite

    @classmethod
    def load(cls, rubric_path: str | Path) -> "Assignment":
        rubric = load_rubric(rubric_path)
        suite = load_checks(rubric.assignment.checks_path)
        suite.require([check for item in rubric.items for check in item.checks])
        return cls(rubric, suite)

    @property
    def uses_gpu(self) -> bool:
        """The rubric lets its checks use a GPU (``options.device``: auto or cuda) and this machine
        has one: workers then see the NVIDIA device nodes and have no address-space limit."""
        return str(self.rubric.options.get("device", "cpu")) in ("auto", "cuda") and bool(gpu_devices())

    @property
    def limits(self) -> Limits:
        lim = self.rubric.limits
        return Limits(call_timeout_s=lim.call_timeout_s, memory_mb=lim.memory_mb,
                      load_timeout_s=lim.load_timeout_s, cpu_s=lim.cpu_s,
                      submission_timeout_s=lim.submission_timeout_s, gpu=self.uses_gpu)

    def private_paths(self, *others: str | Path) -> tuple[str, ...]:
        """Folders the student's code must not see: the rubric's and the checks', and ``others``
        (submissions, outputs): the folders they are named from and, through any symbolic link, the
        folders they really are in. Workers see neither, even inside a folder they are shown."""
        rubric = self.rubric
        folders = set()
        data = self.suite.worker_hidden(rubric.options, rubric.path.parent) if self.suite.worker_hidden else ()
        for path in (rubric.path, rubric.assignment.checks_path, *data, *others):
            for where in {Path(path).absolute(), Path(path).resolve()}:
                folders.add(where if where.is_dir() or not where.exists() else where.parent)
        found = {str(f.resolve()) for f in folders} | {str(f) for f in folders}
        return tuple(sorted(p for p in found if p != "/"))

    def pool(self, python: str | None = None, *others: str | Path) -> Pool:
        """A sandbox pool that hides this assignment's private folders and ``others``."""
        return Pool(python=python, hidden_paths=self.private_paths(*others), preload=self.rubric.preload,
                    gpu=self.uses_gpu)


def find_rubric(assignment: str, search: Sequence[Path] = ()) -> Path:
    """``rubrics/<assignment>.yaml`` in the working directory, the given folders or this repo."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", assignment):
        raise ValueError(f"assignment must be a name like conv_arithmetic, got {assignment!r}")
    places = [Path.cwd() / "rubrics", *map(Path, search), REPO_ROOT / "rubrics"]
    for folder in places:
        candidate = folder / f"{assignment}.yaml"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"no rubric for assignment {assignment!r}: looked for {assignment}.yaml in "
        + ", ".join(str(p) for p in places)
    )


# -- one submission -----------------------------------------------------------------------


def grade_submission(
    submission: Submission,
    assignment: Assignment,
    *,
    pool: Pool | None = None,
    python: str | None = None,
    only: Sequence[str] | None = None,
    submitted_at: datetime | None = None,
    due: datetime | None = None,
) -> StudentResult:
    """Run the submission in a sandbox, check it, score it. Never raises for student faults.

    ``submitted_at`` and ``due`` (the student's own due date) override what the submission's
    LMS record says; the late policy is the rubric's."""
    rubric = assignment.rubric
    if not submission.gradable:
        return ungradable_result(submission, assignment, python=python, only=only)
    late = lateness(submission, rubric, submitted_at=submitted_at, due=due)
    began = time.perf_counter()
    timings: dict[str, float] = {}
    problems: list[Problem] = list(submission.problems)
    isolation = "none (not run)"
    visibility = check_visibility(rubric)
    try:
        with contextlib.ExitStack() as stack:
            boxes: dict[str, Sandbox] = {}
            # One budget for the whole submission: time, reply bytes, and its cgroup (memory,
            # processes, CPU weight) are shared by its workers of every visibility.
            budget = stack.enter_context(Budget(assignment.limits))
            # A submission whose checks may use a GPU holds one slot of it while it is graded.
            slots = configured_slots() if assignment.uses_gpu else None
            gpu = stack.enter_context(slots.slot(assignment.limits.submission_timeout_s)) if slots else None

            def box_for(check_id: str) -> Sandbox:
                """One worker per visibility: what a held-back check sends the student's code
                can never come out in a visible check's feedback."""
                kind = visibility.get(check_id, "hidden")
                if kind not in boxes:
                    boxes[kind] = stack.enter_context(Sandbox(
                        submission.chunks, limits=assignment.limits, banned_apis=rubric.banned_apis,
                        python=python, pool=pool, seed=rubric.seed, budget=budget,
                        harness=assignment.suite.harness, gpu=gpu))
                return boxes[kind]

            box = box_for(next(iter(visibility), ""))
            isolation = box.isolation
            load = box.start()
            timings["load_s"] = round(load.duration_s, 6)
            problems.extend(p for p in load.problems if p not in problems)
            started = time.perf_counter()
            outcomes = run_checks(assignment.suite, box, seed=rubric.seed, only=only, student_for=box_for,
                                  tolerances=rubric.tolerances, options=rubric.options,
                                  files=submission_files(submission), rubric_dir=rubric.path.parent)
            timings["checks_s"] = round(time.perf_counter() - started, 6)
    except Exception as exc:  # the grader's own failure: flagged for a person, not a zero
        outcomes = _all_errored(assignment, only, exc)
    timings["total_s"] = round(time.perf_counter() - began, 6)
    rubric_view = _restricted(rubric, only)
    return score_submission(
        rubric_view,
        outcomes,
        student_id=submission.student_id,
        files=[str(f) for f in (submission.files or (submission.path,))],
        problems=problems,
        submitted_at=late.get("submitted_at_time"),
        due=late.get("due_time"),
        provenance=provenance(submission, rubric, isolation=isolation, timings=timings, python=python, late=late),
    )


def submission_files(submission: Submission, limit: int = 1000) -> tuple[Path, ...]:
    """What checks may read beside the code (``options.submission_files``): a folder
    submission's own regular files (a weights file beside the notebook), never through a
    symbolic link nor out of the folder; a single file alone."""
    path = Path(submission.path)
    if not path.is_dir():
        return tuple(Path(f) for f in (submission.files or (path,)))
    root = path.resolve()
    found = []
    for candidate in sorted(path.rglob("*")):
        if candidate.is_symlink() or not candidate.is_file() or not candidate.resolve().is_relative_to(root):
            continue
        found.append(candidate)
        if len(found) >= limit:
            break
    return tuple(found)


def lateness(submission: Submission, rubric: Rubric, *, submitted_at: datetime | None = None,
             due: datetime | None = None) -> dict:
    """When it was submitted and due, for the late policy: the caller's values (Gradescope's
    metadata), else the submission's record (LMS export, manifest, timestamp.txt), the
    student's own due date, else the rubric's plus the student's extension. A time without a
    zone is in the due date's zone. Keys ``*_time`` are datetimes; the rest goes in provenance."""
    policy = rubric.late_policy
    if policy is None:
        return {}
    moment = submitted_at or submission.submitted_at
    own = due or submission.due
    deadline = own or policy.due + timedelta(days=submission.extension_days)
    if moment is None:
        return {"applied": False, "reason": "no submission time recorded (LMS export, manifest submitted_at "
                "column, or timestamp.txt)", "due": deadline.isoformat()}
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=deadline.tzinfo)
    if deadline.tzinfo is None or deadline.utcoffset() is None:
        deadline = deadline.replace(tzinfo=policy.due.tzinfo)
    return {"applied": True, "submitted_at": moment.isoformat(), "due": deadline.isoformat(),
            "extension_days": submission.extension_days, "submitted_at_time": moment, "due_time": deadline}


def ungradable_result(submission: Submission, assignment: Assignment, *, python: str | None = None,
                      only: Sequence[str] | None = None) -> StudentResult:
    """No file of the submission could be read: nothing ran. Every item is skipped and the
    status says so; the reason is the submission's own problems."""
    rubric = _restricted(assignment.rubric, only)
    reason = "not graded: the submission could not be read (see the problems above)"
    outcomes = {cid: CheckOutcome(cid, Status.SKIPPED, message=reason)
                for item in rubric.items for cid in item.checks}
    result = score_submission(
        rubric, outcomes, student_id=submission.student_id,
        files=[str(f) for f in (submission.files or (submission.path,))], problems=list(submission.problems),
        provenance=provenance(submission, rubric, isolation="none (not run)", timings={}, python=python),
        status=UNGRADABLE)
    items = tuple(replace(item, feedback="Not graded: your submission could not be read; see the problems above.")
                  for item in result.items)
    return replace(result, items=items)


_MOST_VISIBLE_FIRST = ("visible", "after_published", "after_due_date", "hidden")


def check_visibility(rubric: Rubric) -> dict[str, str]:
    """check id -> how visible its results are: the most visible item it counts for, so a check
    shared by a visible and a hidden item is visible (its inputs are shown anyway). Visible
    checks come first."""
    found: dict[str, str] = {}
    for item in rubric.items:
        for check_id in item.checks:
            known = found.get(check_id, "hidden")
            rank = min(_MOST_VISIBLE_FIRST.index(known), _MOST_VISIBLE_FIRST.index(item.visibility))
            found[check_id] = _MOST_VISIBLE_FIRST[rank]
    return dict(sorted(found.items(), key=lambda kv: _MOST_VISIBLE_FIRST.index(kv[1])))


def _all_errored(assignment: Assignment, only, error: BaseException) -> dict[str, CheckOutcome]:
    message = f"the grader failed before this check could run ({type(error).__name__}); a person will review it"
    detail = "".join(traceback.format_exception(error)).rstrip()
    ids = only if only is not None else assignment.suite.ids
    return {cid: CheckOutcome(cid, Status.ERRORED, message=message, detail=detail) for cid in ids}


def grader_failure(submission: Submission, assignment: Assignment, error: BaseException, *,
                   python: str | None = None) -> StudentResult:
    """The result of a submission the grader itself could not grade: every check errored
    (flagged for a person, never a zero), the student's own problems kept."""
    return score_submission(
        assignment.rubric, _all_errored(assignment, None, error), student_id=submission.student_id,
        files=[str(f) for f in (submission.files or (submission.path,))], problems=list(submission.problems),
        provenance=provenance(submission, assignment.rubric, isolation="none (not run)", timings={}, python=python),
    )


def grade_guarded(submission: Submission, assignment: Assignment, **options) -> StudentResult:
    """``grade_submission`` that never raises: anything unexpected is this submission's grader failure."""
    try:
        return grade_submission(submission, assignment, **options)
    except Exception as exc:
        return grader_failure(submission, assignment, exc, python=options.get("python"))


def _restricted(rubric: Rubric, only: Sequence[str] | None) -> Rubric:
    """The rubric limited to the visible items whose checks were all run (the self-check's
    view: a hidden item whose checks are all shared with visible ones is still not shown)."""
    if only is None:
        return rubric
    ran = set(only)
    kept = [i for i in rubric.items if set(i.checks) <= ran and i.visibility == "visible"]
    while True:  # an item whose prerequisite item was dropped cannot be scored either
        ids = {i.id for i in kept}
        still = [i for i in kept if set(i.depends_on) <= ids]
        if len(still) == len(kept):
            return replace(rubric, items=tuple(kept))
        kept = still


def provenance(submission: Submission, rubric: Rubric, *, isolation: str, timings: dict,
               python: str | None, late: dict | None = None) -> dict:
    """Everything needed to reproduce a result: what was graded, with what, how isolated; who
    it is (which rule gave the id, the files it came from, files not graded) and how late."""
    return {
        "identity": submission.identity_source or "given",
        "layout": submission.layout,
        "sources": [_resolved(f) for f in (submission.files or (submission.path,))],
        "not_graded": [str(f) for f in submission.ignored],
        "late": {k: v for k, v in (late or {}).items() if not k.endswith("_time")},
        "file_sha256": submission.file_sha256,
        "source_sha256": submission.source_sha256,
        "rubric": str(rubric.path.name),
        "rubric_fingerprint": rubric.fingerprint,
        "assignment": rubric.assignment.id,
        "seed": rubric.seed,
        "execution": submission.mode,
        "isolation": isolation,
        "worker_python": python or "default",
        "versions": _versions(),
        "timings": timings,
    }


def _resolved(path: Path) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return str(path)


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for dist in ("cnngrade", "numpy", "torch", "hypothesis", "nbformat"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "not installed"
    return found


# -- a batch ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchOutcome:
    results: tuple[StudentResult, ...]
    graded: int  # graded in this run
    reused: int  # skipped: already graded with the same file hash and rubric
    interrupted: bool = False
    unreadable_inputs: tuple[str, ...] = ()  # inputs (a class zip) that could not be read at all
    gradebook: int = 0  # rows in the gradebook rebuilt from the output folder


_PLAIN_ID = re.compile(r"[a-z0-9_@-][a-z0-9_.@-]{0,99}")


def student_dir(out_dir: Path, student_id: str) -> Path:
    """A per-student folder whose name cannot escape ``out_dir`` and is never another id's.

    An id of lower-case letters, digits and ``_.@-`` (not starting with ".") is its own name.
    Any other id (``alice~2``, ``Zoë``, ``Alice`` beside ``alice`` on a case-insensitive disk)
    becomes a readable stem, ``~`` and a hash of the exact id: ``~`` never occurs in a plain
    name, so the two kinds cannot meet, and two different ids differ in the hash.
    """
    if _PLAIN_ID.fullmatch(student_id):
        return out_dir / "students" / student_id
    stem = re.sub(r"[^a-z0-9_.@-]", "_", student_id.lower())[:40].lstrip(".") or "_"
    digest = hashlib.sha256(student_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return out_dir / "students" / f"{stem}~{digest}"


def previous_result(out_dir: Path, submission: Submission, rubric: Rubric) -> StudentResult | None:
    """The stored result if it was graded from the same file with the same rubric."""
    path = student_dir(out_dir, submission.student_id) / "result.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        result = StudentResult.from_dict(data)
    except (OSError, ValueError, TypeError, KeyError):
        return None
    prov = result.provenance
    if (result.student_id == submission.student_id
            and not result.errored  # the grader's own failure: worth another try
            and prov.get("file_sha256") == submission.file_sha256
            and prov.get("rubric_fingerprint") == rubric.fingerprint):
        return result
    return None


class NoSubmissions(ValueError):
    """The input holds nothing to grade: a wrong path, or an export with no notebooks."""


def stored_results(out_dir: Path) -> dict[str, StudentResult]:
    """Every readable result.json under ``out_dir/students``, by student id: the gradebook."""
    found: dict[str, StudentResult] = {}
    for path in sorted((Path(out_dir) / "students").glob("*/result.json")):
        try:
            result = StudentResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            continue
        if path.parent == student_dir(Path(out_dir), result.student_id):  # not a stray copy
            found[result.student_id] = result
    return found


def rebuild_reports(out_dir: str | Path, rubric: Rubric | None = None) -> tuple[StudentResult, ...]:
    """grades.csv, junit.xml and the summary from every result in ``out_dir``: the gradebook is
    the output folder, not the last command. Columns: the rubric's items, or (without one) the
    items the results hold, in their order."""
    out_dir = Path(out_dir)
    results = tuple(sorted(stored_results(out_dir).values(), key=lambda r: r.student_id))
    columns = rubric if rubric is not None else _columns_of(results)
    write_batch_reports(results, columns, out_dir)
    return results


def _of_assignment(results: dict[str, StudentResult], rubric: Rubric) -> dict[str, StudentResult]:
    return {k: r for k, r in results.items() if r.provenance.get("assignment", rubric.assignment.id) == rubric.assignment.id}


def _columns_of(results: Sequence[StudentResult]) -> list[tuple[str, str, float]]:
    columns: dict[str, tuple[str, str, float]] = {}
    for result in results:
        for item in result.items:
            columns.setdefault(item.item_id, (item.item_id, item.title, item.max_points))
    return list(columns.values())


def grade_batch(
    paths: Sequence[str | Path],
    assignment: Assignment,
    out_dir: str | Path,
    *,
    jobs: int = 1,
    id_pattern: str = "auto",
    manifest: str | Path | None = None,
    python: str | None = None,
    progress: Callable[[int, int, StudentResult, bool], None] | None = None,
    pool: Pool | None = None,
    reveal: Iterable[str] = (),
) -> BatchOutcome:
    """Grade every submission under ``paths``; write per-student and batch reports to ``out_dir``.

    ``pool``: a warm sandbox pool to reuse (``jobs`` = 1 only; each parallel grader process
    keeps its own). ``reveal``: the not-yet-visible kinds of item (``after_due_date``,
    ``after_published``) to show in the students' feedback; hidden items are never shown there.
    """
    out_dir = Path(out_dir)
    rubric = assignment.rubric
    earlier = _of_assignment(stored_results(out_dir), rubric)
    known = {source: r.student_id for r in earlier.values() for source in r.provenance.get("sources", ())
             if isinstance(source, str)}
    submissions = read_submissions(
        [Path(p) for p in paths], functions=list(rubric.functions), id_pattern=id_pattern,
        manifest=manifest, mode=rubric.execution, course_files=rubric.course_files, known=known,
    )
    if not submissions:
        raise NoSubmissions(f"no submissions found in {', '.join(str(p) for p in paths)}; expected notebooks "
                            "(.ipynb) or .py files, or folders or zips holding them")
    results: dict[str, StudentResult] = {}
    todo: list[Submission] = []
    for sub in submissions:
        old = previous_result(out_dir, sub, rubric)
        if old is not None:
            results[sub.student_id] = old
        else:
            todo.append(sub)
    reused = len(results)
    total = len(submissions)
    done = 0
    for result in results.values():
        done += 1
        if progress:
            progress(done, total, result, True)

    by_id = {sub.student_id: sub for sub in todo}

    def finish(result: StudentResult) -> None:
        nonlocal done
        try:
            _write_student_files(result, student_dir(out_dir, result.student_id), frozenset(reveal))
        except Exception as exc:  # the files of this one student; the others are still written
            result = grader_failure(by_id[result.student_id], assignment, exc, python=python)
            with contextlib.suppress(Exception):
                _write_student_files(result, student_dir(out_dir, result.student_id), frozenset(reveal))
        results[result.student_id] = result
        done += 1
        if progress:
            progress(done, total, result, False)

    interrupted = False
    try:
        if jobs <= 1 or len(todo) <= 1:
            with contextlib.ExitStack() as stack:
                if pool is None:  # a pool the caller passes stays warm for its next batch
                    pool = stack.enter_context(assignment.pool(python, out_dir, *paths))
                for sub in todo:
                    finish(grade_guarded(sub, assignment, pool=pool, python=python))
        else:
            _grade_in_parallel(todo, assignment, python, jobs, finish,
                               hidden=assignment.private_paths(out_dir, *paths))
    except KeyboardInterrupt:
        interrupted = True
    ordered = tuple(results[k] for k in sorted(results))
    gradebook = {**earlier, **results}  # a regrade updates its rows only
    write_batch_reports([gradebook[k] for k in sorted(gradebook)], rubric, out_dir)
    unreadable = tuple(str(s.path) for s in submissions if s.input_problem)
    return BatchOutcome(ordered, graded=len(ordered) - reused, reused=reused, interrupted=interrupted,
                        unreadable_inputs=unreadable, gradebook=len(gradebook))


def _write_student_files(result: StudentResult, folder: Path, reveal: frozenset[str] = frozenset()) -> None:
    """Write the student's files beside ``folder``, then move them in, ``result.json`` last.

    A result.json is what a re-run reuses, so it must never be half-written, nor present
    while its feedback is missing (an interrupt can land between two writes).
    """
    staging = folder.parent / f".{folder.name}.writing"  # student folders never start with "."
    written = write_student_reports(result, staging, reveal=reveal)
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_figures(folder, written)
    for name in sorted(written, key=lambda n: n == "result.json"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(written[name], folder / name)
    for sub in FIGURE_FOLDERS:
        if (staging / sub).is_dir():
            (staging / sub).rmdir()
    staging.rmdir()


def _grade_in_parallel(todo: Sequence[Submission], assignment: Assignment, python: str | None, jobs: int,
                       finish: Callable[[StudentResult], None], *, hidden: tuple[str, ...]) -> None:
    ctx = multiprocessing.get_context("spawn")
    executor = concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=_init_worker,
        initargs=(str(assignment.rubric.path), python, hidden),
    )
    try:
        futures = {executor.submit(_grade_in_worker, sub): sub for sub in todo}
        for future in concurrent.futures.as_completed(futures):
            try:
                result = StudentResult.from_dict(future.result())
            except Exception as exc:  # a grader process died or failed: this submission's grader failure
                result = grader_failure(futures[future], assignment, exc, python=python)
            finish(result)
    finally:
        # On Ctrl-C, start nothing new (a `with` block would first run the whole queue, then
        # drop it). What is in flight is not kept: Ctrl-C also reaches the sandbox workers, so
        # those results may be the interrupt's doing; the next run grades them again.
        executor.shutdown(wait=True, cancel_futures=True)


# Per grader-process state for --jobs > 1: each grader process loads the assignment once and
# keeps its own warm sandbox pool. Module-level because ProcessPoolExecutor initializers can
# only hand state to later tasks this way; it lives only in those child processes.
_WORKER: dict = {}


def _init_worker(rubric_path: str, python: str | None, hidden: tuple[str, ...]) -> None:
    os.environ.setdefault("PYTHONHASHSEED", "0")
    _WORKER["assignment"] = Assignment.load(rubric_path)
    _WORKER["python"] = python
    _WORKER["pool"] = Pool(python=python, hidden_paths=hidden, preload=_WORKER["assignment"].rubric.preload,
                           gpu=_WORKER["assignment"].uses_gpu)


def _grade_in_worker(submission: Submission) -> dict:
    result = grade_guarded(submission, _WORKER["assignment"], pool=_WORKER["pool"],
                              python=_WORKER["python"])
    return result.to_dict()


def grade_path(path: str | Path, assignment: Assignment, *, only: Sequence[str] | None = None,
               python: str | None = None, student_id: str | None = None) -> StudentResult:
    """Grade one notebook or file (the self-check and Gradescope use this)."""
    sub = read_submission(Path(path), functions=list(assignment.rubric.functions),
                          student_id=student_id, mode=assignment.rubric.execution,
                          course_files=assignment.rubric.course_files)
    with assignment.pool(python, path) as pool:
        return grade_guarded(sub, assignment, pool=pool, python=python, only=only)
