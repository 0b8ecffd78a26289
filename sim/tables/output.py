"""Output folders that can be trusted: never delete what is not ours, one run at a time.

Usage::

    with output_dir("runs/a", tool="generate", config=cfg, overwrite=False) as run:
        write_parquet(df, run.tmp / "patients.parquet")
        run.record(tables={"patients": df.height}, seed=7)
    # runs/a now holds the files and manifest.json; on any error nothing changed

The rules, checked before any work is done:

- ``out`` may not be empty, the home folder, the folder the command runs from or any of
  its ancestors, or a folder that holds an input of the run (a rule file, ``from_dir``).
- An existing ``out`` is replaced only when it is empty, or holds this tool's
  ``manifest.json`` and ``overwrite=true`` was given. Anything else is refused in one line.
- A lock (``.<name>.lock`` beside ``out``, an advisory ``flock`` the kernel releases when
  the process dies, even by SIGKILL) makes a second run into the same ``out`` fail at once.
- Everything is written into a hidden temporary folder ``.<name>.tmp-<tag>`` that carries
  an ``.incomplete`` marker; ``manifest.json`` (file list, sizes, SHA-256 checksums, row
  counts, config, seed, timings) is written last and the folder renamed into place. A
  killed run leaves only that marked temporary folder, which the next run into the same
  ``out`` removes (it holds the lock, so no live run owns it) and reports. A run stopped
  between the two renames of the final swap leaves the earlier ``out`` aside as
  ``.<name>.old-<tag>``: the next run puts it back (or removes it once ``out`` exists).
- The marker is also the run's journal: one JSON line per finished shard with its parts'
  row counts and checksums. ``resume=true`` adopts the temporary folder of a killed run of
  the same configuration (same ``digest``) instead of removing it, keeps each part whose
  file still has its journalled size and checksum, and deletes everything else in it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
"""Written last into every output folder; its presence marks a complete run of ours."""
INCOMPLETE = ".incomplete"
"""Marker inside a temporary folder while a run writes it."""
GENERATOR = "legache-sim"
"""``generator`` field of every manifest: how we recognise our own folders."""


class OutputError(OSError):
    """The output folder cannot be used; the message names the ``out`` key."""


def resolve_out(
    out: str | Path | None,
    *,
    key: str = "out",
    inputs: Iterable[str | Path] = (),
    cwd: str | Path | None = None,
) -> Path:
    """The absolute ``out`` folder, or ``OutputError`` if writing there could destroy
    something: empty, the home folder, the working folder or an ancestor of it, a folder
    holding an input of the run, or an existing file."""
    if out is None or not str(out).strip():
        raise OutputError(f"{key} is empty: give a new folder, e.g. {key}=outputs/run1")
    path = Path(str(out)).expanduser().resolve()
    here = Path(cwd if cwd is not None else os.getcwd()).resolve()
    if path == Path.home().resolve():
        raise OutputError(f"{key}={out} is refused: it is the home folder")
    if path == here or path in here.parents:
        what = "the current folder" if path == here else "an ancestor of the current folder"
        raise OutputError(f"{key}={out} is refused: it is {what}; give a new folder inside it")
    for item in inputs:
        source = Path(item).expanduser().resolve()
        if source == path or path in source.parents:
            raise OutputError(
                f"{key}={out} is refused: it holds an input of this run ({source}); "
                "give another folder"
            )
    if path.exists() and not path.is_dir():
        raise OutputError(f"{key}={out} is invalid: it exists and is not a folder")
    return path


def is_ours(folder: Path) -> bool:
    """Whether ``folder`` holds a manifest written by this tool."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("generator") == GENERATOR


