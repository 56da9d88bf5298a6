"""Scenario results for the report tests, built directly (no grading)."""
import pytest
from hostile_text import HIGH, LOW

from grader.result import CheckOutcome, ItemResult, Misconception, Problem, Status, StudentResult

COLUMNS = (("conv_output_size", "Output size of a convolution", 3.0),
           ("pool_output_size", "Output size of a pooling layer", 3.0),
           ("ceil_mode", "Pooling with ceil_mode", 1.0),
           ("dilation", "Receptive field with dilation", 1.0))

HOSTILE = "::set-output name=score::100\n::error file=x.py,line=1::pwned\r\n##[set-output name=a;]b\n" \
          "```\n</pre><script>alert(1)</script>\x00\x1b[31m % , : \"quotes\" & 'apos'"


def item(item_id, status, points, max_points=None, *, visibility="visible", checks=(), title=None,
         feedback=""):
    max_points = points if max_points is None else max_points
    return ItemResult(item_id=item_id, title=title or item_id.replace("_", " ").capitalize(), points=points,
                      max_points=max_points, status=status, visibility=visibility, checks=tuple(checks),
                      feedback=feedback)


def wrong_padding_check():
    return CheckOutcome(
        check_id="pool_output_size.matches_torch", status=Status.FAILED,
        message="Mismatched elements: 3 / 40", smallest_input={"n": 5, "kernel": 2, "stride": 2},
        expected="2", got="3",
        misconception=Misconception("pool_output_size.ceil_instead_of_floor", "You rounded up; use floor."),
        cases_passed=37, cases_total=40, duration_s=0.25)


@pytest.fixture
def alice():
    return StudentResult(
        student_id="alice", files=("alice.ipynb",), score=5.5, max_score=8.0,
        items=(
            item("conv_output_size", Status.PASSED, 3.0,
                 checks=[CheckOutcome("conv_output_size.worked_examples", Status.PASSED, cases_passed=4,
                                      cases_total=4, duration_s=0.5)]),
            item("pool_output_size", Status.FAILED, 1.5, 3.0, checks=[wrong_padding_check()],
                 feedback="Close: check how you round."),
            item("ceil_mode", Status.PASSED, 1.0, visibility="after_due_date",
                 checks=[CheckOutcome("pool_output_size.ceil_mode", Status.PASSED)]),
            item("dilation", Status.FAILED, 0.0, 1.0, visibility="hidden",
                 checks=[CheckOutcome("receptive_field.dilation", Status.FAILED, message="SECRET-HIDDEN-DETAIL")]),
        ),
        problems=(Problem("syntax_error", "invalid syntax", "alice.ipynb", cell=3, line=2),),
        provenance={"seed": 20261123, "python": "3.11.7", "timings": {"total_s": 1.25}},
    )


@pytest.fixture
def bob():
    return StudentResult(
        student_id="bob", files=("bob.py",), score=3.0, max_score=8.0, errored=True, late_penalty=0.8,
        items=(
            item("conv_output_size", Status.PASSED, 3.0),
            item("pool_output_size", Status.ERRORED, 0.0, 3.0,
                 checks=[CheckOutcome("pool_output_size.matches_torch", Status.ERRORED,
                                      message="reference raised ZeroDivisionError")]),
            item("ceil_mode", Status.SKIPPED, 0.0, 1.0, visibility="after_due_date"),
            item("dilation", Status.FAILED, 0.0, 1.0, visibility="hidden"),
        ),
        problems=(Problem("missing_function", "receptive_field is not defined", "bob.py", line=14),),
    )


@pytest.fixture
def carol():
    return StudentResult(
        student_id="carol", files=("carol.ipynb",), score=2.0 / 3.0, max_score=8.0,
        items=(
            item("conv_output_size", Status.FAILED, 2.0 / 3.0, 3.0,
                 checks=[CheckOutcome("conv_output_size.matches_torch", Status.FAILED, message="off by one")]),
            item("pool_output_size", Status.FAILED, 0.0, 3.0, checks=[wrong_padding_check()]),
            item("ceil_mode", Status.SKIPPED, 0.0, 1.0, visibility="after_due_date"),
            item("dilation", Status.FAILED, 0.0, 1.0, visibility="hidden"),
        ),
    )


@pytest.fixture
def mallory():
    """Every student-controlled string is hostile."""
    check = CheckOutcome("conv_output_size.worked_examples", Status.FAILED, message=HOSTILE,
                         smallest_input={"x": HOSTILE}, expected=HOSTILE, got=HOSTILE,
                         misconception=Misconception("conv.hostile", HOSTILE))
    return StudentResult(
        student_id="=HYPERLINK(\"http://evil\")|`id`::x,y", files=(HOSTILE,), score=0.0, max_score=8.0,
        items=(item("conv_output_size", Status.FAILED, 0.0, 3.0, checks=[check], title=HOSTILE,
                    feedback=HOSTILE),),
        problems=(Problem("syntax_error", HOSTILE, "evil,file=x.py::name.ipynb", cell=None, line=7),
                  Problem("runtime_error", HOSTILE, HOSTILE, cell=2, line=1)),
    )


@pytest.fixture
def eve():
    """Every student string holds a lone surrogate."""
    check = CheckOutcome(
        f"conv_output_size.{LOW}", Status.FAILED, message=f"ValueError: {HIGH}\nstdout: {LOW}",
        smallest_input={"function": f"conv{HIGH}", "args": [HIGH], "kwargs": {LOW: 1}},
        expected=f"'{HIGH}'", got=f"'{LOW}'", misconception=Misconception(f"m.{HIGH}", f"You {LOW} it."))
    item = ItemResult("conv_output_size", f"Title {HIGH}", 0.0, 3.0, Status.FAILED, "visible", (check,),
                      feedback=f"printed {LOW}")
    return StudentResult(
        student_id=f"eve{HIGH}", files=(f"eve{LOW}.ipynb",), score=0.0, max_score=3.0, items=(item,),
        problems=(Problem("runtime_error", f"boom {HIGH}", f"eve{LOW}.ipynb", cell=1, line=2),),
        provenance={"stdout": f"{HIGH}{LOW[::-1]}", HIGH: LOW})


@pytest.fixture
def columns():
    return COLUMNS
