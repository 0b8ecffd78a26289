"""The data card and the data dictionary of a teaching dataset's student copy.

Usage::

    text = datacard_markdown(teaching=t, cohort=c, cfg=cfg, student=tables.student,
                             answers=tables.instructor["answer_key"], headline=h)
    text = student_dictionary(tables.student)

The card follows Datasheets for Datasets (Gebru et al., 2021): motivation, composition,
collection process, preprocessing, uses, distribution, maintenance. Everything in it is
generated from the config and the tables, so it never disagrees with the files; it holds
no time and no path, so the same preset and seed give the same bytes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl
from omegaconf import DictConfig

from sim.config import LABELS, Cohort, TeachingConfig
from sim.report.page import markdown_table
from sim.tables.dictionary import TABLE_INTROS, render_tables
from sim.tables.schema import Column, columns

WARNING = (
    "**These data are synthetic.** Every patient was invented by a simulator "
    "(legache-sim); no real person is described. The data are for teaching and method "
    "development only and must not be used for clinical decisions, to estimate real "
    "prevalence, or as evidence about any treatment."
)

STUDENT_INTROS = {
    "patients": "One row per patient: demographics, risk factors, comorbidities and "
    "medications (start day and dose). The cause is not here: that is the exercise.",
    "nights": "One row per patient-night: the diary a patient would keep, as reported "
    "(with its reporting errors, when the preset adds them).",
    "measurements": TABLE_INTROS["measurements"],
}


def simulator_version() -> str:
    """The installed legache-sim version (``unknown`` from a bare checkout)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("legache-sim")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def _mix(answers: pl.DataFrame) -> str:
    counts = answers.group_by(pl.col("primary_cause").cast(pl.String)).len()
    order = {c: i for i, c in enumerate(LABELS)}
    rows = sorted(counts.iter_rows(), key=lambda r: order[r[0]])
    total = answers.height
    table = pl.DataFrame(
        {
            "primary cause": [r[0] for r in rows],
            "patients": [r[1] for r in rows],
            "share": [r[1] / total for r in rows],
        }
    )
    return markdown_table(table)


