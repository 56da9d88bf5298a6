"""Reports: StudentResult objects rendered for students, instructors, Gradescope and CI."""
from grader.reports.batch import write_batch_reports
from grader.reports.columns import ItemColumn, item_columns
from grader.reports.feedback_html import feedback_html
from grader.reports.feedback_md import feedback_markdown
from grader.reports.github import append_step_summary, github_annotations, step_summary
from grader.reports.gradescope import gradescope_results, write_gradescope_results
from grader.reports.grades import grades_csv
from grader.reports.junit import junit_xml
from grader.reports.student import RESULT_SCHEMA, result_json, write_student_reports
from grader.reports.summary import class_summary, summary_json, summary_markdown

__all__ = [
    "RESULT_SCHEMA",
    "ItemColumn",
    "append_step_summary",
    "class_summary",
    "feedback_html",
    "feedback_markdown",
    "github_annotations",
    "gradescope_results",
    "grades_csv",
    "item_columns",
    "junit_xml",
    "result_json",
    "step_summary",
    "summary_json",
    "summary_markdown",
    "write_batch_reports",
    "write_gradescope_results",
    "write_student_reports",
]
