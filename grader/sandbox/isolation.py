"""How the zygote is started: inside bubblewrap where it works, else directly (the fallback).

Either way each worker then isolates itself further (see ``worker.py``): private mounts and
network where permitted, its own uid when we are root, resource limits. What this module
decides is the outer layer and which paths the student may see.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MODES = ("auto", "bubblewrap", "fallback")
ENV_OVERRIDE = "CNNGRADE_SANDBOX"  # set to "fallback" or "bubblewrap" to choose for "auto"
WORKER_DIR = Path(__file__).resolve().parent
INNER_WORKER_DIR = "/opt/cnngrade-sandbox"  # where bubblewrap shows worker.py and wire.py
REPO_ROOT = WORKER_DIR.parents[1]
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
              "/etc/alternatives", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group")
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
                             text=True, timeout=60, cwd="/", env=_base_env(), check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise ValueError(f"python must be a working Python interpreter; got python={executable!r} ({exc})") from exc
    info = json.loads(out)
    needed = {info[k] for k in ("prefix", "base_prefix", "exec_prefix", "base_exec_prefix")}
    needed.update(p for p in info["path"] if os.path.isdir(p) and not _contains_repo(p))
    needed |= {os.path.realpath(p) for p in needed}
    return Interpreter(executable=str(executable), needed=tuple(sorted(needed)))


def _contains_repo(path: str) -> bool:
    real = os.path.realpath(path)
    repo = str(REPO_ROOT)
    return repo == real or repo.startswith(real.rstrip("/") + "/")


def default_hidden_paths() -> tuple[str, ...]:
    """Paths a student must not see: this repository (reference, rubrics, checks) and $HOME."""
    paths = {str(REPO_ROOT), os.path.expanduser("~")}
    return tuple(sorted(p for p in paths if p not in ("/", "") and os.path.exists(p)))


def bubblewrap_works() -> bool:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    try:
        return subprocess.run([bwrap, "--ro-bind", "/", "/", "--tmpfs", "/tmp", "--perms", "0755", "--dir", "/tmp/x",
                               "--unshare-net", "--unshare-pid", "true"],
                              capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def choose_mode(isolation: str) -> str:
    if isolation not in MODES:
        raise ValueError(f"isolation must be one of {MODES}; got isolation={isolation!r}")
    if isolation == "auto":
        isolation = os.environ.get(ENV_OVERRIDE, "auto")
        if isolation not in MODES:
            raise ValueError(f"${ENV_OVERRIDE} must be one of {MODES}; got {isolation!r}")
    if isolation == "auto":
        return "bubblewrap" if bubblewrap_works() else "fallback"
    if isolation == "bubblewrap" and not bubblewrap_works():
        raise ValueError("isolation='bubblewrap' was asked for, but bwrap is missing or does not work here")
    return isolation


def zygote_command(mode: str, interpreter: Interpreter, control_fd: int) -> list[str]:
    if mode == "fallback":
        return [interpreter.executable, "-s", "-B", str(WORKER_DIR / "worker.py"), "--zygote", str(control_fd)]
    cmd = [shutil.which("bwrap") or "bwrap"]
    for path in _SYSTEM_DIRS:
        if os.path.islink(path):
            cmd += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            cmd += ["--ro-bind", path, path]
    for path in _ETC_FILES:
        if os.path.exists(path):
            cmd += ["--ro-bind", path, path]
    # /tmp first: a venv or checkout that lives under /tmp (CI clones often do) is bound on top
    # of the fresh tmpfs below, not hidden by it.
    cmd += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--dir", "/var/tmp"]
    ancestors = {str(p) for path in interpreter.needed + (INNER_WORKER_DIR,) for p in Path(path).parents}
    for path in sorted(ancestors - {"/"} - set(_SYSTEM_DIRS), key=len):
        cmd += ["--perms", "0755", "--dir", path]  # bwrap would make them 0700: closed to the worker's uid
    for path in interpreter.needed:
        cmd += ["--ro-bind-try", path, path]
    for name in ("worker.py", "wire.py"):
        cmd += ["--ro-bind", str(WORKER_DIR / name), f"{INNER_WORKER_DIR}/{name}"]
    cmd += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--chdir", "/tmp", "--remount-ro", "/",
            interpreter.executable, "-s", "-B", f"{INNER_WORKER_DIR}/worker.py", "--zygote", str(control_fd)]
    return cmd


def _base_env() -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "MALLOC_ARENA_MAX": "2", "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def zygote_env() -> dict[str, str]:
    """A scrubbed environment: no HOME, no PYTHONPATH, no tokens."""
    return _base_env()
