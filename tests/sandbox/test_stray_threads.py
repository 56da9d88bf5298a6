"""Code that returns but leaves a thread or process running is told so, and its score does not
depend on the machine's load (defect 8 of the hostile-submissions issue)."""
import pytest

from grader.sandbox import Limits, Sandbox, StrayThread

BACKENDS = ["fallback_pool", "bubblewrap_pool"]
FAST = Limits(call_timeout_s=2.0, load_timeout_s=3.0)
BUSY = '''
import threading
def spin():
    while True:
        pass
def area(w, h):
    threading.Thread(target=spin, daemon=True).start()
    return w * h
def honest(w, h):
    t = threading.Thread(target=lambda: None)
    t.start()
    t.join()
    return w * h
'''


@pytest.fixture(params=BACKENDS)
def any_pool(request):
    return request.getfixturevalue(request.param)


def test_a_busy_thread_left_behind_is_reported_as_the_cause_every_time(any_pool):
    with Sandbox([("a.py", BUSY)], limits=FAST, pool=any_pool) as box:
        for _ in range(3):  # the same verdict each time: the worker is fresh after each
            with pytest.raises(StrayThread, match="area left 1 thread running after it finished"):
                box.call("area", 2, 3)
        assert box.call("honest", 2, 3) == 6  # a joined thread is fine; and no busy thread slows it


def test_a_cell_that_leaves_a_thread_running_is_a_problem_of_that_cell(any_pool):
    cells = [("nb.ipynb, cell 1", BUSY), ("nb.ipynb, cell 2", "area(1, 1)\n"),
             ("nb.ipynb, cell 3", "def later():\n    return 5\n")]
    with Sandbox(cells, limits=FAST, pool=any_pool) as box:
        problems = box.start().problems
        assert [(p.kind, p.cell) for p in problems] == [("stray_thread", 2)]
        assert box.call("later") == 5 and box.call("honest", 1, 2) == 2


def test_torch_and_numpy_work_leaves_no_false_stray(any_pool):
    source = ("import numpy as np, torch\ndef f():\n    x = torch.randn(2, 3, 16, 16)\n"
              "    y = torch.nn.functional.conv2d(x, torch.randn(4, 3, 3, 3)).sum()\n"
              "    return float(y) + float(np.linalg.svd(np.ones((40, 40)))[1][0])\n")
    with Sandbox([("a.py", source)], limits=FAST, pool=any_pool) as box:
        for _ in range(3):
            assert isinstance(box.call("f"), float)


def test_torch_stays_single_threaded_whatever_the_student_asks(pool):
    source = ("import torch\n"
              "def parallel_sum():\n"
              "    torch.set_num_threads(4)\n"
              "    torch.set_num_interop_threads(4)\n"
              "    x = torch.ones(512, 512)\n"
              "    return float((x @ x).sum()), torch.get_num_threads()\n")
    with Sandbox([("t.py", source)], limits=Limits(call_timeout_s=20), pool=pool) as box:
        assert box.call("parallel_sum") == (512.0 ** 3, 1)  # no idle pool threads left to blame
        assert box.call("parallel_sum") == (512.0 ** 3, 1)
