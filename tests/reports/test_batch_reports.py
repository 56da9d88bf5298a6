"""Class files: grades.csv, junit.xml, summary.md and summary.json, deterministic byte for byte."""
import csv
import io
import itertools
import json
import xml.etree.ElementTree as ET

import pytest

from grader.reports import class_summary, grades_csv, item_columns, junit_xml, write_batch_reports


def test_grades_csv_has_fixed_columns_sorted_rows_and_fixed_number_format(alice, bob, carol, columns):
    text = grades_csv([carol, bob, alice], item_columns(columns))
    assert text == (
        "student,status,score,max_score,conv_output_size,pool_output_size,ceil_mode,dilation\n"
        "alice,graded,5.5,8,3,1.5,1,0\n"
        "bob,errored,3,8,3,,0,0\n"  # the errored item is left empty, never written as a zero
        "carol,graded,0.6667,8,0.6667,0,0,0\n"
    )


def test_grades_csv_quotes_hostile_ids_and_defuses_spreadsheet_formulas(mallory, columns):
    rows = list(csv.reader(io.StringIO(grades_csv([mallory], item_columns(columns)))))
    assert rows[1][0] == "'" + mallory.student_id
    assert rows[1][4:] == ["0", "", "", ""]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))), ids=lambda o: "".join(map(str, o)))
def test_batch_files_are_byte_identical_whatever_the_input_order(alice, bob, carol, columns, tmp_path, order):
    results = [(alice, bob, carol)[i] for i in order]
    written = write_batch_reports(results, columns, tmp_path / "run")
    reference = write_batch_reports([alice, bob, carol], columns, tmp_path / "reference")
    assert sorted(written) == ["grades.csv", "junit.xml", "summary.json", "summary.md"]
    assert all(written[name].read_bytes() == reference[name].read_bytes() for name in written)


def test_junit_has_a_testsuite_per_student_and_a_testcase_per_item(alice, bob):
    root = ET.fromstring(junit_xml([bob, alice]))
    assert [s.get("name") for s in root.findall("testsuite")] == ["alice", "bob"]
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("8", "3", "1", "1")
    bob_cases = {c.get("name"): c for c in root.find("testsuite[@name='bob']").findall("testcase")}
    assert bob_cases["conv_output_size"].find("*") is None
    assert bob_cases["pool_output_size"].find("error").get("type") == "grader_error"
    assert bob_cases["ceil_mode"].find("skipped") is not None
    assert bob_cases["dilation"].find("failure") is not None


def test_junit_has_no_clock_readings_unless_timings_are_asked_for(alice):
    assert "time=" not in junit_xml([alice])
    root = ET.fromstring(junit_xml([alice], include_timings=True))
    assert root.get("time") == "0.750"
    assert root.find("testsuite/testcase[@name='pool_output_size']").get("time") == "0.250"


def test_junit_for_students_leaves_out_hidden_items(alice):
    root = ET.fromstring(junit_xml([alice], instructor=False))
    assert [c.get("name") for c in root.iter("testcase")] == ["conv_output_size", "pool_output_size"]


def test_junit_stays_well_formed_with_hostile_text(mallory):
    text = junit_xml([mallory])
    assert "\x00" not in text and "\x1b" not in text
    failure = ET.fromstring(text).find("testsuite/testcase/failure")
    assert "<script>alert(1)</script>" in failure.text


def test_summary_gives_distribution_pass_rates_misconceptions_and_who_needs_a_person(alice, bob, carol, columns):
    summary = class_summary([alice, bob, carol], item_columns(columns))
    assert summary["students"] == 3 and summary["max_score"] == 8
    assert summary["score"] == {"mean": 3.055556, "median": 3.0, "min": 0.666667, "max": 5.5}
    assert [b["count"] for b in summary["histogram"]] == [1, 0, 0, 1, 0, 0, 1, 0, 0, 0]
    pool = summary["items"][1]
    assert (pool["passed"], pool["failed"], pool["errored"], pool["pass_rate"]) == (0, 2, 1, 0.0)
    assert summary["items"][0]["pass_rate"] == 0.666667
    assert summary["misconceptions"] == [{"id": "pool_output_size.ceil_instead_of_floor", "students": 2,
                                          "explanation": "You rounded up; use floor."}]
    assert summary["needs_review"] == ["bob"]
    assert [p["student"] for p in summary["problems"]] == ["alice", "bob"]


def test_summary_files_agree(alice, bob, carol, columns, tmp_path):
    written = write_batch_reports([alice, bob, carol], columns, tmp_path)
    data = json.loads(written["summary.json"].read_text())
    markdown = written["summary.md"].read_text()
    assert data["needs_review"] == ["bob"]
    assert "| 3.0556 | 3 | 0.6667 | 5.5 |" in markdown
    assert "30-40% | ######################################## 1\n  40-50% | 0" in markdown
    assert "pool\\_output\\_size.ceil\\_instead\\_of\\_floor | 2 |" in markdown
    assert "- `bob`" in markdown


def test_a_score_of_exactly_thirty_percent_lands_in_the_thirty_percent_bin(alice, columns):
    result = alice.__class__(**{**alice.__dict__, "score": 0.3, "max_score": 1.0})
    summary = class_summary([result], item_columns([("x", "X", 1.0)]))
    assert summary["histogram"][3]["count"] == 1


def test_item_columns_refuse_repeated_ids():
    with pytest.raises(ValueError, match=r"repeated: \['a'\]"):
        item_columns([("a", "A", 1), ("a", "A again", 2)])


def test_item_columns_come_from_a_rubric_in_rubric_order(tmp_path):
    from grader.rubric import load_rubric

    (tmp_path / "checks.py").write_text("")
    (tmp_path / "r.yaml").write_text(
        "schema_version: 1\nassignment: {id: a, title: A, checks: checks.py}\nfunctions: [f]\n"
        "items:\n  - {id: b, title: B, points: 2, checks: [c]}\n  - {id: a, title: A, points: 1, checks: [c]}\n")
    assert [(c.id, c.max_points) for c in item_columns(load_rubric(tmp_path / "r.yaml"))] == [("b", 2.0), ("a", 1.0)]
