"""Interventions acting on mechanisms, lived on paired arms (common random numbers).

- ``spec``: interventions as validated data (``conf/intervention/``)
- ``plan``: who gets which intervention, per patient (a shard's plan columns)
- ``arms``: the control, treated and placebo arms of the same patients; their estimates
- ``estimates``: paired effects per cause, the number needed to treat, the variance ratio

The levers the interventions pull are the model's (``sim.model.treatment``, each
mechanism's ``LEVERS``).
"""
