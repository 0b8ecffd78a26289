"""The casebook: one static HTML page per selected patient, for clinical reasoning classes.

Usage::

    ids = select_cases(tables.instructor["answer_key"], cases=12, seed=7)
    page = case_page(ids[0], tables.student, nights=28, title="Week 3")   # no truth
    key = case_answer(ids[0], tables.instructor)
    page = case_page(ids[0], tables.student, nights=28, title="Week 3", answer=key)
    ids = write_casebook(tables.student, tables.instructor, out / "student",
                         out / "instructor", cases=12, seed=7, title="Week 3", nights=28)

``write_casebook`` writes ``student/casebook/`` (``index.html`` and ``case-<id>.html``: the
history, the medications with their start days, the diary as a chart and a table, the
clinic results with reference ranges and flags) and ``instructor/casebook/`` (the same
pages, each with the answer: primary and contributing causes, urgency, the culprit drug,
the true physiology, and the nights on which each active mechanism dominated, shaded on
the chart). A student page is a function of the student tables alone (``case_page`` is
given nothing else); only the choice of patients reads the answer key.

Cases are drawn by ``select_cases``: a round robin over the primary causes present, in a
seeded order (every cause gets a case before any gets a second), a seeded choice within
each; the index lists them by patient id, so neither the order nor the ids follow the
cause. A stratified draw over-represents the rare causes: being in the casebook says a
little about a patient's cause (as much as "one of a balanced set of cases"), which the
instructor should know when the same patients are also a classification exercise.

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
from sim.model.population import DRUG_INDICATION, DRUGS
from sim.report.page import CAUSE_COLOURS
from sim.tables.schema import COMORBIDITIES, COMORBIDITY_TEXT
from sim.teaching.card import WARNING

FOLDER = "casebook"
"""The casebook's folder inside ``student/`` and ``instructor/``."""
CASE_STREAM = 0xCA5EB0
"""Mixed into the selection's seed, so it shares no stream with the ids or the simulation."""

CAUSE_NAMES = {
    "rls": "restless legs syndrome",
    "pad": "peripheral artery disease, ischaemic rest pain",
    "cramps": "idiopathic nocturnal leg cramps",
    "fatigue": "muscle fatigue and delayed-onset soreness",
    "dehydration": "dehydration",
    "nerve": "nerve compression or neuropathy",
    "medication": "a medication's effect",
    "electrolyte": "an electrolyte disturbance",
    "none": "no cause (a control: harmless aches)",
    "background": "background aches (harmless)",
}
"""Readable names of the causes and of the background mechanism (instructor pages)."""
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
    "background": "mild, short aches with no mechanism behind them",
}
"""What each mechanism shows at night (DOMAIN.md, "The eight root causes")."""
MECHANISM_COLOURS = {**CAUSE_COLOURS, "background": CAUSE_COLOURS["none"]}
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


@dataclass(frozen=True)
class LabTest:
    """One row of the clinic results: a measurement column, how to show and flag it."""

    column: str
    name: str
    unit: str
    digits: int
    low: float | None
    high: float | None
    range_text: str


