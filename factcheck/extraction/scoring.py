"""Check-worthiness scores for sentences, from the shipped model.

Pure. ``judge`` calls ``checkworthiness.judge_sentences`` (the ClaimBuster-trained model kept
by its own module). If that model cannot be loaded (missing or stale file during development),
extraction still runs on a transparent cue-based fallback, and every judgement says so in its
reasons, so nobody mistakes the fallback's scores for the model's.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from factcheck.extraction import checkworthiness as cw
from factcheck.extraction.checkworthiness import Judgement

log = logging.getLogger(__name__)

_warned = False
FALLBACK_REASON = "heuristic score (check-worthiness model unavailable)"
# Log-odds per cue for the fallback; signs follow the cues' meaning, sizes are hand-set.
_FALLBACK_WEIGHTS = {
    "quantity": 1.6, "attribution": 1.0, "date": 0.6, "named entity": 0.9, "comparison": 0.4,
    "opinion wording": -1.0, "emotive wording": -0.6, "hedge": -0.8, "first person": -0.8,
    "second person": -1.2, "question": -1.5, "short fragment": -2.0,
}  # fmt: skip


def judge(sentences: Sequence[str]) -> list[Judgement]:
    """One Judgement per sentence, in order."""
    if not sentences:
        return []
    try:
        return cw.judge_sentences(sentences)
    except (OSError, ValueError, KeyError) as exc:
        global _warned
        if not _warned:  # once per process, not once per article
            log.warning("check-worthiness model unavailable, using cue fallback: %s", exc)
            _warned = True
        return [_fallback(s) for s in sentences]


def threshold() -> float:
    """The probability at which the model calls a sentence check-worthy (0.5 in the fallback)."""
    try:
        return float(cw.shipped_model().threshold)
    except (OSError, ValueError, KeyError):
        return 0.5


def _fallback(sentence: str) -> Judgement:
    fired = cw.cues(sentence)
    logit = -0.8 + sum(w for name, w in _FALLBACK_WEIGHTS.items() if fired.get(name))
    if cw.chrome_cues(sentence):
        logit -= 8.0
    p = 1.0 / (1.0 + math.exp(-logit))
    if p >= 0.5:
        label = "check_worthy"
    elif fired.get("opinion wording") or fired.get("question") or fired.get("short fragment"):
        label = "not_factual"
    else:
        label = "unimportant"
    return Judgement(probability=p, label=label, reasons=(*cw.reasons(sentence), FALLBACK_REASON))
