"""The only code that runs student code: a pre-warmed parent (zygote) and the workers it forks.

Standalone program: imports nothing from ``grader`` or ``reference``, needs only NumPy (1.x or
2.x), and imports torch only if present, so it runs under whatever interpreter an old assignment
needs. It comes on the zygote's stdin with ``wire.py`` and its start-up data (``backends.BOOT``), so
no command line names a host path:

    python -s -B -c "$BOOT" < {"worker": ..., "wire": ..., "control_fd": N, "root": plan or null}

With a root plan (the Namespaces backend) the zygote first builds its own allow-list root.

The zygote imports NumPy and torch once, then serves requests on a SOCK_SEQPACKET control socket
(JSON, file descriptors passed with SCM_RIGHTS): ``spawn`` forks a worker for one submission,
``kill`` ends every process a submission started. A worker closes the control socket first, then
isolates itself (own session, private mounts and network where permitted, a dedicated uid,
resource limits, scrubbed environment, import blocker, banned APIs) before it reads any
student code from its protocol socket.
"""
import _socket
import array
import builtins
import functools
import ctypes
import importlib
import importlib.util
import json
import linecache
import os
import random
import resource
import select
import signal
import socket
import sys
import time
import traceback
import types

numpy = torch = wire = None  # set by _prewarm(), after the small killer process has been forked
_ndarray = _tobytes = None
CODE_NAME = "<cnngrade worker>"  # this program's file name in tracebacks
IN_USER_NAMESPACE = False


def _prewarm(wire_source, preload=("torch",)):
    """Import what every submission needs once, in the zygote: the point of having one. NumPy
    always; the ``preload`` modules (the rubric's: torch for PyTorch assignments) too. A module
    left out is imported by the student's own ``import`` in the worker, if it needs it at all."""
    global numpy, torch, wire, _ndarray, _tobytes
    wire = types.ModuleType("sandbox_wire")
    exec(compile(wire_source, "<cnngrade wire>", "exec"), wire.__dict__)
    import numpy
    import numpy.random  # lazily loaded by NumPy 2; the worker seeds it
    _ndarray, _tobytes = numpy.ndarray, numpy.ndarray.tobytes  # a C type: student code cannot patch it
    for name in preload:
        try:
            importlib.import_module(name)
            if name == "torch":
                importlib.import_module("torch.nn.functional")
        except ImportError:  # an old assignment's interpreter may have NumPy only
            pass
    torch = sys.modules.get("torch")


PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP = 1, 36, 38, 24
CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS = 0x20000, 0x40000000, 0x08000000, 0x04000000
CLONE_NEWPID, CLONE_NEWUSER = 0x20000000, 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (1, 2, 4, 8, 32, 4096, 16384,
                                                                                    1 << 18)
MNT_DETACH = 2
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "ppc64le": 203, "s390x": 217, "riscv64": 41}
BLOCKED_IMPORTS = ("grader", "reference", "cnngrade")
WORKDIR = "/tmp/work"
MAX_CONTROL = 1 << 16

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.syscall.restype = ctypes.c_long
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, "%s: %s" % (what, os.strerror(err)))


def _mount(source, target, fstype, flags, data=None):
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    _check(_libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), "mount %s" % target)


# ---------------------------------------------------------------------------------------------
# The zygote's own root (Namespaces backend): an allow-list, not a deny-list


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _enter_user_namespace(extra_flags):
    """unshare(CLONE_NEWUSER | extra_flags), mapping our own uid and gid to themselves."""
    global IN_USER_NAMESPACE
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(CLONE_NEWUSER | extra_flags), "unshare(CLONE_NEWUSER)")
    IN_USER_NAMESPACE = True  # one uid mapped: no uid of its own per worker
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", "%d %d 1" % (uid, uid))
    _write("/proc/self/gid_map", "%d %d 1" % (gid, gid))


def _bind_ro(source, target, device=False):
    if os.path.isdir(source):
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    try:
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | (0 if device else MS_NODEV))
    except OSError:  # a locked mount (user namespace) keeps its own flags; still read-only below
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY)


