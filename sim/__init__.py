"""legache-sim: synthetic patients whose legs ache when lying down (see README.md).

In a worker process that multiprocessing spawned (our process pool, or a Dask
LocalCluster's), Ctrl-C is ignored from the first import of ``sim``, which happens while the
worker starts: the terminal sends Ctrl-C to every process of the run, and the parent handles
it (it stops its workers and removes the run's temporary output), so a worker must neither
die with a traceback of its own nor outlive it.
"""

import signal as _signal
import sys as _sys
import threading as _threading


def _spawned_worker() -> bool:
    """Whether this process was started by multiprocessing's spawn (while it starts, its
    ``parent_process()`` is not set yet; its command line says it)."""
    return any("multiprocessing.spawn" in arg for arg in getattr(_sys, "orig_argv", ()))


if _spawned_worker() and _threading.current_thread() is _threading.main_thread():
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)

# The mechanism registry registers each mechanism's parameters into the config tree
# (``model.mechanisms.<name>``, sim.config.register_mechanism): every import of ``sim``
# loads it, so a config is never composed without them.
from sim.model import mechanisms as _mechanisms  # noqa: E402, F401
