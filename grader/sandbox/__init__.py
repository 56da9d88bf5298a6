"""Runs student code in isolated worker processes; only plain data comes back.

    with Sandbox(submission.chunks, limits=Limits(call_timeout_s=2)) as box:
        box.call("conv_output_size", 32, 3, stride=2)
"""
from grader.sandbox.banned import BannedUse, find_banned
from grader.sandbox.errors import (BadReturnValue, BannedAPIUsed, LostObject, MissingFunction, SandboxError,
                                   StudentCrash, StrayThread, StudentError, StudentException, StudentTimeout)
from grader.sandbox.limits import Limits
from grader.sandbox.pool import Pool, default_pool
from grader.sandbox.sandbox import Budget, CallResult, LoadReport, Sandbox
from grader.sandbox.wire import Handle

__all__ = [
    "BadReturnValue",
    "BannedAPIUsed",
    "BannedUse",
    "Budget",
    "CallResult",
    "Handle",
    "Limits",
    "LoadReport",
    "LostObject",
    "MissingFunction",
    "Pool",
    "Sandbox",
    "SandboxError",
    "StrayThread",
    "StudentCrash",
    "StudentError",
    "StudentException",
    "StudentTimeout",
    "default_pool",
    "find_banned",
]
