"""Every write of the review workflow: assignment, verdicts, publication.

Each service locks the claim's row (SELECT ... FOR UPDATE) before reading its review, so two
people acting on one claim at once are serialised: the second sees what the first did. The
AuditEntry is written in the same transaction as the change it records. "Already done" returns
quietly without a new audit entry; a step that makes no sense in the current state raises
ReviewStateError with a message a person can act on.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.utils import timezone

from factcheck.models import Claim, Evidence
from reviews import roles
from reviews.models import AuditEntry, Review, Verdict


class ReviewError(Exception):
    """Base class of the review workflow's domain errors."""


class ReviewStateError(ReviewError):
    """The claim or review is not in a state where this step makes sense."""


class ReviewPermissionError(ReviewError):
    """The person asking may not take this step."""


def _name(user: AbstractUser | None) -> str:
    if user is None:
        return "nobody"
    return user.get_full_name() or user.get_username()


def _lock_claim(claim: Claim) -> Claim:
    # Locking the claim rather than the review also serialises the first assignment, when
    # there is no review row yet to lock. On SQLite the IMMEDIATE transaction does the same.
    return Claim.objects.select_for_update().select_related("article").get(pk=claim.pk)


def _audit(
    *, actor: AbstractUser, action: str, review: Review, details: dict | None = None
) -> None:
    AuditEntry.objects.create(
        actor=actor,
        action=action,
        article_id=review.claim.article_id,
        claim_id=review.claim_id,
        review=review,
        details=details or {},
    )


def _refuse_duplicates(claim: Claim) -> None:
    if claim.canonical_id is not None:
        raise ReviewStateError(
            f"Claim {claim.pk} repeats claim {claim.canonical_id}, which carries the verdict "
            f"for both; review claim {claim.canonical_id} instead."
        )


def review_assign(*, claim: Claim, assignee: AbstractUser, assigned_by: AbstractUser) -> Review:
    """Give a claim to a reviewer: create its review, or move an assigned one to someone else.

    Preconditions: both users are desk members; assigning to someone other than yourself needs
    the assign permission (editors); the claim is not a duplicate of another claim; the review
    has no verdict yet. Taking a claim already assigned to someone else also needs the assign
    permission, so reviewers cannot take work from each other.

    Running twice: the second call finds the claim already assigned to `assignee` and returns
    the review unchanged, writing no audit entry.
    """
    if not roles.is_desk_member(assigned_by):
        raise ReviewPermissionError(f"{_name(assigned_by)} is not on the review desk.")
    if not roles.is_desk_member(assignee):
        raise ReviewPermissionError(
            f"{_name(assignee)} is not in the Reviewer or Editor group; add them to one first."
        )
    if assignee.pk != assigned_by.pk and not roles.can_assign_others(assigned_by):
        raise ReviewPermissionError("Only editors may assign claims to other people.")

    with transaction.atomic():
        claim = _lock_claim(claim)
        _refuse_duplicates(claim)
        review = Review.objects.filter(claim=claim).select_related("assignee", "reviewer").first()
        if review is not None:
            if review.assignee_id == assignee.pk:
                return review
            if review.state != Review.State.ASSIGNED:
                raise ReviewStateError(
                    f"Claim {claim.pk} already has a verdict from {_name(review.reviewer)}; "
                    "it can no longer be reassigned."
                )
            if review.assignee_id is not None and not roles.can_assign_others(assigned_by):
                raise ReviewStateError(
                    f"Claim {claim.pk} is already assigned to {_name(review.assignee)}; "
                    "ask an editor to reassign it."
                )
        previous = review.assignee if review is not None else None
        now = timezone.now()
        if review is None:
            review = Review(claim=claim)
        review.claim = claim
        review.assignee = assignee
        review.assigned_by = assigned_by
        review.assigned_at = now
        review.save()
        _audit(
            actor=assigned_by,
            action="review_assigned",
            review=review,
            details={
                "assignee": assignee.get_username(),
                "previous_assignee": previous.get_username() if previous else None,
            },
        )
    return review