def _requested_mix(cohort: Cohort) -> str:
    if isinstance(cohort.cause_mix, str):
        return {
            "population": f"the calibrated mix of the `{cohort.population}` population",
            "balanced": "equal shares of the ten causes and controls",
        }[cohort.cause_mix]
    return ", ".join(f"{k} {v:.0%}" for k, v in cohort.cause_mix.items())


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def datasheet_text(
    *, teaching: TeachingConfig, cohort: Cohort, cfg: DictConfig, answers: pl.DataFrame
) -> dict[str, str]:
    """The data card's prose, one plain-text paragraph per topic, generated from the
    config: ``task``, ``collection``, ``simulated``, ``not_simulated``, ``missing``,
    ``preprocessing``,
    ``uses``, ``not_suitable``, ``distribution``, ``maintenance``. The data card
    (``datacard_markdown``) and the Croissant Responsible-AI fields
    (``sim.teaching.package``) both read it, so they cannot disagree."""
    drawn = set(answers["primary_cause"].cast(pl.String).to_list())
    present = [c for c in LABELS if c in drawn]
    cases = min(teaching.casebook.cases, answers.height)
    noise = float(cfg.noise.level)
    order = str(cfg.measurements.order)
    noise_text = (
        "none: diaries and tests are reported exactly as simulated"
        if noise == 0
        else f"level {noise:g} (1 is the reference): misreported yes/no answers, "
        "categories, pain and onset; some diary nights not filled in; tests with "
        "measurement error"
    )
    tests_text = (
        "every patient had every test"
        if order == "all"
        else "tests were ordered as a clinician would, from the history and the diary, "
        "so many are missing (missing is itself information)"
    )
    task = (
        "the urgency lane (`urgent`, `routine`, `self_care`)"
        if teaching.task == "urgency"
        else "the primary cause (here one of "
        + ", ".join(f"`{c}`" for c in present)
        + ("; `none` means no cause, harmless aches" if "none" in present else "")
        + ")"
    )
    return {
        "task": f"Students predict {task} of each patient. The answers are kept by the instructor.",
        "collection": "Nothing was collected: a mechanistic simulator drew each patient's "
        "cause first, then age, sex, risk factors, comorbidities and medications given that "
        "cause, then lived every night through a model of the physiology of each cause "
        "(perfusion, electrolytes and hydration, restless-legs circadian drive, cramps, "
        "muscle fatigue, nerve compression and neuropathy, drug effects, venous load, a "
        "narrow lumbar canal) that emits symptom episodes; the "
        "diary row summarises the night's episodes.",
        "simulated": "the ten root causes (the article's eight, chronic venous disease and lumbar spinal stenosis) and their co-occurrence (a patient can have "
        "several contributing causes), drug start days, nightly variation (exertion, "
        "alcohol, hot days), the diary, a clinic visit with the usual tests.",
        "not_simulated": "treatment and follow-up, other diagnoses than the ten, "
        "free-text history, imaging, sleep studies, real clinics' ordering habits or "
        "coding errors. Prevalences and effect sizes follow published ranges where they "
        "exist and are otherwise stated assumptions of the model.",
        "missing": (
            "No test is missing: every patient had every test."
            if order == "all"
            else "Clinic tests were ordered as a clinician would, so a test a clinician "
            "would not have ordered is missing (empty in CSV, null in Parquet)."
        )
        + (
            " Some diary nights were not filled in: their rows are absent from the nights "
            f"table (the preset's reporting-noise level is {noise:g})."
            if noise > 0
            else " Every diary night was filled in."
        )
        + " The episode answers (quality, location, side) are empty on nights without "
        "symptoms.",
        "preprocessing": f"Observation noise: {noise_text}. Clinic tests: {tests_text}. "
        "Every ground-truth column (latent physiology, the causes, the urgency) was removed "
        "from this copy; patient ids were re-mapped by a seeded random permutation. No other cleaning: missing values are "
        "empty cells in CSV and nulls in Parquet.",
        "uses": "Teaching clinical reasoning, epidemiology, data science and machine "
        "learning: exploring the diary, building features, triage rules or classifiers, and "
        "comparing them against the instructor's answer key.",
        "not_suitable": "Not suitable for: clinical decisions, estimating real-world "
        "prevalence or test accuracy, or validating a diagnostic tool for use on patients.",
        "distribution": "Hand out the `student/` folder as it is (Parquet, CSV and "
        "`students.duckdb` carry the same tables; `datapackage.json` and `croissant.json` "
        "describe them for data tools). "
        + (
            f"`casebook/` shows {cases} of these patients as web pages (open "
            "`casebook/index.html` in a browser), "
            + (
                "chosen so that every cause present has its turn (so being a case says "
                "something about the cause). "
                if teaching.casebook.draw == "balanced"
                else "drawn at random. "
            )
            if cases
            else ""
        )
        + "Keep `instructor/` (answer key, truth tables, solutions) apart. The data describe "
        "no real person and may be shared freely.",
        "maintenance": "Regenerate rather than edit: the instructor's `solutions.md` gives "
        "the command that rebuilds these files byte for byte; another seed gives a fresh "
        "dataset of the same design (one per class or per exam; use a large random seed). "
        "Report problems in the legache-sim issue tracker.",
    }


