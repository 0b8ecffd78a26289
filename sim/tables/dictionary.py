"""The data dictionary: docs/data-dictionary.md, generated from the table schema.

Usage::

    python -m sim.tables.dictionary docs/data-dictionary.md    # what `make docs` runs
    python -m sim.tables.dictionary --check docs/data-dictionary.md

    from sim.tables.dictionary import render
    text = render()                                             # the Markdown, as a string

One section per table, one row per column: name, dtype, unit, whether it is ground truth,
and the description (with the allowed values of categorical columns). The schema in
``sim.tables.schema`` is the only source; never edit the generated file by hand.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from sim.tables.schema import Column

DEFAULT_PATH = Path("docs/data-dictionary.md")

TABLE_INTROS = {
    "patients": "One row per patient: demographics, risk factors, comorbidities, "
    "medications (start day and dose), the ground-truth causes and urgency, and latent "
    "physiology.",
    "nights": "One row per patient-night: the diary a patient would keep, plus nightly "
    "latent states (truth).",
    "measurements": "Clinic tests with realistic noise and missingness (not everyone is tested).",
    "events": "Event timelines written by the event engine: patient, time, kind, attributes.",
}
"""One-line description of each known table (tables without one get none)."""


def tables() -> dict[str, tuple[Column, ...]]:
    """Every table of the contract, by name: the one place that decides what is documented.

    Uses ``sim.tables.schema.all_tables()`` when it exists (it imports the modules that
    register further tables), otherwise the tables registered so far in ``TABLES``.
    """
    from sim.tables import schema

    all_tables = getattr(schema, "all_tables", None)
    return dict(all_tables() if callable(all_tables) else schema.TABLES)


def _dtype_name(dtype: pl.DataType) -> str:
    """Short dtype name: enums and lists of enums without their category list."""
    if isinstance(dtype, pl.Enum):
        return "Enum"
    if isinstance(dtype, pl.List):
        return f"List({_dtype_name(dtype.inner)})"
    return str(dtype)


def enum_values(dtype: pl.DataType) -> list[str] | None:
    """Allowed values of an enum (or list-of-enum) column."""
    if isinstance(dtype, pl.Enum):
        return dtype.categories.to_list()
    if isinstance(dtype, pl.List):
        return enum_values(dtype.inner)
    return None


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(col: Column) -> str:
    description = col.description.strip()
    values = enum_values(col.dtype)
    if values:
        description += " Values: " + ", ".join(f"`{v}`" for v in values) + "."
    cells = [
        f"`{col.name}`",
        _dtype_name(col.dtype),
        col.unit,
        "yes" if col.truth else "no",
        description,
    ]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def render() -> str:
    """The data dictionary as Markdown (deterministic: same schema, same text)."""
    preamble = (
        "<!-- Generated from sim/tables/schema.py by `make docs`; do not edit by hand. -->\n\n"
        "Every output table and column, generated from the single schema in "
        "`sim/tables/schema.py`. Columns with **truth = yes** are ground truth that a "
        "patient, clinic or classifier cannot see; feature builders drop them "
        "(`sim.tables.schema.truth_columns`)."
    )
    return render_tables(tables(), title="Data dictionary", preamble=preamble)


def render_tables(
    selected: dict[str, tuple[Column, ...]],
    *,
    title: str = "Data dictionary",
    preamble: str = "",
    intros: dict[str, str] | None = None,
) -> str:
    """The dictionary of the ``selected`` tables and columns (e.g. a teaching dataset's
    student tables, without their truth columns), one section per table."""
    intros = TABLE_INTROS if intros is None else intros
    lines = [f"# {title}", ""]
    if preamble:
        lines += [preamble, ""]
    for name, cols in selected.items():
        n_truth = sum(c.truth for c in cols)
        lines += [f"## {name}", ""]
        if name in intros:
            lines += [intros[name], ""]
        lines += [
            f"{len(cols)} columns, {n_truth} of them ground truth.",
            "",
            "| column | dtype | unit | truth | description |",
            "| --- | --- | --- | --- | --- |",
            *(_row(c) for c in cols),
            "",
        ]
    return "\n".join(lines)


def write(path: str | Path = DEFAULT_PATH) -> Path:
    """Write the data dictionary to ``path`` (parent folders are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.tables.dictionary", description="Generate the data dictionary."
    )
    parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH))
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the file differs from the schema"
    )
    args = parser.parse_args(argv)
    path = Path(args.path)
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != render():
            print(f"error: {path} is out of date: run `make docs`", file=sys.stderr)
            return 1
        return 0
    write(path)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
