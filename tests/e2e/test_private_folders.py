"""The grader's own folders stay out of a student's sight, even without bubblewrap.

The sandbox hides where the grader really is and $HOME by default; a course kept elsewhere
(rubric, checks, submissions, outputs) is hidden because the pipeline names those folders, as
given and where symbolic links lead, even inside a folder the allow-list shows.
"""
import json
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.pipeline import Assignment, grade_batch
from grader.sandbox.backends import bubblewrap_works

REPO = Path(__file__).resolve().parents[2]
HONEST = """def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):
    return (n_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
"""
SNOOP = """import os

def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):
    # right only if it could read what it must not see
    seen = [os.path.exists(p) for p in {paths!r}]
    if any(seen):
        return (n_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    return -1
"""


@pytest.fixture
def course():
    """A course folder outside the repository, $HOME and /tmp (which workers never see)."""
    try:
        root = Path(tempfile.mkdtemp(prefix="cnngrade-course-", dir="/srv"))
    except OSError:
        pytest.skip("cannot create a folder under /srv here")
    root.chmod(0o755)  # world-readable, as course folders usually are: permissions alone won't do
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def notebook(path: Path, source: str) -> None:
    nbformat.write(new_notebook(cells=[new_code_cell(source)]), str(path))


def test_fallback_sandbox_hides_the_rubric_checks_submissions_and_outputs(course, monkeypatch):
    monkeypatch.setenv("CNNGRADE_SANDBOX", "fallback")
    rubric_dir, submissions, out = course / "rubrics", course / "submissions", course / "out"
    rubric_dir.mkdir()
    submissions.mkdir()
    checks = shutil.copy(REPO / "assignments" / "conv_arithmetic" / "checks.py", course / "checks.py")
    text = (REPO / "tests" / "e2e" / "rubrics" / "hostile_conv_output_size.yaml").read_text()
    rubric = rubric_dir / "course.yaml"
    rubric.write_text("\n".join(
        f"  checks: {checks}" if line.strip().startswith("checks:") and line.startswith("  checks:") else line
        for line in text.splitlines()) + "\n")
    notebook(submissions / "alice.ipynb", HONEST)
    secrets = [str(rubric), str(checks), str(submissions / "alice.ipynb"), str(out)]
    notebook(submissions / "mallory.ipynb", SNOOP.format(paths=secrets))

    outcome = grade_batch([submissions], Assignment.load(rubric), out)

    scores = {r.student_id: r.score for r in outcome.results}
    assert scores["alice"] == outcome.results[0].max_score
    assert scores["mallory"] == 0
    result = json.loads((out / "students" / "mallory" / "result.json").read_text())
    assert "bubblewrap" not in result["provenance"]["isolation"]


@pytest.mark.parametrize("isolation", ["fallback", "bubblewrap"])
def test_a_course_inside_the_interpreters_prefix_is_hidden_where_its_files_really_are(isolation, monkeypatch):
    """The rubric and the checks reached through symbolic links: the folders they really are in
    stay hidden (as well as those they are named from), in a place the allow-list does show."""
    if isolation == "bubblewrap" and not bubblewrap_works():
        pytest.skip("bubblewrap (bwrap) is not available here")
    monkeypatch.setenv("CNNGRADE_SANDBOX", isolation)
    course = Path(tempfile.mkdtemp(prefix="cnngrade-course-", dir=sys.prefix))
    try:
        course.chmod(0o755)
        for name in ("keys", "private", "shared", "rubrics", "submissions"):
            (course / name).mkdir(mode=0o755)
        real_checks = shutil.copy(REPO / "assignments" / "conv_arithmetic" / "checks.py", course / "private")
        (course / "shared" / "checks.py").symlink_to(real_checks)
        text = (REPO / "tests" / "e2e" / "rubrics" / "hostile_conv_output_size.yaml").read_text()
        real_rubric = course / "keys" / "course.yaml"
        real_rubric.write_text("\n".join(f"  checks: {course / 'shared' / 'checks.py'}" if line.startswith("  checks:")
                                         else line for line in text.splitlines()) + "\n")
        (course / "rubrics" / "course.yaml").symlink_to(real_rubric)
        submissions, out = course / "submissions", course / "out"
        notebook(submissions / "alice.ipynb", HONEST)
        notebook(submissions / "mallory.ipynb", SNOOP.format(paths=[str(real_rubric), str(real_checks)]))

        outcome = grade_batch([submissions], Assignment.load(course / "rubrics" / "course.yaml"), out)

        scores = {r.student_id: r.score for r in outcome.results}
        assert scores["alice"] == outcome.results[0].max_score
        assert scores["mallory"] == 0
    finally:
        shutil.rmtree(course, ignore_errors=True)
