"""What a check can do beyond pass and fail: read the rubric's options, earn a share of credit
(an accuracy between two bounds), show a picture whatever its outcome, call through the harness
and keep objects in the worker."""
import textwrap

import pytest

from grader.checks import Mismatch, TrustedCode, cases, check, curves, load_checks, run_checks
from grader.checks import options
from grader.checks.figure import matrix, show
from grader.checks.registry import CheckDefinitionError, CheckSuite
from grader.checks.student import student_run
from grader.result import Status
from grader.rubric.schema import Item
from grader.score import score_item

CURVE = curves("Loss", {"train": [1.0, 0.5]})


def one_check(body, check_id="c.one"):
    return CheckSuite([check(check_id)(cases({})(body)).__cnngrade_check__])


def test_the_rubrics_options_are_in_force_while_its_checks_run_and_read_only():
    seen = []

    def body(student):
        seen.append(dict(options.current()))
        with pytest.raises(TypeError):
            options.current()["dataset"] = "cifar"

    run_checks(one_check(body), TrustedCode({}), seed=1, options={"dataset": "digits", "max_epochs": 3})
    assert seen == [{"dataset": "digits", "max_epochs": 3}]
    assert dict(options.current()) == {}  # and none outside


def test_a_failed_check_can_earn_a_share_of_its_credit():
    def body(student):
        raise Mismatch("accuracy 0.70: between 0.50 (no credit) and 0.90 (full credit)",
                       expected=">= 0.90", got=0.70, credit=0.5)

    outcome = run_checks(one_check(body), TrustedCode({}), seed=1)["c.one"]
    assert outcome.status is Status.FAILED and outcome.credit == 0.5
    assert outcome.message == "accuracy 0.70: between 0.50 (no credit) and 0.90 (full credit)"  # no call to blame
    item = Item(id="accuracy", title="Accuracy", points=4.0, checks=("c.one",), partial_credit="proportional")
    assert score_item(item, {"c.one": outcome}).points == 2.0
    with pytest.raises(ValueError, match="credit must be a fraction between 0 and 1"):
        Mismatch("x", expected=1, got=2, credit=1.5)


def test_a_check_shows_a_picture_on_its_outcome_passed_or_failed():
    def passing(student):
        show(CURVE)

    def failing(student):
        show(CURVE)
        raise AssertionError("diverged")

    def failing_with_its_own(student):
        show(CURVE)
        raise Mismatch("wrong", expected=1, got=2, figure=matrix("Confusion", [[1, 0], [0, 1]]))

    assert run_checks(one_check(passing), TrustedCode({}), seed=1)["c.one"].figure == CURVE
    assert run_checks(one_check(failing), TrustedCode({}), seed=1)["c.one"].figure == CURVE
    assert run_checks(one_check(failing_with_its_own), TrustedCode({}), seed=1)["c.one"].figure["kind"] == "matrix"
    show(CURVE)  # outside a check run: nothing happens


def test_student_run_keeps_objects_and_calls_the_harness_recording_only_the_students_calls():
    calls = []

    class Model:
        def __call__(self, x):
            return 2 * x

    def body(student):
        model = student_run(student, "build_model", (1, 10), keep="auto", timeout_s=60)
        assert student_run(student, "predict", (model, 3), namespace="harness") == 6
        calls.extend(c.function for c in student._calls)

    code = TrustedCode({"build_model": lambda c, k: Model()}, harness={"predict": lambda m, x: m(x)})
    assert run_checks(one_check(body), code, seed=1)["c.one"].status is Status.PASSED
    assert calls == ["build_model"]


def test_a_checks_file_names_its_worker_harness_by_path(tmp_path):
    (tmp_path / "harness.py").write_text("def predict(model, images):\n    return model(images)\n")
    (tmp_path / "checks.py").write_text(textwrap.dedent('''
        from grader.checks import cases, check
        WORKER_HARNESS = ["harness.py"]

        @check("a.one")
        @cases({})
        def _(student):
            pass
    '''))
    suite = load_checks(tmp_path / "checks.py")
    assert suite.harness == (("<cnngrade harness: harness.py>", "def predict(model, images):\n    return model(images)\n"),)
    (tmp_path / "checks.py").write_text("WORKER_HARNESS = ['missing.py']\n")
    with pytest.raises(CheckDefinitionError, match="WORKER_HARNESS names missing.py, but there is no file"):
        load_checks(tmp_path / "checks.py")
