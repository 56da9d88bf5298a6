"""No output a student sees lets them infer a held-back item's result; the instructor's keep it all.

The property under test: two results that differ only in a held-back item's result (and in the
score, review flag and late penalty that follow from it) give byte-identical student views.
"""
import itertools
import json

import pytest

from grader.reports import (
    feedback_html,
    feedback_markdown,
    github_annotations,
    gradescope_results,
    step_summary,
    write_student_reports,
)
from grader.reports.visibility import REVEALABLE
from grader.reports.wording import REVIEW_NOTE
from grader.result import CheckOutcome, ItemResult, Problem, Status, StudentResult
from grader.selfcheck import render_check


def item(item_id, status, points, max_points=None, *, visibility="visible", checks=(), title=None, feedback=""):
    return ItemResult(item_id=item_id, title=title or item_id.replace("_", " ").capitalize(), points=points,
                      max_points=points if max_points is None else max_points, status=status,
                      visibility=visibility, checks=tuple(checks), feedback=feedback)


VISIBLE_FULL = (
    item("conv_output_size", Status.PASSED, 3.0, checks=[CheckOutcome("conv_output_size.worked_examples", Status.PASSED)]),
    item("pool_output_size", Status.PASSED, 3.0, checks=[CheckOutcome("pool_output_size.worked_examples", Status.PASSED)]),
    item("conv_param_count", Status.PASSED, 3.0, checks=[CheckOutcome("conv_param_count.worked_examples", Status.PASSED)]),
)
VISIBLE_NOTHING = tuple(item(i.item_id, Status.FAILED, 0.0, 3.0, checks=[CheckOutcome(f"{i.item_id}.worked_examples",
                                                                                       Status.FAILED, message="wrong")])
                        for i in VISIBLE_FULL)
VISIBLE_SOME = (VISIBLE_FULL[0], *VISIBLE_NOTHING[1:])  # 3 of the 9 visible points

# Beside the student in a job summary of several: nothing held back.
CLASSMATE = StudentResult("erin", ("erin.ipynb",), 9.0, 9.0, VISIBLE_FULL)


def held_back(outcome: str, visibility: str = "hidden"):
    """The held-back item (3 points) with the given result."""
    check_id = "receptive_field.dilation"
    checks = {
        "passed": [CheckOutcome(check_id, Status.PASSED, cases_passed=4, cases_total=4)],
        "failed": [CheckOutcome(check_id, Status.FAILED, message="SECRET-HIDDEN-DETAIL", cases_total=4)],
        "partly": [CheckOutcome(check_id, Status.FAILED, message="SECRET-HIDDEN-DETAIL", cases_passed=2, cases_total=4)],
        "errored": [CheckOutcome(check_id, Status.ERRORED, message="reference raised", detail="Traceback")],
    }[outcome]
    status, points = {"passed": (Status.PASSED, 3.0), "failed": (Status.FAILED, 0.0), "partly": (Status.FAILED, 1.5),
                      "errored": (Status.ERRORED, 0.0)}[outcome]
    return item("receptive_field_dilation", status, points, 3.0, visibility=visibility, checks=checks,
                title="Receptive field with dilated convolutions", feedback=f"SECRET-FEEDBACK-{outcome}")


def graded(hidden, *, visible=VISIBLE_FULL, policy_penalty=0.0, problems=()):
    """A result as score_submission makes it: the late penalty is min(raw score, the policy's)."""
    items = (*visible, hidden)
    raw = round(sum(i.points for i in items), 6)
    penalty = round(min(raw, policy_penalty), 6)
    return StudentResult(
        student_id="dana", files=("dana.ipynb",), score=round(raw - penalty, 6),
        max_score=sum(i.max_points for i in items), items=items, problems=tuple(problems),
        errored=any(i.status is Status.ERRORED for i in items), late_penalty=penalty,
        provenance={"seed": 20261123})


