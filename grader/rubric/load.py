"""Parse and validate a rubric file into a ``Rubric``, reporting every problem at once."""
from __future__ import annotations

import difflib
import hashlib
import json
import re
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from grader.rubric.errors import RubricError, RubricInvalid
from grader.rubric.nodes import DOTTED_NAME_PATTERN, ID_PATTERN, IDENTIFIER_PATTERN, NodeReader, is_null, join, line_of
from grader.checks.tolerance import Tolerances
from grader.rubric.schema import (
    EXECUTION_MODES,
    PARTIAL_CREDIT_MODES,
    SUPPORTED_SCHEMA_VERSIONS,
    VISIBILITIES,
    AssignmentInfo,
    Item,
    LatePolicy,
    Rubric,
    RubricLimits,
)

_ID = "an id of letters, digits, '_', '.' or '-'"
_TOP_REQUIRED = ("schema_version", "assignment", "functions", "items")
_TOP_OPTIONAL = ("seed", "execution", "limits", "banned_apis", "late_policy", "course_files", "tolerances",
                 "preload", "options")
# tolerances: section -> {key: Tolerances field}
_TOLERANCE_KEYS = {"float64": {"rtol": "float64_rtol", "atol": "float64_atol"},
                   "float32": {"rtol": "float32_rtol", "atol": "float32_atol"},
                   "gradient": {"step": "gradient_step", "rel_error": "gradient_rel_error"}}
# The visibilities a prerequisite may have, for a dependent item of each visibility.
_SHOWN_WITH = {"visible": {"visible"}, "after_due_date": {"visible", "after_due_date"},
               "after_published": {"visible", "after_published"},
               "hidden": {"visible", "after_due_date", "after_published", "hidden"}}
_FILE_NAME = re.compile(r"[^/\\\x00]+\.(?:py|ipynb)")


def load_rubric(path: str | Path) -> Rubric:
    """The rubric at ``path``; raises ``RubricInvalid`` listing every problem."""
    rubric, errors = _read(Path(path))
    if errors:
        raise RubricInvalid(errors)
    return rubric


def validate_rubric(path: str | Path) -> list[RubricError]:
    """Every problem in the rubric at ``path`` (empty when it is valid)."""
    return _read(Path(path))[1]


