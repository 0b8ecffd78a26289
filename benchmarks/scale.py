"""Scale-out benchmark: 100,000,000 patient-nights with ``dist=local`` and ``dist=dask``.

Run with ``make bench`` (all benchmarks) or ``python -m benchmarks.scale``.

Each run is a fresh process that simulates and writes the tables as ``generate`` does
(shards write their own Parquet parts, checksummed; the manifest is written; no report)
into a temporary folder, then deletes it. Runs:

- ``local_1``: one core, in-process (polars and numpy pinned to one thread);
- ``local_all``: ``dist=local`` on every core (the process pool);
- ``dask_all``: ``dist=dask`` on a ``LocalCluster`` of one single-threaded worker per core.

Each run is repeated ``--repeat`` times in rounds (every run once, then again) and the
fastest counts. Peak RSS is reported per process: the calling process and every process
that simulated shards (each shard reports its process's peak). Targets (issue 11): Dask
within 15% of the local pool, all cores >= 1.7x one core, every process under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ONE_THREAD, save_figures

PATIENT_NIGHTS = 100_000_000


def _run(n: int, nights: int, dist: str, workers: int) -> dict:
    from sim.config import compose_config, validate
    from sim.pipeline import shard_options, simulate_shard, write_tables
    from sim.tables.dist import dist_settings
    from sim.tables.output import output_dir

    overrides = [f"cohort.n={n}", f"cohort.nights={nights}", f"dist={dist}"]
    overrides.append(f"engine.workers={workers}" if dist == "local" else f"dist.workers={workers}")
    cfg = compose_config(overrides)
    cohort = validate(cfg)
    options = shard_options(cfg, cohort)
    t_load = time.perf_counter()
    simulate_shard((0, 64), options)  # load the compiled model before the clock, like imports
    load = time.perf_counter() - t_load
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        t0 = time.perf_counter()
        with output_dir(Path(tmp) / "run", tool="benchmark-scale", config=cfg) as run:
            written = write_tables(options, run.tmp, dist_settings(cfg), run=run, progress=False)
            run.add_checksums(written.parts)
        seconds = time.perf_counter() - t0
        size = sum(p["bytes"] for p in written.parts.values())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    caller = usage.ru_maxrss / 1024
    return {
        "seconds": seconds,
        "patient_nights": n * nights,
        "rate": n * nights / seconds,
        "shards": written.shards,
        "bytes": size,
        "load_seconds": load,
        "caller_rss_mb": caller,
        "caller_cpu_seconds": usage.ru_utime + usage.ru_stime,
        "shard_process_rss_mb": sorted(written.max_rss_mb.values()),
        "max_rss_mb_per_process": max([caller, *written.max_rss_mb.values()]),
    }


RUNS = (("local_1", "local", 1), ("local_all", "local", 0), ("dask_all", "dask", 0))


def run_once(name: str, dist: str, workers: int, n: int, nights: int) -> dict:
    env = dict(os.environ)
    if workers == 1:
        env.update(ONE_THREAD)
    cmd = [
        sys.executable, "-m", "benchmarks.scale", "--one", dist, "--workers", str(workers),
        "--n", str(n), "--nights", str(nights),
    ]  # fmt: skip
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(patient_nights: int = PATIENT_NIGHTS, nights: int = 28, repeat: int = 2) -> dict:
    cores = os.cpu_count() or 1
    n = -(-patient_nights // nights)
    print(
        f"scale-out: {n:,} patients x {nights} nights = {n * nights:,} patient-nights, {cores} cores"
    )
    runs: dict[str, list[dict]] = {name: [] for name, _, _ in RUNS}
    for _ in range(repeat):
        for name, dist, workers in RUNS:
            runs[name].append(run_once(name, dist, workers, n, nights))
    best = {}
    for name, results in runs.items():
        best[name] = dict(min(results, key=lambda r: r["seconds"]))
        best[name]["all_seconds"] = [r["seconds"] for r in results]
    one, local, dask = best["local_1"], best["local_all"], best["dask_all"]
    summary = {
        "cores": cores,
        "patient_nights": n * nights,
        "local_1_seconds": one["seconds"],
        "local_all_seconds": local["seconds"],
        "dask_all_seconds": dask["seconds"],
        "local_1_rate": one["rate"],
        "local_all_rate": local["rate"],
        "dask_all_rate": dask["rate"],
        "all_cores_speedup": local["rate"] / one["rate"],
        "dask_over_local_time": dask["seconds"] / local["seconds"],
        "max_rss_mb_per_process": max(r["max_rss_mb_per_process"] for r in best.values()),
    }
    print(f"{'run':28s} {'seconds':>9s} {'pn/s':>12s} {'peak RSS per process (MB)':>30s}")
    for name, r in best.items():
        per = ", ".join(f"{mb:,.0f}" for mb in [r["caller_rss_mb"], *r["shard_process_rss_mb"]])
        print(f"{name:28s} {r['seconds']:9.1f} {r['rate']:12,.0f} {per:>30s}")
    targets = [
        ("dask / local pool (time)", summary["dask_over_local_time"], "<= 1.15"),
        ("all cores / one core (rate)", summary["all_cores_speedup"], ">= 1.7"),
        ("peak RSS, any process (MB)", summary["max_rss_mb_per_process"], "< 2000"),
    ]
    print(f"{'figure':40s} {'measured':>10s}  target")
    for name, value, target in targets:
        print(f"{name:40s} {value:10,.2f}  {target}")
    save_figures("scale", {"summary": summary, "runs": runs})
    return summary


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", choices=["local", "dask"], help="one run in this process")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--n", type=int, default=0)
    parser.add_argument("--nights", type=int, default=28)
    parser.add_argument("--patient-nights", type=int, default=PATIENT_NIGHTS)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_run(args.n, args.nights, args.one, args.workers)))
    else:
        main(args.patient_nights, args.nights, args.repeat)
