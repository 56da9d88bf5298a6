"""Resource limits for one submission's worker process."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Limits:
    """Limits enforced from outside the student's code.

    Wall-clock timeouts are enforced by the grader (the worker's processes are killed with
    SIGKILL); the others are kernel resource limits set in the worker before student code runs.
    ``load_timeout_s`` applies to each code chunk (notebook cell) separately.
    ``memory_mb`` is address space on top of what the pre-warmed interpreter already maps, per
    process, and (where the pool can make cgroups) the memory of all the submission's processes
    together. ``submission_timeout_s`` is the wall-clock budget of the whole submission: every
    load, call and restart of all its workers together. ``reply_bytes_total`` caps what all its
    replies may add up to, ``return_bytes`` one reply.
    """

    call_timeout_s: float = 5.0
    load_timeout_s: float = 30.0
    cpu_s: int = 60
    memory_mb: int = 2048
    processes: int = 64
    file_size_mb: int = 16
    open_files: int = 256
    output_bytes: int = 1_000_000
    return_bytes: int = 64 * 1024 * 1024  # largest reply (JSON plus arrays) accepted
    reply_bytes_total: int = 128 * 1024 * 1024  # all the replies of one submission together
    submission_timeout_s: float = 300.0
    max_depth: int = 32  # deepest nesting of lists, tuples and dicts accepted
    # A GPU worker: CUDA maps far more address space than it uses, so no RLIMIT_AS (its memory
    # is capped by the submission's cgroup where there is one, and the GPU's by the driver).
    gpu: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.gpu, bool):
            raise ValueError(f"Limits.gpu must be a bool; got gpu={self.gpu!r}")
        for name, value in asdict(self).items():
            if name == "gpu":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"Limits.{name} must be a positive number; got {name}={value!r} "
                                 f"(type={type(value).__name__})")

    def to_dict(self) -> dict:
        return asdict(self)
