"""Problems say where the student must look: a .py file is a file with lines, never a cell, and
a function lost to a syntax error points at the cell (or file) and line that do not parse."""
from pathlib import Path

import nbformat
import pytest

from grader.submission import read_submission

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FUNCTIONS = ["conv_output_size", "pool_output_size", "conv_param_count", "receptive_field"]


def by_kind(submission):
    return {p.kind: p for p in submission.problems}


def notebook(tmp_path, *sources, name="student.ipynb"):
    path = tmp_path / name
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)
    return path


def test_a_py_file_that_does_not_parse_is_named_as_a_file_with_its_line(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("import math\n\ndef f(:\n    return 1\n")
    (problem,) = read_submission(path).problems
    assert (problem.kind, problem.file, problem.cell, problem.line) == ("syntax_error", "broken.py", None, 3)
    assert problem.message.startswith("broken.py does not parse: SyntaxError: ")
    assert problem.message.endswith("at line 3; nothing this file defines can be graded until it parses")
    assert "cell" not in problem.message


def test_a_function_missing_from_a_py_file_is_missing_from_that_file(tmp_path):
    path = tmp_path / "solution.py"
    path.write_text("def f():\n    return 1\n")
    (problem,) = read_submission(path, functions=["f", "g"]).problems
    assert (problem.kind, problem.file, problem.cell, problem.line) == ("missing_function", "solution.py", None, None)
    assert problem.message == "g is not defined in solution.py; expected a function named g"


def test_a_function_in_a_cell_that_does_not_parse_points_at_that_cell_and_line():
    missing = by_kind(read_submission(FIXTURES / "cell_does_not_parse.ipynb", functions=FUNCTIONS))["missing_function"]
    assert (missing.file, missing.cell, missing.line) == ("cell_does_not_parse.ipynb", 3, 1)
    assert missing.message == (
        "pool_output_size is not defined in any cell; expected a function named pool_output_size "
        "(cell 3 (In [7]) has 'def pool_output_size' but does not parse at line 1: fix its syntax error)"
    )


def test_a_function_in_a_py_file_that_does_not_parse_points_at_the_file_and_line(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("def f():\n    return 1\n\ndef g(x:\n    return x\n")
    missing = by_kind(read_submission(path, functions=["f", "g"]))["missing_function"]
    assert (missing.file, missing.cell, missing.line) == ("broken.py", None, 4)
    assert missing.message == (
        "g is not defined in broken.py; expected a function named g "
        "(broken.py has 'def g' but does not parse at line 4: fix its syntax error)"
    )


@pytest.mark.parametrize("source, has_the_def", [
    ('x = "no closing quote\ndef g():\n    return 1\n', True),
    ("@decorator\nasync def g():\n    return 1\nprint(\n", True),
    ("def g(x):\n    return x +\n", True),
    ('NOTES = """\ndef g(x):\n"""\nprint(\n', False),
    ("class Helper:\n    def g(self):\n        return 1\nprint(\n", False),
    ("# def g(x): was here\nprint(\n", False),
], ids=["syntax-error-before-the-def", "async-def-with-decorator", "error-inside-the-def",
        "def-in-a-string", "method-of-a-class", "def-in-a-comment"])
def test_only_a_top_level_def_in_a_cell_that_does_not_parse_is_pointed_at(tmp_path, source, has_the_def):
    path = notebook(tmp_path, "def f():\n    return 1\n", source)
    missing = by_kind(read_submission(path, functions=["f", "g"]))["missing_function"]
    plain = "g is not defined in any cell; expected a function named g"
    if has_the_def:
        assert (missing.cell, missing.line) == (2, by_kind(read_submission(path))["syntax_error"].line)
        assert missing.message.startswith(plain + " (cell 2 has 'def g' but does not parse at line ")
    else:
        assert (missing.cell, missing.line, missing.message) == (None, None, plain)
