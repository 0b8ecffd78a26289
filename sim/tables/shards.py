"""Cut a cohort into shards of whole RNG blocks and run a function over them.

Usage::

    for start, stop in shard_ranges(n=100_000, shard_size=65536): ...
    results = map_shards(fn, ranges, workers=2)   # same results whatever ``workers`` is
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from sim.rng import BLOCK

T = TypeVar("T")


def shard_ranges(n: int, shard_size: int, workers: int = 1) -> list[tuple[int, int]]:
    """Half-open patient-id ranges of at most ``shard_size``; every start is a multiple of
    the RNG block.

    With ``workers`` > 1 the blocks are spread evenly over a multiple of ``workers`` shards
    (sizes differ by one block at most) and the last ``workers`` shards are cut in half, so
    the processes finish together: whoever is free takes the next shard, and the last ones
    are short. The tables do not depend on the cut: draws are keyed by patient id, never by
    shard.
    """
    if shard_size % BLOCK:
        raise ValueError(f"shard_size must be a multiple of {BLOCK}")
    workers = resolve_workers(workers)
    if workers <= 1:
        return [(s, min(s + shard_size, n)) for s in range(0, n, shard_size)]
    blocks = -(-n // BLOCK)
    count = -(-n // shard_size)
    count = min(blocks, -(-count // workers) * workers)
    edges = [blocks * i // count for i in range(count + 1)]
    cuts = list(zip(edges[:-1], edges[1:], strict=True))
    tail = [
        part
        for lo, hi in cuts[-workers:]
        for part in ([(lo, (lo + hi) // 2), ((lo + hi) // 2, hi)] if hi - lo > 1 else [(lo, hi)])
    ]
    cuts = cuts[:-workers] + tail
    return [(BLOCK * lo, min(BLOCK * hi, n)) for lo, hi in cuts if hi > lo]


def resolve_workers(workers: int) -> int:
    return (os.cpu_count() or 1) if workers == 0 else workers


def thread_env(processes: int) -> dict[str, str]:
    """Thread-count variables giving each of ``processes`` an equal share of the cores, so
    that polars and BLAS in several processes do not oversubscribe them."""
    threads = str(max(1, (os.cpu_count() or 1) // processes))
    return {k: threads for k in THREAD_VARS}


def map_shards(
    fn: Callable[[tuple[int, int]], T],
    ranges: Iterable[tuple[int, int]],
    workers: int = 1,
    *,
    on_done: Callable[[int, T], None] | None = None,
) -> list[T]:
    """Apply ``fn`` to each shard range, in order, in-process or with ``workers`` processes.

    With several workers this process is one of them, next to ``workers - 1`` spawned
    processes. Every process claims the next unclaimed shard from a shared counter when it
    is free, so none waits while another has shards queued (a spawned worker needs about a
    second to start, during which this process is already at work). Spawned workers send
    each result back as soon as it is ready. Workers are spawned (not forked: polars' thread
    pool does not survive a fork) and each gets an equal share of the cores for its own
    threads, so processes do not oversubscribe. The results are in the order of ``ranges``
    whoever computed them; the first error in any process is raised here. ``on_done(index,
    result)`` is called in this process's main thread for each shard as its result is in
    (for progress and the run's journal).
    """
    ranges = list(ranges)
    workers = min(resolve_workers(workers), len(ranges))
    report = on_done or (lambda index, result: None)
    if workers <= 1:
        results = []
        for index, r in enumerate(ranges):
            results.append(fn(r))
            report(index, results[-1])
        return results
    saved = {k: os.environ.get(k) for k in THREAD_VARS}
    os.environ.update(thread_env(workers))
    try:
        context = mp.get_context("spawn")
        claims = context.Value("q", 0)
        done = context.Queue()
        pool = ProcessPoolExecutor(
            max_workers=workers - 1,
            mp_context=context,
            initializer=_join,
            initargs=(claims, done, os.getpid()),
        )
        try:
            with sigint_deferred():  # inherited: a worker started mid-Ctrl-C stays quiet
                loops = [pool.submit(_claim_loop, fn, ranges) for _ in range(workers - 1)]
            results = _gather(fn, ranges, claims, done, loops, report)
        except BaseException:
            lock = claims.get_lock()
            if lock.acquire(timeout=1.0):  # nobody starts another shard
                claims.value = len(ranges)
                lock.release()
            _stop_workers(pool)
            raise
        # Every result is in: the workers exit in the background (about 0.3 s).
        pool.shutdown(wait=False)
        return results
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


_claims = None
_done = None


def _join(claims, done, parent: int) -> None:
    """Initialiser of a spawned worker: the shared shard counter and the results queue.

    A worker never outlives the process that started it: if the caller dies, even by
    SIGKILL, the worker exits too. (Ctrl-C is the caller's to handle: a spawned worker
    ignores it from its first import of sim, see sim/__init__.py.)
    """
    global _claims, _done
    _claims, _done = claims, done
    # Exit without waiting for unread results (the caller stops reading after an error).
    done.cancel_join_thread()
    die_with_parent(parent)


def die_with_parent(parent: int, poll_seconds: float = 0.25) -> None:
    """End this process when ``parent`` (the pid that started it) dies: the kernel's
    parent-death signal on Linux, and a watchdog thread everywhere (a dead parent's children
    are handed to another process, so ``getppid`` changes)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watchdog").start()


_PR_SET_PDEATHSIG = 1


@contextlib.contextmanager
def sigint_deferred():
    """Hold Ctrl-C (block SIGINT in this thread) while worker processes are started: a
    process the pool spawns inherits the blocked signal, so a Ctrl-C before its first
    import of sim (which makes it ignore Ctrl-C) does not kill it with a traceback; and this
    process finishes starting what it must later close. A Ctrl-C meanwhile is delivered here
    when the block ends: delayed, never lost."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the spawned workers now (after an error or Ctrl-C) instead of waiting for the
    shards they are simulating; their results would be thrown away."""
    for process in list(getattr(pool, "_processes", {}).values()):
        with contextlib.suppress(Exception):
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _claim(claims, loops: list | None = None) -> int:
    """The next unclaimed shard. The caller (``loops`` given) waits for the lock in short
    steps and raises a worker's failure meanwhile: a worker killed while holding it would
    otherwise block it for ever."""
    lock = claims.get_lock()
    while not lock.acquire(timeout=0.5):
        if loops is not None:
            _raise_failure(loops)
    try:
        index = claims.value
        claims.value += 1
    finally:
        lock.release()
    return index


def _claim_loop(fn, ranges: list) -> None:
    """A spawned worker: run shards until none is left, sending each result back (pickled
    here, so that a result that cannot be pickled is this worker's error, not a lost item)."""
    while (index := _claim(_claims)) < len(ranges):
        _done.put((index, pickle.dumps(fn(ranges[index]), pickle.HIGHEST_PROTOCOL)))


def _raise_failure(loops: list) -> None:
    """Raise the error of a spawned worker that failed (an exception, or a dead process)."""
    for loop in loops:
        if loop.done() and loop.exception() is not None:
            raise loop.exception()


def _gather(fn, ranges: list, claims, done, loops: list, report: Callable) -> list:
    """This process's share of the shards, while a thread receives the spawned workers'
    results as they arrive; then wait for the rest.

    The waiting is on the workers' futures, never on the queue: a worker that dies half-way
    through sending a result leaves the queue blocked, and its future reports the death.
    """
    results: list = [None] * len(ranges)
    arrived: dict[int, object] = {}
    reported: set[int] = set()
    news = threading.Event()

    def receive() -> None:  # daemon: abandoned (blocked) if a worker died mid-message
        while (item := done.get()) is not None:
            index, payload = item
            arrived[index] = pickle.loads(payload)
            news.set()

    def report_arrived() -> None:
        for index in [i for i in list(arrived) if i not in reported]:
            results[index] = arrived[index]
            reported.add(index)
            report(index, results[index])

    threading.Thread(target=receive, daemon=True, name="shard-results").start()
    try:
        while (index := _claim(claims, loops)) < len(ranges):
            results[index] = fn(ranges[index])
            reported.add(index)
            report(index, results[index])
            report_arrived()
            _raise_failure(loops)
        while len(reported) < len(ranges):
            _raise_failure(loops)
            news.wait(0.2)
            news.clear()
            report_arrived()
    finally:
        done.put(None)  # the thread ends, after an error too (unless a send was cut off)
    return results


THREAD_VARS = ("POLARS_MAX_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
