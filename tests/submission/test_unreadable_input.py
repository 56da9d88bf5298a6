"""Input the reader cannot read never raises: it is a Problem of the submission it belongs to,
and every other submission of the batch is still read."""
import struct
import zipfile
from pathlib import Path

import nbformat
import pytest

import grader.submission.reader as reader
from grader.submission import read_submission, read_submissions

GOOD = nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def f():\n    return 1\n")]))


def write_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return path


def by_id(submissions):
    return {s.student_id: s for s in submissions}


def assert_read(submission):
    assert submission.problems == () and "f" in submission.defined


def with_bad_utf8_name(archive: Path, name: str) -> Path:
    """Replace the non-ASCII letter of ``name`` by bytes that are not UTF-8, in both headers,
    leaving the UTF-8 flag that zipfile set for it."""
    data = archive.read_bytes()
    good = name.encode("utf-8")
    assert data.count(good) == 2  # the local header and the central directory
    with zipfile.ZipFile(archive) as zf:
        assert zf.getinfo(name).flag_bits & 0x800
    archive.write_bytes(data.replace(good, good.replace("é".encode(), b"\xff\xfe")))
    return archive


@pytest.mark.parametrize("nested", [False, True], ids=["in-the-class-zip", "in-a-student-zip"])
def test_member_name_flagged_utf8_that_is_not_is_a_problem_and_the_rest_is_read(tmp_path, nested):
    if nested:
        inner = with_bad_utf8_name(write_zip(tmp_path / "bob.zip", {"notes_é.ipynb": GOOD, "conv.ipynb": GOOD}), "notes_é.ipynb")
        archive = write_zip(tmp_path / "class.zip", {"alice.ipynb": GOOD, "bob.zip": inner.read_bytes(), "carol.ipynb": GOOD})
        bad = "bob/notes_\\xff\\xfe.ipynb"
    else:
        archive = with_bad_utf8_name(
            write_zip(tmp_path / "class.zip", {"alice.ipynb": GOOD, "bob_é.ipynb": GOOD, "carol.ipynb": GOOD}), "bob_é.ipynb"
        )
        bad = "bob_\\xff\\xfe.ipynb"
    students = by_id(read_submissions(archive, functions=["f"]))
    bob = students.pop(bad.split("/")[0].removesuffix(".ipynb"))
    assert sorted(students) == ["alice", "carol"]
    assert_read(students["alice"])
    assert_read(students["carol"])
    problem = bob.problems[0]
    assert (problem.kind, problem.file) == ("invalid_archive", bad)
    assert "byte 0xff at position" in problem.message and "expected UTF-8 file names" in problem.message
    if nested:
        assert "f" in bob.defined  # bob's other file is still read


def with_corrupt_deflate_data(archive: Path, name: str) -> Path:
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        offset = zf.getinfo(name).header_offset
    name_length, extra_length = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_length + extra_length
    data[start : start + 8] = bytes(b ^ 0xFF for b in data[start : start + 8])
    archive.write_bytes(bytes(data))
    return archive


def test_member_with_corrupt_compressed_data_is_a_problem_and_the_rest_is_read(tmp_path):
    archive = write_zip(tmp_path / "class.zip", {"alice.ipynb": GOOD, "bob.ipynb": GOOD * 20, "carol.ipynb": GOOD})
    with_corrupt_deflate_data(archive, "bob.ipynb")
    students = by_id(read_submissions(archive, functions=["f"]))
    assert sorted(students) == ["alice", "bob", "carol"]
    assert_read(students["alice"])
    assert_read(students["carol"])
    problem = students["bob"].problems[0]
    assert (problem.kind, problem.file) == ("invalid_archive", "bob.ipynb")
    assert "could not be read from class.zip (zlib.error: Error -3 while decompressing data" in problem.message


DEEP = 100_000


def notebook_text(*cells) -> str:
    return nbformat.writes(nbformat.v4.new_notebook(cells=list(cells)))


def with_deep_metadata(text: str, depth: int) -> str:
    """``text`` with the last cell's metadata holding lists nested ``depth`` deep (json.dumps
    itself could not write them)."""
    marker = '"DEEP-LISTS-HERE"'
    nb = nbformat.reads(text, as_version=4)
    nb.cells[-1].metadata["x"] = "DEEP-LISTS-HERE"
    return nbformat.writes(nb).replace(marker, "[" * depth + "]" * depth)


@pytest.mark.parametrize(
    "text",
    [
        "[" * DEEP + "]" * DEEP,
        with_deep_metadata(GOOD, DEEP),
        '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": ' + "9" * 5000 + "}",
        "[1, 2, 3]",
    ],
    ids=["whole-file-nested-100000-deep", "cell-metadata-nested-100000-deep", "5000-digit-integer", "json-array"],
)
def test_notebook_json_python_cannot_take_is_a_problem_and_the_class_is_still_read(tmp_path, text):
    (tmp_path / "alice.ipynb").write_text(text)
    (tmp_path / "bob.ipynb").write_text(GOOD)
    alice, bob = read_submissions(tmp_path, functions=["f"])
    assert_read(bob)
    problem = alice.problems[0]
    assert (problem.kind, problem.file) == ("invalid_notebook", "alice.ipynb")
    assert "; expected a Jupyter notebook" in problem.message


