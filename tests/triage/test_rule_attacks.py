"""Hostile rule files: each is refused with one ConfigError line, reads no file, leaks
nothing and keeps the process alive. Also unreadable rule files
(bad ``window`` values: ``tests/runs/test_triage.py``).

The attacks worked when ``when`` went to ``polars.sql_expr``: a ``read_csv`` subquery read a
file while the text was parsed and the error message quoted its first line, ``read_parquet``
listed a file's columns, a 10,000-term ``OR`` crashed the process (exit 139) and ``NOW()``
made decisions depend on the clock.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest

from sim.config import ConfigError
from sim.triage import condition
from sim.triage.rules import MAX_RULE_FILE_BYTES, load_rule_set, load_shipped, parse_rule_set
from tests.helpers import run_triage_cli

SECRET = "s3cr3t-first-line-5f1c"
DEFAULT = {"cause": "none", "urgency": "self_care"}


def refuse(when: str) -> str:
    """The ConfigError message for a rule set whose one rule has this condition."""
    rule = {"name": "evil", "when": when, "cause": "pad", "urgency": "urgent"}
    with pytest.raises(ConfigError) as info:
        parse_rule_set({"rules": [rule], "default": DEFAULT}, name="mine")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("rule set 'mine', rule 'evil': ")
    return message


# --------------------------------------------------------------------------------------
# proof that nothing is read: SQL and file readers disabled, opens and access times watched
# --------------------------------------------------------------------------------------
class Watch:
    """Records every call to polars' SQL and file-reading functions and Python-level opens."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.opened: list[str] = []
        self.active = False


_WATCH = Watch()


def _audit(event: str, args: tuple) -> None:
    if _WATCH.active and event == "open" and args and isinstance(args[0], str | bytes | Path):
        _WATCH.opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)  # cannot be removed; inert unless a test activates the watch


@pytest.fixture
def watch(monkeypatch: pytest.MonkeyPatch) -> Iterator[Watch]:
    """Every polars entry point to SQL or to reading files records the call and raises."""

    def forbidden(name: str) -> Callable[..., None]:
        def call(*args: object, **kwargs: object) -> None:
            _WATCH.calls.append(name)
            raise AssertionError(f"pl.{name} was called")

        return call

    names = ["sql_expr", "sql", "SQLContext"]
    names += [n for n in dir(pl) if n.startswith(("read_", "scan_"))]
    for name in names:
        monkeypatch.setattr(pl, name, forbidden(name))
    _WATCH.calls.clear()
    _WATCH.opened.clear()
    _WATCH.active = True
    try:
        yield _WATCH
    finally:
        _WATCH.active = False


