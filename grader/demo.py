"""`make demo`: grade the bundled sample class of every assignment and print each class summary.

Each class (``assignments/<name>/samples``, graded with ``rubrics/<name>.yaml``) holds correct
notebooks written in different styles, notebooks with classic mistakes, and broken and hostile
ones. Reports go to ``demo-out/<name>/`` (the folder is the first argument; names after it grade
only those assignments)::

    python -m grader.demo [OUT [NAME ...]]
"""
import sys
import time
from pathlib import Path

from grader.cli import main as cli_main
from grader.pipeline import REPO_ROOT


def sample_classes() -> list[str]:
    """The assignments that ship a sample class and a rubric, in name order."""
    return sorted(p.parent.name for p in (REPO_ROOT / "assignments").glob("*/samples")
                  if (REPO_ROOT / "rubrics" / f"{p.parent.name}.yaml").is_file())


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else Path("demo-out")
    names = argv[1:] or sample_classes()
    unknown = sorted(set(names) - set(sample_classes()))
    if unknown:
        print(f"no sample class for {', '.join(unknown)}; known: {', '.join(sample_classes())}", file=sys.stderr)
        return 2
    worst = 0
    for name in names:
        samples = REPO_ROOT / "assignments" / name / "samples"
        began = time.perf_counter()
        code = cli_main(["grade", str(samples), "--assignment", name, "--out", str(out / name), "--jobs", "2"])
        seconds = time.perf_counter() - began
        count = sum(1 for p in samples.iterdir() if p.suffix == ".ipynb" or p.is_dir())  # a folder is one student
        print(f"Per-student feedback: {out / name}/students/<id>/feedback.html; class: {out / name}/summary.md")
        print(f"Graded {count} submissions of {name} in {seconds:.1f} s ({seconds / max(count, 1):.2f} s each)\n")
        worst = max(worst, code)
    return worst


if __name__ == "__main__":
    sys.exit(main())
