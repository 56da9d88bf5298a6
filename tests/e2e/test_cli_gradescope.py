"""`cnngrade gradescope` on a folder laid out as Gradescope lays out /autograder."""
from __future__ import annotations

import json
import math
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from grader.rubric import load_rubric

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "assignments" / "conv_arithmetic" / "samples"
RUBRIC = load_rubric(REPO / "rubrics" / "conv_arithmetic.yaml")
SCHEMA = json.loads((REPO / "tests" / "schemas" / "gradescope_results.schema.json").read_text(encoding="utf-8"))
LATE = RUBRIC.late_policy
LENA_SCORE = RUBRIC.max_score - 2  # lena forgot the bias: conv_param_count (2 points) is lost


def autograder(tmp_path: Path, *, student: str, created_at: datetime) -> Path:
    """tmp_path/autograder with submission/, submission_metadata.json and results/."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    shutil.copy2(SAMPLES / f"{student}.ipynb", root / "submission")
    metadata = {
        "id": 123456,
        "created_at": created_at.isoformat(),
        "assignment": {"due_date": LATE.due.isoformat(), "title": "Convolution arithmetic"},
        "users": [{"email": "lena@example.edu", "id": 1, "name": "Lena"}],
        "submission_method": "upload",
    }
    (root / "submission_metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return root


def run_gradescope(cnngrade, root: Path):
    process = cnngrade("gradescope", "--assignment", "conv_arithmetic", "--submission", root / "submission",
                       "--metadata", root / "submission_metadata.json",
                       "--results", root / "results" / "results.json")
    assert process.returncode == 0, process.stdout + process.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_an_on_time_submission_gets_valid_results_without_penalty(cnngrade, tmp_path):
    root = autograder(tmp_path, student="lena_bias_forgotten", created_at=LATE.due - timedelta(hours=3))
    results = run_gradescope(cnngrade, root)
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == LENA_SCORE
    assert results["extra_data"]["late_penalty"] == 0
    assert results["extra_data"]["student_id"] == "lena@example.edu"
    tests = {t["extra_data"]["item_id"]: t for t in results["tests"]}
    assert (tests["conv_param_count"]["status"], tests["conv_param_count"]["score"]) == ("failed", 0)
    assert "conv_parameter_count.bias_forgotten" in tests["conv_param_count"]["tags"]
    assert {i: t["visibility"] for i, t in tests.items()} == {i.id: i.visibility for i in RUBRIC.items}


def test_a_late_submission_has_the_late_penalty_taken_out(cnngrade, tmp_path):
    late_by = timedelta(days=1, hours=18)  # part of a day counts as a day: 2 days late
    root = autograder(tmp_path, student="lena_bias_forgotten", created_at=LATE.due + late_by)
    results = run_gradescope(cnngrade, root)
    jsonschema.validate(results, SCHEMA)
    days = math.ceil(late_by / timedelta(days=1))
    penalty = min(days * LATE.penalty_per_day, LATE.max_penalty) * RUBRIC.max_score
    assert results["extra_data"]["late_penalty"] == pytest.approx(penalty)
    assert results["score"] == pytest.approx(LENA_SCORE - penalty)
    assert "Late penalty" in results["output"]


def with_metadata(root: Path, **changes) -> Path:
    path = root / "submission_metadata.json"
    metadata = json.loads(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        metadata[key] = value
    path.write_text(json.dumps(metadata), encoding="utf-8")
    return root


def test_gradescopes_own_due_date_wins_over_the_rubrics(cnngrade, tmp_path):
    root = autograder(tmp_path, student="lena_bias_forgotten", created_at=LATE.due + timedelta(days=2))
    with_metadata(root, assignment={"due_date": (LATE.due + timedelta(days=3)).isoformat()})
    results = run_gradescope(cnngrade, root)
    assert results["extra_data"]["late_penalty"] == 0 and results["score"] == LENA_SCORE


def test_a_students_extension_in_gradescopes_metadata_wins_over_the_assignments_due_date(cnngrade, tmp_path):
    root = autograder(tmp_path, student="lena_bias_forgotten", created_at=LATE.due + timedelta(days=2))
    extended = (LATE.due + timedelta(days=4)).isoformat()
    with_metadata(root, users=[{"email": "lena@example.edu", "id": 1, "name": "Lena",
                                "assignment": {"due_date": extended, "late_due_date": None}}])
    results = run_gradescope(cnngrade, root)
    assert results["extra_data"]["late_penalty"] == 0 and results["score"] == LENA_SCORE
