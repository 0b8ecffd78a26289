"""Output folders: never delete what is not ours, one run at a time, a manifest that proves
what was written (sim.tables.output)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sim.tables.output import (
    INCOMPLETE,
    MANIFEST,
    OutputError,
    file_checksum,
    is_ours,
    output_dir,
    preflight,
    run_lock,
)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _write_ours(out: Path, text: str = "a") -> None:
    with output_dir(out, tool="test", overwrite=True) as run:
        (run.tmp / "a.txt").write_text(text)


@pytest.mark.parametrize("out", ["", "   ", None])
def test_empty_out_is_refused(out) -> None:
    with pytest.raises(OutputError, match=r"^out is empty"):
        preflight(out)


def test_the_working_folder_and_its_ancestors_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "clone"
    (work / ".git").mkdir(parents=True)
    monkeypatch.chdir(work)
    before = _snapshot(tmp_path)
    for out in (".", "..", str(work), str(tmp_path), "/"):
        with pytest.raises(OutputError, match="is refused: it is (the current folder|an ancestor)"):
            with output_dir(out, tool="test", overwrite=True) as run:
                (run.tmp / "x").write_text("x")
    assert _snapshot(tmp_path) == before
    assert sorted(p.name for p in work.iterdir()) == [".git"]


def test_the_home_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path.parent)
    with pytest.raises(OutputError, match="is refused: it is the home folder"):
        preflight("~", overwrite=True)


def test_a_folder_holding_an_input_is_refused(tmp_path: Path) -> None:
    rules = tmp_path / "mine" / "rules.yaml"
    rules.parent.mkdir()
    rules.write_text("rules: []\n")
    for out in (rules.parent, tmp_path, rules):
        with pytest.raises(OutputError, match="holds an input of this run"):
            preflight(out, overwrite=True, inputs=[rules])
    assert rules.read_text() == "rules: []\n"


def test_a_folder_that_is_not_ours_is_never_replaced(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "thesis.md").write_text("two years of work")
    for overwrite in (False, True):
        with pytest.raises(OutputError, match="holds no manifest.json of this tool"):
            with output_dir(notes, tool="test", overwrite=overwrite) as run:
                (run.tmp / "x").write_text("x")
    assert _snapshot(notes) == {"thesis.md": b"two years of work"}
    assert [p.name for p in tmp_path.iterdir()] == ["notes"]


def test_a_fake_manifest_is_not_ours(tmp_path: Path) -> None:
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / MANIFEST).write_text(json.dumps({"generator": "someone-else"}))
    assert not is_ours(folder)
    (folder / MANIFEST).write_text("not json")
    assert not is_ours(folder)
    with pytest.raises(OutputError, match="holds no manifest.json"):
        preflight(folder, overwrite=True)


def test_our_folder_is_replaced_only_with_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _write_ours(out, "first")
    before = _snapshot(out)
    with pytest.raises(OutputError, match="already holds an earlier run.*overwrite=true"):
        with output_dir(out, tool="test") as run:
            (run.tmp / "a.txt").write_text("second")
    assert _snapshot(out) == before
    _write_ours(out, "second")
    assert (out / "a.txt").read_text() == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    with output_dir(out, tool="test") as run:
        (run.tmp / "a.txt").write_text("a")
    assert (out / "a.txt").read_text() == "a"
    assert is_ours(out)


def test_the_manifest_proves_every_file(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with output_dir(out, tool="test", config={"cohort": {"seed": 3}}) as run:
        (run.tmp / "nights").mkdir()
        (run.tmp / "nights" / "part-0.parquet").write_bytes(b"0" * 100)
        (run.tmp / "patients.parquet").write_bytes(b"p" * 10)
        run.record(tables={"patients": 4, "nights": 8}, seed=3, timings={"simulate": 1.5})
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["generator"] == "legache-sim" and manifest["tool"] == "test"
    assert manifest["seed"] == 3 and manifest["config"] == {"cohort": {"seed": 3}}
    assert manifest["tables"]["nights"] == {"rows": 8, "files": ["nights/part-0.parquet"]}
    assert manifest["tables"]["patients"]["files"] == ["patients.parquet"]
    assert set(manifest["files"]) == {"nights/part-0.parquet", "patients.parquet"}
    for rel, entry in manifest["files"].items():
        assert entry == file_checksum(out / rel)
    assert manifest["timings"]["simulate"] == 1.5
    assert not (out / INCOMPLETE).exists()


def test_a_second_run_into_the_same_out_fails_at_once(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with run_lock(out):
        with pytest.raises(OutputError, match=rf"in use by another run \(pid {os.getpid()}\)"):
            with output_dir(out, tool="test") as run:
                (run.tmp / "x").write_text("x")
    assert not out.exists()
    _write_ours(out)  # the lock is released with its holder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_failed_run_leaves_the_previous_output_and_no_debris(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _write_ours(out, "kept")
    before = _snapshot(out)
    for error in (RuntimeError("crash"), KeyboardInterrupt()):
        with pytest.raises(type(error)):
            with output_dir(out, tool="test", overwrite=True) as run:
                (run.tmp / "a.txt").write_text("half")
                raise error
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_stale_folders_of_dead_runs_are_cleaned_and_others_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "run"
    dead = tmp_path / ".run.tmp-deadbeef"
    dead.mkdir()
    (dead / INCOMPLETE).write_text('{"pid": 1}')
    (dead / "nights.parquet").write_bytes(b"x" * 1000)
    unknown = tmp_path / ".run.tmp-notours"  # no marker: not ours to delete
    unknown.mkdir()
    (unknown / "keep.txt").write_text("keep")
    _write_ours(out)
    assert not dead.exists()
    assert (unknown / "keep.txt").read_text() == "keep"
    assert ".run.tmp-deadbeef" in capsys.readouterr().err


def test_an_out_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("not a folder")
    with pytest.raises(OutputError, match="out=.*not a folder"):
        preflight(target, overwrite=True)
    assert target.read_text() == "not a folder"


def test_an_unwritable_parent_is_refused_before_any_work(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        parent = Path("/proc/self/sim-out")  # not even root can create folders here
    else:
        parent = tmp_path / "ro"
        parent.mkdir(mode=0o500)
    with pytest.raises(OutputError, match="is not writable"):
        with output_dir(parent / "run", tool="test") as run:
            (run.tmp / "x").write_text("x")


def _killed_run(out: Path, digest: str, parts: dict[str, bytes]) -> Path:
    """The temporary folder a killed run leaves: parts and a journal entry per part."""
    tmp = out.parent / f".{out.name}.tmp-{digest[:8]}"
    tmp.mkdir()
    lines = [json.dumps({"pid": 1, "tool": "test", "digest": digest})]
    for i, (rel, data) in enumerate(parts.items()):
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_bytes(data)
        lines.append(json.dumps({"shard": [i, i + 1], "parts": {rel: file_checksum(tmp / rel)}}))
    (tmp / "half.parquet").write_bytes(b"not journalled")
    (tmp / INCOMPLETE).write_text("\n".join(lines) + '\n{"shard": [9, 1')  # torn last line
    return tmp


def test_resume_adopts_only_the_same_config_and_only_proven_parts(tmp_path: Path) -> None:
    out = tmp_path / "run"
    parts = {"nights/part-0.parquet": b"a" * 50, "nights/part-1.parquet": b"b" * 50}
    tmp = _killed_run(out, "digest-a", parts)
    (tmp / "nights/part-1.parquet").write_bytes(b"B" * 50)  # damaged after its checksum
    with output_dir(out, tool="test", resume=True, digest="digest-a") as run:
        assert run.tmp == tmp
        assert [e["shard"] for e in run.resumed] == [[0, 1]]
        assert sorted(p.name for p in (tmp / "nights").iterdir()) == ["part-0.parquet"]
        assert not (tmp / "half.parquet").exists()
    assert (out / "nights/part-0.parquet").read_bytes() == b"a" * 50
    # Another config's leftovers are never adopted: removed as debris.
    other = _killed_run(tmp_path / "run2", "digest-b", parts)
    with output_dir(tmp_path / "run2", tool="test", resume=True, digest="digest-a") as run:
        assert run.resumed == [] and run.tmp != other
    assert not other.exists()


def test_a_swap_cut_off_between_its_renames_is_mended(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Killed after ``out`` was renamed aside and before the new folder took its place: the
    previous dataset is put back; once ``out`` exists again, an aside copy of ours goes."""
    out = tmp_path / "run"
    _write_ours(out, "previous")
    aside = tmp_path / ".run.old-deadbeef"
    out.rename(aside)
    with pytest.raises(OutputError, match="already holds an earlier run"):
        with output_dir(out, tool="test") as run:  # put back first, so refused without overwrite
            (run.tmp / "a.txt").write_text("new")
    assert (out / "a.txt").read_text() == "previous" and not aside.exists()
    assert ".run.old-deadbeef" in capsys.readouterr().err
    # An aside copy of ours beside a complete out (the old folder's removal was cut off).
    _write_ours(aside, "older")
    _write_ours(out, "newer")
    assert not aside.exists() and (out / "a.txt").read_text() == "newer"
    # Not ours: left alone.
    foreign = tmp_path / ".run.old-notours"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("keep")
    _write_ours(out, "newest")
    assert (foreign / "keep.txt").read_text() == "keep"
