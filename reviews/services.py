"""Every write of the review desk: assignment, sources, verdicts, the two-person rule,
triage, notes, claimant corrections and published versions.

Each service locks the claim's row (SELECT ... FOR UPDATE) before reading its review, so two
people acting on one claim at once are serialised: the second sees what the first did. The
AuditEntry (and, for a state change, the ReviewTransition) is written in the same transaction
as the change. "Already done" returns quietly without a new audit entry. A step that makes no
sense in the current state raises ReviewStateError, and a step the person may not take raises
ReviewPermissionError; both say the actual reason in words a person can act on.

E-mail (assignment, send-back) leaves only after the transaction commits.
"""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from factcheck.evidence.ranking import split_sentences
from factcheck.models import Claim, Evidence, ReferencePage
from factcheck.page_cache import forget_verdict_pages
from factcheck.public_urls import site_base_url
from factcheck.safe_urls import validate_public_url
from factcheck.services import page_snapshot
from reviews import roles
from reviews.models import (
    AuditEntry,
    ClaimantCorrection,
    ClaimNote,
    DismissReason,
    PublishedVersion,
    Review,
    ReviewTransition,
    Source,
    Verdict,
)


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


def _working_states() -> tuple[str, ...]:
    return (Review.State.ASSIGNED, Review.State.RETURNED)


def _require_desk(user: AbstractUser) -> None:
    if not roles.is_desk_member(user):
        raise ReviewPermissionError(f"{_name(user)} is not on the review desk.")


def _require_editor(user: AbstractUser, doing: str) -> None:
    if not roles.can_publish(user):
        raise ReviewPermissionError(f"Only editors may {doing}.")


def _review_of(claim: Claim) -> Review | None:
    return Review.objects.filter(claim=claim).select_related("assignee", "reviewer").first()


def _require_worker(user: AbstractUser, claim: Claim, review: Review | None, doing: str) -> None:
    """The claim's assignee, or an editor, may work on it; others are told whose it is."""
    if roles.can_assign_others(user):
        return
    if review is None or review.assignee_id is None:
        raise ReviewPermissionError(
            f"Claim {claim.pk} is not assigned to you; take it (Assign to me) before you {doing}."
        )
    if review.assignee_id != user.pk:
        raise ReviewPermissionError(
            f"Claim {claim.pk} is assigned to {_name(review.assignee)}; only they or an editor "
            f"may {doing}."
        )


def _refuse_dismissed(claim: Claim, review: Review | None) -> None:
    if review is not None and review.is_dismissed:
        raise ReviewStateError(
            f"Claim {claim.pk} was dismissed ({review.get_dismissed_reason_display().lower()}); "
            "an editor must restore it first."
        )


def _transition(review: Review, *, to: str, actor: AbstractUser, comment: str = "") -> None:
    ReviewTransition.objects.create(
        review=review, from_state=review.state, to_state=to, actor=actor, comment=comment
    )
    review.state = to


def _notify(user: AbstractUser | None, subject: str, body: str) -> None:
    """E-mail a desk member after the transaction commits; nothing is sent for a rollback."""
    if user is None or not user.email:
        return
    from reviews.queue_filters import my_work_url  # the desk's addresses live with the queue

    message = f"{body}\n\nYour work: {site_base_url(None)}{my_work_url()}\n"

    def send() -> None:
        send_mail(subject, message, None, [user.email], fail_silently=True)

    transaction.on_commit(send)


def _forget_public_pages(claim: Claim) -> None:
    """The public pages that show this claim (its own verdict's, or as a repeat its canonical
    claim's) are rendered afresh once the transaction commits."""
    claim_ids = [claim.pk] + ([claim.canonical_id] if claim.canonical_id else [])
    forget_verdict_pages(Review.objects.filter(claim_id__in=claim_ids).values_list("pk", flat=True))


# --- Assignment ------------------------------------------------------------------------------


