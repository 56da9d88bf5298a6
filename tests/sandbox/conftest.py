"""Sandbox pools shared by the sandbox tests: starting one imports torch (about 1.5 s)."""
import shutil

import pytest

from grader.sandbox import Pool
from grader.sandbox.backends import bubblewrap_works


@pytest.fixture(scope="session")
def fallback_pool():
    with Pool(isolation="fallback") as pool:
        yield pool


@pytest.fixture(scope="session")
def bubblewrap_pool():
    if shutil.which("bwrap") is None or not bubblewrap_works():
        pytest.skip("bubblewrap (bwrap) is not available here")
    with Pool(isolation="bubblewrap") as pool:
        yield pool


@pytest.fixture(scope="session")
def pool(request):
    """The pool a grading run would use here: bubblewrap if it works, else the fallback."""
    name = "bubblewrap_pool" if bubblewrap_works() else "fallback_pool"
    return request.getfixturevalue(name)
