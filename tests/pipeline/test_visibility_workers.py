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
