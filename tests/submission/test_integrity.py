"""nbgrader checksums (edited locked cells) and the sha256 fingerprints of a submission."""
import hashlib
from pathlib import Path

import nbformat
import pytest

from grader.submission import compute_checksum, nbgrader_checksum, read_submission

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# Checksums written by nbgrader itself, in jupyter/nbgrader's test file
# nbgrader/tests/apps/files/submitted-unchanged.ipynb (nbformat 4.0, schema version 3).
NBGRADER_KNOWN = [
    ("print(\"Don't change this cell!\")", "code", dict(grade=False, solution=False, locked=True, grade_id="ro1"),
     "86f5f877fe95faac003fcd4b8d43d093"),
    ('print("Success!")', "code", dict(grade=True, solution=False, locked=False, grade_id="foo", points=1.0),
     "8bb5c7c6f388fae724e5ef53dc4deeb2"),
    ("# YOUR CODE HERE\nraise NotImplementedError()", "code", dict(grade=False, solution=True, locked=False, grade_id="set_a"),
     "3d6aac4236f8e1ec85380e692dcc51b1"),
    ("This cell shouldn't be changed.", "markdown", dict(grade=False, solution=False, locked=True, grade_id="ro2"),
     "0122b50e5eaf367b9874d07ebaf80521"),
    ("YOUR ANSWER HERE", "markdown", dict(grade=True, solution=True, locked=False, grade_id="baz", points=2.0),
     "9e51fd0022c24c4105e38369d2f9d751"),
]


@pytest.mark.parametrize(
    "source, cell_type, meta, expected", NBGRADER_KNOWN, ids=["locked-code", "grade-code", "solution-code", "locked-markdown", "graded-answer"]
)
def test_checksum_matches_the_one_nbgrader_wrote(source, cell_type, meta, expected):
    assert nbgrader_checksum(source, cell_type, {"schema_version": 3, **meta}) == expected


def test_checksum_of_an_nbformat_cell_joins_list_sources():
    cell = {"cell_type": "code", "source": ["print(\"Don't change ", "this cell!\")"],
            "metadata": {"nbgrader": dict(grade=False, solution=False, locked=True, grade_id="ro1")}}
    assert compute_checksum(cell) == "86f5f877fe95faac003fcd4b8d43d093"


def test_unedited_nbgrader_notebook_has_no_integrity_problem():
    assert read_submission(FIXTURES / "nbgrader_style.ipynb").problems == ()


def test_edited_locked_cells_are_reported_with_their_cell_numbers():
    submission = read_submission(FIXTURES / "nbgrader_locked_cell_edited.ipynb")
    edited = [p for p in submission.problems if p.kind == "locked_cell_edited"]
    assert [(p.cell, p.file) for p in edited] == [(1, "nbgrader_locked_cell_edited.ipynb"), (3, "nbgrader_locked_cell_edited.ipynb")]
    assert "'imports' is locked but was edited" in edited[0].message
    assert "'test_conv_output_size'" in edited[1].message


def test_changed_cell_type_is_reported(tmp_path):
    nb = nbformat.read(FIXTURES / "nbgrader_style.ipynb", as_version=4)
    nb.cells[0].cell_type = "raw"  # the intro markdown cell, turned into a raw cell
    path = tmp_path / "changed_type.ipynb"
    nbformat.write(nb, path)
    problems = read_submission(path).problems
    assert [p.kind for p in problems] == ["cell_type_changed", "locked_cell_edited"]
    assert "was a markdown cell and is now a raw cell" in problems[0].message


def test_sha256_of_the_file_and_of_the_extracted_source():
    path = FIXTURES / "tagged.ipynb"
    submission = read_submission(path)
    assert submission.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert submission.source_sha256 == hashlib.sha256(submission.source.encode()).hexdigest()


def test_extracted_source_hash_ignores_what_definitions_mode_drops(tmp_path):
    nb = nbformat.read(FIXTURES / "tagged.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print('one more experiment')"))
    path = tmp_path / "tagged_plus_print.ipynb"
    nbformat.write(nb, path)
    original, changed = read_submission(FIXTURES / "tagged.ipynb"), read_submission(path)
    assert changed.file_sha256 != original.file_sha256
    assert changed.source_sha256 == original.source_sha256
