"""How a patient reports a night: their own words for sensations, and what they note.

Usage::

    words = vocabulary(u_words, cfg.model.reporting)     # (n, len(QUALITIES)) word codes
    shares = notice(u_notice, cfg.model.reporting)       # (n, len(FLAGS)) in (0, 1]
    word = reported_word(s, quality)                      # compiled: the patient's word
    yes = noted(s, f, key, patient, night)                # compiled: noted tonight?

Patients describe the same sensation in different words (DOMAIN.md look-alikes):
"crawling", "pulling", "aching" and "burning" are not owned by one cause. Each patient has a
word for each sensation, drawn once (``model.reporting``): the common one, or with
``own_word_prob`` a neighbouring word from ``own_words``. The diary's quality is the
patient's word for the worst episode's sensation, every night the same way, and a patient
who calls it "tingling" ticks numbness or tingling too (``sim.model.diary.write_row``, for
both engines). The event timeline keeps the sensation itself.

Patients also differ in what they notice and write down: each has, per diary flag, the
share of the nights with that feature on which they note it (uniform from
``notice_prob_min`` to 1, drawn once), decided night by night from the ``night.report``
stream (``STREAM``: a pure function of seed, patient, night and flag, so both engines note
the same nights). A patient who notes few urges to move has restless legs that look, in
the diary, like a mimic's. ``own_word_prob=0`` and ``notice_prob_min=1`` switch the
reporting off (the mechanism signature tests do, to see the body's own signs).
"""

from __future__ import annotations

import numpy as np

from sim.model import state
from sim.model.jit import njit, uniform_at

QUALITIES = state.QUALITIES
FLAGS = state.FLAGS
STREAM = state.STREAMS["report"]
TINGLING = QUALITIES.index("tingling")
WORD_FIELDS = tuple(f"word_{q}" for q in QUALITIES)
NOTICE_FIELDS = tuple(f"notice_{f}" for f in FLAGS)


def word_table(reporting) -> np.ndarray:
    """(len(QUALITIES), len(QUALITIES)) cumulative shares of the words a patient with their
    own word uses for each sensation (rows: sensations)."""
    from sim.config import ConfigError

    words = reporting["own_words"]
    if set(words) != set(QUALITIES):
        raise ConfigError(
            "model.reporting.own_words is invalid: expected one entry per diary quality "
            f"({', '.join(QUALITIES)})"
        )
    table = np.zeros((len(QUALITIES), len(QUALITIES)))
    for i, q in enumerate(QUALITIES):
        for word, share in words[q].items():
            table[i, QUALITIES.index(word)] = float(share)
    return np.cumsum(table, axis=1)


def vocabulary(u: np.ndarray, reporting) -> np.ndarray:
    """(n, len(QUALITIES)) the code of each patient's word for each sensation, from two
    uniforms per patient and sensation packed in one (``u``: (n, len(QUALITIES))): below
    ``own_word_prob`` the patient has their own word, the position within that share picks
    which."""
    own = float(reporting["own_word_prob"])
    cumulative = word_table(reporting)
    out = np.tile(np.arange(len(QUALITIES), dtype=np.float64), (len(u), 1))
    for i in range(len(QUALITIES)):
        has_own = u[:, i] < own
        pick = np.where(has_own, u[:, i] / own if own > 0 else 0.0, 0.0)
        word = np.searchsorted(cumulative[i], pick, side="right")
        word = np.minimum(word, len(QUALITIES) - 1)
        out[:, i] = np.where(has_own, word, i)
    return out


def notice(u: np.ndarray, reporting) -> np.ndarray:
    """(n, len(FLAGS)) each patient's share of nights on which they note each feature."""
    lo = float(reporting["notice_prob_min"])
    return lo + (1.0 - lo) * u.astype(np.float64)


@njit
def noted(s, flag, key, patient, night):
    """Whether the patient notes feature ``flag`` tonight, having had it."""
    share = s[state.S.notice_urge_to_move + flag]
    return share >= 1.0 or uniform_at(key, patient, night, flag) < share


@njit
def reported_word(s, quality):
    """The patient's word (a quality code) for sensation ``quality`` (a code, >= 0)."""
    return np.int64(s[state.S.word_aching + quality])


__all__ = [
    "QUALITIES",
    "FLAGS",
    "STREAM",
    "WORD_FIELDS",
    "NOTICE_FIELDS",
    "vocabulary",
    "notice",
    "reported_word",
    "noted",
    "word_table",
]
