"""One submission's sandbox: loads its code chunks in a worker and calls its functions.

The grader never executes student code: it sends chunks and calls to a worker process forked by
a ``Pool`` and gets plain data back (``wire``). After a timeout or crash the worker is killed
and the next call starts a fresh one, replaying the chunks that loaded, so one bad call costs
that call only.
"""
from __future__ import annotations

import os
import re
import signal
import time
from dataclasses import dataclass
from typing import Any

from grader.result import Problem
from grader.sandbox import wire
from grader.sandbox.banned import find_banned
from grader.sandbox.errors import (ERRORS_BY_KIND, BadReturnValue, LostObject, SandboxError, StrayThread,
                                   StudentCrash, StudentError, StudentTimeout)
from grader.sandbox.limits import Limits
from grader.sandbox.pool import ChannelClosed, ChannelTimeout, Pool, WorkerHandle, default_pool

MAX_MESSAGE_CHARS = 4_000  # an exception's message, as kept by the grader
MAX_TRACEBACK_CHARS = 20_000
_WORKER_PROCESSES = 8  # room a fresh worker needs under pids.max: its two processes and their threads
_SURROGATE = re.compile("[\ud800-\udfff]")


class Budget:
    """What one submission may use in all, shared by all its sandboxes (one per visibility) and
    all their workers and restarts: wall-clock time (``limits.submission_timeout_s``), reply bytes
    (``limits.reply_bytes_total``), and its cgroup (memory, processes, CPU weight) where the
    pool can make one. A context manager; closing removes the cgroup."""

    def __init__(self, limits: Limits = Limits()) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.submission_timeout_s
        self.reply_bytes = 0
        self.cgroup = None
        self._asked = False  # for its cgroup: once, whether or not one could be made

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def cgroup_for(self, pool: Pool):
        """The submission's cgroup in ``pool``'s tree (made on first use), or None."""
        if not self._asked:
            self._asked = True
            self.cgroup = pool.make_cgroup(memory_mb=self.limits.memory_mb, processes=self.limits.processes)
        return self.cgroup

    def close(self) -> None:
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None

    def __enter__(self) -> "Budget":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class LoadReport:
    defined: tuple[str, ...]  # callables the student's namespace holds after loading
    stdout: str  # what the chunks printed (student text: escape before showing)
    problems: tuple[Problem, ...]  # one per chunk that raised, timed out or crashed; banned APIs
    isolation: str
    duration_s: float


@dataclass(frozen=True)
class CallResult:
    value: Any
    stdout: str
    duration_s: float
    mutated: tuple[str, ...] = ()  # the arguments the call changed in place ("x", "cache[1]")


