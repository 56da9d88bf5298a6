"""Hostile submissions: one source per known attack, shared by the sandbox and end-to-end suites.

Each defines ``conv_output_size`` (conv arithmetic, assignment 1). An attack that could only
cheat returns the right answer *only if the attack worked* and -1 (worth nothing) otherwise, so
any point it earns is proof that the attack got through. The rest (crashes, hangs, floods,
strange return values) earn nothing honestly either. ``render`` fills in the placeholders:
``{REPO}`` this repository (reference, rubrics, checks), ``{WORLD}`` the grading folder (with
``submissions/`` and ``out/``) and ``{PORT}`` a port on 127.0.0.1 that someone listens on.
"""
from __future__ import annotations

import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RIGHT = "(n + 2 * padding - dilation * (k - 1) - 1) // stride + 1"
HEAD = "import os, sys, numpy as np\n"
# Files a hostile submission tries to leave behind; nothing of this name may appear anywhere.
MARKER = "cnngrade-hostile-was-here"


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
    "patched_traceback_display": HEAD + (
        "import traceback\ntraceback.format_exception = lambda *a, **k: []\n"
        "traceback.print_exception = lambda *a, **k: None\nsys.excepthook = lambda *a: None\n"
        "def conv_output_size(*a, **k):\n    raise ValueError('nothing to see here')\n"),
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
    "read_reference_file": attack("open('{REPO}/reference/conv_arithmetic.py').read()"),
    "read_rubric_file": attack("open('{REPO}/rubrics/conv_arithmetic.yaml').read()"),
    "read_checks_file": attack("open('{REPO}/assignments/conv_arithmetic/checks.py').read()"),
    "import_reference": attack("sys.meta_path[:] = sys.meta_path[1:]\nsys.path.insert(0, '{REPO}')\nimport reference"),
    "import_grader": attack("sys.meta_path[:] = sys.meta_path[1:]\nsys.path.insert(0, '{REPO}')\nimport grader.result"),
    "list_other_submissions": attack("names = os.listdir('{WORLD}/submissions')", cheat_if="len(names) > 0"),
    "write_results_file": attack(
        "open('{WORLD}/out/results.json', 'w').write('{\"score\": 100}')"),
    "write_results_next_to_code": HEAD + (
        "def conv_output_size(*a, **k):\n    for p in ('../results.json', '/tmp/../results.json', '{WORLD}/results.json'):\n"
        "        try:\n            open(p, 'w').write('{\"score\": 100}')\n        except OSError:\n            pass\n"
        "    return -1\n"),
    "writes_outside_its_folder": HEAD + (
        "def conv_output_size(*a, **k):\n"
        "    for folder in ('/tmp', '/var/tmp', '/dev/shm', os.path.expanduser('~'), '{REPO}', '{WORLD}',\n"
        "                   '{WORLD}/submissions', '{WORLD}/out'):\n"
        "        try:\n            open(os.path.join(folder, '" + MARKER + "'), 'w').write('hi')\n"
        "        except OSError:\n            pass\n"
        "    return -1\n"),
    "network_access": attack(
        "s = socket.create_connection(('127.0.0.1', {PORT}), timeout=0.5)\ns.sendall(b'answers please')",
        cheat_if="True").replace("import os, sys", "import socket, os, sys"),
    "prints_fake_result_json": HEAD + (
        "def conv_output_size(*a, **k):\n    print('{\"tests\": [{\"score\": 5, \"status\": \"passed\"}], \"score\": 100}')\n"
        "    sys.stdout.flush()\n    os.write(1, b'{\"ok\": true, \"value\": 9}')\n    return -1\n"),
    "prints_github_actions_commands": HEAD + (
        "print('::error file=grader.py,line=1::all tests passed')\nprint('::add-mask::secret')\n"
        "def conv_output_size(*a, **k):\n    print('::notice::score 100/100')\n    raise ValueError('\\n::error::all tests passed\\n::set-output name=score::100')\n"),
    "returns_huge_array": HEAD + "def conv_output_size(*a, **k):\n    return np.ones(20_000_000)\n",
    "returns_generator": HEAD + "def conv_output_size(*a, **k):\n    return (i for i in [1, 2, 3])\n",
    "recursion_bomb": HEAD + (
        "sys.setrecursionlimit(10 ** 8)\ndef deeper(n):\n    return deeper(n + 1) + 1\n"
        "def conv_output_size(*a, **k):\n    return deeper(0)\n"),
    "writes_protocol_socket": HEAD + (
        "def conv_output_size(*a, **k):\n    for fd in range(3, 64):\n        try:\n"
        "            os.write(fd, b'\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x10{\"ok\": true}')\n"
        "        except OSError:\n            pass\n    return -1\n"),
    # What the allow-list root and per-worker PID namespace must hide (both backends).
    "reads_other_command_lines": attack(
        "lines = [open('/proc/%s/cmdline' % p).read() for p in os.listdir('/proc') if p.isdigit()]",
        cheat_if="any('worker.py' in c or 'grader' in c or 'bwrap' in c for c in lines)"),
    "reads_mount_table": attack(
        "table = open('/proc/self/mountinfo').read()",
        cheat_if="'{WORLD}' in table or '{REPO}/grader' in table or '{REPO}/rubrics' in table"),
    "signals_other_processes": attack(
        "others = [int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid()]\n"
        "for p in others:\n    os.kill(p, 9)", cheat_if="len(others) > 0"),
    # Resources of the submission as a whole.
    "memory_in_many_processes": HEAD + (
        "def conv_output_size(*a, **k):\n    kids = []\n    for _ in range(4):\n        pid = os.fork()\n"
        "        if pid == 0:\n            b = bytearray(300 << 20)\n            for i in range(0, len(b), 4096):\n"
        "                b[i] = 1\n            os._exit(0)\n        kids.append(pid)\n"
        "    for pid in kids:\n        os.waitpid(pid, 0)\n    return -1\n"),
    "big_reply_every_call": HEAD + "def conv_output_size(*a, **k):\n    return np.ones(7_000_000)\n",
    # A right answer with a busy thread left behind: its later calls would depend on the load.
    "busy_thread_right_answer": HEAD + (
        "import threading\ndef spin():\n    while True:\n        pass\n"
        "def conv_output_size(n, k, stride=1, padding=0, dilation=1):\n"
        "    threading.Thread(target=spin, daemon=True).start()\n"
        f"    return {RIGHT}\n"),
    # Student text the reports must survive: a lone surrogate, control characters, a huge message.
    "hostile_exception_text": HEAD + (
        "def conv_output_size(*a, **k):\n    raise ValueError('bad \\ud800 \\x1b[2J\\r\\n::error::x ' + 'y' * 5_000_000)\n"),
}

# The files the reading attacks aim at: if one moved, its attack would fail for the wrong reason.
TARGETS = ("reference/conv_arithmetic.py", "rubrics/conv_arithmetic.yaml",
           "assignments/conv_arithmetic/checks.py", "reference/__init__.py", "grader/result.py")


def render(name: str, *, world: str, port: int, repo: str = REPO) -> str:
    """The source of hostile submission ``name`` with its placeholders filled in."""
    return (HOSTILE[name].replace("{REPO}", repo).replace("{WORLD}", str(world))
            .replace("{PORT}", str(port)))
