"""Class exports as instructors download them: every layout gives one submission per student,
wrappers and nested zips included, and two students are never merged."""
import os
import zipfile
from datetime import datetime, timedelta, timezone

import nbformat
import pytest
from exports import zipped
from nbformat.v4 import new_code_cell, new_notebook

from grader.submission import read_submissions
from grader.submission.reader import DuplicateStudent

FUNCTIONS = ["f", "g"]
ANSWER = "def f(x):\n    return x + 1\n\ndef g(x):\n    return 2 * x\n"
STUB = "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\ndef g(x):\n    pass\n"


def notebook(source=ANSWER) -> str:
    return nbformat.writes(new_notebook(cells=[new_code_cell(source)]))


def write(root, files: dict):
    """``files``: relative path -> text; returns ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def ids(path, **options):
    return sorted(s.student_id for s in read_submissions(path, functions=FUNCTIONS, **options))


FLAT = {"alice.ipynb": notebook(), "bob.ipynb": notebook(), "chen.py": ANSWER}
PER_STUDENT = {"alice/hw.ipynb": notebook(), "bob/hw.ipynb": notebook(), "chen/hw.ipynb": notebook()}
CANVAS = {"smithjohn_12345_6789012_hw.ipynb": notebook(), "doejane_LATE_23456_6789013_hw.ipynb": notebook(),
          "leewei_34567_6789014_hw.ipynb": notebook()}
MOODLE = {"Jane Doe_12345_assignsubmission_file_/hw.ipynb": notebook(),
          "Li Wei_23456_assignsubmission_file_/hw.ipynb": notebook()}
LAYOUTS = {
    "flat": (FLAT, ["alice", "bob", "chen"]),
    "folder-per-student": (PER_STUDENT, ["alice", "bob", "chen"]),
    "canvas": (CANVAS, ["12345", "23456", "34567"]),
    "moodle": (MOODLE, ["12345", "23456"]),
}
WRAPPERS = ["", "class/", "downloads/class/submissions/"]


@pytest.mark.parametrize("wrapper", WRAPPERS, ids=["bare", "one-wrapper", "three-wrappers"])
@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_in_any_wrapper_gives_one_submission_per_student(tmp_path, layout, wrapper, as_zip):
    files, expected = LAYOUTS[layout]
    root = write(tmp_path / "export", {wrapper + rel: text for rel, text in files.items()})
    path = zipped(root, tmp_path / "export.zip") if as_zip else root
    assert ids(path) == expected


def test_macos_junk_beside_a_wrapper_does_not_hide_the_class(tmp_path):
    root = write(tmp_path / "export", {"class/" + rel: text for rel, text in FLAT.items()})
    archive = zipped(root, tmp_path / "export.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr("__MACOSX/class/._alice.ipynb", "junk")
    assert ids(archive) == ["alice", "bob", "chen"]


def test_blackboard_attempts_are_one_student_with_the_time_of_submission(tmp_path):
    root = write(tmp_path / "bb", {
        "Homework 3_jsmith_attempt_2026-11-30-23-59-59_hw.ipynb": notebook(),
        "Homework 3_jsmith_attempt_2026-11-30-23-59-59.txt": "Name: J Smith\n",
        "Homework 3_akim_attempt_2026-12-02-10-00-00_hw.ipynb": notebook(),
    })
    for path in (root, zipped(root, tmp_path / "bb.zip")):
        by_id = {s.student_id: s for s in read_submissions(path, functions=FUNCTIONS)}
        assert sorted(by_id) == ["akim", "jsmith"]
        assert by_id["akim"].submitted_at == datetime(2026, 12, 2, 10, 0, 0)


def test_gradescope_export_names_students_by_email_and_a_group_submission_counts_for_each(tmp_path):
    metadata = (
        "submission_111:\n  :submitters:\n  - :name: Ada L\n    :sid: '1'\n    :email: ada@uni.edu\n"
        "  :created_at: 2026-11-30 23:00:00.123456789 -0800\n"
        "submission_222:\n  :submitters:\n  - :name: Bo\n    :email: bo@uni.edu\n  - :name: Cy\n    :email: cy@uni.edu\n"
        "  :created_at: 2026-12-01 08:00:00 +0000\n"
    )
    root = write(tmp_path / "assignment_9_export", {
        "submission_metadata.yml": metadata,
        "submission_111/hw.ipynb": notebook(), "submission_222/hw.ipynb": notebook(),
    })
    for path in (root, zipped(root, tmp_path / "export.zip")):
        by_id = {s.student_id: s for s in read_submissions(path, functions=FUNCTIONS)}
        assert sorted(by_id) == ["ada@uni.edu", "bo@uni.edu", "cy@uni.edu"]
        assert by_id["ada@uni.edu"].submitted_at == datetime(2026, 11, 30, 23, 0, 0, 123456,
                                                             tzinfo=timezone(timedelta(hours=-8)))
        assert by_id["bo@uni.edu"].files == by_id["cy@uni.edu"].files


def test_github_classroom_repositories_are_named_by_username(tmp_path):
    root = tmp_path / "hw3-submissions"
    for user in ("octocat", "ada-l"):
        write(root, {f"hw3-{user}/hw.ipynb": notebook(), f"hw3-{user}/.git/HEAD": "ref: refs/heads/main\n"})
    assert ids(root) == ids(zipped(root, tmp_path / "hw3.zip")) == ["ada-l", "octocat"]


def test_notebooks_given_one_by_one_with_one_name_are_named_by_their_folders(tmp_path):
    write(tmp_path, {f"{s}/Convolution_model_Step_by_Step_v1.ipynb": notebook() for s in ("ana", "ben", "cai")})
    paths = sorted(tmp_path.glob("*/Convolution_model_Step_by_Step_v1.ipynb"))
    assert ids(paths) == ["ana", "ben", "cai"]


def test_two_submissions_that_would_share_a_guessed_id_are_an_error_listing_both(tmp_path):
    write(tmp_path, {"section1/alice.ipynb": notebook(), "section1/bob.ipynb": notebook(),
                     "section2/alice.ipynb": notebook(), "section2/dan.ipynb": notebook()})
    with pytest.raises(DuplicateStudent) as error:
        read_submissions([tmp_path / "section1", tmp_path / "section2"], functions=FUNCTIONS)
    message = str(error.value)
    assert str(tmp_path / "section1" / "alice.ipynb") in message
    assert str(tmp_path / "section2" / "alice.ipynb") in message
    assert "--manifest" in message


def test_a_manifest_tells_apart_what_names_cannot(tmp_path):
    write(tmp_path, {"section1/alice.ipynb": notebook(), "section2/alice.ipynb": notebook()})
    manifest = write(tmp_path, {"m.csv": "file,student\nsection1/alice.ipynb,s1\nsection2/alice.ipynb,s2\n"}) / "m.csv"
    assert ids(tmp_path, manifest=manifest) == ["s1", "s2"]


def test_copies_of_one_students_file_in_a_flat_folder_are_that_student(tmp_path):
    write(tmp_path, {"alice.ipynb": notebook(STUB), "alice (1).ipynb": notebook(), "bob.ipynb": notebook()})
    by_id = {s.student_id: s for s in read_submissions(tmp_path, functions=FUNCTIONS)}
    assert sorted(by_id) == ["alice", "bob"]
    assert [f.name for f in by_id["alice"].ignored] == ["alice.ipynb"]


def test_the_notebook_with_the_work_is_graded_and_the_choice_is_reported(tmp_path):
    root = write(tmp_path / "class", {
        "alice/conv.ipynb": notebook(),
        "alice/conv-Copy1.ipynb": notebook(STUB),
        "alice/conv.py": ANSWER.replace("x + 1", "x + 2"),  # an older export of an unfinished notebook
        "alice/helpers.py": "def helper():\n    return 3\n",
        "bob/conv.ipynb": notebook(),
    })
    old = datetime(2026, 1, 1).timestamp()
    os.utime(root / "alice" / "conv.py", (old, old))
    alice = next(s for s in read_submissions(root, functions=FUNCTIONS) if s.student_id == "alice")
    assert sorted(f.name for f in alice.ignored) == ["conv-Copy1.ipynb", "conv.py"]
    assert {c.origin.split(",")[0] for c in alice.chunks} == {"conv.ipynb", "helpers.py"}
    (choice,) = [p for p in alice.problems if p.kind == "several_files"]
    assert "graded conv.ipynb" in choice.message and "conv-Copy1.ipynb (0 of 2 implemented)" in choice.message


def test_the_newest_of_two_equally_finished_notebooks_is_graded(tmp_path):
    root = write(tmp_path / "class", {"alice/a.ipynb": notebook(), "alice/b.ipynb": notebook(),
                                      "bob/hw.ipynb": notebook()})
    old = datetime(2026, 1, 1).timestamp()
    os.utime(root / "alice" / "b.ipynb", (old, old))
    alice = next(s for s in read_submissions(root, functions=FUNCTIONS) if s.student_id == "alice")
    assert [f.name for f in alice.ignored] == ["b.ipynb"]


def test_modules_that_each_define_other_functions_are_all_graded(tmp_path):
    root = write(tmp_path / "class", {
        "alice/layers.py": "def f(x):\n    return x + 1\n", "alice/optim.py": "def g(x):\n    return 2 * x\n",
        "bob/layers.py": "def f(x):\n    return x + 1\n", "bob/optim.py": "def g(x):\n    return 2 * x\n",
    })
    submissions = read_submissions(root, functions=FUNCTIONS)
    assert sorted(s.student_id for s in submissions) == ["alice", "bob"]
    assert all(s.ignored == () and set(FUNCTIONS) <= set(s.defined) for s in submissions)


def test_one_students_folder_of_a_notebook_and_its_module_in_a_wrapper_is_one_submission(tmp_path):
    write(tmp_path / "wrap", {"alice/hw.ipynb": notebook("def f(x):\n    return x + 1\n"),
                              "alice/util.py": "def g(x):\n    return 2 * x\n"})
    assert ids(tmp_path / "wrap") == ["alice"]


def test_files_the_course_shipped_are_not_student_code(tmp_path):
    root = write(tmp_path / "class", {
        "alice/hw.ipynb": notebook(), "alice/public_tests.py": "def f(x):\n    return 0\n",
        "bob/hw.ipynb": notebook(),
    })
    alice = next(s for s in read_submissions(root, functions=FUNCTIONS, course_files=["public_tests.py"])
                 if s.student_id == "alice")
    assert [f.name for f in alice.files] == ["hw.ipynb"]
    assert not any(p.kind == "several_files" for p in alice.problems)
