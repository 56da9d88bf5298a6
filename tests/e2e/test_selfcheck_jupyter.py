"""`from grader import check; check("conv_output_size")` inside a real Jupyter kernel.

Notebooks are executed with nbclient on an ipykernel kernel that runs this interpreter (a
kernelspec written to a temporary JUPYTER_PATH, so no global Jupyter set-up is used or changed).
"""
from __future__ import annotations

import html
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

pytest.importorskip("ipykernel", reason="the Jupyter self-check needs ipykernel (pip install -e .[test])")
from nbclient import NotebookClient  # noqa: E402

from grader.rubric import load_rubric  # noqa: E402
from reference.mistakes import catalog  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = REPO / "assignments" / "conv_arithmetic"
RUBRIC = load_rubric(REPO / "rubrics" / "conv_arithmetic.yaml")
KERNEL = "cnngrade-e2e"


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory):
    """A kernelspec for this very interpreter, visible only to this module's notebooks."""
    jupyter_path = tmp_path_factory.mktemp("jupyter")
    spec = jupyter_path / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "cnngrade e2e", "language": "python",
    }), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(jupyter_path))
        patch.setenv("CI", "true")
        yield KERNEL


def execute(nb, folder: Path, kernel_name: str):
    NotebookClient(nb, kernel_name=kernel_name, timeout=300,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def displayed_html(cell) -> list[str]:
    """The text a student reads in each HTML output of the cell (tags, style and escapes removed)."""
    texts = []
    for output in cell.outputs:
        assert output.output_type != "error", "\n".join(output.traceback)
        page = output.get("data", {}).get("text/html")
        if page is not None:
            body = re.sub(r"<style.*?</style>|<head.*?</head>", "", page, flags=re.S)
            texts.append(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split()))
    return texts


def test_the_self_check_cell_of_the_solution_shows_full_marks_for_each_function(kernel_name, tmp_path):
    notebook = tmp_path / "solution.ipynb"
    shutil.copy2(ASSIGNMENT / "solution.ipynb", notebook)
    nb = execute(nbformat.read(notebook, as_version=4), tmp_path, kernel_name)

    self_check = nb.cells[-1]
    assert "check(name)" in self_check.source
    shown = displayed_html(self_check)
    visible = [item for item in RUBRIC.items if item.visibility == "visible"]
    assert len(shown) == len(visible)
    for text, item in zip(shown, visible):
        assert f"Score: {item.points:g} / {item.points:g}" in text
        assert f"{item.title}: {item.points:g} / {item.points:g} (passed)" in text
    hidden_titles = [item.title for item in RUBRIC.items if item.visibility != "visible"]
    assert not [t for t in hidden_titles if any(t in text for text in shown)]


def test_check_in_a_notebook_with_a_mistake_shows_the_failure_and_names_the_mistake(kernel_name, tmp_path):
    mistake = "conv_output_size.ceil_instead_of_floor"
    nb = new_notebook(cells=[
        new_code_cell("import math\n\n"
                      "def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):\n"
                      "    return math.ceil((n_in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1"),
        new_code_cell('from grader import check\nresult = check("conv_output_size")'),
        new_code_cell("print(result.score, result.max_score)"),
    ])
    nb.metadata["kernelspec"] = {"name": kernel_name, "display_name": "cnngrade e2e", "language": "python"}

    execute(nb, tmp_path, kernel_name)

    [text] = displayed_html(nb.cells[1])
    assert "Output size of a convolution" in text and "(failed)" in text
    assert "expected 112, got 113" in text
    assert {m.id: m.explanation for m in catalog()}[mistake] in text
    assert "Output size of a pooling layer" not in text  # only the function asked for
    score, max_score = map(float, nb.cells[2].outputs[0]["text"].split())
    assert 0 < score < max_score == 3