def review_assign(
    *,
    claim: Claim,
    assignee: AbstractUser,
    assigned_by: AbstractUser,
    due_on: date | None = None,
    priority: str | None = None,
) -> Review:
    """Give a claim to a reviewer, with an optional due date and priority.

    Preconditions: both users are desk members; assigning to someone other than yourself, or
    setting a due date or priority, needs the assign permission (editors); the claim is not a
    duplicate and not dismissed; its review is assigned or returned (not awaiting approval or
    published). Taking a claim already assigned to someone else also needs the assign
    permission, so reviewers cannot take work from each other.

    Running twice: the second call finds the same assignee, due date and priority and returns
    the review unchanged, writing no audit entry and sending no e-mail.
    """
    _require_desk(assigned_by)
    if not roles.is_desk_member(assignee):
        raise ReviewPermissionError(
            f"{_name(assignee)} is not in the Reviewer or Editor group; add them to one first."
        )
    editor = roles.can_assign_others(assigned_by)
    if assignee.pk != assigned_by.pk and not editor:
        raise ReviewPermissionError("Only editors may assign claims to other people.")
    if (due_on is not None or priority) and not editor:
        raise ReviewPermissionError("Only editors may set a due date or a priority.")
    if priority and priority not in Claim.Priority.values:
        raise ValueError(f"Unknown priority {priority!r}; expected one of {Claim.Priority.values}.")

    with transaction.atomic():
        claim = _lock_claim(claim)
        _refuse_duplicates(claim)
        review = _review_of(claim)
        _refuse_dismissed(claim, review)
        if review is not None:
            unchanged = (
                review.assignee_id == assignee.pk
                and (due_on is None or review.due_on == due_on)
                and (not priority or review.priority == priority)
            )
            if unchanged:
                return review
            if review.state not in _working_states():
                raise ReviewStateError(
                    f"Claim {claim.pk} is {review.get_state_display().lower()}; it can no longer "
                    "be reassigned."
                )
            if review.assignee_id not in (None, assignee.pk) and not editor:
                raise ReviewStateError(
                    f"Claim {claim.pk} is already assigned to {_name(review.assignee)}; "
                    "ask an editor to reassign it."
                )
        previous = review.assignee if review is not None else None
        if review is None:
            review = Review(claim=claim)
        review.claim = claim
        if previous is None or previous.pk != assignee.pk:
            review.assignee = assignee
            review.assigned_by = assigned_by
            review.assigned_at = timezone.now()
        if due_on is not None:
            review.due_on = due_on
        if priority:
            review.priority = priority
        review.save()
        # The queue sorts by the claim's copy of these (reviews.selectors.queue_claims).
        Claim.objects.filter(pk=claim.pk).update(
            review_priority=review.priority, review_due_on=review.due_on
        )
        _audit(
            actor=assigned_by,
            action="review_assigned",
            review=review,
            details={
                "assignee": assignee.get_username(),
                "previous_assignee": previous.get_username() if previous else None,
                "due_on": review.due_on.isoformat() if review.due_on else None,
                "priority": review.priority or None,
            },
        )
        if assignee.pk != assigned_by.pk and (previous is None or previous.pk != assignee.pk):
            due = f", due {review.due_on:%d %B %Y}" if review.due_on else ""
            _notify(
                assignee,
                f"Claim {claim.pk} is assigned to you{due}",
                f"{_name(assigned_by)} assigned you a claim to check{due}:\n\n{claim.text}",
            )
    return review


