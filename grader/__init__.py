"""cnngrade's grader: notebook → submission → sandboxed run → checks → score → reports.

The public surface is small: ``check`` (a student's self-check inside Jupyter) and the
``cnngrade`` command line (``grader.cli``). ``grader.pipeline`` declares the steps.
"""
__all__ = ["check"]


def check(function=None, **kwargs):
    """Run the visible checks of one graded function from inside a notebook and show them."""
    from grader.selfcheck import check as _check

    return _check(function, **kwargs)
