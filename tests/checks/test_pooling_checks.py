"""The pooling assignment in-process: rubric -> checks -> runner -> score, with the reference, every
catalogued mistake, and the sample class's own code (trusted: we wrote it) in place of a student."""
import functools

import numpy as np
import pytest
import yaml

from assignment_harness import AssignmentHarness
from grader.result import Status
from reference import pooling
from reference.mistakes import by_id

POOLING = AssignmentHarness("pooling")
HERE, RUBRIC, SUITE, EXPECTED = POOLING.folder, POOLING.rubric, POOLING.suite, POOLING.expected
NOT_APPLICABLE, CATALOGUED, APPLICABLE = POOLING.not_applicable, POOLING.catalogued, POOLING.applicable
student, grade, grade_mistake = POOLING.student, POOLING.grade, POOLING.grade_mistake
function_for, checks_of, sample_code = POOLING.function_for, POOLING.checks_of, POOLING.sample_code
# the first item grading a function: where its mistakes must cost points and be named
ITEM_OF = {}
for _item in RUBRIC.items:
    ITEM_OF.setdefault(SUITE[_item.checks[0]].function, _item.id)


# --- the reference and the worked examples ----------------------------------------------------


def test_reference_solution_gets_full_marks():
    outcomes, result = grade(student())
    assert all(o.status is Status.PASSED for o in outcomes.values()), outcomes
    assert result.score == result.max_score == 13.0
    assert not result.errored


