"""reviews.services: assignment, verdicts, publication, and their audit trail.

The desk's newer steps (sources, send-back, corrections, triage, notes) are covered one service
at a time in tests/test_desk_workflow.py, and their races in tests/test_desk_concurrency.py.
"""

import threading

import pytest
from django.contrib.auth.models import Group, User
from django.db import connections

from factcheck.models import Claim
from reviews import selectors, services
from reviews.models import AuditEntry, Review, Verdict
from tests.conftest import make_staff_user, require_postgresql
from tests.factories import make_claim, make_claim_with_evidence

pytestmark = pytest.mark.django_db


def submit(claim, reviewer, verdict=Verdict.SUPPORTED, rationale="The census agrees.", cited=None):
    """Submit a verdict citing `cited`, or the claim's first piece of evidence by default."""
    if cited is None:
        cited = list(claim.evidence.order_by("rank")[:1])
    return services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=verdict,
        rationale=rationale,
        evidence_ids=[e.pk for e in cited],
    )


def actions(claim):
    return list(
        AuditEntry.objects.filter(claim=claim).order_by("id").values_list("action", flat=True)
    )


# --- Groups (migration 0003) -----------------------------------------------------------------


def test_the_desk_groups_exist_with_their_permissions():
    reviewer_perms = set(
        Group.objects.get(name="Reviewer").permissions.values_list("codename", flat=True)
    )
    editor_perms = set(
        Group.objects.get(name="Editor").permissions.values_list("codename", flat=True)
    )
    assert {"view_claim", "view_evidence", "view_article", "change_review"} <= reviewer_perms
    assert "view_duplicatesuggestion" in reviewer_perms
    assert {"assign_review", "publish_review", "add_article"} & reviewer_perms == set()
    assert reviewer_perms < editor_perms
    assert {"assign_review", "publish_review", "add_article"} <= editor_perms


# --- Assignment ------------------------------------------------------------------------------


def test_it_assigns_a_claim_to_yourself_and_audits_it(reviewer):
    claim = make_claim()
    review = services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    assert review.assignee == reviewer
    assert review.state == Review.State.ASSIGNED
    assert review.assigned_at is not None
    entry = AuditEntry.objects.get(review=review)
    assert (entry.action, entry.actor, entry.article_id) == (
        "review_assigned",
        reviewer,
        claim.article_id,
    )


def test_assigning_twice_changes_nothing(reviewer):
    claim = make_claim()
    first = services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    second = services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    assert first.pk == second.pk
    assert first.assigned_at == second.assigned_at
    assert actions(claim) == ["review_assigned"]


def test_a_reviewer_cannot_assign_to_someone_else(reviewer, second_reviewer):
    with pytest.raises(services.ReviewPermissionError, match="Only editors"):
        services.review_assign(claim=make_claim(), assignee=second_reviewer, assigned_by=reviewer)


def test_a_reviewer_cannot_take_a_claim_assigned_to_someone_else(reviewer, second_reviewer):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    with pytest.raises(services.ReviewStateError, match="ask an editor"):
        services.review_assign(claim=claim, assignee=second_reviewer, assigned_by=second_reviewer)
    assert Review.objects.get(claim=claim).assignee == reviewer


def test_an_editor_reassigns_an_assigned_claim(reviewer, second_reviewer, editor):
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    review = services.review_assign(claim=claim, assignee=second_reviewer, assigned_by=editor)
    assert review.assignee == second_reviewer
    entry = AuditEntry.objects.filter(claim=claim).latest("id")
    assert entry.details == {
        "assignee": "sam_reviewer",
        "previous_assignee": "rita_reviewer",
        "due_on": None,
        "priority": None,
    }


def test_it_refuses_to_assign_outside_the_desk(outsider, editor):
    with pytest.raises(services.ReviewPermissionError, match="not in the Reviewer or Editor"):
        services.review_assign(claim=make_claim(), assignee=outsider, assigned_by=editor)
    with pytest.raises(services.ReviewPermissionError, match="not on the review desk"):
        services.review_assign(claim=make_claim(), assignee=outsider, assigned_by=outsider)


