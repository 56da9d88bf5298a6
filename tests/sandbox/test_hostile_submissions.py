"""Hostile submissions: each runs in a batch between two honest ones.

Every test shows that the batch completes, that the hostile submission earns no more than its
honest work (here: nothing, since each returns the right answer only if its attack worked),
that the honest students' results are identical, and that the watched folder is unchanged.
"""
import os
import socket
import sys

import pytest

from hostile_harness import HONEST_A, HONEST_B, INPUTS, run_batch, snapshot

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RIGHT = "(n + 2 * padding - dilation * (k - 1) - 1) // stride + 1"
HEAD = "import os, sys, numpy as np\n"


def attack(body: str, *, cheat_if: str = "True") -> str:
    """A conv_output_size that runs ``body`` and returns the right answer only if ``cheat_if`` holds."""
    indented = "\n".join("        " + line for line in body.strip().splitlines())
    return (HEAD + "def conv_output_size(n, k, stride=1, padding=0, dilation=1):\n    try:\n"
            f"{indented}\n        if {cheat_if}:\n            return {RIGHT}\n"
            "    except BaseException:\n        pass\n    return -1\n")


HOSTILE = {
    "sys_exit_in_call": HEAD + "def conv_output_size(*a, **k):\n    sys.exit(0)\n",
    "sys_exit_at_load": HEAD + "def conv_output_size(*a, **k):\n    return -1\nsys.exit(0)\n",
    "os_exit_in_call": HEAD + "def conv_output_size(*a, **k):\n    os._exit(0)\n",
    "os_exit_at_load": HEAD + "def conv_output_size(*a, **k):\n    return -1\nos._exit(0)\n",
    "infinite_loop": HEAD + "def conv_output_size(*a, **k):\n    while True:\n        pass\n",
    "loop_catching_every_exception": HEAD + (
        "def conv_output_size(*a, **k):\n    while True:\n        try:\n            while True:\n"
        "                pass\n        except BaseException:\n            continue\n"),
    "sigterm_ignored": HEAD + (
        "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "def conv_output_size(*a, **k):\n    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n    while True:\n        pass\n"),
    "fork_bomb": HEAD + (
        "def conv_output_size(*a, **k):\n    while True:\n        try:\n            os.fork()\n"
        "        except BaseException:\n            pass\n"),
    "memory_bomb": HEAD + (
        "def conv_output_size(*a, **k):\n    hog = []\n    while True:\n        hog.append(bytearray(50 << 20))\n"),
    "output_flood": HEAD + "def conv_output_size(*a, **k):\n    while True:\n        print('x' * 10000)\n",
    "threads_left_running": HEAD + (
        "import threading\ndef spin():\n    while True:\n        print('still here', flush=True)\n"
        "threading.Thread(target=spin, daemon=False).start()\n"
        "def conv_output_size(*a, **k):\n    return -1\n"),
    "child_process_left_running": HEAD + (
        "import subprocess\nsubprocess.Popen(['sleep', '600'], start_new_session=True)\n"
        "if os.fork() == 0:\n    os.setsid()\n    while True:\n        pass\n"
        "def conv_output_size(*a, **k):\n    return -1\n"),
    "monkeypatch_numpy": HEAD + (
        "np.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
        "def conv_output_size(*a, **k):\n    return -1\n"),
    "monkeypatch_torch": HEAD + (
        "import torch\ntorch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True\n"
        "def conv_output_size(*a, **k):\n    return torch.tensor(-1)\n"),
    "monkeypatch_builtins": HEAD + (
        "import builtins, math\nbuiltins.isinstance = lambda *a: True\nbuiltins.type = lambda *a: int\n"
        "math.isclose = lambda *a, **k: True\nbuiltins.int = float\n"
        "def conv_output_size(*a, **k):\n    return -1\n"),
    "eq_always_true": HEAD + (
        "class Liar:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
        "def conv_output_size(*a, **k):\n    return Liar()\n"),
    "int_subclass_eq_always_true": HEAD + (
        "class Int(int):\n    def __eq__(self, other):\n        return True\n    __hash__ = int.__hash__\n"
        "def conv_output_size(*a, **k):\n    return Int(-1)\n"),
    "float_subclass_eq_always_true": HEAD + (
        "class Float(float):\n    def __eq__(self, other):\n        return True\n"
        "def conv_output_size(*a, **k):\n    return Float(-1)\n"),
    "ndarray_subclass_eq_always_true": HEAD + (
        "class Arr(np.ndarray):\n    def __eq__(self, other):\n        return True\n"
        "def conv_output_size(*a, **k):\n    return np.zeros(1).view(Arr)\n"),
    "array_interface_trick": HEAD + (
        "class Fake:\n    def __array__(self, *a, **k):\n        return np.array(99)\n    def __eq__(self, o):\n        return True\n"
        "    def __index__(self):\n        return 99\n"
        "def conv_output_size(*a, **k):\n    return Fake()\n"),
    "read_reference_file": attack("open('{REPO}/reference/conv.py').read()"),
    "read_rubric_file": attack("open('{REPO}/rubrics/conv_arithmetic.yaml').read()"),
    "import_reference": attack("sys.meta_path[:] = sys.meta_path[1:]\nsys.path.insert(0, '{REPO}')\nimport reference"),
    "import_grader": attack("sys.meta_path[:] = sys.meta_path[1:]\nsys.path.insert(0, '{REPO}')\nimport grader.result"),
    "list_other_submissions": attack("names = os.listdir('{WORLD}/submissions')", cheat_if="len(names) > 0"),
    "write_results_file": attack(
        "open('{WORLD}/out/results.json', 'w').write('{\"score\": 100}')"),
    "write_results_next_to_code": HEAD + (
        "def conv_output_size(*a, **k):\n    for p in ('../results.json', '/tmp/../results.json', '{WORLD}/results.json'):\n"
        "        try:\n            open(p, 'w').write('{\"score\": 100}')\n        except OSError:\n            pass\n"
        "    return -1\n"),
    "network_access": attack(
        "s = socket.create_connection(('127.0.0.1', {PORT}), timeout=0.5)\ns.sendall(b'answers please')",
        cheat_if="True").replace("import os, sys", "import socket, os, sys"),
    "prints_fake_result_json": HEAD + (
        "def conv_output_size(*a, **k):\n    print('{\"tests\": [{\"score\": 5, \"status\": \"passed\"}], \"score\": 100}')\n"
        "    sys.stdout.flush()\n    os.write(1, b'{\"ok\": true, \"value\": 9}')\n    return -1\n"),
    "prints_github_actions_commands": HEAD + (
        "print('::error file=grader.py,line=1::all tests passed')\nprint('::add-mask::secret')\n"
        "def conv_output_size(*a, **k):\n    print('::notice::score 100/100')\n    return -1\n"),
    "returns_huge_array": HEAD + "def conv_output_size(*a, **k):\n    return np.ones(20_000_000)\n",
    "returns_generator": HEAD + "def conv_output_size(*a, **k):\n    return (i for i in [1, 2, 3])\n",
    "recursion_bomb": HEAD + (
        "sys.setrecursionlimit(10 ** 8)\ndef deeper(n):\n    return deeper(n + 1) + 1\n"
        "def conv_output_size(*a, **k):\n    return deeper(0)\n"),
    "writes_protocol_socket": HEAD + (
        "def conv_output_size(*a, **k):\n    for fd in range(3, 64):\n        try:\n"
        "            os.write(fd, b'\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x10{\"ok\": true}')\n"
        "        except OSError:\n            pass\n    return -1\n"),
}


@pytest.fixture
def world(tmp_path):
    """A grading folder: other students' submissions and the grader's output, watched for writes."""
    (tmp_path / "submissions").mkdir()
    (tmp_path / "submissions" / "bob.py").write_text(HONEST_A)
    (tmp_path / "submissions" / "carol.py").write_text(HONEST_B)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "results.json").write_text('{"score": 0}')
    return tmp_path


