"""results.json follows Gradescope's documented format, checked by a strict JSON Schema."""
import json
from pathlib import Path

import jsonschema
import pytest

from grader.reports import gradescope_results, write_gradescope_results

SCHEMA = json.loads((Path(__file__).parents[1] / "schemas" / "gradescope_results.schema.json").read_text())


def validator():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    return jsonschema.Draft202012Validator(SCHEMA)


@pytest.mark.parametrize("scenario", ["alice", "bob", "carol", "mallory"])
def test_written_results_json_validates_against_the_strict_schema(scenario, request, tmp_path):
    result = request.getfixturevalue(scenario)
    path = write_gradescope_results(result, tmp_path / "results" / "results.json", execution_time=12.5)
    data = json.loads(path.read_text(encoding="utf-8"))
    validator().validate(data)
    assert data["score"] == result.score and data["execution_time"] == 12.5


@pytest.mark.parametrize("broken", [
    pytest.param({"tests": [{"status": "errored"}]}, id="unknown_status"),
    pytest.param({"score": 1, "visibility": "secret"}, id="unknown_visibility"),
    pytest.param({"score": 1, "tests": [{"output_format": "markdown"}]}, id="unknown_format"),
    pytest.param({"score": 1, "grade": 3}, id="unknown_top_level_key"),
    pytest.param({"score": 1, "tests": [{"points": 3}]}, id="unknown_test_key"),
    pytest.param({"output": "no score and no tests"}, id="neither_score_nor_tests"),
])
def test_schema_rejects_what_gradescope_does_not_document(broken):
    assert not validator().is_valid(broken)


def test_execution_time_is_left_out_unless_given(alice):
    assert "execution_time" not in gradescope_results(alice)


def test_each_item_becomes_a_test_with_its_visibility(alice):
    tests = gradescope_results(alice)["tests"]
    assert [(t["number"], t["name"], t["score"], t["max_score"], t["status"], t["visibility"]) for t in tests] == [
        ("1", "Conv output size", 3.0, 3.0, "passed", "visible"),
        ("2", "Pool output size", 1.5, 3.0, "failed", "visible"),
        ("3", "Ceil mode", 1.0, 1.0, "passed", "after_due_date"),
        ("4", "Dilation", 0.0, 1.0, "failed", "hidden"),
    ]
    assert all(t["output_format"] == "md" for t in tests)


def test_failed_test_output_explains_the_mistake(alice):
    test = gradescope_results(alice)["tests"][1]
    assert "Mismatched elements: 3 / 40" in test["output"]
    assert "You rounded up; use floor." in test["output"]
    assert test["tags"] == ["pool_output_size", "pool_output_size.ceil_instead_of_floor"]


def test_errored_item_is_failed_with_a_review_note_here_and_at_the_top(bob):
    data = gradescope_results(bob)
    errored = data["tests"][1]
    assert errored["status"] == "failed"
    assert "a person will review it, this is not counted against you" in errored["output"]
    assert "needs a person to look at it" in data["output"]
    assert data["extra_data"]["needs_review"] is True


def test_top_level_output_lists_problems_and_late_penalty(bob):
    output = gradescope_results(bob)["output"]
    assert "Late penalty: 0.8 points" in output
    assert "`bob.py`, line 14" in output
