"""``sim.runs.triage`` end to end on a small cohort: its files, bad rules and bad ``window``
values stop the run before any work, the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from sim.config import LABELS, ConfigError, compose_config
from sim.runs.triage import _window, run_triage

REPO = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


def test_run_writes_report_tables_and_figures(tmp_path: Path) -> None:
    cfg = compose_config(
        ["triage=[clinical_pathway,symptoms_only]", "cohort.n=1200", "cohort.seed=5"],
        config_name="triage",
    )
    run = run_triage(cfg, tmp_path / "out")
    out = run.out
    assert [ev.name for ev in run.evaluations] == ["clinical_pathway", "symptoms_only"]
    assert sorted(p.name for p in out.iterdir()) == [
        "config.yaml",
        "decisions.parquet",
        "figures",
        "manifest.json",
        "report.md",
        "tables",
    ]
    report = (out / "report.md").read_text()
    for text in ("clinical_pathway", "symptoms_only", "Sensitivity and specificity", "urgent"):
        assert text in report
    for name in ("clinical_pathway", "symptoms_only"):
        figure = out / "figures" / f"triage_confusion_{name}.png"
        assert figure.read_bytes()[:8] == PNG
        assert f"figures/triage_confusion_{name}.png" in report
        causes = pl.read_csv(out / "tables" / f"{name}_causes.csv")
        assert causes["cause"].to_list() == list(LABELS)
        assert causes["n_true"].sum() == 1200
        confusion = pl.read_csv(out / "tables" / f"{name}_confusion.csv")
        assert confusion.select(LABELS).sum_horizontal().sum() == 1200
        rules = pl.read_csv(out / "tables" / f"{name}_rules.csv")
        assert rules["n_fired"].sum() == 1200
        assert rules["rule"].to_list()[-1] == "default"
        assert (out / "tables" / f"{name}_urgency.csv").exists()
    summary = pl.read_csv(out / "tables" / "summary.csv")
    assert summary["rule_set"].to_list() == ["clinical_pathway", "symptoms_only"]
    decisions = pl.read_parquet(out / "decisions.parquet")
    assert decisions.height == 2 * 1200
    assert {"rule_set", "patient_id", "rule", "cause", "urgency", "true_cause"} <= set(
        decisions.columns
    )


def test_window_is_checked(tmp_path: Path) -> None:
    cfg = compose_config(["cohort.n=100", "window=40"], config_name="triage")
    with pytest.raises(ConfigError, match="window=40 is invalid"):
        run_triage(cfg, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_compares_two_rule_sets(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.triage",
            "triage=[clinical_pathway,symptoms_only]",
            "cohort.n=300",
            "out=res",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("clinical_pathway: accuracy ")
    assert lines[1].startswith("symptoms_only: accuracy ")
    assert (tmp_path / "res" / "tables" / "summary.csv").exists()


def test_bad_rules_stop_the_run_before_any_work(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "rules:\n  - {name: r, when: 'abi <', cause: pad, urgency: urgent}\n"
        "default: {cause: none, urgency: self_care}\n"
    )
    cfg = compose_config(
        ["triage=[clinical_pathway,file]", f"triage.path={bad}", "cohort.n=50"],
        config_name="triage",
    )
    out = tmp_path / "out"
    with pytest.raises(ConfigError, match="rule set 'bad', rule 'r': syntax error"):
        run_triage(cfg, out)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


# --------------------------------------------------------------------------------------
# window
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), float("-inf"), "nan", "inf", "1e400", True, False, "true"]
    + [1.5, 0, -3, "abc", "", [7]],
)
def test_bad_window_is_one_config_error(value: object) -> None:
    with pytest.raises(ConfigError) as info:
        _window(value)
    message = str(info.value)
    assert message == f"window={value!r} is invalid: expected null or an integer >= 1"


@pytest.mark.parametrize(("value", "expected"), [(None, None), (14, 14), (14.0, 14), ("7", 7)])
def test_good_window(value: object, expected: int | None) -> None:
    assert _window(value) == expected


@pytest.mark.parametrize("override", ["window=nan", "window=inf", "window=1e400", "window=true"])
def test_bad_window_from_the_command_line_stops_the_run(tmp_path: Path, override: str) -> None:
    cfg = compose_config(["cohort.n=50", override], config_name="triage")
    with pytest.raises(ConfigError, match=r"^window=.* is invalid: expected null or an integer"):
        run_triage(cfg, tmp_path / "out")
    assert not (tmp_path / "out").exists()