def test_json_nested_deeper_than_any_notebook_is_a_problem_naming_its_cell(tmp_path):
    cells = [nbformat.v4.new_code_cell("def f():\n    return 1\n"), nbformat.v4.new_markdown_cell("notes"),
             nbformat.v4.new_code_cell("x = 2\n")]
    (tmp_path / "alice.ipynb").write_text(with_deep_metadata(notebook_text(*cells), 300))
    (submission,) = read_submissions(tmp_path)
    (problem,) = submission.problems
    assert problem.cell == 2
    assert problem.message == (
        "alice.ipynb nests lists or objects more than 100 levels deep in cell 2; "
        "expected a Jupyter notebook, whose JSON nests a few levels"
    )


@pytest.mark.parametrize(
    "source",
    ["x = " + "-" * 20_000 + "1\n", "x = " + "+".join(["1"] * 20_000) + "\n", "import a\nx = a" + ".b" * 20_000 + "\n"],
    ids=["20000-unary-minuses", "sum-of-20000-terms", "20000-attributes"],
)
def test_code_nested_too_deeply_to_compile_costs_only_its_own_cell(tmp_path, source):
    cells = [nbformat.v4.new_code_cell("def f():\n    return 1\n"), nbformat.v4.new_code_cell(source)]
    (tmp_path / "alice.ipynb").write_text(notebook_text(*cells))
    (alice,) = read_submissions(tmp_path, functions=["f"])
    assert "f" in alice.defined
    (problem,) = alice.problems
    assert (problem.kind, problem.cell) == ("syntax_error", 2)


@pytest.mark.parametrize(
    "config", ["[" * 1000, "name: q1\n" + "# padding\n" * 2000], ids=["nested-1000-deep", "longer-than-any-config"]
)
def test_otter_question_config_yaml_cannot_take_quickly_gets_the_default_name(tmp_path, config):
    cells = [nbformat.v4.new_raw_cell("# BEGIN QUESTION\n" + config), nbformat.v4.new_code_cell("def f():\n    return 1\n"),
             nbformat.v4.new_raw_cell("# END QUESTION")]
    (tmp_path / "alice.ipynb").write_text(notebook_text(*cells))
    (alice,) = read_submissions(tmp_path, functions=["f"])
    assert alice.problems == ()
    assert alice.chunks[0].label == "otter question at position 1"


def test_file_whose_name_on_disk_is_not_utf8_is_read(tmp_path):
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "conv.ipynb").write_text(GOOD)
    (folder / "helpers_\udcff.py").write_text("def g():\n    return 2\n")  # bytes b"helpers_\xff.py"
    (alice,) = read_submissions(tmp_path, functions=["f", "g"])
    assert alice.problems == ()
    assert len(alice.file_sha256) == 64


def test_grader_failure_on_one_submission_is_its_problem_and_the_others_are_read(tmp_path, monkeypatch):
    for student in ("alice", "bob"):
        (tmp_path / f"{student}.ipynb").write_text(GOOD)
    real_load = reader.load_notebook

    def failing_on_alice(data, name):
        if name == "alice.ipynb":
            raise RuntimeError("a failure the reader does not know")
        return real_load(data, name)

    monkeypatch.setattr(reader, "load_notebook", failing_on_alice)
    alice, bob = read_submissions(tmp_path, functions=["f"])
    assert_read(bob)
    (problem,) = alice.problems
    assert (problem.kind, problem.file) == ("unreadable", "alice.ipynb")
    assert "(RuntimeError: a failure the reader does not know)" in problem.message
    assert "a person should look at this one" in problem.message
    assert (alice.student_id, alice.files, alice.chunks) == ("alice", (tmp_path / "alice.ipynb",), ())


def test_grader_failure_on_one_input_is_its_problem_and_the_other_inputs_are_read(tmp_path, monkeypatch):
    alice, bob = write_zip(tmp_path / "alice_1_2_conv.zip", {"conv.ipynb": GOOD}), tmp_path / "bob.ipynb"
    bob.write_text(GOOD)
    real_expand = reader.expand

    def failing_on_alice(path, *args):
        if path == alice:
            raise MemoryError
        return real_expand(path, *args)

    monkeypatch.setattr(reader, "expand", failing_on_alice)
    failed, read = read_submissions([alice, bob], functions=["f"])
    assert_read(read)
    assert failed.student_id == "1"  # still named by the Canvas name of the file
    assert [p.kind for p in failed.problems] == ["unreadable"]  # not also "defines no function": nothing was read
    assert "(MemoryError: )" in failed.problems[0].message


def test_grader_failure_on_the_one_submission_asked_for_is_its_problem(tmp_path, monkeypatch):
    path = tmp_path / "alice.ipynb"
    path.write_text(GOOD)
    monkeypatch.setattr(reader, "extract_chunks", lambda *a, **k: 1 / 0)
    submission = read_submission(path, functions=["f"])
    assert [p.kind for p in submission.problems] == ["unreadable"]
    assert "ZeroDivisionError: division by zero" in submission.problems[0].message


def test_path_that_does_not_exist_is_still_the_callers_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_submission(tmp_path / "nowhere.ipynb")
