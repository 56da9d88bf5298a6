"""Read typed values out of composed YAML nodes, recording every problem with its line.

``yaml.compose`` keeps a mark on every node, which plain ``yaml.safe_load`` throws away;
reading the node tree also lets us see duplicate keys, which PyYAML would silently merge.
"""
from __future__ import annotations

import difflib
import json
import math
import re
from datetime import date, datetime
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from grader.rubric.errors import RubricError

ID_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
IDENTIFIER_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DOTTED_NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_NULL_TAG = "tag:yaml.org,2002:null"


class Unreadable:
    """A scalar PyYAML could not construct (bad timestamp, unknown tag): kept as its text."""

    def __init__(self, text: str, reason: str):
        self.text = text
        self.reason = reason


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == _NULL_TAG)


def quoted(values) -> str:
    return ", ".join(json.dumps(v) for v in values)


class NodeReader:
    """Checks nodes against expectations; each ``expect_*`` returns a value or None."""

    def __init__(self, file: str, loader: yaml.SafeLoader):
        self.file = file
        self.errors: list[RubricError] = []
        self._loader = loader
        self._unreadable: dict[Node, Unreadable] = {}

    def error(self, node: Node | None, key_path: str, message: str) -> None:
        line = None if node is None else line_of(node)
        self.errors.append(RubricError(self.file, line, key_path, message))

    def value(self, node: Node) -> Any:
        if isinstance(node, MappingNode):
            return dict
        if isinstance(node, SequenceNode):
            return list
        if node in self._unreadable:
            return self._unreadable[node]
        try:
            return self._loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            # PyYAML leaves a failed node marked as "in construction"; remember the failure instead.
            self._loader.recursive_objects.pop(node, None)
            reason = getattr(exc, "problem", None) or str(exc)
            self._unreadable[node] = Unreadable(node.value, reason)
            return self._unreadable[node]

    def plain(self, node: Node) -> Any:
        """The node as plain YAML data, containers included (Unreadable where it cannot be read)."""
        if not isinstance(node, (MappingNode, SequenceNode)):
            return self.value(node)
        try:
            return self._loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            self._loader.recursive_objects.pop(node, None)
            return Unreadable("", getattr(exc, "problem", None) or str(exc))

    def describe(self, node: Node) -> str:
        value = self.value(node)
        if value is dict:
            return "a mapping"
        if value is list:
            return "a list"
        if isinstance(value, Unreadable):
            return f"{json.dumps(value.text)} ({value.reason})"
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and not math.isfinite(value):
            return node.value
        if isinstance(value, (int, float)):
            return repr(value)
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        if isinstance(value, str):
            return json.dumps(value)
        return f"{node.value!r} ({type(value).__name__})"

    # -- containers -------------------------------------------------------------------------

    def expect_mapping(self, node, path, *, required=(), optional=()) -> dict[str, Node] | None:
        """Report non-mappings, non-string, duplicate, unknown and missing keys."""
        if not isinstance(node, MappingNode):
            self.error(node, path, f"expected a mapping, got {self.describe(node)}")
            return None
        allowed = (*required, *optional)
        first_line: dict[str, int] = {}
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = self.value(key_node)
            if not isinstance(key, str):
                self.error(key_node, path, f"keys must be strings, got {self.describe(key_node)}")
                continue
            key_path = join(path, key)
            if key in first_line:
                self.error(key_node, key_path, f"duplicate key (first at line {first_line[key]})")
                continue
            first_line[key] = line_of(key_node)
            if key not in allowed:
                self.error(key_node, key_path, _unknown_key_message(key, allowed))
                continue
            found[key] = value_node
        for key in required:
            if key not in found and key not in first_line:
                self.error(node, join(path, key), "missing required key")
        return found

    def expect_list(self, node, path, *, non_empty: str | None = None) -> list[Node] | None:
        if not isinstance(node, SequenceNode):
            self.error(node, path, f"expected a list, got {self.describe(node)}")
            return None
        if non_empty and not node.value:
            self.error(node, path, non_empty)
        return list(node.value)

    # -- scalars ----------------------------------------------------------------------------

    def expect_string(self, node, path, *, pattern: re.Pattern | None = None, what="") -> str | None:
        value = self.value(node)
        if not isinstance(value, str) or not value.strip():
            self.error(node, path, f"expected a non-empty string, got {self.describe(node)}")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.error(node, path, f"expected {what}, got {self.describe(node)}")
            return None
        return value

    def expect_number(self, node, path, *, minimum=None, exclusive=False, maximum=None) -> float | None:
        value = self.value(node)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok = ok and math.isfinite(value)
        if ok and minimum is not None:
            ok = value > minimum if exclusive else value >= minimum
        if ok and maximum is not None:
            ok = value <= maximum
        if not ok:
            self.error(node, path, f"expected {_range_text('a number', minimum, exclusive, maximum)}, "
                                   f"got {self.describe(node)}")
            return None
        return float(value)

    def expect_integer(self, node, path, *, minimum=None, exclusive=False) -> int | None:
        value = self.value(node)
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and minimum is not None:
            ok = value > minimum if exclusive else value >= minimum
        if not ok:
            self.error(node, path, f"expected {_range_text('an integer', minimum, exclusive, None)}, "
                                   f"got {self.describe(node)}")
            return None
        return value

    def expect_choice(self, node, path, choices) -> str | None:
        value = self.value(node)
        if not isinstance(value, str) or value not in choices:
            self.error(node, path, f"expected one of {quoted(choices)}, got {self.describe(node)}")
            return None
        return value

    def expect_datetime(self, node, path) -> datetime | None:
        value = self.value(node)
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                pass
        if not isinstance(value, datetime):
            self.error(node, path, "expected a date and time with a time zone, like "
                                   f"2026-12-01T23:59:00+00:00, got {self.describe(node)}")
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            self.error(node, path, "expected a date and time with a time zone, like "
                                   f"2026-12-01T23:59:00+00:00, got {self.describe(node)} (no time zone)")
            return None
        return value


def _range_text(noun: str, minimum, exclusive: bool, maximum) -> str:
    if minimum is not None and maximum is not None:
        if exclusive:
            return f"{noun} > {minimum:g} and <= {maximum:g}"
        return f"{noun} between {minimum:g} and {maximum:g}"
    if minimum is not None:
        return f"{noun} {'>' if exclusive else '>='} {minimum:g}"
    return noun


def _unknown_key_message(key: str, allowed) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f"unknown key; did you mean {json.dumps(close[0])}?"
    return f"unknown key; expected one of {quoted(allowed)}"