def test_it_refuses_to_reassign_a_submitted_claim(reviewer, second_reviewer, editor):
    claim = make_claim_with_evidence()
    submit(claim, reviewer)
    with pytest.raises(services.ReviewStateError, match="awaiting approval; it can no longer"):
        services.review_assign(claim=claim, assignee=second_reviewer, assigned_by=editor)
    assert Review.objects.get(claim=claim).assignee == reviewer


def test_it_sends_duplicates_to_their_canonical_claim(reviewer):
    canonical = make_claim()
    duplicate = make_claim(canonical=canonical)
    with pytest.raises(services.ReviewStateError, match=f"review claim {canonical.pk} instead"):
        services.review_assign(claim=duplicate, assignee=reviewer, assigned_by=reviewer)
    with pytest.raises(services.ReviewStateError, match="repeats claim"):
        submit(duplicate, reviewer)


# --- Verdicts --------------------------------------------------------------------------------


def test_it_submits_a_verdict_with_cited_evidence(reviewer):
    claim = make_claim_with_evidence(n_evidence=3)
    cited = list(claim.evidence.order_by("rank")[:2])
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    review = submit(claim, reviewer, Verdict.MISATTRIBUTED, " The agency said it. ", cited)
    assert review.state == Review.State.SUBMITTED
    assert (review.verdict, review.rationale, review.reviewer) == (
        "misattributed",
        "The agency said it.",
        reviewer,
    )
    assert set(review.cited_evidence.all()) == set(cited)
    assert actions(claim) == ["review_assigned", "verdict_submitted"]


def test_submitting_on_an_unassigned_claim_takes_it(reviewer):
    claim = make_claim_with_evidence()
    review = submit(claim, reviewer)
    assert review.assignee == reviewer and review.assigned_by == reviewer


def test_submitting_the_same_verdict_twice_changes_nothing(reviewer):
    claim = make_claim_with_evidence()
    cited = list(claim.evidence.all())
    first = submit(claim, reviewer, cited=cited)
    second = submit(claim, reviewer, cited=cited)
    assert first.decided_at == second.decided_at
    assert actions(claim) == ["verdict_submitted"]


def test_the_reviewer_may_revise_a_verdict_awaiting_approval(reviewer):
    claim = make_claim_with_evidence()
    submit(claim, reviewer, Verdict.SUPPORTED)
    review = submit(claim, reviewer, Verdict.UNSUPPORTED, "On a second look, no source says so.")
    assert (review.state, review.verdict) == (Review.State.SUBMITTED, "unsupported")
    assert actions(claim) == ["verdict_submitted", "verdict_revised"]
    assert AuditEntry.objects.filter(claim=claim).latest("id").details["verdict"] == "unsupported"


def test_it_keeps_the_first_verdict_when_a_second_reviewer_comes_later(reviewer, second_reviewer):
    claim = make_claim_with_evidence()
    submit(claim, reviewer, Verdict.SUPPORTED)
    with pytest.raises(
        services.ReviewStateError, match=f"rita_reviewer submitted a verdict on claim {claim.pk}"
    ):
        submit(claim, second_reviewer, Verdict.UNSUPPORTED, "Nothing supports it.")
    review = Review.objects.get(claim=claim)
    assert (review.verdict, review.reviewer) == ("supported", reviewer)


def test_it_refuses_evidence_of_another_claim(reviewer):
    claim = make_claim()
    other = make_claim_with_evidence()
    with pytest.raises(ValueError, match=f"is not evidence of claim {claim.pk}"):
        submit(claim, reviewer, cited=list(other.evidence.all()))
    assert not Review.objects.filter(claim=claim).exists()


def test_it_refuses_a_blank_rationale_or_an_unknown_verdict(reviewer):
    claim = make_claim()
    with pytest.raises(ValueError, match="needs a rationale"):
        submit(claim, reviewer, rationale="   ")
    with pytest.raises(ValueError, match="Unknown verdict"):
        submit(claim, reviewer, verdict="pants-on-fire")
    assert not Review.objects.filter(claim=claim).exists()


def test_an_outsider_cannot_submit_a_verdict(outsider):
    with pytest.raises(services.ReviewPermissionError, match="not on the review desk"):
        submit(make_claim(), outsider)


# --- Publication: the two-person rule --------------------------------------------------------


