"""The mutation table: every catalogued mistake that applies to an assignment's functions, played
as a student, loses points on that assignment's checks.

For each bundled assignment (a rubric, its checks and ``assignments/<name>/expected.yaml``), the
student is the reference itself (each graded function is its check's ``adapt`` around the
reference) with one function replaced by one of the catalogued mistakes of its reference
(``reference.mistakes.mistakes_for``). Mistakes the assignment's functions cannot express are
listed in ``expected.yaml`` under ``mistakes_not_applicable`` with the reason; for those the test
shows the checks indeed cannot tell them from the reference. In-process (``TrustedCode``): these
are our own trusted functions, and the point is the checks, not the sandbox.

``python -m pytest tests/checks/test_mutation_table.py -s`` prints the table.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from grader.checks import TrustedCode, load_checks, run_checks
from grader.rubric import load_rubric
from grader.score import score_submission
from reference.mistakes import mistakes_for

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(p.parent.name for p in ROOT.glob("assignments/*/expected.yaml")
                     if (ROOT / "rubrics" / f"{p.parent.name}.yaml").is_file())


@dataclass(frozen=True)
class Row:
    mistake: str
    function: str
    lost: tuple[str, ...]  # items below full marks
    named_in: tuple[str, ...]  # items whose feedback names this very mistake


@functools.lru_cache(maxsize=None)
def assignment(name: str):
    rubric = load_rubric(ROOT / "rubrics" / f"{name}.yaml")
    suite = load_checks(rubric.assignment.checks_path)
    expected = yaml.safe_load((ROOT / "assignments" / name / "expected.yaml").read_text(encoding="utf-8"))
    # per graded function, every (reference, adapt) its checks compare with, in check order: a
    # function that returns (loss, gradient) has a reference for each part
    graded = {}
    for spec in suite:
        if spec.function and spec.reference is not None:
            pairs = graded.setdefault(spec.function, [])
            if spec.reference not in [r for r, _ in pairs]:
                pairs.append((spec.reference, spec.adapt))
    return rubric, suite, graded, expected.get("mistakes_not_applicable") or {}


def student(graded, **replaced) -> TrustedCode:
    """The reference as a student (each function: its first reference, through its adapt), with
    ``replaced[function] = (reference, mistake)`` played through that reference's adapt."""
    functions = {}
    for function, pairs in graded.items():
        reference, adapt = pairs[0]
        f = reference
        if function in replaced:
            wrong_of, f = replaced[function]
            adapt = dict(pairs)[wrong_of]
        functions[function] = functools.partial(adapt, f) if adapt is not None else f
    return TrustedCode(functions, origin="a catalogued mistake")


def grade(name: str, code: TrustedCode):
    rubric, suite, _, _ = assignment(name)
    outcomes = run_checks(suite, code, seed=rubric.seed, tolerances=rubric.tolerances, options=rubric.options,
                          rubric_dir=rubric.path.parent)
    return outcomes, score_submission(rubric, outcomes, student_id="mutant", files=["mutant.py"])


def catalogued(name: str):
    """(function, reference, mistake) for every catalogued mistake of every reference a graded
    function is compared with."""
    _, _, graded, _ = assignment(name)
    return [(function, reference, mistake) for function, pairs in graded.items()
            for reference, _ in pairs for mistake in mistakes_for(reference)]


@functools.lru_cache(maxsize=None)
def row(name: str, mistake_id: str) -> Row:
    _, suite, graded, _ = assignment(name)
    function, reference, mistake = next((f, r, m) for f, r, m in catalogued(name) if m.id == mistake_id)
    outcomes, result = grade(name, student(graded, **{function: (reference, mistake.function)}))
    lost = tuple(i.item_id for i in result.items if i.points < i.max_points)
    by_item = {i.id: i.checks for i in assignment(name)[0].items}
    named = tuple(item for item, checks in by_item.items()
                  if any(outcomes[c].misconception and outcomes[c].misconception.id == mistake_id for c in checks))
    return Row(mistake_id, function, lost, named)


CASES = [(name, m.id) for name in ASSIGNMENTS for _, _, m in catalogued(name)]


def test_every_assignment_with_a_rubric_has_expectations():
    rubrics = {p.stem for p in (ROOT / "rubrics").glob("*.yaml")}
    assert rubrics <= set(ASSIGNMENTS), f"no assignments/<name>/expected.yaml for {sorted(rubrics - set(ASSIGNMENTS))}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_reference_as_a_student_gets_full_marks(name):
    rubric, _, graded, _ = assignment(name)
    without = sorted(set(rubric.functions) - set(graded))
    if without:
        pytest.skip(f"{name}: {', '.join(without)} has no reference to play as a student (its solution is graded "
                    "by tests/e2e/test_assignment_classes.py)")
    outcomes, result = grade(name, student(graded))
    assert result.score == result.max_score, {k: o.message for k, o in outcomes.items() if o.status.value != "passed"}


@pytest.mark.parametrize("name, mistake_id", CASES, ids=[f"{n}:{m}" for n, m in CASES])
def test_every_applicable_catalogued_mistake_loses_points(name, mistake_id):
    not_applicable = assignment(name)[3]
    found = row(name, mistake_id)
    if mistake_id in not_applicable:
        assert not found.lost, (f"{mistake_id} is listed as not applicable to {name} "
                                f"({not_applicable[mistake_id]}), yet the checks catch it in {found.lost}")
        return
    assert found.lost, f"{mistake_id}, played as a student of {name}, loses no points"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_not_applicable_mistakes_are_catalogued_ones_with_a_reason(name):
    not_applicable = assignment(name)[3]
    known = {m.id for _, _, m in catalogued(name)}
    assert set(not_applicable) <= known, sorted(set(not_applicable) - known)
    assert all(isinstance(why, str) and why.strip() for why in not_applicable.values())


def test_print_the_mutation_table(capsys):
    lines = ["| assignment | mistake | function | items that lost points | named in |", "|---|---|---|---|---|"]
    for name, mistake_id in CASES:
        if mistake_id in assignment(name)[3]:
            lines.append(f"| {name} | {mistake_id} | | not applicable: {assignment(name)[3][mistake_id]} | |")
            continue
        r = row(name, mistake_id)
        lines.append(f"| {name} | {mistake_id} | {r.function} | {', '.join(r.lost) or '-'} | {', '.join(r.named_in) or '-'} |")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
