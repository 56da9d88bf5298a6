"""The worker's view follows where the grader is installed, not where a checkout would be (defect
10 of issue 8). With an editable install (the dev set-up, `make install`) and a regular one (built
here into a venv of its own), in both backends, a student imports the installed third-party
packages, while the grader's packages, its install's metadata, an editable install's finder and
the checkout can neither be read nor imported, by any route.
"""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import grader
from grader.sandbox.backends import bubblewrap_works

from install_probe import GRADER_NAMES, STUDENT, THIRD_PARTY, look_around, secrets

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BACKENDS = ["fallback", "bubblewrap"]
EDITABLE = not Path(grader.__file__).resolve().is_relative_to(Path(sysconfig.get_paths()["purelib"]).resolve())
NOT_EDITABLE = "the grader is not installed editable here (make install does that)"


def cannot_run(reason):
    """Skip, except in CI (.ci/run sets CI=true), which must cover both install kinds."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must test both install kinds, but {reason}")
    pytest.skip(reason)


def installed(name):
    return importlib.util.find_spec(name) is not None


def assert_student_view(report, *, site_packages):
    """A student's view of the grader's installation, from ``install_probe.look_around``: every
    way it is wrong, listed."""
    assert "error" not in report, report["error"]
    wrong = []
    third = report["third party"]
    if not third["yaml"].startswith("imported from " + site_packages):
        wrong.append(f"import yaml: {third['yaml']}")
    wrong += [f"import {n}: {third[n]}" for n in THIRD_PARTY[1:] if installed(n) and "imported" not in third[n]]
    child = report["third party in a child"]["yaml"]
    if not child.startswith("imported from " + site_packages):
        wrong.append(f"a child interpreter: import yaml: {child}")
    wrong += [f"{route} {name}: {outcome}" for name, routes in report["grader names"].items()
              for route, outcome in routes.items() if not outcome.startswith("refused")]
    wrong += [f"a child interpreter: import {name}: {outcome}"
              for name, outcome in report["grader names in a child"].items() if not outcome.startswith("refused")]
    if not report["metadata"].startswith("refused"):
        wrong.append(f"importlib.metadata: {report['metadata'][:300]}")
    wrong += [f"{kind}: {path}: {outcome[:200]}" for kind, looks in report["paths"].items()
              for path, outcome in looks.items() if not out_of_sight(path, outcome)]
    assert not wrong, "\n".join(wrong)


def out_of_sight(path, outcome):
    """Nothing of the real file or folder: refused, empty, or the sandbox's own stub in a hidden
    package folder, which refuses to be imported."""
    if outcome.startswith("refused") or outcome in ("listed []", "read ''"):
        return True
    if os.path.basename(path) in GRADER_NAMES:
        return outcome == "listed ['__init__.py']"
    package = os.path.basename(os.path.dirname(path))
    stub = "raise ImportError(%r)\n" % f"{package} cannot be imported inside the sandbox"
    return package in GRADER_NAMES and outcome == "read %r" % stub


def pool_fixture(request, isolation):
    return request.getfixturevalue(f"{isolation}_pool")


@pytest.mark.parametrize("isolation", BACKENDS)
def test_with_an_editable_install_a_student_imports_installed_packages_but_never_the_grader(request, isolation):
    if not EDITABLE:
        cannot_run(NOT_EDITABLE)
    report = look_around(pool_fixture(request, isolation), secrets(str(REPO)))
    assert_student_view(report, site_packages=sysconfig.get_paths()["purelib"])
    assert any("__editable__" in p for p in report["paths"]["install files"])  # the finder was looked at


@pytest.fixture(scope="module")
def regular_install(tmp_path_factory):
    """A venv with the grader installed the regular way (a wheel built from this checkout, not
    editable) and a third-party package (PyYAML) beside it in its own site-packages; NumPy, torch
    and the rest come from the dev venv through a .pth file, so nothing big is installed again."""
    for tool in ("pip", "setuptools", "yaml"):
        if not installed(tool):
            cannot_run(f"{tool} is not installed in {sys.prefix}: cannot build a regular install offline")
    root = tmp_path_factory.mktemp("regular-install")
    root.chmod(0o755)  # the worker runs as a uid of its own: the venv must be world-readable
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for package in ("grader", "reference"):
        shutil.copytree(REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    venv = root / "venv"
    run = lambda *cmd: subprocess.run(cmd, capture_output=True, text=True, timeout=300)  # noqa: E731
    done = run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    assert done.returncode == 0, done.stderr
    python = str(venv / "bin" / "python")
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    wheels = root / "wheels"
    built = run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                "-w", str(wheels), str(source))
    if built.returncode != 0:
        cannot_run(f"pip could not build the grader's wheel offline: {built.stderr.strip()[-500:]}")
    wheel = next(wheels.glob("cnngrade-*.whl"))
    # --target: the dev venv's own (editable) install is never touched by this one
    done = run(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", site, str(wheel))
    assert done.returncode == 0, done.stderr
    import yaml
    yaml_dir = Path(yaml.__file__).parent
    shutil.copytree(yaml_dir, Path(site) / "yaml", ignore=shutil.ignore_patterns("__pycache__"))
    for info in yaml_dir.parent.glob("[Pp]y[Yy][Aa][Mm][Ll]-*.dist-info"):
        shutil.copytree(info, Path(site) / info.name)
    dev_sites = sorted({sysconfig.get_paths()[k] for k in ("purelib", "platlib")})
    (Path(site) / "deps-from-the-dev-venv.pth").write_text("\n".join(dev_sites) + "\n")
    return python, site


@pytest.mark.parametrize("isolation", BACKENDS)
def test_with_a_regular_install_a_student_imports_installed_packages_but_never_the_grader(regular_install, isolation):
    if isolation == "bubblewrap" and (shutil.which("bwrap") is None or not bubblewrap_works()):
        pytest.skip("bubblewrap (bwrap) is not available here")
    python, site = regular_install
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CNNGRADE_SANDBOX")}
    done = subprocess.run([python, str(HERE / "install_probe.py"), isolation, str(REPO)], capture_output=True,
                          text=True, timeout=300, cwd="/", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["grader imported from"].startswith(site + "/grader/"), report["grader imported from"]
    assert_student_view(report, site_packages=site)
    assert set(report["grader names"]) == set(GRADER_NAMES)


def test_the_import_blocker_alone_refuses_an_editable_install_on_every_route():
    """Where the hidden mounts are not in force (here: no sandbox at all), the worker's import
    blocker still refuses every grader name however it is asked for."""
    if not EDITABLE:
        cannot_run(NOT_EDITABLE)
    program = (
        "import json, sys\n"
        "worker = {'__name__': 'cnngrade_worker'}\n"
        f"exec(compile(open({str(REPO / 'grader' / 'sandbox' / 'worker.py')!r}).read(), 'worker.py', 'exec'), worker)\n"
        "worker['_block_imports']([], [])\n"
        "probe = {}\n"
        f"exec({STUDENT!r}, probe)\n"
        f"print(json.dumps({{n: probe['routes'](n) for n in {list(GRADER_NAMES)!r}}}))\n")
    done = subprocess.run([sys.executable, "-s", "-B", "-c", program], capture_output=True, text=True, timeout=120,
                          cwd="/", env={"PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    for name, routes in json.loads(done.stdout).items():
        for route, outcome in routes.items():
            assert outcome.startswith("refused"), f"{route} {name}: {outcome}"