@pytest.fixture
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def run_hostile(name, pool, world, listener):
    source = (HOSTILE[name].replace("{REPO}", REPO).replace("{WORLD}", str(world))
              .replace("{PORT}", str(listener.getsockname()[1])))
    before = snapshot(str(world))
    result = run_batch({"honest_a": HONEST_A, "hostile": source, "honest_b": HONEST_B}, pool)
    assert snapshot(str(world)) == before
    assert not os.path.exists(os.path.join(REPO, "results.json"))
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody connected
    assert result.scores["hostile"] == 0, result.values["hostile"]
    assert result.scores["honest_a"] == result.scores["honest_b"] == len(INPUTS)
    assert result.values["honest_a"] == result.values["honest_b"]
    return result


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_submission_earns_nothing_and_harms_no_one(name, pool, world, listener):
    run_hostile(name, pool, world, listener)


FALLBACK_SAMPLE = ["read_reference_file", "import_grader", "list_other_submissions", "write_results_file",
                   "network_access", "fork_bomb", "os_exit_in_call", "infinite_loop"]


@pytest.mark.parametrize("name", FALLBACK_SAMPLE)
def test_hostile_submission_is_contained_without_bubblewrap(name, fallback_pool, world, listener):
    result = run_hostile(name, fallback_pool, world, listener)
    assert "bubblewrap" not in result.isolation["hostile"]


def test_printed_commands_and_fake_results_come_back_as_text_only(pool, world, listener):
    result = run_hostile("prints_github_actions_commands", pool, world, listener)
    assert "::error file=grader.py,line=1::all tests passed" in result.stdout["hostile"]
    result = run_hostile("prints_fake_result_json", pool, world, listener)
    assert '"score": 100' in result.stdout["hostile"]


def test_output_flood_is_cut_at_the_output_limit(pool, world, listener):
    result = run_hostile("output_flood", pool, world, listener)
    assert "more bytes of output dropped" in result.stdout["hostile"]
    assert len(result.stdout["hostile"]) < 20 * 25_000


def test_hang_costs_a_timeout_and_the_next_call_gets_a_fresh_worker(pool, world, listener):
    result = run_hostile("infinite_loop", pool, world, listener)
    assert result.values["hostile"] == ["timeout"] * len(INPUTS)
    result = run_hostile("os_exit_in_call", pool, world, listener)
    assert result.values["hostile"] == ["crash"] * len(INPUTS)


def test_subclass_returns_come_back_as_their_exact_base_type(pool, world, listener):
    for name, value in [("int_subclass_eq_always_true", -1), ("float_subclass_eq_always_true", -1.0)]:
        result = run_hostile(name, pool, world, listener)
        assert all(type(v) is type(value) and v == value for v in result.values["hostile"])
    result = run_hostile("eq_always_true", pool, world, listener)
    assert result.values["hostile"] == ["bad_return"] * len(INPUTS)
