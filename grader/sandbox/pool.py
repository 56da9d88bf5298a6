"""A pre-warmed parent (zygote) that has imported NumPy (and torch, where asked) and forks one worker per submission.

``Pool`` starts the zygote (inside bubblewrap where it works) and talks to it over a control
socket; each worker gets a fresh protocol socket and a pipe for its printed output, passed to the
zygote as file descriptors. Starting a submission is then a fork, not a 1.5 s ``import torch``.

``default_pool(python, isolation)`` returns a lazily created pool per (interpreter, isolation),
kept for the life of the process and closed at exit: the one piece of module state, so that a
``Sandbox`` made without ``pool=`` still starts in milliseconds.
"""
from __future__ import annotations

import array
import atexit
import itertools
import json
import os
import select
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field

from grader.sandbox import backends, wire
from grader.sandbox.cgroups import CgroupTree, SubmissionCgroup
from grader.sandbox.interpreter import Interpreter, base_env, grader_paths, probe_interpreter
from grader.sandbox.errors import SandboxError
from grader.sandbox.limits import Limits

_START_TIMEOUT_S = 120.0
_HELLO_TIMEOUT_S = 30.0


class ChannelClosed(Exception):
    """The worker's end of the protocol socket closed (it exited or was killed)."""


class ChannelTimeout(Exception):
    """No complete reply before the deadline."""


