"""Shared benchmark settings and the one place figures are written."""

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
"""Where every benchmark writes its figures (``benchmarks/results/<name>.json``)."""

ONE_THREAD = {
    "POLARS_MAX_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
"""Environment that pins polars, numpy and BLAS to one thread: a "one core" measurement."""


def save_figures(name: str, figures: Any) -> Path:
    """Write ``figures`` as ``benchmarks/results/<name>.json`` (indented; values JSON does
    not know, such as dates or enums, as strings) and return the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return path
