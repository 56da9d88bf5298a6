"""Input the reader cannot read never raises: it is a Problem of the submission it belongs to,
and every other submission of the batch is still read."""
import struct
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.submission import read_submissions

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