def check_replaceable(out: Path, *, overwrite: bool, key: str = "out") -> None:
    """Refuse an existing ``out`` unless it is empty, or ours and ``overwrite`` is set."""
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError(f"{key}={out} is invalid: it exists and is not a folder")
    if not any(out.iterdir()):
        return
    if not is_ours(out):
        raise OutputError(
            f"{key}={out} is refused: the folder exists and holds no {MANIFEST} of this tool, "
            "so it is not replaced; give a new folder"
        )
    if not overwrite:
        raise OutputError(
            f"{key}={out} already holds an earlier run ({MANIFEST}); "
            "add overwrite=true to replace it, or give a new folder"
        )


def preflight(
    out: str | Path | None,
    *,
    overwrite: bool = False,
    inputs: Iterable[str | Path] = (),
    key: str = "out",
) -> Path:
    """Every check ``output_dir`` makes before it writes, for a long run to make before
    its work rather than after it. Returns the absolute ``out``."""
    path = resolve_out(out, key=key, inputs=inputs)
    check_replaceable(path, overwrite=overwrite, key=key)
    return path


def _prepare_parent(out: Path, key: str) -> None:
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{key}={out} is not writable: {exc.strerror or exc}") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{key}={out} is not writable: no write permission on {parent}")


@contextlib.contextmanager
def run_lock(out: Path, *, key: str = "out") -> Iterator[Path]:
    """Hold ``.<name>.lock`` beside ``out`` for the run; a second holder fails at once.

    ``flock`` is released by the kernel when the process dies, so a killed run never leaves
    a lock that blocks the next one. The file is removed on release; a run that opened it
    just before is detected (its inode is no longer the path's) and retries.
    """
    lock_path = out.parent / f".{out.name}.lock"
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"{key}={out} is not writable: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read_small(fd)
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise OutputError(
                    f"{key}={out} is in use by another run{holder}: wait for it to finish, "
                    "or give another folder"
                ) from None
            raise OutputError(f"{key}={out} cannot be locked: {exc.strerror or exc}") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(lock_path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the previous holder removed the file after we opened it
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield lock_path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
        os.close(fd)


def _read_small(fd: int) -> str:
    with contextlib.suppress(OSError):
        pid = os.pread(fd, 32, 0).decode(errors="replace").strip()
        if pid.isdigit():
            return f" (pid {pid})"
    return ""


def stale_folders(out: Path) -> list[Path]:
    """Temporary folders of dead runs into ``out``: named ``.<name>.tmp-*`` and carrying
    our ``.incomplete`` marker (call with the lock held, so no live run owns them)."""
    return [
        tmp
        for tmp in sorted(out.parent.glob(f".{out.name}.tmp-*"))
        if tmp.is_dir() and not tmp.is_symlink() and (tmp / INCOMPLETE).is_file()
    ]


def clean_stale(out: Path, keep: Path | None = None) -> list[Path]:
    """Remove the temporary folders of dead runs into ``out`` but ``keep``; each removal is
    reported on stderr. Returns what was removed."""
    removed = []
    for tmp in stale_folders(out):
        if tmp != keep:
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp)
            print(f"note: removed {tmp.name}, left by a run that was killed", file=sys.stderr)
    return removed


def mend_swap(out: Path) -> None:
    """Folders ``.<name>.old-*`` holding our manifest are an earlier ``out`` that a swap put
    aside (call with the lock held). If ``out`` is missing, a run was stopped between the
    swap's two renames: the newest is put back. The others are removed. Each step is
    reported on stderr; folders without our manifest are left alone."""
    asides = [
        p
        for p in sorted(out.parent.glob(f".{out.name}.old-*"))
        if p.is_dir() and not p.is_symlink() and is_ours(p)
    ]
    if asides and not out.exists():
        newest = max(asides, key=lambda p: p.stat().st_mtime)
        newest.rename(out)
        asides.remove(newest)
        print(
            f"note: put {newest.name} back as {out.name}: a run stopped while replacing it",
            file=sys.stderr,
        )
    for aside in asides:
        shutil.rmtree(aside, ignore_errors=True)
        print(f"note: removed {aside.name}, an earlier output already replaced", file=sys.stderr)