def review_unassign(*, claim: Claim, editor: AbstractUser) -> Review | None:
    """Take a claim back from its reviewer; it returns to the unassigned pool.

    Preconditions: the editor holds the assign permission; the review is assigned or returned.
    Running twice (or on an unassigned claim): returns it unchanged, no audit entry.
    """
    if not roles.can_assign_others(editor):
        raise ReviewPermissionError("Only editors may unassign claims.")
    with transaction.atomic():
        claim = _lock_claim(claim)
        review = _review_of(claim)
        if review is None or review.assignee_id is None:
            return review
        if review.state not in _working_states():
            raise ReviewStateError(
                f"Claim {claim.pk} is {review.get_state_display().lower()}; return it or "
                "unpublish it before taking it from its reviewer."
            )
        previous = review.assignee
        if review.state == Review.State.RETURNED:
            _transition(review, to=Review.State.ASSIGNED, actor=editor, comment="Unassigned")
        review.assignee = None
        review.assigned_by = editor
        review.assigned_at = None
        review.save()
        _audit(
            actor=editor,
            action="review_unassigned",
            review=review,
            details={"previous_assignee": previous.get_username()},
        )
    return review


# --- Sources and searched evidence -----------------------------------------------------------


def source_add(
    *,
    claim: Claim,
    user: AbstractUser,
    url: str,
    title: str,
    quote: str,
    publisher: str = "",
    accessed_on: date | None = None,
    archived_url: str = "",
) -> Source:
    """Add a source the reviewer found (a document, other reporting, a recorded statement).

    Preconditions: the user is the claim's assignee or an editor; the URLs are public http(s)
    links; title and quote are not blank. A published verdict does not stop it: an editor adds
    the source a correction then cites (review_correct), and published versions keep copies.
    Running twice with the same URL and quote returns the first source, no new audit entry.
    """
    _require_desk(user)
    url = validate_public_url(url)
    archived_url = validate_public_url(archived_url) if archived_url.strip() else ""
    title, quote, publisher = title.strip(), quote.strip(), publisher.strip()
    if not title:
        raise ValueError("A source needs a title.")
    if not quote:
        raise ValueError("A source needs the quoted passage the verdict relies on.")
    with transaction.atomic():
        claim = _lock_claim(claim)
        review = _review_of(claim)
        _require_worker(user, claim, review, "add sources")
        existing = Source.objects.filter(claim=claim, url=url, quote=quote).first()
        if existing is not None:
            return existing
        source = Source.objects.create(
            claim=claim,
            url=url,
            title=title[:500],
            publisher=publisher[:300],
            quote=quote,
            accessed_on=accessed_on or timezone.localdate(),
            archived_url=archived_url,
            added_by=user,
        )
        AuditEntry.objects.create(
            actor=user,
            action="source_added",
            article_id=claim.article_id,
            claim_id=claim.pk,
            review=review,
            details={"source": source.pk, "url": url, "title": source.title},
        )
    return source


def evidence_attach(
    *, claim: Claim, user: AbstractUser, page_id: int, sentence_index: int, query: str = ""
) -> Evidence:
    """Attach a sentence found with the claim page's search box as evidence for the claim.

    The sentence is read from the stored page revision by its index, never taken from the
    request, so what is cited is what the page says. Preconditions: the user is the claim's
    assignee or an editor; the page is stored and has that sentence. Running twice returns the
    existing evidence, no new audit entry.
    """
    _require_desk(user)
    page = ReferencePage.objects.filter(pk=page_id).first()
    if page is None:
        raise ValueError(f"No stored page {page_id}; search again.")
    sentences = {
        index: (section, text) for index, section, text in split_sentences(page_snapshot(page))
    }
    if sentence_index not in sentences:
        raise ValueError(f"Page {page.title!r} has no sentence {sentence_index}.")
    section, sentence = sentences[sentence_index]
    with transaction.atomic():
        claim = _lock_claim(claim)
        review = _review_of(claim)
        _require_worker(user, claim, review, "attach evidence")
        existing = Evidence.objects.filter(
            claim=claim, page=page, sentence_index=sentence_index
        ).first()
        if existing is not None:
            return existing
        last_rank = max(claim.evidence.values_list("rank", flat=True), default=0)
        evidence = Evidence.objects.create(
            claim=claim,
            page=page,
            sentence_index=sentence_index,
            sentence=sentence,
            section=section[:500],
            score=0.0,
            rank=last_rank + 1,
            method="reviewer search",
            added_by=user,
            search_query=" ".join(query.split())[:300],
        )
        AuditEntry.objects.create(
            actor=user,
            action="evidence_attached",
            article_id=claim.article_id,
            claim_id=claim.pk,
            review=review,
            details={"evidence": evidence.pk, "page": page.title, "query": evidence.search_query},
        )
    return evidence


