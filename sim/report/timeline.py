"""Report section: night timelines, one patient's nights drawn for teaching.

Usage::

    draw_timeline(lived, 17, Path("timeline.png"))       # lived: sim.timeline.simulate_timelines
    section = timeline_section(cfg, patients, nights=7)  # report: one timeline per cause

Each row is a night on a clock from 20:00 to 11:00: the bar is the time in bed, episodes
are coloured by mechanism (darker = more intense, stacked when they overlap), and markers
show falling asleep, cramps, awakenings and the behaviours that answer episodes (getting
up to walk, hanging the leg over the bed edge, stretching). The day's events (exertion, hot
day, alcohol, a drug started) are written at the left of the row, the diary's pain score
and awakenings under the night's label.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from omegaconf import DictConfig  # noqa: E402

from sim.config import LABELS, validate  # noqa: E402
from sim.report.page import MECHANISM_COLOURS, Section, markdown_table  # noqa: E402
from sim.timeline import (  # noqa: E402
    CANDIDATES_PER_CAUSE,
    MAX_NIGHTS,
    Timelines,
    choose_patients,
    simulate_timelines,
)

MARKERS = {
    "fall_asleep": ("|", "#555555", "fell asleep"),
    "cramp": ("X", "black", "cramp"),
    "awakening": ("v", "#d62728", "awakening"),
    "get_up_walk": ("^", "#1f77b4", "got up to walk"),
    "dangle_leg": ("D", "#2ca02c", "leg over the bed edge"),
    "stretch": ("s", "#8c564b", "stretched"),
}
MARKER_OFFSET = {"fall_asleep": -0.3, "cramp": -0.15, "awakening": 0.3}
"""Vertical offset of markers within a night's row (behaviours sit at +0.12)."""
DAY_LABELS = {
    "exertion_day": "exertion",
    "unaccustomed_exertion": "unaccustomed",
    "hot_day": "hot",
    "alcohol": "alcohol",
}
CLOCK_FROM_H, CLOCK_TO_H = 20.0, 35.0  # 20:00 to 11:00 the next morning


# ------------------------------------------------------------------ draw
def _clock(hours: pl.Series) -> pl.Series:
    """Clock hour on the drawing's axis: 20:00 -> 20, 02:00 -> 26, noon -> 12."""
    return ((hours - 12.0) % 24.0) + 12.0