def build_root(plan):
    """Make a tmpfs holding only the allow-list (system directories, a few /etc files, the
    interpreter and its libraries, a few /dev nodes, the host /proc to be covered by each
    worker's own), pivot into it and drop the old root. Runs once, single-threaded, before the
    big imports, so that these imports prove the allow-list is enough."""
    if os.geteuid() != 0 or _libc.unshare(CLONE_NEWNS) != 0:  # root without CAP_SYS_ADMIN: a user namespace
        _enter_user_namespace(CLONE_NEWNS)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    os.umask(0o022)
    new = plan["staging"]
    _mount("tmpfs", new, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m")
    for path in plan["system"]:
        if os.path.islink(path):
            os.symlink(os.readlink(path), new + path)
        elif os.path.isdir(path):
            _bind_ro(path, new + path)
    bound = list(plan["system"])
    for path in plan["etc"] + sorted(plan["needed"], key=len):
        if os.path.exists(path) and not any(_inside(path, b) for b in bound):
            _bind_ro(path, new + path)
            bound.append(path)
    os.makedirs(new + "/dev", mode=0o755, exist_ok=True)
    for name in plan["devices"]:
        if os.path.exists("/dev/" + name):
            _bind_ro("/dev/" + name, new + "/dev/" + name, device=True)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, new + "/dev/" + name)
    for scratch in ("/tmp", "/dev/shm", "/var/tmp"):
        os.makedirs(new + scratch, exist_ok=True)
        os.chmod(new + scratch, 0o1777)
    # Each worker mounts a fresh /proc of its own PID namespace over this one. A kernel lets a
    # user namespace mount proc only where a full proc is already visible, hence the bind.
    os.makedirs(new + "/proc", exist_ok=True)
    _mount("/proc", new + "/proc", None, MS_BIND | MS_REC)
    os.chdir(new)
    number = SYS_PIVOT_ROOT.get(os.uname().machine)
    if number is None:
        raise OSError("pivot_root: unknown system call number on %s" % os.uname().machine)
    _check(_libc.syscall(number, b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")
    _mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


# ---------------------------------------------------------------------------------------------
# Zygote


def zygote(control_fd, killer):
    control = socket.socket(fileno=control_fd)
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    statuses = {}  # pid -> wait status, for the workers we forked
    inner = {}  # worker pid -> the pid of its namespace's init (the process that runs student code)
    _send(control, {"ready": True, "python": sys.version.split()[0], "numpy": numpy.__version__,
                    "torch": getattr(torch, "__version__", None),
                    "root": os.geteuid() == 0 and not IN_USER_NAMESPACE,
                    "vm_kb": _vm_kb()})
    while True:
        # Reap often: killed workers' processes come to us (the subreaper) as zombies, and a
        # zombie still counts against its submission's pids.max until it is reaped.
        readable, _, _ = select.select([control], [], [], 0.02)
        _reap(statuses)
        if not readable:
            continue
        request, fds = _recv(control)
        if request is None:
            os._exit(0)
        # Every reply echoes its request's seq, so the grader can drop a reply to a request it
        # gave up on (e.g. interrupted by Ctrl-C between sending and receiving).
        seq = request.get("seq")
        try:
            if request["op"] == "spawn":
                pid_r, pid_w = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(pid_r)
                    _worker_main(request, fds, control, pid_w)  # never returns
                os.close(pid_w)
                for fd in fds:
                    os.close(fd)
                inner[pid] = _read_pid(pid_r)
                os.close(pid_r)
                _send(control, {"pid": pid, "seq": seq})
            elif request["op"] == "kill":
                for fd in fds:
                    os.close(fd)
                _send(control, {"status": _kill(request, statuses, killer, inner.pop(request["pid"], None)),
                                "seq": seq})
            else:
                _send(control, {"error": "unknown op %r" % request.get("op"), "seq": seq})
        except Exception as exc:  # the zygote must outlive any single request
            _send(control, {"error": "%s: %s" % (type(exc).__name__, exc), "seq": seq})


def _send(sock, message, fds=()):
    data = json.dumps(message).encode()
    ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
    sock.sendmsg([data], ancillary)


def _recv(sock):
    data, ancdata, _, _ = sock.recvmsg(MAX_CONTROL, socket.CMSG_SPACE(16 * 4))
    fds = array.array("i")
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
    if not data:
        return None, list(fds)
    return json.loads(data.decode()), list(fds)


def _reap(statuses):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        statuses[pid] = status


def start_killer(control_fd):
    """A small process, forked before the big imports, that kills all processes of a uid.

    It forks (cheaply, being small), takes the uid and calls kill(-1, SIGKILL): the kernel signals
    every process of that uid in one pass, so a fork bomb cannot outrun it.
    """
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    if os.fork() != 0:
        theirs.close()
        return ours
    try:
        os.close(control_fd)
        ours.close()
        while True:
            data = theirs.recv(64)
            if not data:
                os._exit(0)
            uid = int(data)
            pid = os.fork()
            if pid == 0:
                try:
                    os.setresgid(uid, uid, uid)
                    os.setresuid(uid, uid, uid)
                    for _ in range(2):
                        os.kill(-1, signal.SIGKILL)
                except BaseException:
                    pass
                os._exit(0)
            os.waitpid(pid, 0)
            theirs.send(b"ok")
    finally:
        os._exit(0)


def _read_pid(fd):
    """The pid the worker's first process reports for its second (its PID namespace's init)."""
    data = b""
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline and select.select([fd], [], [], max(deadline - time.monotonic(), 0))[0]:
        chunk = os.read(fd, 32)
        if not chunk:
            break
        data += chunk
    return int(data) if data.strip().isdigit() else None


def _kill(request, statuses, killer, init_pid):
    """SIGKILL every process of the submission: the init of its PID namespace (the kernel then
    kills everything in it), its uid when it has its own, and the worker itself."""
    pid, uid = request["pid"], request.get("uid")
    if request.get("wait"):  # it ended by itself (closed its socket): let it say how, first
        deadline = time.monotonic() + 1.0
        while pid not in statuses and time.monotonic() < deadline:
            _reap(statuses)
            time.sleep(0.002)
    for target in (() if pid in statuses else (init_pid, pid)):  # a reaped pid may be reused
        if target:
            try:
                os.kill(target, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    if uid is not None and uid != os.geteuid():
        killer.send(str(int(uid)).encode())
        killer.recv(16)
    else:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    # Only a worker that ended by itself is worth waiting for (to say how it ended).
    deadline = time.monotonic() + (1.0 if request.get("wait") else 0.0)
    while True:
        _reap(statuses)
        if pid in statuses or time.monotonic() >= deadline:
            return statuses.pop(pid, None)
        time.sleep(0.002)


def _vm_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1])
    return 0


# ---------------------------------------------------------------------------------------------
# Worker set-up (runs in the forked child, before any student code)


def _worker_main(request, fds, control, pid_w):
    """The worker's first process: joins the submission's cgroup, makes the namespaces, forks
    their init (which runs the student's code), reports its pid and ends as it ends."""
    proto_fd, out_fd, cgroup_fds = fds[0], fds[1], fds[2:]
    try:
        control.close()
        os.setsid()
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        for fd in cgroup_fds:
            os.write(fd, b"0")  # this process (and so all it forks) joins the submission's cgroup
            os.close(fd)
        parts = list(request.get("outer", [])) + (["cgroup"] if cgroup_fds else [])
        parts.append(_unshare_worker())
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        child = os.fork()
        if child == 0:
            os.close(pid_w)
            _init_main(request, proto_fd, out_fd, parts)  # never returns
        os.write(pid_w, str(child).encode())
        os.close(pid_w)
        for fd in range(3, _max_fd()):
            try:
                os.close(fd)
            except OSError:
                pass
        _mirror(child, request["limits"]["cpu_s"])
    except BaseException:
        _setup_failed(out_fd)


def _setup_failed(out_fd):
    text = ("sandbox worker set-up failed:\n" + traceback.format_exc()).encode(errors="replace")
    for fd in (out_fd, 2):  # out_fd is closed once set-up has moved it to 2
        try:
            os.write(fd, text)
            break
        except OSError:
            pass
    os._exit(70)


def _unshare_worker():
    """New PID, mount, network, IPC and UTS namespaces; a user namespace too where we lack the
    capability to make them (not root, under bubblewrap as a user)."""
    flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    if _libc.unshare(flags) == 0:
        return "namespaces"
    _enter_user_namespace(flags)
    return "userns+namespaces"


def _mirror(child, cpu_s):
    """Wait for the namespace's init and end the same way, so the grader can say how it ended."""
    while True:
        try:
            _, status, usage = os.wait4(child, 0)
            break
        except InterruptedError:
            continue
    if os.WIFEXITED(status):
        os._exit(os.WEXITSTATUS(status))
    sig = os.WTERMSIG(status)
    if sig == signal.SIGKILL and usage.ru_utime + usage.ru_stime >= cpu_s:
        sig = signal.SIGXCPU  # an init gets the hard limit's SIGKILL only: say it was the CPU limit
    try:
        signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
    except (OSError, ValueError):
        pass
    os.kill(os.getpid(), sig)
    os._exit(128 + sig)


def _init_main(request, proto_fd, out_fd, parts):
    try:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        isolation = _isolate(request, proto_fd, out_fd, parts)
        sock = socket.socket(fileno=proto_fd)
        _serve(sock, request, isolation)
    except BaseException:
        _setup_failed(out_fd)
    os._exit(0)


def _isolate(request, proto_fd, out_fd, parts):
    uid = request.get("uid")
    limits = request["limits"]
    root = os.geteuid() == 0
    _private_mounts(request, uid)
    _libc.sethostname(b"sandbox", 7)
    os.chdir(WORKDIR)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    keep = {0, 1, 2, proto_fd}
    for fd in range(3, _max_fd()):
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    mib = 1 << 20
    vm = _vm_kb() * 1024
    address_space = () if limits.get("gpu") else (("RLIMIT_AS", vm + limits["memory_mb"] * mib),)
    for name, value in address_space + (("RLIMIT_CPU", int(limits["cpu_s"])),
                                        ("RLIMIT_FSIZE", limits["file_size_mb"] * mib),
                                        ("RLIMIT_NOFILE", limits["open_files"]), ("RLIMIT_CORE", 0)):
        hard = value + 1 if name == "RLIMIT_CPU" else value  # SIGXCPU first, then SIGKILL
        resource.setrlimit(getattr(resource, name), (value, hard))
    if uid is not None and root:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)  # from root to another uid: every capability goes
        parts.append("uid")
    else:
        _drop_capabilities()
        parts.append("no-capabilities")
    parts.append("rlimits")
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # after setuid, which clears it
    os.environ.clear()
    os.environ.update({"PATH": "/usr/bin:/bin", "HOME": os.getcwd(), "TMPDIR": "/tmp", "LANG": "C.UTF-8",
                       "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    if request.get("gpu") is not None:  # the GPU of the submission's slot, and no other
        os.environ["CUDA_VISIBLE_DEVICES"] = str(request["gpu"])
    _block_imports(request.get("hide", []), request.get("keep", []))
    return "+".join(parts)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_capabilities():
    """No capability left, in any set (a user namespace's creator holds them all inside it)."""
    for cap in range(64):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def _max_fd():
    try:
        return max(int(n) for n in os.listdir("/proc/self/fd")) + 1
    except (OSError, ValueError):
        return 1024


def _bind_back(path, fd, is_dir):
    """Bind a needed path (held open as ``fd``) read-only over the tmpfs that covered it."""
    if is_dir:
        os.makedirs(path, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "a").close()
    _mount("/proc/self/fd/%d" % fd, path, None, MS_BIND | MS_REC)
    _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _private_mounts(request, uid):
    """A /proc of the worker's own PID namespace, fresh tmpfs for /tmp and friends, and tmpfs over
    any hidden path the allow-list still shows (a course folder inside the interpreter's prefix,
    the grader's packages in site-packages, an editable install's checkout), with needed paths
    bound back; a hidden file is covered by /dev/null."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    keep = [p for p in request.get("keep", []) if os.path.exists(p)]
    held = {p: os.open(p, os.O_PATH) for p in keep}
    is_dir = {p: os.path.isdir(p) for p in keep}  # decided before the tmpfs hides them
    size = "size=%dm" % max(64, 4 * request["limits"]["file_size_mb"])
    for scratch in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock"):
        if os.path.isdir(scratch) and not os.path.islink(scratch):
            _mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777," + size)
            # An interpreter or venv that lives under /tmp (a CI clone) must stay importable.
            for k in keep:
                if _inside(k, scratch) and k != scratch:
                    _bind_back(k, held[k], is_dir[k])
    # After the scratch folders: what was bound back into them is covered too.
    hidden = []
    for path in sorted(request.get("hide", []), key=len):
        if not os.path.exists(path) or _out_of_sight(path, hidden, keep):
            continue
        if os.path.isdir(path):
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=64k")
            for k in keep:
                if _inside(k, path) and k != path:
                    _bind_back(k, held[k], is_dir[k])
            if os.path.basename(path) in BLOCKED_IMPORTS:
                # A bare folder in site-packages would import as an empty namespace package (in a
                # child interpreter, which has no import blocker): this one refuses.
                _write(os.path.join(path, "__init__.py"), "raise ImportError(%r)\n"
                       % ("%s cannot be imported inside the sandbox" % os.path.basename(path)))
            _mount(None, path, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        else:
            _mount("/dev/null", path, None, MS_BIND)
        hidden.append(path)
    for fd in held.values():
        os.close(fd)
    os.mkdir(WORKDIR, 0o700)
    if uid is not None:
        os.chown(WORKDIR, uid, uid)


def _out_of_sight(path, hidden, keep):
    """Whether ``path`` is under a folder already hidden, with no needed folder bound back between."""
    return any(_inside(path, h) and not any(_inside(path, k) and _inside(k, h) and k != h for k in keep)
               for h in hidden)


def _inside(path, parent):
    return path == parent or path.startswith(parent.rstrip("/") + "/")


class _ImportBlocker:
    """Refuses the grader's own packages (defence in depth: the files are not mounted either)."""

    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in BLOCKED_IMPORTS or top.startswith("_cnngrade") or top.startswith("__editable__"):
            raise ImportError("%s cannot be imported inside the sandbox" % name)
        return None

    def find_module(self, name, path=None):  # Python < 3.4 style finders
        self.find_spec(name, path)
        return None


def _points_at_the_grader(finder):
    """An editable-install finder (setuptools registers the class itself, named _EditableFinder)
    or anything of ours: matched case-insensitively on the object's and its type's names."""
    names = [getattr(finder, "__module__", ""), getattr(finder, "__name__", ""), getattr(finder, "__qualname__", ""),
             type(finder).__module__, type(finder).__name__]
    text = " ".join(n for n in names if isinstance(n, str)).lower()
    return "editable" in text or "cnngrade" in text


def _maps_the_grader(name, module):
    """setuptools' editable finder module for the grader (``__editable___cnngrade_*_finder``): it
    stays in sys.modules after its .pth ran, with MAPPING naming the checkout."""
    mapping = getattr(module, "__dict__", {}).get("MAPPING")  # vars only: no module __getattr__ runs
    return name.startswith("__editable__") and ("cnngrade" in name.lower() or (
        isinstance(mapping, dict) and any(str(k).partition(".")[0] in BLOCKED_IMPORTS for k in mapping)))


def _block_imports(hidden, keep):
    def allowed(entry):
        if not entry or entry == "." or "__editable__" in entry:  # an editable finder's path placeholder
            return False
        entry = os.path.abspath(entry)
        if any(_inside(entry, k) for k in keep):
            return True
        return not any(_inside(entry, h) or _inside(h, entry) for h in hidden)

    sys.path[:] = [p for p in sys.path if allowed(p)]
    sys.meta_path[:] = [f for f in sys.meta_path if not _points_at_the_grader(f)]
    sys.meta_path.insert(0, _ImportBlocker())
    sys.path_hooks[:] = [h for h in sys.path_hooks if not _points_at_the_grader(h)]
    sys.path_importer_cache.clear()
    for name, module in list(sys.modules.items()):
        if _maps_the_grader(name, module):
            # Its finder class may outlive the module (gc.get_objects() finds it): left mapping nothing.
            tables = getattr(module, "__dict__", {})
            for table in ("MAPPING", "NAMESPACES"):
                if isinstance(tables.get(table), dict):
                    tables[table].clear()
            del sys.modules[name]
        elif name.partition(".")[0] in BLOCKED_IMPORTS:
            del sys.modules[name]


class BannedAPIUsed(Exception):
    """Raised by a banned function: the assignment asks for it to be written from scratch."""


class _OnImport:
    """Runs what must happen to a module nobody has imported yet when it is imported: its bans
    (banning by importing would make every worker of a NumPy assignment that bans torch.* import
    torch), and for torch the seeding and single thread a preloaded torch gets."""

    def __init__(self):
        self.pending = {}  # top-level module name -> functions to run once it is imported

    def when_imported(self, name, action):
        if self not in sys.meta_path:
            sys.meta_path.insert(1 if sys.meta_path and type(sys.meta_path[0]) is _ImportBlocker else 0, self)
        actions = self.pending.setdefault(name, [])
        if action not in actions:
            actions.append(action)

    def find_spec(self, name, path=None, target=None):
        if name not in self.pending:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _ThenLoader(spec.loader, self.pending.pop(name))
                return spec
            if spec is not None:
                return None
        return None


class _ThenLoader:
    """A module's own loader, then the actions waiting for the module."""

    def __init__(self, loader, actions):
        self.loader, self.actions = loader, actions

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        for action in self.actions:
            action()

    def __getattr__(self, name):  # get_resource_reader, is_package, ...: the real loader's
        return getattr(self.loader, name)


_ON_IMPORT = _OnImport()


def _torch_arrived():
    """torch imported by the student's code: set up as a preloaded one would have been."""
    loaded = sys.modules.get("torch")
    try:
        loaded.set_num_threads(1)
        loaded.default_generator.manual_seed(_SEED[0])
        _pin_threads(loaded)
    except Exception:
        pass


def _pin_threads(loaded):
    """One thread, whatever the student asks: a score must not depend on the machine's cores or
    load, and idle pool threads would read as threads left running after a call."""
    def ignored(n):
        return None

    for name in ("set_num_threads", "set_num_interop_threads"):
        if getattr(loaded, name, None) is not None:
            setattr(loaded, name, ignored)


def _ban(dotted):
    """Replace a banned function (or a banned module's attribute on its package) with one that
    raises, now or once its package is imported. Imports of a banned module from the student's
    code are answered by ``_guarded_import``."""
    _BANNED.append(dotted)
    _install_import_guard()
    module_name, _, attr = dotted.rpartition(".")
    top = (module_name or attr).partition(".")[0]
    if top not in sys.modules:
        _ON_IMPORT.when_imported(top, _restub)
        return
    _stub(dotted)


def _stub(dotted):
    module_name, _, attr = dotted.rpartition(".")
    owner = sys.modules.get(module_name)
    if owner is None:
        parent = sys.modules.get(module_name.rpartition(".")[0])
        owner = getattr(parent, module_name.rpartition(".")[2], None) if parent is not None else None
    if owner is None or isinstance(owner, _Banned):
        return
    current = getattr(owner, "__dict__", {}).get(attr)
    if isinstance(current, _Banned) or getattr(current, "_cnngrade_banned", False):
        return
    if isinstance(current, types.ModuleType) or sys.modules.get(dotted) is not None:
        replacement = _Banned(dotted)
    elif isinstance(current, type):
        replacement = _banned_class(dotted, current)
    elif current is not None:
        replacement = _banned_function(dotted, attr)
    elif _is_submodule(dotted):
        replacement = _Banned(dotted)
    elif hasattr(owner, attr):  # a lazy attribute (a submodule that its package loads lazily?)
        lazy = getattr(owner, attr)
        replacement = _Banned(dotted) if isinstance(lazy, types.ModuleType) else _banned_function(dotted, attr)
    else:
        return
    try:
        setattr(owner, attr, replacement)
    except (AttributeError, TypeError):
        pass


def _is_submodule(dotted):
    try:
        return importlib.util.find_spec(dotted) is not None  # its package is imported: nothing more is
    except (ImportError, ValueError, AttributeError):
        return False


def _restub():
    """Put every ban in place whose package is now imported (again, where an import replaced a
    module's stub on its package with the real module)."""
    for dotted in _BANNED:
        if dotted.partition(".")[0] in sys.modules:
            _stub(dotted)


def _banned_function(dotted, name):
    def banned(*args, **kwargs):
        raise BannedAPIUsed(_banned_message(dotted))

    banned.__name__ = name
    banned._cnngrade_banned = True
    return banned


def _banned_class(dotted, original):
    """A banned class (``torch.nn.Dropout``) as a subclass that refuses to be made: subclasses,
    ``isinstance`` and the library's own subclasses still work; only making one of it raises."""

    def __new__(cls, *args, **kwargs):
        if cls is stand_in or getattr(cls, "__module__", None) == "__main__":  # the student's own subclass too
            raise BannedAPIUsed(_banned_message(dotted))
        return super(stand_in, cls).__new__(cls) if original.__new__ is object.__new__ \
            else super(stand_in, cls).__new__(cls, *args, **kwargs)

    try:
        stand_in = type(original.__name__, (original,), {"__new__": __new__, "_cnngrade_banned": True,
                                                         "__module__": original.__module__,
                                                         "__qualname__": original.__qualname__})
    except TypeError:  # a final class (bool), or one whose metaclass refuses: a function instead
        return _banned_function(dotted, original.__name__)
    return stand_in


def _banned_message(dotted, rule=None):
    if rule is None or rule == dotted:
        return "%s is not allowed in this assignment" % dotted
    return "%s is not allowed in this assignment (it bans all of %s)" % (dotted, rule)


class _Banned:
    """What the student's code gets for a banned module: whatever it takes from it raises when
    used, so ``from scipy.signal import convolve2d`` still loads and ``convolve2d(...)`` raises."""

    def __init__(self, dotted, rule=None):
        object.__setattr__(self, "_dotted", dotted)
        object.__setattr__(self, "_rule", rule or dotted)

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return _Banned("%s.%s" % (self._dotted, attr), self._rule)

    def __call__(self, *args, **kwargs):
        raise BannedAPIUsed(_banned_message(self._dotted, self._rule))

    def __repr__(self):
        return "<banned: %s>" % self._dotted


_BANNED = []  # the banned dotted names of the request being served
_real_import = builtins.__import__
_real_import_module = importlib.import_module
_GUARDED = [False]


def _install_import_guard():
    if not _GUARDED[0]:
        _GUARDED[0] = True
        builtins.__import__ = _guarded_import
        importlib.import_module = _guarded_import_module


def _banned_rule(name):
    for rule in _BANNED:
        if name == rule or name.startswith(rule + "."):
            return rule
    return None


def _from_student(frame):
    """Code that is not a library's: the student's cells and files, and what they exec."""
    filename = frame.f_code.co_filename
    return not (os.path.isabs(filename) or filename.startswith(("<frozen", "<cnngrade")) or filename == CODE_NAME)


_IMPORTING = [0]  # imports in progress: bans are re-applied when the outermost one is done


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    """``import`` as the student's code sees it: a banned module (or anything under it) comes
    back as a ``_Banned`` stand-in; other imports as usual, with the bans re-applied after the
    outermost import (never while a package is still importing itself: torch's own set-up
    would meet the stand-ins)."""
    student = level == 0 and bool(_BANNED) and _from_student(sys._getframe(1))
    _IMPORTING[0] += 1
    try:
        return _import_checked(name, globals, locals, fromlist, level, student)
    finally:
        _IMPORTING[0] -= 1


def _import_checked(name, globals, locals, fromlist, level, student):
    sys_modules_before = len(sys.modules)
    if student:
        rule = _banned_rule(name)
        top = name.partition(".")[0]
        if rule is not None and (fromlist or rule == top):
            return _Banned(name, rule)
        if fromlist and any(isinstance(item, str) and _banned_rule("%s.%s" % (name, item)) is not None
                            for item in fromlist):
            # the banned names are taken from their stubs; the others imported as asked
            allowed = tuple(item for item in fromlist
                            if not (isinstance(item, str) and _banned_rule("%s.%s" % (name, item))))
            module = _real_import(name, globals, locals, allowed, 0)
            if _IMPORTING[0] == 1:
                _restub()
            return sys.modules.get(name, module) if not allowed else module
    module = _real_import(name, globals, locals, fromlist, level)
    if len(sys.modules) != sys_modules_before and _IMPORTING[0] == 1:
        _restub()
    return module


def _guarded_import_module(name, package=None):
    if not name.startswith(".") and _BANNED and _from_student(sys._getframe(1)):
        rule = _banned_rule(name)
        if rule is not None:
            return _Banned(name, rule)
    module = _real_import_module(name, package)
    if _IMPORTING[0] == 0:
        _restub()
    return module


# ---------------------------------------------------------------------------------------------
# Serving the grader


_SEED = [0]  # the seed of the request being served, for a torch the student imports during it


def _seed(seed):
    _SEED[0] = seed
    random.seed(seed)
    numpy.random.seed(seed)
    loaded = torch if torch is not None else sys.modules.get("torch")  # preloaded, or the student's import
    generator = getattr(loaded, "default_generator", None)
    if generator is not None:
        generator.manual_seed(seed)  # the CPU generator; torch.manual_seed costs 30x more


def _serve(sock, request, isolation):
    stdout = sys.stdout = os.fdopen(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
    stderr = sys.stderr = os.fdopen(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
    sys.stdin = open(os.devnull)
    if torch is not None:
        torch.set_num_threads(1)
        torch.manual_seed(request.get("seed", 0))
        _pin_threads(torch)
    else:
        _ON_IMPORT.when_imported("torch", _torch_arrived)
    for name in request.get("banned", []):
        _ban(name)
    module = types.ModuleType("__main__")
    module.__builtins__ = builtins
    sys.modules["__main__"] = module
    namespace = module.__dict__
    harness = types.ModuleType("cnngrade_harness")  # the grader's code run here: its own namespace
    harness.__builtins__ = builtins
    spaces = {"student": namespace, "harness": harness.__dict__}
    kept, next_id = {}, [0]  # objects kept for the grader (keep=), by number

    def keep_value(value):
        next_id[0] += 1
        kept[next_id[0]] = value
        return next_id[0], _typename(value)

    def kept_value(number, _type):
        if number not in kept:
            raise wire.WireError("no object #%d is kept in this worker" % number)
        return kept[number]

    limits = request["limits"]
    max_bytes, max_depth = limits["return_bytes"], limits["max_depth"]
    pack, read_frame, to_doc, from_doc = wire.pack, wire.read_frame, wire.to_doc, wire.from_doc
    # The C methods, bound now: a student who patches socket.socket cannot change how we talk.
    channel = types.SimpleNamespace(recv=functools.partial(_socket.socket.recv, sock))
    sendall = functools.partial(_socket.socket.sendall, sock)
    sendall(pack({"hello": True, "isolation": isolation, "pid": os.getpid()}))
    baseline = set(_listdir("/proc/self/task"))
    while True:
        frame = read_frame(channel, max_bytes)
        if frame is None:
            return
        message, blobs = frame
        reply, out_blobs = {"id": message.get("id")}, []
        _seed(message.get("seed", 0))
        try:
            space = spaces.get(message.get("namespace", "student"), namespace)
            if message["op"] == "exec":
                source, origin = message["source"], message["origin"]
                lines = source.splitlines(True)
                linecache.cache[origin] = (len(source), None, lines, origin)
                exec(compile(source, origin, "exec", dont_inherit=True), space)
                reply["ok"] = True
            elif message["op"] == "call":
                name = message["function"]
                function = space.get(name)
                if not callable(function):
                    reply.update(ok=False, kind="missing_function",
                                 message="the submission defines no function %s" % name)
                else:
                    args, kwargs = from_doc(message["payload"], blobs, max_depth + 2, handle=kept_value)
                    watched = _watch(function, args, kwargs)
                    value = function(*args, **kwargs)
                    changed = _changed(watched)
                    if changed:
                        reply["mutated"] = changed
                    keep = message.get("keep")
                    try:
                        if keep == "all":
                            number, type_name = keep_value(value)
                            doc, out_blobs = {"h": [number, type_name]}, []
                        else:
                            doc, out_blobs = to_doc(value, lenient=True, max_bytes=max_bytes, max_depth=max_depth,
                                                    keep=keep_value if keep == "auto" else None)
                        reply.update(ok=True, value=doc)
                    except wire.WireError as exc:
                        reply.update(ok=False, kind="bad_return", message=_bad_return(name, value, exc))
            elif message["op"] == "release":
                for number in message.get("ids", []):
                    kept.pop(number, None)
                reply["ok"] = True
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: they are the student's
            reply.update(ok=False, kind="banned_api" if isinstance(exc, BannedAPIUsed) else "exception",
                         message="%s: %s" % (type(exc).__name__, _safe_str(exc)), traceback=_student_traceback(exc))
        reply["defined"] = sorted(k for k, v in list(namespace.items()) if not k.startswith("__") and callable(v))
        for stream in (stdout, stderr, sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        stray = _strays(baseline)
        if stray:
            reply["stray"] = stray
        sendall(pack(reply, out_blobs))


_listdir, _sleep, _monotonic = os.listdir, time.sleep, time.monotonic  # bound before student code
MAX_WATCHED = 64


def _watch(function, args, kwargs):
    """(label, array, shape, dtype, bytes) of every NumPy array among the call's arguments (and one
    level inside a list, tuple or dict argument, such as a cache or a parameter dict), so that a
    function that changes its caller's arrays in place can be told so. Labels are the student's
    parameter names where the signature says them: ``x``, ``cache[1]``, ``bn_param['mean']``."""
    names = _parameter_names(function, len(args))
    top = [(names[i] if i < len(names) else "argument %d" % (i + 1), a) for i, a in enumerate(args)]
    top += [(str(k), v) for k, v in kwargs.items()]
    found = []
    for label, value in top:
        if type(value) is _ndarray:
            found.append((label, value))
        elif type(value) in (list, tuple):
            found += [("%s[%d]" % (label, i), v) for i, v in enumerate(value) if type(v) is _ndarray]
        elif type(value) is dict:
            found += [("%s[%r]" % (label, k), v) for k, v in value.items() if type(v) is _ndarray]
    return [(label, a, a.shape, a.dtype, _tobytes(a)) for label, a in found[:MAX_WATCHED]]


def _parameter_names(function, count):
    try:
        code = function.__code__
        names = list(code.co_varnames[:code.co_argcount])
        if type(function) is types.MethodType:
            names = names[1:]
        return names[:count]
    except Exception:  # a callable object, a builtin: positions only
        return []


def _changed(watched):
    """The labels of the watched arrays whose contents, shape or dtype the call changed."""
    changed = []
    for label, a, shape, dtype, data in watched:
        try:
            same = a.shape == shape and a.dtype == dtype and _tobytes(a) == data
        except Exception:
            same = False
        if not same:
            changed.append(label)
    return changed


def _strays(baseline, grace_s=0.05):
    """Threads and processes the student's code left running after a load or a call (after a short
    grace for ones that are just ending): they would compete with later calls for the CPU, so
    their score would depend on the machine's load. None when there are none."""
    deadline = _monotonic() + grace_s
    while True:
        try:
            threads = set(_listdir("/proc/self/task")) - baseline
            me = str(os.getpid())
            others = [p for p in _listdir("/proc") if p.isdigit() and p != me and _alive(p)]
        except OSError:
            return None
        if not threads and not others:
            return None
        if _monotonic() >= deadline:
            break
        _sleep(0.005)
    found = []
    if threads:
        found.append("%d thread%s" % (len(threads), "s" if len(threads) > 1 else ""))
    if others:
        found.append("%d process%s" % (len(others), "es" if len(others) > 1 else ""))
    return " and ".join(found)


def _alive(pid):
    try:
        with open("/proc/%s/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def _typename(value):
    """A kept value's type, for the grader's messages (a student's class may lie about its names)."""
    try:
        name = type(value).__qualname__
        return name[:200] if type(name) is str else "object"
    except Exception:
        return "object"


def _bad_return(name, value, exc):
    text = str(exc)
    prefix = "value is a "
    if text.startswith(prefix):
        return "%s returned a %s" % (name, text[len(prefix):])
    return "%s returned a value whose element %s" % (name, text)


def _safe_str(exc):
    try:
        return str(exc)[:2000]
    except Exception:
        return "<unprintable>"


def _student_traceback(exc):
    """The traceback without the worker's own frames, so it starts in the student's cell."""
    try:
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == CODE_NAME:
            tb = tb.tb_next
        return "".join(traceback.format_exception(type(exc), exc, tb))[-20000:]
    except BaseException:
        return ""


if __name__ == "__main__":
    BOOT = globals().get("BOOT")
    if not isinstance(BOOT, dict):
        sys.exit("the sandbox zygote's program comes on stdin; see grader/sandbox/backends.py")
    killer = start_killer(BOOT["control_fd"])
    if BOOT.get("root"):
        build_root(BOOT["root"])
    _prewarm(BOOT["wire"], BOOT.get("preload", ("torch",)))
    zygote(BOOT["control_fd"], killer)
