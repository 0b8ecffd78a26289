"""Shared plumbing for the thin entry points in experiments/.

Usage::

    @hydra.main(config_path="../conf", config_name="generate", version_base="1.3")
    def main(cfg):
        with user_errors():
            ...

``user_errors`` turns configuration and output problems into one line on stderr and exit
status 2, with no traceback; anything else is a bug and keeps its traceback. ``launch``
also turns Ctrl-C and SIGTERM into one line and exit status 130 / 143: the run's temporary
output is removed on the way out, and an earlier ``out`` is left as it was.
"""

from __future__ import annotations

import contextlib
import re
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from hydra.utils import to_absolute_path

from sim.config import ConfigError, compose_config, register_all
from sim.tables.output import OutputError

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
    signal.signal(signal.SIGTERM, _terminated)
    argv = sys.argv[1:]
    if not any(a in ("-m", "--multirun") for a in argv):
        overrides = [a for a in argv if not a.startswith("-") and not a.startswith("hydra")]
        try:
            compose_config(overrides, config_name=config_name)
        except Exception as exc:  # Hydra and OmegaConf raise many types; all are user input
            print(f"error: {_one_line(exc)}", file=sys.stderr)
            sys.exit(2)
    try:
        main()
    except KeyboardInterrupt:
        print(f"interrupted: {STOPPED}", file=sys.stderr)
        sys.exit(130)


STOPPED = "the run stopped and wrote nothing; an earlier output folder is unchanged"


class Terminated(SystemExit):
    """Raised by SIGTERM, so that ``finally`` blocks remove temporary output."""


def _terminated(signum, frame) -> None:
    print(f"terminated: {STOPPED}", file=sys.stderr)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends at once
    raise Terminated(143)


def _one_line(exc: BaseException) -> str:
    """The first line of the error and of its cause, plus Hydra's list of available
    options (``engine=turbo``: "... Could not find 'engine/turbo' (available: events,
    vectorised)")."""
    parts = []
    while exc is not None and len(parts) < 2:
        text = str(exc).strip()
        first = text.splitlines()
        if first and first[0] not in parts:
            parts.append(first[0].strip() + _available(text))
        exc = exc.__cause__ or exc.__context__
    return " ".join(parts) if parts else "invalid override"


def _available(text: str) -> str:
    """Hydra's "Available options in 'group':" block, as one parenthesis (our own
    structured ``base_*`` schemas are not options a user can choose)."""
    match = re.search(r"Available options in '[^']*':\n((?:\t.*\n?)+)", text)
    if not match:
        return ""
    names = [n.strip() for n in match.group(1).splitlines() if n.strip()]
    names = [n for n in names if not n.startswith("base_")]
    return f" (available: {', '.join(names)})" if names else ""


def out_path(out: str) -> Path:
    """``out`` relative to the directory the command was started from (never empty)."""
    if out is None or not str(out).strip():
        raise OutputError("out is empty: give a new folder, e.g. out=outputs/run1")
    return Path(to_absolute_path(str(out)))