class Sandbox:
    """Context manager; one per submission. ``start`` loads the chunks, ``call`` runs a function.

    chunks: ``(origin, source)`` pairs or objects with ``.origin`` and ``.source`` (CodeChunk).
    ``limits.load_timeout_s`` applies to each chunk; ``limits.call_timeout_s`` to each call.
    isolation: "auto" (bubblewrap if it works, else the fallback), "bubblewrap" or "fallback";
    ignored when ``pool`` is given. ``isolation`` (attribute) names what is actually active.
    budget: the submission's ``Budget`` when it has several sandboxes; by default its own.
    harness: ``(origin, source)`` chunks of the grader's own code (an evaluation harness), loaded
    into a namespace of their own in every worker before the student's chunks; their functions
    are called with ``run(..., namespace="harness")``. They run beside student code, so what
    they report is no more trusted than the student's answers: the grader recomputes what counts.
    Origins must start with ``<cnngrade``.
    gpu: the GPU its workers may use (``CUDA_VISIBLE_DEVICES``), a ``GpuSlots`` slot's.
    """

    def __init__(self, chunks, *, limits: Limits = Limits(), banned_apis=(), python: str | None = None,
                 pool: Pool | None = None, isolation: str = "auto", seed: int = 0,
                 budget: Budget | None = None, harness=(), gpu: str | None = None) -> None:
        self.chunks = tuple(_as_chunk(c, i) for i, c in enumerate(chunks))
        self.harness = tuple(_as_chunk(c, i)[:2] for i, c in enumerate(harness))
        for origin, _ in self.harness:
            if not origin.startswith("<cnngrade"):
                raise ValueError(f"a harness chunk's origin must start with '<cnngrade', got {origin!r}")
        self.gpu = gpu  # the GPU its workers may use (a GpuSlots slot's), or None
        self._epoch = 0  # workers started so far: a Handle of an earlier one refers to nothing
        self._released: set[tuple[int, int]] = set()  # (epoch, id) of the handles given back
        if not isinstance(limits, Limits):
            raise TypeError(f"limits must be a Limits; got {type(limits).__name__}")
        if pool is not None and python is not None and pool.python != python:
            raise ValueError(f"pool runs python={pool.python!r} but python={python!r} was asked for")
        self.limits = limits
        self.banned_apis = tuple(banned_apis)
        self.pool = pool if pool is not None else default_pool(python, isolation)
        self.seed = seed
        self.budget = budget if budget is not None else Budget(limits)
        self._own_budget = budget is None
        self.isolation = self.pool.mode
        self.report: LoadReport | None = None
        self.last_call: CallResult | None = None
        self._handle: WorkerHandle | None = None
        self._skip: set[int] = set()  # chunks that hung or crashed the worker: not replayed
        self._defined: tuple[str, ...] = ()
        self._ids = 0
        self._output_kept = 0
        self._closed = False

    # -- loading --------------------------------------------------------------------------

    def start(self) -> LoadReport:
        if self.report is not None:
            return self.report
        began = time.perf_counter()
        problems = [Problem("banned_api", use.message,
                            *_file_and_cell(use.origin), line=use.line)
                    for use in find_banned([(c[0], c[1]) for c in self.chunks], self.banned_apis)]
        output = []
        self._handle = self._spawn()
        for index in range(len(self.chunks)):
            problem = self._load_chunk(index, output)
            if problem is not None:
                problems.append(problem)
        self.report = LoadReport(defined=self._defined, stdout="".join(output), problems=tuple(problems),
                                 isolation=self.isolation, duration_s=time.perf_counter() - began)
        return self.report

    def _spawn(self) -> WorkerHandle:
        if self.budget.left() <= 0:
            raise self._over_budget("")
        cgroup = self.budget.cgroup_for(self.pool)
        if cgroup is not None and not cgroup.wait_for_room(_WORKER_PROCESSES):
            # Its processes (killed ones not yet gone, or another worker's) fill its pids.max: a
            # fresh worker could not even start. The submission's doing: its outcome, not ours.
            raise StudentCrash(f"the submission's processes fill its limit of {self.limits.processes}, so no "
                               "fresh worker could be started for it")
        handle = self.pool.spawn(limits=self.limits, banned_apis=self.banned_apis, seed=self.seed, cgroup=cgroup,
                                 gpu=self.gpu)
        self.isolation = handle.isolation
        self._epoch += 1
        self._handle = handle  # the harness loads into it before anything else
        self._load_harness()
        return handle

    def _load_harness(self) -> None:
        for origin, source in self.harness:
            try:
                reply, _ = self._request({"op": "exec", "origin": origin, "source": source, "namespace": "harness"},
                                         self.limits.load_timeout_s, what=origin)
            except StudentError as exc:
                raise SandboxError(f"the grader's harness {origin} could not be loaded: {exc.message}") from None
            if reply.get("ok") is not True:
                raise SandboxError(f"the grader's harness {origin} failed to load: "
                                   f"{student_text(reply.get('message'), MAX_MESSAGE_CHARS)}")

    def _load_chunk(self, index: int, output: list[str]) -> Problem | None:
        origin, source, cell = self.chunks[index]
        try:
            if self._handle is None:  # an earlier chunk's restart failed: try once more, for this one
                self._restore(index)
            # The Problem records file and cell; the message itself need not repeat them.
            reply, _ = self._request({"op": "exec", "origin": origin, "source": source}, self.limits.load_timeout_s,
                                     what="this cell" if cell is not None else "this file")
        except (StudentTimeout, StudentCrash, BadReturnValue, StrayThread) as exc:
            output.append(exc.stdout)
            self._skip.add(index)
            try:
                self._restore(index)
            except StudentError:
                self._handle = None  # the next call tries again, and reports the crash
            kind = exc.kind if isinstance(exc, (StudentTimeout, StrayThread)) else "crash"
            return Problem(kind, exc.message, *_file_and_cell(origin))
        finally:
            if self._handle is not None:
                output.append(self._kept(self._handle.take_output()))
        self._defined = _names(reply.get("defined"))
        if reply.get("ok") is True:
            return None
        trace = student_text(reply.get("traceback"), MAX_TRACEBACK_CHARS)
        message = student_text(reply.get("message"), MAX_MESSAGE_CHARS)
        return Problem(student_text(reply.get("kind", "exception"), 40), f"{message}\n{trace}".strip(),
                       *_file_and_cell(origin), line=_line_in(trace, origin))

    def _restore(self, upto: int) -> WorkerHandle:
        """A fresh worker with chunks [0, upto) loaded again, except those that hung or crashed."""
        handle = self._handle = self._spawn()
        for index in range(upto):
            if index in self._skip:
                continue
            origin, source, _ = self.chunks[index]
            try:
                reply, _ = self._request({"op": "exec", "origin": origin, "source": source},
                                         self.limits.load_timeout_s)
            except StudentError as exc:
                raise StudentCrash(f"could not restart the submission: reloading {origin} failed ({exc.message})",
                                   stdout=exc.stdout) from None
            self._defined = _names(reply.get("defined"))
        handle.take_output()
        return handle

    # -- calling --------------------------------------------------------------------------

    def call(self, function: str, *args, **kwargs) -> Any:
        """The function's return value as plain data; a StudentError subclass if it fails."""
        return self.invoke(function, *args, **kwargs).value

    def invoke(self, function: str, *args, **kwargs) -> CallResult:
        """Like ``call``, with what the call printed and how long it took."""
        return self.run(function, args, kwargs)

    def run(self, function: str, args=(), kwargs=None, *, keep: str | None = None, namespace: str = "student",
            timeout_s: float | None = None) -> CallResult:
        """Call ``function`` of the student's code (or of the harness: ``namespace="harness"``).

        keep: None, the value must be plain data; ``"auto"``, any part of it that is not (a
        model, an object in a cache) stays in the worker and comes back as a :class:`Handle`;
        ``"all"``, the whole value stays and a Handle comes back. Handles may be passed in
        ``args`` and ``kwargs`` of later calls; one whose worker has since been replaced (after
        a timeout or crash) raises :class:`LostObject`.
        timeout_s: this call's limit instead of ``limits.call_timeout_s`` (a training run gets
        minutes); the submission's budget still bounds it.
        """
        if self._closed:
            raise SandboxError("the sandbox is closed")
        if keep not in (None, "auto", "all"):
            raise ValueError(f"keep must be None, 'auto' or 'all', got {keep!r}")
        if namespace not in ("student", "harness"):
            raise ValueError(f"namespace must be 'student' or 'harness', got {namespace!r}")
        kwargs = {} if kwargs is None else kwargs
        if self.report is None:
            self.start()
        if self._handle is None:
            self._handle = self._restore(len(self.chunks))
        for kept in _handles_in((args, kwargs), self.limits.max_depth + 2):
            if kept.epoch != self._epoch:
                raise LostObject(f"{function} was given {kept!r}, which is gone: the worker that held it was "
                                 "replaced after an earlier call timed out or crashed")
            if (kept.epoch, kept.id) in self._released:
                raise LostObject(f"{function} was given {kept!r}, which was released")
        try:
            doc, blobs = wire.to_doc((list(args), kwargs), lenient=True, max_bytes=self.limits.return_bytes,
                                     max_depth=self.limits.max_depth + 2)
        except wire.WireError as exc:
            raise TypeError(f"arguments to {function} must be plain data: {exc}") from None
        request = {"op": "call", "function": function, "payload": doc}
        if keep is not None:
            request["keep"] = keep
        if namespace != "student":
            request["namespace"] = namespace
        timeout = self.limits.call_timeout_s if timeout_s is None else float(timeout_s)
        began = time.perf_counter()
        reply, reply_blobs = self._request(request, timeout, blobs, what=function)
        duration = time.perf_counter() - began
        stdout = self._kept(self._handle.take_output())
        if reply.get("ok") is not True:
            error = ERRORS_BY_KIND.get(reply.get("kind"), ERRORS_BY_KIND["exception"])
            raise error(student_text(reply.get("message"), MAX_MESSAGE_CHARS),
                        traceback=student_text(reply.get("traceback"), MAX_TRACEBACK_CHARS), stdout=stdout)
        epoch = self._epoch
        try:
            value = wire.from_doc(reply.get("value"), reply_blobs, self.limits.max_depth,
                                  handle=(lambda number, name: wire.Handle(number, name, epoch)) if keep else None)
        except wire.WireError as exc:
            raise BadReturnValue(f"{function} returned a value that cannot be accepted: {exc}", stdout=stdout) from None
        self.last_call = CallResult(value, stdout, duration, _labels(reply.get("mutated")))
        return self.last_call

    def release(self, *handles: wire.Handle) -> None:
        """Let the worker drop the objects these handles keep (those of a replaced worker are gone)."""
        ids = [h.id for h in handles if isinstance(h, wire.Handle) and h.epoch == self._epoch]
        self._released.update((self._epoch, number) for number in ids)
        if ids and self._handle is not None and not self._closed:
            self._request({"op": "release", "ids": ids}, self.limits.call_timeout_s, what="release")

    def _request(self, message: dict, timeout: float, blobs=(), what: str | None = None):
        handle = self._handle
        self._ids += 1
        message = dict(message, id=self._ids, seed=self.seed)
        what = what or message.get("origin", "the submission")
        left = self.budget.left()
        if left <= 0:
            self._kill()
            raise self._over_budget(self._kept(handle.take_output()))
        try:
            handle.send(message, blobs)
            reply, reply_blobs = handle.receive(time.monotonic() + min(timeout, left))
            if reply.get("id") != self._ids:
                raise wire.WireError(f"reply id {reply.get('id')!r}, expected {self._ids}")
        except ChannelTimeout:
            self._kill()
            if left < timeout:
                raise self._over_budget(self._kept(handle.take_output())) from None
            raise StudentTimeout(f"{what} did not finish within {timeout:g} s (wall clock); its processes were "
                                 "killed", stdout=self._kept(handle.take_output())) from None
        except ChannelClosed:
            status = self._kill(wait=True)
            cgroup = self.budget.cgroup
            oom = cgroup is not None and cgroup.out_of_memory()
            raise StudentCrash(f"the worker running {what} ended unexpectedly ({_describe(status, self.limits, oom)})",
                               stdout=self._kept(handle.take_output())) from None
        except wire.WireError as exc:
            self._kill()
            raise BadReturnValue(f"{what} produced a reply that cannot be accepted: {exc}",
                                 stdout=self._kept(handle.take_output())) from None
        self.budget.reply_bytes += handle.take_received()
        if self.budget.reply_bytes > self.limits.reply_bytes_total:
            self._kill()
            raise BadReturnValue(f"the submission's replies add up to more than {self.limits.reply_bytes_total} "
                                 "bytes in all; the grader accepts no more of them",
                                 stdout=self._kept(handle.take_output()))
        if reply.get("stray"):
            self._kill()  # its threads or processes would slow every later call: a fresh worker
            raise StrayThread(f"{what} left {student_text(reply['stray'], 100)} running after it finished; "
                              "graded code must finish all its work before it returns (join threads, "
                              "wait for processes), or its later calls would depend on the machine's load",
                              stdout=self._kept(handle.take_output()))
        return reply, reply_blobs

    def _over_budget(self, stdout: str) -> StudentTimeout:
        loads = "cells" if any(cell is not None for _, _, cell in self.chunks) else "files"
        return StudentTimeout(f"the submission used up its time budget of {self.limits.submission_timeout_s:g} s "
                              f"(loading all its {loads}, its calls and restarts together); its processes were killed",
                              stdout=stdout)

    def _kept(self, text: str) -> str:
        """What the submission printed, within one budget of ``limits.output_bytes`` for all
        its loads and calls together (so that many calls cannot make the reports huge)."""
        data = text.encode("utf-8", "replace")
        room = max(self.limits.output_bytes - self._output_kept, 0)
        self._output_kept += min(len(data), room)
        if len(data) <= room:
            return text
        return (data[:room].decode("utf-8", "ignore") + f"\n[{len(data) - room} more bytes of output dropped: "
                f"the submission's limit is {self.limits.output_bytes} bytes in all]\n")

    def _kill(self, wait: bool = False):
        handle, self._handle = self._handle, None
        return self.pool.stop(handle, wait=wait) if handle is not None else None

    # -- closing --------------------------------------------------------------------------

    def close(self) -> None:
        """Kill the worker and everything it started; its private /tmp goes with it."""
        self._closed = True
        self._kill()
        if self._own_budget:
            self.budget.close()

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _as_chunk(chunk, index: int) -> tuple[str, str, int | None]:
    if hasattr(chunk, "origin") and hasattr(chunk, "source"):
        origin, source, cell = chunk.origin, chunk.source, getattr(chunk, "cell", None)
    elif isinstance(chunk, (tuple, list)) and len(chunk) == 2:
        (origin, source), cell = chunk, None
    else:
        raise TypeError(f"chunk {index} must be an (origin, source) pair or have .origin and .source; "
                        f"got a {type(chunk).__name__}")
    if not isinstance(origin, str) or not isinstance(source, str):
        raise TypeError(f"chunk {index}: origin and source must be str; got origin={type(origin).__name__}, "
                        f"source={type(source).__name__}")
    return origin, source, cell


