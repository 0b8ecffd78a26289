"""The casebook: one static HTML page per selected patient, for clinical reasoning classes.

Usage::

    ids = select_cases(tables.instructor["answer_key"], cases=12, seed=7)   # uniform
    page = case_page(ids[0], tables.student, nights=28, title="Week 3")   # no truth
    key = case_answer(ids[0], tables.instructor)
    page = case_page(ids[0], tables.student, nights=28, title="Week 3", answer=key)
    ids = write_casebook(tables.student, tables.instructor, out / "student",
                         out / "instructor", cases=12, seed=7, title="Week 3", nights=28,
                         draw="uniform")

``write_casebook`` writes ``student/casebook/`` (``index.html`` and ``case-<id>.html``: the
history, the medications with their start days, the diary as a chart and a table, the
clinic results with reference ranges and flags) and ``instructor/casebook/`` (the same
pages, each with the answer: primary and contributing causes, urgency, the culprit drug,
the true values that set the urgency, the true physiology, and the nights on which each
active mechanism dominated, shaded on the chart). A student page is a function of the
student tables alone (``case_page`` is given nothing else).

Cases are drawn by ``select_cases`` (``teaching.casebook.draw``). The default, ``uniform``,
is a seeded draw that reads nothing but the patient ids and the seed, so being a case says
nothing about a patient's cause. ``balanced`` is a round robin over the true primary
causes present (every cause gets a case before any gets a second): it covers every cause,
but being a case is then evidence of a rare cause (electrolyte is 3% of ``standard`` and
gets one or two of 12 cases), and the case ids are the tables' ids, so use it only when the
students do not also classify the tables. Either way the index lists the cases by id.

The pages are self-contained (inline CSS and SVG, no script, no font, no link outside the
folder) and hold no time and no path, so the same preset and seed give the same bytes.
Flags compare the value as shown (rounded as a laboratory reports it) with the limits of
``sim.model.reference`` (DOMAIN.md, "Laboratory reference ranges" and "ABI bands").
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sim.config import LABELS
from sim.model import reference as ref
from sim.model.causes import CAUSE_CODE, URGENCIES, urgency
from sim.model.mechanisms.medication import DIURETICS
from sim.model.population import DRUG_INDICATION, DRUGS
from sim.report.page import MECHANISM_COLOURS
from sim.tables.schema import COMORBIDITIES, COMORBIDITY_TEXT, columns
from sim.teaching.card import WARNING

FOLDER = "casebook"
"""The casebook's folder inside ``student/`` and ``instructor/``."""
CASE_STREAM = 0xCA5EB0
"""Mixed into the selection's seed, so it shares no stream with the ids or the simulation."""

CAUSE_NAMES = {
    "rls": "restless legs syndrome",
    "pad": "peripheral artery disease",
    "cramps": "idiopathic nocturnal leg cramps",
    "fatigue": "muscle fatigue and delayed-onset soreness",
    "dehydration": "dehydration",
    "nerve": "nerve compression or neuropathy",
    "medication": "a medication's effect",
    "electrolyte": "an electrolyte disturbance",
    "venous": "chronic venous disease",
    "stenosis": "lumbar spinal stenosis",
    "none": "no cause (a control: harmless aches)",
    "background": "background aches (harmless)",
}
"""Readable names of the causes and of the background mechanism (instructor pages; PAD
with critical ischaemia adds ``CRITICAL_ISCHAEMIA``)."""
CRITICAL_ISCHAEMIA = "critical ischaemia (rest pain)"
"""Added to PAD's name when the true ankle pressure or ABI is below the urgency limits
(DOMAIN.md, "Urgency": ankle below 50 mmHg or ABI below 0.40)."""
CAUSE_SIGNS = {
    "rls": "urge to move, relieved by moving, worse late evening and around midnight; "
    "family history common; ferritin 75 ug/L or less makes it worse",
    "pad": "ache in toes, forefoot or calf, worse with the legs raised, eased by hanging "
    "the leg down; wakes the patient; low ABI",
    "cramps": "sudden, intense, palpable hard muscle (calf or foot) for seconds to minutes, "
    "relieved by stretching; rises with age",
    "fatigue": "deep ache and soreness the nights after heavy or unaccustomed exertion",
    "dehydration": "low intake, heat, sweat or alcohol; serum osmolality above 300 mOsm/kg",
    "nerve": "radiating, shooting or burning pain on one side, numbness and tingling; "
    "straight-leg raise or nerve conduction abnormal",
    "medication": "onset follows the drug's start (statin ache within weeks, SSRI or "
    "mirtazapine restlessness within days, diuretic cramps with low potassium)",
    "electrolyte": "cramps and spasms with potassium, magnesium, calcium or sodium out of range",
    "venous": "aching, heavy legs from lying down, eased by raising them or walking; legs "
    "that swell by evening; worse on hot days",
    "stenosis": "aching, heavy or tingling legs, often both, from the buttock down, worse "
    "lying flat, eased by sitting up or curling up; leg pain on walking eased by sitting",
    "background": "mild, short aches with no mechanism behind them",
}
"""What each mechanism shows at night (DOMAIN.md, "The eight root causes"; venous disease
and lumbar spinal stenosis from "Neuropathy, spinal stenosis, venous disease")."""
DRUG_NAMES = {
    "statin": "statin",
    "thiazide": "thiazide diuretic",
    "loop_diuretic": "loop diuretic",
    "potassium_sparing": "potassium-sparing diuretic",
    "ssri": "SSRI antidepressant",
    "mirtazapine": "mirtazapine",
    "bisphosphonate": "bisphosphonate",
}

ABI_BANDS = (
    ("below 0.40", "advanced ischaemia"),
    ("0.90 or less", "abnormal: peripheral artery disease"),
    ("0.91-0.99", "borderline"),
    ("1.00-1.40", "normal"),
    ("above 1.40", "non-compressible arteries"),
)
"""ABI bands (AHA/ACC 2016; DOMAIN.md), as shown under the clinic results."""


UNITS = {column.name: column.unit for column in columns("measurements")}
"""The unit of each clinic result (the schema's ``Column.unit``)."""


@dataclass(frozen=True)
class LabTest:
    """One row of the clinic results: a measurement column, how to show and flag it (the
    unit from the schema, the range from ``sim.model.reference``)."""

    column: str
    name: str
    digits: int
    low: float | None = None
    high: float | None = None
    note: str = ""
    """Said after the range, or instead of it when the test has none."""

    @property
    def unit(self) -> str:
        return UNITS[self.column]

    @property
    def range_text(self) -> str:
        if self.low is None or self.high is None:
            return self.note
        text = f"{_num(self.low, self.digits)}-{_num(self.high, self.digits)}"
        return f"{text} ({self.note})" if self.note else text


