"""GPU slots: at most --gpu-jobs submissions on one GPU at a time, across every grading process,
and each submission's workers see only its slot's GPU. Real locks and real workers; no GPU needed."""
import subprocess
import sys
import threading
import time
from collections import namedtuple

import pytest

from grader.sandbox import Limits, Sandbox, SandboxError
from grader.sandbox.gpu import GpuSlots

Chunk = namedtuple("Chunk", "origin source cell")


def test_one_slot_per_gpu_makes_the_second_job_wait_for_the_first(tmp_path):
    slots = GpuSlots(["0"], per_gpu=1, folder=tmp_path)
    order = []

    def job(name, hold):
        with slots.slot(timeout_s=10) as gpu:
            order.append((name, "start", gpu))
            time.sleep(hold)
            order.append((name, "end", gpu))

    first = threading.Thread(target=job, args=("a", 0.3))
    first.start()
    time.sleep(0.1)
    job("b", 0)
    first.join()
    assert order == [("a", "start", "0"), ("a", "end", "0"), ("b", "start", "0"), ("b", "end", "0")]


def test_slots_spread_over_the_gpus_and_hold_across_processes(tmp_path):
    slots = GpuSlots(["0", "1"], per_gpu=1, folder=tmp_path)
    script = ("import sys, time; from grader.sandbox.gpu import GpuSlots\n"
              f"with GpuSlots(['0', '1'], 1, {str(tmp_path)!r}).slot(10) as gpu:\n"
              "    print(gpu, flush=True); time.sleep(1.0)\n")
    other = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    held = other.stdout.readline().strip()
    with slots.slot(timeout_s=5) as gpu:
        assert {gpu, held} == {"0", "1"}  # the other process holds one GPU, we get the other
    other.wait()
    with pytest.raises(SandboxError, match="no GPU slot came free within 0.2 s"):
        with GpuSlots(["0"], 1, tmp_path).slot(5), GpuSlots(["0"], 1, tmp_path).slot(0.2):
            pass


def test_a_submissions_workers_see_only_its_slots_gpu(pool):
    source = "import os\ndef visible():\n    return os.environ.get('CUDA_VISIBLE_DEVICES')\n"
    with Sandbox([Chunk("g.py", source, None)], limits=Limits(), pool=pool, gpu="1") as box:
        assert box.call("visible") == "1"
    with Sandbox([Chunk("g.py", source, None)], limits=Limits(), pool=pool) as box:
        assert box.call("visible") is None


def test_gpu_ids_are_checked():
    with pytest.raises(ValueError, match="expected GPU indices or UUIDs"):
        GpuSlots(["0;rm -rf /"])
    with pytest.raises(ValueError, match="positive number of jobs per GPU"):
        GpuSlots(["0"], per_gpu=0)
