"""What the zygote imports for every worker is the assignment's choice (rubric ``preload``).

A NumPy assignment's pool starts without torch (about 1.5 s saved per pool, and a self-check that
does not pay for it); a student who imports torch anyway gets it in their own worker, seeded as
a preloaded torch would be, and a banned torch API stays banned when torch arrives that late.
"""
from collections import namedtuple

import pytest

from grader.sandbox import BannedAPIUsed, Limits, Pool, Sandbox

LIMITS = Limits(call_timeout_s=20.0, load_timeout_s=30.0, cpu_s=60, memory_mb=1536)
Chunk = namedtuple("Chunk", "origin source cell")
SOURCE = '''
import sys

def torch_loaded():
    return "torch" in sys.modules

def draw():
    import torch
    return torch.rand(3).tolist()

def convolve():
    import torch
    return torch.nn.functional.conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2)).sum().item()
'''


@pytest.fixture(scope="module")
def numpy_pool():
    with Pool(preload=()) as pool:
        yield pool


def test_a_pool_without_preload_starts_its_workers_without_torch(numpy_pool):
    with Sandbox([Chunk("s.py", SOURCE, None)], limits=LIMITS, pool=numpy_pool) as box:
        assert box.call("torch_loaded") is False
    assert numpy_pool.versions["torch"] is None


def test_a_student_who_imports_torch_gets_it_seeded_as_if_preloaded(numpy_pool, pool):
    with Sandbox([Chunk("s.py", SOURCE, None)], limits=LIMITS, pool=numpy_pool, seed=5) as late, \
         Sandbox([Chunk("s.py", SOURCE, None)], limits=LIMITS, pool=pool, seed=5) as early:
        assert late.call("draw") == early.call("draw")
        assert late.call("draw") == late.call("draw")  # every call starts from the same state


def test_a_banned_torch_api_is_banned_even_when_torch_is_imported_by_the_student(numpy_pool):
    chunks = [Chunk("s.py", SOURCE, None)]
    with Sandbox(chunks, limits=LIMITS, pool=numpy_pool, banned_apis=("torch.nn.functional.conv2d",)) as box:
        with pytest.raises(BannedAPIUsed, match="torch.nn.functional.conv2d is not allowed"):
            box.call("convolve")
