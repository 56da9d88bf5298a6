"""What a student sees of the grader's installation, asked from inside a sandbox.

Shared by the editable-install tests (in the test process) and the regular-install tests, which
run this file as a program under the interpreter of a venv they built:

    VENV/bin/python install_probe.py ISOLATION CHECKOUT   # prints one JSON report

Run that way, ``grader`` is imported from that venv's site-packages, never from the checkout.
"""
from __future__ import annotations

import glob
import json
import os
import sys
import sysconfig

# Third-party packages a student may use; sklearn and scipy where they are installed.
THIRD_PARTY = ("yaml", "sklearn", "scipy")
GRADER_NAMES = ("grader", "reference", "cnngrade")

STUDENT = r'''
import gc, importlib, importlib.metadata, importlib.util, os, subprocess, sys

def imports(names):
    found = {}
    for name in names:
        try:
            module = importlib.import_module(name)
            found[name] = "imported from %s" % getattr(module, "__file__", None)
        except BaseException as exc:
            found[name] = "refused: %s: %s" % (type(exc).__name__, exc)
    return found

def _finders_left():
    """Anything left in the process that would map grader names to files: a setuptools
    editable finder module, or its finder class kept alive elsewhere."""
    modules = [m for m in list(sys.modules.values()) if isinstance(getattr(m, "MAPPING", None), dict)]
    classes = [o for o in gc.get_objects() if isinstance(o, type) and o.__name__ == "_EditableFinder"]
    return modules, classes

def routes(name):
    """Every in-process way to get at ``name``; each says 'refused' or what it got."""
    def statement():
        exec("import %s" % name, {})
    def found_spec():
        spec = importlib.util.find_spec(name)
        if spec is None:
            raise ImportError("no spec")
        return spec.origin or list(spec.submodule_search_locations or ())
    def left_finder():
        modules, classes = _finders_left()
        mapped = dict(kv for m in modules for kv in m.MAPPING.items())
        if name in mapped:
            return "a finder left in sys.modules maps it to %s" % mapped[name]
        if not classes:
            raise ImportError("none left")
        saved = list(sys.meta_path)  # without the blocker, with every finder found
        sys.meta_path[:] = [f for f in saved if type(f).__name__ != "_ImportBlocker"] + classes
        try:
            return getattr(importlib.import_module(name), "__file__", "a namespace package")
        finally:
            sys.meta_path[:] = saved
    attempts = {"import statement": statement,
                "importlib.import_module": lambda: importlib.import_module(name),
                "__import__": lambda: __import__(name),
                "importlib.util.find_spec": found_spec,
                "an editable finder left in the process": left_finder}
    outcome = {}
    for route, attempt in attempts.items():
        try:
            outcome[route] = "got %r" % (attempt(),)
        except BaseException as exc:
            outcome[route] = "refused: %s: %s" % (type(exc).__name__, exc)
    return outcome

def child(name):
    """What a fresh interpreter the student starts (no import blocker in it) makes of ``import name``."""
    try:
        done = subprocess.run([sys.executable, "-c", "import %s; print(%s.__file__)" % (name, name)],
                              capture_output=True, text=True, timeout=60)
    except OSError as exc:
        return "could not start %s: %s" % (sys.executable, type(exc).__name__)
    if done.returncode == 0:
        return "imported from %s" % done.stdout.strip()
    return "refused: " + (done.stderr.strip().splitlines() or ["exit %d" % done.returncode])[-1]

def look(path):
    """What the student can read at ``path``: 'refused: ...', or what came."""
    try:
        if os.path.isdir(path):
            return "listed %r" % sorted(os.listdir(path))
        with open(path, "rb") as f:
            return "read %r" % f.read(300).decode(errors="replace")
    except OSError as exc:
        return "refused: %s" % type(exc).__name__

def metadata(project):
    """What importlib.metadata tells of ``project`` (an editable install's names its checkout)."""
    try:
        dist = importlib.metadata.distribution(project)
        texts = [dist.read_text(n) for n in ("METADATA", "RECORD", "direct_url.json")]
    except BaseException as exc:
        return "refused: %s" % type(exc).__name__
    return "read %r" % [t for t in texts if t] if any(texts) else "refused: empty"
'''


def private_files(site_dirs) -> list[str]:
    """The install's own metadata and an editable install's finder files in ``site_dirs``."""
    patterns = ("cnngrade-*.dist-info", "__editable__.cnngrade-*.pth", "__editable___cnngrade_*_finder.py",
                "__pycache__/__editable___cnngrade_*")
    return sorted({p for d in site_dirs for pattern in patterns for p in glob.glob(os.path.join(d, pattern))})


def secrets(checkout: str | None) -> dict[str, list[str]]:
    """Paths a student must not read, for the grader this process imports: its package folders
    and files in them, its metadata, and the checkout an editable install points to."""
    import grader
    import reference
    packages = [os.path.dirname(os.path.realpath(m.__file__)) for m in (grader, reference)]
    files = [os.path.join(p, "__init__.py") for p in packages] + [os.path.join(packages[0], "sandbox", "worker.py")]
    site_dirs = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")} | {p for p in sys.path if os.path.isdir(p)}
    found = {"package folders": packages, "package files": files, "install files": private_files(site_dirs)}
    if checkout:
        found["checkout files"] = [os.path.join(checkout, n) for n in ("pyproject.toml", "README.md", "rubrics")]
    return found


def look_around(pool, paths: dict[str, list[str]]) -> dict:
    """Everything the tests ask, in one worker of ``pool``."""
    from grader.sandbox import Limits, Sandbox

    limits = Limits(call_timeout_s=60.0, load_timeout_s=20.0, cpu_s=60, memory_mb=1024)
    with Sandbox([("probe.py", STUDENT)], limits=limits, pool=pool) as box:
        return {
            "isolation": box.isolation,
            "third party": box.call("imports", list(THIRD_PARTY)),
            "third party in a child": {n: box.call("child", n) for n in THIRD_PARTY[:1]},
            "grader names": {n: box.call("routes", n) for n in GRADER_NAMES},
            "grader names in a child": {n: box.call("child", n) for n in GRADER_NAMES},
            "metadata": box.call("metadata", "cnngrade"),
            "paths": {kind: {p: box.call("look", p) for p in ps} for kind, ps in paths.items()},
        }


def main(isolation: str, checkout: str) -> dict:
    import grader
    from grader.sandbox import Pool

    report = {"grader imported from": grader.__file__, "site-packages": sysconfig.get_paths()["purelib"]}
    try:
        with Pool(isolation=isolation) as pool:
            report.update(look_around(pool, secrets(checkout)))
    except Exception as exc:  # the test says what went wrong, with the report so far
        report["error"] = "%s: %s" % (type(exc).__name__, exc)
    return report


if __name__ == "__main__":
    sys.path.remove(os.path.dirname(os.path.abspath(__file__)))  # nothing of the checkout on the path
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
