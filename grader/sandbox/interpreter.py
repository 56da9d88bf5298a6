"""The Python interpreter the workers run, and the paths it needs (its prefixes and sys.path).

Probed once per pool, in a child process with the scrubbed environment the zygote gets. Paths that
hold this repository (an editable install's source folder) are left out: the student never needs them.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
_PROBE = ("import json, sys; print(json.dumps({'prefix': sys.prefix, 'base_prefix': sys.base_prefix, "
          "'exec_prefix': sys.exec_prefix, 'base_exec_prefix': getattr(sys, 'base_exec_prefix', sys.exec_prefix), "
          "'path': [p for p in sys.path if p], 'executable': sys.executable}))")


@dataclass(frozen=True)
class Interpreter:
    """A Python interpreter and the paths it needs to run (prefixes and sys.path)."""

    executable: str
    needed: tuple[str, ...]


def probe_interpreter(python: str | None) -> Interpreter:
    executable = python or sys.executable
    try:
        out = subprocess.run([executable, "-s", "-c", _PROBE], capture_output=True,
                             text=True, timeout=60, cwd="/", env=base_env(), check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise ValueError(f"python must be a working Python interpreter; got python={executable!r} ({exc})") from exc
    info = json.loads(out)
    needed = {info[k] for k in ("prefix", "base_prefix", "exec_prefix", "base_exec_prefix")}
    needed.update(p for p in info["path"] if os.path.isdir(p))
    needed |= {os.path.realpath(p) for p in needed}
    needed = {p for p in needed if p != "/" and not _contains_repo(p)}
    return Interpreter(executable=str(executable), needed=tuple(sorted(needed)))


def _contains_repo(path: str) -> bool:
    real = os.path.realpath(path)
    repo = str(REPO_ROOT)
    return repo == real or repo.startswith(real.rstrip("/") + "/")


def base_env() -> dict[str, str]:
    """A scrubbed environment for the zygote: no HOME, no PYTHONPATH, no tokens."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "MALLOC_ARENA_MAX": "2", "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
