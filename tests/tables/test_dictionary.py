"""The data dictionary is generated from the schema and committed up to date."""

from __future__ import annotations

from pathlib import Path

from sim.tables import dictionary
from sim.tables.schema import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"


def test_committed_dictionary_is_up_to_date() -> None:
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert current == dictionary.render(), (
        f"{DOC.relative_to(DOC.parents[1])} is out of date with sim/tables/schema.py: "
        "run `make docs` and commit the result"
    )


def test_every_column_is_documented_once() -> None:
    text = dictionary.render()
    for table, cols in dictionary.tables().items():
        assert f"\n## {table}\n" in text
        for col in cols:
            assert text.count(f"| `{col.name}` |") >= 1, (table, col.name)


def test_rows_show_truth_unit_and_enum_values() -> None:
    text = dictionary.render()
    rows = {line.split(" | ")[0]: line for line in text.splitlines() if line.startswith("| `")}
    assert "| yes |" in rows["| `primary_cause`"]
    assert "| no |" in rows["| `age`"]
    assert "| years |" in rows["| `age`"]
    assert "`female`" in rows["| `sex`"]
    assert "List(Enum)" in rows["| `contributing_causes`"]


def test_dictionary_covers_the_registered_tables() -> None:
    assert set(TABLES) <= set(dictionary.tables())


def test_command_writes_and_checks(tmp_path: Path) -> None:
    path = tmp_path / "docs" / "dd.md"
    assert dictionary.main(["--check", str(path)]) == 1
    assert dictionary.main([str(path)]) == 0
    assert path.read_text(encoding="utf-8") == dictionary.render()
    assert dictionary.main(["--check", str(path)]) == 0
