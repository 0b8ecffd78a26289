"""The triage rule language: ordered rules over observed features, first match wins.

Usage::

    rule_set = load_rule_set("conf/triage/clinical_pathway.yaml")
    decided = rule_set.apply(features)      # columns cause, urgency, rule (one row per patient)

A rule set is written in YAML (see docs/how-to-triage.md)::

    rules:
      - name: rls_irlssg                # shown in every report and error message
        when: "frac_nights_urge_to_move >= 0.5 AND frac_relief_by_movement >= 0.5"
        cause: rls
        urgency: routine
    default: {cause: none, urgency: self_care}

``when`` is a condition over the features of ``sim.evaluation.features.FEATURES``
(docs/features.md) in a small expression language (comparisons, AND/OR/NOT, arithmetic,
BETWEEN, IN, IS NULL, ABS/COALESCE/GREATEST/LEAST): ``sim.triage.condition`` parses it into
an allow-listed syntax tree and builds the polars expression from the tree, so no text
reaches an SQL engine (which could read files or crash on huge input) or Python's ``eval``.
SQL null semantics apply: a comparison with a missing value (a test that was not done, a
share over zero symptomatic nights) is null, and a null condition does not match, so the
patient falls through to the next rule. Float NaN is treated as null too. Test for
missingness explicitly with ``IS NULL`` or the ``*_missing`` features.

Every problem in a rule set raises ``ConfigError`` with one line that names the rule set, the
rule and the problem (and the closest valid name for a typo).
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sim.config import CONF_DIR, LABELS, ConfigError
from sim.model.causes import URGENCIES
from sim.triage.condition import ConditionError, ConditionTooLarge, parse_condition

TRIAGE_CONF_DIR = CONF_DIR / "triage"
"""Shipped rule sets: ``conf/triage/<name>.yaml``."""
DEFAULT_RULE = "default"
"""Name reported for patients that no rule matched."""
RULE_KEYS = ("name", "when", "cause", "urgency", "note")
RULE_SET_KEYS = ("rules", "default", "description")
DEFAULT_KEYS = ("cause", "urgency")
MAX_RULE_FILE_BYTES = 1_000_000
"""Largest rule file read (a rule set is a few kilobytes; this stops a wrong path early)."""


def feature_names() -> tuple[str, ...]:
    """Every feature a rule may use (docs/features.md)."""
    from sim.evaluation.features import FEATURES

    return tuple(FEATURES)


@dataclass(frozen=True)
class Rule:
    """One rule: if ``when`` holds, the patient gets ``cause`` and ``urgency``."""

    name: str
    when: str
    cause: Any
    urgency: Any
    note: str = ""

    def condition(self) -> pl.Expr:
        """The condition as a polars expression, built from its parsed syntax tree.

        Raises ``ConditionError`` for a text outside the grammar (``parse_rule_set`` turns
        that into a ``ConfigError`` naming the rule).
        """
        return parse_condition(self.when).expr()

    def features(self) -> tuple[str, ...]:
        """The feature names the condition reads, in order of first use."""
        return parse_condition(self.when).features


@dataclass(frozen=True)
class RuleSet:
    """An ordered list of rules (first match wins) and the decision when none matches.

    Construct it with ``parse_rule_set`` or ``load_rule_set``, which validate it; the
    constructor itself checks nothing (``RuleSetClassifier`` checks features at ``fit``).
    """

    name: str
    rules: tuple[Rule, ...]
    default_cause: Any
    default_urgency: Any
    description: str = ""
    source: str = ""

    @property
    def rule_names(self) -> tuple[str, ...]:
        """Rule names in order, then ``default``."""
        return (*(r.name for r in self.rules), DEFAULT_RULE)

    @property
    def causes(self) -> tuple[Any, ...]:
        """Every cause the rule set can output (default last), without repeats."""
        return tuple(dict.fromkeys([*(r.cause for r in self.rules), self.default_cause]))

    def features(self) -> tuple[str, ...]:
        """Every feature the rules read."""
        return tuple(dict.fromkeys(f for r in self.rules for f in r.features()))

    def check_columns(self, columns: Iterable[str], *, what: str = "X") -> None:
        """Raise ``ValueError`` naming the first rule whose feature is not in ``columns``."""
        available = list(columns)
        have = set(available)
        for rule in self.rules:
            for feature in rule.features():
                if feature not in have:
                    raise ValueError(
                        f"{_where(self, rule)}: feature {feature!r} is not a column of {what}"
                        f"{_suggest(feature, available)}"
                    )

    def decide(self, features: pl.DataFrame) -> np.ndarray:
        """Index of the rule that fires for each row (``len(rules)`` = the default)."""
        frame = nan_to_null(features)
        self.check_columns(frame.columns, what="the features")
        if not self.rules:
            return np.full(frame.height, len(self.rules), dtype=np.int32)
        chain: Any = pl
        for i, rule in enumerate(self.rules):
            # A null condition is not a match (pl.when treats null as false).
            chain = chain.when(rule.condition()).then(pl.lit(i, dtype=pl.Int32))
        index = chain.otherwise(pl.lit(len(self.rules), dtype=pl.Int32))
        # with_columns broadcasts a literal condition (e.g. ``TRUE``) to every row.
        column = "__triage_rule_index__"
        return frame.with_columns(index.alias(column))[column].to_numpy()

    def apply(self, features: pl.DataFrame) -> pl.DataFrame:
        """One row per input row: ``rule`` (name, or ``default``), ``cause``, ``urgency``."""
        index = self.decide(features)
        names = np.array(self.rule_names, dtype=object)
        causes = np.array([*(r.cause for r in self.rules), self.default_cause], dtype=object)
        urgencies = np.array([*(r.urgency for r in self.rules), self.default_urgency], dtype=object)
        return pl.DataFrame(
            {
                "rule": names[index].tolist(),
                "cause": causes[index].tolist(),
                "urgency": urgencies[index].tolist(),
            },
            schema_overrides={"rule": pl.String},
        )


def nan_to_null(features: pl.DataFrame) -> pl.DataFrame:
    """Float NaN becomes null, so that SQL null semantics cover every missing value."""
    floats = [c for c, t in features.schema.items() if t.is_float()]
    if not floats:
        return features
    return features.with_columns(pl.col(floats).fill_nan(None))


# --------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------
def _where(rule_set: RuleSet | str, rule: Rule | str | None = None) -> str:
    """``rule set 'x', rule 'y'`` for messages; ``rule`` may be a Rule, a name or ``#3``."""
    name = rule_set.name if isinstance(rule_set, RuleSet) else rule_set
    text = f"rule set {name!r}"
    if isinstance(rule, Rule):
        rule = rule.name
    if rule is not None:
        text += f", rule {rule}" if rule.startswith("#") else f", rule {rule!r}"
    return text


