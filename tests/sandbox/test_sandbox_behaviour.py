"""Sandbox behaviour with ordinary (not hostile) submissions."""
import os
import time
from pathlib import Path
from collections import namedtuple

import numpy as np
import pytest

import grader.sandbox as sandbox
from grader.sandbox.backends import bubblewrap_works
from grader.sandbox import (BadReturnValue, BannedAPIUsed, Limits, MissingFunction, Pool, Sandbox, StrayThread, StudentCrash,
                            StudentException, StudentTimeout)

FAST = Limits(call_timeout_s=1.0, load_timeout_s=1.5, cpu_s=20, memory_mb=768)
Chunk = namedtuple("Chunk", "origin source cell")


def test_public_names_are_exactly_the_documented_ones():
    assert sorted(sandbox.__all__) == sorted(name for name in dir(sandbox) if not name.startswith("_")
                                             and name not in {"backends", "banned", "cgroups", "errors", "gpu",
                                                              "interpreter", "limits", "pool",
                                                              "sandbox", "wire"})


def test_a_failing_chunk_is_recorded_and_loading_goes_on(pool):
    chunks = [Chunk("alice.ipynb, cell 1", "x = 1\n", 1),
              Chunk("alice.ipynb, cell 2", "\n\n1 / 0\n", 2),
              Chunk("alice.ipynb, cell 3", "def f():\n    return x\n", 3)]
    with Sandbox(chunks, limits=FAST, pool=pool) as box:
        (problem,) = box.report.problems
        assert (problem.kind, problem.file, problem.cell, problem.line) == ("exception", "alice.ipynb", 2, 3)
        assert "ZeroDivisionError" in problem.message
        assert box.call("f") == 1


def test_a_hanging_cell_times_out_alone_and_later_cells_still_load(pool):
    chunks = [("nb, cell 1", "x = 41\n"), ("nb, cell 2", "while True:\n    pass\n"),
              ("nb, cell 3", "def f():\n    return x + 1\n")]
    with Sandbox(chunks, limits=FAST, pool=pool) as box:
        assert [p.kind for p in box.report.problems] == ["timeout"]
        assert box.report.defined == ("f",)
        assert box.call("f") == 42


def test_student_exception_carries_a_traceback_naming_cell_and_line(pool):
    source = "def f(a):\n    return a[10]\n"
    with Sandbox([("bob.ipynb, cell 4", source)], limits=FAST, pool=pool) as box:
        with pytest.raises(StudentException) as info:
            box.call("f", [1, 2])
    assert 'File "bob.ipynb, cell 4", line 2' in info.value.traceback
    assert "return a[10]" in info.value.traceback
    assert "worker.py" not in info.value.traceback


@pytest.mark.parametrize("expression, expected", [
    ("np.float32(1.5)", 1.5), ("np.int64(3)", 3), ("np.bool_(True)", True), ("(1, [2.0, None], {'k': 'v'})", (1, [2.0, None], {"k": "v"})),
    ("float('nan') != float('nan')", True), ("{1: 'one', None: False}", {1: "one", None: False}),
], ids=["float32", "int64", "bool_", "nested", "nan-compare", "non-str-keys"])
def test_plain_data_comes_back_with_exact_python_types(pool, expression, expected):
    with Sandbox([("a.py", f"import numpy as np\ndef f():\n    return {expression}\n")], limits=FAST, pool=pool) as box:
        got = box.call("f")
    assert got == expected and type(got) is type(expected)


def test_arrays_and_tensors_come_back_as_plain_ndarrays(pool):
    source = ("import numpy as np, torch\ndef arr(x):\n    return x * 2\n"
              "def ten():\n    return torch.ones(2, 3, requires_grad=True) * 2\n")
    with Sandbox([("a.py", source)], limits=FAST, pool=pool) as box:
        doubled = box.call("arr", np.arange(6).reshape(2, 3))
        tensor = box.call("ten")
    assert type(doubled) is np.ndarray and doubled.tolist() == [[0, 2, 4], [6, 8, 10]]
    assert type(tensor) is np.ndarray and tensor.dtype == np.float32 and tensor.shape == (2, 3)


