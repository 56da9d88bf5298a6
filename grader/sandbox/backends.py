"""How a pool's zygote is isolated: one interface, one class per way of doing it.

A ``Backend`` says whether it works here, what it guarantees, and how the zygote is started.
Whatever the backend, the zygote's program comes on its stdin (so no host path to the grader is in
any command line), and each worker then isolates itself further in ``worker.py``: its own PID,
mount, network, IPC and UTS namespaces (a user namespace as well when we are not root), a fresh
/proc and /tmp, its own uid when we are root, resource limits, and the submission's cgroup where
the pool could make one. A GPU worker or a container backend is one more subclass.

- ``Bubblewrap``: bwrap builds the zygote's root from an allow-list (system directories, a few
  /etc files, the interpreter and its libraries) in its own namespaces.
- ``Namespaces``: the zygote builds the same allow-list root itself (a tmpfs, read-only bind
  mounts, pivot_root), as root or inside an unprivileged user namespace.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from grader.sandbox.interpreter import Interpreter, base_env

MODES = ("auto", "bubblewrap", "fallback")
ENV_OVERRIDE = "CNNGRADE_SANDBOX"  # set to "fallback" or "bubblewrap" to choose for "auto"
WORKER_DIR = Path(__file__).resolve().parent
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
             "/etc/alternatives", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group")
DEVICES = ("null", "zero", "full", "random", "urandom")


def gpu_devices() -> tuple[str, ...]:
    """The NVIDIA device nodes of this machine (``/dev/nvidia0``, ``nvidiactl``, ``nvidia-uvm``,
    ...): what a GPU worker needs inside its root; empty where there is no NVIDIA GPU."""
    import glob

    return tuple(sorted(p for p in glob.glob("/dev/nvidia*") if not os.path.isdir(p)))
# The zygote's whole command line: the program itself comes on stdin (see boot_payload).
BOOT = ("import sys, json; B = json.loads(sys.stdin.buffer.read()); "
        "exec(compile(B['worker'], B['name'], 'exec'), {'__name__': '__main__', 'BOOT': B})")


class Backend:
    """One way of isolating the zygote. ``name`` is what ``isolation=`` selects."""

    name = ""

    def unavailable(self) -> str | None:
        """Why this backend cannot run here, or None when it can."""
        raise NotImplementedError

    def guarantees(self, root: bool) -> tuple[str, ...]:
        """What holds for the student's code under this backend (README's table, in words)."""
        raise NotImplementedError

    def zygote_command(self, interpreter: Interpreter, gpu_devices: tuple[str, ...] = ()) -> list[str]:
        """How to start the zygote; ``gpu_devices`` (``/dev/nvidia*`` paths) are made visible inside."""
        raise NotImplementedError

    def root_plan(self, interpreter: Interpreter, staging: str, gpu_devices: tuple[str, ...] = ()) -> dict | None:
        """What the zygote must build itself as its root (None: the backend already did)."""
        return None

    needs_staging = False  # the zygote needs an empty directory to build its root on


class Bubblewrap(Backend):
    name = "bubblewrap"

    def unavailable(self) -> str | None:
        if shutil.which("bwrap") is None:
            return "bwrap is not installed (apt-get install bubblewrap)"
        return None if bubblewrap_works() else "bwrap is installed but cannot create namespaces here"

    def guarantees(self, root: bool) -> tuple[str, ...]:
        return _COMMON + (("a uid of its own per submission",) if root else ()) + ("bubblewrap's allow-list root",)

    def zygote_command(self, interpreter: Interpreter, gpu_devices: tuple[str, ...] = ()) -> list[str]:
        cmd = [shutil.which("bwrap") or "bwrap"]
        for path in SYSTEM_DIRS:
            if os.path.islink(path):
                cmd += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                cmd += ["--ro-bind", path, path]
        for path in ETC_FILES:
            if os.path.exists(path):
                cmd += ["--ro-bind", path, path]
        # /tmp first: a venv or checkout that lives under /tmp (CI clones often do) is bound on top
        # of the fresh tmpfs below, not hidden by it.
        cmd += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--dir", "/var/tmp"]
        for device in gpu_devices:  # a GPU worker's device nodes, and nothing else of the host's /dev
            cmd += ["--dev-bind", device, device]
        ancestors = {str(p) for path in interpreter.needed for p in Path(path).parents}
        for path in sorted(ancestors - {"/"} - set(SYSTEM_DIRS), key=len):
            cmd += ["--perms", "0755", "--dir", path]  # bwrap would make them 0700: closed to the worker's uid
        for path in interpreter.needed:
            cmd += ["--ro-bind-try", path, path]
        cmd += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--die-with-parent", "--new-session", "--chdir", "/", "--remount-ro", "/",
                interpreter.executable, "-s", "-B", "-c", BOOT]
        return cmd


class Namespaces(Backend):
    """The fallback: no bwrap needed; root, or a kernel that allows unprivileged user namespaces."""

    name = "fallback"
    needs_staging = True

    def unavailable(self) -> str | None:
        if namespaces_work():
            return None
        return ("this process may not create PID and mount namespaces (not root with CAP_SYS_ADMIN, and "
                "unprivileged user namespaces are refused: a container without privileges, or a kernel "
                "setting), so no worker could be isolated; grade as root on the host, or in a container "
                "allowed to create namespaces")

    def guarantees(self, root: bool) -> tuple[str, ...]:
        own = ("a uid of its own per submission",) if root else ("an unprivileged user namespace, all capabilities dropped",)
        return _COMMON + own + ("an allow-list root built by the zygote (tmpfs, read-only binds, pivot_root)",)

    def zygote_command(self, interpreter: Interpreter, gpu_devices: tuple[str, ...] = ()) -> list[str]:
        return [interpreter.executable, "-s", "-B", "-c", BOOT]

    def root_plan(self, interpreter: Interpreter, staging: str, gpu_devices: tuple[str, ...] = ()) -> dict | None:
        devices = list(DEVICES) + [d[len("/dev/"):] for d in gpu_devices if d.startswith("/dev/")]
        return {"staging": staging, "system": list(SYSTEM_DIRS), "etc": list(ETC_FILES),
                "devices": devices, "needed": list(interpreter.needed)}


def every_name(paths, interpreter: Interpreter) -> tuple[str, ...]:
    """Each of ``paths`` under every name that reaches it inside a worker's root: as given, where
    symbolic links lead, and below each folder the root binds. A venv reached through a symbolic
    link is bound under both its names, each bind a view of its own: covering a folder under one
    name leaves it open under the other, so a hidden path must be covered under each."""
    binds = [p for p in SYSTEM_DIRS if os.path.isdir(p) and not os.path.islink(p)]
    binds += [p for p in ETC_FILES if os.path.exists(p)] + list(interpreter.needed)
    targets = [(bound, os.path.realpath(bound)) for bound in binds]
    names = set()
    for path in paths:
        real = os.path.realpath(path)
        names |= {path, real}
        names |= {bound + real[len(target):] for bound, target in targets
                  if real == target or real.startswith(target.rstrip("/") + "/")}
    return tuple(sorted(n for n in names if n not in ("/", "")))


_COMMON = ("own PID, mount, network, IPC and UTS namespaces per worker", "fresh /proc and /tmp per worker",
           "resource limits per process", "the submission's cgroup (memory, pids, CPU weight) where one can be made")
BACKENDS = {b.name: b for b in (Bubblewrap(), Namespaces())}


def boot_payload(control_fd: int, plan: dict | None, preload: tuple[str, ...] = ("torch",)) -> bytes:
    """The zygote's program and its start-up data, written to its stdin."""
    return json.dumps({"name": "<cnngrade worker>", "worker": (WORKER_DIR / "worker.py").read_text(),
                       "wire": (WORKER_DIR / "wire.py").read_text(), "control_fd": control_fd,
                       "root": plan, "preload": list(preload)}).encode()