def _suggest(word: str, choices: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the closest choice (case-insensitive), or nothing."""
    options = {str(c).lower(): str(c) for c in choices}
    close = difflib.get_close_matches(str(word).lower(), list(options), n=1, cutoff=0.6)
    return f"; did you mean {options[close[0]]!r}?" if close else ""


_SHOW = reprlib.Repr()
_SHOW.maxlevel, _SHOW.maxlist, _SHOW.maxdict, _SHOW.maxstring, _SHOW.maxother = 3, 4, 4, 80, 80


def _show(value: Any, limit: int = 120) -> str:
    """A short one-line repr of a user value: a YAML alias bomb must not flood a message."""
    text = _SHOW.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _text(value: Any) -> str:
    """A free-text field (note, description) as text; a nested value is shown shortened."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    return _show(value) if isinstance(value, Mapping | list | tuple | set) else str(value)


def _abbreviate(when: str, limit: int = 120) -> str:
    """A ``when`` text short enough to quote in a one-line message."""
    return when if len(when) <= limit else when[: limit - 3] + "..."


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _check_keys(mapping: Mapping, allowed: Sequence[str], where: str) -> None:
    for key in mapping:
        if key not in allowed:
            hint = _suggest(key, allowed) if isinstance(key, str) else ""
            raise ConfigError(
                f"{where}: unknown key {_show(key)} (allowed: {', '.join(allowed)}){hint}"
            )


def _check_label(value: Any, allowed: Sequence[str] | None, kind: str, where: str) -> Any:
    if allowed is None:
        return value
    if not isinstance(value, str) or value not in allowed:
        hint = _suggest(value, allowed) if isinstance(value, str) else ""
        raise ConfigError(
            f"{where}: unknown {kind} {_show(value)}: expected one of {', '.join(allowed)}{hint}"
        )
    return value


_EMPTY_SCHEMA_CACHE: dict[tuple[str, ...], pl.DataFrame] = {}


def _empty_frame(names: tuple[str, ...]) -> pl.DataFrame:
    if names not in _EMPTY_SCHEMA_CACHE:
        _EMPTY_SCHEMA_CACHE[names] = pl.DataFrame(schema={n: pl.Float64 for n in names})
    return _EMPTY_SCHEMA_CACHE[names]


def check_condition(rule: Rule, rule_set_name: str, features: Sequence[str] | None) -> None:
    """Parse ``rule.when``, check its features and that it is a true/false condition.

    The text is parsed (within the size caps) and its features checked before any polars
    expression is built, so a refused text never reaches polars.
    """
    where = _where(rule_set_name, rule)
    try:
        parsed = parse_condition(rule.when)
    except ConditionTooLarge as exc:
        raise ConfigError(f"{where}: {exc}") from None
    except ConditionError as exc:
        raise ConfigError(
            f"{where}: syntax error in when {_abbreviate(rule.when)!r}: {exc}"
        ) from None
    used = list(parsed.features)
    if features is not None:
        known = set(features)
        for name in used:
            if name not in known:
                raise ConfigError(
                    f"{where}: unknown feature {name!r} in when"
                    f"{_suggest(name, features)} (features: docs/features.md)"
                )
    # Type-check on an empty frame: every feature is numeric (flags are 0/1).
    try:
        expr = parsed.expr()
        dtype = _empty_frame(tuple(used)).select(expr.alias("when")).schema["when"]
    except Exception as exc:  # polars raises several error types for mismatched types
        raise ConfigError(
            f"{where}: when {_abbreviate(rule.when)!r} cannot be evaluated: {_one_line(exc)}"
        ) from None
    if dtype != pl.Boolean:
        raise ConfigError(
            f"{where}: when {_abbreviate(rule.when)!r} is not a true/false condition (it gives "
            f"{dtype}); compare a feature with a value, e.g. 'abi <= 0.90' or 'on_statin = 1'"
        )


def parse_rule_set(
    data: Any,
    *,
    name: str,
    source: str = "",
    features: Sequence[str] | None = None,
    causes: Sequence[str] | None = LABELS,
    urgencies: Sequence[str] | None = URGENCIES,
) -> RuleSet:
    """Validate a rule set given as a mapping (``rules``, ``default``, ``description``).

    Parameters
    ----------
    data
        The parsed YAML (or an OmegaConf node).
    name
        Name shown in reports and error messages.
    source
        Where it came from (a file path), kept for reports.
    features
        Feature names a rule may use; ``None`` means the project's ``FEATURES``. Pass an
        explicit list for other data (the estimator checks use ``x0, x1, ...``).
    causes, urgencies
        Allowed labels; ``None`` accepts any label.

    Examples
    --------
    >>> rs = parse_rule_set(
    ...     {"rules": [{"name": "low_k", "when": "potassium_mmol_l < 3.0",
    ...                 "cause": "electrolyte", "urgency": "urgent"}],
    ...      "default": {"cause": "none", "urgency": "self_care"}},
    ...     name="tiny",
    ... )
    >>> rs.rule_names
    ('low_k', 'default')
    """
    from omegaconf import OmegaConf

    if OmegaConf.is_config(data):
        data = OmegaConf.to_container(data, resolve=True)
    where = _where(name)
    if data is None:
        raise ConfigError(f"{where}: the rule set is empty: give rules and a default")
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: expected a mapping with rules and default, got {_show(data)}")
    _check_keys(data, RULE_SET_KEYS, where)
    for key in ("rules", "default"):
        if key not in data:
            raise ConfigError(f"{where}: missing key {key!r}")
    raw_rules = data["rules"]
    if raw_rules is None or (isinstance(raw_rules, Sequence) and not raw_rules):
        raise ConfigError(f"{where}: the rule list is empty: give at least one rule")
    if isinstance(raw_rules, str | bytes) or not isinstance(raw_rules, Sequence):
        raise ConfigError(f"{where}: rules must be a list of rules, got {_show(raw_rules)}")
    if features is None:
        features = feature_names()
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_rules, start=1):
        if not isinstance(raw, Mapping):
            raise ConfigError(
                f"{_where(name, f'#{i}')}: expected a mapping with name, when, cause, urgency, "
                f"got {_show(raw)}"
            )
        named = isinstance(raw.get("name"), str) and raw["name"].strip()
        here = _where(name, raw["name"] if named else f"#{i}")
        _check_keys(raw, RULE_KEYS, here)
        for key in ("name", "when", "cause", "urgency"):
            if key not in raw or raw[key] is None:
                raise ConfigError(f"{here}: missing key {key!r}")
        rule_name = raw["name"]
        if not isinstance(rule_name, str) or not rule_name.strip():
            raise ConfigError(f"{here}: name must be a non-empty text, got {_show(rule_name)}")
        if rule_name == DEFAULT_RULE:
            raise ConfigError(f"{here}: the name {DEFAULT_RULE!r} is reserved for the default")
        if rule_name in seen:
            raise ConfigError(f"{here}: duplicate rule name (also rule #{seen[rule_name]})")
        seen[rule_name] = i
        when = raw["when"]
        if not isinstance(when, str) or not when.strip():
            raise ConfigError(
                f'{here}: when must be a condition in quotes, e.g. when: "abi <= 0.90", '
                f"got {_show(when)}"
            )
        rule = Rule(
            name=rule_name,
            when=when.strip(),
            cause=_check_label(raw["cause"], causes, "cause", here),
            urgency=_check_label(raw["urgency"], urgencies, "urgency", here),
            note=_text(raw.get("note")),
        )
        check_condition(rule, name, features)
        rules.append(rule)
    default = data["default"]
    dwhere = f"{where}, default"
    if not isinstance(default, Mapping):
        raise ConfigError(f"{dwhere}: expected {{cause: ..., urgency: ...}}, got {_show(default)}")
    _check_keys(default, DEFAULT_KEYS, dwhere)
    for key in DEFAULT_KEYS:
        if key not in default or default[key] is None:
            raise ConfigError(f"{dwhere}: missing key {key!r}")
    return RuleSet(
        name=name,
        rules=tuple(rules),
        default_cause=_check_label(default["cause"], causes, "cause", dwhere),
        default_urgency=_check_label(default["urgency"], urgencies, "urgency", dwhere),
        description=_text(data.get("description")),
        source=source,
    )