def test_an_editor_publishes_a_verdict(reviewer, editor):
    claim = make_claim_with_evidence()
    review = services.review_publish(review=submit(claim, reviewer), editor=editor)
    assert review.state == Review.State.PUBLISHED
    assert review.published and review.published_at and review.published_by == editor
    assert actions(claim)[-1] == "review_published"


def test_publishing_twice_changes_nothing(reviewer, editor):
    claim = make_claim_with_evidence()
    review = submit(claim, reviewer)
    first = services.review_publish(review=review, editor=editor)
    second = services.review_publish(review=review, editor=editor)
    assert first.published_at == second.published_at
    assert actions(claim).count("review_published") == 1
    assert review.versions.count() == 1


def test_a_reviewer_cannot_publish(reviewer, second_reviewer):
    review = submit(make_claim_with_evidence(), reviewer)
    with pytest.raises(services.ReviewPermissionError, match="Only editors may publish"):
        services.review_publish(review=review, editor=second_reviewer)


def test_it_refuses_to_publish_without_a_submitted_verdict(reviewer, editor):
    claim = make_claim()
    review = services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    with pytest.raises(services.ReviewStateError, match="has no submitted verdict yet"):
        services.review_publish(review=review, editor=editor)


def test_it_refuses_to_publish_a_verdict_that_cites_nothing(reviewer, editor):
    review = submit(make_claim_with_evidence(), reviewer, cited=[])
    with pytest.raises(services.ReviewStateError, match="cites nothing"):
        services.review_publish(review=review, editor=editor)
    assert Review.objects.get(pk=review.pk).state == Review.State.SUBMITTED


def test_an_editor_cannot_publish_their_own_verdict(editor):
    review = submit(make_claim_with_evidence(), editor)
    with pytest.raises(services.ReviewPermissionError, match="another editor must approve"):
        services.review_publish(review=review, editor=editor)


def test_a_superuser_cannot_publish_their_own_verdict_either(db):
    boss = User.objects.create_superuser(username="boss", password="pw-boss")
    review = submit(make_claim_with_evidence(), boss)
    with pytest.raises(services.ReviewPermissionError, match="another editor must approve"):
        services.review_publish(review=review, editor=boss)
    assert Review.objects.get(pk=review.pk).state == Review.State.SUBMITTED


def test_a_superuser_publishes_someone_elses_verdict(reviewer):
    boss = User.objects.create_superuser(username="boss", password="pw-boss")
    review = services.review_publish(
        review=submit(make_claim_with_evidence(), reviewer), editor=boss
    )
    assert (review.state, review.published_by) == (Review.State.PUBLISHED, boss)


def test_a_published_verdict_changes_only_through_a_correction(reviewer, editor):
    claim = make_claim_with_evidence()
    services.review_publish(review=submit(claim, reviewer), editor=editor)
    with pytest.raises(services.ReviewStateError, match="published; an editor must correct it"):
        submit(claim, reviewer, Verdict.UNSUPPORTED, "Changed my mind.")
    assert Review.objects.get(claim=claim).verdict == "supported"


def test_unpublishing_needs_a_reason(reviewer, editor):
    review = services.review_publish(
        review=submit(make_claim_with_evidence(), reviewer), editor=editor
    )
    with pytest.raises(ValueError, match="unpublishing needs a reason"):
        services.review_unpublish(review=review, editor=editor, reason="  ")
    assert Review.objects.get(pk=review.pk).published


def test_unpublishing_returns_the_verdict_to_its_reviewer(reviewer, editor):
    claim = make_claim_with_evidence()
    review = services.review_publish(review=submit(claim, reviewer), editor=editor)
    review = services.review_unpublish(review=review, editor=editor, reason="Wrong source")
    assert review.state == Review.State.RETURNED
    assert not review.published and review.published_at is None
    assert review.correction_reason == "Wrong source"
    assert AuditEntry.objects.filter(claim=claim).latest("id").details == {"reason": "Wrong source"}


def test_unpublishing_twice_changes_nothing(reviewer, editor):
    claim = make_claim_with_evidence()
    review = services.review_publish(review=submit(claim, reviewer), editor=editor)
    services.review_unpublish(review=review, editor=editor, reason="The figure was misread.")
    services.review_unpublish(review=review, editor=editor, reason="The figure was misread.")
    assert actions(claim).count("review_unpublished") == 1


