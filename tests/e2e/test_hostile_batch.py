"""Hostile notebooks graded by the real pipeline, each in a batch with two honest ones.

Each batch is ``grade_batch`` on a folder of real notebooks: ``mallory.ipynb`` (one attack from
``tests/hostile_sources.py``), ``bob.ipynb`` (plain style, right) and ``carol.ipynb`` (Coursera
style, forgets dilation: partial credit with a named mistake). For every attack we show that

- the batch completes: grades.csv has the three rows, each student has a result.json;
- mallory earns what an honest wrong answer earns (0: each attack returns -1 unless it worked);
- bob and carol get exactly the results they get in a batch of their own (scores, statuses,
  messages, feedback), graded once per module;
- nothing is written outside the batch's output folder, and there only the report files;
- every result records its isolation level, the same for all three students;
- no line of any report file starts with ``::`` (a GitHub Actions workflow command).

The rubric (``rubrics/hostile_conv_output_size.yaml``) uses the real conv_arithmetic checks with
short limits and ``execution: notebook``, so that attacks at the top level of a cell run too.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from grader.pipeline import Assignment, grade_batch
from grader.sandbox import Pool
from hostile_sources import HOSTILE, MARKER, REPO, TARGETS, attack, render

RUBRIC = Path(__file__).parent / "rubrics" / "hostile_conv_output_size.yaml"
ITEM = "conv_output_size"
HOSTILE_ID = "mallory"
HONEST_WRONG_POINTS = 0.0  # what a conv_output_size returning -1 earns
BATCH_FILES = {"grades.csv", "junit.xml", "summary.md", "summary.json"}
STUDENT_FILES = {"result.json", "feedback.md", "feedback.html", "instructor.md"}
DECOY = '{"score": 0}'  # a results file already in the output folder, as on Gradescope

BOB = [  # plain notebook style, right
    v4.new_markdown_cell("# Assignment 1: convolution arithmetic"),
    v4.new_code_cell(
        "def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):\n"
        '    """Length of the output of a 1-D convolution."""\n'
        "    effective_kernel = dilation * (kernel_size - 1) + 1\n"
        "    return (n_in + 2 * padding - effective_kernel) // stride + 1\n"),
    v4.new_code_cell("print(conv_output_size(5, 3, stride=2, padding=1))"),
]
CAROL = [  # Coursera style, forgets dilation
    v4.new_code_cell("import math"),
    v4.new_markdown_cell("Implement `conv_output_size` below."),
    v4.new_code_cell(
        "# GRADED FUNCTION: conv_output_size\n\n"
        "def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):\n"
        "    ### START CODE HERE ###\n"
        "    out = math.floor((n_in + 2 * padding - kernel_size) / stride) + 1\n"
        "    ### END CODE HERE ###\n"
        "    return out\n"),
    v4.new_code_cell("conv_output_size(32, 5)"),
]


def write_notebook(path: Path, cells) -> None:
    nbformat.write(v4.new_notebook(cells=cells), path)


def hostile_cells(source: str):
    return [v4.new_markdown_cell("# Assignment 1"), v4.new_code_cell(source)]


# -- what a batch leaves behind ---------------------------------------------------------------


def tree(root: Path, *, skip=frozenset()) -> dict[str, tuple]:
    """Every path under root (relative) with its type and content hash; names in ``skip`` pruned."""
    seen = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip]
        seen[os.path.relpath(folder, root)] = ("dir",)
        for name in files:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                seen[os.path.relpath(path, root)] = ("link", os.readlink(path))
                continue
            with open(path, "rb") as f:
                seen[os.path.relpath(path, root)] = ("file", hashlib.sha256(f.read()).hexdigest())
    return seen


def repo_tree() -> dict[str, tuple]:
    """The repository as a student would want to change it: reference, rubrics, checks, grader.

    Caches and the venv are left out, and tests/ is watched only for files a student could
    have made (foreign owner, a hostile name), since test files are edited while tests run.
    """
    skip = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis"}
    seen = tree(Path(REPO), skip=skip | {"tests"})
    for folder, dirs, files in os.walk(Path(REPO, "tests")):
        dirs[:] = [d for d in dirs if d not in skip]
        for name in dirs + files:
            path = os.path.join(folder, name)
            if MARKER in name or name == "results.json" or os.lstat(path).st_uid != os.getuid():
                seen[os.path.relpath(path, REPO)] = ("made by a student?",)
    for name in ("hooks", "config"):  # .git's executable parts; the rest changes with every commit
        path = Path(REPO, ".git", name)
        if path.is_dir():
            seen.update({f".git/{name}/{k}": v for k, v in tree(path).items()})
        elif path.is_file():
            seen[f".git/{name}"] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
    return seen


def changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def top_level(folder: str) -> dict[str, int]:
    """Entries directly in ``folder`` with their owner's uid."""
    found = {}
    for entry in os.scandir(folder):
        try:
            found[entry.name] = entry.stat(follow_symlinks=False).st_uid
        except FileNotFoundError:  # removed meanwhile by someone else
            pass
    return found


