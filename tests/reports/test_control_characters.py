"""Control, line-break and bidi characters in student ids and text are shown as escapes, never raw."""
import csv
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from hostile_text import CONTROLS, RAW

from grader.reports import class_summary, grades_csv, item_columns, junit_xml, summary_json, summary_markdown
from grader.reports.escaping import escape_controls, spreadsheet_cell

params = pytest.mark.parametrize("raw, shown", list(CONTROLS.values()), ids=list(CONTROLS))


def _named(result, student_id):
    return replace(result, student_id=student_id)


@params
def test_grades_csv_has_one_line_per_student_whatever_the_id(alice, carol, columns, raw, shown):
    text = grades_csv([_named(alice, f"al{raw}ice"), carol], item_columns(columns))
    assert len(text.splitlines()) == len(text.split("\n")) - 1 == 3
    assert not RAW.search(text) and "\t" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[0] for row in rows[1:]] == [f"al{shown}ice", "carol"]


@pytest.mark.parametrize("student_id, cell", [
    ("=1+1\n", "'=1+1\\n"), ("@cmd\x1b", "'@cmd\\x1b"), ("-\u202e2", "'-\\u202e2"),
    ("\t=1", "\\t=1"), ("\r=1", "\\r=1"), ("alice", "alice"),
], ids=["formula_then_newline", "at_then_escape", "minus_then_override", "leading_tab", "leading_cr", "name"])
def test_a_spreadsheet_cell_is_one_line_that_cannot_start_a_formula(student_id, cell):
    assert spreadsheet_cell(student_id) == cell


@params
def test_summary_files_show_control_characters_in_student_text_as_escapes(alice, bob, columns, raw, shown):
    hostile = replace(_named(bob, f"bo{raw}b"), problems=(replace(bob.problems[0], message=f"x{raw}y"),))
    summary = class_summary([alice, hostile], item_columns(columns))
    markdown = summary_markdown(summary)
    assert not RAW.search(markdown) and "\t" not in markdown
    assert f"- `bo{shown}b`" in markdown.split("## Needs a person")[1].splitlines()
    assert f"x{shown}y" in markdown
    text = summary_json(summary)
    assert not RAW.search(text)
    assert json.loads(text)["needs_review"] == [f"bo{raw}b"]  # JSON escapes are lossless


@params
def test_junit_names_show_control_characters_in_ids_as_escapes(alice, raw, shown):
    text = junit_xml([_named(alice, f"al{raw}ice")])
    assert not RAW.search(text)
    suite = ET.fromstring(text).find("testsuite")
    assert suite.get("name") == f"al{shown}ice"
    assert {case.get("classname") for case in suite.iter("testcase")} == {f"al{shown}ice"}


def test_ordinary_ids_and_text_are_unchanged_by_control_escaping():
    text = "alice_o'brien-2 (Müller) 日本\tcol\nnext"
    assert escape_controls(text, lines=True) == text
    assert escape_controls("alice_o'brien-2 (Müller) 日本") == "alice_o'brien-2 (Müller) 日本"