def datacard_markdown(
    *,
    teaching: TeachingConfig,
    cohort: Cohort,
    cfg: DictConfig,
    student: dict[str, pl.DataFrame],
    answers: pl.DataFrame,
    headline: dict[str, Any],
) -> str:
    """``datacard.md`` for the student copy (what students may know about the data)."""
    sizes = markdown_table(
        pl.DataFrame(
            {
                "table": list(student),
                "rows": [f.height for f in student.values()],
                "columns": [f.width for f in student.values()],
                "files": [f"`{n}.parquet`, `{n}.csv`" for n in student],
            }
        )
    )
    text = datasheet_text(teaching=teaching, cohort=cohort, cfg=cfg, answers=answers)
    lines = [
        f"# Data card: {teaching.title}",
        "",
        WARNING,
        "",
        f"Preset `{teaching.name}` of legache-sim {simulator_version()}. The seed and the command "
        "that rebuilt these files are in the instructor's copy: with them, a student could "
        "regenerate the answer key.",
        "",
        "## Motivation",
        "",
        teaching.card,
        "",
        text["task"],
        "",
        "## Composition",
        "",
        f"{cohort.n} synthetic adults (aged {cohort.age_min}-{cohort.age_max}) from the "
        f"`{cohort.population}` population, each with a diary of {cohort.nights} nights "
        "and one clinic visit.",
        "",
        sizes,
        "",
        f"Cause mix requested: {_requested_mix(cohort)}. Drawn:",
        "",
        _mix(answers),
        "",
        "Every column is described in `data-dictionary.md`. Patient ids are a random "
        "re-numbering (0 to n-1): their order carries no information, and rows are sorted "
        "by id (then night).",
        "",
        "## Collection process",
        "",
        text["collection"],
        "",
        f"**Simulated:** {text['simulated']}",
        "",
        f"**Not simulated:** {text['not_simulated']}",
        "",
        "## Preprocessing",
        "",
        text["preprocessing"],
        "",
        "## Uses",
        "",
        text["uses"] + " What is achievable on this dataset (macro-F1 of the primary "
        "cause, cross-validated):",
        "",
        f"- a model given the hidden truth as well (upper bound): "
        f"{_score(headline['oracle']['macro_f1'])}",
        f"- a strong model on these files: {_score(headline['best_model']['macro_f1'])}",
        f"- the project's shipped triage rules: {_score(headline['triage']['macro_f1'])}",
        f"- always guessing the commonest cause: {_score(headline['baseline']['macro_f1'])}",
        *(
            [
                f"- urgent patients the project's safest triage rules miss: "
                f"{headline['urgent_missed']['missed']} of {headline['urgent_missed']['urgent']}"
            ]
            if "urgent_missed" in headline
            else []
        ),
        "",
        text["not_suitable"],
        "",
        "## Distribution",
        "",
        text["distribution"],
        "",
        "## Maintenance",
        "",
        text["maintenance"],
        "",
    ]
    return "\n".join(lines)


STUDENT_ID_TEXT = (
    "Patient identifier: a random re-numbering 0 to n-1 (its order carries no "
    "information); the same patient has the same id in every table."
)


def student_columns(table: str, frame: pl.DataFrame) -> tuple[Column, ...]:
    """The schema's column of each column of ``frame``, in file order, as students see it
    (``patient_id`` described as the re-numbered id it is in their copy)."""
    schema = {c.name: c for c in columns(table)}
    cols = (schema[c] for c in frame.columns)
    return tuple(
        dataclasses.replace(c, description=STUDENT_ID_TEXT) if c.name == "patient_id" else c
        for c in cols
    )


def student_dictionary(student: dict[str, pl.DataFrame]) -> str:
    """``data-dictionary.md`` for exactly the columns of the student tables."""
    selected = {name: student_columns(name, frame) for name, frame in student.items()}
    preamble = (
        "Every table and column handed to students, generated from the simulator's "
        "schema (the same text as the project's docs/data-dictionary.md, without the "
        "ground-truth columns, which are not in these files). Parquet and CSV files carry "
        "the same columns; in CSV a missing value is an empty cell."
    )
    return render_tables(
        selected, title="Data dictionary", preamble=preamble, intros=STUDENT_INTROS
    )


__all__ = [
    "WARNING",
    "datacard_markdown",
    "datasheet_text",
    "simulator_version",
    "student_dictionary",
]
