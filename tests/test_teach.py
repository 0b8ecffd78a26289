"""Teaching datasets (``python -m experiments.teach``, ``sim.teaching``).

One small dataset (the ``standard`` preset: every cause and controls, reference noise, 300
patients, 7 nights) is built twice into two folders, in this process; the bad-input cases
run the real command in a subprocess. Thresholds and seeds are stated where they are used.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from scipy.stats import spearmanr

from sim.config import LABELS, compose_config, validate, validate_teaching
from sim.pipeline import simulate_cohort
from sim.runs.teach import teach
from sim.tables.output import OutputError
from sim.tables.schema import TABLES, observed_columns, truth_columns
from sim.teaching.dataset import ANSWER_COLUMNS, STUDENT_TABLES, id_permutation, remap
from sim.teaching.package import DUCKDB_FILE, FOREIGN_KEYS, PRIMARY_KEYS, RAI_KEYS
from tests.helpers import REPO, run_experiment
from tests.teaching.test_casebook import ANSWER_WORDS
from tests.teaching.test_casebook import _text as page_text

OVERRIDES = ["teaching=standard", "cohort.n=300", "cohort.nights=7", "benchmark.n_jobs=1"]
PRESETS = sorted(p.stem for p in (REPO / "conf" / "teaching").glob("*.yaml"))
ALL_TRUTH = {c for t in TABLES for c in truth_columns(t)}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The same preset and seed written twice, into two folders."""
    root = tmp_path_factory.mktemp("teach")
    cfg = compose_config(OVERRIDES, config_name="teach")
    first = teach(cfg, root / "a").out
    second = teach(cfg, root / "b").out
    return first, second


@pytest.fixture(scope="module")
def student(built) -> dict[str, pl.DataFrame]:
    return {t: pl.read_parquet(built[0] / "student" / f"{t}.parquet") for t in STUDENT_TABLES}


@pytest.fixture(scope="module")
def answers(built) -> pl.DataFrame:
    return pl.read_parquet(built[0] / "instructor" / "answer_key.parquet")


def student_columns_of(built, table: str) -> list[str]:
    return list(pl.read_parquet_schema(built[0] / "student" / f"{table}.parquet"))


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run_experiment("teach", *args, cwd=cwd, timeout=300)


# ------------------------------------------------------------------------------------------
# no truth in student/
# ------------------------------------------------------------------------------------------
def test_student_files_hold_no_truth_column(built) -> None:
    files = sorted((built[0] / "student").glob("*.parquet")) + sorted(
        (built[0] / "student").glob("*.csv")
    )
    assert {f.stem for f in files} == set(STUDENT_TABLES)
    for path in files:
        names = set(
            pl.read_parquet_schema(path)
            if path.suffix == ".parquet"
            else pl.scan_csv(path).collect_schema().names()
        )
        truth = set(truth_columns(path.stem))
        assert not names & truth, f"{path.name}: truth columns {names & truth}"
        assert names <= set(observed_columns(path.stem)), path.name
        assert not names & (set(ANSWER_COLUMNS) - {"patient_id"}), path.name
    text = "\n".join(
        (built[0] / "student" / f).read_text() for f in ("datacard.md", "data-dictionary.md")
    )
    shown = {c for t in STUDENT_TABLES for c in observed_columns(t)}
    hidden = ALL_TRUTH - shown  # a clinic's serum potassium is observed, the night's is not
    assert "primary_cause" in hidden and "ischaemia" in hidden
    for column in hidden:
        assert f"`{column}`" not in text, column
    descriptors = "\n".join(
        (built[0] / "student" / f).read_text() for f in ("datapackage.json", "croissant.json")
    )
    for column in hidden:
        assert f'"{column}"' not in descriptors and f"/{column}" not in descriptors, column
    with duckdb.connect(str(built[0] / "student" / DUCKDB_FILE), read_only=True) as con:
        names = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE NOT internal"
            ).fetchall()
        }
    assert names == {c for t in STUDENT_TABLES for c in student_columns_of(built, t)}
    assert not names & hidden


