"""Slots on the machine's GPUs, so that parallel grading jobs share them safely.

A submission whose checks use a GPU holds one slot while it is graded: at most ``per_gpu``
submissions run on one GPU at a time, whatever the number of grading processes (``--jobs``) or
batches on the machine, because a slot is an exclusive ``flock`` on a file in one folder. Its
workers see only that GPU (``CUDA_VISIBLE_DEVICES``), so a student's ``"cuda"`` is the slot's.

    cnngrade grade ... --gpus 0,1 --gpu-jobs 2     # CNNGRADE_GPUS=0,1 CNNGRADE_GPU_JOBS=2
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from pathlib import Path
from typing import Iterator, Sequence

from grader.sandbox.backends import gpu_devices
from grader.sandbox.errors import SandboxError

__all__ = ["GpuSlots", "configured_slots", "machine_gpus"]

_GPU_ID = re.compile(r"[A-Za-z0-9-]{1,64}")  # an index or a UUID, as CUDA_VISIBLE_DEVICES takes them
DEFAULT_FOLDER = Path("/tmp/cnngrade-gpu-slots")


def machine_gpus() -> list[str]:
    """The indices of this machine's NVIDIA GPUs (``/dev/nvidia0``, ``/dev/nvidia1``, ...)."""
    return sorted((m.group(1) for d in gpu_devices() if (m := re.fullmatch(r"/dev/nvidia(\d+)", d))), key=int)


class GpuSlots:
    def __init__(self, gpus: Sequence[str], per_gpu: int = 1, folder: str | Path = DEFAULT_FOLDER,
                 poll_s: float = 0.05) -> None:
        gpus = [str(g) for g in gpus]
        bad = [g for g in gpus if not _GPU_ID.fullmatch(g)]
        if not gpus or bad:
            raise ValueError(f"expected GPU indices or UUIDs like 0,1; got {list(gpus)!r}")
        if type(per_gpu) is not int or per_gpu < 1:
            raise ValueError(f"expected a positive number of jobs per GPU, got {per_gpu!r}")
        self.gpus, self.per_gpu, self.folder, self.poll_s = gpus, per_gpu, Path(folder), poll_s

    @contextlib.contextmanager
    def slot(self, timeout_s: float) -> Iterator[str]:
        """Wait (at most ``timeout_s``) for a free slot; yield its GPU, held until the block ends.
        The least loaded GPU first. No slot in time is the grader's trouble, not the student's."""
        self.folder.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + timeout_s
        while True:
            for k in range(self.per_gpu):
                for gpu in self.gpus:
                    fd = os.open(self.folder / f"gpu-{gpu}-slot-{k}.lock", os.O_RDWR | os.O_CREAT, 0o600)
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        os.close(fd)
                        continue
                    try:
                        yield gpu
                    finally:
                        fcntl.flock(fd, fcntl.LOCK_UN)
                        os.close(fd)
                    return
            if time.monotonic() >= deadline:
                raise SandboxError(f"no GPU slot came free within {timeout_s:g} s ({len(self.gpus)} GPU(s), "
                                   f"{self.per_gpu} job(s) each, all held by other grading jobs)")
            time.sleep(self.poll_s)


def configured_slots() -> GpuSlots | None:
    """The slots ``--gpus`` / ``--gpu-jobs`` asked for (``CNNGRADE_GPUS``, ``CNNGRADE_GPU_JOBS``,
    ``CNNGRADE_GPU_SLOTS_DIR``), by default every GPU of the machine with one job each; None
    without a GPU."""
    gpus = [g for g in os.environ.get("CNNGRADE_GPUS", "").split(",") if g] or machine_gpus()
    if not gpus:
        return None
    return GpuSlots(gpus, int(os.environ.get("CNNGRADE_GPU_JOBS", "1")),
                    os.environ.get("CNNGRADE_GPU_SLOTS_DIR", DEFAULT_FOLDER))
