"""Student ids from LMS file names (Canvas, Moodle), Gradescope metadata and manifests."""
import json
import shutil
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from exports import zipped

from grader.submission import identity_from_path, read_submission, read_submissions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize(
    "name, student, student_name",
    [
        ("smithjohn_12345_6789012_conv_arithmetic.ipynb", "12345", "smithjohn"),
        ("smithjohn_late_12345_6789012_conv_arithmetic.ipynb", "12345", "smithjohn"),
        ("Jane Doe_12345_assignsubmission_file_conv.ipynb", "12345", "Jane Doe"),
        ("Jane Doe_12345_assignsubmission_file_/conv.ipynb", "12345", "Jane Doe"),
    ],
    ids=["canvas", "canvas-late", "moodle-file-prefix", "moodle-folder"],
)
def test_auto_pattern_reads_lms_file_names(name, student, student_name):
    identity = identity_from_path(PurePosixPath(name))
    assert (identity.student_id, identity.name) == (student, student_name)


def test_plain_file_name_falls_back_to_the_stem():
    assert identity_from_path(PurePosixPath("alice.ipynb")) is None
    assert read_submission(FIXTURES / "tagged.ipynb").student_id == "tagged"


def test_custom_regex_with_a_student_group(tmp_path):
    path = tmp_path / "hw1-s1234567.ipynb"
    shutil.copy(FIXTURES / "tagged.ipynb", path)
    assert read_submission(path, id_pattern=r"hw1-(?P<student>s\d+)").student_id == "s1234567"


def test_explicit_pattern_that_does_not_match_is_a_problem(tmp_path):
    path = tmp_path / "alice.ipynb"
    shutil.copy(FIXTURES / "tagged.ipynb", path)
    submission = read_submission(path, id_pattern="canvas")
    assert submission.student_id == "alice"
    assert [p.kind for p in submission.problems] == ["unmatched_file_name"]


def test_given_student_id_wins():
    assert read_submission(FIXTURES / "tagged.ipynb", student_id="u42").student_id == "u42"


@pytest.mark.parametrize(
    "pattern, message",
    [
        (r"(?P<id>\d+)", r"named group \(\?P<student>...\)"),
        (r"(unclosed", "nor a valid regex"),
    ],
    ids=["no-student-group", "bad-regex"],
)
def test_invalid_id_pattern_is_an_instructor_error(pattern, message):
    with pytest.raises(ValueError, match=message):
        read_submission(FIXTURES / "tagged.ipynb", id_pattern=pattern)


def test_id_pattern_must_be_a_string():
    with pytest.raises(TypeError, match="Expected str but got id_pattern=3"):
        read_submission(FIXTURES / "tagged.ipynb", id_pattern=3)


def gradescope_layout(tmp_path, metadata):
    submission_dir = tmp_path / "autograder" / "submission"
    submission_dir.mkdir(parents=True)
    shutil.copy(FIXTURES / "tagged.ipynb", submission_dir / "conv_arithmetic.ipynb")
    if metadata is not None:
        (tmp_path / "autograder" / "submission_metadata.json").write_text(json.dumps(metadata))
    return submission_dir


@pytest.mark.parametrize(
    "metadata, student",
    [
        ({"users": [{"email": "ada@uni.edu", "name": "Ada L", "id": 7}]}, "ada@uni.edu"),
        ({"users": [{"name": "Ada L", "id": 7}]}, "Ada L"),
        ({"users": []}, "submission"),
        (None, "submission"),
        ({"users": {"0": {"email": "ada@uni.edu"}}}, "submission"),
        ({"users": 7}, "submission"),
    ],
    ids=["email", "name-only", "no-users", "no-metadata-file", "users-an-object", "users-a-number"],
)
def test_gradescope_submission_folder_is_one_submission(tmp_path, metadata, student):
    submission_dir = gradescope_layout(tmp_path, metadata)
    (submission,) = read_submissions(submission_dir)
    assert submission.student_id == student
    assert submission.path == submission_dir
    assert read_submission(submission_dir).student_id == student


