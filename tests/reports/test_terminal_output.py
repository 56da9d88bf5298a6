"""What the CLI prints (progress lines, the self-check's text) never raises and never passes a
student's control or bidi characters to the terminal raw."""
import io
from dataclasses import replace

import pytest
from hostile_text import CONTROLS, HIGH, RAW

from grader.cli import ProgressBar, say
from grader.selfcheck import render_check

params = pytest.mark.parametrize("raw, shown", list(CONTROLS.values()), ids=list(CONTROLS))


@params
def test_the_progress_line_shows_control_characters_in_ids_as_escapes(alice, raw, shown):
    stream = io.StringIO()
    ProgressBar(stream, enabled=True).update(1, 2, replace(alice, student_id=f"al{raw}ice"), reused=True)
    assert stream.getvalue() == f"[############............] 1/2 al{shown}ice (reused)\n"


@params
def test_the_check_text_shows_control_characters_in_student_text_as_escapes(alice, raw, shown):
    problem = replace(alice.problems[0], message=f"x{raw}y")
    text = render_check(replace(alice, student_id=f"al{raw}ice", problems=(problem,)))
    assert not RAW.search(text)
    assert text.splitlines()[0] == f"al{shown}ice: 4.5/6 on the visible items"  # 2 items (2 points) held back
    kept = {"\n": "\n", "\t": "\t", "\r\n": "\n"}.get(raw, shown)  # a multi-line message keeps its lines
    assert f"  - alice.ipynb, cell 3, line 2: x{kept}y" in text


def test_the_check_text_is_unchanged_for_ordinary_text(alice):
    assert render_check(alice).splitlines()[:2] == [
        "alice: 4.5/6 on the visible items", "  ✓ Conv output size (conv_output_size): 3/3"]


def test_the_check_text_encodes_as_utf8_when_student_text_holds_lone_surrogates(eve):
    text = render_check(eve)
    assert text.splitlines()[0] == "eve\ufffd: 0/3 on the visible items"
    text.encode("utf-8")


def test_the_cli_prints_lone_surrogates_without_raising(eve):
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    ProgressBar(stream, enabled=True).update(1, 1, eve, reused=False)
    say(render_check(eve), stream)
    stream.flush()
    assert stream.buffer.getvalue().decode("utf-8").startswith("[########################] 1/1 eve\ufffd (0/3)\n")


def test_the_cli_shows_what_a_non_utf8_console_cannot_encode_as_escapes():
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")
    say(f"✓ {HIGH}", stream)
    stream.flush()
    assert stream.buffer.getvalue() == b"\\u2713 \\ufffd\n"
