"""Student text that breaks naive writers: lone surrogates, control, line-break and bidi characters."""
import re

HIGH, LOW = "\ud800", "\udfff"  # each alone: what undecodable bytes and broken strings leave

# (raw, as shown): what a student id can smuggle in, and how a reader sees it.
CONTROLS = {
    "newline": ("\n", "\\n"), "carriage_return": ("\r", "\\r"), "crlf": ("\r\n", "\\r\\n"),
    "tab": ("\t", "\\t"), "escape": ("\x1b[2J", "\\x1b[2J"), "nul": ("\x00", "\\x00"),
    "vertical_tab": ("\x0b", "\\x0b"), "file_separator": ("\x1c", "\\x1c"), "delete": ("\x7f", "\\x7f"),
    "c1_csi": ("\x9b", "\\x9b"), "next_line": ("\x85", "\\x85"), "line_separator": ("\u2028", "\\u2028"),
    "left_to_right_embedding": ("\u202a", "\\u202a"), "right_to_left_override": ("\u202e", "\\u202e"),
    "left_to_right_isolate": ("\u2066", "\\u2066"), "pop_directional_isolate": ("\u2069", "\\u2069"),
}
# Any of them left raw (tab and newline aside, which documents use for layout).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
