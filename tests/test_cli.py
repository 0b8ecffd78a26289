"""Bad input to ``python -m experiments.generate``: one clear line, non-zero exit, no output.

Every case runs the real command in a subprocess, from an empty working folder, with ``out``
inside another empty folder. It must exit non-zero, print exactly one line on stderr that
names the offending key and what is allowed, and leave both folders empty (no output
folder, no temporary or partial files). All cases start at once to share the import time.
More bad values are checked in-process, faster, in ``tests/test_config.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

TIMEOUT_S = 120


@dataclass(frozen=True)
class Case:
    overrides: tuple[str, ...]
    key: str
    """Text the error line must contain: the key."""
    allowed: str
    """Text the error line must contain: what is allowed (or why it failed)."""
    out: str | None = None
    """Fixed ``out``; by default a fresh folder under the case's own parent folder."""
    out_is_relative: bool = False
    """``out`` is given as typed, relative to the working folder (``.``, ``..``, empty)."""


BAD = {
    "n_negative": Case(("cohort.n=-1",), "cohort.n", "integer >= 1"),
    "n_not_a_number": Case(("cohort.n=abc",), "cohort.n", "integer >= 1"),
    "population_unknown": Case(
        ("cohort.population=foo",), "cohort.population", "general, presenting"
    ),
    "mix_sum_above_1": Case(
        ("cohort.cause_mix={rls:0.5,pad:0.6}",), "cohort.cause_mix", "sum to 1"
    ),
    "mix_unknown_cause": Case(("cohort.cause_mix={flu:1.0}",), "cohort.cause_mix.flu", "rls, pad"),
    "probability_above_1": Case(
        ("model.medication.causal_prob.statin=1.5",),
        "model.medication.causal_prob.statin",
        "[0, 1]",
    ),
    "out_unwritable": Case((), "out=/proc/forbidden/x", "not writable", out="/proc/forbidden/x"),
    "out_empty": Case((), "out is empty", "give a new folder", out="", out_is_relative=True),
    "out_cwd": Case((), "out=", "the current folder", out=".", out_is_relative=True),
    "out_ancestor": Case(
        (), "out=", "an ancestor of the current folder", out="..", out_is_relative=True
    ),
    "engine_unknown": Case(("engine=turbo",), "engine/turbo", "available: events, vectorised"),
}


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    cwd: Path
    parent: Path
    out: Path


def _start(case: Case, root: Path, name: str) -> tuple[subprocess.Popen, Path, Path, Path]:
    cwd = root / name / "cwd"
    parent = root / name / "parent"
    cwd.mkdir(parents=True)
    parent.mkdir()
    out = Path(case.out) if case.out and not case.out_is_relative else parent / "out"
    out_arg = case.out if case.out_is_relative else str(out)
    env = {**os.environ, "HYDRA_FULL_ERROR": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "experiments.generate", *case.overrides, f"out={out_arg}"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, cwd, parent, out


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Run]:
    """Run every case concurrently; results by case name."""
    root = tmp_path_factory.mktemp("cli")
    started = {name: _start(case, root, name) for name, case in BAD.items()}
    results = {}
    for name, (proc, cwd, parent, out) in started.items():
        stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
        results[name] = Run(proc.returncode, stdout, stderr, cwd, parent, out)
    return results


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_fails_cleanly(runs, name: str) -> None:
    case, run = BAD[name], runs[name]
    assert run.returncode != 0, f"exit 0 for {case.overrides}"
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{run.stderr}"
    assert case.key in lines[0], lines[0]
    assert case.allowed in lines[0], lines[0]
    assert "Traceback" not in run.stdout
    assert list(run.parent.iterdir()) == [], "output or temporary files left behind"
    assert list(run.cwd.iterdir()) == [], "files left in the working folder"
    assert sorted(p.name for p in run.cwd.parent.iterdir()) == ["cwd", "parent"]
    if case.out and not case.out_is_relative:
        assert not Path(case.out).parent.exists()


def test_triage_never_writes_over_the_folder_of_its_rule_file(tmp_path: Path) -> None:
    """``out`` naming the folder that holds the rule file is refused before any work."""
    rules_dir = tmp_path / "my_rules"
    rules_dir.mkdir()
    rule_file = rules_dir / "rules.yaml"
    text = (Path(__file__).resolve().parents[1] / "conf/triage/symptoms_only.yaml").read_text()
    rule_file.write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.triage", "triage=file", f"triage.path={rule_file}"]
        + ["cohort.n=200", f"out={rules_dir}", "overwrite=true"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "holds an input of this run" in lines[0], proc.stderr
    assert [p.name for p in rules_dir.iterdir()] == ["rules.yaml"]
    assert rule_file.read_text() == text
