"""What load_rubric builds from a valid file, and the validate command."""
import io
import shutil
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import grader.rubric
from grader.rubric import Item, RubricLimits, load_rubric, main_validate

REPO = Path(__file__).resolve().parents[2]

MINIMAL = textwrap.dedent("""\
    schema_version: 1
    assignment: {id: demo, title: Demo, checks: ../checks/demo.py}
    functions: [f]
    items:
      - {id: only, title: Only, points: 1.5, checks: [f.examples]}
    """)


@pytest.fixture
def minimal_rubric(tmp_path):
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "demo.py").write_text("# checks\n")
    (tmp_path / "rubrics").mkdir()
    path = tmp_path / "rubrics" / "demo.yaml"
    path.write_text(MINIMAL)
    return path


def test_the_course_rubric_loads_into_typed_objects(tmp_path):
    # A copy beside a stand-in checks file, so this test does not depend on the assignment's checks.
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "assignments" / "conv_arithmetic").mkdir(parents=True)
    (tmp_path / "assignments" / "conv_arithmetic" / "checks.py").write_text("")
    shutil.copy(REPO / "rubrics" / "conv_arithmetic.yaml", tmp_path / "rubrics")
    rubric = load_rubric(tmp_path / "rubrics" / "conv_arithmetic.yaml")
    assert rubric.schema_version == 1
    assert rubric.assignment.id == "conv_arithmetic"
    assert rubric.assignment.checks_path == tmp_path / "assignments" / "conv_arithmetic" / "checks.py"
    assert rubric.functions == ("conv_output_size", "pool_output_size", "conv_param_count", "receptive_field")
    assert rubric.seed == 20261123 and rubric.execution == "definitions"
    assert rubric.limits == RubricLimits(call_timeout_s=2.0, memory_mb=1024)
    assert rubric.banned_apis == ()
    assert rubric.late_policy.due == datetime(2026, 12, 1, 23, 59, tzinfo=timezone.utc)
    assert (rubric.late_policy.penalty_per_day, rubric.late_policy.max_penalty) == (0.10, 0.50)
    assert [i.id for i in rubric.items] == ["conv_output_size", "pool_output_size", "conv_param_count",
                                           "receptive_field", "pool_output_size_ceil_mode",
                                           "receptive_field_dilation"]
    assert rubric.item("pool_output_size_ceil_mode") == Item(
        id="pool_output_size_ceil_mode", title="Pooling output size with ceil_mode", points=1.0,
        checks=("pool_output_size.ceil_mode",), partial_credit="all_or_nothing",
        visibility="after_due_date", depends_on=("pool_output_size",))
    assert rubric.max_score == 12.0


def test_omitted_keys_take_their_defaults(minimal_rubric):
    rubric = load_rubric(minimal_rubric)
    assert rubric.seed == 0 and rubric.execution == "definitions"
    assert rubric.limits == RubricLimits() and rubric.banned_apis == () and rubric.late_policy is None
    assert rubric.items[0].partial_credit == "all_or_nothing"
    assert rubric.items[0].visibility == "visible" and rubric.items[0].depends_on == ()
    assert rubric.max_score == 1.5


def test_null_optional_keys_take_their_defaults(minimal_rubric):
    minimal_rubric.write_text(MINIMAL + "late_policy:\nlimits: ~\nbanned_apis:\n")
    rubric = load_rubric(minimal_rubric)
    assert rubric.late_policy is None and rubric.limits == RubricLimits() and rubric.banned_apis == ()


def test_a_quoted_iso_due_date_with_offset_is_accepted(minimal_rubric):
    minimal_rubric.write_text(MINIMAL + 'late_policy: {due: "2026-12-01T23:59:00+01:00", penalty_per_day: 0.2}\n')
    policy = load_rubric(minimal_rubric).late_policy
    assert policy.due.utcoffset() == timedelta(hours=1)
    assert policy.max_penalty == 1.0