def test_manifest_maps_files_to_students(tmp_path):
    for name in ("a.ipynb", "b.ipynb"):
        shutil.copy(FIXTURES / "tagged.ipynb", tmp_path / name)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,student\na.ipynb,s001\n")
    first, second = read_submissions(tmp_path, manifest=manifest, id_pattern="manifest")
    assert (first.student_id, first.problems) == ("s001", ())
    assert second.student_id == "b"
    assert [p.kind for p in second.problems] == ["unknown_student"]


def test_manifest_pattern_without_a_manifest_is_rejected():
    with pytest.raises(ValueError, match="needs manifest="):
        read_submissions(FIXTURES / "tagged.ipynb", id_pattern="manifest")


def test_manifest_needs_file_and_student_columns(tmp_path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,id\na.ipynb,s001\n")
    with pytest.raises(ValueError, match=r"must have columns \('file', 'student'\); got \('path', 'id'\)"):
        read_submissions(FIXTURES / "tagged.ipynb", manifest=manifest)


def canvas_export_with_alice_naming_a_file_like_bob(root, layout):
    """Bob's real Canvas submission at the top, and alice's upload holding a file she named
    like bob's, laid out as ``layout`` says."""
    root.mkdir()
    shutil.copy(FIXTURES / "tagged.ipynb", root / "bob_999_111_conv.ipynb")
    if layout == "student-folder":
        (root / "alice").mkdir()
        shutil.copy(FIXTURES / "tagged.ipynb", root / "alice" / "bob_999_111_conv.ipynb")
    else:  # alice's own zip, holding the file at its top or in a folder of that name
        inner = "bob_999_111_conv.ipynb" if layout == "student-zip" else "bob_999_111_x/bob_999_111_conv.ipynb"
        with zipfile.ZipFile(root / "alice.zip", "w") as zf:
            zf.write(FIXTURES / "tagged.ipynb", inner)
    return root


@pytest.mark.parametrize("layout", ["student-folder", "student-zip", "student-zip-with-a-folder"])
@pytest.mark.parametrize("as_zip", [False, True], ids=["class-folder", "class-zip"])
def test_file_named_like_another_student_inside_an_upload_is_not_merged_with_them(tmp_path, layout, as_zip):
    export = canvas_export_with_alice_naming_a_file_like_bob(tmp_path / "export", layout)
    path = zipped(export, tmp_path / "export.zip") if as_zip else export
    submissions = {s.student_id: s for s in read_submissions(path)}
    assert sorted(submissions) == ["999", "alice"]
    assert submissions["999"].files == (path / "bob_999_111_conv.ipynb",)
    assert submissions["999"].student_name == "bob"
    (alice_file,) = submissions["alice"].files
    assert alice_file.name == "bob_999_111_conv.ipynb"
    assert submissions["alice"].student_name is None


def test_one_folder_given_alone_is_named_by_the_folder_not_its_files(tmp_path):
    folder = tmp_path / "alice"
    folder.mkdir()
    shutil.copy(FIXTURES / "tagged.ipynb", folder / "bob_999_111_conv.ipynb")
    assert read_submission(folder).student_id == "alice"
    (submission,) = read_submissions(folder)  # a folder of submissions: its one file is the student
    assert submission.student_id == "999"


def test_manifest_row_for_a_file_name_does_not_claim_files_inside_other_uploads(tmp_path):
    shutil.copy(FIXTURES / "tagged.ipynb", tmp_path / "bob.ipynb")
    (tmp_path / "alice").mkdir()
    shutil.copy(FIXTURES / "tagged.ipynb", tmp_path / "alice" / "bob.ipynb")
    shutil.copy(FIXTURES / "tagged.ipynb", tmp_path / "alice" / "conv.ipynb")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,student\nbob.ipynb,s002\nalice/conv.ipynb,s001\n")
    submissions = {s.student_id: s for s in read_submissions(tmp_path, manifest=manifest)}
    assert sorted(submissions) == ["s001", "s002"]
    assert submissions["s002"].files == (tmp_path / "bob.ipynb",)
    assert len(submissions["s001"].files) == 2
