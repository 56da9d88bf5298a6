"""The grader's own folders stay out of a student's sight, even without bubblewrap.

The fallback sandbox hides the repository and $HOME by default; a course kept elsewhere
(rubric, checks, submissions, outputs) is hidden because the pipeline names those folders.
"""
import json
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.pipeline import Assignment, grade_batch

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
