"""A check that fails in the grader tells the student so, without the grader's traceback."""
from hypothesis import strategies as st

from grader.checks import CheckSuite, TrustedCode, check, given, run_checks
from grader.reports.feedback_html import feedback_html
from grader.reports.feedback_md import feedback_markdown
from grader.result import ItemResult, Status, StudentResult


def buggy_outcome():
    @check("buggy", function="size")
    @given(n=st.integers(1, 10))
    def buggy(student, n):
        student.size(n)
        {}["secret key of the checks file"]

    suite = CheckSuite([buggy.__cnngrade_check__])
    return run_checks(suite, TrustedCode({"size": lambda n: n}), seed=0, mistakes_for=lambda ref: [])["buggy"]


def test_an_errored_check_keeps_its_traceback_for_the_instructor_only():
    outcome = buggy_outcome()
    assert outcome.status is Status.ERRORED
    for private in ("Traceback", __file__, "secret key of the checks file"):
        assert private not in outcome.message
        assert private in outcome.detail
    item = ItemResult("size", "Size", 0.0, 1.0, Status.ERRORED, "visible", checks=(outcome,))
    result = StudentResult("alice", ("alice.ipynb",), 0.0, 1.0, (item,), errored=True)
    for student_file in (feedback_markdown(result), feedback_html(result)):
        assert "Traceback" not in student_file and "secret key" not in student_file
    assert "secret key of the checks file" in feedback_markdown(result, instructor=True)
