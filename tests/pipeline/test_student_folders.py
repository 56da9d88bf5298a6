"""Each student's files live in a folder of their own: no two ids ever share one."""
import json
import shutil
from pathlib import Path

import pytest

from grader.pipeline import Assignment, grade_batch, student_dir

REPO = Path(__file__).resolve().parents[2]
SOLUTION = REPO / "assignments" / "conv_arithmetic" / "solution.ipynb"
TEMPLATE = REPO / "assignments" / "conv_arithmetic" / "student.ipynb"
COLLIDING = [("alice~solution", "alice_solution"), ("Zoë", "Zoé"), ("Alice", "alice"), ("a/b", "a_b"),
             (".hidden", "hidden"), ("x" * 120, "x" * 121)]


@pytest.mark.parametrize("first, second", COLLIDING, ids=lambda v: v[:12])
def test_ids_that_sanitise_alike_get_different_folders(first, second, tmp_path):
    one, two = student_dir(tmp_path, first), student_dir(tmp_path, second)
    assert one != two and one.name.lower() != two.name.lower()
    for folder in (one, two):
        assert folder.parent == tmp_path / "students" and not folder.name.startswith(".")


def test_a_plain_id_is_its_own_folder_name(tmp_path):
    assert student_dir(tmp_path, "jane.doe@uni.edu").name == "jane.doe@uni.edu"


def test_two_students_whose_ids_sanitise_alike_keep_their_own_results(tmp_path):
    submissions = tmp_path / "class"
    submissions.mkdir()
    shutil.copy(SOLUTION, submissions / "alice~solution.ipynb")
    shutil.copy(TEMPLATE, submissions / "alice_solution.ipynb")
    assignment = Assignment.load(REPO / "rubrics" / "conv_arithmetic.yaml")
    outcome = grade_batch([submissions], assignment, tmp_path / "out")
    scores = {r.student_id: r.score for r in outcome.results}
    assert scores["alice~solution"] == outcome.results[0].max_score and scores["alice_solution"] == 0
    for result in outcome.results:
        stored = json.loads((student_dir(tmp_path / "out", result.student_id) / "result.json").read_text())
        assert stored["student_id"] == result.student_id


def test_a_student_whose_files_cannot_be_written_costs_only_that_student(tmp_path):
    submissions = tmp_path / "class"
    submissions.mkdir()
    for name in ("alice", "bob"):
        shutil.copy(SOLUTION, submissions / f"{name}.ipynb")
    out = tmp_path / "out"
    (out / "students").mkdir(parents=True)
    (out / "students" / "alice").write_text("not a folder")  # alice's folder cannot be made
    assignment = Assignment.load(REPO / "rubrics" / "conv_arithmetic.yaml")
    outcome = grade_batch([submissions], assignment, out)
    by_id = {r.student_id: r for r in outcome.results}
    assert set(by_id) == {"alice", "bob"}
    assert by_id["alice"].errored and not by_id["bob"].errored
    assert by_id["bob"].score == by_id["bob"].max_score
    assert (out / "grades.csv").read_text().count("\n") == 3
    assert "Traceback" not in (out / "students" / "bob" / "feedback.md").read_text()
