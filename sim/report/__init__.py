"""The Markdown report: the page helpers, then one module per section.

Usage::

    from sim.report import Report
    from sim.report.cohort import cohort_section
    report = Report("Cohort report")
    report.add_section(cohort_section(patients, cohort))
    report.write(Path("reports/demo"))        # report.md + figures/*.png

``sim.report.page`` holds ``Report``, ``Section``, ``markdown_table`` and the shared figure
helpers (re-exported here); ``cohort``, ``nights``, ``calibration``, ``timeline``, ``triage``
and ``benchmark`` each build one capability's ``Section``. Report modules may import the
evaluation, triage, pipeline and model layers; nothing below imports the report
(``[tool.importlinter]`` in pyproject.toml).
"""

from sim.report.page import CAUSE_COLOURS, Report, Section, markdown_table, plot_confusion_heatmap

__all__ = ["CAUSE_COLOURS", "Report", "Section", "markdown_table", "plot_confusion_heatmap"]
