"""Physiology, one module per mechanism: pure functions over arrays, called by both engines.

- ``vascular``: stenosis -> ankle pressure, ischaemia, supine perfusion, slow progression
- ``hydration``: daily fluid balance, hydration deficit, osmolality, serum electrolytes
- ``neurological``: restless-legs drive and circadian shape; nerve compression
- ``muscle``: exertion, fatigue load with delayed-onset soreness, cramp excitability
- ``medication``: exposure and effect kinetics from each drug's start day
"""