def read_journal(tmp: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header and the shard entries of a temporary folder's journal (a torn last line,
    from a kill mid-write, is dropped)."""
    header: dict[str, Any] = {}
    entries = []
    with contextlib.suppress(OSError):
        for number, line in enumerate((tmp / INCOMPLETE).read_text().splitlines()):
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if number == 0:
                header = item if isinstance(item, dict) else {}
            elif isinstance(item, dict):
                entries.append(item)
    return header, entries


def _adopt(tmp: Path, digest: str) -> list[dict[str, Any]]:
    """Keep the journalled parts of ``tmp`` whose files still match their checksums; delete
    every other file in it. Returns the entries kept."""
    _, entries = read_journal(tmp)
    kept, keep_files = [], set()
    for entry in entries:
        parts = entry.get("parts") or {}
        if parts and all(
            (tmp / rel).is_file()
            and file_checksum(tmp / rel)
            == {"bytes": meta.get("bytes"), "sha256": meta.get("sha256")}
            for rel, meta in parts.items()
        ):
            kept.append(entry)
            keep_files.update(parts)
    for path in sorted(tmp.rglob("*"), reverse=True):  # children before their folders
        rel = path.relative_to(tmp).as_posix()
        if path.is_dir():
            with contextlib.suppress(OSError):
                path.rmdir()  # only when empty
        elif rel not in keep_files:
            path.unlink()
    header = {"pid": os.getpid(), "digest": digest, "resumed": True}
    lines = [json.dumps(header)] + [json.dumps(e) for e in kept]
    (tmp / INCOMPLETE).write_text("\n".join(lines) + "\n")
    return kept


def file_checksum(path: Path) -> dict[str, Any]:
    """Size and SHA-256 of one file (for the manifest)."""
    with open(path, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    return {"bytes": path.stat().st_size, "sha256": digest}


def _version() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version(GENERATOR)
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        package = None
    commit = None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
        )
        if done.returncode == 0:
            commit = done.stdout.strip() or None
    return {"package": package, "commit": commit}


def _plain(config: Any) -> Any:
    if config is None:
        return None
    from omegaconf import DictConfig, OmegaConf

    if isinstance(config, DictConfig):
        return OmegaConf.to_container(config, resolve=True)
    return config


@dataclass
class OutputRun:
    """The run in progress: write under ``tmp``; ``record`` what the manifest should say."""

    out: Path
    tmp: Path
    tool: str
    config: Any = None
    started: float = field(default_factory=time.time)
    info: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    checksums: dict[str, dict[str, Any]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    resumed: list[dict[str, Any]] = field(default_factory=list)
    """Journal entries of the killed run this one resumes (their parts are verified)."""

    def journal(self, entry: Mapping[str, Any]) -> None:
        """Append one finished shard to the journal (what ``resume=true`` may keep)."""
        with open(self.tmp / INCOMPLETE, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, default=str) + "\n")

    def record(
        self,
        *,
        tables: Mapping[str, int] | None = None,
        timings: Mapping[str, float] | None = None,
        **info: Any,
    ) -> None:
        """Add row counts per table, timings in seconds and other facts (seed, shards...)."""
        for name, rows in (tables or {}).items():
            self.tables.setdefault(name, {})["rows"] = int(rows)
        self.timings.update({k: float(v) for k, v in (timings or {}).items()})
        self.info.update(info)

    def add_checksums(self, checksums: Mapping[str, Mapping[str, Any]]) -> None:
        """Checksums already computed (by shard workers), keyed by path relative to ``tmp``."""
        self.checksums.update({k: dict(v) for k, v in checksums.items()})

    def manifest(self) -> dict[str, Any]:
        files = {}
        for path in sorted(p for p in self.tmp.rglob("*") if p.is_file()):
            rel = path.relative_to(self.tmp).as_posix()
            if rel in (MANIFEST, INCOMPLETE):
                continue
            files[rel] = self.checksums.get(rel) or file_checksum(path)
        for name, entry in self.tables.items():
            entry["files"] = [
                f for f in files if f == f"{name}.parquet" or f.startswith(f"{name}/")
            ]
        now = time.time()
        return {
            "generator": GENERATOR,
            "tool": self.tool,
            "version": _version(),
            "created": dt.datetime.fromtimestamp(now, dt.UTC).isoformat(timespec="seconds"),
            **self.info,
            "tables": self.tables,
            "files": files,
            "timings": {**self.timings, "total_seconds": round(now - self.started, 3)},
            "config": _plain(self.config),
        }


@contextlib.contextmanager
def output_dir(
    out: str | Path | None,
    *,
    tool: str,
    config: Any = None,
    overwrite: bool = False,
    inputs: Iterable[str | Path] = (),
    key: str = "out",
    cwd: str | Path | None = None,
    resume: bool = False,
    digest: str | None = None,
) -> Iterator[OutputRun]:
    """Yield an ``OutputRun`` whose temporary folder becomes ``out`` only if the block
    succeeds (see the module docstring for the rules). On an error, Ctrl-C or SIGTERM the
    temporary folder is removed and an earlier ``out`` is left as it was.

    ``resume`` with a ``digest`` of the configuration adopts the temporary folder of a
    killed run with the same digest (``run.resumed`` lists its verified shards)."""
    path = resolve_out(out, key=key, inputs=inputs, cwd=cwd)
    check_replaceable(path, overwrite=overwrite, key=key)
    _prepare_parent(path, key)
    with run_lock(path, key=key):
        mend_swap(path)
        adopted = None
        if resume and digest is not None:
            matching = [
                t for t in stale_folders(path) if read_journal(t)[0].get("digest") == digest
            ]
            adopted = max(matching, key=lambda t: t.stat().st_mtime, default=None)
        clean_stale(path, keep=adopted)
        check_replaceable(path, overwrite=overwrite, key=key)  # again, now that we hold it
        tag = uuid.uuid4().hex[:8]
        if adopted is not None:
            tmp, tag = adopted, adopted.name.rsplit("-", 1)[-1]
        else:
            tmp = path.parent / f".{path.name}.tmp-{tag}"
            try:
                tmp.mkdir()
            except OSError as exc:
                raise OutputError(f"{key}={out} is not writable: {exc.strerror or exc}") from None
        run = OutputRun(path, tmp, tool, config)
        try:
            if adopted is not None:
                run.resumed = _adopt(tmp, digest)
                print(
                    f"note: resuming {tmp.name}: {len(run.resumed)} finished shards kept",
                    file=sys.stderr,
                )
            else:
                header = {"pid": os.getpid(), "tool": tool, "digest": digest}
                (tmp / INCOMPLETE).write_text(json.dumps(header) + "\n")
            yield run
            text = json.dumps(run.manifest(), indent=2, sort_keys=False, default=str)
            (tmp / MANIFEST).write_text(text + "\n", encoding="utf-8")
            (tmp / INCOMPLETE).unlink()
            _swap(tmp, path, tag)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _swap(tmp: Path, out: Path, tag: str) -> None:
    """Put ``tmp`` in place of ``out``; the previous ``out`` (empty or ours) is removed."""
    if not out.exists():
        tmp.rename(out)
        return
    old = out.parent / f".{out.name}.old-{tag}"
    out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


__all__ = [
    "GENERATOR",
    "INCOMPLETE",
    "MANIFEST",
    "OutputError",
    "OutputRun",
    "check_replaceable",
    "clean_stale",
    "file_checksum",
    "is_ours",
    "mend_swap",
    "output_dir",
    "preflight",
    "resolve_out",
    "read_journal",
    "run_lock",
    "stale_folders",
]