def what_gradescope_shows_a_student(data: dict) -> dict:
    """Gradescope's documented rules (autograder specs, "Controlling Test Case Visibility"): a test
    is shown by its own visibility (else the top level's); "If test cases are hidden, students will
    not be able to see their total score"; stdout is shown only by ``stdout_visibility``;
    ``extra_data`` is "extra data to be stored", not shown."""
    default = data.get("visibility", "visible")
    tests = data.get("tests", [])
    shown = [t for t in tests if t.get("visibility", default) == "visible"]
    seen = {key: data[key] for key in ("output", "output_format", "test_output_format") if key in data}
    seen["tests"] = [{k: v for k, v in t.items() if k != "extra_data"} for t in shown]
    if len(shown) == len(tests):
        seen["score"] = data["score"]
    assert data.get("stdout_visibility", "hidden") == "hidden"
    return seen


def _written(name):
    def view(result, reveal, tmp_path):
        folder = tmp_path / f"written-{len(list(tmp_path.iterdir()))}"
        return write_student_reports(result, folder, reveal=reveal)[name].read_text(encoding="utf-8")
    return view


# Every output a student sees, as text.
STUDENT_VIEWS = {
    "feedback.md": lambda result, reveal, _: feedback_markdown(result, reveal=reveal),
    "feedback.html": lambda result, reveal, _: feedback_html(result, reveal=reveal),
    "written feedback.md": _written("feedback.md"),
    "written feedback.html": _written("feedback.html"),
    "gradescope": lambda result, *_: json.dumps(what_gradescope_shows_a_student(gradescope_results(result)),
                                                sort_keys=True),
    "self-check": lambda result, *_: render_check(result),
    "annotations": lambda result, *_: github_annotations([result]),
    "step summary": lambda result, *_: step_summary([result]),
    "step summary of two": lambda result, *_: step_summary([result, CLASSMATE]),
}


def student_views(result: StudentResult, reveal: frozenset, tmp_path) -> dict[str, str]:
    return {name: view(result, reveal, tmp_path) for name, view in STUDENT_VIEWS.items()}


# Pairs that differ only in the held-back item's result.
PAIRS = [("passed", "failed"), ("passed", "errored"), ("failed", "partly"), ("failed", "errored")]
SCENARIOS = {
    "visible_full_on_time": dict(visible=VISIBLE_FULL),
    "visible_full_late": dict(visible=VISIBLE_FULL, policy_penalty=1.2),
    "visible_full_late_beyond_the_visible_points": dict(visible=VISIBLE_FULL, policy_penalty=10.0),
    "visible_some_late_clamped": dict(visible=VISIBLE_SOME, policy_penalty=6.0),
    "visible_nothing_late": dict(visible=VISIBLE_NOTHING, policy_penalty=6.0),
    "visible_nothing_on_time_with_a_problem": dict(
        visible=VISIBLE_NOTHING, problems=[Problem("syntax_error", "invalid syntax", "dana.ipynb", cell=2, line=1)]),
}


