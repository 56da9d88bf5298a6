"""`cnngrade grade` on the bundled sample class: each kind of student gets the grade they earned.

The class is graded once per session (the ``graded_class`` fixture); the template and the
solution notebook are graded once per module.
"""
from __future__ import annotations

import shutil
import re
from pathlib import Path
from typing import NamedTuple

import nbformat
import pytest

from grader.rubric import load_rubric
from reference.mistakes import catalog

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = REPO / "assignments" / "conv_arithmetic"
RUBRIC = load_rubric(REPO / "rubrics" / "conv_arithmetic.yaml")
MAX_POINTS = {item.id: item.points for item in RUBRIC.items}
EXPLANATIONS = {mistake.id: mistake.explanation for mistake in catalog()}
SAMPLE_IDS = sorted(p.stem for p in (ASSIGNMENT / "samples").glob("*.ipynb"))


class Mistake(NamedTuple):
    item: str  # the item that must lose points
    misconception: str  # the id in reference.mistakes that the feedback must name
    dependents: tuple[str, ...] = ()  # items skipped because they depend on `item`


CLASSIC_MISTAKES = {
    "hana_ceil_instead_of_floor": Mistake("conv_output_size", "conv_output_size.ceil_instead_of_floor"),
    "ivan_padding_once": Mistake("conv_output_size", "conv_output_size.padding_on_one_side"),
    "julia_dilation_ignored": Mistake("conv_output_size", "conv_output_size.dilation_ignored"),
    "kofi_pool_stride_one": Mistake("pool_output_size", "pool_output_size.stride_defaults_to_one",
                                    ("pool_output_size_ceil_mode",)),
    "lena_bias_forgotten": Mistake("conv_param_count", "conv_parameter_count.bias_forgotten"),
    "malik_rf_without_jump": Mistake("receptive_field", "receptive_field.sums_without_jump",
                                     ("receptive_field_dilation",)),
    "nora_ceil_mode_no_rule": Mistake("pool_output_size_ceil_mode",
                                      "pool_output_size.ceil_mode_without_last_window_rule"),
    "omar_rf_dilation_ignored": Mistake("receptive_field_dilation", "receptive_field.dilation_ignored"),
}

CORRECT_IN_ANOTHER_STYLE = [
    "ada_formulas",
    "bruno_loops",
    "chen_float_then_int",
    "dana_math_floor",
    "emeka_numpy",
    "fatima_coursera_markers",
    "goran_markers_deleted_training_loop",
]


