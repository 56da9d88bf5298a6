"""The pooling mistakes added with the pooling assignment: each imitates its reference's signature,
differs from it on a concrete input, and does what its docstring says (shown against the
reference on inputs where the answer is easy to see)."""
import inspect

import numpy as np
import pytest

import reference.mistakes.pooling as pooling_mistakes
from reference import pooling
from reference.mistakes import by_id
from reference.worked_examples import LECTURE_POOL3_INPUT, LECTURE_POOL_INPUT

ADDED = [
    "max_pool2d.max_forward_stride_ignored",
    "max_pool2d.max_stride_default_one",
    "max_pool2d.max_starts_at_zero",
    "max_pool2d.max_height_for_width",
    "max_pool2d_backward.overwrite_windows",
    "avg_pool2d.avg_forward_stride_ignored",
    "avg_pool2d.avg_stride_default_one",
    "avg_pool2d.avg_height_for_width",
    "avg_pool2d_backward.avg_overwrite_overlaps",
]

LECTURE = LECTURE_POOL_INPUT[None, None]
LECTURE3 = LECTURE_POOL3_INPUT[None, None]
_rng = np.random.default_rng(2026)
X = _rng.normal(size=(2, 3, 6, 7))

# mistake id -> (args, kwargs) on which the mistake and its reference disagree.
EXHIBITS = {
    "max_pool2d.max_forward_stride_ignored": ((LECTURE3, 2), {}),
    "max_pool2d.max_stride_default_one": ((LECTURE, 2), {}),
    "max_pool2d.max_starts_at_zero": ((LECTURE - 10, 2), {}),
    "max_pool2d.max_height_for_width": ((X, (2, 3), (1, 2)), {}),
    "max_pool2d_backward.overwrite_windows": ((np.ones((1, 1, 3, 3)), LECTURE3, 3, 1), {}),
    "avg_pool2d.avg_forward_stride_ignored": ((LECTURE3, 2), {}),
    "avg_pool2d.avg_stride_default_one": ((LECTURE, 2), {}),
    "avg_pool2d.avg_height_for_width": ((X, (2, 3), (1, 2)), {}),
    "avg_pool2d_backward.avg_overwrite_overlaps": ((np.ones((1, 1, 3, 3)), LECTURE3, 3, 1), {}),
}


def _reference(m):
    return getattr(pooling, m.reference.rsplit(".", 1)[1])


def _differ(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-9, atol=1e-12)


def test_every_added_mistake_is_in_the_catalog_with_an_exhibit():
    ids = [m.id for m in pooling_mistakes.MISTAKES]
    assert set(ADDED) <= set(ids) and len(ids) == len(set(ids))
    assert set(EXHIBITS) == set(ADDED)


@pytest.mark.parametrize("mistake_id", ADDED)
def test_added_mistake_differs_from_the_reference_on_its_exhibit(mistake_id):
    m = by_id(mistake_id)
    args, kwargs = EXHIBITS[mistake_id]
    assert _differ(m(*args, **kwargs), _reference(m)(*args, **kwargs))


@pytest.mark.parametrize("mistake_id", ADDED)
def test_added_mistake_has_the_signature_of_its_reference_and_explains_itself(mistake_id):
    m = by_id(mistake_id)

    def parameters(function):
        return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]

    assert parameters(m.function) == parameters(_reference(m))
    assert inspect.getdoc(m.function)
    assert m.explanation.strip() and "\n" not in m.explanation


@pytest.mark.parametrize("mistake_id", ["max_pool2d.max_forward_stride_ignored",
                                        "avg_pool2d.avg_forward_stride_ignored"])
def test_stride_ignored_forward_has_the_right_size_but_windows_one_pixel_apart(mistake_id):
    m, reference = by_id(mistake_id), _reference(by_id(mistake_id))
    got = m(X, 2, 2)
    assert got.shape == reference(X, 2, 2).shape == (2, 3, 3, 3)
    np.testing.assert_array_equal(got, reference(X, 2, 1)[..., :3, :3])
    np.testing.assert_array_equal(m(X, 2, 1), reference(X, 2, 1))  # stride 1: no difference


