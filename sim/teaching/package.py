"""Machine-readable descriptions of a teaching dataset's student copy, and its DuckDB file.

Usage::

    # after the student tables, datacard.md and data-dictionary.md are in ``folder``:
    write_descriptors(tables.student, folder, cfg=cfg, teaching=t, cohort=c, answers=key)
    # or piece by piece:
    write_duckdb(tables.student, folder / "students.duckdb", comments={})
    about = About(name=..., title=..., description=..., version=..., keywords=(...))
    sums = checksums(folder, ["patients.csv", ..., "datacard.md"])
    write_json(datapackage(tables.student, folder, about, documents=["datacard.md"],
                           sums=sums), folder / "datapackage.json")

- ``datapackage.json``: a Frictionless Data Package v2 (https://datapackage.org): one
  resource per file, a Table Schema for every table file (CSV and Parquet) with field
  types, units in the descriptions, enumerations as ``categories`` (and an ``enum``
  constraint, which validators check), primary and foreign keys; the Markdown files and
  the DuckDB file as plain resources.
- ``croissant.json``: MLCommons Croissant 1.0 metadata (JSON-LD) with the
  Responsible-AI (RAI 1.0) fields: one ``FileObject`` per CSV and Parquet file, one
  ``RecordSet`` per table with its key, its fields and their foreign-key
  ``references``.
- ``students.duckdb``: the same three tables in one DuckDB database, for SQL classes,
  with the column types, enumerations, keys and descriptions (``COMMENT ON``) of the
  schema.

Everything is derived from the schema (``sim.tables.schema``) and the written files (sizes
and SHA-256 digests), so it cannot disagree with them. The JSON holds no time and no
absolute path: the same preset and seed give the same bytes. The DuckDB file is the one
exception (DuckDB writes a random database identifier into its header), so the
descriptors give its size and format but no digest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from omegaconf import DictConfig

from sim.config import Cohort, TeachingConfig
from sim.tables.dictionary import enum_values
from sim.tables.output import file_checksum
from sim.tables.schema import Column
from sim.teaching.card import (
    STUDENT_INTROS,
    datasheet_text,
    simulator_version,
    student_columns,
)

PRIMARY_KEYS = {
    "patients": ("patient_id",),
    "nights": ("patient_id", "night"),
    "measurements": ("patient_id",),
}
"""The columns that identify a row of each student table."""
FOREIGN_KEYS = {"nights": "patients", "measurements": "patients"}
"""Tables whose ``patient_id`` refers to a row of another table."""
LICENSE = {
    "name": "CC0-1.0",
    "path": "https://creativecommons.org/publicdomain/zero/1.0/",
    "title": "CC0 1.0 Universal (synthetic data; no real person described)",
}
DUCKDB_FILE = "students.duckdb"


@dataclass(frozen=True)
class About:
    """What both descriptors say of the dataset as a whole."""

    name: str
    title: str
    description: str
    version: str
    keywords: tuple[str, ...]


_DP2 = "https://datapackage.org/profiles/2.0/"
_UNIT_FREE = {"flag", "category", "id"}
_MEDIA = {
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "md": "text/markdown",
    "html": "text/html",
    "duckdb": "application/vnd.duckdb",
}
CROISSANT_CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
"""The standard Croissant 1.0 JSON-LD context (as mlcroissant writes it)."""
CROISSANT_CONFORMS_TO = [
    "http://mlcommons.org/croissant/1.0",
    "http://mlcommons.org/croissant/RAI/1.0",
]


# ------------------------------------------------------------------------------------------
# types
# ------------------------------------------------------------------------------------------
def _kind(dtype: pl.DataType) -> str:
    """The portable kind of a polars dtype: integer, number, boolean, enum or string."""
    if isinstance(dtype, pl.Enum):
        return "enum"
    if dtype.is_integer():
        return "integer"
    if dtype.is_float():
        return "number"
    if dtype == pl.Boolean:
        return "boolean"
    if dtype == pl.String:
        return "string"
    raise TypeError(f"no portable type for {dtype} (student tables hold scalar columns only)")


def _described(table: str, frame: pl.DataFrame) -> list[tuple[Column, pl.DataType]]:
    """The schema's column of each column of ``frame`` (in file order, as the students'
    data dictionary describes it), with its dtype."""
    return list(zip(student_columns(table, frame), frame.schema.values(), strict=True))


def _description(col: Column) -> str:
    unit = "" if col.unit in _UNIT_FREE else f" Unit: {col.unit}."
    return f"{col.description}{unit}"


# ------------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------------
def write_json(obj: dict[str, Any], path: Path) -> None:
    """``obj`` as indented UTF-8 JSON with a final newline (stable bytes)."""
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------------------
# Frictionless Data Package v2
# ------------------------------------------------------------------------------------------
def _dp_field(col: Column, dtype: pl.DataType, *, key: bool) -> dict[str, Any]:
    kind = _kind(dtype)
    field: dict[str, Any] = {
        "name": col.name,
        "type": "string" if kind == "enum" else kind,
        "description": _description(col),
    }
    if kind == "boolean":
        field["trueValues"], field["falseValues"] = ["true"], ["false"]
    if kind == "enum":
        labels = enum_values(dtype)
        field["categories"] = labels
        field["constraints"] = {"enum": labels}
    if key:
        field.setdefault("constraints", {})["required"] = True
    return field


def table_schema(table: str, frame: pl.DataFrame, *, resource_of: dict[str, str]) -> dict:
    """The Table Schema of one student table; foreign keys point at ``resource_of[table]``
    (the resource that holds the referenced table in the same format)."""
    keys = PRIMARY_KEYS[table]
    schema: dict[str, Any] = {
        "$schema": _DP2 + "tableschema.json",
        "fields": [_dp_field(c, t, key=c.name in keys) for c, t in _described(table, frame)],
        "missingValues": [""],
        "primaryKey": list(keys),
    }
    if table in FOREIGN_KEYS:
        schema["foreignKeys"] = [
            {
                "fields": ["patient_id"],
                "reference": {
                    "resource": resource_of[FOREIGN_KEYS[table]],
                    "fields": ["patient_id"],
                },
            }
        ]
    return schema


def checksums(folder: Path, paths: list[str]) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of each file (``paths`` relative to ``folder``), read once for
    both descriptors."""
    return {path: file_checksum(folder / path) for path in paths}


