"""Reading student files: notebook versions, scripts, and files that are not notebooks at all."""
from pathlib import Path

import pytest

from grader.submission import read_submission

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FUNCTIONS = ["conv_output_size", "pool_output_size", "conv_param_count", "receptive_field"]


def kinds(submission):
    return [p.kind for p in submission.problems]


def test_nbformat3_notebook_is_converted_and_its_functions_found():
    submission = read_submission(FIXTURES / "nbformat3.ipynb", functions=FUNCTIONS)
    assert submission.problems == ()
    assert set(FUNCTIONS) <= set(submission.defined)
    # nbformat 3 prompt numbers become execution counts; the heading cell is not a code cell.
    assert [c.execution_count for c in submission.chunks] == [1, 2, 3, 4, 5]
    assert submission.chunks[1].origin == "nbformat3.ipynb, cell 2"


def test_invalid_json_is_a_problem_naming_file_line_and_column_not_an_exception():
    submission = read_submission(FIXTURES / "not_json.ipynb")
    assert submission.chunks == ()
    (problem,) = submission.problems
    assert problem.kind == "invalid_notebook"
    assert problem.file == "not_json.ipynb"
    assert "line 4, column 3" in problem.message
    assert problem.line == 4


def test_non_utf8_file_is_a_problem(tmp_path):
    path = tmp_path / "latin1.ipynb"
    path.write_bytes('{"cells": [], "note": "caf\xe9"}'.encode("latin-1"))
    submission = read_submission(path)
    assert kinds(submission) == ["not_utf8"]
    assert "byte 0xe9" in submission.problems[0].message


@pytest.mark.parametrize("content", [b"", b"  \n"], ids=["zero-bytes", "whitespace-only"])
def test_empty_file_is_a_problem(tmp_path, content):
    path = tmp_path / "empty.ipynb"
    path.write_bytes(content)
    submission = read_submission(path, functions=["conv_output_size"])
    assert kinds(submission) == ["empty_file", "missing_function"]


def test_notebook_without_cells_is_a_problem(tmp_path):
    path = tmp_path / "no_cells.ipynb"
    path.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    assert kinds(read_submission(path)) == ["empty_notebook"]


def test_json_that_is_not_a_notebook_is_a_problem(tmp_path):
    path = tmp_path / "list.ipynb"
    path.write_text("[1, 2, 3]")
    assert kinds(read_submission(path)) == ["invalid_notebook"]


def test_python_file_is_one_chunk_named_by_the_file(tmp_path):
    path = tmp_path / "alice.py"
    path.write_text("import math\n\ndef conv_output_size(n, k):\n    return n - k + 1\n\nprint('hi')\n")
    submission = read_submission(path, functions=["conv_output_size"])
    (chunk,) = submission.chunks
    assert (chunk.origin, chunk.cell, chunk.names) == ("alice.py", None, ("math", "conv_output_size"))
    assert "print" not in chunk.source
    assert submission.student_id == "alice"


def test_python_file_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "bob.py"
    path.write_text("x = 1\ndef f(:\n    pass\n")
    (problem,) = read_submission(path).problems
    assert (problem.kind, problem.file, problem.cell, problem.line) == ("syntax_error", "bob.py", None, 2)