# --- Verdicts and the two-person rule --------------------------------------------------------


def _citations_of(claim: Claim, evidence_ids: Iterable[int], source_ids: Iterable[int]):
    evidence_ids = sorted(set(evidence_ids))
    source_ids = sorted(set(source_ids))
    evidence = list(Evidence.objects.filter(pk__in=evidence_ids, claim=claim))
    sources = list(Source.objects.filter(pk__in=source_ids, claim=claim))
    missing_e = sorted(set(evidence_ids) - {e.pk for e in evidence})
    missing_s = sorted(set(source_ids) - {s.pk for s in sources})
    if missing_e:
        raise ValueError(f"Evidence {missing_e} is not evidence of claim {claim.pk}.")
    if missing_s:
        raise ValueError(f"Source {missing_s} is not a source of claim {claim.pk}.")
    return evidence_ids, source_ids


def review_submit(
    *,
    claim: Claim,
    reviewer: AbstractUser,
    verdict: str,
    rationale: str,
    evidence_ids: Iterable[int] = (),
    source_ids: Iterable[int] = (),
) -> Review:
    """Submit the reviewer's verdict, rationale and citations for an editor's approval.

    Preconditions: the reviewer is a desk member; the claim is not a duplicate and not
    dismissed; it is unassigned (the reviewer takes it) or assigned to the reviewer; the state
    is assigned, returned, or submitted (a revision before an editor acts); the verdict is one
    of Verdict; the rationale is not blank; every citation belongs to the claim. A published
    verdict changes only through review_correct.

    Running twice with the same verdict, rationale and citations returns the review unchanged
    with no new audit entry. When two reviewers race, the first to lock the claim keeps it;
    the second gets ReviewStateError naming the first.
    """
    _require_desk(reviewer)
    if verdict not in Verdict.values:
        raise ValueError(f"Unknown verdict {verdict!r}; expected one of {Verdict.values}.")
    rationale = rationale.strip()
    if not rationale:
        raise ValueError("A verdict needs a rationale: say what the evidence shows.")

    with transaction.atomic():
        claim = _lock_claim(claim)
        _refuse_duplicates(claim)
        review = _review_of(claim)
        _refuse_dismissed(claim, review)
        cited_e, cited_s = _citations_of(claim, evidence_ids, source_ids)
        if review is not None and review.assignee_id not in (None, reviewer.pk):
            # A returned claim an editor gave to someone else is theirs to redo; saying who
            # "submitted first" would name the very reviewer who is asking.
            if review.state in _working_states():
                raise ReviewPermissionError(
                    f"Claim {claim.pk} is assigned to {_name(review.assignee)}; "
                    "ask an editor to reassign it to you."
                )
            raise ReviewStateError(
                f"{_name(review.reviewer or review.assignee)} submitted a verdict on claim "
                f"{claim.pk} first ({review.get_verdict_display().lower()}); theirs stands."
            )
        if review is not None and review.state == Review.State.PUBLISHED:
            raise ReviewStateError(
                f"The verdict on claim {claim.pk} is published; an editor must correct it "
                "(with a reason) or unpublish it."
            )
        if review is not None and review.state == Review.State.SUBMITTED:
            same = (
                review.verdict == verdict
                and review.rationale == rationale
                and sorted(review.cited_evidence.values_list("pk", flat=True)) == cited_e
                and sorted(review.cited_sources.values_list("pk", flat=True)) == cited_s
            )
            if same:
                return review

        now = timezone.now()
        if review is None:
            review = Review(claim=claim)
        if review.assignee_id is None:
            review.assignee = reviewer
            review.assigned_by = reviewer
            review.assigned_at = now
        action = {
            Review.State.ASSIGNED: "verdict_submitted",
            Review.State.RETURNED: "verdict_resubmitted",
            Review.State.SUBMITTED: "verdict_revised",
        }[review.state or Review.State.ASSIGNED]
        previous_verdict = review.verdict or None
        if review.pk is None:
            review.save()
        if review.state != Review.State.SUBMITTED:
            _transition(review, to=Review.State.SUBMITTED, actor=reviewer)
        review.verdict = verdict
        review.rationale = rationale
        review.reviewer = reviewer
        review.decided_at = now
        review.save()
        review.cited_evidence.set(cited_e)
        review.cited_sources.set(cited_s)
        _audit(
            actor=reviewer,
            action=action,
            review=review,
            details={
                "verdict": verdict,
                "previous_verdict": previous_verdict,
                "cited_evidence": cited_e,
                "cited_sources": cited_s,
            },
        )
    return review


