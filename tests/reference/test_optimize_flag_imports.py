"""Every module of ``reference`` and ``grader`` imports under ``python -OO``, which strips
docstrings: code that reads or edits a ``__doc__`` at import time fails there."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Walks the package in the -OO interpreter and imports each module there; prints the ones
# that fail. `__main__` modules run the command line when imported, so they are left out.
IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
failed = {}
for module in pkgutil.walk_packages(package.__path__, package.__name__ + ".", onerror=lambda name: None):
    if module.name.rsplit(".", 1)[-1] == "__main__":
        continue
    try:
        importlib.import_module(module.name)
    except Exception as error:
        failed[module.name] = f"{type(error).__name__}: {error}"
print(json.dumps({"optimize": sys.flags.optimize, "failed": failed}))
"""


@pytest.mark.parametrize("package", ["reference", "grader"])
def test_every_module_imports_with_docstrings_stripped(package):
    run = subprocess.run([sys.executable, "-OO", "-c", IMPORT_EVERY_MODULE, package],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert (report["optimize"], report["failed"]) == (2, {})

