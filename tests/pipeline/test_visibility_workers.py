"""Checks of different visibility never share a worker: held-back inputs cannot leak."""
from pathlib import Path

from grader.pipeline import Assignment, check_visibility, grade_batch, student_dir

REPO = Path(__file__).resolve().parents[2]

# Remembers every ceil_mode input (an after_due_date check), then tells them in the message of
# a visible check's failure.
HOARDER = '''
SEEN = []

def pool_output_size(n_in, kernel_size, stride=None, ceil_mode=False):
    stride = kernel_size if stride is None else stride
    if ceil_mode:
        SEEN.append(("HELD-BACK", n_in, kernel_size, stride))
        return -(-(n_in - kernel_size) // stride) + 1
    return (n_in - kernel_size) // stride + 1

def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    raise ValueError("leaked: %r" % SEEN)
'''


def test_a_visible_check_never_sees_what_a_held_back_check_sent(tmp_path):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "hoarder.py").write_text(HOARDER)
    assignment = Assignment.load(REPO / "rubrics" / "conv_arithmetic.yaml")
    outcome = grade_batch([tmp_path / "class"], assignment, tmp_path / "out")
    (result,) = outcome.results
    by_item = {i.item_id: i for i in result.items}
    assert by_item["pool_output_size_ceil_mode"].checks[0].cases_passed > 0  # the hoarding happened
    leaked = by_item["conv_param_count"].checks[0].message
    assert "leaked: []" in leaked and "HELD-BACK" not in leaked
    assert "HELD-BACK" not in (student_dir(tmp_path / "out", "hoarder") / "feedback.md").read_text()


def test_a_check_counts_as_visible_when_any_item_it_serves_is():
    assignment = Assignment.load(REPO / "rubrics" / "conv_arithmetic.yaml")
    visibility = check_visibility(assignment.rubric)
    assert visibility["pool_output_size.ceil_mode"] == "after_due_date"
    assert visibility["receptive_field.dilation"] == "hidden"
    assert visibility["conv_output_size.matches_torch"] == "visible"
    assert list(visibility.values()) == sorted(visibility.values(), key=["visible", "after_published",
                                                                          "after_due_date", "hidden"].index)


def test_the_self_check_shows_no_held_back_item_even_one_made_of_visible_checks(tmp_path):
    from grader.pipeline import grade_path
    from grader.selfcheck import visible_checks

    text = (REPO / "rubrics" / "conv_arithmetic.yaml").read_text(encoding="utf-8")
    text = text.replace("checks: ../assignments/", f"checks: {REPO}/assignments/")
    text += ("\n  - id: conv_output_size_again\n    title: Output size, counted again\n    points: 5\n"
             "    checks: [conv_output_size.worked_examples]\n    visibility: hidden\n")
    (tmp_path / "rubric.yaml").write_text(text, encoding="utf-8")
    assignment = Assignment.load(tmp_path / "rubric.yaml")
    result = grade_path(REPO / "assignments" / "conv_arithmetic" / "solution.ipynb", assignment,
                        only=visible_checks(assignment))
    assert "conv_output_size_again" not in {i.item_id for i in result.items}
    assert {i.visibility for i in result.items} == {"visible"} and result.max_score == 10