def review_return(*, review: Review, editor: AbstractUser, note: str) -> Review:
    """Send a submitted verdict back to its reviewer with a note saying what to change.

    Preconditions: the editor holds the publish permission and is not the reviewer; the note
    is not blank; the review awaits approval. Running twice: the second call finds it
    returned with the same note and returns it unchanged.
    """
    _require_editor(editor, "return verdicts")
    note = note.strip()
    if not note:
        raise ValueError("Say what the reviewer should change: a return needs a note.")
    with transaction.atomic():
        _lock_claim(review.claim)
        review = Review.objects.select_related("claim", "reviewer", "assignee").get(pk=review.pk)
        if review.state == Review.State.RETURNED:
            last = review.transitions.order_by("-at", "-id").first()
            if last is not None and last.comment == note:
                return review
        if review.state != Review.State.SUBMITTED:
            raise ReviewStateError(
                f"Claim {review.claim_id} is {review.get_state_display().lower()}; only a verdict "
                "awaiting approval can be returned."
            )
        if review.reviewer_id == editor.pk:
            raise ReviewPermissionError(
                "You submitted this verdict yourself; revise it instead of returning it."
            )
        _transition(review, to=Review.State.RETURNED, actor=editor, comment=note)
        review.save()
        _audit(actor=editor, action="review_returned", review=review, details={"note": note})
        _notify(
            review.assignee,
            f"Claim {review.claim_id} was returned to you",
            f"{_name(editor)} returned your verdict with a note:\n\n{note}\n\n"
            f"Claim: {review.claim.text}",
        )
    return review


def _citation_copies(review: Review) -> list[dict]:
    copies = [
        {
            "kind": "evidence",
            "id": e.pk,
            "title": e.page.title,
            "url": e.page.permalink,
            "quote": e.sentence,
        }
        for e in review.cited_evidence.select_related("page").order_by("rank")
    ]
    copies += [
        {
            "kind": "source",
            "id": s.pk,
            "title": s.title,
            "publisher": s.publisher,
            "url": s.url,
            "quote": s.quote,
        }
        for s in review.cited_sources.order_by("pk")
    ]
    return copies


def _record_version(review: Review, *, editor: AbstractUser, reason: str, kind: str) -> None:
    number = review.versions.count() + 1
    PublishedVersion.objects.create(
        review=review,
        number=number,
        kind=kind if number > 1 else PublishedVersion.Kind.FIRST,
        verdict=review.verdict,
        rationale=review.rationale,
        citations=_citation_copies(review),
        reason=reason if number > 1 else "",
        published_at=review.published_at,
        published_by=editor,
    )


def _change_kind(review: Review, earlier_verdict: str | None) -> str:
    if earlier_verdict and earlier_verdict != review.verdict:
        return PublishedVersion.Kind.CORRECTION
    return PublishedVersion.Kind.UPDATE


