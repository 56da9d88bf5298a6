"""GitHub Actions annotations and job summary: hostile student text cannot issue commands."""
import re

import pytest

from grader.reports import append_step_summary, github_annotations, step_summary
from grader.reports.escaping import (
    markdown_block,
    markdown_code,
    neutralize_workflow_commands,
    spreadsheet_cell,
    workflow_data,
    workflow_property,
    xml_text,
)
from grader.reports.numbers import format_points

COMMAND = re.compile(r"^::(error|warning|notice) ([a-z]+=[^,:]*)(,[a-z]+=[^,:]*)*::[^\r\n]*$")


def test_every_annotation_line_is_one_of_our_commands_even_with_hostile_text(mallory):
    text = github_annotations([mallory])
    lines = text.splitlines()
    assert len(lines) == 3  # two problems and one failed item
    assert all(COMMAND.match(line) for line in lines), lines
    assert "::set-output" not in "".join(line.split("::", 2)[1] for line in lines)


def test_a_newline_in_a_message_cannot_start_a_new_command(mallory):
    text = github_annotations([mallory])
    assert "%0A::set-output name=score::100" not in text or text.count("\n") == 3
    assert "::error file=x.py,line=1::pwned" not in text.replace("%0A", "\n").splitlines()[0:1]
    assert "%0A::error file=x.py,line=1::pwned" in text


def test_properties_escape_colons_and_commas_so_they_cannot_add_properties(mallory):
    first = github_annotations([mallory]).splitlines()[0]
    assert first.startswith("::error file=evil%2Cfile=x.py%3A%3Aname.ipynb,line=7,title=")


def test_problems_in_notebook_cells_name_the_cell_instead_of_a_file_line(alice):
    first = github_annotations([alice]).splitlines()[0]
    assert first == "::error file=alice.ipynb,title=alice%3A syntax_error::cell 3, line 2: invalid syntax"


def test_annotations_follow_item_status_and_visibility(alice, bob):
    lines = github_annotations([bob, alice]).splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::error", "::error", "::warning"]
    assert "You rounded up; use floor." in lines[1] and "expected 2, got 3" in lines[1]
    assert "Dilation" not in "".join(lines)
    assert "Dilation" in github_annotations([alice], instructor=True)
    assert "::notice" in github_annotations([bob], reveal={"after_due_date"})


def test_step_summary_shows_points_and_cannot_issue_commands(alice, mallory):
    text = step_summary([alice, mallory])
    assert "### `alice`: Points 4.5/6 on the items shown" in text  # 2 items (2 points) held back
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    assert "##[" not in text


def test_step_summary_is_appended_to_the_file_named_by_the_environment(alice, tmp_path):
    target = tmp_path / "summary.md"
    target.write_text("earlier step\n")
    assert append_step_summary([alice], environ={"GITHUB_STEP_SUMMARY": str(target)}) == target
    assert target.read_text().startswith("earlier step\n## cnngrade")
    assert append_step_summary([alice], environ={}) is None


@pytest.mark.parametrize("text, expected", [
    ("100%\r\ndone", "100%25%0D%0Adone"),
    ("a::b,c", "a::b,c"),
], ids=["percent_and_newlines", "colons_and_commas_kept"])
def test_workflow_data_escapes_like_the_actions_toolkit(text, expected):
    assert workflow_data(text) == expected


def test_workflow_property_also_escapes_colons_and_commas():
    assert workflow_property("a::b,c\n%") == "a%3A%3Ab%2Cc%0A%25"


@pytest.mark.parametrize("text, expected", [
    ("::set-output name=x::1", "| ::set-output name=x::1"),
    ("   ::error::x", "|    ::error::x"),
    ("ok ##[warning]x", "ok ## [warning]x"),
    ("fine: a::b", "fine: a::b"),
], ids=["command_line", "indented_command", "legacy_command", "harmless_colons"])
def test_plain_text_is_neutralized_before_printing(text, expected):
    assert neutralize_workflow_commands(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("x = 1", "`x = 1`"),
    ("a `b` c", "``a `b` c``"),
    ("`edge`", "`` `edge` ``"),
], ids=["plain", "inner_backticks", "backticks_at_edges"])
def test_markdown_code_spans_outlast_any_backtick_run(text, expected):
    assert markdown_code(text) == expected


def test_markdown_block_fence_is_longer_than_any_fence_inside():
    assert markdown_block("a\n````\nb") == "`````text\na\n````\nb\n`````"


def test_xml_text_drops_characters_xml_forbids():
    assert xml_text("a\x00b\x1bc\td\ufffe") == "abc\td"


@pytest.mark.parametrize("text, expected", [
    ("=1+1", "'=1+1"), ("@cmd", "'@cmd"), ("-2", "'-2"), ("alice", "alice"),
], ids=["equals", "at", "minus", "name"])
def test_spreadsheet_cells_cannot_start_a_formula(text, expected):
    assert spreadsheet_cell(text) == expected


@pytest.mark.parametrize("value, expected", [
    (3.0, "3"), (2.5, "2.5"), (1 / 3, "0.3333"), (2 / 3, "0.6667"), (-0.00001, "0"), (12, "12"),
    (float("nan"), "nan"),
], ids=["whole", "half", "third", "two_thirds", "negative_zero", "int", "nan"])
def test_points_print_with_at_most_four_decimals(value, expected):
    assert format_points(value) == expected


def test_annotations_drop_terminal_control_characters(mallory):
    assert "\x1b" not in github_annotations([mallory]) and "\x00" not in github_annotations([mallory])


@pytest.mark.parametrize("render", ["junit", "html"])
def test_student_text_with_workflow_commands_never_starts_a_line_in_junit_or_html(render):
    from grader.reports import feedback_html, junit_xml
    from grader.result import CheckOutcome, ItemResult, Status, StudentResult

    attack = "boom\n::error::all tests passed\n::set-output name=score::100"
    item = ItemResult("i", "Item", 0.0, 1.0, Status.FAILED, "visible",
                      (CheckOutcome("c", Status.FAILED, message=attack),), feedback=attack)
    result = StudentResult("s", ("s.ipynb",), 0.0, 1.0, (item,))
    text = junit_xml([result]) if render == "junit" else feedback_html(result)
    assert "all tests passed" in text
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
