"""The class's files: grades.csv, junit.xml, summary.md and summary.json."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from grader.reports.columns import item_columns
from grader.reports.grades import grades_csv
from grader.reports.junit import junit_xml
from grader.checks.figure import bars
from grader.reports.figures import figure_png
from grader.reports.student import remove_stale_figures, write_bytes, write_text
from grader.reports.summary import class_summary, measure_file_name, summary_json, summary_markdown
from grader.result import StudentResult
from grader.rubric import Rubric


def write_batch_reports(results: Iterable[StudentResult], rubric: Rubric | Iterable[tuple[str, str, float]],
                        out_dir: str | Path, *, include_timings: bool = False) -> dict[str, Path]:
    """Write the batch files into ``out_dir``; equal inputs give byte-identical files. A measure
    the checks recorded (a test accuracy) gets its distribution as ``summary-figures/<name>.png``."""
    results = list(results)
    columns = item_columns(rubric)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = class_summary(results, columns)
    texts = {
        "grades.csv": grades_csv(results, columns),
        "junit.xml": junit_xml(results, include_timings=include_timings),
        "summary.md": summary_markdown(summary),
        "summary.json": summary_json(summary),
    }
    written = {name: write_text(out_dir / name, text) for name, text in texts.items()}
    pictures = {f"summary-figures/{measure_file_name(m['name'])}": m for m in summary.get("measures", ())}
    for relative, m in sorted(pictures.items()):
        figure = bars(f"{m['name']} over the class ({m['students']} students)", [b["range"] for b in m["histogram"]],
                      [b["count"] for b in m["histogram"]], x_label=m["name"], y_label="students")
        written[relative] = write_bytes(out_dir / relative, figure_png(figure))
    remove_stale_figures(out_dir, pictures, folders=("summary-figures",))
    return written
