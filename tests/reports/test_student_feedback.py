"""Per-student reports: result.json, feedback.md, feedback.html, and what each reader may see."""
import json
import re
from html.parser import HTMLParser

import pytest

import grader.reports
from grader.reports import (
    RESULT_SCHEMA,
    feedback_html,
    feedback_markdown,
    result_json,
    write_student_reports,
)
from grader.result import StudentResult


def test_result_json_is_the_result_plus_schema_marker_and_round_trips(alice):
    data = json.loads(result_json(alice))
    assert data["schema"] == RESULT_SCHEMA
    assert data["provenance"] == {"seed": 20261123, "python": "3.11.7", "timings": {"total_s": 1.25}}
    assert StudentResult.from_dict(data) == alice


def test_result_json_is_pretty_with_sorted_keys(alice):
    text = result_json(alice)
    assert text.startswith('{\n  "errored": false,\n  "files": [')
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_write_student_reports_writes_four_files_byte_identically_twice(alice, tmp_path):
    first = write_student_reports(alice, tmp_path / "one")
    second = write_student_reports(alice, tmp_path / "two")
    assert sorted(first) == ["feedback.html", "feedback.md", "instructor.md", "result.json"]
    assert all(first[name].read_bytes() == second[name].read_bytes() for name in first)


def test_written_feedback_is_the_students_view_and_instructor_md_shows_everything(alice, tmp_path):
    hidden = [i for i in alice.items if i.visibility == "hidden"]
    assert hidden, "the alice scenario needs a hidden item"
    written = write_student_reports(alice, tmp_path)
    for name in ("feedback.md", "feedback.html"):
        assert all(i.title not in written[name].read_text() for i in hidden)
    assert all(i.title in written["instructor.md"].read_text() for i in hidden)


def test_feedback_shows_score_status_message_input_expected_got_and_misconception(alice):
    text = feedback_markdown(alice)
    assert "**Score on the items shown: 4.5 / 6**" in text  # 2 items (2 points) held back
    assert "Pool output size: 1.5 / 3 (failed)" in text
    assert "Mismatched elements: 3 / 40" in text
    assert '"kernel": 2' in text
    assert "Expected:\n\n```text\n2\n```" in text and "Got:\n\n```text\n3\n```" in text
    assert "You rounded up; use floor." in text
    assert "(37/40 cases passed)" in text


def test_feedback_locates_problems_by_file_cell_and_line(alice, bob):
    assert "- `alice.ipynb`, cell 3, line 2: `invalid syntax`" in feedback_markdown(alice)
    assert "- `bob.py`, line 14: `receptive_field is not defined`" in feedback_markdown(bob)


def test_grader_errors_are_flagged_as_not_counted_against_the_student(bob):
    for text in (feedback_markdown(bob), feedback_html(bob)):
        assert "a person will review it, this is not counted against you" in text
        assert "needs a person to look at it" in text


def test_late_penalty_is_stated(bob):
    assert "Late penalty: 0.8 points were removed" in feedback_markdown(bob)


@pytest.mark.parametrize("render", [feedback_markdown, feedback_html], ids=["markdown", "html"])
def test_hidden_items_are_never_shown_to_students(alice, render):
    for reveal in (frozenset(), {"after_due_date", "after_published"}):
        text = render(alice, reveal=reveal)
        assert "SECRET-HIDDEN-DETAIL" not in text and "Dilation" not in text


@pytest.mark.parametrize("render", [feedback_markdown, feedback_html], ids=["markdown", "html"])
def test_after_due_date_items_appear_only_when_revealed(alice, render):
    assert "Ceil mode" not in render(alice)
    assert "2 more items are not shown here yet" in render(alice)
    assert "Ceil mode" in render(alice, reveal={"after_due_date"})
    assert "1 more item is not shown here yet" in render(alice, reveal={"after_due_date"})
    assert "Ceil mode" not in render(alice, reveal={"after_published"})


@pytest.mark.parametrize("render", [feedback_markdown, feedback_html], ids=["markdown", "html"])
def test_instructor_rendering_shows_every_item_and_check(alice, render):
    text = render(alice, instructor=True)
    assert "SECRET-HIDDEN-DETAIL" in text and "Ceil mode" in text
    assert "conv_output_size.worked_examples" in text
    assert "not shown here" not in text


def test_unknown_reveal_values_are_refused(alice):
    with pytest.raises(ValueError, match=r"reveal must hold only .*got \['hidden'\]"):
        feedback_markdown(alice, reveal={"hidden"})


