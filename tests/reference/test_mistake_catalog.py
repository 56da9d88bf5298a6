"""The catalog of classic mistakes as a whole: big enough, well formed, and usable by the grader."""
import importlib
import inspect

import pytest

from reference.mistakes import AREAS, by_id, catalog, mistakes_for

CATALOG = catalog()


def _reference_function(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_catalog_holds_at_least_forty_mistakes_from_every_area():
    assert len(CATALOG) >= 40
    areas = {m.reference.split(".")[1] for m in CATALOG}
    assert areas == set(AREAS)


def test_mistake_ids_are_unique_and_found_by_id():
    ids = [m.id for m in CATALOG]
    assert len(ids) == len(set(ids))
    assert all(by_id(i).id == i for i in ids)


def test_unknown_mistake_id_is_refused_by_name():
    with pytest.raises(KeyError, match="no mistake with id 'nope'"):
        by_id("nope")


@pytest.mark.parametrize("mistake", CATALOG, ids=[m.id for m in CATALOG])
def test_each_mistake_explains_itself_in_one_line_and_mirrors_its_reference(mistake):
    assert mistake.explanation.strip() and "\n" not in mistake.explanation
    assert inspect.getdoc(mistake.function), f"{mistake.id} has no docstring"
    reference = _reference_function(mistake.reference)
    assert inspect.signature(mistake.function).parameters.keys() == \
        inspect.signature(reference).parameters.keys()


def test_mistakes_are_found_by_reference_function_or_dotted_name():
    from reference.conv_arithmetic import conv_output_size

    by_function = mistakes_for(conv_output_size)
    assert by_function and by_function == mistakes_for("reference.conv_arithmetic.conv_output_size")