def shared_places() -> dict[str, dict[str, int]]:
    places = ("/", "/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~"))
    return {p: top_level(p) for p in places if os.path.isdir(p)}


def leaked_into_shared_places(before, after) -> list[str]:
    """New entries in /tmp and friends that a sandboxed student could have made.

    Other processes on this machine create files in /tmp too, so a new entry counts only if it
    has a hostile submission's name or belongs to another uid (the sandbox runs each submission
    as its own uid when the grader is root). Anything new in / counts.
    """
    leaked = []
    for place, entries in after.items():
        for name, uid in entries.items():
            if name in before.get(place, {}):
                continue
            if place == "/" or MARKER in name or name == "results.json" or uid != os.getuid():
                leaked.append(os.path.join(place, name))
    return leaked


def sleeping_children() -> set[int]:
    """Live ``sleep 600`` processes (what child_process_left_running starts)."""
    pids = set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            cmdline = Path(entry.path, "cmdline").read_bytes().split(b"\0")
            state = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if cmdline[:2] == [b"sleep", b"600"] and state not in ("Z", "X"):
            pids.add(int(entry.name))
    return pids


def without_timings(value):
    """A result.json minus what legitimately differs between runs: timings and file paths."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items()
                if k not in ("duration_s", "timings")}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


@dataclass
class Graded:
    """One batch's output folder, read back."""

    out: Path
    rows: dict[str, dict]  # grades.csv, by student
    results: dict[str, dict]  # result.json, by student
    feedback: dict[str, str]  # feedback.md, by student

    @classmethod
    def read(cls, out: Path) -> "Graded":
        rows = {row["student"]: row for row in csv.DictReader(io.StringIO((out / "grades.csv").read_text()))}
        results, feedback = {}, {}
        for folder in sorted((out / "students").iterdir()):
            results[folder.name] = json.loads((folder / "result.json").read_text())
            feedback[folder.name] = (folder / "feedback.md").read_text()
        return cls(out, rows, results, feedback)

    def comparable(self, student: str, *, isolation: bool = True) -> dict:
        data = without_timings(self.results[student])
        data["files"] = [os.path.basename(f) for f in data["files"]]
        data["provenance"]["sources"] = [os.path.basename(f) for f in data["provenance"]["sources"]]
        if not isolation:
            data["provenance"].pop("isolation")
        return data

    def item(self, student: str) -> dict:
        return next(i for i in self.results[student]["items"] if i["item_id"] == ITEM)


def make_world(root: Path, hostile_source: str | None) -> Path:
    """A grading folder: ``submissions/`` (the batch's input) and ``out/`` (its output)."""
    (root / "submissions").mkdir(parents=True)
    write_notebook(root / "submissions" / "bob.ipynb", BOB)
    write_notebook(root / "submissions" / "carol.ipynb", CAROL)
    if hostile_source is not None:
        write_notebook(root / "submissions" / f"{HOSTILE_ID}.ipynb", hostile_cells(hostile_source))
    (root / "out").mkdir()
    (root / "out" / "results.json").write_text(DECOY)
    return root


def expected_output(students) -> set[str]:
    files = {".", "students", "results.json"} | BATCH_FILES
    for student in students:
        files |= {f"students/{student}"} | {f"students/{student}/{name}" for name in STUDENT_FILES}
    return files


