"""junit.xml: one testsuite per student, one testcase per item; no clock readings unless asked."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Iterable

from grader.reports.escaping import escape_controls, neutralize_workflow_commands, xml_text
from grader.reports.feedback_md import item_details_markdown
from grader.reports.numbers import format_points
from grader.reports.visibility import shown_result
from grader.reports.wording import GRADER_ERROR_NOTE, STATUS_LABEL
from grader.result import UNGRADABLE, ItemResult, Status, StudentResult


def junit_xml(results: Iterable[StudentResult], *, instructor: bool = True, reveal: Iterable[str] = frozenset(),
              include_timings: bool = False) -> str:
    """JUnit XML; ``include_timings`` adds ``time`` from the checks' measured durations."""
    root = ET.Element("testsuites", {"name": "cnngrade"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for result in sorted(results, key=lambda r: (r.student_id, r.files)):
        view = shown_result(result, reveal=reveal, instructor=instructor)  # a student's: no hidden total
        items = view.items
        counts = {
            "tests": len(items),
            "failures": sum(i.status is Status.FAILED for i in items),
            "errors": sum(i.status is Status.ERRORED for i in items),
            "skipped": sum(i.status is Status.SKIPPED for i in items),
        }
        suite = ET.SubElement(root, "testsuite", {"name": _attribute(result.student_id),
                                                  **{k: str(v) for k, v in counts.items()}})
        props = ET.SubElement(suite, "properties")
        for name, value in (("score", view.score), ("max_score", view.max_score)):
            ET.SubElement(props, "property", {"name": name, "value": format_points(value)})
        suite_time = 0.0
        if result.status == UNGRADABLE:
            counts["tests"] += 1
            counts["errors"] += 1
            suite.set("tests", str(counts["tests"]))
            suite.set("errors", str(counts["errors"]))
            _unreadable_case(suite, result)
        for item in items:
            case_time = sum(c.duration_s for c in item.checks)
            suite_time += case_time
            _testcase(suite, result.student_id, item, case_time if include_timings else None)
        if include_timings:
            suite.set("time", f"{suite_time:.3f}")
        total_time += suite_time
        for key in totals:
            totals[key] += counts[key]
    for key, value in totals.items():
        root.set(key, str(value))
    if include_timings:
        root.set("time", f"{total_time:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(suite: ET.Element, student_id: str, item: ItemResult, seconds: float | None) -> None:
    attrs = {"classname": _attribute(student_id), "name": _attribute(item.item_id)}
    if seconds is not None:
        attrs["time"] = f"{seconds:.3f}"
    case = ET.SubElement(suite, "testcase", attrs)
    # CI systems print JUnit bodies into their logs: student text must not start a command line.
    details = xml_text(neutralize_workflow_commands(item_details_markdown(item)))
    summary = _attribute(f"{item.title}: {format_points(item.points)} / {format_points(item.max_points)}")
    if item.status is Status.FAILED:
        ET.SubElement(case, "failure", {"message": summary, "type": "failed"}).text = details
    elif item.status is Status.ERRORED:
        ET.SubElement(case, "error", {"message": GRADER_ERROR_NOTE, "type": "grader_error"}).text = details
    elif item.status is Status.SKIPPED:
        ET.SubElement(case, "skipped", {"message": STATUS_LABEL[Status.SKIPPED]})
    if details and item.status is Status.PASSED:
        ET.SubElement(case, "system-out").text = details


UNGRADABLE_NOTE = "the submission could not be read, so it was not graded (no score, not a zero)"


def _unreadable_case(suite: ET.Element, result: StudentResult) -> None:
    """An ungradable submission says why, as one errored test before its (skipped) items."""
    case = ET.SubElement(suite, "testcase", {"classname": _attribute(result.student_id), "name": "submission"})
    reasons = "\n".join(str(p) for p in result.problems) or "no notebook or .py file could be read"
    ET.SubElement(case, "error", {"message": _attribute(UNGRADABLE_NOTE), "type": "ungradable"}).text = \
        xml_text(neutralize_workflow_commands(reasons))


def _attribute(text: str) -> str:
    """One line for an attribute; its line breaks and controls shown as escapes (``\\n``)."""
    return xml_text(escape_controls(text))