FERRITIN_NOTE = (
    f"at or below {ref.FERRITIN_IRON_THRESHOLD_UG_L:g}: the iron-treatment threshold in "
    "restless legs"
)
"""The ferritin's note (not a flag: 75 ug/L is a treatment threshold, not a normal limit)."""
LAB_TESTS = (
    LabTest(
        "potassium_mmol_l", "Potassium", 1, ref.POTASSIUM_LOW_MMOL_L, ref.POTASSIUM_HIGH_MMOL_L
    ),
    LabTest(
        "magnesium_mmol_l", "Magnesium", 2, ref.MAGNESIUM_LOW_MMOL_L, ref.MAGNESIUM_HIGH_MMOL_L
    ),
    LabTest(
        "calcium_mmol_l", "Calcium (total)", 2, ref.CALCIUM_LOW_MMOL_L, ref.CALCIUM_HIGH_MMOL_L
    ),
    LabTest("sodium_mmol_l", "Sodium", 0, ref.SODIUM_LOW_MMOL_L, ref.SODIUM_HIGH_MMOL_L),
    LabTest(
        "osmolality_mosm_kg",
        "Serum osmolality",
        0,
        ref.OSMOLALITY_LOW_MOSM_KG,
        ref.OSMOLALITY_HIGH_MOSM_KG,
        f"above {ref.OSMOLALITY_DEHYDRATION_MOSM_KG:g}: dehydration in older adults",
    ),
    LabTest(
        "ferritin_ug_l",
        "Ferritin",
        0,
        note=f"sex-dependent; {ref.FERRITIN_IRON_THRESHOLD_UG_L:g} or less: iron indicated "
        "in restless legs (AASM 2024)",
    ),
    LabTest(
        "ck_u_l",
        "Creatine kinase (CK)",
        0,
        note="no range in the course's sources: compare with your laboratory's",
    ),
)
"""The laboratory tests, in the order of the clinic results (ABI and the examinations
are shown with them)."""

NIGHT_FLAGS = (
    ("urge_to_move", "urge to move"),
    ("relief_by_movement", "relieved by moving"),
    ("relief_by_dangling", "relieved by hanging the leg down"),
    ("worse_with_elevation", "worse with the legs raised"),
    ("palpable_hardening", "hard, knotted muscle"),
    ("numbness_tingling", "numbness or tingling"),
)
DAY_FLAGS = (("heavy_exertion", "heavy exertion"), ("alcohol", "alcohol"), ("hot_day", "hot day"))
SECTIONS = ("history", "medications", "diary", "clinic")
"""The sections of every case page, in order (the instructor's pages add ``answer``)."""


# ------------------------------------------------------------------------------------------
# selection
# ------------------------------------------------------------------------------------------
def select_cases(
    answer_key: pl.DataFrame, *, cases: int, seed: int, draw: str = "uniform"
) -> list[int]:
    """``cases`` patient ids, sorted (every patient when ``cases`` is at least their
    number), by ``draw``: ``uniform`` (``uniform_draw``: reads only the ids) or
    ``balanced`` (``balanced_draw``: reads the primary causes; see its warning)."""
    if draw == "uniform":
        return uniform_draw(answer_key["patient_id"].to_list(), cases=cases, seed=seed)
    if draw == "balanced":
        return balanced_draw(answer_key, cases=cases, seed=seed)
    raise ValueError(f"draw={draw!r} is invalid: expected one of uniform, balanced")


def _rng(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, CASE_STREAM])))


def uniform_draw(patient_ids: list[int], *, cases: int, seed: int) -> list[int]:
    """``cases`` ids drawn without replacement, uniformly, from ``patient_ids`` with
    ``seed`` (the ids' order does not matter): nothing but the ids and the seed is read,
    so being a case says nothing about a patient's cause."""
    ids = np.sort(np.asarray(patient_ids, dtype=np.int64))
    chosen = _rng(seed).choice(ids, size=min(max(cases, 0), ids.size), replace=False)
    return sorted(int(i) for i in chosen)


def balanced_draw(answer_key: pl.DataFrame, *, cases: int, seed: int) -> list[int]:
    """``cases`` ids by a round robin over the true primary causes present (in a seeded
    order, so which causes get one case more is the seed's choice), each turn taking the
    next patient of a seeded shuffle of that cause.

    Warning: this reads the answer. Every cause gets a case before any gets a second, so a
    rare cause is over-represented (in ``standard``, electrolyte is 3% of the patients but
    one or two of 12 cases), and being a case is evidence of a rare cause; the case ids
    are the tables' ids. Use it only when the students do not also classify the tables."""
    rng = _rng(seed)
    by_cause = answer_key.select("patient_id", pl.col("primary_cause").cast(pl.String))
    queues = []
    for cause in LABELS:
        ids = np.sort(by_cause.filter(pl.col("primary_cause") == cause)["patient_id"].to_numpy())
        if ids.size:
            queues.append(list(rng.permutation(ids)))
    queues = [queues[i] for i in rng.permutation(len(queues))]
    chosen: list[int] = []
    while len(chosen) < cases and any(queues):
        for queue in queues:
            if queue and len(chosen) < cases:
                chosen.append(int(queue.pop(0)))
    return sorted(chosen)