def workflow_command_lines(out: Path) -> list[str]:
    found = []
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name != "results.json":  # results.json: the decoy, checked apart
            found += [f"{path.relative_to(out)}: {line}" for line in path.read_text().splitlines()
                      if line.lstrip().startswith("::")]
    return found


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def assignment():
    return Assignment.load(RUBRIC)


@pytest.fixture(scope="module")
def warm_pool():
    """One sandbox pool for the module's batches, as a long grading session would keep."""
    with Pool() as pool:
        yield pool


@pytest.fixture(scope="module")
def baseline(assignment, warm_pool, tmp_path_factory) -> Graded:
    """Bob and carol graded in a batch of their own."""
    world = make_world(tmp_path_factory.mktemp("baseline"), None)
    grade_batch([world / "submissions"], assignment, world / "out", pool=warm_pool)
    return Graded.read(world / "out")


@pytest.fixture(scope="module")
def listener():
    """Someone listening on 127.0.0.1: network_access tries to reach it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def grade_hostile(name: str, root: Path, assignment: Assignment, baseline: Graded, listener,
                  *, same_isolation_as_baseline: bool = True, pool: Pool | None = None) -> Graded:
    """Grade mallory (attack ``name``) with bob and carol, and check everything a batch must keep."""
    world = root / "world"
    source = render(name, world=world, port=listener.getsockname()[1])
    make_world(world, source)
    repo_before, inputs_before = repo_tree(), tree(world / "submissions")
    shared_before, sleepers_before = shared_places(), sleeping_children()

    grade_batch([world / "submissions"], assignment, world / "out", pool=pool)

    assert changed(repo_before, repo_tree()) == [], "the repository changed"
    assert changed(inputs_before, tree(world / "submissions")) == [], "the batch's input folder changed"
    written = tree(world / "out")
    assert set(written) == expected_output(["bob", "carol", HOSTILE_ID])
    assert (world / "out" / "results.json").read_text() == DECOY
    assert leaked_into_shared_places(shared_before, shared_places()) == []
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody connected
    assert _after_kills_land(lambda: sleeping_children() - sleepers_before) == set()

    graded = Graded.read(world / "out")
    assert set(graded.rows) == set(graded.results) == {"bob", "carol", HOSTILE_ID}
    for student in ("bob", "carol"):
        keep = same_isolation_as_baseline
        assert graded.comparable(student, isolation=keep) == baseline.comparable(student, isolation=keep)
        assert graded.feedback[student] == baseline.feedback[student]
        assert graded.rows[student] == baseline.rows[student]
    hostile = graded.results[HOSTILE_ID]
    assert graded.item(HOSTILE_ID)["points"] == HONEST_WRONG_POINTS, graded.feedback[HOSTILE_ID]
    assert float(graded.rows[HOSTILE_ID]["score"]) == HONEST_WRONG_POINTS
    assert graded.item(HOSTILE_ID)["status"] == "failed"
    assert not hostile["errored"], "an attack must not pass for the grader's own failure"
    isolation = {graded.results[s]["provenance"]["isolation"] for s in graded.results}
    assert len(isolation) == 1 and not isolation & {"", "none (not run)"}, isolation
    assert workflow_command_lines(world / "out") == []
    return graded


def _after_kills_land(probe, patience_s: float = 10.0):
    """``probe()`` once it is empty, or its last value: SIGKILL is sent, not waited for."""
    deadline = time.monotonic() + patience_s
    while (found := probe()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


class HostileBatches:
    """Grades each attack once per module, so that tests about one attack share its batch."""

    def __init__(self, assignment, baseline, listener, tmp_path_factory, pool):
        self.args = (assignment, baseline, listener)
        self.pool = pool
        self.tmp_path_factory = tmp_path_factory
        self.done: dict[str, Graded] = {}

    def grade(self, name: str) -> Graded:
        if name not in self.done:
            root = self.tmp_path_factory.mktemp(name)
            self.done[name] = grade_hostile(name, root, *self.args, pool=self.pool)
        return self.done[name]


@pytest.fixture(scope="module")
def batches(assignment, baseline, listener, tmp_path_factory, warm_pool):
    return HostileBatches(assignment, baseline, listener, tmp_path_factory, warm_pool)


# -- tests ------------------------------------------------------------------------------------


def test_honest_baseline_earns_full_and_partial_credit(baseline):
    assert baseline.item("bob")["points"] == 3
    assert 0 < baseline.item("carol")["points"] < 3
    assert baseline.item("carol")["status"] == "failed"
    assert "dilation" in baseline.feedback["carol"]


def test_an_attack_that_worked_would_earn_full_marks(assignment, warm_pool, tmp_path):
    """The zeros below mean something: a hostile notebook whose attack succeeds gets 3 / 3."""
    world = make_world(tmp_path, attack("x = 1"))
    grade_batch([world / "submissions"], assignment, world / "out", pool=warm_pool)
    assert Graded.read(world / "out").item(HOSTILE_ID)["points"] == 3


@pytest.mark.parametrize("target", TARGETS)
def test_every_file_the_attacks_aim_at_exists(target):
    assert Path(REPO, target).is_file(), f"{target} moved: its attack would fail for the wrong reason"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_notebook_earns_nothing_and_changes_nothing_for_the_others(name, batches):
    batches.grade(name)


def test_printed_workflow_commands_are_shown_escaped_never_at_line_start(batches):
    graded = batches.grade("prints_github_actions_commands")
    feedback = graded.feedback[HOSTILE_ID]
    assert "::error::all tests passed" in feedback  # shown to the student, as text
    assert not any(line.lstrip().startswith("::") for line in feedback.splitlines())


def test_printed_fake_results_change_no_grade(batches, baseline):
    graded = batches.grade("prints_fake_result_json")
    assert {s: r["score"] for s, r in graded.rows.items()} == {
        **{s: r["score"] for s, r in baseline.rows.items()}, HOSTILE_ID: "0"}
    assert '"score": 100' not in (graded.out / "grades.csv").read_text()


def test_a_hang_is_reported_as_a_timeout(batches):
    graded = batches.grade("infinite_loop")
    assert "did not finish within 1 s" in graded.item(HOSTILE_ID)["checks"][0]["message"]


# Without bubblewrap the worker's own namespaces, uid and rlimits must hold: what reads, writes,
# connects or leaves processes behind.
FALLBACK_SAMPLE = ["read_reference_file", "writes_outside_its_folder", "network_access", "fork_bomb",
                   "child_process_left_running", "reads_other_command_lines", "reads_mount_table",
                   "signals_other_processes", "memory_in_many_processes", "busy_thread_right_answer"]


@pytest.mark.parametrize("name", FALLBACK_SAMPLE)
def test_hostile_notebook_is_contained_by_the_fallback_isolation(name, assignment, baseline, listener,
                                                                 tmp_path):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CNNGRADE_SANDBOX", "fallback")
        graded = grade_hostile(name, tmp_path, assignment, baseline, listener,
                               same_isolation_as_baseline=False)
    for result in graded.results.values():
        assert "bubblewrap" not in result["provenance"]["isolation"]


def test_a_batch_with_every_attack_leaves_the_honest_students_files_byte_identical(assignment, baseline, listener,
                                                                                    warm_pool, tmp_path):
    world = make_world(tmp_path / "world", None)
    port = listener.getsockname()[1]
    for name in sorted(HOSTILE):
        write_notebook(world / "submissions" / f"{name}.ipynb", hostile_cells(render(name, world=world, port=port)))
    grade_batch([world / "submissions"], assignment, world / "out", pool=warm_pool, jobs=2)

    graded = Graded.read(world / "out")
    assert set(graded.rows) == set(graded.results) == {"bob", "carol", *HOSTILE}
    for student in ("bob", "carol"):
        for name in ("feedback.md", "feedback.html", "instructor.md"):
            ours = (world / "out" / "students" / student / name).read_bytes()
            alone = (baseline.out / "students" / student / name).read_bytes()
            assert ours == alone, f"{student}/{name} differs from the batch without attacks"
        assert graded.comparable(student) == baseline.comparable(student)
        assert graded.rows[student] == baseline.rows[student]
    earned = {name: graded.item(name)["points"] for name in HOSTILE}
    assert earned == {name: HONEST_WRONG_POINTS for name in HOSTILE}
    assert [name for name in HOSTILE if graded.results[name]["errored"]] == []
    assert workflow_command_lines(world / "out") == []
