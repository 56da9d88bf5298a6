"""Every problem validate_rubric reports, each located by line and key path."""
import textwrap

import pytest

from grader.rubric import RubricError, RubricInvalid, load_rubric, validate_rubric

VALID = textwrap.dedent("""\
    schema_version: 1
    assignment:
      id: demo
      title: Demo
      checks: checks.py
    functions: [f, g]
    seed: 7
    execution: definitions
    limits:
      call_timeout_s: 2
      memory_mb: 512
    banned_apis: [os.system]
    late_policy:
      due: 2026-12-01T23:59:00+00:00
      penalty_per_day: 0.1
      max_penalty: 0.5
    items:
      - id: first
        title: First
        points: 3
        checks: [f.examples]
        partial_credit: proportional
        visibility: visible
      - id: second
        title: Second
        points: 2
        checks: [g.examples, g.matches_torch]
        visibility: hidden
        depends_on: [first]
    """)


def write_rubric(tmp_path, text, *, checks=True):
    if checks:
        (tmp_path / "checks.py").write_text("# checks\n")
    path = tmp_path / "rubric.yaml"
    path.write_text(text)
    return path


def edited(old, new, count=1):
    assert VALID.count(old) >= 1, old
    return VALID.replace(old, new, count)


def rendered(tmp_path, errors):
    return [str(e).replace(str(tmp_path / "rubric.yaml"), "R") for e in errors]


