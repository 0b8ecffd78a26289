"""Where shards run: this machine (``dist=local``) or a Dask cluster (``dist=dask``).

Usage::

    settings = dist_settings(cfg)                      # validated ``dist`` and ``engine.workers``
    results = run_shards(fn, ranges, settings, on_done=journal)   # in the order of ``ranges``

The same shard function runs everywhere; it writes its own Parquet parts and returns only
small metadata, so nothing large crosses a process or the network. ``dist=local`` is the
process pool of ``sim.tables.shards`` (``engine.workers`` processes, 1 = in-process).
``dist=dask`` submits one task per shard to Dask distributed: a ``LocalCluster`` of
``dist.workers`` single-threaded processes by default, or the running scheduler at
``dist.address`` (``tcp://host:port``; its workers must see the output folder, e.g. on a
shared file system). A failed shard is tried again ``dist.retries`` times (a Dask worker
that dies has its shard recomputed elsewhere by the scheduler, with identical output:
draws are keyed by patient id, never by worker). Progress over shards is shown with tqdm
when stderr is a terminal.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sim.config import ConfigError, _positive_int
from sim.tables.shards import map_shards, resolve_workers, sigint_deferred, thread_env

T = TypeVar("T")

DISTS = ("local", "dask")


@dataclass(frozen=True)
class DistSettings:
    """Validated ``dist`` settings (see ``conf/dist/``)."""

    name: str = "local"
    workers: int = 1
    """``local``: processes (``engine.workers``); ``dask``: LocalCluster workers."""
    address: str | None = None
    retries: int = 2

    @property
    def processes(self) -> int:
        """Processes that simulate shards at once, for balancing the shard cut (1 for a
        remote cluster, whose size is not known here: shards of ``cohort.shard_size``)."""
        if self.name == "dask" and self.address is not None:
            return 1
        return resolve_workers(self.workers)


def dist_settings(cfg: Any) -> DistSettings:
    """Read and check ``dist`` (and ``engine.workers`` for ``dist=local``) from a config."""
    node = cfg.get("dist") or {}
    name = node.get("name", "local")
    if name not in DISTS:
        raise ConfigError(f"dist={name!r} is invalid: expected one of {', '.join(DISTS)}")
    retries = _positive_int(node.get("retries", 2), "dist.retries", minimum=0)
    if name == "local":
        workers = _positive_int(cfg.engine.get("workers", 1), "engine.workers", minimum=0)
        return DistSettings("local", workers, None, retries)
    address = node.get("address")
    if address is not None and (not isinstance(address, str) or "://" not in address):
        raise ConfigError(
            f"dist.address={address!r} is invalid: expected null (a LocalCluster) or a "
            "scheduler address such as tcp://host:8786"
        )
    workers = _positive_int(node.get("workers", 2), "dist.workers", minimum=0)
    return DistSettings("dask", workers, address, retries)


def run_shards(
    fn: Callable[[tuple[int, int]], T],
    ranges: Sequence[tuple[int, int]],
    settings: DistSettings,
    *,
    on_done: Callable[[int, T], None] | None = None,
    progress: bool | None = None,
) -> list[T]:
    """Apply ``fn`` to every shard range where ``settings`` say; results in range order.

    ``on_done(index, result)`` is called in this thread as each shard finishes.
    ``progress``: a tqdm bar over shards (None: only when stderr is a terminal).
    """
    ranges = list(ranges)
    with _progress(len(ranges), progress) as bar:

        def done(index: int, result: T) -> None:
            bar.update(1)
            if on_done is not None:
                on_done(index, result)

        if settings.name == "dask":
            return _run_dask(fn, ranges, settings, done)
        return map_shards(_retrying(fn, settings.retries), ranges, settings.workers, on_done=done)


@contextlib.contextmanager
def _progress(total: int, enabled: bool | None) -> Iterator[Any]:
    from tqdm.auto import tqdm

    disable = (not sys.stderr.isatty()) if enabled is None else not enabled
    bar = tqdm(total=total, unit="shard", desc="shards", disable=disable, leave=False)
    try:
        yield bar
    finally:
        bar.close()


class _retrying:
    """``fn`` tried again up to ``retries`` times after an exception (local pool; Dask has
    its own retries). Picklable, for spawned workers."""

    def __init__(self, fn: Callable, retries: int) -> None:
        self.fn, self.retries = fn, retries

    def __call__(self, bounds: tuple[int, int]):
        for attempt in range(self.retries + 1):
            try:
                return self.fn(bounds)
            except Exception:
                if attempt == self.retries:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


LOCAL_CLUSTER_CONFIG = {
    # Dask sets MALLOC_TRIM_THRESHOLD_ for its workers; an explicit value turns off glibc's
    # dynamic mmap threshold, so large arrays are fresh mmaps (page faults). Our workers
    # hold one shard at a time and keep glibc's default.
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    # Shards take seconds: the scheduler's and workers' periodic checks (every 20-500 ms by
    # default) only take CPU from the shards on a small machine.
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    # The statistical profiler samples every worker's stacks every 10 ms.
    "distributed.worker.profile.enabled": False,
    "distributed.scheduler.work-stealing": False,
    # Worker processes read this when they import Dask: their logs below ERROR stay quiet.
    "distributed.nanny.pre-spawn-environ.DASK_LOGGING__DISTRIBUTED": "error",
}
"""Dask settings for the LocalCluster that ``dist=dask`` starts (not for a user's cluster)."""


@contextlib.contextmanager
def _quiet_dask_logs() -> Iterator[None]:
    """Dask's own news (workers starting, closing, restarting) below ERROR stays out of the
    run's output: Hydra sends the root logger to stdout, and Dask's loggers propagate."""
    loggers = [logging.getLogger(name) for name in ("distributed", "dask")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _run_dask(fn, ranges: list, settings: DistSettings, done: Callable) -> list:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ConfigError(
            "dist=dask needs Dask distributed: pip install 'legache-sim[dask]'"
        ) from None
    import dask

    with contextlib.ExitStack() as stack:
        stack.enter_context(_quiet_dask_logs())
        if settings.address is None:
            stack.enter_context(dask.config.set(LOCAL_CLUSTER_CONFIG))
            # Its worker processes ignore Ctrl-C from their first import of sim (sim/__init__):
            # Ctrl-C is this process's; it cancels the shards and closes the cluster. One
            # that comes while the cluster starts is held until the cluster is whole, so
            # that the exit stack closes it (cut off half-built, Dask's own exit handler
            # fails with a traceback).
            workers = resolve_workers(settings.workers)
            with sigint_deferred():
                cluster = stack.enter_context(
                    LocalCluster(
                        n_workers=workers,
                        threads_per_worker=1,
                        processes=True,
                        # Its HTTP routes (and dashboard, if bokeh is installed) on a free
                        # port of this machine only, never a fixed one another program holds.
                        dashboard_address="127.0.0.1:0",
                        silence_logs=logging.ERROR,
                        env=thread_env(workers),
                    )
                )
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(settings.address, timeout="10s"))
            except OSError as exc:
                raise ConfigError(
                    f"dist.address={settings.address} is unreachable: {exc}"
                ) from None
        futures = {
            client.submit(
                fn,
                r,
                key=f"shard-{i}-{os.getpid()}-{id(ranges)}",
                retries=settings.retries,
                pure=False,
            ): i
            for i, r in enumerate(ranges)
        }
        results: list = [None] * len(ranges)
        try:
            for future in as_completed(futures):
                index = futures[future]
                results[index] = future.result()
                done(index, results[index])
        except BaseException:
            client.cancel(list(futures), force=True)
            raise
        return results


__all__ = ["DISTS", "DistSettings", "dist_settings", "run_shards"]
