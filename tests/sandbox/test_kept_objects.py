"""Values that are not plain data stay in the worker: the grader holds a Handle to them and can
pass it to later calls (a trained model to an evaluation, a forward cache to its backward pass).
The grader's own harness runs in the worker in a namespace of its own."""
from collections import namedtuple

import numpy as np
import pytest

from grader.sandbox import (BadReturnValue, Handle, Limits, LostObject, SandboxError, Sandbox, StudentTimeout)

LIMITS = Limits(call_timeout_s=5.0, load_timeout_s=30.0, cpu_s=60, memory_mb=1536)
Chunk = namedtuple("Chunk", "origin source cell")
SOURCE = '''
import numpy as np

class Scaler:
    def __init__(self, factor):
        self.factor = factor
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return np.asarray(x) * self.factor

def build(factor):
    return Scaler(factor)

def forward(x):
    return x * 2, (x, Scaler(3))        # out, and a cache holding an object

def backward(dout, cache):
    x, scaler = cache
    return scaler(dout) + x

def apply(model, x):
    return model(x)

def calls(model):
    return model.calls

def hang(model):
    while True:
        pass

def harness_names():
    return sorted(k for k in globals() if k.startswith("evaluate"))
'''
HARNESS = [("<cnngrade harness>", '''
import numpy as np

def evaluate(model, images):
    """The grader's code: called on the student's kept model, returns plain logits."""
    return np.stack([model(image) for image in images])
''')]


@pytest.fixture(params=["bubblewrap_pool", "fallback_pool"])
def box(request):
    pool = request.getfixturevalue(request.param)
    with Sandbox([Chunk("ana.ipynb, cell 1", SOURCE, 1)], limits=LIMITS, pool=pool, harness=HARNESS) as box:
        yield box


def test_an_object_that_is_not_plain_data_comes_back_as_a_handle_and_can_be_passed_back(box):
    model = box.run("build", (2.0,), keep="auto").value
    assert isinstance(model, Handle) and model.type == "Scaler"
    assert box.call("apply", model, [1.0, 2.0]).tolist() == [2.0, 4.0]
    assert box.call("apply", model, [3.0]).tolist() == [6.0]
    assert box.call("calls", model) == 2  # the same object, kept between calls


def test_only_the_parts_that_are_not_plain_data_are_kept(box):
    out, (x, scaler) = box.run("forward", (np.ones(2),), keep="auto").value
    assert out.tolist() == [2.0, 2.0] and x.tolist() == [1.0, 1.0] and isinstance(scaler, Handle)
    cache = box.run("forward", (np.ones(2),), keep="all").value
    assert isinstance(cache, Handle) and cache.type == "tuple"
    out, cache = box.run("forward", (np.ones(2),), keep="auto").value
    assert box.call("backward", np.ones(2), cache).tolist() == [4.0, 4.0]  # a cache with a handle inside


def test_without_keep_a_value_that_is_not_plain_data_is_refused_as_before(box):
    with pytest.raises(BadReturnValue, match="build returned a .*Scaler"):
        box.call("build", 2.0)


def test_the_harness_runs_in_the_worker_on_a_kept_object_in_a_namespace_of_its_own(box):
    model = box.run("build", (3.0,), keep="auto").value
    logits = box.run("evaluate", (model, np.ones((2, 2))), namespace="harness").value
    assert logits.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert box.call("harness_names") == []  # the student's code does not see the harness


def test_a_handle_of_a_replaced_worker_is_lost_not_silently_another_object(box):
    model = box.run("build", (2.0,), keep="auto").value
    with pytest.raises(StudentTimeout):
        box.run("hang", (model,), timeout_s=0.5)
    with pytest.raises(LostObject, match="is gone: the worker that held it was replaced"):
        box.call("apply", model, [1.0])
    fresh = box.run("build", (5.0,), keep="auto").value  # the harness is there in the new worker too
    assert box.run("evaluate", (fresh, [[1.0]]), namespace="harness").value.tolist() == [[5.0]]


def test_a_released_handle_cannot_be_used_again(box):
    model = box.run("build", (2.0,), keep="auto").value
    box.release(model)
    with pytest.raises(LostObject, match="was released"):
        box.call("apply", model, [1.0])


def test_a_harness_that_fails_to_load_is_the_graders_error_not_the_students(pool):
    broken = [("<cnngrade harness>", "raise RuntimeError('bug in the harness')\n")]
    with pytest.raises(SandboxError, match="harness <cnngrade harness> failed to load"):
        with Sandbox([Chunk("ana.ipynb, cell 1", SOURCE, 1)], limits=LIMITS, pool=pool, harness=broken):
            pass
    with pytest.raises(ValueError, match="must start with '<cnngrade'"):
        Sandbox([], harness=[("evil.py", "")])


def test_a_worker_cannot_hand_the_grader_a_handle_it_did_not_ask_for(pool):
    # a reply's {"h": ...} node is only accepted from a call that asked to keep values
    source = "def f():\n    return 1\n"
    with Sandbox([Chunk("a.py", source, None)], limits=LIMITS, pool=pool) as box:
        assert box.call("f") == 1
    from grader.sandbox import wire
    with pytest.raises(wire.WireError, match="unknown tag 'h'"):
        wire.from_doc({"h": [1, "Model"]}, [])
