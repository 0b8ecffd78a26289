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
from collections.abc import Callable, Iterator
from pathlib import Path

from hydra.utils import to_absolute_path

from sim.config import ConfigError, compose_config, register_all
from sim.tables.io import OutputError

USER_ERRORS: tuple[type[BaseException], ...] = (ConfigError, OutputError)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


def launch(main: Callable[[], None], config_name: str) -> None:
    """Run a ``@hydra.main`` entry point after checking that its overrides compose.

    Hydra reports a bad override (an unknown key, a value of the wrong type) in several
    lines; this turns it into one ``error:`` line and exit status 2, like ``user_errors``.
    Multirun sweeps (``-m``) are left to Hydra.
    """
    register_all()
    argv = sys.argv[1:]
    if not any(a in ("-m", "--multirun") for a in argv):
        overrides = [a for a in argv if not a.startswith("-") and not a.startswith("hydra")]
        try:
            compose_config(overrides, config_name=config_name)
        except Exception as exc:  # Hydra and OmegaConf raise many types; all are user input
            print(f"error: {_one_line(exc)}", file=sys.stderr)
            sys.exit(2)
    main()


def _one_line(exc: BaseException) -> str:
    parts = []
    while exc is not None and len(parts) < 2:
        first = str(exc).strip().splitlines()
        if first and first[0] not in parts:
            parts.append(first[0].strip())
        exc = exc.__cause__ or exc.__context__
    return " ".join(parts) if parts else "invalid override"


def out_path(out: str) -> Path:
    """``out`` relative to the directory the command was started from."""
    return Path(to_absolute_path(str(out)))
