"""A student's function that changes its caller's arrays in place is told so, by name.

The worker compares every array argument (and the arrays one level inside a list, tuple or dict
argument) before and after the call; a check fails that call unless it lists the argument as
``mutable``. In-process trusted code (``TrustedCode``) reports the same way.
"""
from collections import namedtuple

import numpy as np
import pytest

from grader.checks import TrustedCode, cases, check, run_checks
from grader.checks.registry import CheckSuite
from grader.sandbox import Limits, Sandbox

FAST = Limits(call_timeout_s=2.0, load_timeout_s=3.0, cpu_s=20, memory_mb=768)
Chunk = namedtuple("Chunk", "origin source cell")
SOURCE = '''
import numpy as np

def relu_backward(dout, x):
    dout[x <= 0] = 0          # the classic: changes the caller's dout
    return dout

def normalize(x, running_mean):
    running_mean *= 0.9       # in place, as torch updates running statistics
    running_mean += 0.1 * x.mean(axis=0)
    return x - running_mean, running_mean

def from_cache(dout, cache):
    x, w = cache
    w -= 1                    # inside the cache
    return dout * w

def honest(dout, x):
    return np.where(x > 0, dout, 0.0)
'''


def body_for(function, **options):
    @check(f"{function}.matches", **options)
    @cases({})
    def body(student):
        x = np.array([[-1.0, 2.0], [3.0, -4.0]])
        if function == "normalize":
            student.normalize(x, np.zeros(2))
        elif function == "from_cache":
            student.from_cache(np.ones(2), (x, np.ones(2)))
        else:
            student.__getattr__(function)(np.ones_like(x), x)

    return body.__cnngrade_check__


def outcome(code, function, **options):
    suite = CheckSuite([body_for(function, **options)])
    return run_checks(suite, code, seed=0)[f"{function}.matches"]


@pytest.fixture(scope="module")
def box(pool):
    with Sandbox([Chunk("s.ipynb, cell 1", SOURCE, 1)], limits=FAST, pool=pool) as sandbox:
        yield sandbox


def test_the_worker_names_the_arguments_a_call_changed_in_place(box):
    x = np.array([-1.0, 2.0])
    assert box.invoke("relu_backward", np.ones(2), x).mutated == ("dout",)
    assert box.invoke("from_cache", np.ones(2), (x, np.ones(2))).mutated == ("cache[1]",)
    assert box.invoke("honest", np.ones(2), x).mutated == ()


def test_a_check_fails_a_call_that_changes_its_input_and_says_how_to_fix_it(box):
    result = outcome(box, "relu_backward")
    assert result.status.value == "failed"
    assert result.message.startswith("relu_backward changed its argument dout in place.")
    assert ("Work on a copy instead: compute a new array (new = dout * m, not dout *= m "
            "or dout[i] = v), or copy it first (dout = dout.copy()).") in result.message
    from_cache = outcome(box, "from_cache").message
    assert from_cache.startswith("from_cache changed its argument cache[1] in place.")
    assert "(x = cache[1].copy())" in from_cache
    assert outcome(box, "honest").status.value == "passed"


def test_arguments_a_check_declares_mutable_may_change(box):
    assert outcome(box, "normalize").status.value == "failed"
    assert outcome(box, "normalize", mutable=["running_mean"]).status.value == "passed"


def test_trusted_code_reports_changed_arguments_the_same_way():
    namespace = {}
    exec(SOURCE, namespace)
    code = TrustedCode({k: namespace[k] for k in ("relu_backward", "normalize", "honest")})
    assert outcome(code, "relu_backward").message.startswith("relu_backward changed its argument dout in place.")
    assert outcome(code, "normalize", mutable=["running_mean"]).status.value == "passed"
    assert outcome(code, "honest").status.value == "passed"
