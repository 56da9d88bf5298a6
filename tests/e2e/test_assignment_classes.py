"""Every bundled assignment's sample class, graded by `make demo`, gets what its expectations say.

The expectations are data: ``assignments/<name>/expected.yaml`` has one entry per sample notebook
(full marks; or exactly which items lose points and which catalogued mistake each one's feedback
names; problems reported; the status). The class is the demo's (``graded_class.of(name)``), graded
with the real CLI, the sandbox and ``--jobs 2``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from grader.rubric import load_rubric
from reference.mistakes import by_id

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(p.parent.name for p in REPO.glob("assignments/*/expected.yaml")
                     if (p.parent / "samples").is_dir() and (REPO / "rubrics" / f"{p.parent.name}.yaml").is_file())
NEW = [name for name in ASSIGNMENTS if name != "conv_arithmetic"]
# Reports that must be byte-identical from run to run (result.json records timings).
DETERMINISTIC = ("grades.csv", "junit.xml", "summary.md", "summary.json")
STUDENT_FILES = ("feedback.md", "feedback.html", "instructor.md")


def expectations(name: str) -> dict[str, dict]:
    return yaml.safe_load((REPO / "assignments" / name / "expected.yaml").read_text(encoding="utf-8"))["samples"]


def plain(markdown: str) -> str:
    """Markdown as a reader sees it: no backslash escapes, no code-span backticks."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("`", "")


def samples(name: str) -> list[str]:
    """The sample submissions: notebooks, and folders (a notebook with a weights file beside it)."""
    folder = REPO / "assignments" / name / "samples"
    return sorted([p.stem for p in folder.glob("*.ipynb")] + [p.name for p in folder.iterdir() if p.is_dir()])


CASES = [(name, stem) for name in ASSIGNMENTS for stem in samples(name)]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_sample_has_an_expectation_and_every_expectation_a_sample(name):
    assert sorted(expectations(name)) == samples(name)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_class_is_graded_without_a_grader_error(graded_class, name):
    results = graded_class.of(name).results
    assert sorted(results) == samples(name), graded_class.process.stderr[-3000:]
    assert not [s for s, r in results.items() if r["errored"]]


@pytest.mark.parametrize("name, stem", CASES, ids=[f"{n}:{s}" for n, s in CASES])
def test_each_sample_is_graded_as_its_expectations_say(graded_class, name, stem):
    want = expectations(name)[stem]
    outputs = graded_class.of(name)
    result = outputs.result(stem)
    items = {item["item_id"]: item for item in result["items"]}
    assert result["status"] == want.get("status", "graded")
    if want.get("correct"):
        below = {i: (it["points"], it["max_points"], it["feedback"]) for i, it in items.items()
                 if it["points"] < it["max_points"]}
        assert not below, below
        assert result["score"] == result["max_score"]
    if "lose" in want:
        assert sorted(i for i, it in items.items() if it["points"] < it["max_points"]) == sorted(want["lose"])
    if "score" in want:
        assert result["score"] == pytest.approx(want["score"], abs=1e-6)
    kinds = {p["kind"] for p in result.get("problems", [])}
    assert set(want.get("problems", ())) <= kinds, kinds
    rubric = load_rubric(REPO / "rubrics" / f"{name}.yaml")
    for item_id, mistake_id in (want.get("named") or {}).items():
        named = {c["misconception"]["id"] for c in items[item_id]["checks"] if c["misconception"]}
        assert mistake_id in named, (item_id, named, items[item_id]["feedback"])
        # ... and the student reads the explanation (the instructor, for items held back)
        visible = rubric.item(item_id).visibility == "visible"
        text = outputs.feedback(stem) if visible else outputs.instructor_feedback(stem)
        assert plain(by_id(mistake_id).explanation) in plain(text), (item_id, mistake_id)


@pytest.mark.parametrize("name", NEW)
def test_the_solution_gets_full_marks_and_the_untouched_template_zero_without_a_grader_error(
        cnngrade, grade_outputs, tmp_path, name):
    folder = REPO / "assignments" / name
    process = cnngrade("grade", folder / "solution.ipynb", folder / "student.ipynb",
                       "--assignment", name, "--out", tmp_path)
    assert process.returncode == 0, process.stderr
    outputs = grade_outputs(tmp_path)
    solution, template = outputs.result("solution"), outputs.result("student")
    assert solution["score"] == solution["max_score"] > 0, [i["feedback"] for i in solution["items"] if i["feedback"]]
    assert template["score"] == 0 and template["status"] == "graded"
    assert not solution["errored"] and not template["errored"]
    assert all(i["status"] in ("failed", "skipped") for i in template["items"])
    feedback = outputs.feedback("student")
    assert "NotImplementedError" in feedback or "not implemented" in feedback.lower()


@pytest.mark.parametrize("name", NEW)
def test_the_template_names_its_assignment_so_the_self_check_needs_no_flag(cnngrade, name):
    template = REPO / "assignments" / name / "student.ipynb"
    metadata = json.loads(template.read_text(encoding="utf-8"))["metadata"]
    assert metadata["cnngrade"] == {"assignment": name}
    process = cnngrade("check", REPO / "assignments" / name / "solution.ipynb")
    assert process.returncode == 0, process.stdout + process.stderr
    assert "on the visible items" in process.stdout


@pytest.mark.parametrize("name", ["metrics"])  # fast, and its feedback carries pictures
def test_grading_a_class_again_with_one_job_gives_byte_identical_reports(graded_class, grade_outputs, cnngrade,
                                                                        tmp_path, name):
    process = cnngrade("grade", REPO / "assignments" / name / "samples", "--assignment", name,
                       "--out", tmp_path, "--jobs", "1")
    assert process.returncode == 0, process.stderr
    again, first = grade_outputs(tmp_path), graded_class.of(name)
    for report in DETERMINISTIC:
        assert again.read_bytes(report) == first.read_bytes(report), report
    pictures = 0
    for student in first.results:
        for report in STUDENT_FILES:
            path = Path("students") / student / report
            assert again.read_bytes(path) == first.read_bytes(path), path
        for png in sorted((first.out / "students" / student / "figures").glob("*.png")):
            path = Path("students") / student / "figures" / png.name
            assert again.read_bytes(path) == first.read_bytes(path), path
            pictures += 1
    assert pictures > 0  # the class's feedback has pictures, and they are the same bytes too