def test_the_runs_student_casebook_holds_no_answer_and_the_instructors_does(built) -> None:
    """The pages ``teach`` wrote, not just the casebook module's: the two folders were not
    swapped and the student pages name no answer (tests/teaching/test_casebook.py)."""
    student_pages = sorted((built[0] / "student" / "casebook").glob("*.html"))
    instructor_pages = sorted((built[0] / "instructor" / "casebook").glob("*.html"))
    assert len(student_pages) == len(instructor_pages) == 13
    for path in student_pages:
        page = path.read_text(encoding="utf-8")
        assert 'id="answer"' not in page, path.name
        assert not any(word in page_text(page) for word in ANSWER_WORDS), path.name
    cases = [p for p in instructor_pages if p.name != "index.html"]
    assert all('id="answer"' in p.read_text(encoding="utf-8") for p in cases)


def test_no_student_column_encodes_the_primary_cause(student, answers) -> None:
    """Every coded student column (categories, yes/no, small integers) maps some value to
    two or more causes, so the cause cannot be read back from it; none equals the cause."""
    cause = answers.select("patient_id", pl.col("primary_cause").cast(pl.String))
    checked = 0
    for table, frame in student.items():
        joined = frame.join(cause, on="patient_id", how="left")
        assert joined["primary_cause"].null_count() == 0, table
        for name, dtype in frame.schema.items():
            if name in ("patient_id", "night"):
                continue
            column = joined[name]
            if column.cast(pl.String).equals(joined["primary_cause"]):
                pytest.fail(f"{table}.{name} equals primary_cause")
            coded = isinstance(dtype, pl.Enum | pl.Categorical) or dtype == pl.Boolean
            coded |= dtype.is_integer() and column.n_unique() <= 20
            if not coded or column.drop_nulls().n_unique() < 2:
                continue
            causes_per_value = (
                joined.filter(pl.col(name).is_not_null())
                .group_by(name)
                .agg(pl.col("primary_cause").n_unique().alias("k"))
            )
            assert causes_per_value["k"].max() >= 2, f"{table}.{name} determines the cause"
            checked += 1
    assert checked >= 20  # the check looked at the diary's and history's coded columns


# ------------------------------------------------------------------------------------------
# ids and row order carry no cause
# ------------------------------------------------------------------------------------------
def test_ids_are_a_seeded_permutation_of_the_simulated_order(built) -> None:
    cfg = compose_config(OVERRIDES, config_name="teach")
    seed = validate(cfg).seed + validate_teaching(cfg).id_seed
    simulated = simulate_cohort(cfg).patients  # with nights: urgency is of the visit night
    id_map = id_permutation(simulated["patient_id"].to_numpy(), seed=seed)
    assert sorted(id_map["patient_id"].to_list()) == list(range(simulated.height))
    moved = (id_map["patient_id"] != id_map["simulated_id"]).mean()
    assert moved > 0.9  # a random permutation of 300 fixes about one id
    written = pl.read_parquet(built[0] / "instructor" / "patients.parquet")
    assert written.equals(remap(simulated, id_map))
    assert not written["primary_cause"].equals(simulated["primary_cause"])
    assert (
        id_permutation(simulated["patient_id"].to_numpy(), seed=seed + 1)["patient_id"].equals(
            id_map["patient_id"]
        )
        is False
    )


def test_id_and_row_order_are_not_correlated_with_the_cause(student, answers) -> None:
    """|Spearman rho| of the id and of the row number with the cause code below 0.2 in every
    table (its sd is about 1/sqrt(300) = 0.058 when there is no association)."""
    code = {c: i for i, c in enumerate(LABELS)}
    cause = answers.select(
        "patient_id",
        pl.col("primary_cause").cast(pl.String).replace_strict(code).alias("code"),
    )
    rho, _ = spearmanr(cause["patient_id"], cause["code"])
    assert abs(rho) < 0.2
    for table, frame in student.items():
        keys = [k for k in ("patient_id", "night") if k in frame.columns]
        assert frame.select(keys).equals(frame.select(keys).sort(keys)), table
        codes = frame.join(cause, on="patient_id", how="left")["code"].to_numpy()
        rho, _ = spearmanr(np.arange(codes.size), codes)
        assert abs(rho) < 0.2, f"{table}: row order follows the cause (rho={rho:.2f})"


