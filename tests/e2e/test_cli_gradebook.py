"""The gradebook is the output folder: a whole, honest grades.csv whatever was graded last.

Real ``cnngrade`` processes on real notebooks and exports built by the tests: regrading one
student, rebuilding with ``cnngrade report``, the status column, the late policy from the
export's own submission times, and the exit codes the README promises.
"""
from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from grader.rubric import load_rubric

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = REPO / "assignments" / "conv_arithmetic"
SAMPLES = ASSIGNMENT / "samples"
RUBRIC = load_rubric(REPO / "rubrics" / "conv_arithmetic.yaml")
FULL = RUBRIC.max_score
LENA = FULL - 2  # lena forgot the bias: conv_param_count (2 points) is lost


def grade(cnngrade, *paths, out, expect=0, extra=()):
    process = cnngrade("grade", *paths, "--assignment", "conv_arithmetic", "--out", out, *extra)
    assert process.returncode == expect, process.stdout + process.stderr
    assert "Traceback" not in process.stderr
    return process


def class_folder(root: Path, students: dict[str, Path]) -> Path:
    root.mkdir(parents=True)
    for name, notebook in students.items():
        shutil.copy(notebook, root / f"{name}.ipynb")
    return root


def test_regrading_one_student_updates_their_row_and_keeps_everyone_else(cnngrade, grade_outputs, tmp_path):
    submissions = class_folder(tmp_path / "class", {"ana": ASSIGNMENT / "solution.ipynb",
                                                    "ben": SAMPLES / "lena_bias_forgotten.ipynb",
                                                    "cai": ASSIGNMENT / "student.ipynb"})
    out = tmp_path / "out"
    grade(cnngrade, submissions, out=out)
    shutil.copy(ASSIGNMENT / "solution.ipynb", submissions / "ben.ipynb")  # ben fixed his bias
    process = grade(cnngrade, submissions / "ben.ipynb", out=out)
    rows = grade_outputs(out).grades
    assert sorted(rows) == ["ana", "ben", "cai"]
    assert [float(rows[s]["score"]) for s in ("ana", "ben", "cai")] == [FULL, FULL, 0]
    assert "3 submissions" in (out / "summary.md").read_text(encoding="utf-8")
    assert "graded 1" in process.stdout


def test_a_file_regraded_from_a_student_folder_keeps_that_students_id(cnngrade, grade_outputs, tmp_path):
    root = tmp_path / "class"
    for student, notebook in (("ana", SAMPLES / "lena_bias_forgotten.ipynb"), ("ben", ASSIGNMENT / "solution.ipynb")):
        (root / student).mkdir(parents=True)
        shutil.copy(notebook, root / student / "conv.ipynb")
    out = tmp_path / "out"
    grade(cnngrade, root, out=out)
    shutil.copy(ASSIGNMENT / "solution.ipynb", root / "ana" / "conv.ipynb")
    grade(cnngrade, root / "ana" / "conv.ipynb", out=out)
    rows = grade_outputs(out).grades
    assert sorted(rows) == ["ana", "ben"] and float(rows["ana"]["score"]) == FULL


def test_report_rebuilds_the_class_files_from_the_results(cnngrade, tmp_path):
    submissions = class_folder(tmp_path / "class", {"ana": ASSIGNMENT / "solution.ipynb",
                                                    "ben": SAMPLES / "rosa_not_json.ipynb"})
    out = tmp_path / "out"
    grade(cnngrade, submissions, out=out)
    before = {name: (out / name).read_bytes() for name in ("grades.csv", "junit.xml", "summary.md", "summary.json")}
    for name in before:
        (out / name).unlink()
    process = cnngrade("report", out, "--assignment", "conv_arithmetic")
    assert process.returncode == 0, process.stderr
    assert {name: (out / name).read_bytes() for name in before} == before
    process = cnngrade("report", out)  # without a rubric: the columns come from the results
    assert process.returncode == 0, process.stderr
    assert (out / "grades.csv").read_bytes() == before["grades.csv"]


