"""A hidden folder stays hidden under every name a worker can reach it by. An interpreter's prefix
reached through a symbolic link (under /tmp, as CI clones often are) is bound into the worker's
root under both names, and each bind is a separate view, so covering the folder under one name
would leave it open under the other."""
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from grader.sandbox import Pool, Sandbox
from grader.sandbox.backends import bubblewrap_works
from test_allow_list_root import FAST, LOOK


@pytest.fixture
def linked_prefix():
    """This interpreter's prefix, also reached through a symbolic link under /tmp. It holds a
    world-readable course folder with notes (not hidden) and an answer key (to hide)."""
    try:
        python = Path(sys.executable).relative_to(sys.prefix)
    except ValueError:
        pytest.skip("this interpreter does not live inside its prefix")
    real = Path(os.path.realpath(sys.prefix))
    try:
        course = Path(tempfile.mkdtemp(prefix="cnngrade-course-", dir=real))
    except OSError:
        pytest.skip("cannot create a folder inside the interpreter's prefix here")
    links = Path(tempfile.mkdtemp(prefix="cnngrade-link-", dir="/tmp"))
    try:
        for folder in (course, links):
            folder.chmod(0o755)
        (course / "keys").mkdir(mode=0o755)
        for name, text in (("notes.txt", "visible\n"), ("keys/answer.txt", "42\n")):
            (course / name).write_text(text)
            (course / name).chmod(0o644)
        (links / "venv").symlink_to(real)
        yield links / "venv", course.relative_to(real), links / "venv" / python
    finally:
        shutil.rmtree(course, ignore_errors=True)
        shutil.rmtree(links, ignore_errors=True)


@pytest.mark.parametrize("named", ["by-its-real-path", "through-the-link"])
@pytest.mark.parametrize("isolation", ["fallback", "bubblewrap"])
def test_a_hidden_folder_in_a_prefix_reached_through_a_link_is_hidden_under_both_names(linked_prefix, isolation, named):
    if isolation == "bubblewrap" and not bubblewrap_works():
        pytest.skip("bubblewrap (bwrap) is not available here")
    link, course, python = linked_prefix
    real = Path(os.path.realpath(link))
    hidden = (real if named == "by-its-real-path" else link) / course / "keys"
    with Pool(python=str(python), isolation=isolation, hidden_paths=(str(hidden),)) as pool:
        if str(link) not in pool._interpreter.needed:
            pytest.skip("this interpreter does not run from the folder that links to its prefix")
        with Sandbox([("a.py", LOOK)], limits=FAST, pool=pool) as box:
            # The worker does see the prefix under both names...
            assert [box.call("text", str(p / course / "notes.txt")) for p in (real, link)] == ["visible\n"] * 2
            # ...but the answer key under neither.
            for prefix in (real, link):
                assert box.call("text", str(prefix / course / "keys" / "answer.txt")).startswith("refused"), prefix
