"""What can go wrong when the grader calls a student's function.

``StudentError`` and its subclasses are the student's fault and cost points. ``SandboxError``
is the harness's own fault (the pool could not start, ...): never scored as a zero.
"""
from __future__ import annotations


class SandboxError(RuntimeError):
    """The sandbox itself failed; a person must look (check50's 'errored')."""


class StudentError(Exception):
    kind = "error"

    def __init__(self, message: str, *, traceback: str = "", stdout: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.traceback = traceback  # names the student's cell and line; student-controlled text
        self.stdout = stdout  # what the student printed meanwhile; escape before showing


class StudentException(StudentError):
    kind = "exception"


class StudentTimeout(StudentError):
    kind = "timeout"


class StudentCrash(StudentError):
    kind = "crash"


class BadReturnValue(StudentError):
    kind = "bad_return"


class BannedAPIUsed(StudentError):
    kind = "banned_api"


class MissingFunction(StudentError):
    kind = "missing_function"


class StrayThread(StudentError):
    """The code returned but left threads or processes running (they would make its later calls,
    and so its score, depend on the machine's load)."""

    kind = "stray_thread"


class MutatedInput(StudentError):
    """The function returned, but changed arrays its caller passed in (in place): the caller's
    later use of them (another layer, the backward pass) would see different values. Raised by
    the grader from the worker's report, never sent by the worker as a kind of its own."""

    kind = "mutated_input"


class LostObject(StudentError):
    """A call was given an object kept in the worker (a ``Handle``: a trained model, a forward
    cache) that is gone: the worker that held it was replaced after the submission's code timed
    out or crashed. Raised by the grader, never sent by the worker."""

    kind = "lost_object"


ERRORS_BY_KIND = {cls.kind: cls for cls in (StudentException, StudentTimeout, StudentCrash,
                                            BadReturnValue, BannedAPIUsed, MissingFunction, StrayThread)}