def test_worked_examples_agree_with_the_reference():
    for spec in SUITE:
        for case in spec.cases or ():
            arguments = {k: v for k, v in case.items() if k not in ("expected", "split")}
            got = spec.call_reference_as_student(spec.reference, (), arguments)
            np.testing.assert_allclose(got, case["expected"], rtol=0, atol=1e-12, err_msg=spec.id)
            if case.get("split") is not None:
                stride = arguments.pop("stride")
                split = pooling.max_pool2d_backward(*arguments.values(), stride, ties="split")
                np.testing.assert_allclose(split, case["split"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("function", ["max_pool_forward", "max_pool_backward", "avg_pool_forward",
                                      "avg_pool_backward"])
def test_generated_cases_cover_what_the_issue_lists(function):
    calls = POOLING.generated_calls(function)
    backward = function.endswith("backward")
    layers = []
    for args, kwargs in calls:
        x = args[1] if backward else args[0]
        kernel = args[2] if backward else args[1]
        stride = kwargs.get("stride")
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
        sh, sw = (kh, kw) if stride is None else (stride, stride) if isinstance(stride, int) else stride
        layers.append((x, kernel, stride, (kh, kw), (sh, sw)))
    seen = {
        "non-square kernel": any(k[0] != k[1] for _, _, _, k, _ in layers),
        "stride pair": any(isinstance(s, tuple) for _, _, s, _, _ in layers),
        "stride None": any(s is None for _, _, s, _, _ in layers),
        "overlap (stride < kernel)": any(s[0] < k[0] or s[1] < k[1] for *_, k, s in layers),
        "gaps (stride > kernel)": any(s[0] > k[0] or s[1] > k[1] for *_, k, s in layers),
        "non-square input": any(x.shape[2] != x.shape[3] for x, *_ in layers),
        "N = 1": any(x.shape[0] == 1 for x, *_ in layers),
        "N > 1": any(x.shape[0] > 1 for x, *_ in layers),
        "C > 1": any(x.shape[1] > 1 for x, *_ in layers),
        "negative inputs": any((x < 0).any() for x, *_ in layers),
        "float64": all(x.dtype == np.float64 for x, *_ in layers),
    }
    if function == "max_pool_backward":
        seen["windows that tie"] = any(
            not np.array_equal(pooling.max_pool2d_backward(*args, **kwargs, ties="first"),
                               pooling.max_pool2d_backward(*args, **kwargs, ties="split"))
            for args, kwargs in calls)
    if function == "max_pool_forward":
        seen["an all-negative window"] = any(
            (pooling.max_pool2d(x, kernel, stride) < 0).any() for x, kernel, stride, _, _ in layers)
    assert all(seen.values()), [k for k, v in seen.items() if not v]
    assert max(x.shape[2] for x, *_ in layers) <= 7 and max(x.shape[0] for x, *_ in layers) <= 3


# --- the catalog ----------------------------------------------------------------------------------


def test_every_not_applicable_mistake_is_a_catalogued_mistake_of_these_references():
    assert set(NOT_APPLICABLE) <= {m.id for m in CATALOGUED}


@pytest.mark.parametrize("mistake", APPLICABLE, ids=[m.id for m in APPLICABLE])
def test_catalogued_mistake_loses_points_and_is_named_on_its_item(mistake):
    function = function_for(mistake)
    item = next(i for i in RUBRIC.items if i.id == ITEM_OF[function])
    outcomes, _ = grade_mistake(mistake, only=item.checks)
    item_checks = [outcomes[c] for c in item.checks]
    assert any(o.status is not Status.PASSED for o in item_checks), f"{mistake.id} passes {item.id}"
    first_failed = next(o for o in item_checks if o.status is Status.FAILED)
    assert first_failed.misconception is not None, first_failed.message
    assert first_failed.misconception.id == mistake.id


@pytest.mark.parametrize("mistake_id", sorted(NOT_APPLICABLE))
def test_not_applicable_mistake_equals_the_reference_on_the_contracts_inputs(mistake_id):
    outcomes, _ = grade_mistake(by_id(mistake_id))
    assert all(o.status is Status.PASSED for o in outcomes.values()), outcomes


def test_every_named_mistake_in_expected_is_catalogued_and_applicable():
    for stem, item, mistake_id in POOLING.named_mistakes():
        assert by_id(mistake_id).id not in NOT_APPLICABLE, stem
        assert item in {i.id for i in RUBRIC.items}, stem


# --- backward passes: the consistent student and the backward-only mistake -------------------


def test_consistent_student_and_backward_only_mistake_get_different_diagnoses():
    consistent = sample_code("fatima_stride_ignored_both")
    backward_only = sample_code("goran_backward_stride_ignored")
    only = checks_of("max_pool_forward") + checks_of("max_pool_backward")
    a, _ = grade(consistent, only=only)
    b, _ = grade(backward_only, only=only)
    check_id = "max_pool_backward.matches_reference"
    assert a[check_id].misconception.id == b[check_id].misconception.id == \
        "max_pool2d_backward.max_backward_stride_ignored"
    assert "your backward pass is the true gradient of your forward pass" in a[check_id].message
    assert "Fix max_pool_forward first" in a[check_id].message
    assert "the mistake is in the backward pass" in b[check_id].message
    assert a["max_pool_forward.worked_examples"].misconception.id == "max_pool2d.max_forward_stride_ignored"
    assert b["max_pool_forward.matches_reference"].status is Status.PASSED
    # the consistent backward agrees with its own forward; the other does not
    assert a["max_pool_backward.gradient_check"].status is Status.PASSED
    assert b["max_pool_backward.gradient_check"].status is Status.FAILED


def test_the_other_tie_rule_is_accepted_and_a_wrong_one_is_told_which_are():
    outcomes, _ = grade(student(max_pool_backward=functools.partial(pooling.max_pool2d_backward,
                                                                    ties="split")),
                        only=checks_of("max_pool_backward"))
    assert all(o.status is Status.PASSED for o in outcomes.values())
    outcomes, _ = grade(student(max_pool_backward=by_id("max_pool2d_backward.last_tie").function),
                        only=checks_of("max_pool_backward"))
    message = outcomes["max_pool_backward.ties"].message
    assert "compared with the first maximum answer; the split answer is also accepted" in message


def test_changing_x_in_place_fails_with_a_message_that_says_so():
    outcomes, _ = grade(sample_code("rosa_scales_x_in_place"), only=checks_of("avg_pool_forward"))
    message = outcomes["avg_pool_forward.worked_examples"].message
    assert message.startswith("avg_pool_forward changed its argument x in place")


# --- the sample class --------------------------------------------------------------------------

CORRECT = POOLING.correct


@pytest.mark.parametrize("stem", CORRECT)
def test_correct_sample_style_gets_full_marks(stem):
    outcomes, result = grade(sample_code(stem))
    assert result.score == result.max_score, {k: o.message for k, o in outcomes.items() if o.message}


def test_expected_outcomes_list_every_sample_and_samples_declare_the_assignment():
    stems = sorted(p.stem for p in (HERE / "samples").glob("*.ipynb"))
    assert stems == sorted(EXPECTED["samples"])
    assert len(CORRECT) >= 4
    assert sum(bool(e.get("named")) for e in EXPECTED["samples"].values()) >= 8
    for path in [HERE / "student.ipynb", HERE / "solution.ipynb", *(HERE / "samples").glob("*.ipynb")]:
        declared = yaml.safe_load(path.read_text(encoding="utf-8"))["metadata"].get("cnngrade")
        if path.stem != "bruno_sliding_window":  # pasted into a fresh notebook, deliberately
            assert declared == {"assignment": "pooling"}, path.name

