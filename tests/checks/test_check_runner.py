"""Running checks on one submission: outcomes, fairness, shrinking, partial-credit cases."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume
from hypothesis import strategies as st

from grader.checks import CheckSuite, TrustedCode, cases, check, expect_equal, given, run_checks
from grader.result import Status
from grader.sandbox.errors import StudentTimeout

ROOT = Path(__file__).resolve().parents[2]


def suite_of(*functions):
    return CheckSuite([f.__cnngrade_check__ for f in functions])


def right(n, k):
    return n - k + 1


@check("size.examples", function="size")
@cases(dict(n=5, k=3, expected=3), dict(n=4, k=4, expected=1), dict(n=9, k=2, expected=8))
def size_examples(student, n, k, expected):
    expect_equal(student.size(n, k), expected)


@check("size.generated", function="size", depends_on=["size.examples"])
@given(n=st.integers(1, 100), k=st.integers(1, 9))
def size_generated(student, n, k):
    assume(n >= k)
    expect_equal(student.size(n, k), right(n, k))


SUITE = suite_of(size_examples, size_generated)


@check("size.alone", function="size")
@given(n=st.integers(1, 100), k=st.integers(1, 9))
def size_without_prerequisite(student, n, k):
    assume(n >= k)
    expect_equal(student.size(n, k), right(n, k))


def run(size, suite=SUITE, **kwargs):
    return run_checks(suite, TrustedCode({"size": size}), seed=7, mistakes_for=lambda ref: (), **kwargs)


def test_correct_code_passes_every_case():
    outcomes = run(right)
    assert [o.status for o in outcomes.values()] == [Status.PASSED, Status.PASSED]
    assert outcomes["size.examples"].cases_passed == outcomes["size.examples"].cases_total == 3
    assert outcomes["size.generated"].cases_total == 60
    assert outcomes["size.generated"].cases_passed == 60


def test_max_examples_sets_the_number_of_generated_cases():
    assert run(right, max_examples=10)["size.generated"].cases_total == 10


def test_failing_check_reports_the_shrunk_minimal_input():
    def wrong_from_50(n, k):
        return right(n, k) + (n >= 50)

    outcome = run(wrong_from_50)["size.generated"]
    assert outcome.status is Status.FAILED
    assert outcome.smallest_input == {"function": "size", "args": [50, 1], "kwargs": {}}
    assert (outcome.expected, outcome.got) == ("50", "51")
    assert outcome.message == "size(50, 1) is wrong: expected 50, got 51"
    assert 0 < outcome.cases_passed < outcome.cases_total


def test_two_runs_give_identical_outcomes():
    def wrong_for_big_kernels(n, k):
        return right(n, k) - (k >= 5)

    first, second = run(wrong_for_big_kernels), run(wrong_for_big_kernels)
    strip = lambda outcomes: {k: {**o.__dict__, "duration_s": 0} for k, o in outcomes.items()}  # noqa: E731
    assert strip(first) == strip(second)
    assert first["size.generated"].smallest_input["args"] == [5, 5]


RUN_IN_SUBPROCESS = """
import json, sys
sys.path.insert(0, {tests!r})
from test_check_runner import run, right
outcome = run(lambda n, k: right(n, k) + (n % 7 == 3))["size.generated"]
print(json.dumps([outcome.smallest_input, outcome.cases_passed, outcome.cases_total]))
"""


def test_outcomes_are_the_same_in_another_process_with_another_hash_seed():
    results = []
    for hash_seed in ("1", "2"):
        completed = subprocess.run(
            [sys.executable, "-c", RUN_IN_SUBPROCESS.format(tests=str(Path(__file__).parent))],
            capture_output=True, text=True, cwd=ROOT, check=True,
            env={"PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        results.append(json.loads(completed.stdout))
    assert results[0] == results[1]
    assert results[0][0]["args"][1] == 1  # the kernel shrank to its minimum


def test_another_seed_draws_other_inputs():
    def off_for_some(n, k):
        return right(n, k) + (n % 7 == 3)

    a = run_checks(SUITE, TrustedCode({"size": off_for_some}), seed=1, mistakes_for=lambda r: ())
    b = run_checks(SUITE, TrustedCode({"size": off_for_some}), seed=2, mistakes_for=lambda r: ())
    assert a["size.generated"].cases_passed != b["size.generated"].cases_passed


def test_generated_inputs_do_not_depend_on_the_students_answers():
    seen = {}

    def recorder(label):
        def size(n, k):
            seen.setdefault(label, []).append((n, k))
            return right(n, k) if label == "right" else 0
        return size

    generated_only = suite_of(size_without_prerequisite)
    run(recorder("right"), suite=generated_only, max_examples=30)
    run(recorder("wrong"), suite=generated_only, max_examples=30)
    # the wrong student is also shrunk afterwards: its first 30 calls are the counting pass
    assert len(seen["right"]) == 30
    assert seen["right"] == seen["wrong"][:30]


def test_failing_prerequisite_skips_the_dependent_check():
    outcomes = run(lambda n, k: n - k)
    assert outcomes["size.examples"].status is Status.FAILED
    skipped = outcomes["size.generated"]
    assert skipped.status is Status.SKIPPED
    assert skipped.message == "skipped because size.examples did not pass"


def test_listed_cases_count_one_each_and_report_the_first_failure():
    outcome = run(lambda n, k: right(n, k) if n != 4 else 0)["size.examples"]
    assert (outcome.cases_passed, outcome.cases_total) == (2, 3)
    assert outcome.smallest_input == {"function": "size", "args": [4, 4], "kwargs": {}}


def test_student_exception_fails_the_check_and_says_what_was_raised():
    outcome = run(lambda n, k: n // 0)["size.examples"]
    assert outcome.status is Status.FAILED
    assert outcome.message.startswith("size raised ZeroDivisionError: integer division or modulo by zero")
    assert "The call was size(5, 3)." in outcome.message


def test_missing_function_fails_the_check():
    outcomes = run_checks(SUITE, TrustedCode({}), seed=7, mistakes_for=lambda r: ())
    assert outcomes["size.examples"].status is Status.FAILED
    assert outcomes["size.examples"].message.startswith("size is not defined")
    assert "The call was" not in outcomes["size.examples"].message


def test_timeouts_fail_the_check_and_stop_calling_after_three():
    calls = []

    class Slow:
        def call(self, name, *args, **kwargs):
            calls.append(args)
            raise StudentTimeout(f"{name} took longer than 2 s")

    @check("slow", function="size")
    @given(n=st.integers(1, 100))
    def slow(student, n):
        student.size(n, 1)

    outcome = run_checks(suite_of(slow), Slow(), seed=7, mistakes_for=lambda r: ())["slow"]
    assert outcome.status is Status.FAILED
    assert outcome.message.startswith("size took longer than 2 s")
    assert "the remaining 57 example(s) of this check were counted as failed" in outcome.message
    assert len(calls) == 3
    assert (outcome.cases_passed, outcome.cases_total) == (0, 60)


def test_a_bug_in_the_check_errors_instead_of_failing():
    @check("buggy", function="size")
    @given(n=st.integers(1, 10))
    def buggy(student, n):
        student.size(n, 1)
        {}["no such key"]

    outcome = run(right, suite=suite_of(buggy))["buggy"]
    assert outcome.status is Status.ERRORED
    assert "itself raised KeyError" in outcome.message
    assert "a problem in the grader, not in the submission" in outcome.message


def test_a_failing_health_check_errors():
    @check("too_much_filtering")
    @given(n=st.integers(0, 1000).filter(lambda n: n == 12345))
    def too_much(student, n):
        pass

    outcome = run(right, suite=suite_of(too_much))["too_much_filtering"]
    assert outcome.status is Status.ERRORED
    assert "Unsatisfiable" in outcome.message or "FailedHealthCheck" in outcome.message


def test_plain_assert_in_a_check_is_a_failure():
    @check("plain_assert", function="size")
    def plain(student):
        assert student.size(5, 3) == 3, "size(5, 3) should be 3"

    outcome = run(lambda n, k: 0, suite=suite_of(plain))["plain_assert"]
    assert outcome.status is Status.FAILED
    assert outcome.message.startswith("check failed: size(5, 3) should be 3")


def test_student_cannot_change_the_checks_arguments():
    def mutating(layers):
        layers.append("junk")
        return len(layers)

    @check("mutation", function="count")
    @cases(dict(layers=[1, 2]))
    def mutation(student, layers):
        expect_equal(student.count(layers), 3)
        expect_equal(layers, [1, 2])

    outcome = run_checks(suite_of(mutation), TrustedCode({"count": mutating}), seed=1, mistakes_for=lambda r: ())
    assert outcome["mutation"].status is Status.PASSED


def test_only_runs_the_named_checks_and_their_prerequisites():
    assert set(run(right, only=["size.generated"])) == {"size.examples", "size.generated"}
    assert set(run(right, only=["size.examples"])) == {"size.examples"}
    with pytest.raises(ValueError, match=r"unknown check id\(s\) \['nope'\]"):
        run(right, only=["nope"])


@pytest.mark.parametrize(
    "kwargs, error",
    [(dict(seed=1.5), TypeError), (dict(seed=1, max_examples=0), ValueError)],
    ids=["float-seed", "zero-examples"],
)
def test_run_arguments_are_validated(kwargs, error):
    with pytest.raises(error):
        run_checks(SUITE, TrustedCode({}), **kwargs)


def test_generated_inputs_do_not_depend_on_which_local_modules_are_imported(tmp_path, monkeypatch):
    # Hypothesis mines constants from imported local modules; a grader must not let a module
    # imported in one process (and not another) change what a student is tested on.
    def wrong(n, k):
        return 0

    before = run_checks(SUITE, TrustedCode({"size": wrong}), seed=7, mistakes_for=lambda r: ())
    module = tmp_path / "local_module_with_constants.py"
    module.write_text("MAGIC = (987654, 123457, 55555, 31337)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import local_module_with_constants  # noqa: F401

    after = run_checks(SUITE, TrustedCode({"size": wrong}), seed=7, mistakes_for=lambda r: ())
    assert before == {k: v for k, v in after.items()} or all(
        before[k].smallest_input == after[k].smallest_input
        and before[k].cases_total == after[k].cases_total for k in before
    )


def test_a_call_with_arrays_renders_on_one_line_naming_large_arrays_by_shape():
    import numpy as np

    from grader.checks.student import Call

    call = Call("max_pool_backward", (np.arange(4.0).reshape(1, 1, 2, 2), np.zeros((2, 3, 5, 5)), 2), {"stride": 1})
    assert call.render() == ("max_pool_backward(array([[[[0., 1.], [2., 3.]]]]), "
                             "<float64 array of shape (2, 3, 5, 5)>, 2, stride=1)")
