"""Finding the graded code: tags, nbgrader, Coursera and Otter markers, and the fallback."""
from pathlib import Path

import nbformat
import pytest

from grader.submission import read_submission

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FUNCTIONS = ["conv_output_size", "pool_output_size", "conv_param_count", "receptive_field"]


def run(submission):
    """Execute the extracted chunks (trusted fixtures only) and return the namespace."""
    namespace = {"__name__": "student"}
    for chunk in submission.chunks:
        exec(compile(chunk.source, chunk.origin, "exec"), namespace)
    return namespace


@pytest.mark.parametrize(
    "fixture, label",
    [
        ("tagged.ipynb", "tag graded:conv_output_size"),
        ("nbgrader_style.ipynb", "nbgrader conv_output_size"),
        ("coursera_markers.ipynb", "GRADED FUNCTION: conv_output_size"),
        ("otter_style.ipynb", "otter q1"),
    ],
    ids=["tags", "nbgrader", "coursera", "otter"],
)
def test_each_marking_style_finds_all_graded_functions(fixture, label):
    submission = read_submission(FIXTURES / fixture, functions=FUNCTIONS)
    assert submission.problems == ()
    conv_chunk = next(c for c in submission.chunks if "conv_output_size" in c.names)
    assert conv_chunk.label == label
    assert run(submission)["conv_output_size"](32, 3, padding=1) == 32


def test_tagged_cell_wins_over_a_later_untagged_redefinition():
    submission = read_submission(FIXTURES / "tagged.ipynb", functions=FUNCTIONS)
    assert submission.defined["conv_output_size"] == "tagged.ipynb, cell 2"
    assert run(submission)["conv_output_size"](32, 3) == 30


def test_nbgrader_test_cells_are_not_student_code():
    submission = read_submission(FIXTURES / "nbgrader_style.ipynb")
    assert "assert" not in submission.source
    assert [c.cell for c in submission.chunks] == [1, 2, 4, 6]


def test_nbgrader_solution_markers_are_blanked_keeping_line_numbers():
    submission = read_submission(FIXTURES / "nbgrader_style.ipynb")
    conv = next(c for c in submission.chunks if c.cell == 2)
    assert "BEGIN SOLUTION" not in conv.source
    assert conv.source.split("\n")[1].startswith("def conv_output_size")


def test_otter_tests_and_check_calls_are_left_out_and_solution_markers_stripped():
    submission = read_submission(FIXTURES / "otter_style.ipynb")
    assert "grader.check" not in submission.source
    assert "HIDDEN" not in submission.source
    assert "test_pool" not in submission.defined
    assert "# BEGIN SOLUTION" not in submission.source and "# END SOLUTION" not in submission.source


def test_functions_whose_coursera_markers_were_deleted_are_found_elsewhere():
    submission = read_submission(FIXTURES / "coursera_markers_deleted.ipynb", functions=FUNCTIONS)
    assert submission.problems == ()
    by_name = {name: c for c in submission.chunks for name in c.names}
    assert by_name["conv_output_size"].label == "GRADED FUNCTION: conv_output_size"
    assert by_name["pool_output_size"].label is None
    assert run(submission)["receptive_field"]([(3, 1), (3, 1)]) == 5


def test_function_defined_twice_the_later_cell_wins():
    submission = read_submission(FIXTURES / "function_defined_twice.ipynb", functions=FUNCTIONS)
    assert submission.defined["conv_output_size"] == "function_defined_twice.ipynb, cell 4"
    assert run(submission)["conv_output_size"](32, 3, stride=2) == 15  # floor division, not 15.5


def test_missing_function_is_one_problem_per_name():
    submission = read_submission(FIXTURES / "tagged.ipynb", functions=FUNCTIONS + ["conv2d", "max_pool"])
    messages = [(p.kind, p.message) for p in submission.problems]
    assert messages == [
        ("missing_function", "conv2d is not defined in any cell; expected a function named conv2d"),
        ("missing_function", "max_pool is not defined in any cell; expected a function named max_pool"),
    ]


@pytest.mark.parametrize("functions", ["conv_output_size", [3]], ids=["a-string", "not-an-identifier"])
def test_functions_must_be_a_list_of_identifiers(functions):
    with pytest.raises((TypeError, ValueError), match="functions"):
        read_submission(FIXTURES / "tagged.ipynb", functions=functions)


def test_a_coursera_marker_inside_a_string_marks_nothing(tmp_path):
    scratch = 'NOTES = """\n# GRADED FUNCTION: conv_output_size\n"""\ndef conv_output_size(n, k):\n    return -1\n'
    graded = "# GRADED FUNCTION: conv_output_size\ndef conv_output_size(n, k, stride=1, padding=0):\n" \
             "    return (n + 2 * padding - k) // stride + 1\n"
    path = tmp_path / "marker_in_string.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(graded),
                                                   nbformat.v4.new_code_cell(scratch)]), path)
    submission = read_submission(path, functions=["conv_output_size"])
    assert [c.label for c in submission.chunks] == ["GRADED FUNCTION: conv_output_size", None]
    assert submission.defined["conv_output_size"] == "marker_in_string.ipynb, cell 1"


@pytest.mark.parametrize("scratch", [
    "conv_output_size = lambda n, k: -1\n",
    "conv_output_size = None\n",
    "conv_output_size: object = print\n",
    "def conv_output_size(n, k):\n    return -1\n",
], ids=["lambda", "none", "annotated", "def"])
def test_a_scratch_cell_that_binds_a_graded_name_again_does_not_count(tmp_path, scratch):
    graded = "conv_output_size = lambda n, k, stride=1, padding=0: (n + 2 * padding - k) // stride + 1\n"
    cells = [nbformat.v4.new_code_cell(graded, metadata={"tags": ["graded:conv_output_size"]}),
             nbformat.v4.new_code_cell(scratch + "LIMIT = 3\n")]
    path = tmp_path / "scratch.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    submission = read_submission(path, functions=["conv_output_size"])
    namespace = run(submission)
    assert namespace["conv_output_size"](32, 3, padding=1) == 32  # the marked cell's, lambda and all
    assert namespace["LIMIT"] == 3  # the rest of the scratch cell still loads
