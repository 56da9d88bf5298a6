"""Which rubric a self-check uses: the notebook's own metadata first, never a guess among several."""
from pathlib import Path

import pytest

from grader import selfcheck

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "assignments" / "conv_arithmetic" / "student.ipynb"


def test_a_notebook_given_by_path_names_its_assignment():
    assert selfcheck._declared(TEMPLATE) == "conv_arithmetic"


def test_the_kernels_notebook_is_found_through_jupyters_session_name(monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", str(TEMPLATE))
    assert selfcheck._declared(None) == "conv_arithmetic"


def test_a_notebook_without_the_metadata_names_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    plain = tmp_path / "mine.ipynb"
    plain.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8")
    assert selfcheck._declared(plain) is None
    assert selfcheck._declared(None) is None


def test_a_function_graded_by_one_bundled_assignment_finds_it():
    assert selfcheck._assignment_for("conv_output_size") == "conv_arithmetic"


def test_no_function_and_no_metadata_asks_which_assignment():
    with pytest.raises(ValueError, match="which assignment"):
        selfcheck._assignment_for(None)
    with pytest.raises(ValueError, match="no bundled rubric grades a function named 'nope'"):
        selfcheck._assignment_for("nope")