def plain(markdown: str) -> str:
    """Markdown as a reader sees it: no backslash escapes, no code-span backticks."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("`", "")


def misconceptions_of(item: dict) -> set[str]:
    return {c["misconception"]["id"] for c in item["checks"] if c["misconception"]}


def assert_full_marks_except(items: dict[str, dict], losing: set[str]) -> None:
    kept = {i: (it["points"], it["status"]) for i, it in items.items() if i not in losing}
    assert kept == {i: (MAX_POINTS[i], "passed") for i in kept}


def code_cell_number(path: Path, text: str) -> int:
    """The 1-based number of the first code cell containing ``text``."""
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    return next(n for n, cell in enumerate(cells, start=1) if text in cell.source)


# -- the batch as a whole ----------------------------------------------------------------------


def test_the_class_is_graded_without_needing_a_person(graded_class):
    assert graded_class.process.returncode == 0, graded_class.process.stderr
    assert sorted(graded_class.results) == SAMPLE_IDS
    assert sorted(graded_class.grades) == SAMPLE_IDS
    assert not [s for s, r in graded_class.results.items() if r["errored"]]


def test_every_student_gets_feedback_in_markdown_and_html(graded_class):
    for student in SAMPLE_IDS:
        folder = graded_class.out / "students" / student
        assert (folder / "feedback.md").read_text(encoding="utf-8").startswith(f"# Feedback for `{student}`")
        assert "<html" in (folder / "feedback.html").read_text(encoding="utf-8")


def test_grades_csv_agrees_with_each_result_json(graded_class):
    for student, result in graded_class.results.items():
        row = graded_class.grades[student]
        assert row["status"] == result["status"]
        if result["status"] == "ungradable":  # no score at all, never a zero
            assert [row["score"], *(row[i["item_id"]] for i in result["items"])] == [""] * (1 + len(result["items"]))
            continue
        assert float(row["score"]) == pytest.approx(result["score"], abs=1e-4)
        for item in result["items"]:
            assert float(row[item["item_id"]] or 0) == pytest.approx(item["points"], abs=1e-4)


# -- the template and the solution -------------------------------------------------------------


@pytest.fixture(scope="module")
def template_and_solution(cnngrade, grade_outputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("template_and_solution")
    process = cnngrade("grade", ASSIGNMENT / "solution.ipynb", ASSIGNMENT / "student.ipynb",
                       "--assignment", "conv_arithmetic", "--out", out)
    assert process.returncode == 0, process.stderr
    return grade_outputs(out)


def test_the_solution_notebook_scores_full_marks(template_and_solution):
    result = template_and_solution.result("solution")
    assert (result["score"], result["errored"], result["problems"]) == (RUBRIC.max_score, False, [])
    assert_full_marks_except(template_and_solution.items("solution"), losing=set())


def test_the_untouched_template_scores_zero_as_failures_not_grader_errors(template_and_solution):
    result = template_and_solution.result("student")
    assert (result["score"], result["errored"]) == (0, False)
    statuses = {item["item_id"]: item["status"] for item in result["items"]}
    # Items whose checks ran failed; items that depend on a failed item were skipped.
    dependent = {item.id for item in RUBRIC.items if item.depends_on}
    assert statuses == {i: ("skipped" if i in dependent else "failed") for i in MAX_POINTS}
    assert not [c for item in result["items"] for c in item["checks"] if c["status"] == "errored"]
    for item in result["items"]:
        if item["status"] == "failed":
            assert "NotImplementedError" in item["feedback"], item["item_id"]


# -- correct notebooks written differently -----------------------------------------------------


@pytest.mark.parametrize("student", CORRECT_IN_ANOTHER_STYLE)
def test_a_correct_notebook_in_any_style_gets_full_marks(graded_class, student):
    result = graded_class.result(student)
    assert (result["score"], result["errored"]) == (RUBRIC.max_score, False)
    assert_full_marks_except(graded_class.items(student), losing=set())
    assert float(graded_class.grades[student]["score"]) == RUBRIC.max_score


# -- classic mistakes --------------------------------------------------------------------------


def test_the_mistake_table_uses_ids_from_the_catalog():
    assert {m.misconception for m in CLASSIC_MISTAKES.values()} <= EXPLANATIONS.keys()


@pytest.mark.parametrize("student", sorted(CLASSIC_MISTAKES))
def test_a_classic_mistake_loses_points_only_where_it_matters(graded_class, student):
    mistake = CLASSIC_MISTAKES[student]
    items = graded_class.items(student)
    assert items[mistake.item]["points"] < MAX_POINTS[mistake.item]
    assert float(graded_class.grades[student][mistake.item]) < MAX_POINTS[mistake.item]
    for dependent in mistake.dependents:
        assert (items[dependent]["status"], items[dependent]["points"]) == ("skipped", 0)
    assert_full_marks_except(items, losing={mistake.item, *mistake.dependents})
    assert graded_class.result(student)["errored"] is False


@pytest.mark.parametrize("student", sorted(CLASSIC_MISTAKES))
def test_the_feedback_names_the_classic_mistake(graded_class, student):
    mistake = CLASSIC_MISTAKES[student]
    assert misconceptions_of(graded_class.items(student)[mistake.item]) == {mistake.misconception}
    item = RUBRIC.item(mistake.item)
    # A mistake in a visible item is named to the student; one in a hidden or after-due-date
    # item only to the instructor (the student's feedback does not reveal that item at all).
    feedback = graded_class.instructor_feedback(student)
    assert f"`{mistake.misconception}`" in feedback
    assert plain(EXPLANATIONS[mistake.misconception]) in plain(feedback)
    student_view = plain(graded_class.feedback(student))
    if item.visibility == "visible":
        assert plain(EXPLANATIONS[mistake.misconception]) in student_view
    else:
        assert item.title not in student_view and mistake.misconception not in student_view


# -- broken notebooks --------------------------------------------------------------------------


def test_a_syntax_error_costs_only_its_function_and_is_located(graded_class):
    student = "petra_syntax_error"
    assert_full_marks_except(graded_class.items(student), losing={"conv_param_count"})
    assert graded_class.items(student)["conv_param_count"]["points"] == 0
    cell = code_cell_number(ASSIGNMENT / "samples" / f"{student}.ipynb", "def conv_param_count")
    [problem] = [p for p in graded_class.result(student)["problems"] if p["kind"] == "syntax_error"]
    assert (problem["file"], problem["cell"], problem["line"]) == (f"{student}.ipynb", cell, 1)
    assert f"{student}.ipynb, cell {cell}, line 1" in plain(graded_class.feedback(student))


def test_a_missing_function_costs_only_its_items_and_is_named(graded_class):
    student = "quinn_missing_function"
    items = graded_class.items(student)
    assert_full_marks_except(items, losing={"receptive_field", "receptive_field_dilation"})
    assert (items["receptive_field"]["points"], items["receptive_field_dilation"]["status"]) == (0, "skipped")
    [problem] = graded_class.result(student)["problems"]
    assert problem["kind"] == "missing_function" and "receptive_field" in problem["message"]
    assert "receptive_field is not defined" in plain(graded_class.feedback(student))


def test_a_file_that_is_not_a_notebook_is_ungradable_with_a_named_problem_not_a_zero(graded_class):
    student = "rosa_not_json"
    result = graded_class.result(student)
    assert (result["status"], result["errored"]) == ("ungradable", False)
    assert graded_class.grades[student]["score"] == ""
    assert {i["status"] for i in result["items"]} == {"skipped"}
    invalid = [p for p in result["problems"] if p["kind"] == "invalid_notebook"]
    assert [p["file"] for p in invalid] == [f"{student}.ipynb"]
    assert f"{student}.ipynb is not valid JSON" in plain(graded_class.feedback(student))
    # ... and the batch carried on past it: the students after rosa were graded.
    assert {"sam_untouched_template", "xena_reads_reference"} <= graded_class.results.keys()


# -- hostile notebooks -------------------------------------------------------------------------

HONEST_POINTS = {
    # student: the items their code really gets right
    "tariq_infinite_loop": {"conv_output_size", "conv_param_count", "receptive_field",
                            "receptive_field_dilation"},
    "uma_sys_exit": {"conv_output_size"},
    "victor_always_equal": {"conv_output_size", "pool_output_size", "receptive_field",
                            "pool_output_size_ceil_mode", "receptive_field_dilation"},
    "wei_forges_results": {"conv_output_size"},
    "xena_reads_reference": set(),
}


@pytest.mark.parametrize("student", sorted(HONEST_POINTS))
def test_a_hostile_notebook_earns_only_what_it_earned_honestly(graded_class, student):
    honest = HONEST_POINTS[student]
    result = graded_class.result(student)
    points = {i["item_id"]: i["points"] for i in result["items"]}
    assert points == {i: (MAX_POINTS[i] if i in honest else 0) for i in MAX_POINTS}
    assert result["score"] == sum(MAX_POINTS[i] for i in honest)
    assert result["errored"] is False


def test_an_always_equal_return_value_does_not_pass_a_comparison(graded_class):
    item = graded_class.items("victor_always_equal")["conv_param_count"]
    assert item["points"] == 0
    assert "expected 156, got 0" in item["checks"][0]["message"]


def test_importing_the_reference_or_the_grader_in_student_code_fails(graded_class):
    items = graded_class.items("xena_reads_reference")
    assert "reference cannot be imported" in items["conv_output_size"]["checks"][0]["message"]
    assert "grader cannot be imported" in items["conv_param_count"]["checks"][0]["message"]


def test_a_forged_grades_line_does_not_reach_grades_csv(graded_class):
    text = graded_class.read_bytes("grades.csv").decode("utf-8")
    assert "wei,100" not in text
    assert len(text.splitlines()) == 1 + len(SAMPLE_IDS)
    assert float(graded_class.grades["wei_forges_results"]["score"]) == MAX_POINTS["conv_output_size"]
    forged = [p for p in graded_class.out.rglob("*") if p.is_file() and b"wei,100" in p.read_bytes()]
    assert forged == []


def test_grading_the_class_writes_nothing_outside_the_output_folder(graded_class):
    assert graded_class.repo_changes == []
    assert graded_class.workdir_changes == []



def test_reveal_after_due_date_shows_those_items_to_students_but_never_hidden_ones(cnngrade, tmp_path):
    for student in ("nora_ceil_mode_no_rule", "omar_rf_dilation_ignored"):
        shutil.copy(ASSIGNMENT / "samples" / f"{student}.ipynb", tmp_path)
    out = tmp_path / "out"
    process = cnngrade("grade", tmp_path, "--assignment", "conv_arithmetic", "--out", out,
                       "--reveal", "after_due_date")
    assert process.returncode == 0, process.stderr
    after_due = RUBRIC.item("pool_output_size_ceil_mode")
    hidden = RUBRIC.item("receptive_field_dilation")
    for student in ("nora_ceil_mode_no_rule", "omar_rf_dilation_ignored"):
        feedback = plain((out / "students" / student / "feedback.md").read_text(encoding="utf-8"))
        assert after_due.title in feedback
        assert hidden.title not in feedback
    nora = plain((out / "students" / "nora_ceil_mode_no_rule" / "feedback.md").read_text(encoding="utf-8"))
    assert EXPLANATIONS["pool_output_size.ceil_mode_without_last_window_rule"] in nora