# (id, rubric text, an error line that must be reported, with the file shown as R)
CASES = [
    ("points_is_a_word", edited("points: 3", "points: four"),
     'R:20: items[0].points: expected a number >= 0, got "four"'),
    ("points_is_a_bool", edited("points: 3", "points: true"),
     "R:20: items[0].points: expected a number >= 0, got true"),
    ("points_negative", edited("points: 2", "points: -1"),
     "R:26: items[1].points: expected a number >= 0, got -1"),
    ("points_not_a_number", edited("points: 3", "points: .nan"),
     "R:20: items[0].points: expected a number >= 0, got .nan"),
    ("unknown_key_suggests_the_close_one", edited("    points: 3", "    pionts: 3"),
     'R:20: items[0].pionts: unknown key; did you mean "points"?'),
    ("unknown_key_lists_allowed_keys", edited("seed: 7", "colour: red"),
     'R:7: colour: unknown key; expected one of "schema_version", "assignment", "functions", "items", '
     '"seed", "execution", "limits", "banned_apis", "late_policy", "course_files", "tolerances", "preload", "options"'),
    ("visible_item_depending_on_a_hidden_one",
     VALID.replace("visibility: visible", "visibility: X").replace("visibility: hidden", "visibility: visible")
     .replace("visibility: X", "visibility: hidden"),
     'R:29: items[1].depends_on[0]: a visible item cannot depend on hidden item "first": when it is skipped, '
     'students would learn that item\'s result; expected a prerequisite at least as visible (visible)'),
    ("tolerance_negative", edited("seed: 7", "tolerances:\n  float64: {rtol: -1.0e-7}"),
     "R:8: tolerances.float64.rtol: expected a number > 0 and <= 1, got -1e-07"),
    ("tolerance_unknown_section", edited("seed: 7", "tolerances:\n  float16: {rtol: 1.0e-3}"),
     'R:8: tolerances.float16: unknown key; did you mean "float64"?'),
    ("gradient_step_zero", edited("seed: 7", "tolerances:\n  gradient: {step: 0}"),
     "R:8: tolerances.gradient.step: expected a number > 0 and <= 1, got 0"),
    ("course_file_with_a_folder", edited("seed: 7", "course_files: [utils/public_tests.py]"),
     'R:7: course_files[0]: expected a file name like public_tests.py (no folder), got "utils/public_tests.py"'),
    ("missing_required_item_key", edited("    title: First\n", ""),
     "R:18: items[0].title: missing required key"),
    ("missing_required_top_key", edited("functions: [f, g]\n", ""),
     "R:1: functions: missing required key"),
    ("keys_must_be_strings", edited("seed: 7", "7: seed"),
     "R:7: keys must be strings, got 7"),
    ("title_not_a_string", edited("title: First", "title: 3"),
     "R:19: items[0].title: expected a non-empty string, got 3"),
    ("item_id_with_spaces", edited("id: first", "id: first item"),
     "R:18: items[0].id: expected an id of letters, digits, '_', '.' or '-', got \"first item\""),
    ("unknown_yaml_tag", edited("title: First", "title: !shout First"),
     'R:19: items[0].title: expected a non-empty string, got "First" (could not determine a constructor '
     'for the tag \'!shout\')'),
    ("bad_visibility", edited("visibility: hidden", "visibility: secret"),
     'R:28: items[1].visibility: expected one of "visible", "hidden", "after_due_date", '
     '"after_published", got "secret"'),
    ("bad_partial_credit", edited("partial_credit: proportional", "partial_credit: some"),
     'R:22: items[0].partial_credit: expected one of "all_or_nothing", "proportional", got "some"'),
    ("bad_execution_mode", edited("execution: definitions", "execution: notbook"),
     'R:8: execution: expected one of "definitions", "notebook", got "notbook"'),
    ("duplicate_item_id", edited("id: second", "id: first"),
     'R:24: items[1].id: duplicate item id "first" (first at line 18)'),
    ("depends_on_unknown_item", edited("depends_on: [first]", "depends_on: [frist]"),
     'R:29: items[1].depends_on[0]: unknown item "frist"; did you mean "first"?'),
    ("depends_on_unknown_item_far_from_any", edited("depends_on: [first]", "depends_on: [zzz]"),
     'R:29: items[1].depends_on[0]: unknown item "zzz"'),
    ("dependency_cycle", edited("    visibility: visible\n", "    visibility: visible\n    depends_on: [second]\n"),
     "R:24: items[0].depends_on: dependency cycle: first -> second -> first"),
    ("item_depends_on_itself", edited("depends_on: [first]", "depends_on: [second]"),
     "R:29: items[1].depends_on: dependency cycle: second -> second"),
    ("item_with_no_checks", edited("checks: [f.examples]", "checks: []"),
     "R:21: items[0].checks: expected at least one check name"),
    ("checks_not_a_list", edited("checks: [f.examples]", "checks: f.examples"),
     'R:21: items[0].checks: expected a list, got "f.examples"'),
    ("duplicate_check_in_item", edited("checks: [f.examples]", "checks: [f.examples, f.examples]"),
     'R:21: items[0].checks[1]: duplicate check "f.examples" (first at line 21)'),
    ("functions_empty", edited("functions: [f, g]", "functions: []"),
     "R:6: functions: expected at least one function name"),
    ("function_not_an_identifier", edited("functions: [f, g]", "functions: [f, 2g]"),
     'R:6: functions[1]: expected a Python identifier, got "2g"'),
    ("duplicate_function", edited("functions: [f, g]", "functions: [f, f]"),
     'R:6: functions[1]: duplicate function "f" (first at line 6)'),
    ("banned_api_not_a_dotted_name", edited("[os.system]", "[os system]"),
     'R:12: banned_apis[0]: expected a dotted name like torch.nn.functional.conv2d, got "os system"'),
    ("due_not_a_date", edited("due: 2026-12-01T23:59:00+00:00", "due: tomorrow"),
     'R:14: late_policy.due: expected a date and time with a time zone, like 2026-12-01T23:59:00+00:00, '
     'got "tomorrow"'),
    ("due_without_time_zone", edited("due: 2026-12-01T23:59:00+00:00", "due: 2026-12-01T23:59:00"),
     "R:14: late_policy.due: expected a date and time with a time zone, like 2026-12-01T23:59:00+00:00, "
     "got 2026-12-01T23:59:00 (no time zone)"),
    ("due_is_a_date_only", edited("due: 2026-12-01T23:59:00+00:00", "due: 2026-12-01"),
     "R:14: late_policy.due: expected a date and time with a time zone, like 2026-12-01T23:59:00+00:00, "
     "got 2026-12-01"),
    ("due_impossible_month", edited("due: 2026-12-01T23:59:00+00:00", "due: 2026-13-01T23:59:00+00:00"),
     'R:14: late_policy.due: expected a date and time with a time zone, like 2026-12-01T23:59:00+00:00, '
     'got "2026-13-01T23:59:00+00:00" (month must be in 1..12)'),
    ("penalty_per_day_above_one", edited("penalty_per_day: 0.1", "penalty_per_day: 10"),
     "R:15: late_policy.penalty_per_day: expected a number between 0 and 1, got 10"),
    ("max_penalty_negative", edited("max_penalty: 0.5", "max_penalty: -0.5"),
     "R:16: late_policy.max_penalty: expected a number between 0 and 1, got -0.5"),
    ("late_policy_missing_due", edited("  due: 2026-12-01T23:59:00+00:00\n", ""),
     "R:14: late_policy.due: missing required key"),
    ("late_policy_not_a_mapping", edited("late_policy:\n  due: 2026-12-01T23:59:00+00:00\n  penalty_per_day: 0.1\n"
                                         "  max_penalty: 0.5\n", "late_policy: friday\n"),
     'R:13: late_policy: expected a mapping, got "friday"'),
    ("timeout_zero", edited("call_timeout_s: 2", "call_timeout_s: 0"),
     "R:10: limits.call_timeout_s: expected a number > 0, got 0"),
    ("memory_not_an_integer", edited("memory_mb: 512", "memory_mb: 1.5"),
     "R:11: limits.memory_mb: expected an integer > 0, got 1.5"),
    ("seed_negative", edited("seed: 7", "seed: -7"),
     "R:7: seed: expected an integer >= 0, got -7"),
    ("duplicate_key_in_mapping", edited("seed: 7\n", "seed: 7\nseed: 8\n"),
     "R:8: seed: duplicate key (first at line 7)"),
    ("checks_file_missing", edited("checks: checks.py", "checks: nowhere/checks.py"),
     "R:5: assignment.checks: checks file not found: {tmp}/nowhere/checks.py"),
    ("schema_version_not_an_integer", edited("schema_version: 1", "schema_version: one"),
     'R:1: schema_version: expected an integer, got "one"'),
    ("schema_version_missing", edited("schema_version: 1\n", ""),
     "R:1: schema_version: missing required key"),
    ("items_empty", VALID[:VALID.index("items:")] + "items: []\n",
     "R:17: items: expected at least one item"),
    ("items_not_a_list", VALID[:VALID.index("items:")] + "items: {first: 1}\n",
     "R:17: items: expected a list, got a mapping"),
    ("item_not_a_mapping", VALID[:VALID.index("items:")] + "items: [first]\n",
     'R:17: items[0]: expected a mapping, got "first"'),
    ("top_level_not_a_mapping", "- schema_version: 1\n",
     "R:1: expected a mapping, got a list"),
    ("empty_file", "",
     "R: the file is empty; expected a mapping with schema_version, assignment, functions and items"),
    ("yaml_syntax_error", edited("functions: [f, g]", "functions: [f, g"),
     "R:7: invalid YAML: expected ',' or ']', but got ':'"),
    ("two_yaml_documents", VALID + "---\nschema_version: 1\n",
     "R:30: invalid YAML: expected a single document in the stream, but found another document"),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_problem_is_reported_with_its_line_and_key_path(tmp_path, text, expected):
    errors = validate_rubric(write_rubric(tmp_path, text))
    assert expected.replace("{tmp}", str(tmp_path)) in rendered(tmp_path, errors)


def test_an_unsupported_schema_version_is_the_only_problem_reported(tmp_path):
    text = edited("schema_version: 1", "schema_version: 2").replace("points: 3", "points: four")
    errors = validate_rubric(write_rubric(tmp_path, text))
    assert rendered(tmp_path, errors) == ["R:1: schema_version: unsupported schema version 2; this grader supports 1"]


def test_the_valid_rubric_has_no_problems(tmp_path):
    assert validate_rubric(write_rubric(tmp_path, VALID)) == []


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    text = (edited("points: 3", "points: four")
            .replace("visibility: hidden", "visibility: secret")
            .replace("functions: [f, g]", "functions: []")
            .replace("checks: checks.py", "checks: gone.py"))
    errors = validate_rubric(write_rubric(tmp_path, text))
    assert [e.line for e in errors] == [5, 6, 20, 28]


def test_problems_are_listed_in_file_order(tmp_path):
    text = edited("seed: 7", "seed: -1").replace("points: 2", "points: -2").replace("title: Demo", "title: 3")
    lines = [e.line for e in validate_rubric(write_rubric(tmp_path, text))]
    assert lines == sorted(lines) == [4, 7, 26]


def test_a_missing_rubric_file_is_one_problem_without_a_line(tmp_path):
    errors = validate_rubric(tmp_path / "absent.yaml")
    assert len(errors) == 1 and errors[0].line is None
    assert "cannot read the rubric" in str(errors[0])


def test_a_file_that_is_not_utf8_is_reported(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_bytes(b"schema_version: 1\ntitle: caf\xe9\n")
    assert "not UTF-8 text" in str(validate_rubric(path)[0])


def test_load_rubric_raises_rubric_invalid_listing_every_problem(tmp_path):
    text = edited("points: 3", "points: four").replace("visibility: hidden", "visibility: secret")
    with pytest.raises(RubricInvalid) as raised:
        load_rubric(write_rubric(tmp_path, text))
    assert isinstance(raised.value, ValueError)
    assert len(raised.value.errors) == 2
    assert str(raised.value).startswith("2 problems in the rubric:")
    assert "items[0].points" in str(raised.value) and "items[1].visibility" in str(raised.value)


def test_rubric_error_renders_as_file_line_key_path_message():
    error = RubricError("rubrics/x.yaml", 14, "items[2].points", 'expected a number >= 0, got "four"')
    assert str(error) == 'rubrics/x.yaml:14: items[2].points: expected a number >= 0, got "four"'
    assert str(RubricError("rubrics/x.yaml", None, "", "cannot read")) == "rubrics/x.yaml: cannot read"
