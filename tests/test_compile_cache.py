"""The compiled model is loaded from the disk cache by every later process, never compiled
again (a shard worker, a CLI run or a test subprocess that compiles spends 50-90 s).

Deterministic: a subprocess simulates a small cohort with both engines and reports the
cache misses of the engines' compiled entry points; the second such process must have none.
(Numba's cache index pickles argument types by reference: a type it cannot find by name,
such as a named tuple class made inside a function, makes every process compile again.)
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers import REPO

_SCRIPT = """
import json
from sim.config import compose_config
from sim.pipeline import simulate_cohort
from sim.engines import events, vectorised
from sim.model import night_state
for engine in ("vectorised", "events"):
    simulate_cohort(compose_config(["cohort.n=64", "cohort.nights=2", "engine.name=" + engine]))
misses = {
    "vectorised._simulate": vectorised._simulate.stats.cache_misses,
    "events._diary_rows": events._diary_rows.stats.cache_misses,
    "night_state._advance": night_state._advance.stats.cache_misses,
}
print(json.dumps({k: sum(v.values()) for k, v in misses.items()}))
"""


def _misses() -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], cwd=REPO, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_second_process_loads_the_model_from_the_cache():
    _misses()  # compiles into the cache if this checkout's sources are new to it
    assert _misses() == {
        "vectorised._simulate": 0,
        "events._diary_rows": 0,
        "night_state._advance": 0,
    }
