"""One timeline per claim for the desk: its notes, its review's state changes and the edits
made on it, oldest first, in words a person reads.

Three queries whatever the claim's history: notes, state changes (ReviewTransition, which
keeps who, when and the comment) and the audit entries of edits. State changes are read from
the transitions rather than from their audit entries, which hold the same facts; the audit
entries supply what transitions do not record (sources, searched evidence, the claimant,
assignment, dismissal).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser

from reviews.models import AuditEntry, ClaimNote, DismissReason, Review, ReviewTransition, Verdict

NOTE, STATE, EDIT = "note", "state", "edit"

# The audit actions shown as edits. State changes come from ReviewTransition instead, except
# a revision before approval, which changes no state.
EDIT_ACTIONS = (
    "review_assigned",
    "review_unassigned",
    "source_added",
    "evidence_attached",
    "claimant_corrected",
    "claim_dismissed",
    "claim_restored",
    "verdict_revised",
)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # NOTE, STATE or EDIT
    actor: str
    summary: str  # "Returned to the reviewer"
    text: str = ""  # the note, the comment or the reason, as its author wrote it
    state: str = ""  # for a state change, the state it moved to


def claim_timeline(*, claim_id: int) -> list[TimelineEntry]:
    """The claim's notes, state changes and edits, oldest first. Three queries."""
    notes = ClaimNote.objects.filter(claim_id=claim_id).select_related("author")
    transitions = ReviewTransition.objects.filter(review__claim_id=claim_id).select_related("actor")
    edits = AuditEntry.objects.filter(claim_id=claim_id, action__in=EDIT_ACTIONS).select_related(
        "actor"
    )
    entries = [note_entry(note) for note in notes]
    entries += [entry for t in transitions if (entry := transition_entry(t)) is not None]
    entries += [entry for a in edits if (entry := edit_entry(a)) is not None]
    # Stable for equal times: a state change before the edits written in its transaction.
    order = {STATE: 0, EDIT: 1, NOTE: 2}
    return sorted(entries, key=lambda e: (e.at, order[e.kind]))


def last_return(entries: list[TimelineEntry]) -> TimelineEntry | None:
    """The latest send-back (an editor's return or an unpublish), for the reviewer to see."""
    returns = [e for e in entries if e.kind == STATE and e.state == Review.State.RETURNED]
    return returns[-1] if returns else None


def _name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return "The system"
    return user.get_full_name() or user.get_username()


def note_entry(note: ClaimNote) -> TimelineEntry:
    return TimelineEntry(
        at=note.created_at, kind=NOTE, actor=_name(note.author), summary="Note", text=note.text
    )


def transition_entry(transition: ReviewTransition) -> TimelineEntry | None:
    """A state change in words; None for a return to "assigned", which only an unassignment
    makes and whose audit entry already says so."""
    to, came_from = transition.to_state, transition.from_state
    if to == Review.State.SUBMITTED:
        summary = (
            "Resubmitted for approval"
            if came_from == Review.State.RETURNED
            else "Submitted for approval"
        )
    elif to == Review.State.RETURNED:
        summary = (
            "Unpublished the verdict"
            if came_from == Review.State.PUBLISHED
            else "Returned to the reviewer"
        )
    elif to == Review.State.PUBLISHED:
        if came_from == Review.State.PUBLISHED:
            summary = "Corrected the published verdict"
        elif transition.comment:
            summary = "Published the revised verdict"
        else:
            summary = "Published the verdict"
    else:
        return None
    return TimelineEntry(
        at=transition.at,
        kind=STATE,
        actor=_name(transition.actor),
        summary=summary,
        text=transition.comment,
        state=to,
    )


def _label(choices, value: str | None) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _due(value: str | None) -> str:
    if not value:
        return ""
    try:
        return f", due {date.fromisoformat(value):%d %B %Y}"
    except ValueError:
        return ""


def edit_entry(entry: AuditEntry) -> TimelineEntry | None:
    """An audit entry of an edit in words; None for an action this timeline does not show."""
    d = entry.details or {}
    text = ""
    if entry.action == "review_assigned":
        priority = f", {d['priority']} priority" if d.get("priority") else ""
        took = entry.actor is not None and entry.actor.get_username() == d.get("assignee")
        who = "Took the claim" if took else f"Assigned the claim to {d.get('assignee')}"
        summary = f"{who}{_due(d.get('due_on'))}{priority}"
    elif entry.action == "review_unassigned":
        summary = f"Took the claim back from {d.get('previous_assignee')}"
    elif entry.action == "source_added":
        summary = f"Added a source: {d.get('title', '')}"
        text = d.get("url", "")
    elif entry.action == "evidence_attached":
        summary = f"Attached a sentence from “{d.get('page', '')}” found with a search"
        text = f"Searched for: {d['query']}" if d.get("query") else ""
    elif entry.action == "claimant_corrected":
        cue = f" ({d['cue']})" if d.get("cue") else ""
        summary = f"Corrected the claimant to {d.get('claimant', '')}{cue}"
        machine = " ".join(filter(None, [d.get("machine_claimant"), d.get("machine_cue")]))
        text = f"Machine: {machine or 'no claimant'}"
    elif entry.action == "claim_dismissed":
        summary = f"Dismissed the claim: {_label(DismissReason, d.get('reason')).lower()}"
        text = d.get("note", "")
    elif entry.action == "claim_restored":
        summary = "Restored the claim to the queue"
    elif entry.action == "verdict_revised":
        verdict = _label(Verdict, d.get("verdict")).lower()
        summary = f"Revised the verdict before approval ({verdict})"
    else:
        return None
    return TimelineEntry(
        at=entry.at, kind=EDIT, actor=_name(entry.actor), summary=summary, text=text
    )