def test_checks_path_is_relative_to_the_rubric_not_the_working_directory(minimal_rubric, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path / "checks")
    rubric = load_rubric(minimal_rubric)
    assert rubric.assignment.checks_path == tmp_path / "checks" / "demo.py"


def test_fingerprint_is_stable_across_loads(minimal_rubric):
    assert load_rubric(minimal_rubric).fingerprint == load_rubric(minimal_rubric).fingerprint
    assert len(load_rubric(minimal_rubric).fingerprint) == 64


def test_fingerprint_changes_when_the_checks_file_changes(minimal_rubric, tmp_path):
    before = load_rubric(minimal_rubric).fingerprint
    (tmp_path / "checks" / "demo.py").write_text("# checks, edited\n")
    assert load_rubric(minimal_rubric).fingerprint != before


def test_fingerprint_changes_when_the_rubric_changes(minimal_rubric):
    before = load_rubric(minimal_rubric).fingerprint
    minimal_rubric.write_text(MINIMAL.replace("points: 1.5", "points: 2"))
    assert load_rubric(minimal_rubric).fingerprint != before


def test_asking_for_an_unknown_item_names_the_known_ones(minimal_rubric):
    with pytest.raises(KeyError, match="items: only"):
        load_rubric(minimal_rubric).item("missing")


def test_rubric_objects_are_frozen(minimal_rubric):
    rubric = load_rubric(minimal_rubric)
    with pytest.raises(AttributeError):
        rubric.seed = 1


def test_validate_command_prints_ok_with_item_and_point_counts(minimal_rubric):
    out = io.StringIO()
    assert main_validate(minimal_rubric, out=out) == 0
    assert out.getvalue() == f"{minimal_rubric}: OK (1 item, 1.5 points)\n"


def test_validate_command_prints_every_problem_and_fails(minimal_rubric):
    minimal_rubric.write_text(MINIMAL.replace("points: 1.5", "points: four").replace("[f]", "[]"))
    out = io.StringIO()
    assert main_validate(minimal_rubric, out=out) == 1
    lines = out.getvalue().splitlines()
    assert lines == [f"{minimal_rubric}:3: functions: expected at least one function name",
                     f'{minimal_rubric}:5: items[0].points: expected a number >= 0, got "four"',
                     f"{minimal_rubric}: 2 problems"]


def test_public_names_are_exactly_the_documented_ones():
    assert set(grader.rubric.__all__) == {
        "SUPPORTED_SCHEMA_VERSIONS", "AssignmentInfo", "Item", "LatePolicy", "Rubric", "RubricError",
        "RubricInvalid", "RubricLimits", "load_rubric", "main_validate", "validate_rubric"}
    assert all(hasattr(grader.rubric, name) for name in grader.rubric.__all__)


def test_a_rubric_states_the_time_budget_of_a_whole_submission(minimal_rubric):
    from grader.pipeline import Assignment

    minimal_rubric.write_text(MINIMAL + "limits:\n  call_timeout_s: 2\n  submission_timeout_s: 45\n")
    rubric = load_rubric(minimal_rubric)
    assert rubric.limits.submission_timeout_s == 45.0
    assert Assignment(rubric, None).limits.submission_timeout_s == 45.0


def test_tolerances_are_read_with_defaults_for_what_is_left_out(tmp_path):
    from grader.checks import Tolerances

    text = (REPO / "rubrics" / "conv_arithmetic.yaml").read_text(encoding="utf-8")
    text = text.replace("seed: 20261123", "seed: 20261123\ntolerances:\n  float64: {rtol: 1.0e-6}\n"
                        "  gradient: {step: 1.0e-5, rel_error: 1.0e-5}")
    text = text.replace("../assignments/", str(REPO / "assignments") + "/")
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_rubric(path).tolerances == Tolerances(float64_rtol=1e-6, gradient_step=1e-5, gradient_rel_error=1e-5)
    assert load_rubric(REPO / "rubrics" / "conv_arithmetic.yaml").tolerances == Tolerances()
