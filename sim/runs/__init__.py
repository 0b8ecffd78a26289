"""The experiments, one module each: validate -> simulate -> write -> report.

``generate``, ``triage``, ``benchmark``, ``learning_curves``, ``timeline`` and ``demo`` are
what ``experiments/*.py`` call. Each checks its output folder before the work and writes
it atomically, with a manifest, through ``sim.tables.output``. This is the top of the
layers: it may import the report and everything below it; nothing in ``sim`` imports it
(``[tool.importlinter]`` in pyproject.toml).
"""