@pytest.mark.parametrize("mistake_id", ["max_pool2d.max_stride_default_one",
                                        "avg_pool2d.avg_stride_default_one"])
def test_stride_default_one_slides_by_one_only_when_no_stride_is_given(mistake_id):
    m, reference = by_id(mistake_id), _reference(by_id(mistake_id))
    np.testing.assert_array_equal(m(LECTURE, 2), reference(LECTURE, 2, 1))
    assert m(LECTURE, 2).shape == (1, 1, 3, 3)
    np.testing.assert_array_equal(m(X, (2, 3), (2, 1)), reference(X, (2, 3), (2, 1)))


def test_max_starting_at_zero_turns_negative_maxima_into_zero():
    m = by_id("max_pool2d.max_starts_at_zero")
    np.testing.assert_array_equal(m(LECTURE - 10, 2), np.zeros((1, 1, 2, 2)))
    np.testing.assert_array_equal(m(X, 2), np.maximum(pooling.max_pool2d(X, 2), 0))
    np.testing.assert_array_equal(m(LECTURE, 2), pooling.max_pool2d(LECTURE, 2))


@pytest.mark.parametrize("mistake_id", ["max_pool2d.max_height_for_width",
                                        "avg_pool2d.avg_height_for_width"])
def test_height_for_width_makes_a_non_square_window_square(mistake_id):
    m, reference = by_id(mistake_id), _reference(by_id(mistake_id))
    np.testing.assert_array_equal(m(X, (2, 3), (1, 2)), reference(X, (2, 2), (1, 1)))
    np.testing.assert_array_equal(m(X, (3, 1)), reference(X, 3))  # stride defaults to the square
    np.testing.assert_array_equal(m(X, 2, 3), reference(X, 2, 3))  # square: no difference


def test_overwritten_max_windows_keep_only_the_last_window_written():
    m = by_id("max_pool2d_backward.overwrite_windows")
    ones = np.ones((1, 1, 3, 3))
    # the reference gives the 9, the first 8, the 6 and the first 7 a gradient of 2 each;
    # writing window after window leaves 1 where the last window holding that maximum wrote,
    # and 0 at the 6 (2, 2), which the last window, starting at (2, 2), wrote over with a zero
    np.testing.assert_array_equal(pooling.max_pool2d_backward(ones, LECTURE3, 3, 1)[0, 0],
                                  [[0, 0, 2, 0, 0], [2, 0, 0, 0, 0], [0, 0, 2, 0, 0],
                                   [0, 0, 0, 0, 0], [0, 2, 0, 0, 1]])
    np.testing.assert_array_equal(m(ones, LECTURE3, 3, 1)[0, 0],
                                  [[0, 0, 1, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 0],
                                   [0, 0, 0, 0, 0], [0, 1, 0, 0, 1]])
    g = _rng.normal(size=(2, 3, 3, 3))
    np.testing.assert_array_equal(m(g, X, 2), pooling.max_pool2d_backward(g, X, 2))  # no overlap
    split = m(np.ones((1, 1, 1, 1)), np.ones((1, 1, 2, 2)), 2, ties="split")
    np.testing.assert_array_equal(split, np.full((1, 1, 2, 2), 0.25))  # honours the tie rule


def test_overwritten_avg_windows_give_each_input_one_window_share():
    m = by_id("avg_pool2d_backward.avg_overwrite_overlaps")
    np.testing.assert_allclose(m(np.ones((1, 1, 3, 3)), LECTURE3, 3, 1), np.full((1, 1, 5, 5), 1 / 9))
    g = _rng.normal(size=(2, 3, 3, 3))
    np.testing.assert_allclose(m(g, X, 2), pooling.avg_pool2d_backward(g, X, 2))  # no overlap
