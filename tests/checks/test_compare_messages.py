"""How a mismatch reads: pytest approx's layout, exact ints, dtype-aware float tolerances, NaN."""
import numpy as np
import pytest

from grader.checks import Mismatch, expect_equal, values_match


def mismatch_message(got, expected, **kwargs) -> str:
    with pytest.raises(Mismatch) as info:
        expect_equal(got, expected, **kwargs)
    return info.value.message


def test_mismatch_is_an_assertion_error_carrying_reprs_and_values():
    with pytest.raises(AssertionError) as info:
        expect_equal(4, 3)
    error = info.value
    assert isinstance(error, Mismatch)
    assert (error.expected, error.got) == ("3", "4")
    assert (error.expected_value, error.got_value) == (3, 4)
    assert str(error) == error.message == "expected 3, got 4"


def test_float_where_int_expected_fails_even_when_equal():
    assert mismatch_message(3.0, 3) == "expected an int, got 3.0 (float)"


def test_numpy_int_counts_as_int():
    expect_equal(np.int64(3), 3)


@pytest.mark.parametrize("got", [True, "3", None, [3]], ids=["bool", "str", "none", "list"])
def test_non_int_where_int_expected_names_its_type(got):
    assert mismatch_message(got, 3) == f"expected an int, got {got!r} ({type(got).__name__})"


def test_int_subclass_with_lying_eq_is_not_an_int():
    class Anything(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

    assert "got 0 (Anything)" in mismatch_message(Anything(0), 156)


def test_float64_tolerance_is_tight_and_float32_looser():
    expect_equal(1.0 + 1e-9, 1.0)
    assert not values_match(1.0 + 1e-5, 1.0)
    expect_equal(np.float32(1.0 + 5e-6), 1.0)
    assert not values_match(np.float32(1.001), 1.0)


def test_explicit_tolerances_override_the_defaults():
    expect_equal(1.01, 1.0, rtol=0.1)


def test_nan_where_number_expected_is_named():
    message = mismatch_message(float("nan"), 1.5)
    assert message == "expected 1.5, got nan (NaN where a number was expected)"


def test_nan_where_nan_expected_matches():
    expect_equal(float("nan"), float("nan"))
    expect_equal(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]))


def test_shape_difference_stops_early():
    message = mismatch_message(np.zeros((2, 3)), np.zeros((3, 2)))
    assert message == (
        "Impossible to compare arrays with different shapes. Shapes: (2, 3) and (3, 2)"
    )


def test_array_mismatch_lists_count_max_differences_and_a_table():
    expected = np.arange(12, dtype=np.float64).reshape(3, 4)
    got = expected.copy()
    got[0, 1] += 0.5
    got[1, 2] += 2.0
    got[2, 3] -= 1.0
    lines = mismatch_message(got, expected).splitlines()
    assert lines[0] == "Mismatched elements: 3 / 12"
    assert lines[1] == "Max absolute difference: 2"
    assert lines[2] == "Max relative difference: 0.5"
    assert [cell.strip() for cell in lines[3].split("|")] == ["Index", "Got", "Expected"]
    assert [cell.strip() for cell in lines[4].split("|")] == ["(0, 1)", "1.5", "1"]
    assert [cell.strip() for cell in lines[6].split("|")] == ["(2, 3)", "10", "11"]
    assert len(lines) == 7


def test_table_is_cut_after_five_rows():
    lines = mismatch_message(np.ones(8), np.zeros(8)).splitlines()
    assert lines[0] == "Mismatched elements: 8 / 8"
    assert lines[-1] == "... and 3 more"


def test_nan_in_array_is_counted_and_named():
    message = mismatch_message(np.array([1.0, np.nan]), np.array([1.0, 2.0]))
    assert "Mismatched elements: 1 / 2" in message
    assert "NaN where a number was expected: 1 element(s)" in message


def test_integer_array_must_not_come_back_as_floats():
    message = mismatch_message(np.array([1.0, 2.0]), np.array([1, 2]))
    assert message == "expected an array of integers, got dtype float64"


def test_float32_array_gets_float32_tolerance():
    expected = np.array([1.0, 2.0])
    expect_equal((expected + 1e-6).astype(np.float32), expected)
    assert not values_match(expected + 1e-6, expected)


def test_lists_of_numbers_compare_as_arrays():
    expect_equal([1.0, 2.0], np.array([1.0, 2.0]))
    assert "Mismatched elements: 1 / 2" in mismatch_message([1.0, 3.0], [1.0, 2.0])


def test_dict_mismatch_names_key():
    assert mismatch_message({"a": 1, "b": 3}, {"a": 1, "b": 2}) == "at key 'b': expected 2, got 3"
    assert "missing [\"'b'\"]" in mismatch_message({"a": 1}, {"a": 1, "b": 2})


def test_sequence_of_non_numbers_compares_element_by_element():
    assert mismatch_message(["x", "y"], ["x", "z"]) == "at index 1: expected 'z' (str), got 'y' (str)"


def test_named_tuple_components_are_reported_by_name():
    names = ("out", "new_running_mean", "new_running_var")
    expected = (np.zeros(2), np.ones(2), np.full(2, 2.0))
    expect_equal((np.zeros(2), [1.0, 1.0], np.full(2, 2.0)), expected, names=names)
    message = mismatch_message((np.zeros(2), np.ones(2), np.full(2, 3.0)), expected, names=names)
    assert message.startswith("new_running_var: Mismatched elements: 2 / 2")
    assert mismatch_message(np.zeros(2), expected, names=names) == (
        "expected a tuple (out, new_running_mean, new_running_var), got array([0., 0.]) (ndarray)")
    assert mismatch_message((1, 2), expected, names=names) == (
        "expected a tuple (out, new_running_mean, new_running_var), got a tuple of 2 elements")
    with pytest.raises(ValueError, match="3 names"):
        expect_equal((1, 2), (1, 2), names=names)  # the check's own mistake: a grader error


def test_a_zero_dimensional_array_counts_as_the_number_it_holds():
    expect_equal(np.array(0.6931471805599453), 0.6931471805599453)  # np.where / np.mean on scalars
    expect_equal(np.array(0.5, dtype=np.float32), 0.5)
    expect_equal(np.array(3), 3)
    assert mismatch_message(np.array(0.7), 0.5).startswith("expected 0.5 ± 5.1e-08, got 0.7")
    assert mismatch_message(np.array(3.0), 3) == "expected an int, got array(3.) (ndarray)"  # floats stay floats
    assert mismatch_message(np.array([0.5]), 0.5).startswith("expected a number, got array([0.5])")
