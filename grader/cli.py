"""The ``cnngrade`` command line: grade, report, check, validate, gradescope.

Exit codes: 0 done (for ``check``: every visible item passed); 1 ``check`` found failing items,
or ``validate`` found problems; 2 bad usage or unreadable input (for ``grade``: no submissions,
an input that could not be read at all, submissions that would share a student id, or nothing
gradable; for ``check``: a notebook that could not be read); 3 some result needs a person (the
grader itself failed on a check); 130 interrupted (finished results are kept).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Sequence

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NEEDS_PERSON, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

GRADESCOPE_SUBMISSION = "/autograder/submission"
GRADESCOPE_METADATA = "/autograder/submission_metadata.json"
GRADESCOPE_RESULTS = "/autograder/results/results.json"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("interrupted; finished results are kept", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (FileNotFoundError, ValueError) as exc:
        say(f"cnngrade {args.command}: {exc}", sys.stderr)
        return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnngrade",
        description="Grade student CNN notebooks against the reference, safely and reproducibly.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    grade = sub.add_parser("grade", help="grade a batch of submissions",
                           description="Grade notebooks, .py files, folders or LMS zips; write "
                                       "per-student feedback (students/ID/feedback.md|html for the "
                                       "student, instructor.md, result.json) and grades.csv, junit.xml "
                                       "and summary.md under --out.")
    grade.add_argument("paths", nargs="+", metavar="PATH", help="notebooks, .py files, folders or .zip files")
    _assignment_options(grade)
    grade.add_argument("--out", required=True, metavar="DIR", help="where results are written")
    grade.add_argument("--jobs", type=_positive_int, default=1, metavar="N",
                       help="grader processes in parallel (default 1)")
    grade.add_argument("--id-pattern", default="auto", metavar="PATTERN",
                       help="how file names give student ids: auto, canvas, moodle, blackboard, gradescope, "
                            "or a regex with a named group (?P<student>...) (default auto)")
    grade.add_argument("--manifest", metavar="CSV",
                       help="a CSV with columns file,student (and optionally submitted_at, due, extension_days)")
    grade.add_argument("--reveal", action="append", default=[], choices=["after_due_date", "after_published"],
                       help="also show items of this visibility in the students' feedback (repeatable); "
                            "hidden items are only ever in instructor.md and result.json")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    grade.add_argument("--gpus", metavar="IDS",
                       help="GPUs a training check may use, e.g. 0,1 (default every GPU of the machine; "
                            "used only when the rubric's options.device is auto or cuda)")
    grade.add_argument("--gpu-jobs", type=_positive_int, default=None, metavar="N",
                       help="submissions graded on one GPU at a time, across every --jobs process (default 1)")
    grade.set_defaults(run=run_grade)

    report = sub.add_parser("report", help="rebuild grades.csv, junit.xml and the summary from an output folder",
                            description="Rebuild grades.csv, junit.xml, summary.md and summary.json from every "
                                        "students/*/result.json in OUT (grade does this after every run).")
    report.add_argument("out", metavar="OUT", help="an output folder written by cnngrade grade")
    group = report.add_mutually_exclusive_group()
    group.add_argument("--assignment", metavar="NAME", help="take the columns from rubrics/NAME.yaml")
    group.add_argument("--rubric", metavar="FILE", help="take the columns from this rubric")
    report.set_defaults(run=run_report)

    check = sub.add_parser("check", help="a student's self-check of one notebook (visible items only)",
                           description="Run the visible checks on one notebook and print what passed. "
                                       "Exit 0 when every visible item passes, 1 otherwise. "
                                       "Under GitHub Actions (GITHUB_ACTIONS=true) it also prints "
                                       "annotations and appends a job summary.")
    check.add_argument("notebook", metavar="NOTEBOOK")
    _assignment_options(check, required=False)
    check.add_argument("--function", action="append", metavar="NAME",
                       help="only the items of this graded function (repeatable)")
    check.add_argument("--junit", metavar="FILE", help="also write the result as JUnit XML (for CI)")
    check.set_defaults(run=run_check)

    validate = sub.add_parser("validate", help="check a rubric file and report every problem",
                              description="Report every problem in a rubric with file, line and key path.")
    validate.add_argument("rubric", metavar="RUBRIC")
    validate.set_defaults(run=run_validate)

    gradescope = sub.add_parser("gradescope", help="entry point for Gradescope's run_autograder",
                                description="Grade /autograder/submission and write "
                                            "/autograder/results/results.json.")
    _assignment_options(gradescope)
    gradescope.add_argument("--submission", default=GRADESCOPE_SUBMISSION, metavar="DIR")
    gradescope.add_argument("--metadata", default=GRADESCOPE_METADATA, metavar="JSON")
    gradescope.add_argument("--results", default=GRADESCOPE_RESULTS, metavar="JSON")
    gradescope.set_defaults(run=run_gradescope)
    return parser


def _assignment_options(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    help_text = "e.g. conv_arithmetic (uses rubrics/NAME.yaml)"
    if not required:
        help_text += "; default: the assignment the notebook's metadata names (our templates do)"
    group.add_argument("--assignment", metavar="NAME", help=help_text)
    group.add_argument("--rubric", metavar="FILE", help="a rubric YAML file")
    parser.add_argument("--python", metavar="PATH",
                        help="run student code under this interpreter (e.g. an old venv's bin/python)")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def _load_assignment(args):
    from grader.pipeline import Assignment, find_rubric
    from grader.rubric import RubricInvalid

    path = Path(args.rubric) if args.rubric else find_rubric(args.assignment)
    try:
        return Assignment.load(path)
    except RubricInvalid as exc:
        raise ValueError(f"the rubric has problems:\n{exc}") from None


# -- grade --------------------------------------------------------------------------------


def run_grade(args) -> int:
    from grader.pipeline import grade_batch

    # GPU slots are shared through the environment by every grader process (grader.sandbox.gpu)
    if args.gpus is not None:
        os.environ["CNNGRADE_GPUS"] = args.gpus
    if args.gpu_jobs is not None:
        os.environ["CNNGRADE_GPU_JOBS"] = str(args.gpu_jobs)
    if args.gpus is not None:
        from grader.sandbox.gpu import configured_slots

        try:
            configured_slots()
        except ValueError as exc:
            raise ValueError(f"--gpus {args.gpus}: {exc}") from None
    assignment = _load_assignment(args)
    _writable_folder(Path(args.out), "--out")
    show = not args.no_progress and not os.environ.get("CI")
    bar = ProgressBar(sys.stderr, enabled=show)
    began = time.perf_counter()
    outcome = grade_batch(args.paths, assignment, args.out, jobs=args.jobs, id_pattern=args.id_pattern,
                          manifest=args.manifest, python=args.python, progress=bar.update,
                          reveal=args.reveal)
    bar.close()
    out = Path(args.out)
    say(f"graded {outcome.graded}, reused {outcome.reused} already graded, "
        f"in {time.perf_counter() - began:.1f} s → {out / 'grades.csv'} ({outcome.gradebook} students)")
    summary = out / "summary.md"
    if summary.exists():
        say(summary.read_text(encoding="utf-8"))
    if outcome.interrupted:
        return EXIT_INTERRUPTED
    if outcome.unreadable_inputs:
        say("cnngrade grade: could not read " + ", ".join(outcome.unreadable_inputs)
            + " at all (see summary.md); the other submissions were graded", sys.stderr)
        return EXIT_USAGE
    if outcome.results and all(r.status == "ungradable" for r in outcome.results):
        say("cnngrade grade: no submission could be read (see summary.md); expected notebooks or .py files",
            sys.stderr)
        return EXIT_USAGE
    return EXIT_NEEDS_PERSON if any(r.errored for r in outcome.results) else EXIT_OK


def _writable_folder(path: Path, option: str) -> None:
    """Make ``path`` (and its parents) and check that files can be written in it, before any
    grading: a bad output folder is a usage error, not a traceback after the work."""
    if path.exists() and not path.is_dir():
        raise ValueError(f"{option} {path} is a file; expected a folder (it is made if missing)")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".cnngrade-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ValueError(f"cannot write in {option} {path} ({exc.strerror or exc}); expected a folder "
                         "this user may write") from None


# -- report -------------------------------------------------------------------------------


def run_report(args) -> int:
    from grader.pipeline import rebuild_reports

    out = Path(args.out)
    if not (out / "students").is_dir():
        raise ValueError(f"{out} holds no students/ folder; expected an output folder of cnngrade grade")
    rubric = _load_assignment(args).rubric if (args.assignment or args.rubric) else None
    _writable_folder(out, "OUT")
    results = rebuild_reports(out, rubric)
    say(f"rebuilt from {len(results)} results → {out / 'grades.csv'}")
    return EXIT_NEEDS_PERSON if any(r.errored for r in results) else EXIT_OK


class ProgressBar:
    """A one-line progress bar on a terminal; one line per submission elsewhere."""

    def __init__(self, stream, *, enabled: bool):
        self.stream = stream
        self.enabled = enabled
        self.tty = enabled and stream.isatty()

    def update(self, done: int, total: int, result, reused: bool) -> None:
        if not self.enabled:
            return
        width = 24
        filled = width * done // max(total, 1)
        note = "reused" if reused else f"{result.score:g}/{result.max_score:g}"
        bar = f"[{'#' * filled}{'.' * (width - filled)}]"
        line = f"{bar} {done}/{total} {one_line(result.student_id)} ({note})"
        if self.tty:
            say("\r\x1b[K" + line, self.stream, end="")
        else:
            say(line, self.stream)
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


# -- check --------------------------------------------------------------------------------


def run_check(args) -> int:
    from grader.pipeline import grade_path
    from grader.submission.notebook import declared_assignment
    from grader.reports.visibility import shown_result
    from grader.selfcheck import render_check, visible_checks

    if not (args.assignment or args.rubric):
        args.assignment = declared_assignment(args.notebook)
        if args.assignment is None:
            raise ValueError(f"{one_line(args.notebook)} does not say which assignment it belongs to "
                             "(no metadata.cnngrade.assignment); pass --assignment NAME or --rubric FILE")
    assignment = _load_assignment(args)
    only = visible_checks(assignment, args.function)
    result = grade_path(args.notebook, assignment, only=only, python=args.python)
    if result.status == "ungradable":
        say(f"{one_line(args.notebook)} could not be read, so nothing was checked:")
        for problem in result.problems:
            say(f"  - {one_line(str(problem))}")
    else:
        say(render_check(result))
    if args.junit:
        from grader.reports import junit_xml
        from grader.reports.student import write_text

        write_text(Path(args.junit), junit_xml([result], instructor=False))
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from grader.reports import append_step_summary, github_annotations

        say(github_annotations([result]), end="")
        append_step_summary([result])
    if result.status == "ungradable":
        return EXIT_USAGE
    view = shown_result(result)  # the student's own view decides, never a held-back item
    passed = all(item.points == item.max_points for item in view.items)
    return EXIT_OK if passed and not view.needs_review else EXIT_FAILED


# -- validate -----------------------------------------------------------------------------


def run_validate(args) -> int:
    from grader.rubric import main_validate

    return main_validate(args.rubric)


# -- gradescope ---------------------------------------------------------------------------


def run_gradescope(args) -> int:
    from grader.pipeline import grade_submission
    from grader.reports import write_gradescope_results
    from grader.submission import read_submission

    began = time.perf_counter()
    assignment = _load_assignment(args)
    metadata = _read_metadata(Path(args.metadata))
    sub = read_submission(Path(args.submission), functions=list(assignment.rubric.functions),
                          student_id=metadata.get("student_id"), mode=assignment.rubric.execution,
                          id_pattern="gradescope", course_files=assignment.rubric.course_files)
    with assignment.pool(args.python, args.submission, Path(args.results).parent) as pool:
        result = grade_submission(sub, assignment, pool=pool, python=args.python,
                                  submitted_at=metadata.get("submitted_at"), due=metadata.get("due"))
    path = write_gradescope_results(result, args.results, execution_time=time.perf_counter() - began)
    say(f"{one_line(result.student_id)}: {result.score:g}/{result.max_score:g} → {path}")
    return EXIT_NEEDS_PERSON if result.errored else EXIT_OK


# -- terminal output ----------------------------------------------------------------------


def say(text: str, stream=None, *, end: str = "\n") -> None:
    """Write ``text`` to ``stream`` (default stdout) so that it never raises: lone surrogates
    become U+FFFD, and what the stream's encoding cannot hold (a non-UTF-8 console) a ``\\u`` escape."""
    from grader.reports.escaping import encodable

    stream = sys.stdout if stream is None else stream
    text = encodable(text + end)
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text = text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:  # a stream naming an encoding Python does not know
        pass
    stream.write(text)