def arm_access_time(path: Path) -> Callable[[], bool]:
    """Set ``path``'s access time before its modification time, so that any read of it (by
    Python or by compiled code such as polars') moves the access time, even on a relatime
    mount. Returns a check that it did not move."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_mtime_ns - 10**10, stat.st_mtime_ns))
    before = path.stat().st_atime_ns
    return lambda: path.stat().st_atime_ns == before


def reads_move_access_time(tmp_path: Path) -> bool:
    """Whether this file system records reads at all (a noatime mount does not)."""
    probe = tmp_path / "probe.txt"
    probe.write_text("probe\n")
    untouched = arm_access_time(probe)
    probe.read_text()
    return not untouched()


@pytest.fixture
def secret_files(tmp_path: Path) -> dict[str, Path]:
    csv = tmp_path / "secret.csv"
    csv.write_text(f"{SECRET}\nsecond line\n")
    parquet = tmp_path / "secret.parquet"
    pl.DataFrame({SECRET: [1]}).write_parquet(parquet)
    return {"csv": csv, "parquet": parquet}


FILE_ATTACKS = [
    ("abi IN (SELECT column_1 FROM read_csv('{csv}'))", "'SELECT' at character 9"),
    ("abi < (SELECT MAX(column_1) FROM read_csv('{csv}'))", "'SELECT' at character 8"),
    ("abi IN (SELECT * FROM read_parquet('{parquet}'))", "'SELECT' at character 9"),
    ("EXISTS (SELECT 1 FROM read_parquet('{parquet}'))", "'EXISTS' at character 1"),
    ("read_csv('{csv}') IS NULL", "function 'read_csv' at character 1 is not allowed"),
    ("abi = read_parquet('{parquet}')", "function 'read_parquet' at character 7"),
    ("abi IN (FROM read_csv('{csv}'))", "'FROM' at character 9"),
]


@pytest.mark.parametrize(("template", "token"), FILE_ATTACKS)
def test_file_reading_attacks_read_nothing_and_leak_nothing(
    template: str, token: str, secret_files: dict[str, Path], tmp_path: Path, watch: Watch
) -> None:
    when = template.format(**secret_files)
    atime_works = reads_move_access_time(tmp_path)
    untouched = {name: arm_access_time(path) for name, path in secret_files.items()}
    message = refuse(when)
    assert token in message and "syntax error in when" in message
    assert SECRET not in message
    assert watch.calls == []
    assert not set(watch.opened) & {str(path) for path in secret_files.values()}
    if atime_works:
        assert all(check() for check in untouched.values()), "a secret file was read"


def test_file_attack_from_a_rule_file(secret_files: dict[str, Path], tmp_path: Path) -> None:
    rules = tmp_path / "evil.yaml"
    rules.write_text(
        "rules:\n"
        "  - name: leak\n"
        f"    when: \"abi IN (SELECT column_1 FROM read_csv('{secret_files['csv']}'))\"\n"
        "    cause: pad\n"
        "    urgency: urgent\n"
        "default: {cause: none, urgency: self_care}\n"
    )
    untouched = arm_access_time(secret_files["csv"])
    with pytest.raises(ConfigError, match=r"^rule set 'evil', rule 'leak': syntax error") as info:
        load_rule_set(rules)
    assert SECRET not in str(info.value)
    if reads_move_access_time(tmp_path):
        assert untouched()


def test_shipped_rule_sets_never_touch_sql(watch: Watch, small_cohort) -> None:
    for name in ("clinical_pathway", "symptoms_only"):
        decided = load_shipped(name).apply(small_cohort.features)
        assert decided.height == small_cohort.features.height
    assert watch.calls == []


# --------------------------------------------------------------------------------------
# size, nesting, the clock, statements
# --------------------------------------------------------------------------------------
def test_ten_thousand_term_or_chain_is_refused_before_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_tokenising(text: str) -> None:
        raise AssertionError("tokenised a text over the length cap")

    monkeypatch.setattr(condition, "tokenize", no_tokenising)
    chain = " OR ".join(f"abi = {i}" for i in range(10_000))
    message = refuse(chain)
    assert message == (
        f"rule set 'mine', rule 'evil': when has {len(chain):,} characters, more than the "
        "2,000 allowed; split it into several rules"
    )


def test_many_operands_are_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parser(tokens: object) -> None:
        raise AssertionError("parsed a text over the operand cap")

    monkeypatch.setattr(condition, "_Parser", no_parser)
    message = refuse(" OR ".join(["abi=1"] * 150))
    assert "when has 300 features and values, more than the 200 allowed" in message


@pytest.mark.parametrize(
    "when",
    [
        "(" * 600 + "abi < 1" + ")" * 600,
        "NOT " * 450 + "abi < 1",
        "- " * 900 + "abi < 1",
        "ABS(" * 300 + "abi" + ")" * 300 + " < 1",
        "(" * 1990,
    ],
    ids=["parentheses", "not", "minus", "functions", "unclosed"],
)
def test_deep_nesting_is_refused_without_recursion_error(when: str) -> None:
    assert len(when) <= condition.MAX_CHARS
    message = refuse(when)
    assert "when nests more than 32 levels deep" in message and "opens level 33" in message


@pytest.mark.parametrize(
    ("when", "token"),
    [
        ("NOW() > 0", "function 'NOW' at character 1"),
        ("abi < 1 AND RANDOM() < 0.5", "function 'RANDOM' at character 13"),
        ("random() < 0.5", "function 'random' at character 1"),
        ("CURRENT_DATE > 0", "'CURRENT_DATE' at character 1 is not allowed"),
        ("abi < 1; SELECT 1", "';' at character 8 is not allowed"),
        ("abi < 1;", "';' at character 8 is not allowed"),
        ("abi < 1 UNION SELECT 1", "'UNION' at character 9"),
    ],
)
def test_clock_random_and_statements_are_refused(when: str, token: str) -> None:
    message = refuse(when)
    assert token in message and "syntax error in when" in message


def test_unknown_feature_still_gets_the_closest_name() -> None:
    message = refuse("frac_urge_to_mov >= 0.5")
    assert message.endswith(
        "unknown feature 'frac_urge_to_mov' in when; did you mean 'frac_urge_to_move'? "
        "(features: docs/features.md)"
    )


def test_cli_survives_the_or_chain_and_the_file_read(
    tmp_path: Path, secret_files: dict[str, Path]
) -> None:
    chain = " OR ".join(f"abi = {i}" for i in range(10_000))
    (tmp_path / "chain.yaml").write_text(
        f'rules:\n  - {{name: chain, when: "{chain}", cause: pad, urgency: urgent}}\n'
        "default: {cause: none, urgency: self_care}\n"
    )
    done = run_triage_cli(
        "triage=file", "triage.path=chain.yaml", "cohort.n=50", "out=res", cwd=tmp_path
    )
    assert done.returncode == 2, done.stderr  # not 139 (a crash)
    assert done.stderr.strip().splitlines() == [
        f"error: rule set 'chain', rule 'chain': when has {len(chain):,} characters, more "
        "than the 2,000 allowed; split it into several rules"
    ]
    (tmp_path / "leak.yaml").write_text(
        "rules:\n  - name: leak\n"
        f"    when: \"abi IN (SELECT column_1 FROM read_csv('{secret_files['csv']}'))\"\n"
        "    cause: pad\n    urgency: urgent\n"
        "default: {cause: none, urgency: self_care}\n"
    )
    done = run_triage_cli(
        "triage=file", "triage.path=leak.yaml", "cohort.n=50", "out=res", cwd=tmp_path
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: rule set 'leak', rule 'leak': syntax")
    assert SECRET not in done.stderr + done.stdout
    assert not (tmp_path / "res").exists()


# --------------------------------------------------------------------------------------
# unreadable rule files
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (bytes(range(256)) * 4, "is a binary file, not a YAML rule file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a binary file, not a YAML rule file"),
        ("rules: []\n".encode("utf-16"), "is a binary file, not a YAML rule file"),
        ("rules:\n  - name: café\n".encode("latin-1"), "is not UTF-8 text (byte 21 is 0xe9)"),
        (b"\xff\xfe\xfd", "is not UTF-8 text (byte 1 is 0xff); save it as UTF-8"),
        (b"rules:\n  - name: x\n   when: [\n", "is not valid YAML (line"),
        (b"rules:\n\t- name: x\n", "is not valid YAML (line 2)"),
        (b"rules: {when: 2024-13-01}\n", "is not valid YAML: month must be in 1..12"),
        (b"rules: !!int x\n", "is not valid YAML: invalid literal for int()"),
        (b"[" * 5000 + b"]" * 5000, "is not valid YAML: it nests too deeply"),
        (b"# big\n" * (MAX_RULE_FILE_BYTES // 6 + 1), "is too large for a rule file"),
    ],
    ids=[
        "all_bytes",
        "png",
        "utf16",
        "latin1",
        "invalid_utf8",
        "unclosed",
        "tab",
        "bad_date",
        "bad_int",
        "deep",
        "large",
    ],
)
def test_unreadable_rule_file_is_one_line(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as info:
        load_rule_set(path)
    message = str(info.value)
    assert message.startswith(f"triage.path={path} ") and problem in message
    assert "\n" not in message


def test_yaml_alias_bomb_is_shown_shortened(tmp_path: Path) -> None:
    # Nine levels of nine aliases: 9**9 leaves if anything printed it in full.
    levels = ["&a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    head = f"description: [{', '.join(levels)}]\n"
    good = "  - {name: r, when: 'abi < 0.4', cause: pad, urgency: urgent, note: *a8}\n"
    bad = "  - {name: s, when: 'abi < 0.5', cause: *a8, urgency: urgent}\n"
    tail = "default: {cause: none, urgency: self_care}\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(head + "rules:\n" + good + tail)
    rule_set = load_rule_set(path)
    assert len(rule_set.description) < 200 and len(rule_set.rules[0].note) < 200
    path.write_text(head + "rules:\n" + good + bad + tail)
    with pytest.raises(ConfigError) as info:
        load_rule_set(path)
    message = str(info.value)
    assert message.startswith("rule set 'bomb', rule 's': unknown cause [[[")
    assert len(message) < 300 and "\n" not in message


def test_cli_binary_rule_file_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_bytes(bytes(range(256)))
    done = run_triage_cli(
        "triage=file", "triage.path=rules.yaml", "cohort.n=50", "out=res", cwd=tmp_path
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith("is a binary file, not a YAML rule file")