@pytest.mark.parametrize("view", list(STUDENT_VIEWS))
@pytest.mark.parametrize("visibility", ["hidden", "after_due_date", "after_published"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("first, second", PAIRS, ids=[f"{a}_vs_{b}" for a, b in PAIRS])
def test_student_views_are_byte_identical_whatever_the_held_back_result(first, second, scenario, visibility, view,
                                                                        tmp_path):
    one = graded(held_back(first, visibility), **SCENARIOS[scenario])
    two = graded(held_back(second, visibility), **SCENARIOS[scenario])
    assert one != two
    render = STUDENT_VIEWS[view]
    for reveal in (frozenset(), REVEALABLE - {visibility}):
        assert render(one, reveal, tmp_path) == render(two, reveal, tmp_path), f"reveal={sorted(reveal)}"


@pytest.mark.parametrize("outcome", ["failed", "errored"])
def test_a_held_back_failure_shows_no_total_and_no_review_note(outcome, tmp_path):
    result = graded(held_back(outcome))
    assert result.score == 9 and result.max_score == 12
    for name, text in student_views(result, frozenset(), tmp_path).items():
        assert "9 / 12" not in text and "9/12" not in text, name
        assert REVIEW_NOTE not in text, name
        assert "grader itself had a problem" not in text, name
        assert "SECRET" not in text and "Receptive field with dilated" not in text, name


@pytest.mark.parametrize("render", [feedback_markdown, feedback_html], ids=["markdown", "html"])
def test_feedback_shows_the_points_of_the_items_shown_and_what_is_held_back(render):
    text = render(graded(held_back("failed")))
    assert "Score on the items shown: 9 / 9" in text
    assert "1 more item is not shown here yet (3 points)" in text
    assert "Score: " not in text


def test_gradescope_output_shows_no_total_while_a_test_is_not_visible():
    data = gradescope_results(graded(held_back("failed")))
    assert data["score"] == 9  # Gradescope needs it; it hides it from the student itself
    assert not data["output"].startswith("Score: ")
    assert "Score on the tests shown: 9 / 9" in data["output"]


def test_the_self_check_and_job_summary_count_only_the_items_shown():
    result = graded(held_back("failed"))
    assert render_check(result).splitlines()[0] == "dana: 9/9 on the visible items"
    assert "### `dana`: Points 9/9 on the items shown" in step_summary([result])
    assert "| dana | 9/9 (1 held back) |" in step_summary([result, CLASSMATE])


@pytest.mark.parametrize("render", [feedback_markdown, feedback_html], ids=["markdown", "html"])
def test_the_late_penalty_is_stated_when_it_cannot_tell_anything_about_held_back_items(render):
    assert "Late penalty: 1.2 points were removed from your final score" in render(
        graded(held_back("failed"), policy_penalty=1.2))
    # At least all 9 visible points come off: how much more depends on the hidden item.
    beyond = render(graded(held_back("failed"), policy_penalty=10.0))
    assert "A late penalty applies" in beyond and "Late penalty: 9" not in beyond


@pytest.mark.parametrize("render", [feedback_markdown, feedback_html], ids=["markdown", "html"])
def test_a_visible_grader_error_still_gets_the_review_note_when_items_are_held_back(render):
    errored = item("conv_output_size", Status.ERRORED, 0.0, 3.0,
                   checks=[CheckOutcome("conv_output_size.worked_examples", Status.ERRORED)])
    text = render(graded(held_back("passed"), visible=(errored, *VISIBLE_FULL[1:])))
    assert REVIEW_NOTE in text.replace("&#x27;", "'")


@pytest.mark.parametrize("render", [feedback_markdown, feedback_html], ids=["markdown", "html"])
def test_with_nothing_held_back_the_total_shows_as_before(render):
    result = graded(held_back("failed", "visible"), policy_penalty=1.2)
    text = render(result)
    assert "Score: 7.8 / 12" in text
    assert "Late penalty: 1.2 points were removed (already taken out of the score above)." in text
    revealed = graded(held_back("failed", "after_due_date"))
    assert "Score: 9 / 12" in render(revealed, reveal={"after_due_date"})


def test_gradescope_output_shows_the_total_when_every_test_is_visible():
    assert gradescope_results(graded(held_back("failed", "visible")))["output"].startswith("Score: 9 / 12")


@pytest.mark.parametrize("outcome", ["failed", "errored"])
def test_the_instructors_files_keep_everything(outcome, tmp_path):
    result = graded(held_back(outcome), policy_penalty=1.2)
    written = write_student_reports(result, tmp_path)
    instructor = written["instructor.md"].read_text(encoding="utf-8")
    assert f"**Score: 7.8 / 12**" in instructor
    assert "Late penalty: 1.2 points were removed" in instructor
    assert "Receptive field with dilated convolutions" in instructor
    assert "hidden" in instructor
    assert (REVIEW_NOTE in instructor) == (outcome == "errored")
    if outcome == "failed":
        assert "SECRET-HIDDEN-DETAIL" in instructor
    stored = json.loads(written["result.json"].read_text(encoding="utf-8"))
    assert StudentResult.from_dict(stored) == result
    extra = gradescope_results(result)["extra_data"]
    assert extra["needs_review"] is (outcome == "errored") and extra["late_penalty"] == 1.2


def test_every_pair_and_scenario_is_a_real_difference():
    # Guards the property test: each pair must differ in what the instructor sees.
    for (first, second), scenario in itertools.product(PAIRS, SCENARIOS):
        one, two = (graded(held_back(o), **SCENARIOS[scenario]) for o in (first, second))
        assert feedback_markdown(one, instructor=True) != feedback_markdown(two, instructor=True)
