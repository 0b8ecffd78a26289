"""Shared plumbing for the thin entry points in experiments/.

Usage::

    @hydra.main(config_path="../conf", config_name="generate", version_base="1.3")
    def main(cfg):
        with user_errors():
            ...

``user_errors`` turns configuration and output problems into one line on stderr and exit
status 2, with no traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from hydra.utils import to_absolute_path

from sim.config import ConfigError
from sim.tables.io import OutputError

USER_ERRORS: tuple[type[BaseException], ...] = (ConfigError, OutputError)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


def out_path(out: str) -> Path:
    """``out`` relative to the directory the command was started from."""
    return Path(to_absolute_path(str(out)))
