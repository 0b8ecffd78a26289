"""Teaching datasets: a student copy without truth, an answer key kept apart, a data card.

Usage::

    from sim.teaching.dataset import split_for_teaching
    tables = split_for_teaching(patients, nights, measurements, seed=7)
    tables.student["patients"]            # no truth column; ids re-mapped
    tables.instructor["answer_key"]       # patient_id, primary_cause, contributing_causes, urgency

- ``dataset``: re-mapping patient ids, dropping truth, the answer key, writing Parquet and CSV;
- ``solutions``: what the triage rules, a baseline, a strong model and the oracle score on
  the dataset itself (``sim.evaluation.benchmark``, ``sim.triage``), as ``solutions.md``;
- ``card``: the data card (Datasheets for Datasets) and the students' data dictionary;
- ``casebook``: static HTML case pages of a few patients (history, medications, the diary
  as a chart, clinic results) for ``student/casebook``, with the answers for
  ``instructor/casebook``;
- ``package``: ``students.duckdb``, the Frictionless ``datapackage.json`` and the Croissant
  ``croissant.json`` of the student copy.

The run (``python -m experiments.teach``: simulate, split, score, write) is ``sim.runs.teach``.
"""