def choose(isolation: str) -> Backend:
    """The backend for ``isolation`` ("auto", "bubblewrap" or "fallback"); ValueError if it cannot run."""
    if isolation not in MODES:
        raise ValueError(f"isolation must be one of {MODES}; got isolation={isolation!r}")
    if isolation == "auto":
        isolation = os.environ.get(ENV_OVERRIDE, "auto")
        if isolation not in MODES:
            raise ValueError(f"${ENV_OVERRIDE} must be one of {MODES}; got {isolation!r}")
    if isolation == "auto":
        isolation = "bubblewrap" if BACKENDS["bubblewrap"].unavailable() is None else "fallback"
    backend = BACKENDS[isolation]
    reason = backend.unavailable()
    if reason is not None:
        raise ValueError(f"isolation={isolation!r} cannot run here: {reason}")
    return backend


def bubblewrap_works() -> bool:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    try:
        return subprocess.run([bwrap, "--ro-bind", "/", "/", "--tmpfs", "/tmp", "--perms", "0755", "--dir", "/tmp/x",
                               "--unshare-net", "--unshare-pid", "true"],
                              capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


# What a worker needs: new mount and PID namespaces, directly or inside a new user namespace.
_NAMESPACES_PROBE = ("import ctypes, sys; libc = ctypes.CDLL(None, use_errno=True); "
                     "flags = 0x20000 | 0x20000000 | 0x40000000; "
                     "sys.exit(0 if libc.unshare(flags) == 0 or libc.unshare(0x10000000 | flags) == 0 else 1)")


def namespaces_work() -> bool:
    try:
        return subprocess.run([sys.executable, "-c", _NAMESPACES_PROBE], capture_output=True, timeout=10,
                              env=base_env()).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