def test_an_unreadable_submission_is_ungradable_in_every_class_file_and_listed_first(cnngrade, grade_outputs,
                                                                                     tmp_path):
    submissions = class_folder(tmp_path / "class", {"ana": ASSIGNMENT / "solution.ipynb",
                                                    "ben": SAMPLES / "rosa_not_json.ipynb"})
    out = tmp_path / "out"
    grade(cnngrade, submissions, out=out)
    rows = grade_outputs(out).grades
    assert (rows["ben"]["status"], rows["ben"]["score"]) == ("ungradable", "")
    assert (rows["ana"]["status"], float(rows["ana"]["score"])) == ("graded", FULL)
    summary = (out / "summary.md").read_text(encoding="utf-8")
    ungradable = summary.index("## Ungradable")
    assert ungradable < summary.index("## Needs a person") < summary.index("## Score distribution")
    assert "ben.ipynb is not valid JSON" in summary[ungradable:summary.index("## Needs a person")]
    assert json.loads((out / "summary.json").read_text())["score"]["min"] == FULL  # no silent zero in the mean
    suite = next(s for s in ET.parse(out / "junit.xml").getroot() if s.get("name") == "ben")
    (error,) = [e for case in suite for e in case if e.tag == "error"]
    assert error.get("type") == "ungradable" and "ben.ipynb is not valid JSON" in error.text
    assert "defines no function" not in (out / "students" / "ben" / "feedback.md").read_text(encoding="utf-8")


def test_check_of_an_unreadable_notebook_exits_2_with_the_cause_first(cnngrade):
    process = cnngrade("check", SAMPLES / "rosa_not_json.ipynb", "--assignment", "conv_arithmetic")
    assert process.returncode == 2, process.stdout + process.stderr
    lines = process.stdout.splitlines()
    assert "could not be read" in lines[0] and "is not valid JSON" in lines[1]
    assert "defines no function" not in process.stdout


@pytest.mark.parametrize("layout", ["empty-folder", "no-notebooks", "empty-zip"])
def test_an_input_with_no_submissions_is_a_usage_error(cnngrade, tmp_path, layout):
    path = tmp_path / "class"
    path.mkdir()
    if layout == "no-notebooks":
        (path / "README.txt").write_text("nothing here")
    if layout == "empty-zip":
        path = tmp_path / "class.zip"
        zipfile.ZipFile(path, "w").close()
    process = grade(cnngrade, path, out=tmp_path / "out", expect=2)
    assert "no submissions found" in process.stderr


def test_a_class_zip_that_cannot_be_read_is_a_usage_error_after_the_others_are_graded(cnngrade, grade_outputs,
                                                                                    tmp_path):
    good = class_folder(tmp_path / "section1", {"ana": ASSIGNMENT / "solution.ipynb"})
    broken = tmp_path / "section2.zip"
    broken.write_bytes(b"PK\x03\x04 this is not a zip")
    process = grade(cnngrade, good, broken, out=tmp_path / "out", expect=2)
    assert "section2.zip" in process.stderr
    assert float(grade_outputs(tmp_path / "out").grades["ana"]["score"]) == FULL


def test_out_that_is_a_file_is_a_usage_error(cnngrade, tmp_path):
    out = tmp_path / "out"
    out.write_text("a file")
    process = grade(cnngrade, ASSIGNMENT / "solution.ipynb", out=out, expect=2)
    assert "is a file; expected a folder" in process.stderr


def test_out_with_missing_parents_is_made(cnngrade, grade_outputs, tmp_path):
    out = tmp_path / "results" / "term" / "hw1"
    grade(cnngrade, ASSIGNMENT / "solution.ipynb", out=out)
    assert list(grade_outputs(out).grades) == ["solution"]


def test_out_that_cannot_be_written_is_a_usage_error(cnngrade, tmp_path):
    if os.geteuid() == 0:
        out = Path("/proc/self")  # an existing folder no one may create files in, root included
    else:
        out = tmp_path / "read-only"
        out.mkdir()
        out.chmod(0o555)
    process = grade(cnngrade, ASSIGNMENT / "solution.ipynb", out=out, expect=2)
    assert "cannot write in --out" in process.stderr


