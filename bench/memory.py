"""Grader memory under hostile submissions: peak memory of the `cnngrade grade` process itself.

    python bench/memory.py [--jobs 2] [--per-attack] [--timeout 240]

Grades two classes with the real command line (``python -m grader grade ... --jobs N``) in a
temporary folder, as a subprocess:

- baseline: a few honest students (copies of the assignment's solution notebook);
- hostile: the same honest students plus one student per attack, whose graded functions return
  a 60 MB float64 array or a 60 MB string on every call, print 50 MB per call, raise an exception
  with a 30 MB message, allocate 3 GB, or return a list nested 100,000 deep.

``--per-attack`` also grades each attack alone with the honest students, to tell which one costs
what (or which one crashes the grader).

What is measured, polling /proc every 20 ms while the command runs:

- grader MiB: VmHWM (peak resident set) of the CLI process, the one this script started. This is
  the headline figure, and the one "ratio" compares with the baseline.
- pool MiB: the largest VmHWM of the grader's own child processes (``--jobs`` > 1 starts them with
  multiprocessing; they run the checks and decode the workers' replies). Grader code, not sandbox.
- tree MiB: the peak over time of the summed VmRSS of the CLI and every descendant, sandbox
  zygotes and workers included (shared pages are counted once per process, so this overstates).
- rusage MiB: ru_maxrss from wait4 on the CLI, i.e. the largest of the CLI and every descendant
  it or they reaped (sandbox workers included): a cross-check that no polled peak was missed.

Descendants are found through the parent pid in /proc/PID/stat; a process re-parented to init
(a worker's orphan) is not seen. Exits 0 whatever the grade runs return; their exit codes and
the tail of stderr on a crash are printed.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "assignments" / "conv_arithmetic" / "solution.ipynb"
FUNCTIONS = ("conv_output_size", "pool_output_size", "conv_param_count", "receptive_field")
HONEST = ("alice", "bob", "carol")
POLL_S = 0.02
MiB = 1 << 20

# The body of every graded function of one hostile student, by attack.
ATTACKS = {
    "array_60mb": "return np.ones(60 * 2**20 // 8)",
    "string_60mb": "return 'x' * (60 * 2**20)",
    "prints_50mb": "sys.stdout.write('x' * (50 * 2**20))\nsys.stdout.flush()\nreturn -1",
    "raises_30mb": "raise ValueError('x' * (30 * 2**20))",
    "allocates_3gb": "hog = np.ones(3 * 2**30 // 8)\nreturn int(hog[0])",
    "deep_list": "x = []\nfor _ in range(100_000):\n    x = [x]\nreturn x",
}


# -- the classes ----------------------------------------------------------------------------


def hostile_source(body: str) -> str:
    indented = "".join(f"    {line}\n" for line in body.splitlines())
    graded = "".join(f"def {name}(*args, **kwargs):\n    return _attack()\n\n" for name in FUNCTIONS)
    return f"import sys\nimport numpy as np\n\ndef _attack():\n{indented}\n{graded}"


def write_notebook(path: Path, source: str) -> None:
    """A minimal nbformat 4 notebook with one code cell."""
    cell = {"cell_type": "code", "execution_count": None, "id": "attack", "metadata": {},
            "outputs": [], "source": source.splitlines(keepends=True)}
    notebook = {"nbformat": 4, "nbformat_minor": 5, "cells": [cell],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


def make_class(folder: Path, attacks) -> Path:
    """``folder/submissions``: one notebook per student, the file name giving the student id."""
    subs = folder / "submissions"
    subs.mkdir(parents=True)
    for student in HONEST:
        shutil.copyfile(SOLUTION, subs / f"{student}.ipynb")
    for name in attacks:
        write_notebook(subs / f"mallory_{name}.ipynb", hostile_source(ATTACKS[name]))
    return subs


# -- watching a process tree ------------------------------------------------------------------


def parents() -> dict[int, int]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path("/proc", entry, "stat").read_text()
            except OSError:
                continue
            found[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, ppid in parents().items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def status_kib(pid: int) -> dict[str, int]:
    """VmHWM and VmRSS of ``pid`` in KiB (empty once it has exited)."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values


def is_grader_child(pid: int) -> bool:
    """A multiprocessing child of the grader (``--jobs``), not a sandbox process."""
    try:
        return b"multiprocessing" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def run_watched(cmd: list[str], *, log: Path, timeout_s: float) -> dict:
    """Run ``cmd``; its exit code, wall time and peaks (MiB), polled every POLL_S."""
    peak = {"grader": 0, "pool": 0, "tree": 0}
    began = time.perf_counter()
    with open(log.with_suffix(".out"), "wb") as out, open(log.with_suffix(".err"), "wb") as err:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=err)
    killed = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        own = status_kib(proc.pid)
        peak["grader"] = max(peak["grader"], own.get("VmHWM", 0))
        tree = own.get("VmRSS", 0)
        for child in descendants(proc.pid):
            mem = status_kib(child)
            tree += mem.get("VmRSS", 0)
            if is_grader_child(child):
                peak["pool"] = max(peak["pool"], mem.get("VmHWM", 0))
        peak["tree"] = max(peak["tree"], tree)
        elapsed = time.perf_counter() - began
        if not killed and elapsed > timeout_s:
            proc.send_signal(signal.SIGINT)  # as Ctrl-C: the grader stops its workers itself
            killed = True
        elif killed and elapsed > timeout_s + 30:
            proc.kill()
        time.sleep(POLL_S)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"rc": proc.returncode, "wall_s": time.perf_counter() - began, "timed_out": killed,
            "rusage": usage.ru_maxrss / 1024, **{k: v / 1024 for k, v in peak.items()}}