# ------------------------------------------------------------------------------------------
# the files
# ------------------------------------------------------------------------------------------
def test_same_preset_and_seed_give_byte_identical_files(built) -> None:
    first, second = built
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    casebook = [f for f in files if f.parts[1:2] == ("casebook",)]
    assert len(casebook) == 2 * (12 + 1)  # index and 12 cases (the default), in both copies
    assert len(files) - len(casebook) == 21
    for rel in files:
        # DuckDB writes a random database id into its header; its tables are compared in
        # test_duckdb_holds_the_student_tables.
        if rel.name not in ("manifest.json", DUCKDB_FILE):
            assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel
    manifests = [json.loads((d / "manifest.json").read_text()) for d in built]
    for m in manifests:
        assert m["files"].pop(f"student/{DUCKDB_FILE}")["bytes"] > 0
    for key in ("files", "tables", "achievable", "seed", "preset", "tool"):
        assert manifests[0][key] == manifests[1][key], key
    differs = {k for k in manifests[0] if manifests[0][k] != manifests[1][k]}
    assert differs <= {"created", "timings", "config"}
    config = [dict(m["config"], out=None) for m in manifests]
    assert config[0] == config[1]


def test_answer_key_joins_the_student_patients_one_to_one(student, answers, built) -> None:
    assert answers.columns == list(ANSWER_COLUMNS)
    assert answers["patient_id"].is_unique().all()
    assert answers.height == student["patients"].height == 300
    assert answers["patient_id"].sort().equals(student["patients"]["patient_id"].sort())
    joined = student["patients"].join(answers, on="patient_id", how="inner", validate="1:1")
    assert joined.height == 300
    for table in ("nights", "measurements"):
        ids = set(student[table]["patient_id"].to_list())
        assert ids == set(answers["patient_id"].to_list()), table
    # Noise leaves some diary nights unfilled; the instructor keeps every simulated night.
    truth = pl.read_parquet(built[0] / "instructor" / "nights.parquet")
    assert truth.height == 300 * 7 > student["nights"].height
    keys = student["nights"].select("patient_id", "night")
    assert keys.join(truth, on=["patient_id", "night"], how="anti").height == 0
    csv = pl.read_csv(built[0] / "instructor" / "answer_key.csv")
    assert csv["patient_id"].equals(answers["patient_id"].cast(pl.Int64))
    assert csv["contributing_causes"].to_list() == [
        ";".join(c) for c in answers["contributing_causes"].cast(pl.List(pl.String)).to_list()
    ]


def test_csv_and_parquet_hold_the_same_rows(built, student) -> None:
    for table, frame in student.items():
        csv = pl.read_csv(built[0] / "student" / f"{table}.csv", infer_schema=False)
        assert csv.columns == frame.columns and csv.height == frame.height, table


def test_card_and_solutions_state_what_is_achievable(built) -> None:
    card = (built[0] / "student" / "datacard.md").read_text()
    for section in (
        "Motivation",
        "Composition",
        "Collection process",
        "Preprocessing",
        "Uses",
        "Distribution",
        "Maintenance",
    ):
        assert f"## {section}" in card
    assert "synthetic" in card and "must not be used for clinical decisions" in card
    assert "300 synthetic adults" in card
    solutions = (built[0] / "instructor" / "solutions.md").read_text()
    # The seed would let a student regenerate the answer key: only the instructor has it.
    assert "cohort.seed=0" in solutions and "Seed 0" in solutions
    for f in (built[0] / "student").rglob("*.md"):
        text = f.read_text()
        assert "cohort.seed" not in text and "seed 0" not in text.lower(), f.name
    manifest = json.loads((built[0] / "manifest.json").read_text())
    head = manifest["achievable"]
    oracle, best, baseline = (head[k]["macro_f1"] for k in ("oracle", "best_model", "baseline"))
    assert oracle >= best - 0.05 and best > baseline + 0.2  # 3 folds of 300 patients
    assert f"macro-F1 {head['oracle']['macro_f1']:.3f}" in solutions
    assert f"{head['best_model']['macro_f1']:.2f}" in card
    assert "Confusion matrix" in solutions and "Triage rules: urgency" in solutions


