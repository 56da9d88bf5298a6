"""Limits on what a zip may expand to: past one, the rest is a Problem of that submission only.

The limits are lowered here (``small_limits``) so that a "zip bomb" stays a few kilobytes.
"""
import struct
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.submission import limits, read_submission, read_submissions

FILE_LIMIT = 20_000
ARCHIVE_LIMIT = 50_000
MEMBER_LIMIT = 4


def notebook(source="def f():\n    return 1\n") -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    return nbformat.writes(nb)


def padded_notebook(size: int) -> str:
    """A valid notebook of about ``size`` bytes that compresses to almost nothing."""
    return notebook("def f():\n    return 1\n" + "#" * size + "\n")


def write_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return path


def kinds(submission):
    return [p.kind for p in submission.problems]


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", FILE_LIMIT)
    monkeypatch.setattr(limits, "MAX_ARCHIVE_BYTES", ARCHIVE_LIMIT)
    monkeypatch.setattr(limits, "MAX_ARCHIVE_MEMBERS", MEMBER_LIMIT)


def class_zip_with_alice_zip(tmp_path, alice_members):
    alice = write_zip(tmp_path / "alice.zip", alice_members)
    return write_zip(tmp_path / "class.zip", {"alice.zip": alice.read_bytes(), "bob.ipynb": notebook()})


def test_student_zip_expanding_past_the_archive_limit_costs_only_that_student(tmp_path, small_limits):
    members = {f"part{i}.ipynb": padded_notebook(18_000) for i in range(3)}  # ~55 kB, over 50 kB
    archive = class_zip_with_alice_zip(tmp_path, members)
    assert archive.stat().st_size < 10_000
    alice, bob = read_submissions(archive, functions=["f"])
    assert (alice.student_id, bob.student_id) == ("alice", "bob")
    assert bob.problems == () and "f" in bob.defined
    (problem,) = [p for p in alice.problems if p.kind == "archive_too_large"]
    assert f"expected at most {ARCHIVE_LIMIT} bytes in all" in problem.message
    assert problem.message.startswith(problem.file + " and the zip members after it were not read")
    assert [p.name for p in alice.files] == ["part0.ipynb", "part1.ipynb"]  # what fitted
    assert "f" in alice.defined


def test_member_expanding_past_the_file_limit_is_read_no_further(tmp_path, small_limits, monkeypatch):
    bomb = b"0" * (FILE_LIMIT * 50)  # compresses about a thousandfold
    archive = write_zip(tmp_path / "class.zip", {"alice.ipynb": bomb, "bob.ipynb": notebook()})
    sizes = []
    real_open = zipfile.ZipFile.open

    def recording_open(self, *args, **kwargs):
        member = real_open(self, *args, **kwargs)
        real_read = member.read
        member.read = lambda n=-1: sizes.append(n) or real_read(n)
        return member

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    alice, bob = read_submissions(archive)
    assert kinds(alice) == ["file_too_large"]
    assert f"alice.ipynb is more than {FILE_LIMIT} bytes uncompressed" in alice.problems[0].message
    assert bob.problems == ()
    assert all(0 < n <= FILE_LIMIT + 1 for n in sizes)  # bounded reads, never "read it all"


def set_declared_size(archive: Path, name: str, size: int) -> None:
    """Make both headers of member ``name`` claim ``size`` uncompressed bytes."""
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        local = zf.getinfo(name).header_offset
    central = data.rindex(b"PK\x01\x02", 0, data.rindex(name.encode()))  # the record naming it
    struct.pack_into("<L", data, local + 22, size)
    struct.pack_into("<L", data, central + 24, size)
    archive.write_bytes(bytes(data))


def test_header_claiming_a_huge_size_does_not_stop_a_small_file_being_read(tmp_path, small_limits):
    archive = write_zip(tmp_path / "class.zip", {"alice.ipynb": notebook()})
    set_declared_size(archive, "alice.ipynb", 10**9)
    with zipfile.ZipFile(archive) as zf:
        assert zf.getinfo("alice.ipynb").file_size == 10**9
    (alice,) = read_submissions(archive, functions=["f"])
    assert alice.problems == () and "f" in alice.defined


def test_header_claiming_a_small_size_cannot_make_the_reader_take_more(tmp_path, small_limits):
    archive = write_zip(tmp_path / "class.zip", {"alice.ipynb": padded_notebook(FILE_LIMIT * 10), "bob.ipynb": notebook()})
    set_declared_size(archive, "alice.ipynb", 100)
    alice, bob = read_submissions(archive, functions=["f"])
    assert kinds(alice)[0] == "invalid_archive"
    assert "could not be read from class.zip" in alice.problems[0].message
    assert bob.problems == ()


def test_student_zip_with_more_members_than_the_limit_costs_only_that_student(tmp_path, small_limits):
    members = {f"part{i}.py": f"def f{i}():\n    return {i}\n" for i in range(MEMBER_LIMIT + 3)}
    archive = class_zip_with_alice_zip(tmp_path, members)
    alice, bob = read_submissions(archive)
    # The nested zip itself is one of alice's members, so three of its files fit.
    assert [p.name for p in alice.files] == ["part0.py", "part1.py", "part2.py"]
    (problem,) = alice.problems
    assert problem.kind == "archive_too_large"
    assert problem.file == "alice/part3.py"
    assert f"expected at most {MEMBER_LIMIT} in all" in problem.message
    assert bob.problems == ()


def test_each_student_of_a_class_zip_has_their_own_budget(tmp_path, small_limits):
    members = {f"{student}.ipynb": padded_notebook(15_000) for student in ("ann", "ben", "cat", "dan", "eve")}
    archive = write_zip(tmp_path / "class.zip", members)  # 75 kB in all, 15 kB each
    submissions = read_submissions(archive, functions=["f"])
    assert [s.student_id for s in submissions] == ["ann", "ben", "cat", "dan", "eve"]
    assert all(s.problems == () for s in submissions)


def test_class_zip_is_read_from_its_file_not_loaded_whole(tmp_path, monkeypatch):
    archive = write_zip(tmp_path / "class.zip", {"alice.ipynb": notebook(), "bob.ipynb": notebook()})
    real_read_bytes = Path.read_bytes

    def no_whole_zips(self):
        assert self.suffix != ".zip", f"{self} was loaded whole"
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", no_whole_zips)
    assert [s.student_id for s in read_submissions(archive)] == ["alice", "bob"]


def test_oversized_file_in_a_class_folder_is_that_students_problem(tmp_path, small_limits):
    (tmp_path / "alice.ipynb").write_text(padded_notebook(FILE_LIMIT * 2))
    (tmp_path / "bob.ipynb").write_text(notebook())
    alice, bob = read_submissions(tmp_path, functions=["f"])
    assert alice.student_id == "alice"
    assert kinds(alice) == ["file_too_large"]  # the cause alone: nothing was read, so no "defines no function"
    assert f"expected at most {FILE_LIMIT} bytes" in alice.problems[0].message
    assert bob.problems == ()


def test_oversized_file_given_directly_is_a_problem_not_read(tmp_path, small_limits):
    path = tmp_path / "alice.ipynb"
    path.write_text(padded_notebook(FILE_LIMIT * 2))
    submission = read_submission(path)
    assert kinds(submission) == ["file_too_large"]
    assert submission.files == ()