def one_line(text: str) -> str:
    """A student's id for a terminal line: controls and line breaks shown as ``\\n``, ``\\x1b``."""
    from grader.reports.escaping import escape_controls

    return escape_controls(text)


def _read_metadata(path: Path) -> dict:
    """Student id, submission time and due date from Gradescope's submission_metadata.json, if
    present. The due date is Gradescope's: a student's own (an extension, under
    ``users[].assignment``) wins over the assignment's; for a group, the latest of its members'."""
    from grader.submission.identity import parse_time

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    found: dict = {}
    users = data.get("users") if isinstance(data.get("users"), list) else []
    if users and isinstance(users[0], dict):
        found["student_id"] = str(users[0].get("email") or users[0].get("name") or "submission")
    submitted = parse_time(data.get("created_at"))
    if submitted is not None:
        found["submitted_at"] = submitted
    assignment = data.get("assignment") if isinstance(data.get("assignment"), dict) else {}
    own = [parse_time(u["assignment"].get("due_date")) for u in users
           if isinstance(u, dict) and isinstance(u.get("assignment"), dict)]
    own = [d for d in own if d is not None and d.utcoffset() is not None]
    due = max(own) if own else parse_time(assignment.get("due_date"))
    if due is not None and due.utcoffset() is not None:
        found["due"] = due
    return found


if __name__ == "__main__":
    sys.exit(main())
