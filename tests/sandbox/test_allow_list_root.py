"""Each worker sees an allow-list (the interpreter and its libraries), its own PID namespace and
no command line that names the grader, in both backends (defect 4 of the hostile-submissions issue)."""
import os

import pytest

from grader.sandbox import Limits, Pool, Sandbox
from grader.sandbox.backends import BOOT

FAST = Limits(call_timeout_s=3.0, load_timeout_s=5.0, cpu_s=20, memory_mb=768)
BACKENDS = ["fallback_pool", "bubblewrap_pool"]
LOOK = '''
import os
def pids():
    return sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
def cmdlines():
    return [open("/proc/%s/cmdline" % p, "rb").read().decode(errors="replace")
            for p in os.listdir("/proc") if p.isdigit()]
def text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError as exc:
        return "refused: %s" % type(exc).__name__
def top():
    return sorted(os.listdir("/"))
'''


@pytest.fixture(params=BACKENDS)
def any_pool(request):
    return request.getfixturevalue(request.param)


def test_a_worker_sees_only_its_own_processes(any_pool):
    with Sandbox([("a.py", LOOK)], limits=FAST, pool=any_pool) as one, \
            Sandbox([("b.py", LOOK)], limits=FAST, pool=any_pool) as two:
        assert one.call("pids") == [1]
        assert two.call("pids") == [1]  # not the other submission's worker, not the zygote


def test_no_command_line_names_the_grader_or_its_files(any_pool):
    with Sandbox([("a.py", LOOK)], limits=FAST, pool=any_pool) as box:
        lines = box.call("cmdlines")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert lines and all("worker.py" not in line and "grader" not in line for line in lines)
    assert all(BOOT.split(";")[0] in line for line in lines)
    assert not any(repo + "/grader" in line or repo + "/tests" in line for line in lines)


def test_files_outside_the_allow_list_do_not_exist_for_the_student(any_pool, tmp_path_factory):
    # A world-readable answer key in a folder nobody told the pool to hide: an allow-list
    # shows it anyway not, where a deny-list would.
    secret_dir = tmp_path_factory.mktemp("course-notes")
    os.chmod(secret_dir, 0o755)
    for parent in list(secret_dir.parents)[:3]:
        if os.stat(parent).st_uid == os.geteuid():
            os.chmod(parent, 0o755)
    key = secret_dir / "answer_key.txt"
    key.write_text("conv_output_size = 42\n")
    key.chmod(0o644)
    with Sandbox([("a.py", LOOK)], limits=FAST, pool=any_pool) as box:
        assert box.call("text", str(key)).startswith("refused: FileNotFoundError")
        assert "work" not in box.call("top") or box.call("text", "/work/main/README.md").startswith("refused")
        mountinfo = box.call("text", "/proc/self/mountinfo")
    assert str(secret_dir) not in mountinfo
    assert "/grader" not in mountinfo and "rubrics" not in mountinfo


def test_the_fallback_builds_the_same_allow_list_root_without_bubblewrap(fallback_pool):
    with Sandbox([("a.py", LOOK)], limits=FAST, pool=fallback_pool) as box:
        assert "bubblewrap" not in box.isolation and "namespaces" in box.isolation
        top = box.call("top")
    assert set(top) <= {"bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "tmp", "usr", "var",
                        *{p.strip("/").split("/")[0] for p in fallback_pool._interpreter.needed}}
