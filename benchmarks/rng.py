"""Counter-based generator benchmark: nanoseconds per draw, Philox-4x32-10 vs the old hash.

Run with ``make bench`` (all benchmarks) or ``python -m benchmarks.rng [--n 1000000]``.

Times, in one process on one thread, the fastest of ``--repeat`` runs of each:

- ``uniform f32``: a ShardStreams-style (n, k) float32 fill of uniforms (Philox: one call per
  four columns, ``sim.rng._fill``);
- ``uniform scalar``: ``uniform_at`` once per number with a run-time index (Philox: one
  call per number, three of its four words unused: the worst case);
- ``normal f32``: the same fill of ziggurat normals (Philox: one call per two columns).

The old generator (before issue 12: SplitMix64's finaliser of ``key + counter * golden``,
the same ziggurat on one 64-bit hash, retries hashing the counter again) is kept here, and
only here, as the reference. Ratios are new / old, from the same run.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from benchmarks.common import save_figures
from sim import rng
from sim.jit import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_RETRY = np.uint64(0xD1B54A32D192ED03)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S = (np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(22), np.uint64(10))
_S8, _S12 = np.uint64(8), np.uint64(12)
_MASK8, _MASK52, _ONE = np.uint64(0xFF), np.uint64(0x000FFFFFFFFFFFFF), np.uint64(1)


@njit
def _old_bits(key, patient, night, index, retry):
    c = (np.uint64(patient) << _S[3]) | (np.uint64(night) << _S[4]) | np.uint64(index)
    z = key + c * _GOLDEN + np.uint64(retry) * _RETRY
    z = (z ^ (z >> _S[0])) * _M1
    z = (z ^ (z >> _S[1])) * _M2
    return z ^ (z >> _S[2])


@njit
def _old_unit(h):
    return (float(np.int64(h >> _S12)) + 0.5) * 2.0**-52


@njit
def _old_normal(key, patient, night, index):
    retry = 0
    x = 0.0
    while retry < 4096:
        h = _old_bits(key, patient, night, index, retry)
        retry += 1
        layer = int(h & _MASK8)
        sign = (h >> _S8) & _ONE
        magnitude = (h >> _S12) & _MASK52
        x = float(np.int64(magnitude)) * rng._ZW[layer]
        if sign:
            x = -x
        if magnitude < rng._ZK[layer]:
            return x
        if layer == 0:
            while retry < 4096:
                xx = -math.log1p(-_old_unit(_old_bits(key, patient, night, index, retry)))
                xx /= rng.ZIGGURAT_R
                yy = -math.log1p(-_old_unit(_old_bits(key, patient, night, index, retry + 1)))
                retry += 2
                if yy + yy > xx * xx:
                    return -(rng.ZIGGURAT_R + xx) if sign else rng.ZIGGURAT_R + xx
        else:
            u = _old_unit(_old_bits(key, patient, night, index, retry))
            retry += 1
            if (rng._ZF[layer - 1] - rng._ZF[layer]) * u + rng._ZF[layer] < math.exp(-0.5 * x * x):
                return x
    return x


@njit
def _old_fill(normal, key, start, call, out):
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            if normal:
                out[i, j] = _old_normal(key, start + i, call, j)
            else:
                u = _old_unit(_old_bits(key, start + i, call, j, 0))
                out[i, j] = min(max(u, rng._TINY), rng._BELOW_ONE)


@njit
def _old_scalar(key, n, k):
    total = 0.0
    for i in range(n):
        for j in range(k):
            total += _old_unit(_old_bits(key, i, 3, j, 0))
    return total


@njit
def _new_scalar(key, n, k):
    total = 0.0
    for i in range(n):
        for j in range(k):
            total += rng.uniform_at(key, i, 3, j)
    return total


def _fastest(fn, repeat: int) -> float:
    fn()  # compile or load
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def measure(n: int, k: int, repeat: int) -> dict:
    key = rng.counter_key(1, "bench")
    out = np.empty((n, k), dtype=np.float32)
    draws = n * k
    k_runtime = np.int64(k)  # a run-time index: no block sharing in the scalar loop
    cases = {
        "uniform f32": (
            lambda: _old_fill(False, key, 0, 3, out),
            lambda: rng._fill(False, key, 0, 3, out),
        ),
        "uniform scalar": (
            lambda: _old_scalar(key, n, k_runtime),
            lambda: _new_scalar(key, n, k_runtime),
        ),
        "normal f32": (
            lambda: _old_fill(True, key, 0, 3, out),
            lambda: rng._fill(True, key, 0, 3, out),
        ),
    }
    results = {}
    for name, (old, new) in cases.items():
        t_old, t_new = _fastest(old, repeat), _fastest(new, repeat)
        results[name] = {
            "old_ns": 1e9 * t_old / draws,
            "philox_ns": 1e9 * t_new / draws,
            "ratio": t_new / t_old,
        }
    return {"n": n, "k": k, "repeat": repeat, "draws": draws, "cases": results}


def main(n: int = 1_000_000, k: int = 4, repeat: int = 7) -> dict:
    result = measure(n, k, repeat)
    print(f"counter-based draws, ns per number ({n} x {k}, fastest of {repeat}, one thread):")
    print(f"  {'':16s} {'old hash':>9s} {'Philox':>9s} {'ratio':>7s}")
    for name, r in result["cases"].items():
        print(f"  {name:16s} {r['old_ns']:9.2f} {r['philox_ns']:9.2f} {r['ratio']:7.2f}")
    save_figures("rng", result)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    main(args.n, args.k, args.repeat)
