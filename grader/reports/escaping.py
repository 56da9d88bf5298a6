"""Escaping student-controlled text for each output format.

Anything a student can influence (messages, stdout, reprs, ids, file names) passes through one
of these before it is written, so that it cannot break out of its place in the document.
"""
from __future__ import annotations

import re
from html import escape

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|<>~&])")
_LINE_START_SPECIAL = re.compile(r"^(?:([#+=-])|(\d+)([.)]))")
_XML_INVALID = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BACKTICKS = re.compile(r"`+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text: str) -> str:
    """Text without control characters (NUL, ESC, ...) other than tab and newlines."""
    return _CONTROL.sub("", str(text))


def html_text(text: str) -> str:
    return escape(printable(text), quote=True)


def markdown_text(text: str) -> str:
    """Inline text with Markdown and HTML syntax neutralised, on one line."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(printable(text).split()))
    # Headings, list items and setext underlines only start a line; this text may.
    return _LINE_START_SPECIAL.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)


def markdown_code(text: str) -> str:
    """An inline code span that no backtick run inside ``text`` can close early."""
    text = " ".join(printable(text).splitlines())
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_block(text: str, language: str = "text") -> str:
    """A fenced code block whose fence is longer than any backtick run inside ``text``."""
    text = printable(text).replace("\r\n", "\n").replace("\r", "\n")
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip(chr(10))}\n{fence}"


def xml_text(text: str) -> str:
    """Text with the characters XML 1.0 forbids (NUL, most C0 controls, U+FFFE/F) removed."""
    return _XML_INVALID.sub("", str(text))


def workflow_data(text: str) -> str:
    """A GitHub Actions command's message (as actions/toolkit escapeData does)."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A GitHub Actions command's property value (as actions/toolkit escapeProperty does)."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


def neutralize_workflow_commands(text: str) -> str:
    """Plain text that the Actions runner cannot read as a command when it reaches the log.

    The runner reads a line whose stripped form starts with ``::`` and the legacy ``##[``.
    """
    lines = []
    for line in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.lstrip().startswith("::"):
            line = "| " + line
        lines.append(line.replace("##[", "## ["))
    return "\n".join(lines)


def spreadsheet_cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (leading = + - @ tab or CR)."""
    text = str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