def _handles_in(value, depth: int):
    """The Handles inside plain containers (lists, tuples, dict values), to ``depth`` levels."""
    if isinstance(value, wire.Handle):
        yield value
    elif depth > 0 and type(value) in (list, tuple):
        for item in value:
            yield from _handles_in(item, depth - 1)
    elif depth > 0 and type(value) is dict:
        for item in value.values():
            yield from _handles_in(item, depth - 1)


def _names(value) -> tuple[str, ...]:
    if type(value) is not list:
        return ()
    return tuple(student_text(v, 200) for v in value[:10_000] if type(v) is str)


def student_text(value, limit: int) -> str:
    """Text the worker sent, made safe to keep: a str of at most ``limit`` characters, lone
    surrogates replaced. The worker's own truncation runs inside student code, so it proves nothing."""
    text = value if type(value) is str else ("" if value is None else repr(value)[:limit])
    if len(text) > limit:
        text = text[:limit] + f"\n[{len(text) - limit} more characters cut: limit is {limit}]"
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


def _labels(value) -> tuple[str, ...]:
    """The worker's list of changed arguments, as short student text (it comes from the worker)."""
    if not isinstance(value, list):
        return ()
    return tuple(student_text(v, 80) for v in value[:16] if isinstance(v, str))


def _file_and_cell(origin: str) -> tuple[str, int | None]:
    match = re.fullmatch(r"(.*), cell (\d+)", origin)
    return (match.group(1), int(match.group(2))) if match else (origin, None)


def _line_in(trace: str, origin: str) -> int | None:
    lines = re.findall(rf'File "{re.escape(origin)}", line (\d+)', trace)
    return int(lines[-1]) if lines else None


def _describe(status: int | None, limits: Limits, out_of_memory: bool = False) -> str:
    if out_of_memory:
        return (f"killed for using more than the memory limit of {limits.memory_mb} MB "
                "(all the submission's processes together)")
    if status is None:
        return "it closed the connection"
    if os.WIFEXITED(status):
        return f"exit status {os.WEXITSTATUS(status)}"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        hint = {signal.SIGXCPU: f": CPU time limit of {limits.cpu_s} s",
                signal.SIGSEGV: ": segmentation fault, often a too deep recursion",
                signal.SIGXFSZ: f": file size limit of {limits.file_size_mb} MB"}.get(sig, "")
        return f"killed by {name}{hint}"
    return f"wait status {status}"
