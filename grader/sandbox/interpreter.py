"""The Python interpreter the workers run, the paths it needs (its prefixes and sys.path), and what
of the grader it could reach, which no worker may see.

Probed once per pool, in a child process with the scrubbed environment the zygote gets. What to
hide is derived from where the packages really are, in that interpreter and in this process: a
package inside site-packages (a regular install) is hidden alone, so that site-packages and its
third-party packages stay visible; a package anywhere else (an editable install, a checkout on
the path) is hidden with its whole checkout. The install's metadata (``cnngrade-*.dist-info``)
and an editable install's finder files are hidden wherever the interpreter's path holds them.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

PACKAGES = ("grader", "reference", "cnngrade")  # never importable by a student (worker.BLOCKED_IMPORTS too)
# File names of the install's own metadata and of setuptools' editable finder (its .pth, its module).
INSTALL_FILE = r"(?i)^(cnngrade([-_.].*)?\.(dist-info|egg-info|egg-link)|__editable__[._]+cnngrade[-_.].*)$"
_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
_SITE_NAMES = ("site-packages", "dist-packages")
# Never taken for a checkout, whatever marker file they hold.
_NOT_A_CHECKOUT = ("/", "/bin", "/dev", "/etc", "/home", "/lib", "/lib64", "/opt", "/proc", "/sbin", "/srv",
                   "/tmp", "/usr", "/usr/lib", "/usr/local", "/var")
# Runs in the probed interpreter (any Python 3 an old assignment may need) and in this process.
_PROBE = r'''
import json, os, re, sys

def where_packages(names):
    """The folders (or module files) that ``import name`` would load, without importing them."""
    import importlib.util
    found = []
    for name in names:
        module = sys.modules.get(name)
        try:
            spec = getattr(module, "__spec__", None) or importlib.util.find_spec(name)
        except Exception:
            spec = None
        if spec is not None:
            found += list(spec.submodule_search_locations or []) or ([spec.origin] if spec.origin else [])
    return [os.path.realpath(p) for p in found if os.path.exists(p)]

def site_dirs():
    try:
        import site
        dirs = list(site.getsitepackages())
    except Exception:  # an old virtualenv's site.py
        dirs = []
    return dirs + [p for p in sys.path if os.path.basename(p.rstrip("/")) in ("site-packages", "dist-packages")]

def install_files(pattern):
    found = []
    for folder in sys.path:
        for sub in (folder, os.path.join(folder, "__pycache__")):
            try:
                names = os.listdir(sub)
            except OSError:
                continue
            found += [os.path.join(sub, n) for n in names if re.match(pattern, n)]
    return found

def report(names, pattern):
    return {"prefix": sys.prefix, "base_prefix": sys.base_prefix, "exec_prefix": sys.exec_prefix,
            "base_exec_prefix": getattr(sys, "base_exec_prefix", sys.exec_prefix),
            "path": [p for p in sys.path if p], "executable": sys.executable,
            "packages": where_packages(names), "sites": site_dirs(), "files": install_files(pattern)}
'''


@dataclass(frozen=True)
class Interpreter:
    """A Python interpreter, the paths it needs to run (prefixes and sys.path), and the paths of
    the grader it could reach (``private``: hidden from every worker)."""

    executable: str
    needed: tuple[str, ...]
    private: tuple[str, ...] = ()


def probe_interpreter(python: str | None) -> Interpreter:
    executable = python or sys.executable
    call = f"{_PROBE}\nprint(json.dumps(report({PACKAGES!r}, {INSTALL_FILE!r})))"
    try:
        out = subprocess.run([executable, "-s", "-c", call], capture_output=True,
                             text=True, timeout=60, cwd="/", env=base_env(), check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise ValueError(f"python must be a working Python interpreter; got python={executable!r} ({exc})") from exc
    info = json.loads(out)
    private = _private_paths(info["packages"], info["sites"], info["files"])
    needed = {info[k] for k in ("prefix", "base_prefix", "exec_prefix", "base_exec_prefix")}
    needed.update(p for p in info["path"] if os.path.isdir(p))
    needed |= {os.path.realpath(p) for p in needed}
    needed = {p for p in needed if p != "/" and p not in private}  # a checkout on the path: hidden, not bound
    return Interpreter(executable=str(executable), needed=tuple(sorted(needed)), private=tuple(sorted(private)))


def grader_paths() -> tuple[str, ...]:
    """Where this process's own ``grader`` and ``reference`` really are (an install or a checkout,
    whichever it imported them from), and its install's metadata files: to hide from workers."""
    probe: dict = {}
    exec(compile(_PROBE, "<cnngrade probe>", "exec"), probe)  # the same code that probes an interpreter
    return tuple(sorted(_private_paths(probe["where_packages"](PACKAGES), probe["site_dirs"](),
                                       probe["install_files"](INSTALL_FILE))))


def _private_paths(packages, sites, files) -> set[str]:
    """What to hide: a package that sits in site-packages alone; any other with its checkout."""
    sites = {os.path.realpath(s) for s in sites}
    private = {os.path.realpath(f) for f in files} | {os.path.abspath(f) for f in files}
    for package in packages:
        parent = os.path.dirname(package)
        regular = parent in sites or os.path.basename(parent) in _SITE_NAMES
        private.add(package if regular else _checkout(parent))
    return {p for p in private if p not in _NOT_A_CHECKOUT}


def _checkout(folder: str) -> str:
    """The project folder above ``folder`` (the nearest with a pyproject.toml, setup.py, setup.cfg
    or .git), or ``folder`` itself when there is none below a system folder."""
    here = folder
    while here not in _NOT_A_CHECKOUT and os.path.dirname(here) != here:
        if any(os.path.exists(os.path.join(here, m)) for m in _PROJECT_MARKERS):
            return here
        here = os.path.dirname(here)
    return folder


def base_env() -> dict[str, str]:
    """A scrubbed environment for the zygote: no HOME, no PYTHONPATH, no tokens."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "MALLOC_ARENA_MAX": "2", "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
