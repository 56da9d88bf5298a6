"""Pictures of failures: a check describes curves as plain data, the reports draw them as PNG
(inline in feedback.html, files linked from feedback.md), the same bytes on every run, and the
text outputs (Gradescope, JUnit, GitHub) stay text."""
import base64
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from grader.checks import Mismatch, TrustedCode, cases, check, curves, run_checks
from grader.checks.registry import CheckSuite
from grader.reports import write_student_reports
from grader.reports.figures import figure_png
from grader.reports.gradescope import gradescope_results
from grader.reports.junit import junit_xml
from grader.result import CheckOutcome, ItemResult, Status, StudentResult

pytest.importorskip("matplotlib")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LOSSES = curves("Loss over 20 steps", {"your adam_step": [1.0, 0.5, 0.4, float("nan")],
                                       "reference": ([0, 1, 2, 3], [1.0, 0.4, 0.2, 0.1])},
                x_label="step", y_label="loss")


def test_curves_are_plain_json_data_with_gaps_for_non_finite_values():
    assert json.loads(json.dumps(LOSSES)) == LOSSES
    yours, reference = LOSSES["series"]
    assert yours == {"label": "your adam_step", "x": [0.0, 1.0, 2.0, 3.0], "y": [1.0, 0.5, 0.4, None]}
    assert reference["x"] == [0.0, 1.0, 2.0, 3.0]


@pytest.mark.parametrize("student_value, note", [
    ("not numbers", "could not be drawn: expected a sequence of numbers, got str"),
    (([0, 1], [1.0]), "could not be drawn: 2 x values but 1 y values"),
    ([1.0, "x"], "could not be drawn: expected numbers, got str"),
    (np.array([1 + 2j]), "could not be drawn: expected numbers, got complex"),
])
def test_a_student_value_that_cannot_be_drawn_is_an_empty_series_with_a_note(student_value, note):
    figure = curves("ROC", {"yours": student_value, "expected": ([0, 1], [0, 1])})
    assert figure["series"][0] == {"label": "yours", "x": [], "y": [], "note": note}
    assert figure_png(figure).startswith(PNG_MAGIC)


def test_the_png_is_the_same_bytes_in_another_process_and_carries_no_metadata():
    here = figure_png(LOSSES)
    script = ("import sys, json; from grader.reports.figures import figure_png; "
              "sys.stdout.buffer.write(figure_png(json.loads(sys.argv[1])))")
    there = subprocess.run([sys.executable, "-c", script, json.dumps(LOSSES)], capture_output=True,
                           check=True).stdout
    assert here.startswith(PNG_MAGIC) and here == there
    assert b"tEXt" not in here and b"tIME" not in here and b"matplotlib" not in here.lower()
    width, height = int.from_bytes(here[16:20], "big"), int.from_bytes(here[20:24], "big")
    assert (width, height) == (560, 360)


def test_a_dollar_sign_in_a_label_is_drawn_as_written():
    assert figure_png(curves("cost in $ (a $x$ here)", {"$y$": [1, 2]})).startswith(PNG_MAGIC)


def test_a_check_attaches_its_figure_to_the_failure_it_reports():
    @check("adam.trajectory", function="adam")
    @cases({})
    def body(student):
        got = student.adam()
        raise Mismatch("the losses differ", expected=[1.0], got=got, figure=curves("Loss", {"yours": got}))

    outcome = run_checks(CheckSuite([body.__cnngrade_check__]), TrustedCode({"adam": lambda: [2.0, 1.0]}),
                         seed=1)["adam.trajectory"]
    assert outcome.status is Status.FAILED and outcome.figure == curves("Loss", {"yours": [2.0, 1.0]})


def _result(figure_check_visibility="visible"):
    def failing(check_id):
        return CheckOutcome(check_id, Status.FAILED, message="the losses differ", figure=LOSSES)

    items = (
        ItemResult("adam", "Adam", 0.0, 2.0, Status.FAILED, "visible", (failing("adam.trajectory"),)),
        ItemResult("adamw", "AdamW", 0.0, 1.0, Status.FAILED, figure_check_visibility, (failing("adamw.hidden"),)),
    )
    return StudentResult(student_id="dora", files=("dora.ipynb",), score=0.0, max_score=3.0, items=items)


