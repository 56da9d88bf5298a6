"""One cgroup per submission: memory, number of processes and CPU weight for all its processes
together, whatever they fork. Made by the grader (it needs root, or a delegated cgroup tree); the
worker joins it through a ``cgroup.procs`` descriptor passed to it, before it drops privileges.

cgroup v2 (``memory.max``, ``pids.max``, ``cpu.weight``) and v1 (``memory.limit_in_bytes``,
``pids.max``, ``cpu.shares``) are both handled. Where no cgroup can be made the pool says so in the
worker's isolation string (no ``cgroup``), and only the per-process rlimits hold.
"""
from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "pids", "cpu")


def _own_paths() -> dict[str, str]:
    """controller ("" for v2) -> this process's cgroup path."""
    found = {}
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                found[name] = path
    except (OSError, ValueError):
        pass
    return found


class CgroupTree:
    """The grader's cgroups for one pool: ``make(limits)`` gives a submission its own."""

    def __init__(self) -> None:
        self.version = 0
        self.bases: list[Path] = []  # one per hierarchy (v1), or one (v2)
        self._names = itertools.count()
        try:
            if os.geteuid() == 0:
                self._set_up()
        except OSError:
            self.close()
            self.version, self.bases = 0, []

    @property
    def available(self) -> bool:
        return bool(self.bases)

    def _set_up(self) -> None:
        tag = f"cnngrade-{os.getpid()}-{time.monotonic_ns() % 10**9}"
        own = _own_paths()
        if (ROOT / "cgroup.controllers").exists():
            parent = ROOT
            wanted = {"memory", "pids", "cpu"} & set((ROOT / "cgroup.controllers").read_text().split())
            if "memory" not in wanted:
                return
            enable = " ".join("+" + c for c in sorted(wanted))
            (parent / "cgroup.subtree_control").write_text(enable)
            base = parent / tag
            base.mkdir()
            self.bases = [base]
            (base / "cgroup.subtree_control").write_text(enable)
            self.version = 2
            return
        for controller in V1_CONTROLLERS:
            mount = ROOT / controller
            if not (mount / "cgroup.procs").exists():
                continue
            inside = mount / own.get(controller, "/").lstrip("/")
            base = (inside if inside.is_dir() else mount) / tag
            base.mkdir()
            self.bases.append(base)
        if not (ROOT / "memory" / "cgroup.procs").exists():
            raise OSError("no memory controller")
        self.version = 1

    def make(self, *, memory_mb: int, processes: int) -> "SubmissionCgroup | None":
        if not self.available:
            return None
        name = f"s{next(self._names)}"
        group = SubmissionCgroup(self.version, [b / name for b in self.bases])
        try:
            group.create(memory_mb=memory_mb, processes=processes)
        except OSError:
            group.remove()
            return None
        return group

    def close(self) -> None:
        for base in self.bases:
            for child in sorted(base.glob("s*")) if base.is_dir() else ():
                SubmissionCgroup(self.version, [child]).remove()
            try:
                base.rmdir()
            except OSError:
                pass


class SubmissionCgroup:
    """One submission's cgroup (one directory per v1 hierarchy)."""

    def __init__(self, version: int, dirs: list[Path]) -> None:
        self.version = version
        self.dirs = dirs

    def create(self, *, memory_mb: int, processes: int) -> None:
        limit = str(memory_mb << 20)
        for d in self.dirs:
            d.mkdir()
            if (d / "memory.max").exists():
                (d / "memory.max").write_text(limit)
                if (d / "memory.swap.max").exists():
                    (d / "memory.swap.max").write_text("0")
            if (d / "memory.limit_in_bytes").exists():
                (d / "memory.limit_in_bytes").write_text(limit)
                if (d / "memory.memsw.limit_in_bytes").exists():
                    (d / "memory.memsw.limit_in_bytes").write_text(limit)
            if (d / "pids.max").exists():
                (d / "pids.max").write_text(str(processes))
            # Every submission gets the same CPU weight, however many processes it starts.
            if (d / "cpu.weight").exists():
                (d / "cpu.weight").write_text("100")
            if (d / "cpu.shares").exists():
                (d / "cpu.shares").write_text("1024")

    def open_procs(self) -> list[int]:
        """Write-only descriptors of each ``cgroup.procs``: the worker writes "0" to join."""
        return [os.open(d / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC) for d in self.dirs]

    def out_of_memory(self) -> bool:
        """Whether the kernel killed a process of this submission for its memory limit: its
        ``oom_kill`` counter (v2 ``memory.events``, v1 ``memory.oom_control``). Hitting the limit
        alone (``memory.failcnt``) is not a kill: the kernel often reclaims and goes on."""
        for d in self.dirs:
            for name in ("memory.events", "memory.oom_control"):
                try:
                    for line in (d / name).read_text().splitlines():
                        key, _, value = line.partition(" ")
                        if key == "oom_kill" and value.strip() not in ("", "0"):
                            return True
                except OSError:
                    continue
        return False

    def wait_for_room(self, processes: int, wait_s: float = 5.0) -> bool:
        """Wait until ``processes`` more fit under ``pids.max``. Killed processes take a moment to
        go, and a zombie counts against the limit until it is reaped, so right after a fork bomb
        was killed a new worker could not even fork. True when there is room (or no pids limit)."""
        deadline = time.monotonic() + wait_s
        while True:
            try:
                if all(self._room(d) >= processes for d in self.dirs):
                    return True
            except (OSError, ValueError):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)

    @staticmethod
    def _room(folder: Path) -> float:
        if not (folder / "pids.current").exists():
            return float("inf")
        limit = (folder / "pids.max").read_text().strip()
        return (float("inf") if limit == "max" else int(limit)) - int((folder / "pids.current").read_text())

    def remove(self, wait_s: float = 2.0) -> None:
        """Remove the directories once their processes are gone (SIGKILL takes a moment)."""
        deadline = time.monotonic() + wait_s
        for d in self.dirs:
            while d.exists():
                try:
                    d.rmdir()
                except OSError:
                    if time.monotonic() >= deadline:
                        break
                    time.sleep(0.005)
