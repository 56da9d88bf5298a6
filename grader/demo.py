"""`make demo`: grade the bundled sample class of conv_arithmetic and print the class summary.

The class (assignments/conv_arithmetic/samples) holds correct notebooks written in different
styles, notebooks with classic mistakes, broken notebooks and hostile ones. Reports go to
``demo-out/`` (override with the first argument).
"""
import sys
from pathlib import Path

from grader.cli import main as cli_main
from grader.pipeline import REPO_ROOT


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else Path("demo-out")
    samples = REPO_ROOT / "assignments" / "conv_arithmetic" / "samples"
    code = cli_main(["grade", str(samples), "--assignment", "conv_arithmetic",
                     "--out", str(out), "--jobs", "2"])
    print(f"Per-student feedback: {out}/students/<id>/feedback.html; class: {out}/summary.md")
    return code


if __name__ == "__main__":
    sys.exit(main())
