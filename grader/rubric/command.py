"""``cnngrade validate RUBRIC``: print every problem, or a one-line OK."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from grader.rubric.load import load_rubric
from grader.rubric.errors import RubricInvalid


def main_validate(path: str | Path, *, out: TextIO | None = None) -> int:
    """Exit code 0 when the rubric is valid, 1 otherwise; one line per problem on ``out``."""
    out = sys.stdout if out is None else out
    try:
        rubric = load_rubric(path)
    except RubricInvalid as invalid:
        for error in invalid.errors:
            print(error, file=out)
        count = len(invalid.errors)
        print(f"{path}: {count} problem{'s' if count != 1 else ''}", file=out)
        return 1
    items = len(rubric.items)
    print(f"{path}: OK ({items} item{'s' if items != 1 else ''}, {rubric.max_score:g} points)", file=out)
    return 0