def test_reports_show_the_picture_inline_in_html_and_linked_from_markdown(tmp_path):
    written = write_student_reports(_result("hidden"), tmp_path)
    png = (tmp_path / "figures" / "adam.trajectory.png").read_bytes()
    assert png == figure_png(LOSSES) and "figures/adam.trajectory.png" in written
    markdown = (tmp_path / "feedback.md").read_text()
    assert "![Loss over 20 steps](figures/adam.trajectory.png)" in markdown
    html = (tmp_path / "feedback.html").read_text()
    inline = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert [base64.b64decode(i) for i in inline] == [png]
    # a hidden check's picture is the instructor's alone
    assert "adamw" not in markdown and "adamw" not in html
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["adam.trajectory.png"]
    assert (tmp_path / "instructor-figures" / "adamw.hidden.png").read_bytes() == png
    assert "![Loss over 20 steps](instructor-figures/adamw.hidden.png)" in (tmp_path / "instructor.md").read_text()


def test_a_regrade_without_the_failure_leaves_no_stale_picture(tmp_path):
    write_student_reports(_result(), tmp_path)
    assert (tmp_path / "figures" / "adamw.hidden.png").exists()
    passed = StudentResult(student_id="dora", files=("dora.ipynb",), score=3.0, max_score=3.0, items=(
        ItemResult("adam", "Adam", 2.0, 2.0, Status.PASSED, "visible", (CheckOutcome("adam.trajectory", Status.PASSED),)),))
    write_student_reports(passed, tmp_path)
    assert list((tmp_path / "figures").iterdir()) == []
    assert "![" not in (tmp_path / "feedback.md").read_text()


def test_text_outputs_carry_no_picture_and_stay_whole():
    result = _result()
    gradescope = json.dumps(gradescope_results(result))
    junit = junit_xml([result])
    for text in (gradescope, junit):
        assert "![" not in text and "base64" not in text and "the losses differ" in text


def test_a_result_read_back_from_json_draws_the_same_picture(tmp_path):
    write_student_reports(_result(), tmp_path / "first")
    again = StudentResult.from_dict(json.loads((tmp_path / "first" / "result.json").read_text()))
    write_student_reports(again, tmp_path / "second")
    for name in ("feedback.md", "feedback.html", "figures/adam.trajectory.png"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


def test_a_measure_the_checks_record_gets_its_distribution_in_the_class_summary(tmp_path):
    from grader.checks import measures
    from grader.reports import write_batch_reports

    def accuracy_check(student):
        measures.record("test accuracy", student.accuracy())

    suite = CheckSuite([check("test.accuracy")(cases({})(accuracy_check)).__cnngrade_check__])
    results = []
    for sid, accuracy in (("ada", 0.95), ("bo", 0.62), ("cy", 0.97)):
        outcome = run_checks(suite, TrustedCode({"accuracy": lambda a=accuracy: a}), seed=1)["test.accuracy"]
        assert outcome.measures == {"test accuracy": accuracy}
        results.append(StudentResult(student_id=sid, files=(f"{sid}.ipynb",), score=1.0, max_score=1.0, items=(
            ItemResult("acc", "Accuracy", 1.0, 1.0, Status.PASSED, "visible", (outcome,)),)))
    written = write_batch_reports(results, [("acc", "Accuracy", 1.0)], tmp_path)
    summary = (tmp_path / "summary.md").read_text()
    assert "## Distribution of test accuracy" in summary and "3 students: mean 0.8467" in summary
    assert "![test accuracy](summary-figures/test_accuracy.png)" in summary
    assert "  0.9-1 | ######################################## 2" in summary
    png = (tmp_path / "summary-figures" / "test_accuracy.png").read_bytes()
    assert png.startswith(PNG_MAGIC) and written["summary-figures/test_accuracy.png"].read_bytes() == png
    write_batch_reports(results, [("acc", "Accuracy", 1.0)], tmp_path / "again")
    assert (tmp_path / "again" / "summary-figures" / "test_accuracy.png").read_bytes() == png
