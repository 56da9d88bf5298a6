"""Problems found in a rubric file, located by file, line and key path."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class RubricError:
    file: str
    line: int | None  # 1-based; None when the problem has no place in the file
    key_path: str  # e.g. "items[2].points"; "" for the whole file
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.key_path:
            return f"{where}: {self.key_path}: {self.message}"
        return f"{where}: {self.message}"


class RubricInvalid(ValueError):
    """The rubric has problems; ``errors`` lists every one of them."""

    def __init__(self, errors: Iterable[RubricError]):
        self.errors = tuple(errors)
        count = len(self.errors)
        heading = f"{count} problem{'s' if count != 1 else ''} in the rubric:"
        super().__init__("\n".join([heading, *(f"  {e}" for e in self.errors)]))