@dataclass
class WorkerHandle:
    """One forked worker: its protocol socket, its output pipe and who it runs as."""

    pid: int  # in the zygote's PID namespace
    uid: int | None  # its own uid, or None when it shares ours
    sock: socket.socket
    output_fd: int
    limits: Limits
    isolation: str = ""
    output: bytearray = field(default_factory=bytearray)
    output_dropped: int = 0
    frames: wire.FrameBuffer | None = None
    received: int = 0  # bytes read from the protocol socket since take_received()

    def take_received(self) -> int:
        n, self.received = self.received, 0
        return n

    def send(self, message: dict, blobs=()) -> None:
        try:
            self.sock.sendall(wire.pack(message, blobs))
        except OSError as exc:
            raise ChannelClosed(str(exc)) from exc

    def receive(self, deadline: float):
        """The next (message, blobs) from the worker, draining its output meanwhile."""
        while True:
            frame = self.frames.pop()  # WireError propagates: the worker broke the protocol
            if frame is not None:
                self.drain_output(0)
                return frame
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChannelTimeout()
            readable, _, _ = select.select([self.sock, self.output_fd], [], [], left)
            if self.output_fd in readable:
                self.drain_output(0)
            if self.sock in readable:
                try:
                    chunk = self.sock.recv(1 << 20)
                except OSError as exc:  # a reset: the worker exited with our request unread
                    self.drain_output(0)
                    raise ChannelClosed(str(exc)) from exc
                if not chunk:
                    self.drain_output(0)
                    raise ChannelClosed("the worker closed its end")
                self.received += len(chunk)
                self.frames.feed(chunk)

    def drain_output(self, timeout: float) -> None:
        while select.select([self.output_fd], [], [], timeout)[0]:
            try:
                chunk = os.read(self.output_fd, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                return
            room = self.limits.output_bytes - len(self.output)
            self.output += chunk[:max(room, 0)]
            self.output_dropped += max(len(chunk) - max(room, 0), 0)
            timeout = 0

    def take_output(self) -> str:
        text = self.output.decode("utf-8", errors="replace")
        if self.output_dropped:
            text += f"\n[{self.output_dropped} more bytes of output dropped: limit is {self.limits.output_bytes}]\n"
        self.output.clear()
        self.output_dropped = 0
        return text


class Pool:
    """Zygote for one interpreter and isolation backend; thread-safe; a context manager.

    ``backend`` is the ``backends.Backend`` in use; ``mode`` its name ("bubblewrap" or "fallback").
    ``cgroups`` makes each submission's cgroup where this process may (root, or delegated).
    """

    def __init__(self, *, python: str | None = None, isolation: str = "auto",
                 hidden_paths: tuple[str, ...] | None = None, preload: tuple[str, ...] = ("torch",),
                 gpu: bool = False) -> None:
        self.backend = backends.choose(isolation)
        # A GPU pool shows its workers the NVIDIA device nodes (none where the machine has no
        # GPU); its zygote never initialises CUDA (it is forked), each worker does its own.
        self.gpu_devices = backends.gpu_devices() if gpu else ()
        # What the zygote imports for every worker besides NumPy: torch costs ~1.5 s per zygote,
        # so an assignment that does not use it (rubric ``preload: []``) starts without it.
        self.preload = tuple(preload)
        self.mode = self.backend.name
        self.python = python
        extra = tuple(os.path.abspath(p) for p in (hidden_paths or ()))
        self.hidden_paths = tuple(sorted(set(default_hidden_paths() + extra)))
        self.cold_start_s: float | None = None
        self.versions: dict = {}
        self.cgroups: CgroupTree | None = None
        self._staging: str | None = None
        self._interpreter: Interpreter | None = None
        self._proc: subprocess.Popen | None = None
        self._control: socket.socket | None = None
        self._root = False
        self._uids = itertools.count()
        self._seqs = itertools.count(1)
        self._lock = threading.Lock()

    # -- zygote ---------------------------------------------------------------------------

    def start(self) -> float:
        """Start the zygote if it is not running; returns the seconds it took (0 if running)."""
        with self._lock:
            return self._start_locked()

    def _start_locked(self) -> float:
        if self._proc is not None and self._proc.poll() is None:
            return 0.0
        began = time.perf_counter()
        if self._interpreter is None:
            self._interpreter = probe_interpreter(self.python)
            # what of the grader this interpreter could reach (its install, an editable checkout),
            # all of it under every name a worker reaches it by (a venv through a symbolic link)
            self.hidden_paths = backends.every_name(set(self.hidden_paths) | set(self._interpreter.private),
                                                    self._interpreter)
        plan = None
        if self.backend.needs_staging:
            self._staging = tempfile.mkdtemp(prefix="cnngrade-root-")
            os.chmod(self._staging, 0o755)
            plan = self.backend.root_plan(self._interpreter, self._staging, self.gpu_devices)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        cmd = self.backend.zygote_command(self._interpreter, self.gpu_devices)
        try:
            self._proc = subprocess.Popen(cmd, pass_fds=[theirs.fileno()], env=base_env(), cwd="/",
                                          stdin=subprocess.PIPE, start_new_session=True)
            self._proc.stdin.write(backends.boot_payload(theirs.fileno(), plan, self.preload))
            self._proc.stdin.close()
        except OSError as exc:
            raise SandboxError(f"could not start the sandbox zygote ({' '.join(cmd[:1])}): {exc}") from exc
        finally:
            theirs.close()
        self._control = ours
        ready = self._request_locked(None, timeout=_START_TIMEOUT_S)
        if not ready.get("ready"):
            raise SandboxError(f"sandbox zygote did not start; it said {ready!r}")
        self._root = bool(ready["root"])
        self.versions = {k: ready.get(k) for k in ("python", "numpy", "torch")}
        self.cold_start_s = time.perf_counter() - began
        return self.cold_start_s

    def _request_locked(self, message: dict | None, fds=(), timeout: float = 30.0) -> dict:
        seq = None
        if message is not None:
            seq = next(self._seqs)
            message = dict(message, seq=seq)
        deadline = time.monotonic() + timeout
        try:
            if message is not None:
                data = json.dumps(message).encode()
                anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
                self._control.sendmsg([data], anc)
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self._control], [], [], left)[0]:
                    raise SandboxError(f"sandbox zygote did not answer within {timeout} s")
                data = self._control.recv(1 << 16)
                if not data:
                    break
                reply = json.loads(data.decode())
                if seq is None or reply.get("seq") == seq:
                    break  # anything else answers a request that was abandoned: drop it
        except OSError as exc:
            self._forget_zygote()
            raise SandboxError(f"sandbox zygote is gone ({exc})") from exc
        if not data:
            code = self._forget_zygote()
            raise SandboxError(f"sandbox zygote exited (status {code}); see its stderr")
        if "error" in reply:
            raise SandboxError(f"sandbox zygote refused {message and message.get('op')}: {reply['error']}")
        return reply

    def _forget_zygote(self):
        code = None
        if self._proc is not None:
            self._proc.kill()
            code = self._proc.wait()
        if self._control is not None:
            self._control.close()
        self._proc = self._control = None
        if self._staging is not None:
            try:
                os.rmdir(self._staging)  # empty: the zygote's root was a tmpfs mounted on it
            except OSError:
                pass
            self._staging = None
        return code

    # -- workers --------------------------------------------------------------------------

    def make_cgroup(self, *, memory_mb: int, processes: int) -> SubmissionCgroup | None:
        """A new submission's cgroup, or None where this process may not make cgroups. Made
        before the zygote need run, so a submission's first worker is in it too."""
        with self._lock:
            if self.cgroups is None:
                self.cgroups = CgroupTree()
            return self.cgroups.make(memory_mb=memory_mb, processes=processes)

    def spawn(self, *, limits: Limits, banned_apis=(), seed: int = 0,
              cgroup: SubmissionCgroup | None = None, gpu: str | None = None) -> WorkerHandle:
        """Fork a fresh worker and wait for its hello (isolation in place, no student code yet).
        With ``cgroup`` its processes join that cgroup (the submission's) before anything else;
        with ``gpu`` (a slot's GPU) it sees that GPU only (``CUDA_VISIBLE_DEVICES``)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = os.pipe()
        os.set_blocking(out_r, False)
        cgroup_fds: list[int] = []
        try:
            cgroup_fds = cgroup.open_procs() if cgroup is not None else []
            with self._lock:
                self._start_locked()
                uid = None
                if self._root:
                    uid = 100_000 + (self._proc.pid % 4_000_000) * 1000 + next(self._uids) % 1000
                request = {"op": "spawn", "uid": uid, "limits": limits.to_dict(), "banned": list(banned_apis),
                           "hide": list(self.hidden_paths), "keep": list(self._interpreter.needed),
                           "outer": ["bubblewrap"] if self.mode == "bubblewrap" else [], "seed": seed,
                           "gpu": gpu}
                fds = [theirs.fileno(), out_w, *cgroup_fds]
                try:
                    pid = self._request_locked(request, fds=fds)["pid"]
                except SandboxError:
                    self._start_locked()  # one retry with a fresh zygote
                    pid = self._request_locked(request, fds=fds)["pid"]
        except BaseException:
            ours.close()
            os.close(out_r)
            raise
        finally:
            theirs.close()
            os.close(out_w)
            for fd in cgroup_fds:
                os.close(fd)
        handle = WorkerHandle(pid=pid, uid=uid, sock=ours, output_fd=out_r, limits=limits,
                              frames=wire.FrameBuffer(limits.return_bytes))
        try:
            hello, _ = handle.receive(time.monotonic() + _HELLO_TIMEOUT_S)
        except (ChannelClosed, ChannelTimeout, wire.WireError) as exc:
            self.stop(handle)
            raise SandboxError(f"sandbox worker failed to start ({type(exc).__name__}); its output: "
                               f"{handle.take_output()[-2000:]}") from exc
        handle.isolation = str(hello.get("isolation", "?"))
        return handle

    def stop(self, handle: WorkerHandle, *, wait: bool = False) -> int | None:
        """Kill every process of the worker (SIGKILL); with ``wait``, how it ended (a wait status)."""
        handle.sock.close()
        status = None
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                try:
                    status = self._request_locked({"op": "kill", "pid": handle.pid, "uid": handle.uid, "wait": wait}).get("status")
                except SandboxError:
                    pass
        handle.drain_output(0)
        os.close(handle.output_fd)
        return status

    def close(self) -> None:
        with self._lock:
            self._forget_zygote()
            if self.cgroups is not None:
                self.cgroups.close()
                self.cgroups = None

    def __enter__(self) -> "Pool":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_DEFAULT_POOLS: dict[tuple, Pool] = {}
_DEFAULT_LOCK = threading.Lock()


def default_pool(python: str | None = None, isolation: str = "auto") -> Pool:
    """The shared pool for (python, isolation), created on first use and closed at exit."""
    key = (python, isolation, os.environ.get(backends.ENV_OVERRIDE))
    with _DEFAULT_LOCK:
        if key not in _DEFAULT_POOLS:
            if not _DEFAULT_POOLS:
                atexit.register(_close_default_pools)
            _DEFAULT_POOLS[key] = Pool(python=python, isolation=isolation)
        return _DEFAULT_POOLS[key]


def _close_default_pools() -> None:
    for pool in _DEFAULT_POOLS.values():
        pool.close()


def default_hidden_paths() -> tuple[str, ...]:
    """Paths a student must not see even where the allow-list would show them (a course that
    lives inside the interpreter's prefix): where this process's grader and reference really are
    (the packages alone in site-packages, or their checkout), its install's metadata, and $HOME.
    The pool adds what the workers' interpreter could reach of the grader when it probes it."""
    paths = {*grader_paths(), os.path.expanduser("~")}
    return tuple(sorted(p for p in paths if p not in ("/", "") and os.path.exists(p)))