def review_publish(*, review: Review, editor: AbstractUser) -> Review:
    """Approve a submitted verdict and make it public at /verdicts/<id>/.

    Preconditions: the editor holds the publish permission and is not the reviewer (the
    two-person rule, for superusers too); the review awaits approval; it cites at least one
    piece of evidence or source. A republication after an unpublish is recorded as a
    correction or update with the unpublish's reason.

    Running twice: the second call finds it published and returns it unchanged, no audit entry.
    """
    _require_editor(editor, "publish verdicts")
    with transaction.atomic():
        _lock_claim(review.claim)
        review = Review.objects.select_related("claim", "reviewer").get(pk=review.pk)
        if review.state == Review.State.PUBLISHED:
            return review
        if review.state != Review.State.SUBMITTED:
            if review.state == Review.State.RETURNED:
                raise ReviewStateError(
                    f"Claim {review.claim_id} was returned to its reviewer; it can be published "
                    "once they submit it again."
                )
            raise ReviewStateError(
                f"Claim {review.claim_id} has no submitted verdict yet; a reviewer must submit "
                "one first."
            )
        if review.reviewer_id == editor.pk:
            raise ReviewPermissionError(
                "You submitted this verdict yourself; another editor must approve and publish it."
            )
        if not review.cited_evidence.exists() and not review.cited_sources.exists():
            raise ReviewStateError(
                f"The verdict on claim {review.claim_id} cites nothing; publishing needs at least "
                "one cited piece of evidence or source."
            )
        last_version = review.versions.order_by("-number").first()
        reason = review.correction_reason
        _transition(review, to=Review.State.PUBLISHED, actor=editor, comment=reason)
        review.published = True
        review.published_by = editor
        review.published_at = timezone.now()
        review.correction_reason = ""
        review.save()
        kind = _change_kind(review, last_version.verdict if last_version else None)
        _record_version(review, editor=editor, reason=reason or "Revised", kind=kind)
        _forget_public_pages(review.claim)
        _audit(
            actor=editor,
            action="review_published",
            review=review,
            details={"verdict": review.verdict, "version": review.versions.count()},
        )
    return review


def review_unpublish(*, review: Review, editor: AbstractUser, reason: str) -> Review:
    """Take a published verdict down, with the reason; it returns to its reviewer to revise.

    The earlier versions stay on record; the next publication is a correction or update that
    carries this reason. Preconditions: the editor holds the publish permission; the reason is
    not blank. Running twice (or on a review that is not published): returns it unchanged, no
    audit entry.
    """
    _require_editor(editor, "unpublish verdicts")
    reason = reason.strip()
    if not reason:
        raise ValueError("Say why the verdict is taken down: unpublishing needs a reason.")
    with transaction.atomic():
        _lock_claim(review.claim)
        review = Review.objects.select_related("claim", "assignee").get(pk=review.pk)
        if review.state != Review.State.PUBLISHED:
            return review
        _transition(review, to=Review.State.RETURNED, actor=editor, comment=reason)
        review.published = False
        review.published_by = None
        review.published_at = None
        review.correction_reason = reason
        review.save()
        _forget_public_pages(review.claim)
        _audit(actor=editor, action="review_unpublished", review=review, details={"reason": reason})
        _notify(
            review.assignee,
            f"The verdict on claim {review.claim_id} was unpublished",
            f"{_name(editor)} took the verdict down:\n\n{reason}\n\nClaim: {review.claim.text}",
        )
    return review