# -- one class ------------------------------------------------------------------------------


def grade_class(root: Path, label: str, attacks, jobs: int, timeout_s: float) -> dict:
    folder = root / label.replace(":", "_")
    subs = make_class(folder, attacks)
    out = folder / "out"
    cmd = [sys.executable, "-m", "grader", "grade", str(subs), "--assignment", "conv_arithmetic",
           "--out", str(out), "--jobs", str(jobs), "--no-progress"]
    run = run_watched(cmd, log=folder / "cli", timeout_s=timeout_s)
    run.update(label=label, students=len(HONEST) + len(attacks), graded_rows=graded_rows(out),
               out_mib=sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / MiB,
               verdicts=verdicts(out, attacks), stderr=(folder / "cli.err").read_text(errors="replace"))
    return run


def graded_rows(out: Path) -> int | None:
    try:
        with open(out / "grades.csv", newline="") as f:
            return sum(1 for _ in csv.DictReader(f))
    except OSError:
        return None


def verdicts(out: Path, attacks) -> dict[str, str]:
    """What the grader made of each hostile student: score, errored, first check message."""
    found = {}
    for name in attacks:
        try:
            result = json.loads((out / "students" / f"mallory_{name}" / "result.json").read_text())
        except (OSError, ValueError):
            found[name] = "no result.json"
            continue
        messages = [c["message"] for item in result["items"] for c in item["checks"] if c.get("message")]
        first = " ".join((messages[0] if messages else "").split())
        found[name] = (f"{result['score']:g}/{result['max_score']:g}"
                       f"{' ERRORED' if result['errored'] else ''}: {first[:110]}")
    return found


# -- report ---------------------------------------------------------------------------------


def report(runs: list[dict]) -> None:
    base = runs[0]
    print(f"\n{'class':<24} {'students':>8} {'rc':>4} {'wall s':>7} {'grader MiB':>10} {'ratio':>6} "
          f"{'pool MiB':>9} {'tree MiB':>9} {'rusage MiB':>10} {'out MiB':>8}")
    for run in runs:
        ratio = run["grader"] / base["grader"] if base["grader"] else float("nan")
        note = " TIMED OUT" if run["timed_out"] else ""
        if run["graded_rows"] != run["students"]:
            note += f" grades.csv rows: {run['graded_rows']}"
        print(f"{run['label']:<24} {run['students']:>8} {run['rc']:>4} {run['wall_s']:>7.1f} "
              f"{run['grader']:>10.0f} {ratio:>6.2f} {run['pool']:>9.0f} {run['tree']:>9.0f} "
              f"{run['rusage']:>10.0f} {run['out_mib']:>8.1f}{note}")
    print("\ngrader: VmHWM of the CLI process; ratio: grader / baseline's grader; pool: largest VmHWM of "
          "the grader's --jobs child processes;\ntree: peak summed VmRSS of the CLI and all descendants "
          "(sandbox included); rusage: wait4 ru_maxrss (CLI or any reaped descendant);\nout: size of the "
          "reports written under --out.")
    for run in runs[1:]:
        if run["verdicts"]:
            print(f"\n{run['label']}: what the grader gave each attack")
            for name, verdict in run["verdicts"].items():
                print(f"  {name:<14} {verdict}")
    for run in runs:
        if run["rc"] not in (0, 3) or "Traceback" in run["stderr"]:
            tail = "\n".join(run["stderr"].splitlines()[-30:]) or "(nothing)"
            print(f"\n{run['label']}: exit code {run['rc']}; end of stderr:\n{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="grade --jobs (default 2)")
    parser.add_argument("--per-attack", action="store_true",
                        help="also grade each attack in a class of its own with the honest students")
    parser.add_argument("--timeout", type=float, default=240, help="seconds per class before Ctrl-C")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cnngrade-memory-") as tmp:
        root = Path(tmp)
        classes = [("baseline", ()), ("hostile", tuple(ATTACKS))]
        if args.per_attack:
            classes += [(f"hostile:{name}", (name,)) for name in ATTACKS]
        runs = []
        for label, attacks in classes:
            print(f"grading {label} ({len(HONEST) + len(attacks)} students, --jobs {args.jobs}) ...",
                  flush=True)
            runs.append(grade_class(root, label, attacks, args.jobs, args.timeout))
        report(runs)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nthis script's own peak (getrusage): {own:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