def test_a_foreign_object_is_refused_with_what_was_expected(pool):
    source = "class Foo:\n    pass\ndef conv_forward():\n    return Foo()\n"
    with Sandbox([("a.py", source)], limits=FAST, pool=pool) as box:
        with pytest.raises(BadReturnValue, match=r"conv_forward returned a .*Foo, expected .*NumPy array"):
            box.call("conv_forward")


def test_missing_function_is_reported_as_such(pool):
    with Sandbox([("a.py", "x = 1\n")], limits=FAST, pool=pool) as box:
        with pytest.raises(MissingFunction, match="no function conv_forward"):
            box.call("conv_forward")


def test_every_call_starts_from_the_same_random_state(pool, fallback_pool):
    source = "import random, numpy as np, torch\ndef f():\n    return [random.random(), float(np.random.rand()), float(torch.rand(1))]\n"
    draws = []
    for p in (pool, fallback_pool):
        with Sandbox([("a.py", source)], limits=FAST, pool=p) as box:
            draws += [box.call("f"), box.call("f")]
    assert all(d == draws[0] for d in draws)


def test_banned_api_is_reported_statically_and_blocked_at_run_time(pool):
    source = ("import torch\nimport torch.nn.functional as F\n\n"
              "def conv(x, w):\n    return F.conv2d(x, w)\n")
    with Sandbox([("carol.ipynb, cell 2", source)], limits=FAST, pool=pool,
                 banned_apis=["torch.nn.functional.conv2d"]) as box:
        (problem,) = box.report.problems
        assert (problem.kind, problem.cell, problem.line) == ("banned_api", 2, 5)
        with pytest.raises(BannedAPIUsed, match="torch.nn.functional.conv2d is not allowed"):
            box.call("conv", np.ones((1, 1, 3, 3), np.float32), np.ones((1, 1, 2, 2), np.float32))


def test_call_output_is_captured_per_call_not_mixed_with_the_protocol(pool):
    source = "print('loading')\ndef f(x):\n    print('called with', x)\n    return x\n"
    with Sandbox([("a.py", source)], limits=FAST, pool=pool) as box:
        assert box.report.stdout == "loading\n"
        result = box.invoke("f", 3)
    assert (result.value, result.stdout) == (3, "called with 3\n")


def test_worker_sees_a_scrubbed_environment_and_a_fresh_private_workdir(pool):
    os.environ["CNNGRADE_TEST_SECRET"] = "hunter2"
    source = "import os\ndef f():\n    return dict(os.environ), os.getcwd(), os.listdir('.'), os.getuid()\n"
    try:
        with Sandbox([("a.py", source)], limits=FAST, pool=pool) as box:
            env, cwd, listing, uid = box.call("f")
    finally:
        del os.environ["CNNGRADE_TEST_SECRET"]
    assert "CNNGRADE_TEST_SECRET" not in env and "PYTHONPATH" not in env
    assert env["PATH"] == "/usr/bin:/bin" and listing == []
    if os.geteuid() == 0:
        assert uid != 0


def test_cpu_limit_kills_a_busy_worker_and_says_so(pool):
    limits = Limits(call_timeout_s=10, load_timeout_s=2, cpu_s=1, memory_mb=768)
    with Sandbox([("a.py", "def f():\n    while True:\n        pass\n")], limits=limits, pool=pool) as box:
        with pytest.raises(StudentCrash, match="CPU time limit"):
            box.call("f")


