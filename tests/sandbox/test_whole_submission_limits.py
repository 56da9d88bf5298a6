"""Limits hold for the submission as a whole, not per process or per call (defect 6 of the
hostile-submissions issue): its cgroup bounds the memory of all its processes together, one
wall-clock budget covers every cell, call and restart, and its replies are capped in total."""
import os

import pytest

from grader.sandbox import BadReturnValue, Budget, Limits, Pool, Sandbox, StudentCrash, StudentTimeout
from grader.sandbox.cgroups import CgroupTree

BACKENDS = ["fallback_pool", "bubblewrap_pool"]


@pytest.fixture(params=BACKENDS)
def any_pool(request):
    return request.getfixturevalue(request.param)


def _needs_cgroups():
    probe = CgroupTree()
    can, _ = probe.available, probe.close()
    if not can:
        pytest.skip("this process cannot make cgroups (not root, or no delegated cgroup tree)")


CHILDREN_HOLD_MEMORY = '''
import os, time
def hold(children, mb):
    held = 0
    pipes = []
    for _ in range(children):
        r, w = os.pipe()
        if os.fork() == 0:
            block = bytearray(mb << 20)
            for i in range(0, len(block), 4096):
                block[i] = 1
            os.write(w, b"x")
            time.sleep(30)
            os._exit(0)
        os.close(w)
        pipes.append(r)
    deadline = time.monotonic() + 8
    for r in pipes:
        while time.monotonic() < deadline:
            import select
            if select.select([r], [], [], 0.1)[0]:
                held += os.read(r, 1) == b"x"
                break
    for pid in children_of_mine():
        os.kill(pid, 9)
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return held


def children_of_mine():
    me = str(os.getpid())
    found = []
    for p in os.listdir("/proc"):
        if p.isdigit() and p != me:
            found.append(int(p))
    return found
'''


def test_memory_is_limited_for_all_the_processes_of_a_submission_together(any_pool):
    _needs_cgroups()
    limits = Limits(call_timeout_s=15, cpu_s=30, memory_mb=700)
    with Sandbox([("a.py", CHILDREN_HOLD_MEMORY)], limits=limits, pool=any_pool) as box:
        assert "cgroup" in box.isolation
        try:
            held = box.call("hold", 4, 300)  # 1.2 GB in four processes, each under the per-process limit
        except StudentCrash as exc:
            assert "memory limit of 700 MB" in exc.message
        else:
            assert held <= 2


def test_a_submission_cgroup_caps_processes_and_gives_every_submission_the_same_cpu_weight(any_pool):
    _needs_cgroups()
    limits = Limits(call_timeout_s=5, processes=48)
    with Budget(limits) as budget:
        with Sandbox([("a.py", "import os\ndef pid():\n    return os.getpid()\n")], limits=limits, pool=any_pool,
                     budget=budget) as box:
            box.call("pid")
            settings = {}
            for d in budget.cgroup.dirs:
                for name in ("pids.max", "cpu.shares", "cpu.weight", "memory.limit_in_bytes", "memory.max"):
                    if (d / name).exists():
                        settings[name] = (d / name).read_text().strip()
                procs = (d / "cgroup.procs").read_text().split()
                assert procs, f"no process of the submission in {d}"
        dirs = list(budget.cgroup.dirs)
    assert settings["pids.max"] == "48"
    assert settings.get("cpu.shares", settings.get("cpu.weight")) in ("1024", "100")
    assert int(settings.get("memory.limit_in_bytes", settings.get("memory.max"))) == limits.memory_mb << 20
    assert not any(d.exists() for d in dirs)  # removed with the submission


def test_one_time_budget_covers_every_cell_and_restart_of_a_submission(any_pool):
    limits = Limits(call_timeout_s=1.0, load_timeout_s=1.0, submission_timeout_s=2.5)
    cells = [(f"nb.ipynb, cell {i}", "import time\ntime.sleep(0.9)\n") for i in range(1, 7)]
    with Sandbox(cells + [("nb.ipynb, cell 7", "def f():\n    return 1\n")], limits=limits, pool=any_pool) as box:
        report = box.start()
        budget_problems = [p for p in report.problems if "time budget of 2.5 s" in p.message]
        assert budget_problems, [p.message for p in report.problems]
        with pytest.raises(StudentTimeout, match="used up its time budget of 2.5 s"):
            box.call("f")