def review_correct(
    *,
    review: Review,
    editor: AbstractUser,
    reason: str,
    verdict: str | None = None,
    rationale: str | None = None,
    evidence_ids: Iterable[int] | None = None,
    source_ids: Iterable[int] | None = None,
) -> Review:
    """Change a published verdict in place and publish the change as a new version.

    A changed verdict is a correction ("Corrected on DATE: reason"); a changed rationale or
    citations an update ("Updated on DATE: reason"). The earlier versions stay public.
    Preconditions: the editor holds the publish permission and is not the reviewer; the reason
    is not blank; the review is published; something changes; at least one citation remains.
    Running twice: the second call changes nothing and returns the review, no new version.
    """
    _require_editor(editor, "correct published verdicts")
    reason = reason.strip()
    if not reason:
        raise ValueError("Say what was wrong: a correction needs a reason readers will see.")
    if verdict is not None and verdict not in Verdict.values:
        raise ValueError(f"Unknown verdict {verdict!r}; expected one of {Verdict.values}.")
    if rationale is not None and not rationale.strip():
        raise ValueError("The rationale cannot be blank.")
    with transaction.atomic():
        claim = _lock_claim(review.claim)
        review = Review.objects.select_related("claim", "reviewer").get(pk=review.pk)
        if review.state != Review.State.PUBLISHED:
            raise ReviewStateError(
                f"The verdict on claim {review.claim_id} is not published; "
                "change it through the reviewer instead."
            )
        if review.reviewer_id == editor.pk:
            raise ReviewPermissionError(
                "You wrote this verdict; another editor must correct it (two-person rule)."
            )
        current_e = sorted(review.cited_evidence.values_list("pk", flat=True))
        current_s = sorted(review.cited_sources.values_list("pk", flat=True))
        new_e, new_s = _citations_of(
            claim,
            current_e if evidence_ids is None else evidence_ids,
            current_s if source_ids is None else source_ids,
        )
        new_verdict = verdict or review.verdict
        new_rationale = rationale.strip() if rationale is not None else review.rationale
        if (new_verdict, new_rationale, new_e, new_s) == (
            review.verdict,
            review.rationale,
            current_e,
            current_s,
        ):
            return review
        if not new_e and not new_s:
            raise ValueError("A published verdict must cite at least one evidence or source.")
        earlier_verdict = review.verdict
        review.verdict = new_verdict
        review.rationale = new_rationale
        review.published_at = timezone.now()
        review.published_by = editor
        review.save()
        review.cited_evidence.set(new_e)
        review.cited_sources.set(new_s)
        ReviewTransition.objects.create(
            review=review,
            from_state=review.state,
            to_state=review.state,
            actor=editor,
            comment=reason,
        )
        kind = _change_kind(review, earlier_verdict)
        _record_version(review, editor=editor, reason=reason, kind=kind)
        _forget_public_pages(review.claim)
        _audit(
            actor=editor,
            action="review_corrected",
            review=review,
            details={
                "reason": reason,
                "kind": kind,
                "verdict": new_verdict,
                "previous_verdict": earlier_verdict,
            },
        )
    return review


# --- Triage ----------------------------------------------------------------------------------


def claim_dismiss(*, claim: Claim, user: AbstractUser, reason: str, note: str = "") -> Review:
    """Clear a claim out of the queue: not checkable, opinion, duplicate, out of scope, or
    other (with a note). Editors can restore it.

    Preconditions: the user is on the desk; a reviewer may dismiss unassigned claims and their
    own, an editor any; the verdict is not awaiting approval or published. Running twice with
    the same reason returns the review unchanged, no audit entry.
    """
    _require_desk(user)
    if reason not in DismissReason.values:
        raise ValueError(f"Unknown reason {reason!r}; expected one of {DismissReason.values}.")
    note = note.strip()
    if reason == DismissReason.OTHER and not note:
        raise ValueError('Dismissing for "other" needs a note saying why.')
    with transaction.atomic():
        claim = _lock_claim(claim)
        review = _review_of(claim)
        if (
            review is not None
            and review.dismissed_reason == reason
            and review.dismissed_note == note
        ):
            return review
        if review is not None and review.state not in _working_states():
            raise ReviewStateError(
                f"Claim {claim.pk} is {review.get_state_display().lower()}; "
                + (
                    "unpublish it before dismissing it."
                    if review.state == Review.State.PUBLISHED
                    else "return it before dismissing it."
                )
            )
        if (
            review is not None
            and review.assignee_id not in (None, user.pk)
            and not roles.can_assign_others(user)
        ):
            raise ReviewPermissionError(
                f"Claim {claim.pk} is assigned to {_name(review.assignee)}; only they or an "
                "editor may dismiss it."
            )
        if review is None:
            review = Review(claim=claim)
        review.dismissed_reason = reason
        review.dismissed_note = note
        review.dismissed_by = user
        review.dismissed_at = timezone.now()
        review.save()
        _forget_public_pages(claim)
        _audit(
            actor=user,
            action="claim_dismissed",
            review=review,
            details={"reason": reason, "note": note},
        )
    return review


