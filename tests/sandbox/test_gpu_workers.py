"""A GPU worker: the NVIDIA device nodes inside its root, no address-space limit (CUDA maps far
more than it uses), the zygote never touching CUDA. Where the machine has no GPU the same pool
works, with no device nodes; the tests that need CUDA itself are marked ``gpu``."""
import shutil
from collections import namedtuple

import pytest

from grader.sandbox import Limits, Pool, Sandbox
from grader.sandbox.backends import Bubblewrap, Namespaces, gpu_devices
from grader.sandbox.interpreter import probe_interpreter

Chunk = namedtuple("Chunk", "origin source cell")
SOURCE = '''
import glob, resource, sys

def address_space_limited():
    return resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY

def device_nodes():
    return sorted(glob.glob("/dev/nvidia*"))

def cuda_initialised_before_me():
    torch = sys.modules.get("torch")
    return bool(torch is not None and torch.cuda.is_initialized())
'''


@pytest.mark.parametrize("backend", ["bubblewrap", "fallback"])
def test_a_gpu_worker_has_no_address_space_limit_and_sees_only_the_gpu_nodes(backend):
    if backend == "bubblewrap" and shutil.which("bwrap") is None:
        pytest.skip("bubblewrap (bwrap) is not installed here")
    with Pool(isolation=backend, gpu=True) as pool:
        with Sandbox([Chunk("g.py", SOURCE, None)], limits=Limits(gpu=True), pool=pool) as box:
            assert box.call("address_space_limited") is False
            assert box.call("device_nodes") == list(gpu_devices())
            assert box.call("cuda_initialised_before_me") is False
        with Sandbox([Chunk("g.py", SOURCE, None)], limits=Limits(), pool=pool) as box:
            assert box.call("address_space_limited") is True  # a CPU worker keeps its limit


def test_the_zygote_command_binds_each_gpu_device_node_and_no_other():
    interpreter = probe_interpreter(None)
    nodes = ("/dev/nvidia0", "/dev/nvidiactl", "/dev/nvidia-uvm")
    command = Bubblewrap().zygote_command(interpreter, nodes)
    binds = [command[i + 1] for i, arg in enumerate(command) if arg == "--dev-bind"]
    assert binds == list(nodes)
    assert "--dev-bind" not in Bubblewrap().zygote_command(interpreter)
    plan = Namespaces().root_plan(interpreter, "/staging", nodes)
    assert plan["devices"][-3:] == ["nvidia0", "nvidiactl", "nvidia-uvm"]


@pytest.mark.gpu
def test_a_gpu_worker_runs_cuda():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine")
    source = "import torch\ndef on_gpu():\n    return float((torch.ones(4, device='cuda') * 2).sum().item())\n"
    with Pool(gpu=True) as pool:
        with Sandbox([Chunk("g.py", source, None)], limits=Limits(gpu=True, call_timeout_s=60), pool=pool) as box:
            assert box.call("on_gpu") == 8.0
