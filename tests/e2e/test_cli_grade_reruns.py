"""`cnngrade grade` run again: the same reports, finished work reused, interrupted work resumed."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "assignments" / "conv_arithmetic" / "samples"
CLASS_SIZE = len(list(SAMPLES.glob("*.ipynb")))
# Reports that must be byte-identical from run to run. result.json is not among them: its
# provenance records how long each step took.
DETERMINISTIC = ("grades.csv", "junit.xml", "summary.md", "summary.json")


def grade(cnngrade, paths, out: Path, *, jobs: int = 1) -> subprocess.CompletedProcess:
    return cnngrade("grade", *paths, "--assignment", "conv_arithmetic", "--out", out, "--jobs", jobs)


def student_files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted((out / "students").rglob("*"))
            if p.is_file()}


def scores(results: dict[str, dict]) -> dict[str, tuple]:
    """What a result says about the student (no timings)."""
    return {s: (r["score"], tuple((i["item_id"], i["points"], i["status"]) for i in r["items"]))
            for s, r in results.items()}


def test_grading_again_with_one_job_instead_of_two_gives_byte_identical_reports(
        graded_class, grade_outputs, cnngrade, tmp_path):
    process = grade(cnngrade, [SAMPLES], tmp_path, jobs=1)
    assert process.returncode == 0, process.stderr
    again = grade_outputs(tmp_path)
    for name in DETERMINISTIC:
        assert again.read_bytes(name) == graded_class.read_bytes(name), name
    for student in graded_class.results:
        for name in ("feedback.md", "feedback.html", "instructor.md"):
            path = Path("students") / student / name
            assert again.read_bytes(path) == graded_class.read_bytes(path), path


def test_a_rerun_reuses_every_submission_already_graded_with_the_same_file_and_rubric(
        graded_class, cnngrade, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded_class.out, out)
    before = student_files(out)
    process = grade(cnngrade, [SAMPLES], out, jobs=2)
    assert process.returncode == 0, process.stderr
    assert f"graded 0, reused {CLASS_SIZE} already graded" in process.stdout
    assert student_files(out) == before
    for name in DETERMINISTIC:
        assert (out / name).read_bytes() == graded_class.read_bytes(name), name


def test_changing_one_notebook_regrades_only_that_one(graded_class, grade_outputs, cnngrade, tmp_path):
    course, out = tmp_path / "class", tmp_path / "out"
    shutil.copytree(SAMPLES, course)
    shutil.copytree(graded_class.out, out)
    fixed = course / "lena_bias_forgotten.ipynb"
    nb = nbformat.read(fixed, as_version=4)
    [cell] = [c for c in nb.cells if "def conv_param_count" in c.source]
    cell.source = cell.source.replace("kernel_size * kernel_size", "kernel_size * kernel_size + out_channels * bias")
    nbformat.write(nb, fixed)
    before = student_files(out)

    process = grade(cnngrade, [course], out, jobs=2)

    assert process.returncode == 0, process.stderr
    assert f"graded 1, reused {CLASS_SIZE - 1} already graded" in process.stdout
    changed = {name.split("/")[1] for name, data in student_files(out).items() if before.get(name) != data}
    assert changed == {"lena_bias_forgotten"}
    regraded = grade_outputs(out)
    assert regraded.result("lena_bias_forgotten")["score"] == regraded.result("ada_formulas")["score"]


# Enough students that some are still waiting when the first result is written.
INTERRUPTED_CLASS = ["ada_formulas", "bruno_loops", "hana_ceil_instead_of_floor", "lena_bias_forgotten",
                     "petra_syntax_error", "rosa_not_json", "victor_always_equal", "xena_reads_reference"]


def test_an_interrupted_run_keeps_its_finished_results_and_a_rerun_does_the_rest(
        graded_class, grade_outputs, cnngrade, tmp_path):
    course, out = tmp_path / "class", tmp_path / "out"
    course.mkdir()
    for student in INTERRUPTED_CLASS:
        shutil.copy2(SAMPLES / f"{student}.ipynb", course)
    command = [sys.executable, "-m", "grader", "grade", str(course), "--assignment", "conv_arithmetic",
               "--out", str(out), "--jobs", "2"]
    # Its own process group, so that the SIGINT reaches every process as a Ctrl-C would.
    # SIGINT as a terminal delivers it, even where this suite runs with SIGINT ignored (a
    # background job of a non-interactive shell inherits SIG_IGN, and Python keeps it).
    run = subprocess.Popen(command, cwd=REPO, env={**os.environ, "CI": "true"}, start_new_session=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        while run.poll() is None and not list(out.glob("students/*/result.json")):
            time.sleep(0.05)
        os.killpg(run.pid, signal.SIGINT)
        stdout, stderr = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert run.returncode == 130, stdout + stderr

    finished = grade_outputs(out).results  # every result.json left behind is complete JSON
    assert 1 <= len(finished) < len(INTERRUPTED_CLASS)
    expected = scores(graded_class.results)
    assert scores(finished) == {s: expected[s] for s in finished}

    process = grade(cnngrade, [course], out, jobs=2)

    assert process.returncode == 0, process.stderr
    done = len(finished)
    assert f"graded {len(INTERRUPTED_CLASS) - done}, reused {done} already graded" in process.stdout
    assert scores(grade_outputs(out).results) == {s: expected[s] for s in INTERRUPTED_CLASS}