# --- The verdict that applies ----------------------------------------------------------------


def test_a_duplicate_shows_its_canonical_claims_verdict(reviewer, editor):
    canonical = make_claim_with_evidence()
    duplicate = make_claim(canonical=canonical)
    assert selectors.claim_applicable_review(claim=duplicate) is None
    review = submit(canonical, reviewer)
    assert selectors.claim_applicable_review(claim=duplicate) == review
    assert selectors.claim_applicable_review(claim=duplicate, published_only=True) is None
    services.review_publish(review=review, editor=editor)
    assert selectors.claim_applicable_review(claim=duplicate, published_only=True) == review


def test_a_chain_of_duplicates_leads_to_the_root(reviewer):
    root = make_claim_with_evidence()
    middle = make_claim(canonical=root)
    leaf = make_claim(canonical=middle)
    review = submit(root, reviewer)
    assert selectors.claim_applicable_review(claim=leaf) == review


# --- Races (PostgreSQL: row locks; more in tests/test_desk_concurrency.py) -------------------


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_first_verdict_when_two_reviewers_race():
    require_postgresql("row locking")
    rita = make_staff_user("rita_racer", "Reviewer")
    sam = make_staff_user("sam_racer", "Reviewer")
    claim = make_claim_with_evidence(n_evidence=1)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def attempt(user, verdict):
        try:
            user = User.objects.get(pk=user.pk)
            barrier.wait(timeout=10)
            submit(Claim.objects.get(pk=claim.pk), user, verdict, f"{user.username} thinks so.")
            outcomes[user.username] = "submitted"
        except services.ReviewStateError:
            outcomes[user.username] = "refused"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=(rita, Verdict.SUPPORTED)),
        threading.Thread(target=attempt, args=(sam, Verdict.UNSUPPORTED)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes.values()) == ["refused", "submitted"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "submitted")
    review = Review.objects.get(claim=claim)
    assert review.reviewer.username == winner
    assert review.rationale == f"{winner} thinks so."
    assert actions(claim) == ["verdict_submitted"]


def schedules_copied() -> bool:
    """Every claim's copy of its review's priority and due date (which the queue sorts by)
    equals the review's; a claim without a review has none."""
    claims = Claim.objects.select_related("review")
    return all(
        (c.review_priority, c.review_due_on)
        == ((c.review.priority, c.review.due_on) if hasattr(c, "review") else ("", None))
        for c in claims
    )


def test_the_queue_sorts_by_a_copy_of_the_reviews_schedule_that_every_step_keeps(
    reviewer, second_reviewer, editor
):
    import datetime as dt

    claim = make_claim_with_evidence(priority="low")
    other = make_claim(priority="low")
    assert schedules_copied()
    steps = [
        lambda: services.review_assign(
            claim=claim, assignee=reviewer, assigned_by=editor,
            due_on=dt.date(2026, 12, 24), priority="high",
        ),
        lambda: services.review_assign(
            claim=claim, assignee=second_reviewer, assigned_by=editor,
            due_on=dt.date(2026, 12, 10), priority="medium",
        ),
        lambda: services.review_unassign(claim=claim, editor=editor),
        lambda: services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor),
        lambda: submit(claim, reviewer),
        lambda: services.review_return(review=claim.review, editor=editor, note="Cite more."),
        lambda: submit(claim, reviewer),
        lambda: services.review_publish(review=claim.review, editor=editor),
        lambda: services.claim_dismiss(claim=other, user=editor, reason="opinion"),
        lambda: services.claim_restore(claim=other, editor=editor),
    ]  # fmt: skip
    for step in steps:
        step()
        claim.refresh_from_db()
        assert schedules_copied()
    assert (claim.review_priority, claim.review_due_on) == ("medium", dt.date(2026, 12, 10))
    ranked = Claim.objects.get(pk=claim.pk).queue_priority_rank
    assert ranked == 1  # the editor's medium over the machine's low
    assert Claim.objects.get(pk=other.pk).queue_priority_rank == 2