def _file_resource(name: str, path: str, sums: dict[str, dict[str, Any]]) -> dict:
    """A resource of file ``path``: its digest and size from ``sums`` when it is there."""
    ext = path.rsplit(".", 1)[-1]
    res: dict[str, Any] = {
        "$schema": _DP2 + "dataresource.json",
        "name": name,
        "path": path,
        "format": ext,
        "mediatype": _MEDIA[ext],
    }
    if path in sums:
        if ext != "parquet":  # frictionless reads Parquet through pandas, counts no bytes
            res["bytes"] = sums[path]["bytes"]
        res["hash"] = "sha256:" + sums[path]["sha256"]
    return res


def datapackage(
    tables: dict[str, pl.DataFrame],
    folder: Path,
    about: About,
    *,
    documents: list[str],
    sums: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """The Data Package of the files already written in ``folder``: a CSV and a Parquet
    resource per table (``<table>`` and ``<table>-parquet``), then ``documents`` (Markdown
    and the casebook's HTML pages, paths relative to ``folder``) and the DuckDB file when
    present; ``sums`` (``checksums``) gives every file's size and digest but DuckDB's."""
    resources: list[dict[str, Any]] = []
    for fmt, suffix in (("csv", ""), ("parquet", "-parquet")):
        resource_of = {t: t + suffix for t in tables}
        for table, frame in tables.items():
            res = _file_resource(table + suffix, f"{table}.{fmt}", sums)
            res["type"] = "table"
            res["title"] = f"{table} ({fmt.upper() if fmt == 'csv' else 'Parquet'})"
            if fmt == "csv":
                res["encoding"] = "utf-8"
                res["dialect"] = {
                    "$schema": _DP2 + "tabledialect.json",
                    "delimiter": ",",
                    "header": True,
                }
            res["schema"] = table_schema(table, frame, resource_of=resource_of)
            resources.append(res)
    for doc in documents:
        resources.append(_file_resource(doc.rsplit(".", 1)[0].replace("/", "-"), doc, sums))
    if (folder / DUCKDB_FILE).exists():
        res = _file_resource("students-duckdb", DUCKDB_FILE, sums)
        res["bytes"] = (folder / DUCKDB_FILE).stat().st_size
        res["description"] = (
            "The same tables in one DuckDB database (tables patients, nights, "
            "measurements, with keys and column comments). DuckDB writes a random "
            "database identifier into its header, so this file is not byte-identical "
            "between builds and has no digest here."
        )
        resources.append(res)
    return {
        "$schema": _DP2 + "datapackage.json",
        "name": about.name,
        "title": about.title,
        "description": about.description,
        "version": about.version,
        "keywords": list(about.keywords),
        "licenses": [LICENSE],
        "contributors": [{"title": "legache-sim (synthetic data generator)", "roles": ["creator"]}],
        "resources": resources,
    }


# ------------------------------------------------------------------------------------------
# Croissant 1.0 with RAI
# ------------------------------------------------------------------------------------------
_CR_TYPE = {
    "integer": "sc:Integer",
    "number": "sc:Float",
    "boolean": "sc:Boolean",
    "enum": "sc:Text",
    "string": "sc:Text",
}
RAI_KEYS = (
    "dataCollection",
    "dataCollectionType",
    "dataCollectionMissingData",
    "dataCollectionRawData",
    "dataPreprocessingProtocol",
    "dataAnnotationProtocol",
    "dataAnnotationPlatform",
    "machineAnnotationTools",
    "dataBiases",
    "dataUseCases",
    "dataLimitations",
    "dataSocialImpact",
    "personalSensitiveInformation",
    "dataReleaseMaintenancePlan",
)
"""The Croissant RAI 1.0 properties written (without the ``rai:`` prefix)."""


def rai_fields(text: dict[str, str]) -> dict[str, str]:
    """The Responsible-AI fields, from the data card's prose (``sim.teaching.card
    .datasheet_text``), as plain text (the card's Markdown code marks dropped)."""
    text = {k: v.replace("`", "") for k, v in text.items()}
    return {
        "dataCollection": text["collection"],
        "dataCollectionType": "Simulation (synthetic data from a mechanistic model).",
        "dataCollectionMissingData": text["missing"],
        "dataCollectionRawData": "None: no real data were collected. The simulator's "
        "parameters come from published clinical ranges (the project's DOMAIN.md).",
        "dataPreprocessingProtocol": text["preprocessing"],
        "dataAnnotationProtocol": "No annotation: the labels (primary cause, contributing "
        "causes, urgency) are the simulator's ground truth, known by construction and "
        "kept in the instructor's copy, not in these files.",
        "dataAnnotationPlatform": "None (labels by construction).",
        "machineAnnotationTools": "legache-sim (the simulator that generated the data).",
        "dataBiases": "Simulated: "
        + text["simulated"]
        + " Not simulated: "
        + text["not_simulated"],
        "dataUseCases": text["uses"] + " " + text["task"],
        "dataLimitations": text["not_suitable"],
        "dataSocialImpact": "Synthetic patients let classes practise diagnostic reasoning "
        "and model evaluation without exposing any real person's health data. The risk is "
        "over-trust: results on these data say nothing about real patients.",
        "personalSensitiveInformation": "None. Every patient is invented; the health data "
        "fields describe no real person.",
        "dataReleaseMaintenancePlan": text["maintenance"],
    }


def _record_set(table: str, frame: pl.DataFrame) -> dict[str, Any]:
    keys = PRIMARY_KEYS[table]
    fields = []
    for col, dtype in _described(table, frame):
        kind = _kind(dtype)
        desc = _description(col)
        if kind == "enum":
            desc += " One of: " + ", ".join(enum_values(dtype)) + "."
        field: dict[str, Any] = {
            "@type": "cr:Field",
            "@id": f"{table}/{col.name}",
            "name": col.name,
            "description": desc,
            "dataType": _CR_TYPE[kind],
            "source": {
                "fileObject": {"@id": f"{table}-csv"},
                "extract": {"column": col.name},
            },
        }
        if col.name == "patient_id" and table in FOREIGN_KEYS:
            field["references"] = {"field": {"@id": f"{FOREIGN_KEYS[table]}/patient_id"}}
        fields.append(field)
    key = [{"@id": f"{table}/{k}"} for k in keys]
    return {
        "@type": "cr:RecordSet",
        "@id": table,
        "name": table,
        "description": f"The {table} table (one record per row of {table}.csv).",
        "key": key[0] if len(key) == 1 else key,
        "field": fields,
    }


def croissant(
    tables: dict[str, pl.DataFrame],
    about: About,
    *,
    rai: dict[str, str],
    sums: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """The Croissant metadata of the tables already written: a CSV and a Parquet
    ``FileObject`` per table (size and digest from ``sums``, ``checksums``), a
    ``RecordSet`` per table read from the CSV."""
    distribution = []
    for table in tables:
        for fmt in ("csv", "parquet"):
            path = f"{table}.{fmt}"
            checksum = sums[path]
            distribution.append(
                {
                    "@type": "cr:FileObject",
                    "@id": f"{table}-{fmt}",
                    "name": path,
                    "description": f"The {table} table as {fmt.upper()}.",
                    "contentUrl": path,
                    "contentSize": f"{checksum['bytes']} B",
                    "encodingFormat": _MEDIA[fmt],
                    "sha256": checksum["sha256"],
                }
            )
    return {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "name": about.name,
        "alternateName": about.title,
        "description": about.description,
        "conformsTo": CROISSANT_CONFORMS_TO,
        "citeAs": f"legache-sim {about.version}, teaching dataset {about.name} (synthetic).",
        "creator": {"@type": "sc:Organization", "name": "legache-sim"},
        "keywords": list(about.keywords),
        "license": LICENSE["path"],
        "version": about.version,
        "isLiveDataset": False,
        **{f"rai:{k}": rai[k] for k in RAI_KEYS},
        "distribution": distribution,
        "recordSet": [_record_set(t, f) for t, f in tables.items()],
    }


# ------------------------------------------------------------------------------------------
# DuckDB
# ------------------------------------------------------------------------------------------
def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_type(dtype: pl.DataType, col: Column) -> str:
    if isinstance(dtype, pl.Enum):
        return "ENUM(" + ", ".join(_quote(c) for c in enum_values(dtype)) + ")"
    sql = {
        pl.Int8: "TINYINT",
        pl.Int16: "SMALLINT",
        pl.Int32: "INTEGER",
        pl.Int64: "BIGINT",
        pl.Float32: "REAL",
        pl.Float64: "DOUBLE",
        pl.Boolean: "BOOLEAN",
        pl.String: "VARCHAR",
    }
    for pl_type, name in sql.items():
        if dtype == pl_type:
            return name
    raise TypeError(f"no DuckDB type for {dtype} (column {col.name})")


def create_statements(table: str, frame: pl.DataFrame) -> list[str]:
    """``CREATE TABLE`` (types, keys) and ``COMMENT ON`` statements for one table."""
    cols = _described(table, frame)
    lines = [f"{c.name} {_sql_type(t, c)}" for c, t in cols]
    lines.append("PRIMARY KEY (" + ", ".join(PRIMARY_KEYS[table]) + ")")
    if table in FOREIGN_KEYS:
        lines.append(f"FOREIGN KEY (patient_id) REFERENCES {FOREIGN_KEYS[table]} (patient_id)")
    out = [f"CREATE TABLE {table} (\n  " + ",\n  ".join(lines) + "\n)"]
    out += [f"COMMENT ON COLUMN {table}.{c.name} IS {_quote(_description(c))}" for c, _ in cols]
    return out


def write_duckdb(tables: dict[str, pl.DataFrame], path: Path, *, comments: dict[str, str]) -> None:
    """The tables in one new DuckDB file at ``path`` (referenced tables first), with
    ``comments[table]`` as each table's comment."""
    import duckdb

    order = sorted(tables, key=lambda t: t in FOREIGN_KEYS)
    con = duckdb.connect(str(path))
    try:
        for table in order:
            for statement in create_statements(table, tables[table]):
                con.execute(statement)
            if table in comments:
                con.execute(f"COMMENT ON TABLE {table} IS {_quote(comments[table])}")
            con.register("incoming", tables[table].to_arrow())
            con.execute(f"INSERT INTO {table} SELECT * FROM incoming")
            con.unregister("incoming")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def write_descriptors(
    student: dict[str, pl.DataFrame],
    folder: Path,
    *,
    cfg: DictConfig,
    teaching: TeachingConfig,
    cohort: Cohort,
    answers: pl.DataFrame,
) -> None:
    """``students.duckdb``, then ``datapackage.json`` and ``croissant.json``, which give
    the sizes and digests of the files already in ``folder`` (``sim.teaching.package``)."""
    write_duckdb(student, folder / DUCKDB_FILE, comments=STUDENT_INTROS)
    text = datasheet_text(teaching=teaching, cohort=cohort, cfg=cfg, answers=answers)
    about = About(
        name=f"legache-sim-{teaching.name}",
        title=teaching.title,
        description=f"{teaching.card} Synthetic data, not for clinical use.",
        version=simulator_version(),
        keywords=(
            "synthetic data",
            "nocturnal leg pain",
            "clinical reasoning",
            "teaching",
            teaching.name,
        ),
    )
    pages = sorted(p.relative_to(folder).as_posix() for p in folder.glob("casebook/*.html"))
    documents = ["datacard.md", "data-dictionary.md", *pages]
    tables = [f"{t}.{fmt}" for fmt in ("csv", "parquet") for t in student]
    sums = checksums(folder, tables + documents)
    write_json(
        datapackage(student, folder, about, documents=documents, sums=sums),
        folder / "datapackage.json",
    )
    write_json(
        croissant(student, about, rai=rai_fields(text), sums=sums), folder / "croissant.json"
    )


__all__ = [
    "About",
    "checksums",
    "CROISSANT_CONTEXT",
    "DUCKDB_FILE",
    "FOREIGN_KEYS",
    "PRIMARY_KEYS",
    "RAI_KEYS",
    "create_statements",
    "croissant",
    "datapackage",
    "rai_fields",
    "table_schema",
    "write_descriptors",
    "write_duckdb",
    "write_json",
]
