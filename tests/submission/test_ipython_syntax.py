"""IPython syntax is removed only where IPython itself would see it; plain Python is never changed.

The oracle is IPython's own input transformer: where it keeps the line count, the lines we
keep are exactly the lines it keeps. Line numbers always stay the cell's.
"""
from pathlib import Path

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st
from IPython.core.inputtransformer2 import TransformerManager

from grader.submission import read_submission, strip_ipython

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"

# (id, cell source, what strip_ipython gives)
CASES = [
    ("percent-continuation-in-parentheses", 'x = ("%d"\n% 3)\n', None),
    ("percent-after-backslash-continuation", 'x = "%d" \\\n% 3\n', None),
    ("modulo-at-line-start-in-brackets", "n = [10\n    % 3]\n", None),
    ("not-equal-at-line-start-in-brackets", "z = (1\n!= 2)\n", None),
    ("percent-and-bang-in-triple-quoted-string", 'DOC = """\n%d percent\n!bang\n??what\n"""\n', None),
    ("percent-in-multiline-f-string", 'y = f"""{1}\n%x {2}\n!ls\n"""\n', None),
    ("percent-in-f-string-format-spec", 'when = f"{d:%Y-%m-%d}"\n', None),
    ("comment-that-looks-like-a-magic", "# %matplotlib inline\nx = 1\n", None),
    ("magic-inside-brackets-is-no-magic", "x = [1,\n%time\n]\n", None),
    ("syntax-error-leaves-a-bracket-open-so-no-magic", "def f(:\n    pass\n%matplotlib inline\n", None),
    ("line-magic-at-top-level", "%matplotlib inline\nimport math\n", "\nimport math\n"),
    ("shell-escape-at-top-level", "!pip install torch\nx = 1 != 2\n", "\nx = 1 != 2\n"),
    ("magic-indented-in-if", "if True:\n    %time x = 1\n", "if True:\n    pass\n"),
    ("shell-escape-indented-in-for", "for i in range(2):\n    !echo hi\n    y = i\n",
     "for i in range(2):\n    pass\n    y = i\n"),
    ("magic-in-a-function-body", "def f():\n    %time g()\n    return 1\n", "def f():\n    pass\n    return 1\n"),
    ("assigned-magic-and-shell-escape", "r = %timeit -o 1\nfiles = !ls\nx = 1\n", "\n\nx = 1\n"),
    ("magic-continued-with-backslash", "%time x = 1 + \\\n    2\ny = 3\n", "\n\ny = 3\n"),
    ("help-syntax", "len?\n??len\nx = 1\n", "\n\nx = 1\n"),
    ("quote-in-a-shell-command", "!echo it's\n%time y = 1\nx = 1\n", "\n\nx = 1\n"),
    ("syntax-error-after-a-magic", "%matplotlib inline\ndef f(:\n    pass\n", "\ndef f(:\n    pass\n"),
    ("magic-after-an-indented-block", "if x:\n    y = 1\n%time z = 2\nw = 3\n", "if x:\n    y = 1\n\nw = 3\n"),
    ("time-cell-magic-keeps-its-body", "%%time\nx = 1\n%time y = 2\n", "\nx = 1\n\n"),
    ("other-cell-magic-goes-whole", "%%bash\necho hi\n", "\n\n"),
    ("cell-magic-after-blank-lines", "\n%%writefile a.py\nx = 1\n", "\n\n\n"),
    ("no-trailing-newline", "%matplotlib inline\nx = 1", "\nx = 1"),
]


def ipython(source: str) -> str:
    return TransformerManager().transform_cell(source)


