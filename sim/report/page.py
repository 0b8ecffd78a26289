"""The page: ``Report``, ``Section``, Markdown tables and shared figure helpers.

Usage::

    report = Report("Cohort report")
    report.add_section(Section("Notes", markdown_table(df)))
    report.write(Path("reports/demo"))        # report.md + figures/*.png

Each capability (cohort, nights, triage, classifiers, ...) contributes a ``Section`` from
its own module of ``sim.report``: a title, Markdown text and figures. Figures are drawn
with matplotlib's Agg backend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

from sim.config import CAUSES, LABELS  # noqa: E402

CAUSE_COLOURS = dict(
    zip(
        LABELS,
        [
            "#4c72b0",
            "#c44e52",
            "#dd8452",
            "#55a868",
            "#64b5cd",
            "#8172b3",
            "#937860",
            "#da8bc3",
            "#2a9d8f",
            "#e9c46a",
            "#bbbbbb",
        ],
        strict=True,
    )
)
"""Colour of each primary cause (and of the controls, ``none``) in every figure."""
MECHANISM_COLOURS = {"background": "#9e9e9e", **{c: CAUSE_COLOURS[c] for c in CAUSES}}
"""Colour of each symptom mechanism (``sim.model.symptoms.MECHANISMS``, in that order):
a cause's colour, and grey for the harmless background aches (the night timelines and the
casebook's chart)."""


@dataclass
class Section:
    """One part of a report: Markdown text plus figures drawn into the report folder."""

    title: str
    text: str
    figures: dict[str, Callable[[Path], None]] = field(default_factory=dict)
    """File name -> function that saves the figure at the given path."""


@dataclass
class Report:
    title: str
    sections: list[Section] = field(default_factory=list)

    def add_section(self, section: Section) -> None:
        self.sections.append(section)

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "figures").mkdir(exist_ok=True)
        lines = [f"# {self.title}", ""]
        for section in self.sections:
            lines += [f"## {section.title}", "", section.text.strip(), ""]
            for name, draw in section.figures.items():
                draw(folder / "figures" / name)
                lines += [f"![{name}](figures/{name})", ""]
        path = folder / "report.md"
        path.write_text("\n".join(lines))
        return path


def plot_confusion_heatmap(
    counts,
    row_labels: list[str],
    col_labels: list[str],
    path: Path,
    *,
    title: str,
    xlabel: str = "predicted cause",
) -> None:
    """Confusion matrix heatmap: colour = share of the true cause (row), text = share and count."""
    import numpy as np

    counts = np.asarray(counts, dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    fig, ax = plt.subplots(figsize=(7.5, 6.2))
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(col_labels)), col_labels, rotation=40, ha="right")
    ax.set_yticks(range(len(row_labels)), row_labels)
    for i in range(len(row_labels)):
        for j in range(len(col_labels)):
            if counts[i, j]:
                ax.text(
                    j,
                    i,
                    f"{share[i, j]:.2f}\n{int(counts[i, j])}",
                    ha="center",
                    va="center",
                    fontsize=6.5,
                    color="white" if share[i, j] > 0.6 else "black",
                )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("true primary cause")
    ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=ax, label="share of the true cause (recall on the diagonal)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown_table(df: pl.DataFrame, float_format: str = "{:.3f}") -> str:
    """A polars DataFrame as a GitHub Markdown table."""

    def fmt(v):
        if isinstance(v, float):
            return float_format.format(v)
        return "" if v is None else str(v)

    header = "| " + " | ".join(df.columns) + " |"
    rule = "| " + " | ".join("---" for _ in df.columns) + " |"
    rows = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.iter_rows()]
    return "\n".join([header, rule, *rows])
