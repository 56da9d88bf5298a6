"""Escaping student-controlled text for each output format.

Anything a student can influence (messages, stdout, reprs, ids, file names) passes through one
of these before it is written, so that it cannot break out of its place in the document.
``printable`` (under the Markdown and HTML helpers), ``escape_controls`` and ``json_text`` give
text that encodes as UTF-8 (``encodable``) and show control and bidi characters as escapes
(``\\x1b``, ``\\u202e``) instead of passing them raw to a terminal or viewer.
"""
from __future__ import annotations

import json
import re
from html import escape

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|<>~&])")
_LINE_START_SPECIAL = re.compile(r"^(?:([#+=-])|(\d+)([.)]))")
_XML_INVALID = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BACKTICKS = re.compile(r"`+")
_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 controls, DEL, line and paragraph separators, bidi marks, embeddings, overrides, isolates.
_INVISIBLE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL_OR_BREAK = re.compile(f"[\t\n\r{_INVISIBLE}]")
_JSON_RAW_INVISIBLE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def encodable(text: str) -> str:
    """Text that encodes as UTF-8: a lone surrogate becomes U+FFFD (a paired one, its character).

    Surrogates reach us from undecodable file names (``surrogateescape``) and student strings;
    they are the only code points UTF-8 cannot encode.
    """
    text = str(text)
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def escape_controls(text: str, *, lines: bool = False) -> str:
    """One line with every control, line-break and bidi character shown as an escape
    (``\\n``, ``\\x1b``, ``\\u202e``); ``lines=True`` keeps newlines and tabs (CRLF reads as LF)."""
    text = encodable(text)
    if lines:
        return _escaped(text.replace("\r\n", "\n"), keep="\t\n")
    return _escaped(text, keep="")


def printable(text: str) -> str:
    """Text with control and bidi characters (NUL, ESC, U+202E, ...) shown as escapes; tab and
    newlines kept."""
    return _escaped(encodable(text), keep="\t\n\r")


def _escaped(text: str, *, keep: str) -> str:
    return _CONTROL_OR_BREAK.sub(lambda m: m[0] if m[0] in keep else _escape(m[0]), text)


def _escape(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def json_text(data) -> str:
    """Pretty JSON with sorted keys, as strict UTF-8 JSON: lone surrogates become U+FFFD and the
    characters ``json`` leaves raw (DEL, C1, bidi) are written as ``\\u`` escapes, losslessly."""
    text = encodable(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str))
    return _JSON_RAW_INVISIBLE.sub(lambda m: f"\\u{ord(m[0]):04x}", text) + "\n"


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
    return _XML_INVALID.sub("", encodable(text))


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
    """One line that a spreadsheet will not run as a formula (leading = + - @); controls,
    line breaks and bidi characters are shown as escapes, so a cell never spans two lines."""
    text = escape_controls(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
