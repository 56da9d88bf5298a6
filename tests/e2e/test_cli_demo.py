"""`python -m grader.demo OUT` (what `make demo` runs) grades the sample class and prints its summary.

The session's ``graded_class`` fixture is that very run.
"""


def test_the_demo_exits_cleanly(graded_class):
    assert graded_class.process.returncode == 0, graded_class.process.stderr


def test_the_demo_prints_the_class_summary_it_wrote(graded_class):
    stdout = graded_class.process.stdout
    summary = graded_class.read_bytes("summary.md").decode("utf-8")
    assert summary.startswith("# Class summary")
    assert summary in stdout
    assert f"{len(graded_class.results)} submissions" in stdout
    assert f"Per-student feedback: {graded_class.out}/students/<id>/feedback.html" in stdout
