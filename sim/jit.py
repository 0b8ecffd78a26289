"""Compiling with numba: the project's ``njit`` and its disk cache.

Usage::

    from sim.jit import njit

    @njit
    def f(x):                     # compiled on first call, cached on disk
        return 2.0 * x

Compiled code is cached on disk (``SIM_NUMBA_CACHE``, default ``~/.cache/sim-numba``) in a
folder named by a hash of the ``sim`` sources (every ``*.py`` under ``sim/``, this module
and ``sim.rng`` included): numba's own cache only notices edits to the file of the
outermost function, not to the functions it inlines, so any edit under ``sim/`` starts a
fresh cache.

This module sits at the bottom of the package (it imports nothing from ``sim``), so that
``sim.rng`` and the model can both compile with it; ``sim.model.jit`` re-exports ``njit``.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from pathlib import Path

import numba

SOURCE_ROOT = Path(__file__).resolve().parent
"""The ``sim`` package folder: every ``*.py`` below it keys the compiled-code cache."""


def _source_hash() -> str:
    digest = hashlib.sha256(numba.__version__.encode())
    for path in sorted(SOURCE_ROOT.rglob("*.py")):
        digest.update(path.relative_to(SOURCE_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_dir() -> str:
    """A writable folder for this version of the sources (the temp folder as a fallback)."""
    base = os.environ.get("SIM_NUMBA_CACHE") or str(Path.home() / ".cache" / "sim-numba")
    for root in (Path(base), Path(tempfile.gettempdir()) / f"sim-numba-{os.getuid()}"):
        folder = root / _source_hash()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".probe-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
            return str(folder)
        except OSError:
            continue
    raise OSError(f"no writable folder for compiled code: set SIM_NUMBA_CACHE (tried {base})")


numba.config.CACHE_DIR = _cache_dir()
njit = functools.partial(numba.njit, cache=True, nogil=True, error_model="numpy", inline="always")
"""``numba.njit`` with the project's settings (disk cache, no GIL, numpy float errors)."""