def test_processes_left_running_die_when_the_sandbox_closes(pool):
    source = ("import subprocess, os\ndef uid():\n    return os.getuid()\n"
              "def f():\n    subprocess.Popen(['sleep', '600'], start_new_session=True)\n")
    box = Sandbox([("a.py", source)], limits=FAST, pool=pool)
    with box:
        uid = box.call("uid")
        with pytest.raises(StrayThread, match="left 1 process running after it finished"):
            box.call("f")
    if os.geteuid() != 0:
        pytest.skip("workers share our uid when we are not root")
    for _ in range(500):  # SIGKILL is sent on close; dying (freeing memory) takes a moment
        owned = [p for p in os.listdir("/proc") if p.isdigit() and _uid_of(p) == uid and _state_of(p) != "Z"]
        if not owned:
            break
        time.sleep(0.01)
    assert owned == []


def _uid_of(pid):
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def _state_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def test_isolation_names_the_active_mode(bubblewrap_pool, fallback_pool):
    for p, word in ((bubblewrap_pool, "bubblewrap"), (fallback_pool, "rlimits")):
        with Sandbox([("a.py", "x = 1\n")], limits=FAST, pool=p) as box:
            assert word in box.isolation and box.report.isolation == box.isolation
    with Sandbox([("a.py", "x = 1\n")], limits=FAST, pool=fallback_pool) as box:
        assert "bubblewrap" not in box.isolation


def test_a_timeout_then_a_fresh_worker_with_the_chunks_reloaded(pool):
    source = "state = [0]\ndef bump():\n    state[0] += 1\n    return state[0]\ndef hang():\n    while True:\n        pass\n"
    with Sandbox([("a.py", source)], limits=FAST, pool=pool) as box:
        assert box.call("bump") == 1
        with pytest.raises(StudentTimeout):
            box.call("hang")
        assert box.call("bump") == 1  # a fresh worker: module state reloaded from the chunks


def test_bad_chunk_types_are_refused_with_what_was_expected():
    with pytest.raises(TypeError, match=r"chunk 0 must be an \(origin, source\) pair"):
        Sandbox([42], pool=object())


def test_limits_refuse_non_positive_values():
    with pytest.raises(ValueError, match=r"Limits.cpu_s must be a positive number; got cpu_s=0"):
        Limits(cpu_s=0)


def test_worker_runs_under_the_interpreter_given_by_path():
    import sys
    with Pool(python=sys.executable, isolation="fallback") as other:
        with Sandbox([("a.py", "import sys\ndef f():\n    return sys.version.split()[0]\n")],
                     limits=FAST, pool=other, python=sys.executable) as box:
            assert box.call("f") == other.versions["python"]
        with pytest.raises(ValueError, match="pool runs python="):
            Sandbox([("a.py", "")], pool=other, python="/usr/bin/python3")


def test_a_reply_to_an_abandoned_request_is_not_taken_for_the_next_one():
    # Ctrl-C between sending a request to the zygote and reading its reply leaves the reply
    # queued; the next request must not read it as its own (it used to fail with KeyError 'pid').
    import json

    with Pool(isolation="fallback") as own:
        own.start()
        own._control.sendmsg([json.dumps({"op": "no-such-op", "seq": -1}).encode()])
        with Sandbox([("a.py", "def f():\n    return 41 + 1\n")], pool=own) as box:
            assert box.call("f") == 42


@pytest.mark.parametrize("isolation", [
    "fallback",
    pytest.param("bubblewrap", marks=pytest.mark.skipif(not bubblewrap_works(), reason="no working bwrap")),
])
def test_an_interpreter_whose_environment_lives_under_tmp_can_still_import_lazily(isolation, tmp_path):
    # CI clones and throwaway venvs often live under /tmp, which each worker replaces with a
    # private tmpfs: the interpreter's own files must be bound back, or lazy imports fail.
    import subprocess
    import sys
    import sysconfig

    base = sys._base_executable if hasattr(sys, "_base_executable") else sys.executable
    venv = tmp_path / "old-course-venv"
    subprocess.run([base, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)], check=True)
    purelib = sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})
    Path(purelib).mkdir(parents=True, exist_ok=True)
    (Path(purelib) / "lazily_imported_helper.py").write_text("ANSWER = 42\n")
    python = str(venv / "bin" / "python")
    with Pool(python=python, isolation=isolation) as other:
        source = "def f():\n    import lazily_imported_helper\n    return lazily_imported_helper.ANSWER\n"
        with Sandbox([("a.py", source)], limits=FAST, pool=other, python=python) as box:
            assert box.call("f") == 42


