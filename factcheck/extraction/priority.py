"""Review priority of an extracted claim: high, medium or low. Pure.

The score is the check-worthiness model's P(check_worthy); the cuts come from the model file,
where training sets them (never on the seed articles):

* medium starts at the model's check-worthy threshold (0.5), so every claim labelled
  check_worthy is at least medium, and everything else is low;
* high starts at ``priority_high``, set on news: the score above which the top 15% of the
  sentences of held-out political news articles fall (see training.py). The model learned on
  debates and scores news generously, so a cut set on debates alone would make most news
  claims high.

Two kinds never go above low, whatever the score: an opinion (kind ``opinion``: the decision
step kept it only because it names something checkable), and a sentence the decision step
marked as the article's own evaluative wording. Quotes and attributions are ranked by their
score like anything else: who said it does not make it more or less worth checking.
"""

from __future__ import annotations

from factcheck.extraction.checkworthiness import shipped_model
from factcheck.extraction.types import Priority

PRIORITIES: tuple[Priority, ...] = ("high", "medium", "low")

# Decision reasons that mark the article's own evaluative voice (see decision.py).
_OPINION_REASONS = frozenset({"opinion"})


def priority_for(
    score: float,
    label: str,
    kind: str,
    reasons: tuple[str, ...] = (),
    *,
    high: float | None = None,
    medium: float | None = None,
) -> Priority:
    """The review priority of one claim; ``high``/``medium`` default to the shipped cuts."""
    if high is None or medium is None:
        model = shipped_model()
        high = model.priority_high if high is None else high
        medium = model.threshold if medium is None else medium
    if kind == "opinion" or _OPINION_REASONS & set(reasons):
        return "low"
    if label != "check_worthy" or score < medium:
        return "low"
    return "high" if score >= high else "medium"