@pytest.mark.parametrize("source, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_ipython_syntax_goes_only_where_ipython_sees_it(source, expected):
    stripped = strip_ipython(source)
    assert stripped == (source if expected is None else expected)
    assert stripped.count("\n") == source.count("\n")


@pytest.mark.parametrize("source", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_the_lines_kept_are_the_lines_ipython_keeps(source):
    source = source if source.endswith("\n") else source + "\n"
    theirs = ipython(source).split("\n")
    ours, original = strip_ipython(source).split("\n"), source.split("\n")
    if len(theirs) != len(original):
        pytest.skip("IPython joins lines here (a cell magic or a continued magic)")
    assert [o == s for o, s in zip(ours, original)] == [t == s for t, s in zip(theirs, original)]


# Fragments for generated cells: IPython syntax, brackets, quotes and continuations that open and
# close in every order. (Not form feeds, which IPython takes for line ends and Python does not.)
FRAGMENTS = ["%time x", "!ls", "x = %time 1", "y = !ls", "a, b = %who_ls", "obj?", "??obj", "?", "%%time",
             "%%bash", ",f a", ";f a", "/f a", "%", "!", "!=", "1 % 2", "(", ")", "[", "]", "x = (", '"', "'",
             '"""', "f'{x}'", "\\", "\\\n", "if x:", "def f():", "    ", "\t", "pass", "# c", "$a", "x", "="]


@given(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(["", " ", "\n", "\n    "])), max_size=12))
def test_generated_cells_keep_the_lines_ipython_keeps(parts):
    source = "".join(a + b for a, b in parts) + "\n"
    stripped = strip_ipython(source)  # never raises, even where IPython's own transformer does
    assert stripped.count("\n") == source.count("\n")
    try:
        theirs = ipython(source).split("\n")
    except Exception:
        return
    original = source.split("\n")
    # IPython dedents a cell whose first line is indented, joins a cell magic's lines, and
    # empties whitespace-only lines: there its lines cannot be compared one by one.
    if len(theirs) == len(original) and source[0] not in " \t" and not source.startswith("%%"):
        kept = [o == s for o, s in zip(stripped.split("\n"), original) if s.strip()]
        assert kept == [t == s for t, s in zip(theirs, original) if s.strip()]


def test_input_ipython_itself_fails_on_is_returned_not_raised():
    source = '= %""" \n'  # IPython's MagicAssign.find indexes past the end of this line
    with pytest.raises(IndexError):
        ipython(source)
    assert strip_ipython(source) == source


def test_a_magic_before_an_indentation_error_is_still_removed():
    # IPython refuses the whole cell; we remove the magic, so the error reported is the real one.
    source = "%time 1\nif x:\n        a\n    b\n"
    assert strip_ipython(source) == "\nif x:\n        a\n    b\n"


def test_solution_marker_comments_go_but_the_same_text_in_a_string_stays():
    source = '### BEGIN SOLUTION\nx = 1\n    ## END SOLUTION\nS = """\n### BEGIN SOLUTION\n"""\n'
    assert strip_ipython(source) == '\nx = 1\n\nS = """\n### BEGIN SOLUTION\n"""\n'


def python_sources():
    return list(_python_sources())


def _python_sources():
    for path in sorted([*(ROOT / "grader").rglob("*.py"), *(ROOT / "reference").rglob("*.py")]):
        yield pytest.param(path.read_text(encoding="utf-8"), id=path.relative_to(ROOT).as_posix())
    for path in sorted(FIXTURES.glob("*.ipynb")):
        try:
            notebook = nbformat.read(path, as_version=4)
        except Exception:
            continue  # the fixtures that are not notebooks on purpose
        for number, cell in enumerate((c for c in notebook.cells if c.cell_type == "code"), start=1):
            yield pytest.param(cell.source, id=f"{path.name}-cell-{number}")


@pytest.mark.parametrize("source", python_sources())
def test_a_cell_ipython_leaves_alone_is_returned_unchanged(source):
    if ipython(source) != (source if source.endswith("\n") else source + "\n") or "SOLUTION" in source:
        pytest.skip("IPython changes this one, or it holds solution markers")
    assert strip_ipython(source) == source


def test_a_percent_continuation_line_is_kept_as_python(tmp_path):
    path = tmp_path / "formatting.py"
    path.write_text('def label(n):\n    return ("%d items"\n            % n)\n\n'
                    'def ratio(a, b):\n    return (a\n            % b)\n')
    submission = read_submission(path, functions=["label", "ratio"])
    assert submission.problems == ()
    namespace = {}
    for chunk in submission.chunks:
        exec(compile(chunk.source, chunk.origin, "exec"), namespace)
    assert (namespace["label"](3), namespace["ratio"](7, 4)) == ("3 items", 3)


def test_a_magic_indented_in_a_block_leaves_the_cell_parsable(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("def f():\n    return 1\n\nfor i in range(3):\n    %time f()\n"),
    ])
    path = tmp_path / "indented_magic.ipynb"
    nbformat.write(notebook, path)
    submission = read_submission(path, functions=["f"])
    assert submission.problems == ()
    assert "f" in submission.defined