def draw_timeline(lived: Timelines, patient_id: int, path: Path) -> None:
    """Save one patient's nights as a PNG at ``path``."""
    patient = lived.patients.filter(pl.col("patient_id") == patient_id).row(0, named=True)
    events = lived.events.filter(pl.col("patient_id") == patient_id).with_columns(
        x=_clock(pl.col("clock_h")), kind=pl.col("kind").cast(pl.String)
    )
    diary = lived.nights.filter(pl.col("patient_id") == patient_id).sort("night")
    n_nights = diary.height
    fig, ax = plt.subplots(figsize=(11, 0.62 * n_nights + 1.9))
    for row in diary.iter_rows(named=True):
        y = row["night"]
        night = events.filter(pl.col("night") == y)
        start = _clock(pl.Series([row["bedtime_h"]]))[0]
        ax.broken_barh([(start, row["time_in_bed_min"] / 60.0)], (y - 0.36, 0.72), color="#eeeeee")
        _draw_episodes(ax, night, y)
        for kind, (marker, colour, _) in MARKERS.items():
            pts = night.filter(pl.col("kind") == kind)
            if pts.height:
                yy = y + MARKER_OFFSET.get(kind, 0.12)
                ax.scatter(pts["x"], [yy] * pts.height, marker=marker, color=colour, s=28, zorder=4)
        day = _day_text(night)
        if day:
            ax.text(CLOCK_FROM_H + 0.05, y, day, va="center", ha="left", fontsize=7, color="#444")
    ticks = list(range(int(CLOCK_FROM_H), int(CLOCK_TO_H) + 1))
    ax.set_xticks(ticks, [f"{t % 24:02d}:00" for t in ticks], fontsize=8)
    ax.set_xlim(CLOCK_FROM_H, CLOCK_TO_H)
    ax.set_ylim(n_nights - 0.5, -0.5)
    labels = [
        f"night {r['night']}\npain {r['pain_score']}, woke {r['awakenings']}"
        for r in diary.iter_rows(named=True)
    ]
    ax.set_yticks(range(n_nights), labels, fontsize=7)
    ax.set_xlabel("clock time")
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    mechanisms = events.filter(pl.col("kind") == "episode_start")["mechanism"].cast(pl.String)
    handles = [
        Patch(color=MECHANISM_COLOURS[m], label=f"{m} episode")
        for m in MECHANISM_COLOURS
        if m in set(mechanisms)
    ]
    handles += [
        Line2D([], [], marker=marker, color=colour, linestyle="", label=label)
        for kind, (marker, colour, label) in MARKERS.items()
        if kind in set(events["kind"])
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7)
    causes = ", ".join(patient["contributing_causes"]) or "none"
    sex = patient["sex"]
    ax.set_title(
        f"Patient {patient_id}: {patient['age']}-year-old {sex}, primary cause "
        f"{patient['primary_cause']} (active: {causes})",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _draw_episodes(ax, night: pl.DataFrame, y: float) -> None:
    starts = night.filter(pl.col("kind") == "episode_start").sort("t_min")
    ends = night.filter(pl.col("kind") == "episode_end").select("episode", end_x="x")
    lanes: list[float] = []  # end of the last episode drawn in each lane
    for ep in starts.join(ends, on="episode").iter_rows(named=True):
        lane = next((k for k, end in enumerate(lanes) if end <= ep["x"]), len(lanes))
        if lane == len(lanes):
            lanes.append(0.0)
        lanes[lane] = ep["end_x"]
        height = 0.5 / (1 + min(lane, 2))
        base = y - 0.25 + 0.5 * (1 - 1 / (1 + min(lane, 2)))
        width = max(ep["end_x"] - ep["x"], 0.04)
        alpha = 0.35 + 0.065 * ep["intensity"]
        colour = MECHANISM_COLOURS[ep["mechanism"]]
        ax.broken_barh([(ep["x"], width)], (base, height), color=colour, alpha=alpha, zorder=3)


def _day_text(night: pl.DataFrame) -> str:
    day = night.filter(pl.col("t_min") < 0)
    words = [DAY_LABELS[k] for k in day["kind"] if k in DAY_LABELS]
    words += [f"started {d}" for d in day["drug"].drop_nulls().cast(pl.String)]
    return ", ".join(words)


def timeline_section(cfg: DictConfig, patients: pl.DataFrame, *, nights: int = 7) -> Section:
    """Report section: one night timeline per primary cause present in ``patients``.

    ``cfg`` is the run's config (its cohort and model); the patients are re-simulated with
    the event engine for their first ``nights`` nights (identical to the cohort's patients).
    """
    cohort = validate(cfg)
    nights = min(nights, cohort.nights, MAX_NIGHTS)
    candidates = [
        i
        for cause in LABELS
        for i in patients.filter(pl.col("primary_cause") == cause)
        .sort("patient_id")["patient_id"]
        .head(CANDIDATES_PER_CAUSE)
        .to_list()
    ]
    lived = simulate_timelines(cfg, candidates, nights=nights)
    chosen = choose_patients(patients, lived)
    table = pl.DataFrame(
        {
            "primary_cause": list(chosen),
            "patient_id": list(chosen.values()),
        }
    ).join(
        lived.patients.select(
            "patient_id", "age", pl.col("sex").cast(pl.String), "contributing_causes"
        ).with_columns(pl.col("contributing_causes").cast(pl.List(pl.String)).list.join(", ")),
        on="patient_id",
        maintain_order="left",
    )
    text = (
        f"One patient per primary cause, their first {nights} nights as the event engine "
        "lives them (`python -m experiments.timeline patient_id=ID` draws any patient). "
        "Bars: time in bed; coloured blocks: symptom episodes by mechanism (darker = more "
        "intense); markers: falling asleep, cramps, awakenings, getting up to walk, hanging "
        "the leg over the bed edge, stretching. The day's exertion, heat, alcohol and drug "
        "starts are written in each night's row, the diary's pain score and awakenings "
        "under its label."
        "\n\n" + markdown_table(table)
    )
    figures = {
        f"timeline_{cause}.png": (lambda p, i=pid: draw_timeline(lived, i, p))
        for cause, pid in chosen.items()
    }
    return Section("Night timelines (event engine)", text, figures)