# --------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------
def _read_text(path: Path, key: str) -> str:
    """The file as UTF-8 text; a binary, non-UTF-8 or oversized file is one ConfigError."""
    if not path.exists():
        raise ConfigError(f"{key}={path} is invalid: no such file")
    if not path.is_file():
        raise ConfigError(f"{key}={path} is invalid: not a file")
    try:
        with path.open("rb") as file:
            data = file.read(MAX_RULE_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{key}={path} cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_RULE_FILE_BYTES:
        raise ConfigError(
            f"{key}={path} is too large for a rule file (more than {MAX_RULE_FILE_BYTES:,} bytes)"
        )
    if b"\x00" in data:
        raise ConfigError(f"{key}={path} is a binary file, not a YAML rule file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{key}={path} is not UTF-8 text (byte {exc.start + 1} is "
            f"{data[exc.start]:#04x}); save it as UTF-8"
        ) from None


def _read_yaml(path: Path, key: str) -> Any:
    import yaml

    text = _read_text(path, key)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or _one_line(exc)
        raise ConfigError(f"{key}={path} is not valid YAML{at}: {problem}") from None
    except ValueError as exc:  # a bad typed scalar, e.g. a date 2024-13-01 or !!int x
        raise ConfigError(f"{key}={path} is not valid YAML: {_one_line(exc)}") from None
    except RecursionError:
        raise ConfigError(f"{key}={path} is not valid YAML: it nests too deeply") from None


def _unwrap(data: Any, stem: str) -> tuple[str, Any]:
    """A file holds either ``rules``/``default`` at the top, or one named rule set."""
    if isinstance(data, Mapping) and "rules" not in data and len(data) == 1:
        ((name, inner),) = data.items()
        if isinstance(inner, Mapping) and "rules" in inner:
            return str(name), inner
    return stem, data


def load_rule_set(
    path: str | Path,
    *,
    key: str = "triage.path",
    features: Sequence[str] | None = None,
) -> RuleSet:
    """Read and validate a rule file (flat, or one rule set nested under its name).

    ``key`` names the setting the path came from, for error messages.
    """
    path = Path(path)
    name, data = _unwrap(_read_yaml(path, key), path.stem)
    return parse_rule_set(data, name=name, source=str(path), features=features)


def shipped_rule_sets() -> tuple[str, ...]:
    """Names of the rule sets under conf/triage/ (``file`` is the by-path selector)."""
    return tuple(sorted(p.stem for p in TRIAGE_CONF_DIR.glob("*.yaml") if p.stem != "file"))


def load_shipped(name: str) -> RuleSet:
    """A rule set shipped under conf/triage/ by name, e.g. ``clinical_pathway``."""
    names = shipped_rule_sets()
    if name not in names:
        raise ConfigError(
            f"triage={name!r} is not a shipped rule set: expected one of {', '.join(names)}"
            f"{_suggest(name, names)}"
        )
    return load_rule_set(TRIAGE_CONF_DIR / f"{name}.yaml", key=f"triage={name}")


def resolve_rule_set(rules: Any) -> RuleSet:
    """A ``RuleSet`` from a rule set, a shipped name, a path to a YAML file or a mapping."""
    if isinstance(rules, RuleSet):
        return rules
    if isinstance(rules, Path) or (
        isinstance(rules, str) and (rules.endswith((".yaml", ".yml")) or "/" in rules)
    ):
        return load_rule_set(rules, key="rule_set")
    if isinstance(rules, str):
        return load_shipped(rules)
    if isinstance(rules, Mapping):
        return parse_rule_set(rules, name="rule_set")
    raise ConfigError(
        f"rule_set={rules!r} is invalid: expected a RuleSet, a shipped rule set name "
        f"({', '.join(shipped_rule_sets())}), a path to a YAML file or a mapping"
    )


def rule_sets_from_config(node: Any, *, base_dir: str | Path | None = None) -> list[RuleSet]:
    """The rule sets selected in a composed ``triage`` node, validated, in order.

    ``triage=clinical_pathway`` gives ``{clinical_pathway: {...}}``;
    ``triage=[clinical_pathway,symptoms_only]`` gives both; ``triage=file
    triage.path=my_rules.yaml`` gives ``{path: my_rules.yaml}`` (relative to ``base_dir``).
    """
    from omegaconf import OmegaConf

    if node is None:
        raise ConfigError("triage is missing: choose a rule set, e.g. triage=clinical_pathway")
    if OmegaConf.is_config(node):
        if "path" in node and OmegaConf.is_missing(node, "path"):
            raise ConfigError(
                "triage.path is missing: give the rule file, e.g. "
                "triage=file triage.path=my_rules.yaml"
            )
        node = OmegaConf.to_container(node, resolve=True)
    if not isinstance(node, Mapping) or not node:
        raise ConfigError(
            f"triage={node!r} is invalid: choose a rule set, e.g. triage=clinical_pathway, "
            f"or triage=file triage.path=my_rules.yaml (shipped: {', '.join(shipped_rule_sets())})"
        )
    out: list[RuleSet] = []
    for key, value in node.items():
        if key == "path":
            if value in (None, "", "???"):
                raise ConfigError(
                    "triage.path is missing: give the rule file, e.g. "
                    "triage=file triage.path=my_rules.yaml"
                )
            path = Path(str(value)).expanduser()
            if base_dir is not None and not path.is_absolute():
                path = Path(base_dir) / path
            if not path.is_file():
                problem = "not a file" if path.exists() else "no such file"
                raise ConfigError(f"triage.path={value} is invalid: {problem} ({path})")
            out.append(load_rule_set(path, key="triage.path"))
        else:
            out.append(parse_rule_set(value, name=str(key), source=f"conf/triage/{key}.yaml"))
    names = [r.name for r in out]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"rule set {name!r} is selected twice: rule set names must differ")
    return out


__all__ = [
    "DEFAULT_RULE",
    "Rule",
    "RuleSet",
    "check_condition",
    "feature_names",
    "load_rule_set",
    "load_shipped",
    "nan_to_null",
    "parse_rule_set",
    "resolve_rule_set",
    "rule_sets_from_config",
    "shipped_rule_sets",
]
