"""Where the submissions are in a folder or zip an instructor hands us.

What an instructor downloads is rarely a bare folder of submissions: the export sits in a
wrapper folder, or one level down in a zip. ``find_level`` walks down through wrapper folders
(a level holding nothing but one folder) to the level where each entry is one submission, and
names the layout it recognised there:

- ``gradescope export``: ``submission_metadata.yml`` beside ``submission_<id>`` folders;
- ``canvas``, ``moodle``, ``blackboard``: entries named as those LMSs name them (see
  ``identity.ID_PATTERNS``);
- ``github classroom``: one git repository per student, named ``<assignment>-<username>``;
- ``folders and files``: a folder (or zip) per student, and a file per student beside them;
- ``one student``: files that are all copies or exports of one notebook (``conv.ipynb``,
  ``conv-Copy1.ipynb``, ``conv.py``): the folder holding them is one student's.

Only names at or above the level decide; names inside a student's upload never do (a student
could name a file like another student's).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .identity import ID_PATTERNS
from .notebook import GRADEABLE_SUFFIXES

GRADESCOPE_EXPORT_METADATA = "submission_metadata.yml"
_GRADESCOPE_SUBMISSION = re.compile(r"submission_\d+$")
_LMS = tuple((name, re.compile(ID_PATTERNS[name])) for name in ("canvas", "moodle", "blackboard"))
# How copies of one notebook are named: Jupyter's "-Copy1", a file manager's " (2)" or
# " - Copy", Canvas's "-1" for a second file of the same name.
_COPY_SUFFIX = re.compile(r"(?:\s*-\s*copy\d*|\s*\(\d+\)|[ _]copy\d*|-\d+)$", re.IGNORECASE)
_MAX_WRAPPERS = 8  # wrapper folders walked through; deeper, the level is where it stopped


@dataclass(frozen=True)
class Level:
    prefix: tuple[str, ...]  # wrapper folders above the submissions
    layout: str
    one_student: bool = False  # the level's folder is one student's submission
    # Reached through one folder holding only files of different names: a flat class in a
    # wrapper, or one student's notebook and modules. Names cannot tell; ``reader`` looks at
    # what the files define (see ``archive.expand``).
    ambiguous: bool = False
    ids: dict[str, str] = field(default_factory=dict)  # entry name -> student id (GitHub Classroom)


def base_name(name: str) -> str:
    """A file's name without its suffix and copy marks, lower-cased: ``conv-Copy1.ipynb`` → ``conv``."""
    stem = PurePosixPath(name).stem if PurePosixPath(name).suffix.lower() in GRADEABLE_SUFFIXES else name
    return without_copy_marks(stem).lower()


def without_copy_marks(stem: str) -> str:
    """``conv-Copy1`` → ``conv``; ``alice (2)`` → ``alice``."""
    previous = None
    while previous != stem:
        previous, stem = stem, _COPY_SUFFIX.sub("", stem)
    return stem


def find_level(names: list[PurePosixPath]) -> Level:
    """The level of the submissions among ``names`` (every file under the input, relative to it)."""
    names = [n for n in names if n.parts]
    prefix: tuple[str, ...] = ()
    for _ in range(_MAX_WRAPPERS + 1):
        files, folders = _entries_at(names, prefix)
        layout = _recognised(files, folders)
        if layout is not None:
            return Level(prefix, layout)
        if not files and len(folders) == 1 and not next(iter(folders)).endswith(".zip"):
            prefix += (next(iter(folders)),)
            continue
        code = [f for f in files if PurePosixPath(f).suffix.lower() in GRADEABLE_SUFFIXES]
        if code and not folders and len({base_name(f) for f in code}) == 1 and (prefix or len(code) > 1):
            return Level(prefix, "one student", one_student=True)
        layout, ids = _classroom(names, prefix, folders)
        return Level(prefix, layout, ids=ids, ambiguous=bool(prefix) and not folders)
    return Level(prefix, "folders and files")


def complementary(definitions: list[set[str]]) -> bool:
    """Whether files that define these graded functions are parts of one submission (no
    function defined twice: a notebook and its modules) rather than alternatives (each a
    student's whole answer). Without a graded function in two files, parts."""
    seen: set[str] = set()
    for names in definitions:
        if names & seen:
            return False
        seen |= names
    return True


def _entries_at(names: list[PurePosixPath], prefix: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """The files and the folders directly under ``prefix`` (hidden and junk ones left out).
    A zip counts as a folder: a student's zipped upload."""
    files, folders = set(), set()
    depth = len(prefix)
    for name in names:
        if name.parts[:depth] != prefix or len(name.parts) <= depth:
            continue
        top = name.parts[depth]
        if top.startswith(".") or top == "__MACOSX":
            continue
        if len(name.parts) > depth + 1:
            folders.add(top)
        elif top.lower().endswith(".zip"):
            folders.add(top)
        elif PurePosixPath(top).suffix.lower() in GRADEABLE_SUFFIXES or top == GRADESCOPE_EXPORT_METADATA:
            files.add(top)
    return files, folders


def _recognised(files: set[str], folders: set[str]) -> str | None:
    if GRADESCOPE_EXPORT_METADATA in files and any(_GRADESCOPE_SUBMISSION.match(f) for f in folders):
        return "gradescope export"
    for name, pattern in _LMS:
        if any(pattern.match(entry) for entry in files | folders):
            return name
    return None


def _classroom(names: list[PurePosixPath], prefix: tuple[str, ...], folders: set[str]) -> tuple[str, dict]:
    """GitHub Classroom's repositories, ``<assignment>-<username>``, each a git clone: the id is
    the username. Anything else: a folder (or file) per student, named by its own name."""
    depth = len(prefix)
    repos = {n.parts[depth] for n in names
             if n.parts[:depth] == prefix and len(n.parts) > depth + 2 and n.parts[depth + 1] == ".git"}
    if len(folders) < 2 or repos != folders:
        return "folders and files", {}
    common = _common_prefix(sorted(folders))
    common = common[: common.rfind("-") + 1]
    if not common or any(len(f) == len(common) for f in folders):
        return "folders and files", {}
    return "github classroom", {f: f[len(common):] for f in folders}


def _common_prefix(words: list[str]) -> str:
    first, last = words[0], words[-1]
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]
