"""Instructors' checks files: what load_checks collects, and the errors it raises."""
import textwrap
from pathlib import Path

import pytest
from hypothesis import strategies as st

import grader.checks
from grader.checks import CheckDefinitionError, CheckSuite, cases, check, given, load_checks

ROOT = Path(__file__).resolve().parents[2]
HEADER = "from hypothesis import strategies as st\nfrom grader.checks import cases, check, expect_equal, given\n"


def write_checks(tmp_path, body: str, name="checks.py"):
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(body))
    return path


def test_public_surface_is_what_all_lists():
    assert sorted(grader.checks.__all__) == sorted(
        n for n in dir(grader.checks) if not n.startswith("_") and n not in {
            "compare", "datasets", "diagnosis", "figure", "generation", "gradients", "measures", "options", "registry",
            "runner",
            "student", "tolerance"}
    )


def test_load_collects_checks_named_underscore_in_prerequisite_order(tmp_path):
    path = write_checks(tmp_path, """
        @check("b.generated", function="f", depends_on=["a.examples"])
        @given(x=st.integers(0, 3))
        def _(student, x):
            pass

        @check("a.examples", function="f")
        @cases(dict(x=1), dict(x=2))
        def _(student, x):
            pass

        @check("c.plain")
        def _(student):
            pass
    """)
    suite = load_checks(path)
    assert suite.ids == ("a.examples", "b.generated", "c.plain")
    assert suite["b.generated"].generated and suite["b.generated"].depends_on == ("a.examples",)
    assert suite["a.examples"].cases == ({"x": 1}, {"x": 2})
    assert len(suite) == 3 and "c.plain" in suite


def test_two_loads_do_not_share_a_registry(tmp_path):
    path = write_checks(tmp_path, """
        @check("only.one")
        def _(student):
            pass
    """)
    assert load_checks(path).ids == load_checks(path).ids == ("only.one",)


def test_require_names_rubric_ids_without_a_check(tmp_path):
    suite = load_checks(write_checks(tmp_path, '@check("a")\ndef _(student):\n    pass\n'))
    with pytest.raises(CheckDefinitionError, match=r"no check defined for \['b'\]"):
        suite.require(["a", "b"])


def test_missing_checks_file_says_what_was_expected(tmp_path):
    with pytest.raises(CheckDefinitionError, match="expected a .py file"):
        load_checks(tmp_path / "nope.py")


def test_duplicate_ids_are_refused(tmp_path):
    path = write_checks(tmp_path, """
        @check("same")
        def _(student):
            pass

        @check("same")
        def _(student):
            pass
    """)
    with pytest.raises(CheckDefinitionError, match="duplicate check id 'same'"):
        load_checks(path)


def test_unknown_prerequisite_is_refused(tmp_path):
    path = write_checks(tmp_path, '@check("a", depends_on=["ghost"])\ndef _(student):\n    pass\n')
    with pytest.raises(CheckDefinitionError, match=r"depends on unknown check\(s\) \['ghost'\]"):
        load_checks(path)


def test_dependency_cycle_is_refused():
    a = check("a", depends_on=["b"])(lambda student: None).__cnngrade_check__
    b = check("b", depends_on=["a"])(lambda student: None).__cnngrade_check__
    with pytest.raises(CheckDefinitionError, match="cycle: a -> b -> a"):
        CheckSuite([a, b])


def test_given_arguments_must_fit_the_function():
    with pytest.raises(CheckDefinitionError, match="cannot take"):
        check("x")(given(y=st.integers())(lambda student, x: None))


def test_given_needs_strategies():
    with pytest.raises(CheckDefinitionError, match=r"got x=3 \(type=int\)"):
        given(x=3)


def test_cases_need_dicts():
    with pytest.raises(CheckDefinitionError, match="case 0 is 3"):
        cases(3)
    with pytest.raises(CheckDefinitionError, match="at least one case"):
        cases()


def test_given_and_cases_together_are_refused():
    fn = given(x=st.integers())(cases(dict(x=1))(lambda student, x: None))
    with pytest.raises(CheckDefinitionError, match="both @given and @cases"):
        check("x")(fn)


def test_check_must_be_the_outermost_decorator():
    fn = check("x")(lambda student, x=0: None)
    with pytest.raises(CheckDefinitionError, match="must come below @check"):
        given(x=st.integers())(fn)


def test_hypothesis_given_is_refused_with_the_reason():
    import hypothesis

    fn = hypothesis.given(x=st.integers())(lambda student, x: None)
    with pytest.raises(CheckDefinitionError, match="use grader.checks.given"):
        check("x")(fn)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(check_id=""), "non-empty str"),
        (dict(check_id="x", depends_on="a"), "list of check ids"),
        (dict(check_id="x", max_examples=0), "positive int"),
    ],
    ids=["empty-id", "depends-on-str", "zero-examples"],
)
def test_check_arguments_are_validated(kwargs, message):
    with pytest.raises(CheckDefinitionError, match=message):
        check(**kwargs)


def test_conv_arithmetic_checks_define_every_rubric_check():
    from grader.rubric import load_rubric

    rubric = load_rubric(ROOT / "rubrics" / "conv_arithmetic.yaml")
    suite = load_checks(rubric.assignment.checks_path)
    assert set(suite.ids) == {c for item in rubric.items for c in item.checks}