@pytest.mark.parametrize("cell, says", [(None, "loading all its files"), (1, "loading all its cells")])
def test_the_budget_message_speaks_of_files_for_a_py_and_of_cells_for_a_notebook(any_pool, cell, says):
    from grader.submission.model import CodeChunk
    limits = Limits(call_timeout_s=2.0, submission_timeout_s=1.0)
    chunk = CodeChunk("a.py" if cell is None else "a.ipynb, cell 1", "def hang():\n    while True:\n        pass\n",
                      cell, ("hang",))
    with Sandbox([chunk], limits=limits, pool=any_pool) as box:
        with pytest.raises(StudentTimeout, match=says):
            box.call("hang")


def test_the_budget_is_shared_by_all_the_sandboxes_of_a_submission(any_pool):
    limits = Limits(call_timeout_s=2.0, submission_timeout_s=1.5)
    hang = "def hang():\n    while True:\n        pass\n"
    with Budget(limits) as budget:
        with Sandbox([("a.py", hang)], limits=limits, pool=any_pool, budget=budget) as visible, \
                Sandbox([("a.py", hang)], limits=limits, pool=any_pool, budget=budget) as hidden:
            with pytest.raises(StudentTimeout, match="time budget"):
                visible.call("hang")
            with pytest.raises(StudentTimeout, match="time budget"):
                hidden.call("hang")


def test_replies_are_capped_for_the_whole_submission(any_pool):
    limits = Limits(return_bytes=4 << 20, reply_bytes_total=7 << 20)
    source = "import numpy as np\ndef big():\n    return np.ones(3 << 17)\n"  # 3 MiB of float64
    with Sandbox([("a.py", source)], limits=limits, pool=any_pool) as box:
        assert box.call("big").nbytes == 3 << 20
        assert box.call("big").nbytes == 3 << 20
        with pytest.raises(BadReturnValue, match="replies add up to more than 7340032 bytes in all"):
            box.call("big")


def test_after_a_fork_bomb_fills_the_process_limit_the_next_call_still_gets_a_fresh_worker(any_pool):
    # The killed bomb's processes linger as zombies until reaped, and zombies count against
    # pids.max: the next worker must wait for them, never fail as the grader's own error.
    source = ("import os\ndef bomb():\n    while True:\n        try:\n            os.fork()\n"
              "        except OSError:\n            pass\ndef ok():\n    return 7\n")
    limits = Limits(call_timeout_s=1.0, processes=32)
    with Sandbox([("a.py", source)], limits=limits, pool=any_pool) as box:
        for _ in range(4):
            with pytest.raises((StudentTimeout, StudentCrash)):
                box.call("bomb")
            assert box.call("ok") == 7


def test_a_second_sandbox_of_a_submission_starts_right_after_its_fork_bomb_was_killed(any_pool):
    source = ("import os\ndef bomb():\n    while True:\n        try:\n            os.fork()\n"
              "        except OSError:\n            pass\ndef ok():\n    return 7\n")
    limits = Limits(call_timeout_s=1.0, processes=32)
    for _ in range(3):
        with Budget(limits) as budget:
            with Sandbox([("a.py", source)], limits=limits, pool=any_pool, budget=budget) as visible:
                with pytest.raises((StudentTimeout, StudentCrash)):
                    visible.call("bomb")
                with Sandbox([("a.py", source)], limits=limits, pool=any_pool, budget=budget) as hidden:
                    assert hidden.call("ok") == 7


@pytest.mark.parametrize("isolation", ["fallback", "bubblewrap"])
def test_the_first_worker_of_a_pool_not_yet_started_is_in_its_submissions_cgroup(isolation, request):
    request.getfixturevalue(f"{isolation}_pool")  # skips where this backend cannot run
    _needs_cgroups()
    fresh = Pool(isolation=isolation)  # as the default pool, or each --jobs process's, before first use
    try:
        with Sandbox([("a.py", "x = 1\n")], limits=Limits(), pool=fresh) as box:
            assert "cgroup" in box.isolation
    finally:
        fresh.close()


def test_reaching_the_memory_limit_without_a_kill_is_not_reported_as_out_of_memory(tmp_path):
    # The kernel counts every time a cgroup hits its limit (memory.failcnt) even when it then
    # reclaims page cache and the submission goes on; only an oom_kill count is a kill.
    from grader.sandbox.cgroups import SubmissionCgroup
    group = tmp_path / "s1"
    group.mkdir()
    (group / "memory.failcnt").write_text("17\n")
    (group / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 0\n")
    assert not SubmissionCgroup(1, [group]).out_of_memory()
    (group / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n")
    assert SubmissionCgroup(1, [group]).out_of_memory()
