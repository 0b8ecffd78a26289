"""Shared benchmark settings."""

ONE_THREAD = {
    "POLARS_MAX_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
"""Environment that pins polars, numpy and BLAS to one thread: a "one core" measurement."""
