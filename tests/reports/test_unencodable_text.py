"""Lone surrogates in student text never stop a report from being written as UTF-8."""
import json
from dataclasses import replace

import pytest
from hostile_text import HIGH, LOW

from grader.reports import (
    append_step_summary,
    github_annotations,
    step_summary,
    write_batch_reports,
    write_gradescope_results,
    write_student_reports,
)
from grader.reports.escaping import encodable
from grader.result import StudentResult


def _strict_utf8(path):
    return path.read_bytes().decode("utf-8", errors="strict")


def _assert_no_surrogates(value):
    if isinstance(value, dict):
        for key, item in value.items():
            _assert_no_surrogates(key)
            _assert_no_surrogates(item)
    elif isinstance(value, list):
        for item in value:
            _assert_no_surrogates(item)
    elif isinstance(value, str):
        value.encode("utf-8")


def test_every_report_file_is_valid_utf8_when_student_text_holds_lone_surrogates(eve, tmp_path):
    written = {**write_student_reports(eve, tmp_path / "eve"),
               **write_batch_reports([eve], [("conv_output_size", "Conv", 3.0)], tmp_path / "batch"),
               "results.json": write_gradescope_results(eve, tmp_path / "gs" / "results.json"),
               "step_summary.md": append_step_summary([eve], tmp_path / "step_summary.md")}
    assert sorted(written) == ["feedback.html", "feedback.md", "grades.csv", "instructor.md", "junit.xml",
                               "result.json", "results.json", "step_summary.md", "summary.json", "summary.md"]
    for name, path in written.items():
        text = _strict_utf8(path)
        assert "\ufffd" in text, name  # the reader sees where the student's text was broken
        if name.endswith(".json"):
            _assert_no_surrogates(json.loads(text))  # none escaped either: strict parsers refuse them


def test_a_result_read_back_from_its_json_renders_byte_identically(eve, tmp_path):
    path = write_student_reports(eve, tmp_path)["result.json"]
    stored = StudentResult.from_dict(json.loads(_strict_utf8(path)))
    assert stored.student_id == "eve\ufffd"
    again = write_student_reports(stored, tmp_path / "again")
    assert all(again[name].read_bytes() == (tmp_path / name).read_bytes() for name in again)


@pytest.mark.parametrize("render", [github_annotations, step_summary], ids=["annotations", "step_summary"])
def test_printed_reports_encode_as_utf8_when_student_text_holds_lone_surrogates(eve, render):
    text = render([eve])
    assert "\ufffd" in text
    text.encode("utf-8")


@pytest.mark.parametrize("text, expected", [
    (f"a{HIGH}b", "a\ufffdb"), (f"{LOW}{HIGH}", "\ufffd\ufffd"), ("\ud83d\ude00", "😀"), ("plain ü", "plain ü"),
], ids=["lone_high", "reversed_pair", "pair_joins", "ordinary"])
def test_encodable_replaces_each_lone_surrogate_and_joins_pairs(text, expected):
    assert encodable(text) == expected


def test_ordinary_text_is_left_alone_by_every_writer(eve, tmp_path):
    ordinary = replace(eve, student_id="eve", files=("eve.ipynb",), problems=(), provenance={}, items=())
    text = _strict_utf8(write_student_reports(ordinary, tmp_path)["feedback.md"])
    assert "\ufffd" not in text and "# Feedback for `eve`" in text