def fenced_lines(markdown):
    """Each line with True inside a fenced code block, None for a fence, False outside."""
    inside, fence, result = False, "", []
    for line in markdown.split("\n"):
        run = re.match(r"^ {0,3}(`{3,})", line)
        if not inside and run:
            inside, fence = True, run[1]
            result.append((line, None))
        elif inside and re.fullmatch(r" {0,3}`{3,}\s*", line) and len(line.strip()) >= len(fence):
            inside = False
            result.append((line, None))
        else:
            result.append((line, inside))
    assert not inside, "a code fence was left open"
    return result


def without_code_spans(line):
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", line)


def test_student_text_cannot_break_out_of_markdown_code_fences(mallory):
    text = feedback_markdown(mallory)
    assert "<script>" in text  # shown to the student, but only as code
    for line, inside in fenced_lines(text):
        if inside is False:
            plain = without_code_spans(line)
            assert "<script>" not in plain and "`" not in plain.replace("\\`", ""), line
    assert not any(line.lstrip().startswith("::") for line in text.split("\n"))
    assert "##[" not in text
    assert "\x00" not in text and "\x1b" not in text
    assert "\\<script\\>" in text  # title, feedback and misconception: escaped inline text


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]


def test_html_page_is_self_contained_and_escapes_student_text(mallory):
    page = feedback_html(mallory, instructor=True)
    collector = _Collector()
    collector.feed(page)
    assert "script" not in collector.tags and "link" not in collector.tags and "img" not in collector.tags
    assert not {"src", "href", "onload", "onerror"} & set(collector.attrs)
    assert "url(" not in page and "@import" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\x00" not in page and "\x1b" not in page
    assert page.count("<pre>") == page.count("</pre>")


def test_reports_public_names_are_listed_in_all():
    assert all(hasattr(grader.reports, name) for name in grader.reports.__all__)
    assert {"write_student_reports", "write_batch_reports", "write_gradescope_results",
            "github_annotations", "step_summary"} <= set(grader.reports.__all__)


def test_a_grader_error_note_is_said_once_per_item_and_once_for_a_lone_errored_check(bob):
    note = "a person will review it, this is not counted against you"
    assert feedback_markdown(bob).count(note) == 1
    lone = bob.items[1].__class__(**{**bob.items[1].__dict__, "status": bob.items[0].status})
    assert feedback_markdown(bob.__class__(**{**bob.__dict__, "items": (lone,)})).count(note) == 1


def test_a_recorded_call_is_shown_as_the_call_the_student_would_type():
    from grader.reports.wording import smallest_input_text

    call = {"function": "conv_output_size", "args": [224, 7], "kwargs": {"stride": 2, "padding": 3}}
    assert smallest_input_text(call) == ("conv_output_size(224, 7, padding=3, stride=2)", "python")
    layers = {"function": "receptive_field", "args": [[{"kernel_size": 3, "stride": 1}]], "kwargs": {}}
    assert smallest_input_text(layers)[0] == "receptive_field([{'kernel_size': 3, 'stride': 1}])"
    reordered = {"function": "receptive_field", "args": [[{"stride": 1, "kernel_size": 3}]], "kwargs": {}}
    assert smallest_input_text(reordered) == smallest_input_text(layers)  # as read back from JSON
    assert smallest_input_text({"kernel": 2})[1] == "json"


def test_a_result_read_back_from_result_json_renders_byte_identically():
    # A re-run reuses stored results (their JSON has sorted keys); its reports must not change.
    from grader.reports import feedback_html, junit_xml, result_json
    from grader.result import CheckOutcome, ItemResult, Status, StudentResult

    call = {"function": "receptive_field", "kwargs": {},
            "args": [[{"kernel_size": 2, "stride": 1, "dilation": 2}]]}
    check = CheckOutcome("rf.dilation", Status.FAILED, message="wrong", smallest_input=call,
                         expected="3", got="2", cases_passed=7, cases_total=60)
    item = ItemResult("rf", "Receptive field", 0.0, 1.0, Status.FAILED, "visible", (check,), "wrong")
    fresh = StudentResult("omar", ("omar.ipynb",), 0.0, 1.0, (item,))
    stored = StudentResult.from_dict(json.loads(result_json(fresh)))
    assert feedback_markdown(stored) == feedback_markdown(fresh)
    assert feedback_html(stored) == feedback_html(fresh)
    assert junit_xml([stored]) == junit_xml([fresh])