LAB_TESTS = (
    LabTest(
        "potassium_mmol_l",
        "Potassium",
        "mmol/L",
        1,
        ref.POTASSIUM_LOW_MMOL_L,
        ref.POTASSIUM_HIGH_MMOL_L,
        "3.5-5.0",
    ),
    LabTest(
        "magnesium_mmol_l",
        "Magnesium",
        "mmol/L",
        2,
        ref.MAGNESIUM_LOW_MMOL_L,
        ref.MAGNESIUM_HIGH_MMOL_L,
        "0.70-1.00",
    ),
    LabTest(
        "calcium_mmol_l",
        "Calcium (total)",
        "mmol/L",
        2,
        ref.CALCIUM_LOW_MMOL_L,
        ref.CALCIUM_HIGH_MMOL_L,
        "2.10-2.60",
    ),
    LabTest(
        "sodium_mmol_l",
        "Sodium",
        "mmol/L",
        0,
        ref.SODIUM_LOW_MMOL_L,
        ref.SODIUM_HIGH_MMOL_L,
        "135-145",
    ),
    LabTest(
        "osmolality_mosm_kg",
        "Serum osmolality",
        "mOsm/kg",
        0,
        ref.OSMOLALITY_LOW_MOSM_KG,
        ref.OSMOLALITY_HIGH_MOSM_KG,
        "275-295 (above 300: dehydration in older adults)",
    ),
    LabTest(
        "ferritin_ug_l",
        "Ferritin",
        "ug/L",
        0,
        None,
        None,
        "sex-dependent; 75 or less: iron indicated in restless legs (AASM 2024)",
    ),
    LabTest(
        "ck_u_l",
        "Creatine kinase (CK)",
        "U/L",
        0,
        None,
        None,
        "no range in the course's sources: compare with your laboratory's",
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
def select_cases(answer_key: pl.DataFrame, *, cases: int, seed: int) -> list[int]:
    """``cases`` patient ids, sorted: a round robin over the primary causes present (in a
    seeded order, so which causes get one case more is the seed's choice), each turn
    taking the next patient of a seeded shuffle of that cause; every patient when
    ``cases`` is at least their number."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, CASE_STREAM])))
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


def _start_day(day: int) -> str:
    if day < 0:
        return f"day {day} ({-day} days before the diary)"
    if day == 0:
        return "day 0 (the first diary night)"
    return f"day {day} (during the diary, before night {day})"


def _table(header: list[str], rows: list[list[str]], *, css: str = "") -> str:
    """An HTML table of already escaped cells."""
    head = "".join(f'<th scope="col">{h}</th>' for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    cls = f' class="{css}"' if css else ""
    return f"<table{cls}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


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
    items = "\n".join(f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in rows)
    return f'<table class="facts">\n<tbody>\n{items}\n</tbody>\n</table>'


def medications_html(patient: dict[str, Any]) -> str:
    """The drugs the patient takes, with indication, start day (0 = first diary night)
    and dose; a sentence when there are none."""
    rows = [
        [
            _e(DRUG_NAMES[d]),
            _e(COMORBIDITY_TEXT[DRUG_INDICATION[d]]),
            _e(_start_day(int(patient[f"{d}_start_day"]))),
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


def _legend(items: list[tuple[str, str]], y: float, left: float) -> list[str]:
    """Legend entries (swatch SVG, label) on one row."""
    out, x = [], left
    for swatch, label in items:
        out.append(f'<g transform="translate({_f(x)},{_f(y)})">{swatch}')
        out.append(f'<text x="16" y="4" class="legend-label">{_e(label)}</text></g>')
        x += 30 + 6.2 * len(label)
    return out


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
    recorded = {row["night"]: row for row in diary.iter_rows(named=True)}
    top = 56.0 if highlights else 36.0
    g = _Frame(nights=nights, top=top)
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
    ]
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
    out += _legend(legend, 14, g.left)
    if highlights:
        shown = [m for m in MECHANISM_COLOURS if highlights.get(m)]
        out += _legend(
            [
                (
                    f'<rect x="0" y="-6" width="12" height="12" '
                    f'fill="{MECHANISM_COLOURS[m]}" opacity="0.45"/>',
                    f"dominant: {m}",
                )
                for m in shown
            ],
            34,
            g.left,
        )
        for mechanism in shown:
            for night in highlights[mechanism]:
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
    recorded = {row["night"]: row for row in diary.iter_rows(named=True)}
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
            flag = "low" if shown <= ref.FERRITIN_IRON_THRESHOLD_UG_L else "normal"
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
        css = "flag-" + flag.split(" ")[0].replace(" ", "-") if flag else "flag-blank"
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
    phys = [
        ("Ankle-brachial index", _num(p["abi_true"], 2)),
        ("Ankle systolic pressure", f"{p['ankle_sbp_mmhg']:.0f} mmHg"),
        ("Brachial systolic pressure", f"{p['brachial_sbp_mmhg']:.0f} mmHg"),
        ("Ferritin", f"{p['ferritin_ug_l']:.0f} ug/L"),
        ("Potassium before any culprit diuretic", f"{p['potassium_base_mmol_l']:.2f} mmol/L"),
        ("Sodium before any culprit diuretic", f"{p['sodium_base_mmol_l']:.1f} mmol/L"),
        ("Magnesium", f"{p['magnesium_base_mmol_l']:.2f} mmol/L"),
        ("Calcium (total)", f"{p['calcium_base_mmol_l']:.2f} mmol/L"),
        ("Usual fluid intake", f"{p['fluid_intake_l_day']:.1f} L/day"),
        ("Heavy exertion", f"{p['exertion_days_per_week']:.1f} days/week"),
    ]
    if visits is not None and visits.height:
        visit_night = visits["visit_night"][0]
        serum = nights.filter(pl.col("night") == visit_night)
        if serum.height:
            true = serum.row(0, named=True)
            phys.append(
                (
                    f"Serum on the visit night (after night {visit_night})",
                    f"potassium {true['potassium_mmol_l']:.2f}, sodium "
                    f"{true['sodium_mmol_l']:.1f}, magnesium {true['magnesium_mmol_l']:.2f}, "
                    f"calcium {true['calcium_mmol_l']:.2f} mmol/L; osmolality "
                    f"{true['osmolality_mosm_kg']:.0f} mOsm/kg",
                )
            )
    if p["diuretic_potassium_drop_mmol_l"] or p["diuretic_sodium_drop_mmol_l"]:
        phys.append(
            (
                "Fall caused by the culprit diuretic",
                f"potassium {p['diuretic_potassium_drop_mmol_l']:.2f} mmol/L, sodium "
                f"{p['diuretic_sodium_drop_mmol_l']:.1f} mmol/L",
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
    )


def _nights_text(nights: list[int], unrecorded: set[int]) -> str:
    missed = [n for n in nights if n in unrecorded]
    text = ", ".join(str(n) for n in nights)
    if missed:
        text += f" (not recorded by the patient: {', '.join(str(n) for n in missed)})"
    return text


def _culprit(answer: CaseAnswer) -> str:
    if answer.culprit_drug is None:
        return "none"
    name = DRUG_NAMES[answer.culprit_drug]
    if answer.culprit_start_day is None:
        return name
    return f"{name}, started {_start_day(answer.culprit_start_day)}"


def answer_html(answer: CaseAnswer, *, nights: int, unrecorded: set[int]) -> str:
    """The answer section: causes, urgency, culprit drug, why (mechanisms and nights),
    and the true physiology."""
    facts = [
        ("Primary cause", f"{answer.primary_cause}: {CAUSE_NAMES[answer.primary_cause]}"),
        ("Contributing causes", ", ".join(answer.contributing_causes) or "none"),
        ("Urgency", answer.urgency.replace("_", " ")),
        ("Culprit drug", _culprit(answer)),
    ]
    items = "\n".join(f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in facts)
    why = []
    for cause in answer.contributing_causes:
        shown = answer.mechanism_nights.get(cause, [])
        when = (
            f"dominated {len(shown)} of {nights} nights: {_nights_text(shown, unrecorded)}"
            if shown
            else "dominated no night (it acts through another mechanism, as a diuretic "
            "through the electrolytes, or another was worse each night)"
        )
        why.append(
            f'<li class="mechanism" data-mechanism="{_e(cause)}"><strong>{_e(cause)}</strong> '
            f"({_e(CAUSE_NAMES[cause])}): {_e(when)}. Look for: {_e(CAUSE_SIGNS[cause])}.</li>"
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
    phys = "\n".join(
        f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in answer.physiology
    )
    return (
        f'<table class="facts answer">\n<tbody>\n{items}\n</tbody>\n</table>\n'
        "<h3>Why: the mechanisms and the nights that show them</h3>\n"
        "<p>The shaded nights of the chart are the nights on which each mechanism caused "
        "the worst episode.</p>\n"
        f'<ul class="why">\n{chr(10).join(why)}\n</ul>\n'
        "<h3>True physiology (not measured: the simulator's own values)</h3>\n"
        f'<table class="facts">\n<tbody>\n{phys}\n</tbody>\n</table>'
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
tr.this-band td { background: #fff0b0; font-weight: 600; }
svg.diary-chart { max-width: 100%; height: auto; font-size: 11px; }
svg .grid { stroke: #e4e4e4; } svg .axis { stroke: #444; } svg .tick { fill: #444; }
svg .axis-label { fill: #222; font-size: 12px; } svg .legend-label { fill: #222; }
svg .pain-line { fill: none; stroke: #1f5fa8; stroke-width: 2; }
svg .pain-point, svg .pain-point-key { fill: #1f5fa8; }
svg .awakening-marker, svg .awakening-key { fill: #c44e52; }
svg .cramp-marker, svg .cramp-key { fill: #55a868; }
svg .not-recorded-label { fill: #666; font-size: 10px; } svg .count { font-size: 9px; }
svg .visit { stroke: #8172b3; stroke-dasharray: 4 3; stroke-width: 1.5; }
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
        ("medications", "Medications", medications_html(patient)),
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
) -> list[int]:
    """Write ``casebook/`` into both folders (see the module docstring); returns the case
    ids (none and nothing written when ``cases`` is 0)."""
    ids = select_cases(instructor["answer_key"], cases=cases, seed=seed)
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
    "write_casebook",
]
