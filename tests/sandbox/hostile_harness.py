"""A tiny grading loop for the hostile suite: sandboxes in, one point per exactly-right call out.

Deliberately small: tests/e2e/test_hostile_batch.py runs the same hostile sources
(tests/hostile_sources.py) through the real pipeline. Comparison happens here, in the grader's
process, with exact types, so nothing the student patches in its own interpreter matters.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from grader.sandbox import Limits, Pool, Sandbox, StudentError

HONEST_A = '''
def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):
    return (n_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
'''
HONEST_B = '''
import math

def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    return int(math.floor((n_in + 2 * padding - span) / stride)) + 1
'''
INPUTS = [((32, 3), {}), ((32, 3), {"stride": 2}), ((7, 3), {"padding": 1}),
          ((28, 5), {"stride": 2, "padding": 2}), ((10, 3), {"dilation": 2})]
LIMITS = Limits(call_timeout_s=1.0, load_timeout_s=2.0, cpu_s=20, memory_mb=768, processes=32,
                output_bytes=20_000)


def expected(n_in, kernel_size, stride=1, padding=0, dilation=1):
    return (n_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


@dataclass
class BatchResult:
    scores: dict = field(default_factory=dict)  # student -> points
    values: dict = field(default_factory=dict)  # student -> list of returned values or error kinds
    stdout: dict = field(default_factory=dict)  # student -> everything it printed
    isolation: dict = field(default_factory=dict)


def run_batch(submissions: dict[str, str], pool: Pool, limits: Limits = LIMITS) -> BatchResult:
    result = BatchResult()
    for student, source in submissions.items():
        points, values, printed = 0, [], []
        with Sandbox([(f"{student}.py", source)], limits=limits, pool=pool) as box:
            printed.append(box.report.stdout)
            for args, kwargs in INPUTS:
                try:
                    call = box.invoke("conv_output_size", *args, **kwargs)
                except StudentError as exc:
                    values.append(exc.kind)
                    printed.append(exc.stdout)
                    continue
                values.append(call.value)
                printed.append(call.stdout)
                want = expected(*args, **kwargs)
                if type(call.value) is int and call.value == want:
                    points += 1
            result.isolation[student] = box.isolation
        result.scores[student], result.values[student] = points, values
        result.stdout[student] = "".join(printed)
    return result


def snapshot(root: str) -> dict[str, tuple]:
    """Every path under root with its type, size and content hash."""
    seen = {}
    for folder, dirs, files in os.walk(root):
        seen[folder] = ("dir",)
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                seen[path] = ("file", hashlib.sha256(f.read()).hexdigest())
    return seen
