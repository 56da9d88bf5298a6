"""`cnngrade check NOTEBOOK`: a student's self-check shows the visible items and nothing else."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.rubric import load_rubric
from reference.mistakes import catalog

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = REPO / "assignments" / "conv_arithmetic"
SAMPLES = ASSIGNMENT / "samples"
RUBRIC = load_rubric(REPO / "rubrics" / "conv_arithmetic.yaml")
VISIBLE = [item for item in RUBRIC.items if item.visibility == "visible"]
NOT_YET_SHOWN = [item for item in RUBRIC.items if item.visibility != "visible"]
EXPLANATIONS = {mistake.id: mistake.explanation for mistake in catalog()}

# Notebooks whose mistake shows on a visible item (test_cli_grade_class covers them all).
VISIBLE_MISTAKES = {
    "hana_ceil_instead_of_floor": "conv_output_size.ceil_instead_of_floor",
    "malik_rf_without_jump": "receptive_field.sums_without_jump",
}
# Notebooks whose only mistake is in a hidden or after-due-date item, and the input word that
# only those items use.
HIDDEN_MISTAKES = {
    "nora_ceil_mode_no_rule": "ceil_mode",
    "omar_rf_dilation_ignored": "dilation",
}


def check(cnngrade, notebook: Path):
    return cnngrade("check", notebook, "--assignment", "conv_arithmetic")


def assert_reveals_no_hidden_item(output: str) -> None:
    for item in NOT_YET_SHOWN:
        for secret in (item.title, item.id, *item.checks):
            assert secret not in output, f"{item.visibility} item {item.id} shows as {secret!r}"


def test_the_solution_passes_every_visible_item_with_a_readable_summary(cnngrade):
    process = check(cnngrade, ASSIGNMENT / "solution.ipynb")
    assert process.returncode == 0, process.stdout + process.stderr
    visible_points = sum(item.points for item in VISIBLE)
    lines = process.stdout.splitlines()
    assert lines[0] == f"solution: {visible_points:g}/{visible_points:g} on the visible items"
    assert lines[1:] == [f"  ✓ {item.title} ({item.id}): {item.points:g}/{item.points:g}" for item in VISIBLE]


@pytest.mark.parametrize("student", sorted(VISIBLE_MISTAKES))
def test_a_notebook_with_a_mistake_fails_and_the_summary_names_the_mistake(cnngrade, student):
    process = check(cnngrade, SAMPLES / f"{student}.ipynb")
    assert process.returncode == 1, process.stdout + process.stderr
    assert "✗" in process.stdout
    assert f"Hint: {EXPLANATIONS[VISIBLE_MISTAKES[student]]}" in process.stdout
    assert_reveals_no_hidden_item(process.stdout)


@pytest.mark.parametrize("student", sorted(HIDDEN_MISTAKES))
def test_a_mistake_in_a_hidden_item_is_not_revealed_by_the_self_check(cnngrade, student, tmp_path):
    # Under a neutral name: the sample's own name says what its mistake is.
    notebook = tmp_path / "my_notebook.ipynb"
    shutil.copy2(SAMPLES / f"{student}.ipynb", notebook)
    process = check(cnngrade, notebook)
    assert process.returncode == 0, process.stdout + process.stderr
    assert_reveals_no_hidden_item(process.stdout + process.stderr)
    assert HIDDEN_MISTAKES[student] not in process.stdout + process.stderr


def test_the_self_check_of_one_function_shows_only_its_items(cnngrade):
    process = cnngrade("check", SAMPLES / "lena_bias_forgotten.ipynb", "--assignment", "conv_arithmetic",
                       "--function", "conv_param_count")
    assert process.returncode == 1
    assert "Parameters of a convolution layer (conv_param_count): 0/2" in process.stdout
    assert "Output size of a convolution" not in process.stdout


def test_checking_a_function_that_is_not_graded_is_a_usage_error(cnngrade):
    process = cnngrade("check", ASSIGNMENT / "solution.ipynb", "--assignment", "conv_arithmetic",
                       "--function", "conv2d")
    assert process.returncode == 2
    assert "conv2d is not graded in conv_arithmetic" in process.stderr


def test_under_github_actions_the_check_annotates_summarizes_and_writes_junit(tmp_path):
    import os
    import subprocess
    import sys
    import xml.etree.ElementTree as ET

    summary, junit = tmp_path / "summary.md", tmp_path / "junit.xml"
    env = dict(os.environ, GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary), CI="true")
    process = subprocess.run(
        [sys.executable, "-m", "grader", "check", str(SAMPLES / "hana_ceil_instead_of_floor.ipynb"),
         "--assignment", "conv_arithmetic", "--junit", str(junit)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert process.returncode == 1, process.stdout + process.stderr
    annotations = [line for line in process.stdout.splitlines() if line.startswith("::")]
    assert any(line.startswith("::error ") and "conv_output_size" in line for line in annotations)
    assert "| Output size of a convolution | failed |" in summary.read_text(encoding="utf-8")
    cases = ET.parse(junit).getroot().iter("testcase")
    failed = {case.get("name") for case in cases if case.find("failure") is not None}
    assert failed == {"conv_output_size"}
    assert_reveals_no_hidden_item(process.stdout + summary.read_text(encoding="utf-8") + junit.read_text())


def test_without_a_flag_the_check_uses_the_assignment_the_notebook_names(cnngrade):
    process = cnngrade("check", ASSIGNMENT / "solution.ipynb")
    assert process.returncode == 0, process.stdout + process.stderr
    assert process.stdout.splitlines()[0].endswith("on the visible items")


def test_a_notebook_that_names_no_assignment_needs_the_flag(cnngrade, tmp_path):
    import json

    nb = json.loads((ASSIGNMENT / "solution.ipynb").read_text(encoding="utf-8"))
    del nb["metadata"]["cnngrade"]
    path = tmp_path / "mine.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    process = cnngrade("check", path)
    assert process.returncode == 2
    assert "does not say which assignment it belongs to" in process.stderr
    assert "--assignment NAME" in process.stderr