def _read(path: Path) -> tuple[Rubric | None, list[RubricError]]:
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [RubricError(file, None, "", f"cannot read the rubric: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [RubricError(file, None, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and not exc.context.startswith("while"):
            problem = f"{exc.context}, {exc.problem}"  # e.g. "expected a single document ..., but found ..."
        return None, [RubricError(file, line, "", f"invalid YAML: {problem}")]
    except yaml.YAMLError as exc:
        return None, [RubricError(file, None, "", f"invalid YAML: {exc}")]
    reader = NodeReader(file, loader)
    rubric = _Parser(reader, path, raw).rubric(root)
    errors = sorted(reader.errors, key=lambda e: (e.line is not None, e.line or 0))
    return (None if errors else rubric), errors


class _Parser:
    def __init__(self, reader: NodeReader, path: Path, raw: bytes):
        self.r = reader
        self.path = path
        self.raw = raw

    def rubric(self, root: Node | None) -> Rubric | None:
        r = self.r
        if root is None or is_null(root):
            r.errors.append(RubricError(r.file, None, "", "the file is empty; expected a mapping with "
                                                        "schema_version, assignment, functions and items"))
            return None
        version = self._schema_version(root)
        if version is None:
            return None
        top = r.expect_mapping(root, "", required=_TOP_REQUIRED, optional=_TOP_OPTIONAL)
        if top is None:
            return None
        assignment = self._assignment(top.get("assignment"))
        functions = self._names(top.get("functions"), "functions", IDENTIFIER_PATTERN, kind="function",
                               what="a Python identifier", required=True)
        items = self._items(top.get("items"))
        seed = self._optional(top, "seed", 0, lambda n: r.expect_integer(n, "seed", minimum=0))
        execution = self._optional(top, "execution", "definitions",
                                   lambda n: r.expect_choice(n, "execution", EXECUTION_MODES))
        limits = self._optional(top, "limits", RubricLimits(), self._limits)
        banned = self._optional(top, "banned_apis", (), lambda n: self._names(
            n, "banned_apis", DOTTED_NAME_PATTERN, kind="API",
            what="a dotted name like torch.nn.functional.conv2d", required=False))
        late = self._optional(top, "late_policy", None, self._late_policy)
        shipped = self._optional(top, "course_files", (), lambda n: self._names(
            n, "course_files", _FILE_NAME, kind="file", what="a file name like public_tests.py (no folder)",
            required=False))
        tolerances = self._optional(top, "tolerances", Tolerances(), self._tolerances)
        preload = self._optional(top, "preload", (), lambda n: self._names(
            n, "preload", DOTTED_NAME_PATTERN, kind="module", what="a module name like torch", required=False))
        options = self._optional(top, "options", {}, self._options)
        if r.errors:
            return None
        return Rubric(path=self.path, schema_version=version, assignment=assignment, functions=functions,
                      items=items, fingerprint=self._fingerprint(assignment.checks_path), seed=seed,
                      execution=execution, limits=limits, banned_apis=banned, late_policy=late,
                      course_files=shipped, tolerances=tolerances, preload=preload, options=options)

    def _options(self, node: Node) -> dict | None:
        """Any mapping with string keys: its meaning is the checks' (they validate what they read)."""
        r = self.r
        value = r.plain(node)
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            r.error(node, "options", f"expected a mapping of names to settings, got {r.describe(node)}")
            return None
        return value

    # -- parts ------------------------------------------------------------------------------

    def _schema_version(self, root: Node) -> int | None:
        """Checked first: under an unknown version no other key can be judged."""
        if not isinstance(root, MappingNode):
            return 1  # expect_mapping reports it
        for key_node, value_node in root.value:
            if isinstance(key_node, ScalarNode) and key_node.value == "schema_version":
                version = self.r.expect_integer(value_node, "schema_version")
                if version is None:
                    return 1  # reported; judge the rest as the current version
                if version not in SUPPORTED_SCHEMA_VERSIONS:
                    supported = ", ".join(str(v) for v in SUPPORTED_SCHEMA_VERSIONS)
                    self.r.error(value_node, "schema_version",
                                 f"unsupported schema version {version}; this grader supports {supported}")
                    return None
                return version
        return 1  # missing: expect_mapping reports it

    def _optional(self, found: dict[str, Node], key: str, default, parse):
        node = found.get(key)
        if is_null(node):
            return default
        value = parse(node)
        return default if value is None else value

    def _assignment(self, node: Node | None) -> AssignmentInfo | None:
        r = self.r
        if node is None:
            return None
        found = r.expect_mapping(node, "assignment", required=("id", "title", "checks"))
        if found is None:
            return None
        ident = title = checks_path = None
        if "id" in found:
            ident = r.expect_string(found["id"], "assignment.id", pattern=ID_PATTERN, what=_ID)
        if "title" in found:
            title = r.expect_string(found["title"], "assignment.title")
        if "checks" in found:
            checks = r.expect_string(found["checks"], "assignment.checks")
            if checks is not None:
                checks_path = (self.path.parent / checks).resolve()
                if not checks_path.is_file():
                    r.error(found["checks"], "assignment.checks", f"checks file not found: {checks_path}")
                    checks_path = None
        if ident is None or title is None or checks_path is None:
            return None
        return AssignmentInfo(id=ident, title=title, checks_path=checks_path)

    def _names(self, node, path, pattern, *, kind, what, required) -> tuple[str, ...] | None:
        r = self.r
        if node is None:
            return None
        nodes = r.expect_list(node, path, non_empty=f"expected at least one {kind} name" if required else None)
        if nodes is None:
            return None
        names: list[str] = []
        seen: dict[str, int] = {}
        for i, child in enumerate(nodes):
            name = r.expect_string(child, f"{path}[{i}]", pattern=pattern, what=what)
            if name is None:
                continue
            if name in seen:
                r.error(child, f"{path}[{i}]", f"duplicate {kind} {json.dumps(name)} (first at line {seen[name]})")
                continue
            seen[name] = line_of(child)
            names.append(name)
        return tuple(names)

    def _limits(self, node: Node) -> RubricLimits | None:
        r = self.r
        found = r.expect_mapping(node, "limits", optional=("call_timeout_s", "memory_mb", "load_timeout_s", "cpu_s",
                                                                   "submission_timeout_s"))
        if found is None:
            return None
        values = {}
        for key in ("call_timeout_s", "load_timeout_s", "submission_timeout_s"):
            if not is_null(found.get(key)):
                values[key] = r.expect_number(found[key], f"limits.{key}", minimum=0, exclusive=True)
        for key in ("memory_mb", "cpu_s"):
            if not is_null(found.get(key)):
                values[key] = r.expect_integer(found[key], f"limits.{key}", minimum=0, exclusive=True)
        if any(v is None for v in values.values()):
            return None
        return RubricLimits(**values)

    def _tolerances(self, node: Node) -> Tolerances | None:
        r = self.r
        found = r.expect_mapping(node, "tolerances", optional=tuple(_TOLERANCE_KEYS))
        if found is None:
            return None
        values, ok = {}, True
        for section, keys in _TOLERANCE_KEYS.items():
            if is_null(found.get(section)):
                continue
            entries = r.expect_mapping(found[section], f"tolerances.{section}", optional=tuple(keys))
            if entries is None:
                ok = False
                continue
            for key, field in keys.items():
                if is_null(entries.get(key)):
                    continue
                # an absolute tolerance may be 0; a relative one, a step or an error bound may not
                exclusive = key != "atol"
                value = r.expect_number(entries[key], f"tolerances.{section}.{key}", minimum=0,
                                        exclusive=exclusive, maximum=1)
                ok = ok and value is not None
                values[field] = value
        return Tolerances(**values) if ok else None

    def _late_policy(self, node: Node) -> LatePolicy | None:
        r = self.r
        found = r.expect_mapping(node, "late_policy", required=("due", "penalty_per_day"),
                                 optional=("max_penalty",))
        if found is None:
            return None
        due = r.expect_datetime(found["due"], "late_policy.due") if "due" in found else None
        per_day = max_penalty = None
        if "penalty_per_day" in found:
            per_day = r.expect_number(found["penalty_per_day"], "late_policy.penalty_per_day", minimum=0, maximum=1)
        if is_null(found.get("max_penalty")):
            max_penalty = 1.0
        else:
            max_penalty = r.expect_number(found["max_penalty"], "late_policy.max_penalty", minimum=0, maximum=1)
        if due is None or per_day is None or max_penalty is None:
            return None
        return LatePolicy(due=due, penalty_per_day=per_day, max_penalty=max_penalty)

    def _items(self, node: Node | None) -> tuple[Item, ...] | None:
        r = self.r
        if node is None:
            return None
        nodes = r.expect_list(node, "items", non_empty="expected at least one item")
        if nodes is None:
            return None
        items: list[Item] = []
        id_lines: dict[str, int] = {}
        graph: dict[str, tuple[str, ...]] = {}
        depends_nodes: dict[str, tuple[int, Node]] = {}  # id -> (index, depends_on node)
        for index, child in enumerate(nodes):
            ident, depends, item = self._item(child, f"items[{index}]")
            if ident is None:
                continue
            if ident in id_lines:
                r.error(_value_node(child, "id"), f"items[{index}].id",
                        f"duplicate item id {json.dumps(ident)} (first at line {id_lines[ident]})")
                continue
            id_lines[ident] = line_of(child)
            if item is not None:
                items.append(item)
            if depends:
                graph[ident] = depends
                depends_nodes[ident] = (index, _value_node(child, "depends_on"))
        self._check_dependencies(set(id_lines), graph, depends_nodes)
        self._check_dependency_visibility({i.id: i.visibility for i in items}, depends_nodes)
        return tuple(items)

    def _check_dependency_visibility(self, visibility: dict[str, str],
                                     depends_nodes: dict[str, tuple[int, Node]]) -> None:
        """An item shown to students may not depend on one they are not shown: "skipped, since
        X did not pass" would tell them X's held-back result."""
        for ident, (index, depends_node) in depends_nodes.items():
            mine = visibility.get(ident)
            for position, child in enumerate(depends_node.value):
                target = self.r.value(child)
                theirs = visibility.get(target) if isinstance(target, str) else None
                if mine is None or theirs is None or theirs in _SHOWN_WITH[mine]:
                    continue
                self.r.error(child, f"items[{index}].depends_on[{position}]",
                             f"a {mine} item cannot depend on {theirs} item {json.dumps(target)}: when it is "
                             f"skipped, students would learn that item's result; expected a prerequisite at "
                             f"least as visible ({' or '.join(sorted(_SHOWN_WITH[mine]))})")

    def _item(self, node: Node, path: str) -> tuple[str | None, tuple[str, ...] | None, Item | None]:
        """The item's id and dependencies (judged even when another field is wrong), and the item."""
        r = self.r
        found = r.expect_mapping(node, path, required=("id", "title", "points", "checks"),
                                 optional=("partial_credit", "visibility", "depends_on"))
        if found is None:
            return None, None, None
        ident = r.expect_string(found["id"], join(path, "id"), pattern=ID_PATTERN, what=_ID) if "id" in found else None
        title = r.expect_string(found["title"], join(path, "title")) if "title" in found else None
        points = r.expect_number(found["points"], join(path, "points"), minimum=0) if "points" in found else None
        checks = None
        if "checks" in found:
            checks = self._names(found["checks"], join(path, "checks"), ID_PATTERN, kind="check", what=_ID,
                                 required=True)
        partial = self._optional(found, "partial_credit", "all_or_nothing",
                                 lambda n: r.expect_choice(n, join(path, "partial_credit"), PARTIAL_CREDIT_MODES))
        visibility = self._optional(found, "visibility", "visible",
                                    lambda n: r.expect_choice(n, join(path, "visibility"), VISIBILITIES))
        depends = self._optional(found, "depends_on", (), lambda n: self._names(
            n, join(path, "depends_on"), ID_PATTERN, kind="item", what=_ID, required=False))
        if None in (ident, title, points, checks) or not checks:
            return ident, depends, None
        item = Item(id=ident, title=title, points=points, checks=checks, partial_credit=partial,
                    visibility=visibility, depends_on=depends)
        return ident, depends, item

    def _check_dependencies(self, known: set[str], graph: dict[str, tuple[str, ...]],
                            depends_nodes: dict[str, tuple[int, Node]]) -> None:
        r = self.r
        for ident, (index, depends_node) in depends_nodes.items():
            for position, child in enumerate(depends_node.value):
                target = r.value(child)
                if isinstance(target, str) and ID_PATTERN.fullmatch(target) and target not in known:
                    close = _close(target, known)
                    hint = f"; did you mean {json.dumps(close)}?" if close else ""
                    r.error(child, f"items[{index}].depends_on[{position}]",
                            f"unknown item {json.dumps(target)}{hint}")
        edges = {ident: [d for d in depends if d in graph] for ident, depends in graph.items()}
        for cycle in _cycles(edges):
            index, depends_node = depends_nodes[cycle[0]]
            r.error(depends_node, f"items[{index}].depends_on",
                    "dependency cycle: " + " -> ".join([*cycle, cycle[0]]))

    def _fingerprint(self, checks_path: Path) -> str:
        digest = hashlib.sha256()
        for part in (self.raw, checks_path.read_bytes()):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()


def _value_node(mapping: MappingNode, key: str) -> Node:
    return next(v for k, v in mapping.value if isinstance(k, ScalarNode) and k.value == key)


def _close(name: str, known) -> str | None:
    matches = difflib.get_close_matches(name, sorted(known), n=1)
    return matches[0] if matches else None


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Each elementary cycle reached by depth-first search, once, rotated to its smallest id."""
    found: dict[tuple[str, ...], list[str]] = {}
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):]
                start = cycle.index(min(cycle))
                cycle = cycle[start:] + cycle[:start]
                found.setdefault(tuple(cycle), cycle)
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)
    return list(found.values())
