"""Banned APIs, found statically: imports, aliases and attribute chains that name a banned function.

The worker also replaces each banned function with one that raises (see ``worker._ban``); the
static scan is what reports the cell and line, and catches uses that never run.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class BannedUse:
    name: str  # the banned API, e.g. "torch.nn.functional.conv2d"
    origin: str  # the chunk's origin, e.g. "alice.ipynb, cell 3"
    line: int
    text: str  # the expression as written, e.g. "F.conv2d"
    target: str = ""  # what the text names, e.g. "scipy.signal.convolve2d" under the ban "scipy.signal"

    @property
    def message(self) -> str:
        """``F.conv2d is torch.nn.functional.conv2d, which this assignment bans``, or for an
        import ``from scipy.signal import convolve2d imports scipy.signal.convolve2d, which
        this assignment bans (all of scipy.signal)``."""
        target = self.target or self.name
        verb = "imports" if self.text.startswith(("import ", "from ")) else "is"
        whole = f" (all of {self.name})" if target != self.name else ""
        return f"{self.text} {verb} {target}, which this assignment bans{whole}"

    def __str__(self) -> str:
        return f"{self.origin}, line {self.line}: {self.message}"


def find_banned(chunks, banned_apis) -> list[BannedUse]:
    """Every use of a banned API in the chunks, in order. Aliases carry over between chunks."""
    banned = tuple(banned_apis)
    if not banned:
        return []
    aliases: dict[str, str] = {}
    found: list[BannedUse] = []
    for origin, source in chunks:
        try:
            tree = ast.parse(source, filename=origin)
        except (SyntaxError, ValueError):
            continue  # reported by loading
        _Scanner(origin, banned, aliases, found).visit(tree)
    return found


class _Scanner(ast.NodeVisitor):
    def __init__(self, origin, banned, aliases, found):
        self.origin, self.banned, self.aliases, self.found = origin, banned, aliases, found

    def hit(self, dotted: str, node: ast.AST, text: str) -> None:
        for name in self.banned:
            if dotted == name or dotted.startswith(name + "."):
                self.found.append(BannedUse(name, self.origin, getattr(node, "lineno", 0), text, dotted))
                return

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.partition(".")[0]
                self.aliases[top] = top
            self.hit(alias.name, node, f"import {alias.name}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            self.aliases[alias.asname or alias.name] = full
            self.hit(full, node, f"from {node.module} import {alias.name}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        dotted = self.resolve(node)
        if dotted is not None:
            self.hit(dotted, node, ast.unparse(node))
            return  # the inner chain is a prefix: do not report it again
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in self.aliases and isinstance(node.ctx, ast.Load):
            self.hit(self.aliases[node.id], node, node.id)

    def visit_Call(self, node: ast.Call) -> None:
        # getattr(F, "conv2d") and getattr(torch.nn.functional, "conv2d")
        if (isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            base = self.resolve(node.args[0])
            if base is not None:
                self.hit(f"{base}.{node.args[1].value}", node, ast.unparse(node))
        self.generic_visit(node)

    def resolve(self, node: ast.AST) -> str | None:
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.aliases:
            return None
        return ".".join([self.aliases[node.id]] + parts[::-1])