def claim_restore(*, claim: Claim, editor: AbstractUser) -> Review | None:
    """Bring a dismissed claim back to the queue. Preconditions: the editor holds the assign
    permission. Running twice (or on a claim never dismissed): returns unchanged."""
    if not roles.can_assign_others(editor):
        raise ReviewPermissionError("Only editors may restore dismissed claims.")
    with transaction.atomic():
        claim = _lock_claim(claim)
        review = _review_of(claim)
        if review is None or not review.is_dismissed:
            return review
        earlier = {"reason": review.dismissed_reason, "note": review.dismissed_note}
        review.dismissed_reason = ""
        review.dismissed_note = ""
        review.dismissed_by = None
        review.dismissed_at = None
        review.save()
        _forget_public_pages(claim)
        _audit(actor=editor, action="claim_restored", review=review, details=earlier)
    return review


# --- Notes and claimant corrections ----------------------------------------------------------


def note_add(*, claim: Claim, author: AbstractUser, text: str) -> ClaimNote:
    """Add a note to the claim's desk thread (never public). Preconditions: the author is on
    the desk; the text is not blank. Each call adds a note (a thread, not a setting)."""
    _require_desk(author)
    text = text.strip()
    if not text:
        raise ValueError("A note needs some text.")
    with transaction.atomic():
        claim = _lock_claim(claim)
        note = ClaimNote.objects.create(claim=claim, author=author, text=text)
        AuditEntry.objects.create(
            actor=author,
            action="note_added",
            article_id=claim.article_id,
            claim_id=claim.pk,
            review=_review_of(claim),
            details={"note": note.pk},
        )
    return note


def claimant_correct(
    *, claim: Claim, user: AbstractUser, claimant: str, cue: str = ""
) -> ClaimantCorrection:
    """Correct who made the claim and the cue ("announced", "said"), beside the machine's
    values, which stay as extracted.

    Preconditions: the user is the claim's assignee or an editor; the claimant is not blank;
    the verdict is not published. Running twice with the same values returns the correction
    unchanged, no audit entry.
    """
    _require_desk(user)
    claimant, cue = " ".join(claimant.split()), " ".join(cue.split())
    if not claimant:
        raise ValueError("Name the claimant (a person or an organisation).")
    with transaction.atomic():
        claim = _lock_claim(claim)
        review = _review_of(claim)
        _require_worker(user, claim, review, "correct the claimant")
        if review is not None and review.state == Review.State.PUBLISHED:
            raise ReviewStateError(
                f"The verdict on claim {claim.pk} is published; unpublish it to correct the "
                "claimant."
            )
        correction = ClaimantCorrection.objects.filter(claim=claim).first()
        if correction is not None and (correction.claimant, correction.cue) == (claimant, cue):
            return correction
        previous = (correction.claimant, correction.cue) if correction else None
        correction, _ = ClaimantCorrection.objects.update_or_create(
            claim=claim,
            defaults={
                "claimant": claimant[:300],
                "cue": cue[:100],
                "machine_claimant": claim.claimant,
                "machine_cue": claim.cue,
                "corrected_by": user,
                "corrected_at": timezone.now(),
            },
        )
        _forget_public_pages(claim)
        AuditEntry.objects.create(
            actor=user,
            action="claimant_corrected",
            article_id=claim.article_id,
            claim_id=claim.pk,
            review=review,
            details={
                "claimant": claimant,
                "cue": cue,
                "machine_claimant": claim.claimant,
                "machine_cue": claim.cue,
                "previous": list(previous) if previous else None,
            },
        )
    return correction


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