# ------------------------------------------------------------------------------------------
# formatting
# ------------------------------------------------------------------------------------------
def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _num(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def _yes(value: Any) -> str:
    return "not recorded" if value is None else ("yes" if value else "no")


def _clock(hour: float) -> str:
    minutes = int(round(hour * 60)) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _start_day(day: int, nights: int) -> str:
    """A drug's start day in words (0 = the first diary night; a preset's diary can be
    shorter than the horizon over which start days are drawn)."""
    if day < 0:
        return f"day {day} ({-day} days before the diary)"
    if day == 0:
        return "day 0 (the first diary night)"
    if day >= nights:
        return f"day {day} (after the diary's last night, night {nights - 1})"
    return f"day {day} (during the diary, before night {day})"


def _table(header: list[str], rows: list[list[str]], *, css: str = "") -> str:
    """An HTML table of already escaped cells."""
    head = "".join(f'<th scope="col">{h}</th>' for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    cls = f' class="{css}"' if css else ""
    return f"<table{cls}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _facts_table(rows: list[tuple[str, str]], *, css: str = "facts") -> str:
    """A two-column table of (heading, value) rows, both escaped here."""
    items = "\n".join(f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in rows)
    return f'<table class="{css}">\n<tbody>\n{items}\n</tbody>\n</table>'


def _by_night(diary: pl.DataFrame) -> dict[int, dict[str, Any]]:
    """The diary's rows by night (a night without a row is absent)."""
    return {row["night"]: row for row in diary.iter_rows(named=True)}


def _markdown_bold(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", _e(text))


# ------------------------------------------------------------------------------------------
# the sections
# ------------------------------------------------------------------------------------------
def history_html(patient: dict[str, Any]) -> str:
    """The history of one student ``patients`` row: demographics, habits, comorbidities."""
    comorbid = [COMORBIDITY_TEXT[c] for c in COMORBIDITIES if patient.get(c)]
    heavy = " (more than 14 a week)" if patient["heavy_alcohol"] else ""
    rows = [
        ("Age", f"{patient['age']} years"),
        ("Sex", patient["sex"]),
        ("Body mass index", f"{_num(patient['bmi_kg_m2'], 1)} kg/m2"),
        ("Usual physical activity", patient["activity_level"]),
        ("Usual fluid intake (self-reported)", patient["fluid_intake_habit"]),
        ("Alcohol", f"{_num(patient['alcohol_units_week'], 1)} UK units a week{heavy}"),
        ("Smoking", "current smoker" if patient["smoking"] else "does not smoke"),
        ("Family history of restless legs", _yes(patient["family_history_rls"])),
        ("Comorbidities", "; ".join(comorbid) if comorbid else "no comorbidity recorded"),
    ]
    return _facts_table(rows)


def medications_html(patient: dict[str, Any], *, nights: int) -> str:
    """The drugs the patient takes, with indication, start day (0 = first diary night)
    and dose; a sentence when there are none."""
    rows = [
        [
            _e(DRUG_NAMES[d]),
            _e(COMORBIDITY_TEXT[DRUG_INDICATION[d]]),
            _e(_start_day(int(patient[f"{d}_start_day"]), nights)),
            _e(
                "not recorded"
                if _missing(patient[f"{d}_dose_mg"])
                else f"{patient[f'{d}_dose_mg']:g} mg"
            ),
        ]
        for d in DRUGS
        if patient[f"on_{d}"]
    ]
    if not rows:
        return "<p>No regular medicines.</p>"
    return _table(["Drug", "Usually for", "Started", "Dose"], rows)


@dataclass(frozen=True)
class _Frame:
    """The geometry of the diary chart (pixels)."""

    nights: int
    top: float
    width: float = 760.0
    left: float = 60.0
    right: float = 16.0
    plot_h: float = 170.0

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def bottom(self) -> float:
        return self.top + self.plot_h

    @property
    def band(self) -> float:
        return self.plot_w / self.nights

    def x(self, night: int) -> float:
        return self.left + (night + 0.5) * self.band

    def y(self, pain: float) -> float:
        return self.bottom - pain / 10.0 * self.plot_h


def _f(v: float) -> str:
    return f"{v:.1f}"


LEGEND_ROW_PX = 20.0
"""Height of a legend row; the first row's baseline is at 14 px."""
LABEL_PX_PER_CHAR = 6.2
"""Estimated width of a legend label's character at 11 px (an assumption: wide enough for
the usual sans-serif fonts)."""


def _legend_width(label: str) -> float:
    """The width of a legend entry without the gap after it: swatch, space, label."""
    return 16 + LABEL_PX_PER_CHAR * len(label)


def _legend(
    groups: list[list[tuple[str, str]]], *, left: float, right: float
) -> tuple[list[str], int]:
    """Legend entries (swatch SVG, label), each group on a new row, a row wrapped before an
    entry that would pass ``right``; returns the SVG and the number of rows."""
    out: list[str] = []
    row = -1
    for items in groups:
        row, x = row + 1, left
        for swatch, label in items:
            if x > left and x + _legend_width(label) > right:
                row, x = row + 1, left
            y = 14 + row * LEGEND_ROW_PX
            out.append(f'<g transform="translate({_f(x)},{_f(y)})">{swatch}')
            out.append(f'<text x="16" y="4" class="legend-label">{_e(label)}</text></g>')
            x += _legend_width(label) + 14
    return out, row + 1


def _triangle(x: float, y: float, size: float = 5.0) -> str:
    return (
        f"M{_f(x - size)},{_f(y + size)} L{_f(x + size)},{_f(y + size)} L{_f(x)},{_f(y - size)} Z"
    )


def _diamond(x: float, y: float, size: float = 5.0) -> str:
    return f"M{_f(x)},{_f(y - size)} L{_f(x + size)},{_f(y)} L{_f(x)},{_f(y + size)} L{_f(x - size)},{_f(y)} Z"


def diary_chart_svg(
    diary: pl.DataFrame,
    *,
    nights: int,
    visit_night: int | None = None,
    highlights: dict[str, list[int]] | None = None,
) -> str:
    """The diary as an inline SVG chart: the worst pain of each recorded night (a line
    broken where a night was not recorded, those nights hatched and labelled), the
    awakenings and cramps of each night as markers on two rows beneath, the clinic visit,
    axis labels and a legend. ``highlights`` (instructor pages only) shades the nights on
    which each mechanism dominated."""
    recorded = _by_night(diary)
    legend = [
        (
            '<line x1="0" y1="0" x2="12" y2="0" class="pain-line"/>'
            '<circle cx="6" cy="0" r="3.5" class="pain-point-key"/>',
            "worst pain (0-10)",
        ),
        (_svg_path(_triangle(6, 0), "awakening-key"), "woken by symptoms (times)"),
        (_svg_path(_diamond(6, 0), "cramp-key"), "cramps (count)"),
        ('<rect x="0" y="-6" width="12" height="12" fill="url(#hatch)"/>', "not recorded"),
    ]
    shown = [m for m in MECHANISM_COLOURS if highlights and highlights.get(m)]
    keys = [
        (
            f'<rect x="0" y="-6" width="12" height="12" '
            f'fill="{MECHANISM_COLOURS[m]}" opacity="0.45"/>',
            f"dominant: {m}",
        )
        for m in shown
    ]
    edge = _Frame.width - _Frame.right
    legend_svg, rows = _legend([legend, keys] if keys else [legend], left=_Frame.left, right=edge)
    g = _Frame(nights=nights, top=16 + LEGEND_ROW_PX * rows)
    woken_y, cramp_y = g.bottom + 38, g.bottom + 58
    height = g.bottom + 96
    out = [
        f'<svg class="diary-chart" role="img" aria-labelledby="chart-title" '
        f'width="{g.width:.0f}" height="{height:.0f}" viewBox="0 0 {g.width:.0f} {height:.0f}">',
        '<title id="chart-title">Diary: worst pain per night, awakenings and cramps</title>',
        "<defs>"
        '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" '
        'stroke="#b0b0b0" stroke-width="2"/></pattern></defs>',
        *legend_svg,
    ]
    for mechanism in shown:
        for night in (highlights or {})[mechanism]:
            out.append(
                f'<rect class="mechanism-band" data-mechanism="{_e(mechanism)}" '
                f'data-night="{night}" x="{_f(g.left + night * g.band)}" y="{_f(g.top)}" '
                f'width="{_f(g.band)}" height="{_f(g.plot_h)}" '
                f'fill="{MECHANISM_COLOURS[mechanism]}" opacity="0.3">'
                f"<title>night {night}: {_e(mechanism)} dominated</title></rect>"
            )
    # axes and grid
    for pain in range(0, 11, 2):
        y = g.y(pain)
        out.append(
            f'<line x1="{_f(g.left)}" y1="{_f(y)}" x2="{_f(g.width - g.right)}" y2="{_f(y)}" '
            f'class="grid"/><text x="{_f(g.left - 8)}" y="{_f(y + 4)}" class="tick" '
            f'text-anchor="end">{pain}</text>'
        )
    out.append(
        f'<text class="axis-label" text-anchor="middle" transform="translate(16,'
        f'{_f(g.top + g.plot_h / 2)}) rotate(-90)">worst pain (0-10)</text>'
    )
    step = max(1, math.ceil(nights / 14))
    for night in range(0, nights, step):
        out.append(
            f'<text x="{_f(g.x(night))}" y="{_f(g.bottom + 16)}" class="tick" '
            f'text-anchor="middle">{night}</text>'
        )
    out.append(
        f'<text x="{_f(g.left - 8)}" y="{_f(woken_y + 4)}" class="tick" text-anchor="end">'
        f'woken</text><text x="{_f(g.left - 8)}" y="{_f(cramp_y + 4)}" class="tick" '
        f'text-anchor="end">cramps</text>'
    )
    out.append(
        f'<text x="{_f(g.left + g.plot_w / 2)}" y="{_f(height - 8)}" class="axis-label" '
        f'text-anchor="middle">night of the diary (0 = first night)</text>'
    )
    # nights not recorded
    for night in range(nights):
        row = recorded.get(night)
        if row is not None and row["pain_score"] is not None:
            continue
        x = g.left + night * g.band
        out.append(
            f'<rect class="not-recorded" data-night="{night}" x="{_f(x)}" y="{_f(g.top)}" '
            f'width="{_f(g.band)}" height="{_f(g.plot_h)}" fill="url(#hatch)" opacity="0.6">'
            f"<title>night {night}: not recorded</title></rect>"
            f'<text class="not-recorded-label" text-anchor="middle" '
            f'transform="translate({_f(x + g.band / 2 + 3)},{_f(g.top + g.plot_h / 2)}) '
            f'rotate(-90)">not recorded</text>'
        )
    if visit_night is not None and 0 <= visit_night < nights:
        x = g.left + (visit_night + 1) * g.band
        out.append(
            f'<line x1="{_f(x)}" y1="{_f(g.top - 4)}" x2="{_f(x)}" y2="{_f(g.bottom)}" '
            f'class="visit"/><text x="{_f(x)}" y="{_f(g.top - 8)}" class="tick" '
            f'text-anchor="end">clinic visit</text>'
        )
    out.append(
        f'<line x1="{_f(g.left)}" y1="{_f(g.bottom)}" x2="{_f(g.width - g.right)}" '
        f'y2="{_f(g.bottom)}" class="axis"/><line x1="{_f(g.left)}" y1="{_f(g.top)}" '
        f'x2="{_f(g.left)}" y2="{_f(g.bottom)}" class="axis"/>'
    )
    # the pain line, broken at every night without a score
    run: list[str] = []
    segments: list[list[str]] = []
    for night in range(nights):
        row = recorded.get(night)
        if row is None or row["pain_score"] is None:
            segments.append(run)
            run = []
            continue
        run.append(f"{_f(g.x(night))},{_f(g.y(row['pain_score']))}")
    segments.append(run)
    for seg in segments:
        if len(seg) > 1:
            out.append(f'<polyline class="pain-line" points="{" ".join(seg)}"/>')
    for night in range(nights):
        row = recorded.get(night)
        if row is None:
            continue
        x = g.x(night)
        if row["pain_score"] is not None:
            out.append(
                f'<circle class="pain-point" data-night="{night}" cx="{_f(x)}" '
                f'cy="{_f(g.y(row["pain_score"]))}" r="3.5"><title>night {night}: pain '
                f"{row['pain_score']}</title></circle>"
            )
        for kind, column, y, shape in (
            ("awakening", "awakenings", woken_y, _triangle),
            ("cramp", "cramp_count", cramp_y, _diamond),
        ):
            count = row[column]
            if count:
                out.append(
                    f'<path class="{kind}-marker" data-night="{night}" d="{shape(x, y)}">'
                    f"<title>night {night}: {column.replace('_', ' ')} {count}</title></path>"
                )
                if count > 1:
                    out.append(
                        f'<text x="{_f(x + 6)}" y="{_f(y - 3)}" class="count">{count}</text>'
                    )
    out.append("</svg>")
    return "\n".join(out)


def _svg_path(d: str, css: str) -> str:
    return f'<path d="{d}" class="{css}"/>'


def diary_table_html(diary: pl.DataFrame, *, nights: int) -> str:
    """The diary night by night; a night without a row reads "not recorded"."""
    recorded = _by_night(diary)
    header = [
        "Night",
        "Lay down",
        "Pain",
        "Onset (min)",
        "Symptoms (min)",
        "Quality",
        "Where",
        "Side",
        "Noted",
        "Cramps",
        "Woken",
        "Asleep",
        "The day before",
    ]
    rows = []
    for night in range(nights):
        row = recorded.get(night)
        if row is None:
            rows.append(
                f'<tr class="not-recorded"><td>{night}</td>'
                f'<td colspan="{len(header) - 1}">not recorded</td></tr>'
            )
            continue

        def cell(value: Any, fmt: str = "{}") -> str:
            return "" if _missing(value) else _e(fmt.format(value))

        noted = [label for column, label in NIGHT_FLAGS if row[column]]
        day = [label for column, label in DAY_FLAGS if row[column]]
        cells = [
            str(night),
            _e(_clock(row["bedtime_h"])),
            "not recorded" if row["pain_score"] is None else str(row["pain_score"]),
            cell(row["onset_min"], "{:.0f}"),
            cell(row["duration_min"], "{:.0f}"),
            cell(row["quality"]),
            cell(None if row["location"] is None else row["location"].replace("_", " ")),
            cell(row["side"]),
            _e(", ".join(noted)),
            cell(row["cramp_count"]),
            cell(row["awakenings"]),
            cell(row["sleep_efficiency"], "{:.0%}"),
            _e(", ".join(day)),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    body = "\n".join(rows)
    return (
        f'<table class="diary">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n'
        "</table>"
    )


def _band_flag(value: float, low: float | None, high: float | None) -> str:
    if low is not None and value < low:
        return "low"
    if high is not None and value > high:
        return "high"
    return "normal"


FLAG_KINDS = ("low", "high", "abnormal", "normal")
"""The flags of the clinic results; any other text (no range, the ferritin's threshold) is
a neutral ``note``, and an empty flag is ``blank``."""


def _flag_kind(flag: str) -> str:
    """The CSS kind of a flag's text: its first word if a flag, else note or blank."""
    if not flag:
        return "blank"
    first = flag.split(" ")[0]
    return first if first in FLAG_KINDS else "note"


def abi_band(abi: float) -> tuple[str, str]:
    """The flag and band of an ABI as shown (two decimals; AHA/ACC 2016 bands)."""
    if abi < ref.CRITICAL_ABI:
        return "low", "advanced ischaemia"
    if abi <= ref.ABI_ABNORMAL:
        return "low", "abnormal: peripheral artery disease"
    if abi < 1.0:
        return "low", "borderline"
    if abi <= ref.ABI_NONCOMPRESSIBLE:
        return "normal", "normal"
    return "high", "non-compressible arteries"


def clinic_html(visit: dict[str, Any] | None) -> str:
    """The clinic results of one student ``measurements`` row: value, unit, reference
    range and flag of each test, "not measured" where it was not done."""
    if visit is None:
        return "<p>No clinic visit.</p>"
    rows = []
    abi = visit["abi"]
    band = None
    if _missing(abi):
        rows.append(["Ankle-brachial index (ABI)", "not measured", "ratio", "1.00-1.40", ""])
    else:
        shown = round(abi, 2)
        flag, band = abi_band(shown)
        rows.append(
            [
                "Ankle-brachial index (ABI)",
                _num(shown, 2),
                "ratio",
                "1.00-1.40 (bands below)",
                f"{flag} ({band})" if flag != "normal" else flag,
            ]
        )
    for test in LAB_TESTS:
        value = visit[test.column]
        if _missing(value):
            rows.append([test.name, "not measured", test.unit, test.range_text, ""])
            continue
        shown = round(value, test.digits)
        if test.column == "ferritin_ug_l":
            flag = FERRITIN_NOTE if shown <= ref.FERRITIN_IRON_THRESHOLD_UG_L else ""
        elif test.low is None and test.high is None:
            flag = "no range"
        else:
            flag = _band_flag(shown, test.low, test.high)
        rows.append([test.name, _num(shown, test.digits), test.unit, test.range_text, flag])
    for column, name, positive in (
        ("slr_positive", "Straight-leg raise", "positive"),
        ("nerve_conduction_abnormal", "Nerve conduction study", "abnormal"),
    ):
        value = visit[column]
        if value is None:
            rows.append([name, "not done", "", "negative or normal", ""])
        else:
            result = positive if value else ("negative" if column == "slr_positive" else "normal")
            rows.append([name, result, "", "negative or normal", "abnormal" if value else "normal"])
    body = []
    for row in rows:
        flag = row[4]
        css = f"flag-{_flag_kind(flag)}"
        cells = "".join(f"<td>{_e(c)}</td>" for c in row[:4])
        body.append(f'<tr class="{_e(css)}">{cells}<td class="flag">{_e(flag)}</td></tr>')
    bands = "\n".join(
        ('<tr class="this-band">' if label == band else "<tr>")
        + f"<td>{_e(r)}</td><td>{_e(label)}</td></tr>"
        for r, label in ABI_BANDS
    )
    return (
        f"<p>Seen after night {visit['visit_night']} of the diary.</p>\n"
        '<table class="results">\n<thead><tr><th scope="col">Test</th><th scope="col">'
        'Result</th><th scope="col">Unit</th><th scope="col">Reference range</th>'
        '<th scope="col">Flag</th></tr></thead>\n<tbody>\n'
        + "\n".join(body)
        + "\n</tbody>\n</table>\n"
        + '<table class="bands"><caption>ABI bands (AHA/ACC 2016)</caption>\n<tbody>\n'
        + bands
        + "\n</tbody>\n</table>"
    )


# ------------------------------------------------------------------------------------------
# the answer (instructor pages)
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseAnswer:
    """What the instructor's page adds to a case: the answer and why."""

    primary_cause: str
    contributing_causes: tuple[str, ...]
    urgency: str
    culprit_drug: str | None
    mechanism_nights: dict[str, list[int]]
    """Mechanism -> the nights on which it dominated (the truth ``dominant_mechanism``)."""
    physiology: list[tuple[str, str]] = field(default_factory=list)
    """(what, true value with unit) worth showing."""
    culprit_start_day: int | None = None
    """Start day of the culprit drug (0 = first diary night)."""
    urgency_reason: str = ""
    """Why the urgency is what it is: the true values that set it (empty when unknown)."""
    critical_ischaemia: bool = False
    """PAD with the true ankle pressure or ABI below the urgency limits (rest pain)."""


def _precise(value: float, digits: int, limits: tuple[float, ...] = ()) -> str:
    """``value`` with ``digits`` decimals, or more (up to 6) while it would print as one of
    ``limits`` without being that limit (compared in float32, as the tables store it): a
    value just under a limit never reads as the limit."""
    v = float(value)
    while digits < 6 and any(
        _num(v, digits) == _num(limit, digits) and np.float32(v) != np.float32(limit)
        for limit in limits
    ):
        digits += 1
    return _num(v, digits)


@dataclass(frozen=True)
class _UrgencyInput:
    """One true value the urgency rules (``sim.model.causes.urgency``) read, and how the
    instructor's page states it."""

    key: str
    """The keyword of ``sim.model.causes.urgency``."""
    name: str
    unit: str
    digits: int
    limits: tuple[float, ...]
    """The limits the rules compare it with (``sim.model.reference``)."""
    normal: float
    """A value inside the normal range (the midpoint), that sets no urgency."""
    rule: str


def _range(low: float, high: float, digits: int) -> str:
    return f"{_num(low, digits)}-{_num(high, digits)}"


URGENCY_INPUTS = {
    "limb": (
        _UrgencyInput(
            "ankle_sbp_mmhg",
            "ankle pressure",
            "mmHg",
            0,
            (ref.CRITICAL_ANKLE_SBP_MMHG,),
            # Well above the limit (an assumption: any pressure of 50 mmHg or more will do).
            2 * ref.CRITICAL_ANKLE_SBP_MMHG,
            "",
        ),
        _UrgencyInput(
            "abi",
            "ABI",
            "",
            2,
            (ref.CRITICAL_ABI, ref.ABI_ABNORMAL),
            (1.0 + ref.ABI_NONCOMPRESSIBLE) / 2,
            f"critical ischaemia: ankle below {ref.CRITICAL_ANKLE_SBP_MMHG:g} mmHg or ABI "
            f"below {ref.CRITICAL_ABI:.2f}",
        ),
    ),
    "potassium": (
        _UrgencyInput(
            "potassium_mmol_l",
            "potassium",
            "mmol/L",
            2,
            (
                ref.POTASSIUM_LOW_MMOL_L,
                ref.POTASSIUM_HIGH_MMOL_L,
                ref.URGENT_POTASSIUM_MMOL_L,
                ref.URGENT_POTASSIUM_HIGH_MMOL_L,
            ),
            (ref.POTASSIUM_LOW_MMOL_L + ref.POTASSIUM_HIGH_MMOL_L) / 2,
            f"normal {_range(ref.POTASSIUM_LOW_MMOL_L, ref.POTASSIUM_HIGH_MMOL_L, 1)}; urgent "
            f"below {ref.URGENT_POTASSIUM_MMOL_L:.1f} or at "
            f"{ref.URGENT_POTASSIUM_HIGH_MMOL_L:.1f} or more",
        ),
    ),
    "sodium": (
        _UrgencyInput(
            "sodium_mmol_l",
            "sodium",
            "mmol/L",
            2,
            (
                ref.SODIUM_LOW_MMOL_L,
                ref.SODIUM_HIGH_MMOL_L,
                ref.URGENT_SODIUM_MMOL_L,
                ref.URGENT_SODIUM_HIGH_MMOL_L,
            ),
            (ref.SODIUM_LOW_MMOL_L + ref.SODIUM_HIGH_MMOL_L) / 2,
            f"normal {_range(ref.SODIUM_LOW_MMOL_L, ref.SODIUM_HIGH_MMOL_L, 0)}; urgent at "
            f"{ref.URGENT_SODIUM_MMOL_L:.0f} or less or {ref.URGENT_SODIUM_HIGH_MMOL_L:.0f} "
            "or more",
        ),
    ),
    "magnesium": (
        _UrgencyInput(
            "magnesium_mmol_l",
            "magnesium",
            "mmol/L",
            2,
            (ref.MAGNESIUM_LOW_MMOL_L, ref.MAGNESIUM_HIGH_MMOL_L),
            (ref.MAGNESIUM_LOW_MMOL_L + ref.MAGNESIUM_HIGH_MMOL_L) / 2,
            f"normal {_range(ref.MAGNESIUM_LOW_MMOL_L, ref.MAGNESIUM_HIGH_MMOL_L, 2)}",
        ),
    ),
    "calcium": (
        _UrgencyInput(
            "calcium_mmol_l",
            "calcium",
            "mmol/L",
            2,
            (ref.CALCIUM_LOW_MMOL_L, ref.CALCIUM_HIGH_MMOL_L, ref.URGENT_CALCIUM_HIGH_MMOL_L),
            (ref.CALCIUM_LOW_MMOL_L + ref.CALCIUM_HIGH_MMOL_L) / 2,
            f"normal {_range(ref.CALCIUM_LOW_MMOL_L, ref.CALCIUM_HIGH_MMOL_L, 2)}; urgent at "
            f"{ref.URGENT_CALCIUM_HIGH_MMOL_L:.2f} or more",
        ),
    ),
}
"""The true values ``sim.model.causes.urgency`` reads, grouped as its rules use them (the
ankle pressure and the ABI together decide critical ischaemia)."""
SERUM_INPUTS = tuple(URGENCY_INPUTS[g][0] for g in ("potassium", "sodium", "magnesium", "calcium"))
"""The serum electrolytes among them (the true values of the visit night)."""


def _urgency_of(primary: str, pad_active: bool, values: dict[str, float]) -> str:
    """``sim.model.causes.urgency`` of one patient (float32, as the tables store it)."""
    code = urgency(
        primary=np.array([CAUSE_CODE[primary]]),
        pad_active=np.array([pad_active]),
        **{k: np.array([v], dtype=np.float32) for k, v in values.items()},
    )
    return URGENCIES[int(code[0])]


def _stated(inputs: tuple[_UrgencyInput, ...], values: dict[str, float]) -> str:
    parts = [
        f"{i.name} {_precise(values[i.key], i.digits, i.limits)}{' ' + i.unit if i.unit else ''}"
        for i in inputs
    ]
    rule = inputs[-1].rule
    return ", ".join(parts) + (f" ({rule})" if rule else "")


def urgency_reason(p: dict[str, Any], serum: dict[str, Any] | None) -> str:
    """Why the patient's urgency is what it is, in words: the true values that set it, or
    the primary cause when no true value changes it. ``sim.model.causes.urgency`` is asked,
    each true value in turn with the others normal, which values reach the urgency; empty
    when there is no visit night or the rules do not give the recorded urgency."""
    if serum is None:
        return ""
    primary, pad_active = str(p["primary_cause"]), bool(p["active_pad"])
    true = {
        "abi": p["abi_true"],
        "ankle_sbp_mmhg": p["ankle_sbp_mmhg"],
        **{i.key: serum[i.key] for i in SERUM_INPUTS},
    }
    normal = {i.key: i.normal for group in URGENCY_INPUTS.values() for i in group}
    actual = _urgency_of(primary, pad_active, true)
    if actual != str(p["urgency"]):
        return ""
    limb = URGENCY_INPUTS["limb"]
    if _urgency_of(primary, pad_active, normal) == actual:
        reason = f"set by the primary cause ({primary}): no true value at the visit changes it"
    else:
        deciding = [
            _stated(group, true)
            for group in URGENCY_INPUTS.values()
            if _urgency_of(primary, pad_active, {**normal, **{i.key: true[i.key] for i in group}})
            == actual
        ]
        reason = "set by the true values at the visit: " + "; ".join(deciding)
    if pad_active and actual != "urgent":
        reason += f"; no critical ischaemia: {_stated(limb, true)}"
    return reason


def _critical_ischaemia(p: dict[str, Any]) -> bool:
    """PAD active with the true ankle pressure or ABI below DOMAIN.md's urgency limits."""
    return bool(p["active_pad"]) and bool(
        np.float32(p["ankle_sbp_mmhg"]) < ref.CRITICAL_ANKLE_SBP_MMHG
        or np.float32(p["abi_true"]) < ref.CRITICAL_ABI
    )


def case_answer(patient_id: int, instructor: dict[str, pl.DataFrame]) -> CaseAnswer:
    """The answer of one patient, from the instructor tables (patients, nights and, for
    the true serum values of the visit night, measurements)."""
    p = instructor["patients"].filter(pl.col("patient_id") == patient_id).row(0, named=True)
    nights = instructor["nights"].filter(pl.col("patient_id") == patient_id).sort("night")
    visits = instructor.get("measurements")
    visits = None if visits is None else visits.filter(pl.col("patient_id") == patient_id)
    by_mech: dict[str, list[int]] = {}
    for night, mech in nights.select("night", "dominant_mechanism").iter_rows():
        if mech is not None:
            by_mech.setdefault(mech, []).append(int(night))
    order = list(MECHANISM_COLOURS)
    mechanism_nights = {m: by_mech[m] for m in sorted(by_mech, key=order.index)}
    abi_limits = (ref.CRITICAL_ABI, ref.ABI_ABNORMAL, ref.ABI_NONCOMPRESSIBLE)
    k_limits = URGENCY_INPUTS["potassium"][0].limits
    na_limits = URGENCY_INPUTS["sodium"][0].limits
    phys = [
        ("Ankle-brachial index", _precise(p["abi_true"], 2, abi_limits)),
        (
            "Ankle systolic pressure",
            f"{_precise(p['ankle_sbp_mmhg'], 0, (ref.CRITICAL_ANKLE_SBP_MMHG,))} mmHg",
        ),
        ("Brachial systolic pressure", f"{p['brachial_sbp_mmhg']:.0f} mmHg"),
        (
            "Ferritin",
            f"{_precise(p['ferritin_ug_l'], 0, (ref.FERRITIN_IRON_THRESHOLD_UG_L,))} ug/L",
        ),
        (
            "Potassium before any culprit diuretic",
            f"{_precise(p['potassium_base_mmol_l'], 2, k_limits)} mmol/L",
        ),
        (
            "Sodium before any culprit diuretic",
            f"{_precise(p['sodium_base_mmol_l'], 2, na_limits)} mmol/L",
        ),
        (
            "Magnesium",
            f"{_precise(p['magnesium_base_mmol_l'], 2, URGENCY_INPUTS['magnesium'][0].limits)}"
            " mmol/L",
        ),
        (
            "Calcium (total)",
            f"{_precise(p['calcium_base_mmol_l'], 2, URGENCY_INPUTS['calcium'][0].limits)} mmol/L",
        ),
        ("Usual fluid intake", f"{p['fluid_intake_l_day']:.1f} L/day"),
        ("Heavy exertion", f"{p['exertion_days_per_week']:.1f} days/week"),
    ]
    serum = None
    if visits is not None and visits.height:
        visit_night = visits["visit_night"][0]
        rows = nights.filter(pl.col("night") == visit_night)
        if rows.height:
            serum = rows.row(0, named=True)
            labs = ", ".join(
                f"{i.name} {_precise(serum[i.key], i.digits, i.limits)}" for i in SERUM_INPUTS
            )
            osmolality = _precise(
                serum["osmolality_mosm_kg"],
                0,
                (ref.OSMOLALITY_HIGH_MOSM_KG, ref.OSMOLALITY_DEHYDRATION_MOSM_KG),
            )
            phys.append(
                (
                    f"Serum on the visit night (after night {visit_night})",
                    f"{labs} mmol/L; osmolality {osmolality} mOsm/kg",
                )
            )
    if p["diuretic_potassium_drop_mmol_l"] or p["diuretic_sodium_drop_mmol_l"]:
        phys.append(
            (
                "Fall caused by the culprit diuretic",
                f"potassium {p['diuretic_potassium_drop_mmol_l']:.2f} mmol/L, sodium "
                f"{p['diuretic_sodium_drop_mmol_l']:.2f} mmol/L",
            )
        )
    if p["rls_severity"]:
        peak = (
            "" if _missing(p["rls_peak_clock_h"]) else f", peak at {_clock(p['rls_peak_clock_h'])}"
        )
        phys.append(("Restless-legs drive", f"severity {p['rls_severity']:.2f}{peak}"))
    if p["cramp_weekly_rate"]:
        phys.append(("Cramp nights", f"{p['cramp_weekly_rate']:.1f} a week"))
    if p["nerve_compression"]:
        phys.append(
            (
                "Nerve compression",
                f"{str(p['nerve_site']).replace('_', ' ')}, {p['nerve_side']} side, "
                f"severity {p['nerve_severity']:.2f}",
            )
        )
    elif p["nerve_severity"]:
        phys.append(("Neuropathy", f"severity {p['nerve_severity']:.2f}"))
    return CaseAnswer(
        primary_cause=str(p["primary_cause"]),
        contributing_causes=tuple(str(c) for c in p["contributing_causes"]),
        urgency=str(p["urgency"]),
        culprit_drug=None if p["culprit_drug"] is None else str(p["culprit_drug"]),
        culprit_start_day=None
        if p["culprit_drug"] is None
        else int(p[f"{p['culprit_drug']}_start_day"]),
        mechanism_nights=mechanism_nights,
        physiology=phys,
        urgency_reason=urgency_reason(p, serum),
        critical_ischaemia=_critical_ischaemia(p),
    )


def _nights_text(nights: list[int], unrecorded: set[int]) -> str:
    missed = [n for n in nights if n in unrecorded]
    text = ", ".join(str(n) for n in nights)
    if missed:
        text += f" (not recorded by the patient: {', '.join(str(n) for n in missed)})"
    return text


def _culprit(answer: CaseAnswer, nights: int) -> str:
    if answer.culprit_drug is None:
        return "none"
    name = DRUG_NAMES[answer.culprit_drug]
    if answer.culprit_start_day is None:
        return name
    return f"{name}, started {_start_day(answer.culprit_start_day, nights)}"


def _cause_name(cause: str, answer: CaseAnswer) -> str:
    """A cause's readable name; PAD's says when the ischaemia is critical."""
    name = CAUSE_NAMES.get(cause, cause)
    if cause == "pad" and answer.critical_ischaemia:
        name = f"{name}, {CRITICAL_ISCHAEMIA}"
    return name


def _no_night(cause: str, answer: CaseAnswer, nights: int) -> str:
    """Why an active cause dominated no night, as far as the answer says: a culprit drug
    started after the diary, a diuretic that acts through the electrolytes, or plainly."""
    drug = answer.culprit_drug
    if cause == "medication" and drug is not None:
        name = DRUG_NAMES[drug]
        start = answer.culprit_start_day
        if start is not None and start >= nights:
            return f"dominated no night: the {name} started after the diary's last night"
        if drug in DIURETICS:
            where = (
                "its nights are the electrolyte mechanism's"
                if answer.mechanism_nights.get("electrolyte")
                else "and no night's worst episode came from them"
            )
            return (
                f"dominated no night: the {name} acts through the electrolytes (it lowers "
                f"potassium and sodium), {where}"
            )
    return "dominated no night: it was active, but no night's worst episode was its own"


def answer_html(answer: CaseAnswer, *, nights: int, unrecorded: set[int]) -> str:
    """The answer section: causes, urgency, culprit drug, why (mechanisms and nights),
    and the true physiology."""
    facts = [
        ("Primary cause", f"{answer.primary_cause}: {_cause_name(answer.primary_cause, answer)}"),
        ("Contributing causes", ", ".join(answer.contributing_causes) or "none"),
        ("Urgency", answer.urgency.replace("_", " ")),
    ]
    if answer.urgency_reason:
        facts.append(("Why this urgency", answer.urgency_reason))
    facts.append(("Culprit drug", _culprit(answer, nights)))
    why = []
    for cause in answer.contributing_causes:
        shown = answer.mechanism_nights.get(cause, [])
        when = (
            f"dominated {len(shown)} of {nights} nights: {_nights_text(shown, unrecorded)}"
            if shown
            else _no_night(cause, answer, nights)
        )
        why.append(
            f'<li class="mechanism" data-mechanism="{_e(cause)}"><strong>{_e(cause)}</strong> '
            f"({_e(_cause_name(cause, answer))}): {_e(when)}. Look for: "
            f"{_e(CAUSE_SIGNS[cause])}.</li>"
        )
    for mech, shown in answer.mechanism_nights.items():
        if mech not in answer.contributing_causes:
            why.append(
                f'<li class="mechanism" data-mechanism="{_e(mech)}"><strong>{_e(mech)}</strong>'
                f" ({_e(CAUSE_NAMES.get(mech, mech))}): dominated {len(shown)} of {nights} "
                f"nights: {_e(_nights_text(shown, unrecorded))}.</li>"
            )
    quiet = nights - sum(len(v) for v in answer.mechanism_nights.values())
    why.append(f"<li>No symptoms on {quiet} of {nights} nights.</li>")
    return (
        f"{_facts_table(facts, css='facts answer')}\n"
        "<h3>Why: the mechanisms and the nights that show them</h3>\n"
        "<p>The shaded nights of the chart are the nights on which each mechanism caused "
        "the worst episode.</p>\n"
        f'<ul class="why">\n{chr(10).join(why)}\n</ul>\n'
        "<h3>True physiology (not measured: the simulator's own values)</h3>\n"
        f"{_facts_table(answer.physiology)}"
    )


# ------------------------------------------------------------------------------------------
# pages
# ------------------------------------------------------------------------------------------
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  margin: 1.5rem auto; max-width: 60rem; padding: 0 1rem; color: #222; line-height: 1.4; }
h1 { margin-bottom: 0.2rem; } .subtitle { color: #555; margin-top: 0; }
.warning { background: #fff6e0; border: 1px solid #e0c070; padding: 0.5rem 0.8rem; }
section { margin: 1.5rem 0; } nav { margin: 0.5rem 0; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #f0f0f0; } table.facts th { background: #f7f7f7; font-weight: 600; }
table.diary { font-size: 0.78rem; } tr.not-recorded td { color: #888; font-style: italic; }
tr.flag-low td.flag, tr.flag-high td.flag, tr.flag-abnormal td.flag { color: #b00020;
  font-weight: 700; }
tr.flag-note td.flag { color: #444; font-style: italic; }
tr.this-band td { background: #fff0b0; font-weight: 600; }
svg.diary-chart { max-width: 100%; height: auto; font-size: 11px; }
svg .grid { stroke: #e4e4e4; } svg .axis { stroke: #444; } svg .tick { fill: #444; }
svg .axis-label { fill: #222; font-size: 12px; } svg .legend-label { fill: #222; }
svg .pain-line { fill: none; stroke: #1f5fa8; stroke-width: 2; }
svg .pain-point, svg .pain-point-key { fill: #1f5fa8; }
svg .awakening-marker, svg .awakening-key { fill: #222222; }
svg .cramp-marker, svg .cramp-key { fill: #00796b; }
svg .not-recorded-label { fill: #666; font-size: 10px; } svg .count { font-size: 9px; }
svg .visit { stroke: #555555; stroke-dasharray: 4 3; stroke-width: 1.5; }
.answer-section { border: 2px solid #8172b3; padding: 0 1rem 1rem; background: #faf8ff; }
@media print { nav { display: none; } }
""".strip()


def _page(title: str, subtitle: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n"
        f'<h1>{_e(title)}</h1>\n<p class="subtitle">{_e(subtitle)}</p>\n'
        f'<p class="warning">{_markdown_bold(WARNING)}</p>\n{body}\n</body>\n</html>\n'
    )


def case_file(patient_id: int) -> str:
    """The file name of a case page."""
    return f"case-{patient_id}.html"


def _one(frame: pl.DataFrame, patient_id: int) -> pl.DataFrame:
    return frame.filter(pl.col("patient_id") == patient_id)


def case_page(
    patient_id: int,
    student: dict[str, pl.DataFrame],
    *,
    nights: int,
    title: str,
    answer: CaseAnswer | None = None,
    neighbours: tuple[int | None, int | None] = (None, None),
) -> str:
    """The HTML page of one case from the student tables (``answer``: the instructor's
    page). ``neighbours`` are the previous and next cases of the index, for links."""
    patient = _one(student["patients"], patient_id).row(0, named=True)
    diary = _one(student["nights"], patient_id).sort("night")
    visits = _one(student["measurements"], patient_id)
    visit = visits.row(0, named=True) if visits.height else None
    links = ['<a href="index.html">all cases</a>']
    prev_id, next_id = neighbours
    if prev_id is not None:
        links.append(f'<a href="{case_file(prev_id)}">previous: case {prev_id}</a>')
    if next_id is not None:
        links.append(f'<a href="{case_file(next_id)}">next: case {next_id}</a>')
    highlights = answer.mechanism_nights if answer is not None else None
    recorded = set(diary.filter(pl.col("pain_score").is_not_null())["night"].to_list())
    sections = [
        ("history", "History", history_html(patient)),
        ("medications", "Medications", medications_html(patient, nights=nights)),
        (
            "diary",
            "Symptom diary",
            f"<p>{len(recorded)} of {nights} nights recorded.</p>\n"
            + diary_chart_svg(
                diary,
                nights=nights,
                visit_night=None if visit is None else visit["visit_night"],
                highlights=highlights,
            )
            + "\n"
            + diary_table_html(diary, nights=nights),
        ),
        ("clinic", "Clinic results", clinic_html(visit)),
    ]
    if answer is not None:
        unrecorded = set(range(nights)) - recorded
        sections.append(
            ("answer", "Answer", answer_html(answer, nights=nights, unrecorded=unrecorded))
        )
    body = [f"<nav>{' | '.join(links)}</nav>"]
    for key, heading, content in sections:
        css = ' class="answer-section"' if key == "answer" else ""
        body.append(f'<section id="{key}"{css}>\n<h2>{heading}</h2>\n{content}\n</section>')
    body.append(f"<nav>{' | '.join(links)}</nav>")
    return _page(f"Case {patient_id}", title, "\n".join(body))


def index_page(
    ids: list[int],
    student: dict[str, pl.DataFrame],
    *,
    nights: int,
    title: str,
    answers: dict[int, CaseAnswer] | None = None,
) -> str:
    """The casebook's index: one row per case, by patient id (``answers``: the
    instructor's index, with each case's primary cause and urgency)."""
    patients = student["patients"].filter(pl.col("patient_id").is_in(ids))
    recorded = (
        student["nights"]
        .filter(pl.col("patient_id").is_in(ids) & pl.col("pain_score").is_not_null())
        .group_by("patient_id")
        .len()
    )
    tests = [c for c in student["measurements"].columns if c not in ("patient_id", "visit_night")]
    done = student["measurements"].select(
        "patient_id", pl.sum_horizontal(pl.col(tests).is_not_null()).alias("tests")
    )
    rows_by_id = {
        r["patient_id"]: r
        for r in patients.join(recorded, on="patient_id", how="left")
        .join(done, on="patient_id", how="left")
        .iter_rows(named=True)
    }
    header = ["Case", "Age", "Sex", "Diary nights recorded", "Clinic tests done"]
    if answers is not None:
        header += ["Primary cause", "Contributing causes", "Urgency"]
    rows = []
    for pid in sorted(ids):
        r = rows_by_id[pid]
        row = [
            f'<a href="{case_file(pid)}">Case {pid}</a>',
            _e(r["age"]),
            _e(r["sex"]),
            f"{r['len'] or 0} of {nights}",
            _e(r["tests"] or 0),
        ]
        if answers is not None:
            a = answers[pid]
            row += [
                _e(a.primary_cause),
                _e(", ".join(a.contributing_causes) or "none"),
                _e(a.urgency.replace("_", " ")),
            ]
        rows.append(row)
    intro = (
        "<p>Each case is one patient of this dataset (the same patient id as in the "
        "tables): the history, the medications with their start days, the symptom diary "
        "night by night and the results of the clinic visit. Decide what causes the night "
        "pain, how soon the patient needs a clinician, and which nights and results "
        "support your reasoning.</p>"
    )
    if answers is not None:
        intro += (
            "\n<p><strong>Instructor's copy</strong>: every case page ends with the answer "
            "and why. The students' copy (<code>student/casebook</code>) is the same without "
            "the answers and without the shading of the nights.</p>"
        )
    body = f'{intro}\n<section id="cases">\n<h2>Cases</h2>\n{_table(header, rows)}\n</section>'
    return _page("Casebook", title, body)


def write_casebook(
    student: dict[str, pl.DataFrame],
    instructor: dict[str, pl.DataFrame],
    student_dir: Path,
    instructor_dir: Path,
    *,
    cases: int,
    seed: int,
    title: str,
    nights: int,
    draw: str = "uniform",
) -> list[int]:
    """Write ``casebook/`` into both folders (see the module docstring); returns the case
    ids (none and nothing written when ``cases`` is 0). ``draw``: see ``select_cases``."""
    ids = select_cases(instructor["answer_key"], cases=cases, seed=seed, draw=draw)
    if not ids:
        return ids
    chosen = {
        name: frame.filter(pl.col("patient_id").is_in(ids)) for name, frame in student.items()
    }
    truth = {
        name: instructor[name].filter(pl.col("patient_id").is_in(ids))
        for name in ("patients", "nights", "measurements")
        if name in instructor
    }
    answers = {pid: case_answer(pid, truth) for pid in ids}
    folders = (student_dir / FOLDER, instructor_dir / FOLDER)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    for i, pid in enumerate(ids):
        neighbours = (ids[i - 1] if i else None, ids[i + 1] if i + 1 < len(ids) else None)
        for folder, answer in zip(folders, (None, answers[pid]), strict=True):
            page = case_page(
                pid, chosen, nights=nights, title=title, answer=answer, neighbours=neighbours
            )
            (folder / case_file(pid)).write_text(page, encoding="utf-8")
    for folder, key in zip(folders, (None, answers), strict=True):
        page = index_page(ids, chosen, nights=nights, title=title, answers=key)
        (folder / "index.html").write_text(page, encoding="utf-8")
    return ids


__all__ = [
    "CAUSE_NAMES",
    "FOLDER",
    "SECTIONS",
    "CaseAnswer",
    "abi_band",
    "balanced_draw",
    "answer_html",
    "case_answer",
    "case_file",
    "case_page",
    "clinic_html",
    "diary_chart_svg",
    "diary_table_html",
    "history_html",
    "index_page",
    "medications_html",
    "select_cases",
    "uniform_draw",
    "urgency_reason",
    "write_casebook",
]
