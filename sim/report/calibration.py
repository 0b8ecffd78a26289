"""Report section: the DOMAIN.md calibration targets next to their measured values.

Usage::

    report.add_section(calibration_section(general_population_patients, seed=7))

The checks themselves are ``sim.calibration`` (shared with ``tests/model/test_calibration.py``).
"""

from __future__ import annotations

import math

import polars as pl

from sim.calibration import calibration_checks
from sim.report.page import Section, markdown_table


def calibration_section(patients: pl.DataFrame, *, seed: int) -> Section:
    """Report section: every target next to its measured value."""
    rows = []
    for check in calibration_checks(patients):
        for m in check.measures:
            high = "" if math.isinf(m.high) else f"{m.high:.3f}"
            rows.append(
                {
                    "check": check.name,
                    "measure": m.label,
                    "measured": round(m.value, 4),
                    "accepted from": round(m.low, 4),
                    "accepted to": high,
                    "ok": "yes" if m.ok else "NO",
                }
            )
    text = (
        f"DOMAIN.md calibration targets on a general-population sample of {patients.height:,} "
        f"patients (seed {seed}; patients only). Shares are fractions; the same checks run in "
        "`tests/model/test_calibration.py`.\n\n" + markdown_table(pl.DataFrame(rows), "{:.4f}")
    )
    return Section("Calibration against DOMAIN.md targets", text)