def review_record_verdict(
    *,
    claim: Claim,
    reviewer: AbstractUser,
    verdict: str,
    rationale: str,
    cited_evidence: Iterable[Evidence] = (),
) -> Review:
    """Record the reviewer's verdict on a claim, with a rationale and the evidence it cites.

    Preconditions: the reviewer is a desk member; the claim is not a duplicate; the claim is
    unassigned (the reviewer takes it) or assigned to the reviewer; the verdict is one of
    Verdict; the rationale is not blank; every cited piece of evidence belongs to the claim.
    Before publication the reviewer who recorded a verdict may revise it; once published it is
    frozen until an editor unpublishes it.

    Running twice with the same verdict, rationale and evidence returns the review unchanged
    with no new audit entry. When two reviewers race, the first to lock the claim keeps the
    claim and its verdict; the second gets ReviewStateError naming the first.
    """
    if not roles.is_desk_member(reviewer):
        raise ReviewPermissionError(f"{_name(reviewer)} is not on the review desk.")
    if verdict not in Verdict.values:
        raise ValueError(f"Unknown verdict {verdict!r}; expected one of {Verdict.values}.")
    rationale = rationale.strip()
    if not rationale:
        raise ValueError("A verdict needs a rationale: say what the evidence shows.")
    cited = list(cited_evidence)
    cited_ids = sorted({e.pk for e in cited})

    with transaction.atomic():
        claim = _lock_claim(claim)
        _refuse_duplicates(claim)
        foreign = [e.pk for e in cited if e.claim_id != claim.pk]
        if foreign:
            raise ValueError(f"Evidence {foreign} belongs to another claim, not claim {claim.pk}.")
        review = Review.objects.filter(claim=claim).select_related("assignee", "reviewer").first()
        if review is not None and review.assignee_id not in (None, reviewer.pk):
            if review.state != Review.State.ASSIGNED:
                raise ReviewStateError(
                    f"{_name(review.reviewer)} recorded a verdict on claim {claim.pk} first "
                    f"({review.get_verdict_display().lower()}); theirs stands."
                )
            raise ReviewStateError(
                f"Claim {claim.pk} is assigned to {_name(review.assignee)}; "
                "ask an editor to reassign it to you."
            )
        if review is not None and review.state != Review.State.ASSIGNED:
            same = (
                review.verdict == verdict
                and review.rationale == rationale
                and sorted(review.cited_evidence.values_list("pk", flat=True)) == cited_ids
            )
            if same:
                return review
            if review.state == Review.State.PUBLISHED:
                raise ReviewStateError(
                    f"The verdict on claim {claim.pk} is published; an editor must unpublish "
                    "it before it can change."
                )

        now = timezone.now()
        action = "verdict_recorded"
        if review is None or review.assignee_id is None:
            review = review or Review(claim=claim)
            review.claim = claim
            review.assignee = reviewer
            review.assigned_by = reviewer
            review.assigned_at = now
        elif review.state == Review.State.DECIDED:
            action = "verdict_revised"
        previous = {"previous_verdict": review.verdict} if action == "verdict_revised" else {}
        review.state = Review.State.DECIDED
        review.verdict = verdict
        review.rationale = rationale
        review.reviewer = reviewer
        review.decided_at = now
        review.save()
        review.cited_evidence.set(cited_ids)
        _audit(
            actor=reviewer,
            action=action,
            review=review,
            details={"verdict": verdict, "cited_evidence": cited_ids, **previous},
        )
    return review


def review_publish(*, review: Review, editor: AbstractUser) -> Review:
    """Approve a recorded verdict and make it public at /verdicts/<id>/.

    Preconditions: the editor holds the publish permission; the review has a verdict; the
    editor is not the person who recorded it (a second pair of eyes), unless a superuser.

    Running twice: the second call finds it published and returns it unchanged, no audit entry.
    """
    if not roles.can_publish(editor):
        raise ReviewPermissionError("Only editors may publish verdicts.")
    with transaction.atomic():
        _lock_claim(review.claim)
        review = Review.objects.select_related("claim", "reviewer").get(pk=review.pk)
        if review.state == Review.State.PUBLISHED:
            return review
        if review.state != Review.State.DECIDED:
            raise ReviewStateError(
                f"Claim {review.claim_id} has no verdict yet; a reviewer must record one first."
            )
        if review.reviewer_id == editor.pk and not editor.is_superuser:
            raise ReviewStateError(
                "You recorded this verdict yourself; another editor must approve and publish it."
            )
        review.state = Review.State.PUBLISHED
        review.published = True
        review.published_by = editor
        review.published_at = timezone.now()
        review.save()
        _audit(
            actor=editor,
            action="review_published",
            review=review,
            details={"verdict": review.verdict},
        )
    return review


def review_unpublish(*, review: Review, editor: AbstractUser, reason: str = "") -> Review:
    """Take a published verdict down; it returns to "verdict recorded" and may be revised.

    Preconditions: the editor holds the publish permission.

    Running twice (or on a review that was never published): returns it unchanged, no audit
    entry.
    """
    if not roles.can_publish(editor):
        raise ReviewPermissionError("Only editors may unpublish verdicts.")
    with transaction.atomic():
        _lock_claim(review.claim)
        review = Review.objects.select_related("claim").get(pk=review.pk)
        if review.state != Review.State.PUBLISHED:
            return review
        review.state = Review.State.DECIDED
        review.published = False
        review.published_by = None
        review.published_at = None
        review.save()
        _audit(actor=editor, action="review_unpublished", review=review, details={"reason": reason})
    return review


def audit_login_lockout(*, username: str, ip_address: str | None) -> AuditEntry:
    """Record that logins for this (username, IP address) are locked out after repeated failures.

    Preconditions: none; django-axes has already refused the login. The actor stays empty: the
    person typing may not be the account's owner.

    Running twice: axes reports the lockout again on every refused attempt, so within one
    cool-off the first entry is returned and no new one is written.
    """
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    earlier = AuditEntry.objects.filter(
        action="login_locked_out",
        details__username=username,
        details__ip_address=ip_address,
        at__gte=since,
    ).first()
    if earlier is not None:
        return earlier
    return AuditEntry.objects.create(
        action="login_locked_out", details={"username": username, "ip_address": ip_address}
    )
