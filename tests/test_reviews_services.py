"""reviews.services: assignment, verdicts, publication, and their audit trail."""

import threading

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection, connections

from factcheck.models import Claim
from reviews import selectors, services
from reviews.models import AuditEntry, Review, Verdict
from tests.factories import make_claim, make_claim_with_evidence, make_evidence

pytestmark = pytest.mark.django_db


def record(claim, reviewer, verdict=Verdict.SUPPORTED, rationale="The census agrees.", cited=()):
    return services.review_submit(
        claim=claim, reviewer=reviewer, verdict=verdict, rationale=rationale, cited_evidence=cited
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
    assert entry.details == {"assignee": "sam_reviewer", "previous_assignee": "rita_reviewer"}


def test_it_refuses_to_assign_outside_the_desk(outsider, editor):
    with pytest.raises(services.ReviewPermissionError, match="not in the Reviewer or Editor"):
        services.review_assign(claim=make_claim(), assignee=outsider, assigned_by=editor)
    with pytest.raises(services.ReviewPermissionError, match="not on the review desk"):
        services.review_assign(claim=make_claim(), assignee=outsider, assigned_by=outsider)


def test_it_refuses_to_reassign_a_decided_claim(reviewer, second_reviewer, editor):
    claim = make_claim()
    record(claim, reviewer)
    with pytest.raises(services.ReviewStateError, match="already has a verdict"):
        services.review_assign(claim=claim, assignee=second_reviewer, assigned_by=editor)


def test_it_sends_duplicates_to_their_canonical_claim(reviewer):
    canonical = make_claim()
    duplicate = make_claim(canonical=canonical)
    with pytest.raises(services.ReviewStateError, match=f"review claim {canonical.pk} instead"):
        services.review_assign(claim=duplicate, assignee=reviewer, assigned_by=reviewer)
    with pytest.raises(services.ReviewStateError, match="repeats claim"):
        record(duplicate, reviewer)


# --- Verdicts --------------------------------------------------------------------------------


def test_it_records_a_verdict_with_cited_evidence(reviewer):
    claim = make_claim_with_evidence(n_evidence=3)
    cited = list(claim.evidence.order_by("rank")[:2])
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    review = record(claim, reviewer, Verdict.MISATTRIBUTED, " The agency said it. ", cited)
    assert review.state == Review.State.SUBMITTED
    assert (review.verdict, review.rationale, review.reviewer) == (
        "misattributed",
        "The agency said it.",
        reviewer,
    )
    assert set(review.cited_evidence.all()) == set(cited)
    assert actions(claim) == ["review_assigned", "verdict_recorded"]


def test_recording_a_verdict_on_an_unassigned_claim_takes_it(reviewer):
    claim = make_claim()
    review = record(claim, reviewer)
    assert review.assignee == reviewer and review.assigned_by == reviewer


def test_recording_the_same_verdict_twice_changes_nothing(reviewer):
    claim = make_claim_with_evidence()
    cited = list(claim.evidence.all())
    first = record(claim, reviewer, cited=cited)
    second = record(claim, reviewer, cited=cited)
    assert first.decided_at == second.decided_at
    assert actions(claim) == ["verdict_recorded"]


def test_the_reviewer_may_revise_an_unpublished_verdict(reviewer):
    claim = make_claim()
    record(claim, reviewer, Verdict.SUPPORTED)
    review = record(claim, reviewer, Verdict.UNSUPPORTED, "On a second look, no source says so.")
    assert review.verdict == "unsupported"
    assert actions(claim) == ["verdict_recorded", "verdict_revised"]
    assert AuditEntry.objects.filter(claim=claim).latest("id").details["verdict"] == "unsupported"


def test_it_keeps_the_first_verdict_when_a_second_reviewer_comes_later(reviewer, second_reviewer):
    claim = make_claim()
    record(claim, reviewer, Verdict.SUPPORTED)
    with pytest.raises(services.ReviewStateError, match="rita_reviewer recorded a verdict"):
        record(claim, second_reviewer, Verdict.UNSUPPORTED, "Nothing supports it.")
    review = Review.objects.get(claim=claim)
    assert (review.verdict, review.reviewer) == ("supported", reviewer)


def test_it_refuses_evidence_of_another_claim(reviewer):
    claim = make_claim()
    other = make_claim_with_evidence()
    with pytest.raises(ValueError, match="belongs to another claim"):
        record(claim, reviewer, cited=list(other.evidence.all()))
    assert not Review.objects.filter(claim=claim).exists()


def test_it_refuses_a_blank_rationale_or_an_unknown_verdict(reviewer):
    claim = make_claim()
    with pytest.raises(ValueError, match="needs a rationale"):
        record(claim, reviewer, rationale="   ")
    with pytest.raises(ValueError, match="Unknown verdict"):
        record(claim, reviewer, verdict="pants-on-fire")


def test_an_outsider_cannot_record_a_verdict(outsider):
    with pytest.raises(services.ReviewPermissionError):
        record(make_claim(), outsider)


# --- Publication -----------------------------------------------------------------------------


def test_an_editor_publishes_a_verdict(reviewer, editor):
    claim = make_claim()
    review = services.review_publish(review=record(claim, reviewer), editor=editor)
    assert review.state == Review.State.PUBLISHED
    assert review.published and review.published_at and review.published_by == editor
    assert actions(claim)[-1] == "review_published"


def test_publishing_twice_changes_nothing(reviewer, editor):
    claim = make_claim()
    review = record(claim, reviewer)
    first = services.review_publish(review=review, editor=editor)
    second = services.review_publish(review=review, editor=editor)
    assert first.published_at == second.published_at
    assert actions(claim).count("review_published") == 1


def test_a_reviewer_cannot_publish(reviewer, second_reviewer):
    review = record(make_claim(), reviewer)
    with pytest.raises(services.ReviewPermissionError, match="Only editors"):
        services.review_publish(review=review, editor=second_reviewer)


def test_it_refuses_to_publish_without_a_verdict(reviewer, editor):
    claim = make_claim()
    review = services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    with pytest.raises(services.ReviewStateError, match="no verdict yet"):
        services.review_publish(review=review, editor=editor)


def test_an_editor_cannot_publish_their_own_verdict(editor):
    review = record(make_claim(), editor)
    with pytest.raises(services.ReviewStateError, match="another editor"):
        services.review_publish(review=review, editor=editor)


def test_a_published_verdict_is_frozen_until_unpublished(reviewer, editor):
    claim = make_claim()
    services.review_publish(review=record(claim, reviewer), editor=editor)
    with pytest.raises(services.ReviewStateError, match="unpublish"):
        record(claim, reviewer, Verdict.UNSUPPORTED, "Changed my mind.")
    # The same verdict again is "already done", not an error.
    assert record(claim, reviewer).state == Review.State.PUBLISHED


def test_unpublishing_returns_the_verdict_to_decided(reviewer, editor):
    claim = make_claim()
    review = services.review_publish(review=record(claim, reviewer), editor=editor)
    review = services.review_unpublish(review=review, editor=editor, reason="Wrong source")
    assert review.state == Review.State.SUBMITTED
    assert not review.published and review.published_at is None
    assert AuditEntry.objects.filter(claim=claim).latest("id").details == {"reason": "Wrong source"}


def test_unpublishing_twice_changes_nothing(reviewer, editor):
    claim = make_claim()
    review = services.review_publish(review=record(claim, reviewer), editor=editor)
    services.review_unpublish(review=review, editor=editor, reason="The figure was misread.")
    services.review_unpublish(review=review, editor=editor, reason="The figure was misread.")
    assert actions(claim).count("review_unpublished") == 1


# --- The verdict that applies ----------------------------------------------------------------


def test_a_duplicate_shows_its_canonical_claims_verdict(reviewer, editor):
    canonical = make_claim()
    duplicate = make_claim(canonical=canonical)
    assert selectors.claim_applicable_review(claim=duplicate) is None
    review = record(canonical, reviewer)
    assert selectors.claim_applicable_review(claim=duplicate) == review
    assert selectors.claim_applicable_review(claim=duplicate, published_only=True) is None
    services.review_publish(review=review, editor=editor)
    assert selectors.claim_applicable_review(claim=duplicate, published_only=True) == review


def test_a_chain_of_duplicates_leads_to_the_root(reviewer):
    root = make_claim()
    middle = make_claim(canonical=root)
    leaf = make_claim(canonical=middle)
    review = record(root, reviewer)
    assert selectors.claim_applicable_review(claim=leaf) == review


# --- Races (PostgreSQL: row locks) -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking needs PostgreSQL")
def test_it_keeps_the_first_verdict_when_two_reviewers_race():
    from tests.conftest import make_staff_user

    rita = make_staff_user("rita_racer", "Reviewer")
    sam = make_staff_user("sam_racer", "Reviewer")
    claim = make_claim()
    make_evidence(claim=claim)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def attempt(user, verdict):
        try:
            user = User.objects.get(pk=user.pk)
            barrier.wait(timeout=10)
            record(Claim.objects.get(pk=claim.pk), user, verdict, f"{user.username} thinks so.")
            outcomes[user.username] = "recorded"
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

    assert sorted(outcomes.values()) == ["recorded", "refused"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "recorded")
    review = Review.objects.get(claim=claim)
    assert review.reviewer.username == winner
    assert review.rationale == f"{winner} thinks so."
    assert actions(claim) == ["verdict_recorded"]
