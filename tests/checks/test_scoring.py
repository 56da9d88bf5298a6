"""Scores from outcomes: partial credit, prerequisites, errored items, late policy, feedback."""
from datetime import datetime, timedelta, timezone

import pytest

from grader.result import CheckOutcome, Misconception, Status
from grader.rubric import Item, LatePolicy
from grader.score import days_late, late_penalty, score_item, score_submission

DUE = datetime(2026, 12, 1, 23, 59, tzinfo=timezone.utc)


class Rubric:
    """Just what scoring reads from a grader.rubric.Rubric."""

    def __init__(self, *items, late_policy=None):
        self.items = items
        self.late_policy = late_policy


def passed(check_id, n=10):
    return CheckOutcome(check_id, Status.PASSED, cases_passed=n, cases_total=n)


def failed(check_id, cases_passed, cases_total, **kwargs):
    return CheckOutcome(check_id, Status.FAILED, message=f"{check_id} is wrong", cases_passed=cases_passed,
                        cases_total=cases_total, **kwargs)


def item(item_id="size", mode="proportional", checks=("a", "b"), points=3, depends_on=()):
    return Item(item_id, f"Title of {item_id}", points, tuple(checks), mode, "visible", tuple(depends_on))


def outcomes(*listed):
    return {o.check_id: o for o in listed}


def test_all_checks_passing_gives_full_points():
    result = score_item(item(), outcomes(passed("a"), passed("b")))
    assert (result.points, result.status, result.feedback) == (3.0, Status.PASSED, "All checks passed.")


def test_all_or_nothing_gives_zero_for_any_failure():
    result = score_item(item(mode="all_or_nothing"), outcomes(passed("a"), failed("b", 59, 60)))
    assert (result.points, result.status) == (0.0, Status.FAILED)


def test_proportional_averages_the_share_of_cases_passed_per_check():
    result = score_item(item(), outcomes(failed("a", 3, 4), failed("b", 30, 60)))
    assert result.points == pytest.approx(3 * (0.75 + 0.5) / 2)
    assert result.status is Status.FAILED


def test_proportional_counts_a_skipped_check_as_zero():
    skipped = CheckOutcome("b", Status.SKIPPED, message="skipped because a did not pass")
    result = score_item(item(), outcomes(failed("a", 1, 2), skipped))
    assert result.points == pytest.approx(3 * 0.5 / 2)


def test_errored_check_makes_the_item_errored_and_flags_the_result():
    errored = CheckOutcome("b", Status.ERRORED, message="the check itself raised KeyError")
    result = score_submission(Rubric(item()), outcomes(passed("a"), errored), student_id="s1")
    assert result.items[0].status is Status.ERRORED and result.items[0].points == 0.0
    assert result.errored
    assert "problem in the grader, not in your code" in result.items[0].feedback


def test_check_without_an_outcome_is_errored_not_failed():
    result = score_item(item(), outcomes(passed("a")))
    assert result.status is Status.ERRORED
    assert result.checks[1].message.startswith("no outcome for check b")


def test_item_whose_prerequisite_lacks_full_points_is_skipped():
    rubric = Rubric(
        item("ceil", mode="all_or_nothing", checks=["c"], points=1, depends_on=["size"]),
        item("size"),
    )
    result = score_submission(rubric, outcomes(failed("a", 1, 2), passed("b"), passed("c")), student_id="s")
    ceil = result.items[0]
    assert (ceil.status, ceil.points) == (Status.SKIPPED, 0.0)
    assert ceil.feedback == "Not graded: this part counts only once “Title of size” gets full marks."
    assert result.score == pytest.approx(3 * 0.75)
    assert not result.errored


def test_unknown_prerequisite_item_is_refused():
    with pytest.raises(ValueError, match="depends on unknown item 'ghost'"):
        score_submission(Rubric(item(depends_on=["ghost"])), {}, student_id="s")


def test_unknown_partial_credit_mode_lists_the_allowed_ones():
    with pytest.raises(ValueError, match="must be one of .*; got 'half'"):
        score_item(item(mode="half"), outcomes(passed("a"), passed("b")))


def test_feedback_names_the_failure_as_a_sentence_then_the_hint_and_the_cases():
    wrong = failed("b", 45, 60, misconception=Misconception("m.ceil", "Round down."))
    result = score_item(item(), outcomes(passed("a", 4), wrong))
    assert result.feedback == (
        "b is wrong.\nHint: Round down.\n49 of 64 test cases passed.\nScore: 2.625 / 3."
    )


POLICY = LatePolicy(due=DUE, penalty_per_day=0.1, max_penalty=0.5)


@pytest.mark.parametrize(
    "delay, days",
    [(timedelta(0), 0), (-timedelta(days=3), 0), (timedelta(seconds=1), 1), (timedelta(days=1), 1),
     (timedelta(days=1, seconds=1), 2)],
    ids=["on-time", "early", "one-second", "one-day", "a-day-and-a-second"],
)
def test_days_late_round_up(delay, days):
    assert days_late(DUE + delay, DUE) == days


def test_late_penalty_is_a_fraction_of_the_max_score_per_day_capped():
    assert late_penalty(DUE + timedelta(hours=30), POLICY, 12) == pytest.approx(2.4)
    assert late_penalty(DUE + timedelta(days=30), POLICY, 12) == pytest.approx(6.0)


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="must be timezone-aware"):
        days_late(datetime(2026, 12, 2), DUE)


def test_late_penalty_is_taken_off_and_never_goes_below_zero():
    rubric = Rubric(item(), late_policy=POLICY)
    on_time = score_submission(rubric, outcomes(passed("a"), passed("b")), student_id="s", submitted_at=DUE)
    assert (on_time.score, on_time.late_penalty) == (3.0, 0.0)
    late = score_submission(rubric, outcomes(passed("a"), passed("b")), student_id="s",
                            submitted_at=DUE + timedelta(days=2))
    assert (late.score, late.late_penalty) == (pytest.approx(2.4), pytest.approx(0.6))
    poor = score_submission(rubric, outcomes(failed("a", 0, 4), failed("b", 1, 60)), student_id="s",
                            submitted_at=DUE + timedelta(days=9))
    assert poor.score == 0.0
    assert poor.late_penalty == pytest.approx(3 * (1 / 60) / 2)


def test_result_round_trips_through_json():
    from grader.result import StudentResult

    result = score_submission(Rubric(item()), outcomes(passed("a"), failed("b", 1, 3)), student_id="s",
                              files=["s.ipynb"], provenance={"seed": 1})
    assert StudentResult.from_dict(result.to_dict()) == result
