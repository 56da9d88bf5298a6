"""Definitions-only extraction: what is kept, what is dropped, and line numbers that stay right."""
import traceback
from pathlib import Path

import nbformat
import pytest

from grader.submission import read_submission, strip_ipython

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FUNCTIONS = ["conv_output_size", "pool_output_size", "conv_param_count", "receptive_field"]


def run(submission):
    namespace = {"__name__": "__main__"}  # so that an `if __name__ == "__main__"` block would fire
    for chunk in submission.chunks:
        exec(compile(chunk.source, chunk.origin, "exec"), namespace)
    return namespace


def test_training_loop_at_top_level_is_not_extracted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    submission = read_submission(FIXTURES / "training_loop_at_top_level.ipynb", functions=FUNCTIONS)
    assert submission.problems == ()
    assert "TRAINING_RAN" not in submission.source
    assert "for epoch" not in submission.source
    assert "print(" not in submission.source
    assert "__main__" not in submission.source
    namespace = run(submission)  # would raise if the loop or the __main__ block were kept
    assert not (tmp_path / "TRAINING_RAN.txt").exists()
    assert namespace["conv_param_count"](3, 16, 3) == 448


def test_constants_are_kept_and_calls_are_not():
    submission = read_submission(FIXTURES / "training_loop_at_top_level.ipynb")
    namespace = run(submission)
    assert (namespace["KERNEL_SIZE"], namespace["STRIDES"], namespace["SCALE"]) == (3, (1, 2), 1025)
    assert "PI_ISH" in namespace  # math.pi: an attribute of an imported module
    assert "device" not in submission.defined  # np.zeros(3) is a call


def test_constant_nested_past_the_limit_is_not_kept_however_deep_the_caller(tmp_path):
    path = tmp_path / "deep_constants.py"
    path.write_text("SHALLOW = " + "-" * 50 + "1\nDEEP = " + "-" * 900 + "1\n")
    submission = read_submission(path)
    assert submission.problems == ()
    assert submission.defined.keys() == {"SHALLOW"}  # the other would recurse 900 deep


def test_statement_sharing_a_line_with_an_import_becomes_pass():
    submission = read_submission(FIXTURES / "training_loop_at_top_level.ipynb")
    mixed = next(c for c in submission.chunks if c.cell == 4)
    assert mixed.source.split("\n")[0] == "import json; pass"


def test_decorators_stay_with_their_function():
    submission = read_submission(FIXTURES / "training_loop_at_top_level.ipynb")
    decorated = next(c for c in submission.chunks if c.cell == 5)
    assert decorated.source.startswith("@staticmethod\ndef decorated():")


def test_extracted_source_keeps_the_cells_line_numbers():
    submission = read_submission(FIXTURES / "magics.ipynb")
    notebook_lines = {c.cell: c.source.split("\n") for c in submission.chunks}
    # Cell 1 starts with two magic lines; `import math` is still its line 3.
    assert notebook_lines[1][2] == "import math"
    # A failing call reports the cell and its line as the student sees them.
    namespace = run(submission)
    with pytest.raises(TypeError) as error:
        namespace["receptive_field"](None)
    frame = traceback.extract_tb(error.value.__traceback__)[-1]
    code_cells = [c for c in nbformat.read(FIXTURES / "magics.ipynb", as_version=4).cells if c.cell_type == "code"]
    line_in_cell = code_cells[4].source.split("\n").index("    for kernel_size, stride in layers:") + 1
    assert (frame.filename, frame.lineno) == ("magics.ipynb, cell 5", line_in_cell)


def test_magics_and_shell_escapes_are_removed_but_text_in_strings_is_not():
    submission = read_submission(FIXTURES / "magics.ipynb", functions=FUNCTIONS)
    assert submission.problems == ()
    source = submission.source
    assert "%matplotlib" not in source and "!pip" not in source and "%timeit" not in source
    assert "echo" not in source  # a %%bash cell goes whole
    assert "%d percent signs stay inside strings\n!and so do bangs" in run(submission)["DOC"]


def test_time_cell_magic_keeps_its_python_body():
    assert strip_ipython("%%time\nx = 1\n") == "\nx = 1\n"
    assert strip_ipython("%%writefile a.py\nx = 1\n") == "\n\n"


def test_assigned_shell_escape_is_removed():
    assert strip_ipython("files = !ls\nx = 1 != 2\n") == "\nx = 1 != 2\n"


def test_cell_that_does_not_parse_costs_only_its_own_definitions():
    submission = read_submission(FIXTURES / "cell_does_not_parse.ipynb", functions=FUNCTIONS)
    syntax, missing = submission.problems
    assert (syntax.kind, syntax.file, syntax.cell, syntax.line) == ("syntax_error", "cell_does_not_parse.ipynb", 3, 1)
    assert "In [7]" in syntax.message  # the execution count the student saw
    assert missing.kind == "missing_function"
    assert missing.message.startswith(
        "pool_output_size is not defined in any cell; expected a function named pool_output_size"
    )
    assert "does not parse" in missing.message
    assert {"conv_output_size", "conv_param_count", "receptive_field"} <= set(run(submission))


def test_notebook_mode_keeps_every_code_cell_in_order():
    submission = read_submission(FIXTURES / "training_loop_at_top_level.ipynb", mode="notebook")
    assert submission.mode == "notebook"
    assert [c.cell for c in submission.chunks] == [1, 2, 3, 4, 5]
    assert "for epoch" in submission.chunks[2].source
    assert "device" in submission.defined


def test_unknown_mode_is_rejected_with_the_allowed_values():
    with pytest.raises(ValueError, match=r"mode must be one of \('definitions', 'notebook'\); got 'all'"):
        read_submission(FIXTURES / "tagged.ipynb", mode="all")
