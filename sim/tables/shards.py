"""Cut a cohort into shards of whole RNG blocks and run a function over them.

Usage::

    for start, stop in shard_ranges(n=100_000, shard_size=65536): ...
    results = map_shards(fn, ranges, workers=2)   # same results whatever ``workers`` is
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import TypeVar

from sim.rng import BLOCK

T = TypeVar("T")


def shard_ranges(n: int, shard_size: int, workers: int = 1) -> list[tuple[int, int]]:
    """Half-open patient-id ranges of at most ``shard_size``; every start is a multiple of
    the RNG block.

    With ``workers`` > 1 the number of shards is a multiple of the workers and the blocks
    are spread evenly over the shards (sizes differ by one block at most), so no worker is
    left with a short last shard while another still runs a full one. The tables do not
    depend on the cut: draws are keyed by patient id, never by shard.
    """
    if shard_size % BLOCK:
        raise ValueError(f"shard_size must be a multiple of {BLOCK}")
    workers = resolve_workers(workers)
    if workers <= 1:
        return [(s, min(s + shard_size, n)) for s in range(0, n, shard_size)]
    blocks = -(-n // BLOCK)
    count = -(-n // shard_size)
    count = min(blocks, -(-count // workers) * workers)
    edges = [BLOCK * (blocks * i // count) for i in range(count + 1)]
    return [(lo, min(hi, n)) for lo, hi in zip(edges[:-1], edges[1:], strict=True) if lo < n]


def resolve_workers(workers: int) -> int:
    return (os.cpu_count() or 1) if workers == 0 else workers


def map_shards(
    fn: Callable[[tuple[int, int]], T], ranges: Iterable[tuple[int, int]], workers: int = 1
) -> list[T]:
    """Apply ``fn`` to each shard range, in order, in-process or with ``workers`` processes.

    With several workers this process is one of them: it runs shards itself while
    ``workers - 1`` spawned processes run the others, each taking the next shard when it is
    free (a spawned worker needs about a second to start, which this process does not).
    Workers are spawned (not forked: polars' thread pool does not survive a fork) and each
    gets an equal share of the cores for its own threads, so processes do not oversubscribe.
    The results are in the order of ``ranges`` whoever computed them.
    """
    ranges = list(ranges)
    workers = min(resolve_workers(workers), len(ranges))
    if workers <= 1:
        return [fn(r) for r in ranges]
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    saved = {k: os.environ.get(k) for k in _THREAD_VARS}
    os.environ.update({k: threads for k in _THREAD_VARS})
    try:
        context = mp.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers - 1, mp_context=context) as pool:
            return _share(fn, ranges, pool, workers - 1)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _share(fn, ranges: list, pool: ProcessPoolExecutor, spawned: int) -> list:
    """Run ``ranges`` in this process and in ``pool``; each spawned worker has one shard
    queued behind the one it runs, this process takes the next unclaimed one."""
    results: list = [None] * len(ranges)
    pending: dict = {}
    claimed = 0
    while claimed < len(ranges) or pending:
        for future in [f for f in pending if f.done()]:
            results[pending.pop(future)] = future.result()
        while claimed < len(ranges) and len(pending) < 2 * spawned:
            pending[pool.submit(fn, ranges[claimed])] = claimed
            claimed += 1
        if claimed < len(ranges):
            results[claimed] = fn(ranges[claimed])
            claimed += 1
        elif pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                results[pending.pop(future)] = future.result()
    return results


_THREAD_VARS = ("POLARS_MAX_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
