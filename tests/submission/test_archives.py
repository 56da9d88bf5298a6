"""LMS zips and folders: one submission per student."""
import shutil
import zipfile
from pathlib import Path

import pytest

from grader.submission import read_submission, read_submissions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FUNCTIONS = ["conv_output_size", "pool_output_size", "conv_param_count", "receptive_field"]


def test_canvas_zip_of_three_notebooks_gives_three_submissions():
    submissions = read_submissions(FIXTURES / "lms_canvas_three.zip", functions=FUNCTIONS)
    by_id = {s.student_id: s for s in submissions}
    assert sorted(by_id) == ["12345", "23456", "34567"]
    assert by_id["12345"].problems == ()
    assert by_id["23456"].student_name == "doejane"  # the late one
    missing = [p.message.split()[0] for p in by_id["34567"].problems]
    assert missing == ["pool_output_size", "conv_param_count", "receptive_field"]
    member = "smithjohn_12345_6789012_conv_arithmetic.ipynb"
    assert by_id["12345"].path == FIXTURES / "lms_canvas_three.zip" / member
    assert by_id["12345"].chunks[0].origin == f"{member}, cell 1"


def moodle_folder(root):
    for student, fixture in (("Jane Doe_12345", "tagged.ipynb"), ("Li Wei_23456", "coursera_markers.ipynb")):
        folder = root / f"{student}_assignsubmission_file_"
        folder.mkdir(parents=True)
        shutil.copy(FIXTURES / fixture, folder / "conv.ipynb")
    helper = root / "Jane Doe_12345_assignsubmission_file_" / "helpers.py"
    helper.write_text("def helper():\n    return 1\n")
    return root


def test_moodle_folder_per_student_gives_one_submission_of_all_its_files(tmp_path):
    jane, li = read_submissions(moodle_folder(tmp_path / "export"), functions=FUNCTIONS)
    assert (jane.student_id, jane.student_name, li.student_id) == ("12345", "Jane Doe", "23456")
    assert [p.name for p in jane.files] == ["conv.ipynb", "helpers.py"]
    assert {"helper", "conv_output_size"} <= set(jane.defined)
    assert jane.path == tmp_path / "export" / "Jane Doe_12345_assignsubmission_file_"
    assert jane.problems == () and li.problems == ()


def test_moodle_zip_gives_one_submission_per_student_folder(tmp_path):
    export = moodle_folder(tmp_path / "export")
    archive = tmp_path / "moodle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(export.rglob("*")):
            if file.is_file():
                zf.write(file, file.relative_to(export).as_posix())
        zf.writestr("__MACOSX/._junk.ipynb", "not a notebook")
    submissions = read_submissions(archive, functions=FUNCTIONS)
    assert [s.student_id for s in submissions] == ["12345", "23456"]
    assert all(s.problems == () for s in submissions)


def test_folder_of_notebooks_gives_one_submission_per_file(tmp_path):
    for name in ("alice.ipynb", "bob.ipynb"):
        shutil.copy(FIXTURES / "tagged.ipynb", tmp_path / name)
    (tmp_path / "notes.txt").write_text("not code")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    shutil.copy(FIXTURES / "tagged.ipynb", tmp_path / ".ipynb_checkpoints" / "alice-checkpoint.ipynb")
    assert [s.student_id for s in read_submissions(tmp_path)] == ["alice", "bob"]


def test_one_students_zip_read_as_one_submission():
    submission = read_submission(FIXTURES / "lms_canvas_three.zip")
    assert len(submission.files) == 3
    assert len(submission.file_sha256) == 64


def test_corrupt_zip_is_a_problem_not_an_exception(tmp_path):
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"PK\x03\x04 this is not really a zip")
    (submission,) = read_submissions(archive)
    assert [p.kind for p in submission.problems] == ["invalid_archive"]


def test_folder_without_code_is_a_problem(tmp_path):
    (tmp_path / "readme.md").write_text("hello")
    assert [p.kind for p in read_submission(tmp_path).problems] == ["no_gradeable_files"]


def test_path_that_does_not_exist_is_the_callers_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_submissions(tmp_path / "nowhere.zip")
