"""`cnngrade validate`, `--help` on every command, and the installed console script."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUBRIC = REPO / "rubrics" / "conv_arithmetic.yaml"
PROBLEM_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<key>[\w.\[\]]+): (?P<message>.+)$")


def test_validate_accepts_the_bundled_rubric(cnngrade):
    process = cnngrade("validate", RUBRIC)
    assert process.returncode == 0, process.stdout + process.stderr
    assert process.stdout.strip().endswith("OK (6 items, 12 points)")


def test_validate_reports_every_problem_with_file_line_and_key_path(cnngrade, tmp_path):
    text = RUBRIC.read_text(encoding="utf-8")
    # The checks path is relative to the rubric: point it back at the real checks.py.
    text = text.replace("checks: ../assignments/", f"checks: {REPO}/assignments/")
    text = text.replace("    points: 3\n", "    points: -3\n", 1)
    text = text.replace("visibility: hidden", "visibility: secret")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    lines = text.splitlines()

    process = cnngrade("validate", broken)

    assert process.returncode == 1
    *problems, total = process.stdout.splitlines()
    assert total == f"{broken}: 2 problems"
    parsed = [PROBLEM_LINE.match(line) for line in problems]
    assert all(parsed), problems
    found = {(m["key"], int(m["line"])) for m in parsed}
    assert found == {
        ("items[0].points", lines.index("    points: -3") + 1),
        ("items[5].visibility", lines.index("    visibility: secret") + 1),
    }
    assert {m["file"] for m in parsed} == {str(broken)}
    assert "expected one of" in process.stdout and '"secret"' in process.stdout


def test_grading_with_a_broken_rubric_is_a_usage_error(cnngrade, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(RUBRIC.read_text(encoding="utf-8").replace("points: 3", "points: -3"), encoding="utf-8")
    process = cnngrade("grade", REPO / "assignments" / "conv_arithmetic" / "solution.ipynb",
                       "--rubric", broken, "--out", tmp_path / "out")
    assert process.returncode == 2
    assert "the rubric has problems" in process.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [[], ["grade"], ["check"], ["validate"], ["gradescope"]],
                         ids=["cnngrade", "grade", "check", "validate", "gradescope"])
def test_help_works_on_every_command(cnngrade, command):
    process = cnngrade(*command, "--help")
    assert process.returncode == 0, process.stderr
    assert process.stdout.startswith(f"usage: cnngrade {' '.join(command)}".rstrip())
    assert process.stderr == ""


def test_without_a_command_the_help_is_shown_as_a_usage_error(cnngrade):
    process = cnngrade()
    assert process.returncode == 2
    for command in ("grade", "check", "validate", "gradescope"):
        assert command in process.stdout


def test_the_installed_console_script_runs_the_same_command_line():
    script = Path(sys.executable).parent / "cnngrade"
    if not script.exists():
        pytest.skip(f"no cnngrade script beside {sys.executable} (not installed in this environment)")
    process = subprocess.run([str(script), "validate", str(RUBRIC)], capture_output=True, text=True,
                             timeout=300)
    assert process.returncode == 0, process.stderr
    assert "OK" in process.stdout