# ------------------------------------------------------------------------------------------
# datapackage.json, croissant.json, students.duckdb
# ------------------------------------------------------------------------------------------
def test_datapackage_is_a_valid_frictionless_v2_package_of_every_file(built, tmp_path) -> None:
    import frictionless

    folder = built[0] / "student"
    package = json.loads((folder / "datapackage.json").read_text())
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    report = frictionless.validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "note"])[:5]
    # The rows were read and checked against the schemas, keys included.
    rows = {task.name: task.stats["rows"] for task in report.tasks if task.stats.get("rows")}
    assert rows == {
        **{t: pl.read_parquet(folder / f"{t}.parquet").height for t in STUDENT_TABLES},
        **{f"{t}-parquet": pl.read_parquet(folder / f"{t}.parquet").height for t in STUDENT_TABLES},
    }
    described = {r["path"] for r in package["resources"]}
    written = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert described == written - {"datapackage.json", "croissant.json"}
    assert len([p for p in described if p.startswith("casebook/")]) == 13
    for res in package["resources"]:
        path = folder / res["path"]
        if "hash" in res:
            assert res["hash"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
        if res.get("type") != "table":
            continue
        table = res["path"].split(".")[0]
        schema = res["schema"]
        fields = {f["name"]: f for f in schema["fields"]}
        assert list(fields) == student_columns_of(built, table), res["name"]
        assert schema["primaryKey"] == list(PRIMARY_KEYS[table])
        if table in FOREIGN_KEYS:
            (fk,) = schema["foreignKeys"]
            assert fk["reference"]["resource"].split("-")[0] == "patients"
        frame = pl.read_parquet(folder / f"{table}.parquet")
        for name, dtype in frame.schema.items():
            if isinstance(dtype, pl.Enum):
                assert fields[name]["categories"] == list(dtype.categories), name
            if dtype.is_float():
                assert fields[name]["type"] == "number", name
        units = [f for f in fields.values() if "Unit: mmol/L" in f["description"]]
        assert table != "measurements" or len(units) == 4
    # The validator looks at the data: a value outside its categories, and a night of a
    # patient who is not in patients.csv, make it fail (and nothing else does).
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    csv = (copy / "patients.csv").read_text().replace(",female,", ",woman,", 1)
    (copy / "patients.csv").write_text(csv)
    header, first, rest = (copy / "nights.csv").read_text().split("\n", 2)
    first = "99999" + first[first.index(",") :]
    (copy / "nights.csv").write_text("\n".join((header, first, rest)))
    broken = json.loads((copy / "datapackage.json").read_text())
    for res in broken["resources"]:  # only the edited values should fail, not the digests
        if res["path"] in ("patients.csv", "nights.csv"):
            res.pop("hash"), res.pop("bytes")
    (copy / "datapackage.json").write_text(json.dumps(broken))
    report = frictionless.validate(copy / "datapackage.json")
    assert not report.valid
    assert {e[0] for e in report.flatten(["type"])} == {"constraint-error", "foreign-key"}


def test_croissant_loads_in_mlcroissant_with_the_rai_fields(built) -> None:
    import mlcroissant as mlc

    folder = built[0] / "student"
    dataset = mlc.Dataset(jsonld=folder / "croissant.json")  # raises on an error
    issues = dataset.metadata.ctx.issues
    assert not issues.errors
    # No publication date: it would change the bytes from one build to the next.
    assert all("datePublished" in w for w in issues.warnings), issues.warnings
    document = json.loads((folder / "croissant.json").read_text())
    for key in RAI_KEYS:
        assert len(document[f"rai:{key}"]) > 20, key
    assert "synthetic" in document["rai:personalSensitiveInformation"].lower() or (
        "invented" in document["rai:personalSensitiveInformation"]
    )
    for table in STUDENT_TABLES:
        frame = pl.read_parquet(folder / f"{table}.parquet")
        records = list(dataset.records(table))
        assert len(records) == frame.height, table
        first = records[0]
        assert set(first) == {f"{table}/{c}" for c in frame.columns}
        for column in ("patient_id", "age", "visit_night", "night"):
            if column in frame.columns:
                assert first[f"{table}/{column}"] == frame[column][0], (table, column)
    fields = {f["@id"]: f for rs in document["recordSet"] for f in rs["field"]}
    assert fields["nights/patient_id"]["references"]["field"]["@id"] == "patients/patient_id"


def test_duckdb_holds_the_student_tables(built, student) -> None:
    path = built[0] / "student" / DUCKDB_FILE
    with duckdb.connect(str(path), read_only=True) as con:
        for table, frame in student.items():
            got = pl.from_arrow(con.sql(f"SELECT * FROM {table} ORDER BY ALL").to_arrow_table())
            want = frame.sort(frame.columns)
            assert got.columns == want.columns, table
            for name in frame.columns:  # ENUM and REAL come back as String and Float32
                a, b = got[name], want[name]
                if isinstance(b.dtype, pl.Enum):
                    a, b = a.cast(pl.String), b.cast(pl.String)
                assert a.equals(b.cast(a.dtype), check_names=False), (table, name)
        comments = dict(
            con.execute(
                "SELECT table_name, comment FROM duckdb_tables() WHERE NOT internal"
            ).fetchall()
        )
        assert set(comments) == set(STUDENT_TABLES) and all(comments.values())
        constraints = con.execute(
            "SELECT table_name, constraint_type FROM duckdb_constraints() "
            "WHERE constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')"
        ).fetchall()
    assert sorted(constraints) == sorted(
        [(t, "PRIMARY KEY") for t in STUDENT_TABLES] + [(t, "FOREIGN KEY") for t in FOREIGN_KEYS]
    )


# ------------------------------------------------------------------------------------------
# presets and bad input
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_validates_and_takes_overrides(preset: str) -> None:
    cfg = compose_config([f"teaching={preset}", "cohort.n=123"], config_name="teach")
    cohort, teaching = validate(cfg), validate_teaching(cfg)
    assert cohort.n == 123 and teaching.name == preset and len(teaching.card) > 100
    assert 600 <= compose_config([f"teaching={preset}"], config_name="teach").cohort.n <= 2000


def test_presets_are_the_ones_the_issue_asks_for() -> None:
    assert set(PRESETS) == {
        "intro",
        "standard",
        "hard",
        "medication_detective",
        "pad_or_cramps",
        "restless_or_not",
        "triage_lane",
    }


def test_a_foreign_folder_is_refused_and_left_untouched(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my lecture notes")
    cfg = compose_config([*OVERRIDES, f"out={out}"], config_name="teach")
    with pytest.raises(OutputError, match="holds no manifest.json"):
        teach(cfg, out)
    with pytest.raises(OutputError, match="holds no manifest.json"):
        teach(compose_config([*OVERRIDES, "overwrite=true"], config_name="teach"), out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "my lecture notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no temporary folder left


def test_an_earlier_dataset_needs_overwrite(built) -> None:
    cfg = compose_config(OVERRIDES, config_name="teach")
    before = (built[0] / "manifest.json").read_bytes()
    with pytest.raises(OutputError, match="overwrite=true"):
        teach(cfg, built[0])
    assert (built[0] / "manifest.json").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["teaching=nope"], "intro"),  # Hydra's list of the presets
        (["teaching=standard", "teaching.task=diagnose"], "teaching.task='diagnose' is invalid"),
        (["teaching=intro", "cohort.n=-5"], "cohort.n=-5 is invalid"),
        (
            ["teaching=intro", "teaching.casebook.cases=-1"],
            "teaching.casebook.cases=-1 is invalid: expected an integer >= 0",
        ),
        (["teaching=intro", "out=/proc/no/such/place"], "is not writable"),
    ],
)
def test_bad_input_fails_in_one_line(tmp_path: Path, args: list[str], expected: str) -> None:
    proc = _run(*args, "cohort.nights=7", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], lines
    assert list(tmp_path.iterdir()) == []  # nothing written, not even outputs/


def test_unknown_preset_lists_the_presets(tmp_path: Path) -> None:
    proc = _run("teaching=nope", cwd=tmp_path)
    assert proc.returncode == 2
    for preset in PRESETS:
        assert preset in proc.stderr
