"""A claim's place on the desk as one word, computed in the database, for the API's filters
and counts. Nothing here writes.

The states, in the order a claim moves through them:

    unassigned  no one has it yet: the desk's "needs action"
    assigned    a reviewer has it
    submitted   its verdict awaits an editor's approval
    returned    an editor sent the verdict back with a note
    published   its verdict is public
    dismissed   cleared from the queue (not checkable, opinion, ...), whatever its state was

A dismissed claim keeps its review's state underneath (an editor can restore it), so dismissal
is checked first.
"""

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf

from reviews.models import DismissReason, Review

DESK_STATES = ("unassigned", "assigned", "submitted", "returned", "published", "dismissed")


def desk_state_expression() -> Case:
    """The claim's desk state (one of DESK_STATES) from its review, joined once."""
    return Case(
        When(Q(review__dismissed_reason__in=DismissReason.values), then=Value("dismissed")),
        When(
            Q(review__state=Review.State.ASSIGNED, review__assignee__isnull=False),
            then=Value("assigned"),
        ),
        When(
            Q(
                review__state__in=[
                    Review.State.SUBMITTED,
                    Review.State.RETURNED,
                    Review.State.PUBLISHED,
                ]
            ),
            then=F("review__state"),
        ),
        default=Value("unassigned"),
        output_field=CharField(),
    )


def desk_priority_expression() -> Coalesce:
    """The editor's priority where one was set, else the machine's (Claim.priority). Read
    from the claim's copy of its review's priority (Claim.review_priority), so no join."""
    return Coalesce(NullIf(F("review_priority"), Value("")), F("priority"))


def with_desk_state(claims: QuerySet) -> QuerySet:
    """Claims annotated with desk_state and desk_priority."""
    return claims.annotate(
        desk_state=desk_state_expression(), desk_priority=desk_priority_expression()
    )