PATCH_THE_SOCKET_CLASS = '''
import os, socket

def f():
    def leave_it_unread(self, *args):
        os._exit(0)  # the worker's next read of the grader's request: the request stays unread

    socket.socket.recv = socket.socket.recv_into = socket.socket.sendall = leave_it_unread
    return 1

def g(x):
    return x
'''



def test_a_worker_that_exits_with_the_request_unread_is_reported_as_closed_not_reset():
    import socket
    import subprocess
    import sys
    from grader.sandbox import wire
    from grader.sandbox.pool import ChannelClosed, WorkerHandle

    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    out_r, out_w = os.pipe()
    os.set_blocking(out_r, False)
    never_reads = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.2)"],
                                   pass_fds=[theirs.fileno(), out_w])
    theirs.close()
    os.close(out_w)
    handle = WorkerHandle(pid=never_reads.pid, uid=None, sock=ours, output_fd=out_r, limits=FAST,
                          frames=wire.FrameBuffer(FAST.return_bytes))
    try:
        handle.send({"op": "call", "function": "f", "payload": None})
        never_reads.wait()  # it exited with our request unread: the kernel resets the connection
        with pytest.raises(ChannelClosed):
            handle.receive(time.monotonic() + 5)
    finally:
        ours.close()
        os.close(out_r)

def test_patching_the_socket_class_does_not_change_how_the_worker_talks(pool):
    with Sandbox([("patch.py", PATCH_THE_SOCKET_CLASS)], limits=FAST, pool=pool) as box:
        assert box.call("f") == 1
        assert box.call("g", 2) == 2


def test_student_text_is_cut_and_made_encodable_by_the_grader_not_by_the_worker(pool):
    source = ('import gc\n'
              'for obj in gc.get_objects():  # the worker cuts messages itself; a student can undo that\n'
              '    if type(obj).__name__ == "function" and obj.__name__ == "_safe_str":\n'
              '        obj.__code__ = (lambda exc: str(exc)).__code__\n'
              'class Loud(Exception):\n'
              '    def __str__(self):\n'
              '        return "\\ud800" + "x" * 10_000_000\n'
              'def f():\n'
              '    raise Loud()\n')
    with Sandbox([("loud.py", source)], limits=FAST, pool=pool) as box:
        with pytest.raises(StudentException) as raised:
            box.call("f")
    message = raised.value.message
    assert len(message) < 5_000 and "more characters cut" in message
    message.encode("utf-8")  # no lone surrogate left


def test_printed_output_has_one_budget_for_the_whole_submission(pool):
    limits = Limits(call_timeout_s=2.0, load_timeout_s=2.0, cpu_s=20, memory_mb=768, output_bytes=10_000)
    source = 'def f():\n    print("y" * 6_000)\n    return 1\n'
    with Sandbox([("chatty.py", source)], limits=limits, pool=pool) as box:
        printed = [box.invoke("f").stdout for _ in range(5)]
    assert sum(len(p) for p in printed) < 10_000 + 5 * 200
    assert "dropped" in printed[1]


def test_no_editable_install_finder_is_left_in_the_worker(pool):
    source = ('import sys\n'
              'def finders():\n'
              '    return [repr(f) for f in sys.meta_path + sys.path_hooks]\n')
    with Sandbox([("finders.py", source)], limits=FAST, pool=pool) as box:
        finders = box.call("finders")
    assert not [f for f in finders if "editable" in f.lower() or "cnngrade" in f.lower()]