def blackboard_export(root: Path, attempts: dict[str, str]) -> Path:
    """Blackboard's "download assignment" files: name_username_attempt_TIME_file."""
    root.mkdir(parents=True)
    for student, time in attempts.items():
        shutil.copy(SAMPLES / "lena_bias_forgotten.ipynb",
                    root / f"Convolution arithmetic_{student}_attempt_{time}_conv.ipynb")
        (root / f"Convolution arithmetic_{student}_attempt_{time}.txt").write_text(f"Name: {student}\n")
    return root


def test_grade_applies_the_late_policy_from_the_exports_submission_times(cnngrade, grade_outputs, tmp_path):
    due = RUBRIC.late_policy.due
    on_time, two_days = due - timedelta(hours=1), due + timedelta(days=1, hours=2)
    export = blackboard_export(tmp_path / "bb", {"ontime": on_time.strftime("%Y-%m-%d-%H-%M-%S"),
                                                 "late": two_days.strftime("%Y-%m-%d-%H-%M-%S")})
    out = tmp_path / "out"
    grade(cnngrade, export, out=out)
    results = grade_outputs(out).results
    penalty = RUBRIC.late_policy.penalty_per_day * 2 * FULL
    assert results["ontime"]["score"] == LENA and results["ontime"]["late_penalty"] == 0
    assert results["late"]["late_penalty"] == pytest.approx(penalty)
    assert results["late"]["score"] == pytest.approx(LENA - penalty)


def test_an_extension_in_the_manifest_moves_that_students_due_date(cnngrade, grade_outputs, tmp_path):
    submissions = class_folder(tmp_path / "class", {"ana": SAMPLES / "lena_bias_forgotten.ipynb",
                                                    "ben": SAMPLES / "lena_bias_forgotten.ipynb"})
    late = (RUBRIC.late_policy.due + timedelta(hours=20)).isoformat()
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(f"file,student,submitted_at,extension_days\nana.ipynb,ana,{late},1\nben.ipynb,ben,{late},\n")
    out = tmp_path / "out"
    grade(cnngrade, submissions, out=out, extra=("--manifest", manifest))
    results = grade_outputs(out).results
    assert results["ana"]["late_penalty"] == 0
    assert results["ben"]["late_penalty"] == pytest.approx(RUBRIC.late_policy.penalty_per_day * FULL)


def test_without_a_recorded_time_the_late_policy_is_not_applied_and_the_summary_says_so(cnngrade, tmp_path):
    submissions = class_folder(tmp_path / "class", {"ana": SAMPLES / "lena_bias_forgotten.ipynb",
                                                    "ben": ASSIGNMENT / "solution.ipynb"})
    out = tmp_path / "out"
    grade(cnngrade, submissions, out=out)
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "## Late policy not applied" in summary and "2 submissions have no recorded submission time" in summary


def test_two_submissions_that_would_share_an_id_stop_grade_before_anything_is_graded(cnngrade, tmp_path):
    one = class_folder(tmp_path / "section1", {"ana": ASSIGNMENT / "solution.ipynb"})
    two = class_folder(tmp_path / "section2", {"ana": ASSIGNMENT / "student.ipynb"})
    process = grade(cnngrade, one, two, out=tmp_path / "out", expect=2)
    assert "never merged" in process.stderr
    assert str(one / "ana.ipynb") in process.stderr and str(two / "ana.ipynb") in process.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_regrading_a_students_folder_alone_never_gives_their_files_another_students_id(cnngrade, grade_outputs,
                                                                                      tmp_path):
    root = tmp_path / "class"
    (root / "ana").mkdir(parents=True)
    (root / "bob_999_111_conv.ipynb").parent.mkdir(exist_ok=True)
    shutil.copy(ASSIGNMENT / "solution.ipynb", root / "bob_999_111_conv.ipynb")  # bob's real Canvas file
    # ana's upload holds a file she named like bob's Canvas file
    shutil.copy(ASSIGNMENT / "student.ipynb", root / "ana" / "bob_999_111_conv.ipynb")
    out = tmp_path / "out"
    grade(cnngrade, root, out=out)
    assert sorted(grade_outputs(out).grades) == ["999", "ana"]
    grade(cnngrade, root / "ana", out=out)  # the instructor regrades ana alone
    rows = grade_outputs(out).grades
    assert sorted(rows) == ["999", "ana"] and float(rows["999"]["score"]) == FULL
